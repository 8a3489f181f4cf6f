"""The plain model (`nlu.models.intent`) on its own, without Rasa: texts in, probabilities out, saved and loaded."""

import numpy as np
import pytest

from nlu.models.encoder import SplitEncoder
from nlu.models.intent import (
    IntentModel,
    IntentTrainingConfig,
    calibration_indices,
    fit_temperature,
    length_bucketed_batches,
)
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

    assert model.temperature != 1.0  # fitted on the held-out fifth
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path, encoder)
    assert loaded.temperature == model.temperature
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


def test_fit_temperature_recovers_the_temperature_that_generated_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(4000, 5))
    scaled = logits / 2.0
    probabilities = np.exp(scaled) / np.exp(scaled).sum(1, keepdims=True)
    truth = np.array([rng.choice(5, p=p) for p in probabilities])
    assert abs(fit_temperature(logits, truth) - 2.0) < 0.15
    assert fit_temperature(logits * 0.5, truth) < fit_temperature(logits, truth)  # shrunken logits need sharpening


def test_calibration_holds_out_a_share_of_each_intent_and_keeps_small_intents_whole():
    labels = ["a"] * 10 + ["b"] * 20 + ["c"] * 3
    held = calibration_indices(labels, 0.2, seed=1)
    assert sorted(labels[i] for i in held) == ["a"] * 2 + ["b"] * 4
    assert held == calibration_indices(labels, 0.2, seed=1)
    assert calibration_indices(labels, 0.0, seed=1) == set()
