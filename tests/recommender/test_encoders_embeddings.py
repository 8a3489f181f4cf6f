import numpy as np

from recommender.embeddings import embed_catalog, item_text
from recommender.encoders import Encoder, HashingEncoder


class CountingEncoder:
    def __init__(self):
        self.inner = HashingEncoder(64)
        self.name = "counting"
        self.calls = 0

    def encode(self, texts, show_progress=False):
        self.calls += 1
        return self.inner.encode(texts)


def test_hashing_encoder_is_deterministic_and_normalised():
    encoder = HashingEncoder()
    assert isinstance(encoder, Encoder)
    a, b = encoder.encode(["Two person tent", "two-person tents"]), encoder.encode(["Two person tent", "x"])
    assert np.allclose(a[0], b[0])
    assert np.allclose(np.linalg.norm(a, axis=1), 1)
    assert a[0] @ a[1] > 0.5


def test_catalog_embeddings_are_cached_by_content(catalog, tmp_path):
    encoder = CountingEncoder()
    first = embed_catalog(list(catalog), encoder, tmp_path)
    second = embed_catalog(list(catalog), encoder, tmp_path)
    assert encoder.calls == 1 and np.array_equal(first, second)
    changed = list(catalog)[:-1]
    embed_catalog(changed, encoder, tmp_path)
    assert encoder.calls == 2  # a different catalog is a different key
    (next(tmp_path.glob("*.npy"))).write_bytes(b"garbage")
    embed_catalog(list(catalog), encoder, tmp_path)  # a corrupt file is rebuilt, not fatal


def test_item_text_includes_facets(catalog):
    text = item_text(catalog[0])
    assert catalog[0].title in text and catalog[0].description in text


def test_minilm_understands_what_hashing_cannot(minilm):
    vectors = minilm.encode(["a shelter for two people", "2-person tent", "trail running shoes"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
