"""Sends messages written in a language the brand has not declared to a person: intent `other_language`.

Put it last in the pipeline, after the fallback classifier: it reads the detected language
(`MessageLanguageDetector`) and, for a message confidently in a language outside `declared`, replaces whatever
intent was read (the English model reads German as noise, or worse, as a confident English intent) with
`other_language` at full confidence. A rule answers it with a short acknowledgement in the brand's first language
and hands the conversation to a person, tagged with the language. Undetermined or short messages ("ok", "danke")
are left alone: a wrong handoff costs more than one reply the customer did not need.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import ParleyComponent
from nlu.components.language_detector import LANGUAGE

OTHER_LANGUAGE = "other_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageRouter(ParleyComponent):
    """Sets the intent `other_language` on messages confidently in an undeclared language."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Configuration.

        - `declared`: the languages the brand answers in (ISO 639-1).
        - `min_confidence`: the detector's confidence needed to route a message away.
        """
        return {"declared": ["en"], "min_confidence": 0.8}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Fails at training time without a declared language or with a confidence outside (0, 1]."""
        declared = config.get("declared")
        if not isinstance(declared, list) or not declared or not all(isinstance(c, str) for c in declared):
            raise InvalidConfigException("LanguageRouter: declared must list the brand's languages, e.g. [en]")
        if not 0 < float(config.get("min_confidence", 0.8)) <= 1:
            raise InvalidConfigException("LanguageRouter: min_confidence must be in (0, 1]")

    def process(self, messages: list[Message]) -> list[Message]:
        """Routes the messages in an undeclared language."""
        declared = set(self._config["declared"])
        threshold = float(self._config["min_confidence"])
        for message in messages:
            language = message.get(LANGUAGE) or {}
            code, confidence = language.get("code"), float(language.get("confidence") or 0.0)
            if code and code != "und" and code not in declared and confidence >= threshold:
                routed = {"name": OTHER_LANGUAGE, "confidence": 1.0}
                message.set(INTENT, routed, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [routed], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to learn: training examples are in the declared languages."""
        return training_data
