from types import SimpleNamespace

import numpy as np
import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException

from nlu.components.intent_classifier import TransformerIntentClassifier
from tests.nlu.conftest import messages

CONFIG = {**TransformerIntentClassifier.get_default_config(), "epochs": 6, "show_progress": False}


def train(featurizer, training_data, storage, context, **overrides):
    featurizer.process_training_data(training_data)
    classifier = TransformerIntentClassifier.create({**CONFIG, **overrides}, storage, Resource("intent"), context)
    resource = classifier.train(training_data)
    return classifier, resource


def predict(featurizer, classifier, *texts):
    batch = featurizer.process(messages(*texts))
    return classifier.process(batch)


def test_train_save_load_gives_the_same_predictions(featurizer, training_data, storage, context):
    classifier, resource = train(featurizer, training_data, storage, context)
    loaded = TransformerIntentClassifier.load(CONFIG, storage, resource, context)
    texts = ("hello!", "do you deliver to alaska?", "my jacket ripped", "")

    before = predict(featurizer, classifier, *texts)
    after = predict(featurizer, loaded, *texts)
    for a, b in zip(before, after, strict=True):
        assert a.get("intent")["name"] == b.get("intent")["name"]
        np.testing.assert_allclose(
            [r["confidence"] for r in a.get("intent_ranking")],
            [r["confidence"] for r in b.get("intent_ranking")],
            rtol=1e-5,
            atol=1e-6,
        )
    assert [m.get("intent")["name"] for m in before[:3]] == ["greet", "ask_shipping", "complaint"]


def test_ranking_is_sorted_and_limited(featurizer, training_data, storage, context):
    classifier, _ = train(featurizer, training_data, storage, context, ranking_length=2)
    [message] = predict(featurizer, classifier, "is delivery free?")
    ranking = message.get("intent_ranking")
    assert len(ranking) == 2
    assert ranking[0]["confidence"] >= ranking[1]["confidence"]
    assert message.get("intent") == ranking[0]


def test_training_is_deterministic(featurizer, training_data, storage, context, tmp_path):
    first, _ = train(featurizer, training_data, storage, context)
    second, _ = train(featurizer, training_data, storage, context)
    a = predict(featurizer, first, "when does my order ship")[0].get("intent_ranking")
    b = predict(featurizer, second, "when does my order ship")[0].get("intent_ranking")
    assert a == b


def test_empty_and_very_long_texts_get_an_intent(featurizer, training_data, storage, context):
    classifier, _ = train(featurizer, training_data, storage, context)
    for message in predict(featurizer, classifier, "", "shipping " * 5000, "🎉🎉"):
        assert message.get("intent")["name"] in {"greet", "ask_shipping", "complaint"}
        assert 0 <= message.get("intent")["confidence"] <= 1


@pytest.mark.parametrize("percentile", [100, 99])
def test_out_of_scope_text_gets_lower_confidence(featurizer, training_data, storage, context, percentile):
    classifier, _ = train(featurizer, training_data, storage, context, ood_percentile=percentile)
    in_scope, out_of_scope = predict(featurizer, classifier, "how long does shipping take", "quantum chromodynamics")
    assert out_of_scope.get("intent")["confidence"] < in_scope.get("intent")["confidence"]


def test_untrained_classifier_is_a_no_op(featurizer, storage, context):
    classifier = TransformerIntentClassifier.load(CONFIG, storage, Resource("never-trained"), context)
    [message] = predict(featurizer, classifier, "hello")
    assert message.get("intent") is None


def test_one_intent_is_not_enough_to_train(featurizer, storage, context):
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([Message(data={"text": "hi", "intent": "greet"})])
    classifier, _ = train(featurizer, data, storage, context)
    assert predict(featurizer, classifier, "hi")[0].get("intent") is None


@pytest.mark.parametrize(
    "bad",
    [{"epochs": 0}, {"batch_size": "8"}, {"learning_rate": 2}, {"ood_percentile": 0}, {"ranking_length": -1}],
)
def test_bad_config_fails_loudly(storage, context, bad):
    with pytest.raises(InvalidConfigException):
        TransformerIntentClassifier.create({**CONFIG, **bad}, storage, Resource("x"), context)


def test_features_from_another_encoder_are_rejected(training_data, storage, context, featurizer, monkeypatch):
    featurizer.process_training_data(training_data)
    classifier = TransformerIntentClassifier.create(CONFIG, storage, Resource("x"), context)
    monkeypatch.setattr(classifier, "_encoder", lambda: SimpleNamespace(hidden_size=8))
    with pytest.raises(InvalidConfigException, match="same 'model' and 'split'"):
        classifier.train(training_data)


def test_distance_scaling_is_off_by_default_and_optional(featurizer, training_data, storage, context):
    plain, _ = train(featurizer, training_data, storage, context)
    [message] = predict(featurizer, plain, "quantum chromodynamics")
    assert plain._model.ood is None
    assert abs(sum(r["confidence"] for r in message.get("intent_ranking")) - 1) < 1e-4

    scaled, resource = train(featurizer, training_data, storage, context, ood_percentile=99)
    assert scaled._model.ood is not None
    loaded = TransformerIntentClassifier.load({**CONFIG, "ood_percentile": 99}, storage, resource, context)
    assert loaded._model.ood is not None


def test_reviewed_examples_count_reviewed_weight_times(storage, context):
    from rasa.shared.nlu.training_data.message import Message

    classifier = TransformerIntentClassifier.create({**CONFIG, "reviewed_weight": 3}, storage, Resource("w"), context)
    reviewed = Message.build("parcel never came", "order_status", None, None, {"reviewed": True, "source": "x"})
    plain = Message.build("where is my order", "order_status")
    assert (classifier._repeats(reviewed), classifier._repeats(plain)) == (3, 1)


def test_keyboard_mashes_lose_their_confidence_after_a_round_trip(featurizer, training_data, storage, context):
    from nlu.components.intent_classifier import only_unknown_words

    _, resource = train(featurizer, training_data, storage, context)
    loaded = TransformerIntentClassifier.load(CONFIG, storage, resource, context)
    mash, real = predict(featurizer, loaded, "asdf qwer zxcv", "hello there")
    assert mash.get("intent")["confidence"] < 0.1
    assert real.get("intent")["name"] == "greet" and real.get("intent")["confidence"] > 0.5
    known = frozenset({"thx", "so", "much"})
    assert only_unknown_words("asdf qwer", known) and not only_unknown_words("thx qwer", known)
    assert not only_unknown_words("gfhfgh", known)  # one word could be slang: left to the model
