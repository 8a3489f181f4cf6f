"""Adds sentiment (negative / neutral / positive, with a score) to every message, for slots, rules and actions.

The result is a message attribute, `sentiment: {"label", "score", "scores"}`, which Rasa copies into the parse data
(`tracker.latest_message["sentiment"]` in actions); the `sentiment` slot is filled from it on every turn.

By default it reads the shared encoder's sentence vector (`TransformerFeaturizer`) with Parley's small pre-trained
head, so sentiment costs no extra transformer pass. Set `model` to a Hugging Face sequence-classification model
(name or path) to use that instead; it runs its own pass.

Learning from managers: training examples whose metadata has a `sentiment` label (written by `make retrain` from
console corrections) adapt the head during `rasa train`, and the head the model was trained with is stored in the
model. A model therefore always answers with the sentiment head it was evaluated with, and the shipped head file is
never edited.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import ParleyComponent
from nlu.components.features import example_metadata, sentence_vector
from nlu.models.sentiment import (
    DEFAULT_HEAD_PATH,
    LABELS,
    Sentiment,
    SentimentHead,
    TransformerSentiment,
    read_examples,
)

logger = logging.getLogger(__name__)

SENTIMENT = "sentiment"
PARLEY_HEAD = "parley"
HEAD_FILE = "sentiment_head.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SentimentAnalyzer(ParleyComponent):
    """Sets the `sentiment` attribute on messages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Configuration.

        - `model`: "parley" for the built-in head over the shared encoder, or a Hugging Face
          sequence-classification model name/path whose labels name negative, neutral and positive.
        - `head`: path of the built-in head's JSON (default: the one shipped in `nlu/resources/`).
        - `adapt_strength`: how firmly the head keeps its weights when adapting to labelled examples (larger:
          corrections move it less).
        - `reviewed_weight`: how many times a labelled example counts next to each rehearsed shipped example.
        Both defaults were chosen on `benchmarks/learning_loop.py`.
        """
        return {"model": PARLEY_HEAD, "head": None, "adapt_strength": 3.0, "reviewed_weight": 3}

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage | None = None, resource: Resource | None = None
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._head: SentimentHead | None = None
        self._transformer: TransformerSentiment | None = None

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Checks the model setting and, for the built-in head, that its file exists."""
        model = config.get("model")
        if not isinstance(model, str) or not model.strip():
            raise InvalidConfigException("SentimentAnalyzer: 'model' must be 'parley' or a model name/path")
        for key in ("adapt_strength", "reviewed_weight"):
            value = config.get(key, 1)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InvalidConfigException(f"SentimentAnalyzer: '{key}' must be a positive number")
        if model == PARLEY_HEAD:
            head = Path(config.get("head") or DEFAULT_HEAD_PATH)
            if not head.is_file():
                raise InvalidConfigException(
                    f"SentimentAnalyzer: head file {head} not found (rebuild it with `python -m nlu.train_sentiment`)"
                )

    def _configured_head(self) -> SentimentHead:
        return SentimentHead.load(Path(self._config.get("head") or DEFAULT_HEAD_PATH))

    def train(self, training_data: TrainingData) -> Resource:
        """Stores the head in the model, first adapted to any examples labelled with a sentiment.

        A Hugging Face `model` is used as it is (nothing is stored).
        """
        if self._config["model"] != PARLEY_HEAD or self._model_storage is None or self._resource is None:
            return self._resource
        head = self._configured_head()
        labelled = [
            m
            for m in training_data.training_examples
            if example_metadata(m).get("sentiment") in LABELS and sentence_vector(m) is not None
        ]
        if labelled:
            head = self._adapt(head, labelled)
        with self._model_storage.write_to(self._resource) as directory:
            head.save(directory / HEAD_FILE)
        self._head = head
        return self._resource

    def _adapt(self, head: SentimentHead, labelled: list[Message]) -> SentimentHead:
        """The head adapted to the labelled examples, rehearsing the shipped customer-service examples."""
        texts = [m.get(TEXT) for m in labelled]
        labels = [example_metadata(m)["sentiment"] for m in labelled]
        embeddings = np.stack([sentence_vector(m) for m in labelled])
        if embeddings.shape[1] + 4 != head.weights.shape[1]:
            raise InvalidConfigException(
                f"SentimentAnalyzer: the head was trained on {head.encoder} (split {head.split}), which does not "
                "match TransformerFeaturizer's features"
            )
        shipped_texts, shipped_labels = read_examples()
        shipped = self._shipped_embeddings(head, shipped_texts)
        weights = np.r_[np.full(len(texts), float(self._config["reviewed_weight"])), np.ones(len(shipped_texts))]
        metadata = {**head.metadata, "adapted_to": len(texts), "adapt_strength": self._config["adapt_strength"]}
        logger.info("SentimentAnalyzer: adapting the head to %d labelled example(s)", len(texts))
        return head.adapted(
            np.vstack([embeddings, shipped]),
            texts + shipped_texts,
            labels + shipped_labels,
            float(self._config["adapt_strength"]),
            metadata,
            weights,
        )

    @staticmethod
    def _shipped_embeddings(head: SentimentHead, texts: list[str]) -> np.ndarray:
        """The shared encoder's sentence vectors for the shipped examples (same encoder and split as the head)."""
        from nlu.models.encoder import SplitEncoder, configure_torch_threads

        configure_torch_threads()
        return SplitEncoder(head.encoder, split=head.split).sentence_vectors(texts)

    def restore(self, directory: Path) -> None:
        """Uses the head stored in the model; a model without one keeps the configured head."""
        if (directory / HEAD_FILE).is_file():
            self._head = SentimentHead.load(directory / HEAD_FILE)

    def _predict(self, messages: list[Message]) -> list[Sentiment | None]:
        texts = [m.get(TEXT) for m in messages]
        if self._config["model"] != PARLEY_HEAD:
            if self._transformer is None:
                self._transformer = TransformerSentiment(self._config["model"])
            return list(self._transformer.predict(texts))
        if self._head is None:
            self._head = self._configured_head()
        vectors = [sentence_vector(m) for m in messages]
        ready = [i for i, v in enumerate(vectors) if v is not None]
        result: list[Sentiment | None] = [None] * len(messages)
        if len(ready) < len(messages):
            logger.debug("SentimentAnalyzer: %d message(s) lack encoder features", len(messages) - len(ready))
        if ready:
            embeddings = np.stack([vectors[i] for i in ready])
            for i, sentiment in zip(
                ready, self._head.predict_from_embeddings(embeddings, [texts[i] for i in ready]), strict=True
            ):
                result[i] = sentiment
        return result

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds `sentiment` to each message with text."""
        todo = [m for m in messages if isinstance(m.get(TEXT), str)]
        if todo:
            for message, sentiment in zip(todo, self._predict(todo), strict=True):
                if sentiment is not None:
                    message.set(SENTIMENT, sentiment.as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data is left as it is (the shipped head is trained by `python -m nlu.train_sentiment`)."""
        return training_data
