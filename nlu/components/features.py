"""How Parley's components pass the shared encoder's output to each other on Rasa messages."""

from __future__ import annotations

import numpy as np
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

# `origin` of the dense features the TransformerFeaturizer adds; consumers ask for exactly these.
FEATURE_ORIGIN = "parley_transformer"


def example_metadata(message: Message) -> dict:
    """The metadata a training example carries in the NLU data (e.g. `reviewed`, `sentiment`, `source`)."""
    metadata = message.get("metadata") or {}
    example = metadata.get("example") if isinstance(metadata, dict) else None
    return example if isinstance(example, dict) else {}


def sequence_states(message: Message) -> np.ndarray | None:
    """The encoder's per-token bottom states for the message text (tokens x hidden), if featurized."""
    sequence, _ = message.get_dense_features(TEXT, featurizers=[FEATURE_ORIGIN])
    return None if sequence is None else np.asarray(sequence.features, dtype=np.float32)


def sentence_vector(message: Message) -> np.ndarray | None:
    """The encoder's pooled sentence vector for the message text (hidden,), if featurized."""
    _, sentence = message.get_dense_features(TEXT, featurizers=[FEATURE_ORIGIN])
    return None if sentence is None else np.asarray(sentence.features, dtype=np.float32).reshape(-1)
