import numpy as np
import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException

from nlu.components.features import sentence_vector, sequence_states
from nlu.components.transformer_featurizer import TransformerFeaturizer
from tests.nlu.conftest import messages


def test_adds_token_states_and_a_pooled_vector(featurizer):
    [short, long] = featurizer.process(messages("hello", "do you ship tents to canada by express delivery"))
    assert sequence_states(short).shape[1] == 384
    assert sequence_states(long).shape[0] > sequence_states(short).shape[0]
    np.testing.assert_allclose(sentence_vector(long), sequence_states(long).mean(axis=0), rtol=1e-5)


def test_batching_does_not_change_features(featurizer):
    alone = sequence_states(featurizer.process(messages("where is my order"))[0])
    batched = sequence_states(featurizer.process(messages("hi", "where is my order", "a much longer message here"))[1])
    np.testing.assert_allclose(alone, batched, atol=1e-4)


def test_featurizing_twice_is_harmless(featurizer):
    [message] = featurizer.process(messages("hello"))
    featurizer.process([message])
    assert sequence_states(message).shape[1] == 384


def test_messages_without_text_are_left_alone(featurizer):
    from rasa.shared.nlu.training_data.message import Message

    [message] = featurizer.process([Message(data={"intent": "greet"})])
    assert sequence_states(message) is None


@pytest.mark.parametrize("bad", [{"model": ""}, {"max_length": 2}, {"batch_size": 0}, {"split": "top"}])
def test_bad_config_fails_loudly(storage, context, bad):
    with pytest.raises(InvalidConfigException):
        TransformerFeaturizer.create(
            {**TransformerFeaturizer.get_default_config(), **bad}, storage, Resource("f"), context
        )


def test_classifiers_reuse_the_shared_pass(featurizer, training_data, storage, context, monkeypatch):
    """At prediction time neither classifier runs the encoder again: one pass per message."""
    from nlu.components.intent_classifier import TransformerIntentClassifier
    from nlu.components.sentiment_analyzer import SentimentAnalyzer
    from nlu.models.encoder import SplitEncoder

    featurizer.process_training_data(training_data)
    config = {**TransformerIntentClassifier.get_default_config(), "epochs": 2, "show_progress": False}
    classifier = TransformerIntentClassifier.create(config, storage, Resource("intent"), context)
    classifier.train(training_data)
    sentiment = SentimentAnalyzer.create(SentimentAnalyzer.get_default_config(), storage, Resource("s"), context)
    batch = featurizer.process(messages("hello", "my tent leaked"))

    calls = []
    original = SplitEncoder.bottom
    monkeypatch.setattr(SplitEncoder, "bottom", lambda self, texts: calls.append(texts) or original(self, texts))
    sentiment.process(classifier.process(batch))
    assert calls == []
    assert all(m.get("intent") and m.get("sentiment") for m in batch)
