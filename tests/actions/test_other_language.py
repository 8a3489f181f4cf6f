"""A message in an undeclared language: an English acknowledgement naming the language and when a person answers."""

from __future__ import annotations

from rasa_sdk.events import ConversationPaused

from actions.languages import ActionOtherLanguage
from tests.actions.test_handoff_privacy import at_denver


async def run(make_tracker, dispatcher, domain, code: str):
    tracker = make_tracker("Wo ist meine Bestellung?", intent="other_language")
    tracker.latest_message["language"] = {"code": code, "confidence": 0.92}
    return await ActionOtherLanguage().run(dispatcher, tracker, domain)


async def test_in_opening_hours(make_tracker, dispatcher, domain, monkeypatch):
    at_denver(monkeypatch, 2026, 12, 2, 11, 0)
    events = await run(make_tracker, dispatcher, domain, "de")
    [message] = dispatcher.messages
    assert (message["response"], message["language"], message["when"]) == (
        "utter_other_language",
        "German",
        "usually within a few minutes",
    )
    assert events == [ConversationPaused()]


async def test_at_night(make_tracker, dispatcher, domain, monkeypatch):
    at_denver(monkeypatch, 2026, 12, 3, 3, 0)
    await run(make_tracker, dispatcher, domain, "pt")
    [message] = dispatcher.messages
    assert (message["language"], message["when"]) == (
        "Portuguese",
        "when the team is back at 8am Mountain Time, in about 5 hours",
    )
