"""Parley's transformer intent classifier as a Rasa graph component.

A thin adapter: the model (`nlu.models.intent`) fine-tunes the top encoder layers on the bot's NLU examples during
`rasa train`, reading the shared bottom states that `TransformerFeaturizer` put on each message. Predictions come
with a sorted ranking; `FallbackClassifier` turns low-confidence predictions into `nlu_fallback`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import ParleyComponent
from nlu.components.features import example_metadata, sequence_states
from nlu.models.encoder import DEFAULT_ENCODER, SplitEncoder, configure_torch_threads
from nlu.models.intent import IntentModel, IntentTrainingConfig, pad

logger = logging.getLogger(__name__)

WORDS_FILE = "known_words.json"
_WORD = re.compile(r"[^\W\d_]+")
# A message of keyboard mashes ("asdf qwer zxcv") gets this share of its confidence: below any sensible threshold,
# so it falls back, while the ranking stays visible to managers.
UNKNOWN_WORDS_SCALE = 0.1


def words_of(text: str) -> list[str]:
    """Lower-case alphabetic words of a text."""
    return _WORD.findall(text.lower())


def only_unknown_words(text: str, known: set[str] | frozenset[str]) -> bool:
    """True for two or more words, none of them known (keyboard mashes); single words and emoji are left alone.

    Calibrated confidences are sharp enough that "asdf qwer zxcv" otherwise came out as `thank` at 0.82. A word
    is known when the encoder's vocabulary has it whole or the training examples use it ("thx", "ur").
    """
    words = words_of(text)
    return len(words) >= 2 and not any(word in known for word in words)


_TRAINING_KEYS = {field.name for field in dataclasses.fields(IntentTrainingConfig)}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TransformerIntentClassifier(ParleyComponent, IntentClassifier):
    """Predicts the intent and a ranking of alternatives. Needs `TransformerFeaturizer` earlier in the pipeline."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Configuration.

        - `model`, `split`: the encoder, exactly as configured on `TransformerFeaturizer`.
        - `epochs`, `batch_size`, `learning_rate`, `head_learning_rate`, `weight_decay`, `dropout`,
          `label_smoothing`: fine-tuning hyperparameters (defaults benchmarked on BANKING77).
        - `seed`: makes training repeatable.
        - `ood_percentile`: below 100 (e.g. 99), messages further from every intent than this percentile of the
          training messages get a lowered confidence; 100 (default) keeps the plain softmax confidence.
        - `calibration_split`: share of each intent's examples held out to fit the softmax temperature, so the
          confidence the fallback threshold reads is calibrated (0 turns calibration off).
        - `ranking_length`: how many intents to list in `intent_ranking` (0 = all).
        - `show_progress`: progress bar while training (off in the server log).
        - `reviewed_weight`: how many times an example a manager corrected (example metadata `reviewed: true`, as
          `make retrain` writes them) counts in training. Corrections are the model's known blind spots, and a
          handful of them would otherwise drown among hundreds of authored examples.
        """
        return {
            "model": DEFAULT_ENCODER,
            "split": -2,
            **dataclasses.asdict(IntentTrainingConfig()),
            "ranking_length": 10,
            "show_progress": True,
            "reviewed_weight": 3,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        model: IntentModel | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._model = model
        self._known: frozenset[str] = frozenset()

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Fails before training on values that cannot work."""
        for key in ("epochs", "batch_size"):
            if not isinstance(config.get(key), int) or config[key] < 1:
                raise InvalidConfigException(f"TransformerIntentClassifier: '{key}' must be a positive integer")
        for key in ("learning_rate", "head_learning_rate"):
            if not isinstance(config.get(key), (int, float)) or not 0 < config[key] < 1:
                raise InvalidConfigException(f"TransformerIntentClassifier: '{key}' must be between 0 and 1")
        if not 0 < float(config.get("ood_percentile", 0)) <= 100:
            raise InvalidConfigException("TransformerIntentClassifier: 'ood_percentile' must be in (0, 100]")
        if not 0 <= float(config.get("calibration_split", 0)) < 1:
            raise InvalidConfigException("TransformerIntentClassifier: 'calibration_split' must be in [0, 1)")
        if not isinstance(config.get("ranking_length"), int) or config["ranking_length"] < 0:
            raise InvalidConfigException("TransformerIntentClassifier: 'ranking_length' must be >= 0")

    def _encoder(self) -> SplitEncoder:
        configure_torch_threads()
        return SplitEncoder(self._config["model"], split=self._config["split"])

    def _repeats(self, message: Message) -> int:
        """How many times an example counts: `reviewed_weight` for manager-reviewed examples, else once."""
        reviewed = example_metadata(message).get("reviewed") is True
        return max(1, int(self._config.get("reviewed_weight", 1))) if reviewed else 1

    def train(self, training_data: TrainingData) -> Resource:
        """Fine-tunes on every example with an intent and featurized text, then persists the model."""
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and sequence_states(m) is not None]
        examples = [m for m in examples for _ in range(self._repeats(m))]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("TransformerIntentClassifier needs examples of at least two intents; not trained.")
            return self._resource
        states = [(array, len(array)) for array in (sequence_states(m) for m in examples)]
        encoder = self._encoder()
        if states[0][0].shape[1] != encoder.hidden_size:
            raise InvalidConfigException(
                "TransformerIntentClassifier: features do not match the encoder; use the same 'model' and 'split' "
                "as TransformerFeaturizer"
            )
        training = IntentTrainingConfig(**{k: v for k, v in self._config.items() if k in _TRAINING_KEYS})
        self._model = IntentModel.train_on_states(
            encoder, states, [m.get(INTENT) for m in examples], training, progress=self._config["show_progress"]
        )
        logger.info("TransformerIntentClassifier: softmax temperature %.3f", self._model.temperature)
        training_words = {w for m in training_data.intent_examples for w in words_of(m.get(TEXT) or "")}
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(directory)
            (directory / WORDS_FILE).write_text(json.dumps(sorted(training_words)))
        self._known = self._vocabulary(training_words)
        return self._resource

    def _vocabulary(self, training_words: set[str]) -> frozenset[str]:
        """Whole words of the encoder's vocabulary plus the training examples' words."""
        vocabulary = self._model.encoder.tokenizer.get_vocab() if self._model else {}
        return frozenset(w for w in vocabulary if not w.startswith("##")) | frozenset(training_words)

    def restore(self, directory: Path) -> None:
        """Loads the trained model and the training words it persisted."""
        self._model = IntentModel.load(directory, self._encoder())
        words = directory / WORDS_FILE
        self._known = self._vocabulary(set(json.loads(words.read_text())) if words.exists() else set())

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets `intent` and a sorted `intent_ranking` on every featurized message (batched)."""
        if self._model is None:
            return messages
        todo = [(m, sequence_states(m)) for m in messages if m.get(TEXT) is not None]
        todo = [(m, s) for m, s in todo if s is not None]
        if not todo:
            return messages
        hidden, mask = pad([(s, len(s)) for _, s in todo])
        probabilities, in_scope = self._model.predict_from_bottom(hidden, mask)
        for (message, _), row, scope in zip(todo, probabilities, in_scope, strict=True):
            if only_unknown_words(message.get(TEXT), self._known):
                scope = scope * UNKNOWN_WORDS_SCALE
            self._set_prediction(message, row * scope)
        return messages

    def _set_prediction(self, message: Message, confidences: np.ndarray) -> None:
        order = np.argsort(-confidences, kind="stable")
        limit = self._config["ranking_length"] or len(order)
        ranking = [{"name": self._model.labels[i], "confidence": float(confidences[i])} for i in order[:limit]]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to training data."""
        return training_data
