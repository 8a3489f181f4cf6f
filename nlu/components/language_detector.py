"""Adds the message's language to every message: `language: {"code", "confidence"}` in the parse data.

The interaction log stores it with the turn and on the customer's profile (`store.interactions`), the console
filters by it, and replies can use it. The detector (`nlu.models.language`) needs no training; its settings are
the candidate languages and the confidence below which a message is `und` (undetermined).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import ParleyComponent
from nlu.models.language import DEFAULT_CANDIDATES, LanguageDetector

LANGUAGE = "language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MessageLanguageDetector(ParleyComponent):
    """Sets the `language` attribute on messages."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Configuration.

        - `candidates`: ISO 639-1 codes to choose among (fewer, likelier languages: fewer mistakes).
        - `min_confidence`: below this the message's language is `und`.
        """
        return {"candidates": list(DEFAULT_CANDIDATES), "min_confidence": 0.5}

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage | None = None, resource: Resource | None = None
    ) -> None:
        super().__init__(config, model_storage, resource)
        self.detector = LanguageDetector(tuple(config["candidates"]), float(config["min_confidence"]))

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Fails at training time on candidates lingua does not know or a confidence outside [0, 1)."""
        try:
            LanguageDetector(tuple(config.get("candidates") or ()), float(config.get("min_confidence", 0.5)))
        except (ValueError, TypeError) as error:
            raise InvalidConfigException(f"MessageLanguageDetector: {error}") from None
        if not 0 <= float(config.get("min_confidence", 0.5)) < 1:
            raise InvalidConfigException("MessageLanguageDetector: min_confidence must be in [0, 1)")

    def ready(self) -> None:
        """Loads the language models now, so the first customer does not wait for them."""
        self.detector.detect("hello, where is my order?")

    def process(self, messages: list[Message]) -> list[Message]:
        """Detects each incoming message's language."""
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(LANGUAGE, self.detector.detect(text).as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples need no language (the detector is not trained)."""
        return training_data
