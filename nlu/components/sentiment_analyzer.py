"""Adds sentiment (negative / neutral / positive, with a score) to every message, for slots, rules and actions.

The result is a message attribute, `sentiment: {"label", "score", "scores"}`, which Rasa copies into the parse data
(`tracker.latest_message["sentiment"]` in actions); the `sentiment` slot is filled from it on every turn.

By default it reads the shared encoder's sentence vector (`TransformerFeaturizer`) with Parley's small pre-trained
head, so sentiment costs no extra transformer pass. Set `model` to a Hugging Face sequence-classification model
(name or path) to use that instead; it runs its own pass.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.features import sentence_vector
from nlu.models.sentiment import DEFAULT_HEAD_PATH, Sentiment, SentimentHead, TransformerSentiment

logger = logging.getLogger(__name__)

SENTIMENT = "sentiment"
PARLEY_HEAD = "parley"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentimentAnalyzer(GraphComponent):
    """Sets the `sentiment` attribute on messages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Configuration.

        - `model`: "parley" for the built-in head over the shared encoder, or a Hugging Face
          sequence-classification model name/path whose labels name negative, neutral and positive.
        - `head`: path of the built-in head's JSON (default: the one shipped in `nlu/resources/`).
        """
        return {"model": PARLEY_HEAD, "head": None}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._head: SentimentHead | None = None
        self._transformer: TransformerSentiment | None = None

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Checks the model setting and, for the built-in head, that its file exists."""
        model = config.get("model")
        if not isinstance(model, str) or not model.strip():
            raise InvalidConfigException("SentimentAnalyzer: 'model' must be 'parley' or a model name/path")
        if model == PARLEY_HEAD:
            head = Path(config.get("head") or DEFAULT_HEAD_PATH)
            if not head.is_file():
                raise InvalidConfigException(
                    f"SentimentAnalyzer: head file {head} not found (rebuild it with `python -m nlu.train_sentiment`)"
                )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentimentAnalyzer:
        """Creates the analyzer; models load on first use."""
        cls.validate_config(config)
        return cls(config)

    def _predict(self, messages: list[Message]) -> list[Sentiment | None]:
        texts = [m.get(TEXT) for m in messages]
        if self._config["model"] != PARLEY_HEAD:
            if self._transformer is None:
                self._transformer = TransformerSentiment(self._config["model"])
            return list(self._transformer.predict(texts))
        if self._head is None:
            self._head = SentimentHead.load(Path(self._config.get("head") or DEFAULT_HEAD_PATH))
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
        """Training data is left as it is: the head is trained separately (`python -m nlu.train_sentiment`)."""
        return training_data
