"""The language replies are given in: switched by a confident message in a declared language, kept otherwise."""

from __future__ import annotations

import pytest
from rasa_sdk.events import ConversationPaused

from actions.handoff import ActionHandoff
from actions.languages import reply_language
from actions.sentiment import ValidateSlotMappings
from tests.actions.test_handoff_privacy import at_denver

DOMAIN = {"slots": {"language": {"type": "categorical", "values": ["en", "es", "fr"]}}}


@pytest.mark.parametrize(
    ("current", "detected", "expected"),
    [
        ("en", {"code": "es", "confidence": 0.97}, "es"),
        ("es", {"code": "fr", "confidence": 0.8}, "fr"),
        ("es", {"code": "en", "confidence": 0.9}, "en"),
        ("es", {"code": "und", "confidence": 0.0}, None),  # "ok", "KO-123456": keep Spanish
        ("es", {"code": "es", "confidence": 0.3}, None),  # not sure enough
        ("es", {"code": "de", "confidence": 0.99}, None),  # undeclared: the router hands it to a person
        ("es", {"code": "es", "confidence": 0.99}, None),  # already Spanish: no event
        ("en", None, None),
    ],
)
def test_reply_language(make_tracker, current, detected, expected):
    tracker = make_tracker("...", slots={"language": current}, language=detected)
    assert reply_language(tracker, DOMAIN) == expected


async def test_the_slot_is_filled_on_every_turn(make_tracker, dispatcher):
    tracker = make_tracker("¿dónde está mi pedido?", slots={"language": "en"}, language={"code": "es", "confidence": 1})
    assert await ValidateSlotMappings().extract_language(dispatcher, tracker, DOMAIN) == {"language": "es"}
    kept = make_tracker("KO-123456", slots={"language": "es"}, language={"code": "und", "confidence": 0.0})
    assert await ValidateSlotMappings().extract_language(dispatcher, kept, DOMAIN) == {}


async def test_a_spanish_handoff_at_night_says_when_in_spanish(make_tracker, dispatcher, domain, monkeypatch):
    at_denver(monkeypatch, 2026, 12, 3, 3, 0)
    events = await ActionHandoff().run(dispatcher, make_tracker("una persona", slots={"language": "es"}), domain)
    [message] = dispatcher.messages
    assert (message["response"], message["back"]) == (
        "utter_handoff_closed",
        "a las 8:00 (hora Mountain Time), dentro de unas 5 horas",
    )
    assert events == [ConversationPaused()]
