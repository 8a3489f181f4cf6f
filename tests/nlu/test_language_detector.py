"""The language detector component: what it writes on messages, its round trip through a model, its config."""

from __future__ import annotations

import re

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from nlu.components.language_detector import MessageLanguageDetector

MESSAGES = {
    "hola, tienen tiendas de campaña para dos personas?": "es",
    "¿Dónde está mi pedido?": "es",
    "bonjour, où est ma commande ?": "fr",
    "Wo ist meine Bestellung?": "de",
    "do you sell tents for two people?": "en",
    "hi": "und",  # too short to say
    "KO-123456": "und",
    "🙂": "und",
}


def build(tmp_path, how, **config):
    return how(
        {**MessageLanguageDetector.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("language"),
        ExecutionContext(graph_schema=None),
    )


def codes(component) -> dict[str, str]:
    messages = [Message(data={"text": text}) for text in MESSAGES]
    component.process(messages)
    return {m.get("text"): m.get("language")["code"] for m in messages}


def test_each_message_gets_its_language_and_a_trained_model_gives_the_same(tmp_path):
    created = build(tmp_path, MessageLanguageDetector.create)
    assert codes(created) == MESSAGES
    loaded = build(tmp_path, MessageLanguageDetector.load)  # nothing persisted: it needs no training
    assert codes(loaded) == MESSAGES
    message = Message(data={"text": "¿Dónde está mi pedido?"})
    created.process([message])
    assert 0.5 <= message.get("language")["confidence"] <= 1
    assert "language" in message.as_dict(only_output_properties=True)  # Rasa passes it into the parse data


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"candidates": ["en", "xx"]}, "unknown: ['xx']"),
        ({"candidates": ["en"]}, "two or more"),
        ({"min_confidence": 1.5}, "min_confidence must be in [0, 1)"),
    ],
)
def test_bad_config_fails_at_training_time(tmp_path, config, message):
    with pytest.raises(InvalidConfigException, match=re.escape(message)):
        build(tmp_path, MessageLanguageDetector.create, **config)
