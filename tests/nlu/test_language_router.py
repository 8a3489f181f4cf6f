"""The language router: only a confident, undeclared language replaces the intent."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from nlu.components.language_router import LanguageRouter


def router(tmp_path, **config):
    return LanguageRouter.create(
        {**LanguageRouter.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("router"),
        ExecutionContext(graph_schema=None),
    )


def routed(component, code: str, confidence: float) -> str:
    message = Message(
        data={
            "text": "x",
            "intent": {"name": "nlu_fallback", "confidence": 0.3},
            "language": {"code": code, "confidence": confidence},
        }
    )
    component.process([message])
    return message.get("intent")["name"]


def test_only_a_confident_undeclared_language_goes_to_a_person(tmp_path):
    english_only = router(tmp_path, declared=["en"])
    assert routed(english_only, "de", 0.92) == "other_language"
    assert routed(english_only, "de", 0.6) == "nlu_fallback"  # not sure enough
    assert routed(english_only, "en", 0.99) == "nlu_fallback"
    assert routed(english_only, "und", 0.99) == "nlu_fallback"
    with_spanish = router(tmp_path, declared=["en", "es"])
    assert routed(with_spanish, "es", 0.95) == "nlu_fallback"
    assert routed(with_spanish, "fr", 0.95) == "other_language"


@pytest.mark.parametrize("config", [{"declared": []}, {"declared": "en"}, {"min_confidence": 0}])
def test_bad_config_fails_at_training_time(tmp_path, config):
    with pytest.raises(InvalidConfigException):
        router(tmp_path, **config)
