"""The plain model (`nlu.models.intent`) on its own, without Rasa: texts in, probabilities out, saved and loaded."""

import numpy as np
import pytest

from nlu.models.encoder import SplitEncoder
from nlu.models.intent import IntentModel, IntentTrainingConfig, length_bucketed_batches
from tests.nlu.conftest import EXAMPLES


@pytest.fixture(scope="module")
def encoder():
    return SplitEncoder("minilm", split=-2)


def test_train_predict_save_load(encoder, tmp_path):
    texts = [t for examples in EXAMPLES.values() for t in examples]
    labels = [label for label, examples in EXAMPLES.items() for _ in examples]
    model = IntentModel.train(encoder, texts, labels, IntentTrainingConfig(epochs=6), progress=False)

    probabilities, in_scope = model.predict(["is delivery free?", "my boots broke"])
    assert [model.labels[i] for i in probabilities.argmax(1)] == ["ask_shipping", "complaint"]
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-5)
    assert (in_scope == 1).all()  # distance scaling is off by default

    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path, encoder)
    np.testing.assert_allclose(
        loaded.predict(["is delivery free?"])[0], model.predict(["is delivery free?"])[0], atol=1e-6
    )
    assert model.predict([])[0].shape == (0, len(model.labels))


def test_loading_onto_a_different_split_is_refused(encoder, tmp_path):
    model = IntentModel.train(
        encoder, ["hi", "bye"], ["greet", "goodbye"], IntentTrainingConfig(epochs=1), progress=False
    )
    model.save(tmp_path)
    with pytest.raises(ValueError, match="split"):
        IntentModel.load(tmp_path, SplitEncoder("minilm", split=-3))


def test_length_buckets_cover_every_text_once_and_group_similar_lengths():
    lengths = list(np.random.default_rng(0).integers(3, 60, size=1000))
    batches = length_bucketed_batches(lengths, 32, np.random.default_rng(1))
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(1000))
    spread = np.mean([np.ptp([lengths[i] for i in batch]) for batch in batches])
    assert spread < 10  # random batches of 32 would span ~50 tokens
