"""Small, real NLU data and the real shipped encoder (MiniLM): component tests run actual inference."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.transformer_featurizer import TransformerFeaturizer

EXAMPLES = {
    "greet": ["hi", "hello there", "good morning", "hey", "hello, anyone around?", "hiya"],
    "ask_shipping": [
        "how long does shipping take",
        "do you ship to canada",
        "how much is delivery",
        "is shipping free",
        "when will my parcel arrive",
        "express delivery options",
    ],
    "complaint": [
        "my tent leaked",
        "the zipper broke",
        "terrible service",
        "the boots fell apart",
        "you sent the wrong size",
        "the package was damaged",
    ],
}


@pytest.fixture
def training_data() -> TrainingData:
    return TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(graph_schema=None)


@pytest.fixture
def featurizer(storage, context) -> TransformerFeaturizer:
    return TransformerFeaturizer.create(
        TransformerFeaturizer.get_default_config(), storage, Resource("featurizer"), context
    )


def messages(*texts: str) -> list[Message]:
    return [Message(data={"text": text}) for text in texts]
