import json
import shutil

import numpy as np
import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.sentiment_analyzer import SentimentAnalyzer
from nlu.models.sentiment import DEFAULT_HEAD_PATH, LABELS, SentimentHead, TransformerSentiment, sentiment_scores
from tests.nlu.conftest import messages


def analyzer(storage, context, **config):
    return SentimentAnalyzer.create(
        {**SentimentAnalyzer.get_default_config(), **config}, storage, Resource("sentiment"), context
    )


def test_shipped_head_is_small_and_matches_the_default_encoder():
    assert DEFAULT_HEAD_PATH.stat().st_size < 1_000_000
    head = SentimentHead.load()
    assert (head.encoder, head.split) == ("minilm", 4)
    assert head.weights.shape[0] == len(LABELS)


def test_clear_cases_with_the_shared_encoder(featurizer, storage, context):
    texts = (
        "I love my new tent, it's perfect!",
        "the zipper broke after two days, terrible quality",
        "what are your opening hours on saturday",
    )
    batch = analyzer(storage, context).process(featurizer.process(messages(*texts)))
    labels = [m.get("sentiment")["label"] for m in batch]
    assert labels == ["positive", "negative", "neutral"]
    for message in batch:
        sentiment = message.get("sentiment")
        assert abs(sum(sentiment["scores"].values()) - 1) < 1e-3
        assert sentiment["score"] == max(sentiment["scores"].values())
        assert "sentiment" in message.as_dict(only_output_properties=True)


def test_empty_and_very_long_texts(featurizer, storage, context):
    batch = analyzer(storage, context).process(featurizer.process(messages("", "awful " * 5000)))
    assert batch[0].get("sentiment")["label"] in LABELS
    assert batch[1].get("sentiment")["label"] == "negative"


def test_without_encoder_features_nothing_is_added(storage, context):
    [message] = analyzer(storage, context).process(messages("I love it"))
    assert message.get("sentiment") is None


@pytest.mark.parametrize("config", [{"model": ""}, {"model": "parley", "head": "/nonexistent/head.json"}])
def test_bad_config_fails_loudly(storage, context, config):
    with pytest.raises(InvalidConfigException):
        analyzer(storage, context, **config)


@pytest.fixture(scope="module")
def local_hf_sentiment_model(tmp_path_factory):
    """A real sequence-classification model on disk (MiniLM with a fresh 3-way head): exercises loading by path."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from nlu.models.encoder import resolve_model_path

    source = resolve_model_path("minilm")
    folder = tmp_path_factory.mktemp("hf-sentiment")
    model = AutoModelForSequenceClassification.from_pretrained(
        source, num_labels=3, id2label={0: "NEGATIVE", 1: "NEUTRAL", 2: "POSITIVE"}
    )
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(source).save_pretrained(folder)
    return folder


def test_any_hugging_face_model_by_path(local_hf_sentiment_model, storage, context):
    batch = analyzer(storage, context, model=str(local_hf_sentiment_model)).process(messages("great", "bad"))
    for message in batch:
        sentiment = message.get("sentiment")
        assert sentiment["label"] in LABELS
        assert set(sentiment["scores"]) == set(LABELS)


def test_models_whose_labels_do_not_name_the_classes_are_refused(local_hf_sentiment_model, tmp_path):
    folder = shutil.copytree(local_hf_sentiment_model, tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}
    config["label2id"] = {"LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="do not name 'negative'"):
        TransformerSentiment(str(folder))


def test_head_round_trip(tmp_path):
    head = SentimentHead(np.ones((3, 388), dtype=np.float32), np.zeros(3, dtype=np.float32), 2.0, "minilm", 4, {})
    head.save(tmp_path / "h.json")
    loaded = SentimentHead.load(tmp_path / "h.json")
    np.testing.assert_array_equal(loaded.weights, head.weights)
    assert loaded.metadata == {}


# Outdoor slang the shipped head reads as negative ("sick", "wicked") and worried questions it reads as negative.
CORRECTIONS = {
    "this tent is sick": "positive",
    "the new boots are wicked": "positive",
    "that jacket is proper mint": "positive",
    "the stove is a beast": "positive",
    "does the jacket leak in heavy rain": "neutral",
    "is the stove dangerous indoors": "neutral",
}
UNSEEN = {
    "the pack is wicked": "positive",
    "what happens if the tent leaks": "neutral",
    "is the ridgeline bad in snow": "neutral",
}
CLEAR = {
    "my order never came, fuming": "negative",
    "the zipper broke after two days, terrible quality": "negative",
    "I love my new tent, it's perfect!": "positive",
    "what are your opening hours on saturday": "neutral",
}


def labelled_data(featurizer, examples):
    data = TrainingData(
        [Message.build(text, "praise", None, None, {"sentiment": label}) for text, label in examples.items()]
    )
    return featurizer.process_training_data(data)


def labels_of(featurizer, component, texts):
    return [m.get("sentiment")["label"] for m in component.process(featurizer.process(messages(*texts)))]


def test_training_stores_the_head_in_the_model_and_loads_it_back(featurizer, storage, context, tmp_path):
    head_file = tmp_path / "head.json"
    shutil.copyfile(DEFAULT_HEAD_PATH, head_file)
    config = {**SentimentAnalyzer.get_default_config(), "head": str(head_file)}
    untrained = analyzer(storage, context, head=str(head_file))
    resource = analyzer(storage, context, head=str(head_file)).train(TrainingData([Message.build("hi", "greet")]))
    texts = list(CORRECTIONS) + list(UNSEEN) + list(CLEAR)
    expected = labels_of(featurizer, untrained, texts)  # no sentiment labels to adapt to: the configured head

    head_file.unlink()  # the loaded model may not need the file it was trained from
    loaded = SentimentAnalyzer.load(config, storage, resource, context)
    assert labels_of(featurizer, loaded, texts) == expected


def agreement(predicted, examples):
    return sum(p == t for p, t in zip(predicted, examples.values(), strict=True))


def test_corrections_adapt_the_head_and_the_model_keeps_it(featurizer, storage, context):
    shipped = analyzer(storage, context)
    before = agreement(labels_of(featurizer, shipped, CORRECTIONS), CORRECTIONS)
    assert before <= 2  # the shipped head misreads the slang and the worried questions

    trained = analyzer(storage, context)
    resource = trained.train(labelled_data(featurizer, CORRECTIONS))
    loaded = SentimentAnalyzer.load(SentimentAnalyzer.get_default_config(), storage, resource, context)
    assert agreement(labels_of(featurizer, loaded, CORRECTIONS), CORRECTIONS) >= before + 3
    # it carries over to similar messages it was not given, and clear cases keep their reading
    assert agreement(labels_of(featurizer, loaded, UNSEEN), UNSEEN) > agreement(
        labels_of(featurizer, shipped, UNSEEN), UNSEEN
    )
    assert labels_of(featurizer, loaded, CLEAR) == list(CLEAR.values())
    # a weaker prior follows the corrections more closely
    loose = analyzer(storage, context, adapt_strength=0.3)
    loose_resource = loose.train(labelled_data(featurizer, CORRECTIONS))
    loose_loaded = SentimentAnalyzer.load(
        {**SentimentAnalyzer.get_default_config(), "adapt_strength": 0.3}, storage, loose_resource, context
    )
    assert labels_of(featurizer, loose_loaded, CORRECTIONS) == list(CORRECTIONS.values())


@pytest.mark.parametrize("config", [{"adapt_strength": 0}, {"reviewed_weight": -1}, {"adapt_strength": "strong"}])
def test_bad_adaptation_settings_fail_loudly(storage, context, config):
    with pytest.raises(InvalidConfigException):
        analyzer(storage, context, **config)


def test_sentiment_scores_average_over_the_true_labels():
    truth = ["negative", "negative", "neutral", "positive"]
    scores = sentiment_scores(truth, ["negative", "none", "neutral", "neutral"])
    assert scores["accuracy"] == 0.5
    assert scores["macro_recall"] == pytest.approx(0.5)  # (1/2 + 1 + 0) / 3: "none" is an error, not a fourth label
