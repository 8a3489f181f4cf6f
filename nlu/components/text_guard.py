"""Caps how much of a message the NLU pipeline reads, so one huge message cannot stall the server.

A 50 kB paste takes DIET over 20 s on 2 cores and says nothing more about intent than its opening lines. Only the
pipeline's copy is shortened: Rasa stores the customer's full text in the tracker (`UserUttered` is built from the
original `UserMessage`), so nothing the customer wrote is lost.
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


def truncate(text: str, max_chars: int) -> str:
    """The first `max_chars` characters, cut back to the last whole word when there is one."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    cut = head.rfind(" ")
    return head[:cut] if cut > max_chars // 2 else head


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextLengthGuard(ParleyComponent):
    """Shortens the text the rest of the pipeline sees to `max_chars` characters. Put it first in the pipeline."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`max_chars`: longest text (in characters) passed on to tokenizers and classifiers."""
        return {"max_chars": 1000}

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage | None = None, resource: Resource | None = None
    ) -> None:
        super().__init__(config, model_storage, resource)
        self.max_chars = int(config["max_chars"])

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Fails at training time on a nonsensical limit rather than truncating everything."""
        value = config.get("max_chars")
        if isinstance(value, bool) or not isinstance(value, int) or value < 20:
            raise InvalidConfigException(f"TextLengthGuard: max_chars must be an integer >= 20, got {value!r}")

    def _guard(self, message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and len(text) > self.max_chars:
            message.set(TEXT, truncate(text, self.max_chars))

    def process(self, messages: list[Message]) -> list[Message]:
        """Shortens over-long incoming messages in place."""
        for message in messages:
            self._guard(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Applies the same limit to training examples, so training and inference see alike texts."""
        for message in training_data.training_examples:
            self._guard(message)
        return training_data
