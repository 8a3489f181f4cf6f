"""Shared fixtures: the catalog, and Rasa SDK trackers and dispatchers for action tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import settings


@pytest.fixture(autouse=True)
def _fresh_action_settings():
    """Every test reads brand files afresh, so a test that points elsewhere cannot leak into the next."""
    settings.reset_caches()
    yield
    settings.reset_caches()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def domain() -> dict[str, Any]:
    return {}


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    """Builds a tracker whose latest message has the given text, intent, entities and slots."""

    def make(
        text: str = "",
        intent: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        slots: dict[str, Any] | None = None,
        events: list[dict[str, Any]] | None = None,
        sender_id: str = "test-user",
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0} if intent else {},
            "entities": entities or [],
        }
        return Tracker.from_dict(
            {
                "sender_id": sender_id,
                "slots": {"personalisation": True, **(slots or {})},
                "latest_message": latest,
                "events": events or [{"event": "user", "text": text, "parse_data": latest}],
                "paused": False,
                "followup_action": None,
                "active_loop": {},
                "latest_action_name": "action_listen",
            }
        )

    return make


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    """Every text the action sent (responses by name are reported as their name)."""
    return [m.get("text") or m.get("response") for m in dispatcher.messages]
