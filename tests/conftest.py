"""Shared fixtures: Rasa SDK trackers and dispatchers for action tests, and migrated store databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from actions import settings
from core.settings import PROJECT_ROOT
from store.db import Database
from store.migrate import upgrade

pytest_plugins = ["tests.stack_fixtures"]


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
    """Builds a tracker whose latest message has the given text, intent, entities, slots and detected language."""

    def make(
        text: str = "",
        intent: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        slots: dict[str, Any] | None = None,
        events: list[dict[str, Any]] | None = None,
        sender_id: str = "test-user",
        metadata: dict[str, Any] | None = None,
        input_channel: str = "rest",
        language: dict[str, Any] | None = None,
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0} if intent else {},
            "entities": entities or [],
            "metadata": metadata or {},
            **({"language": language} if language else {}),
        }
        return Tracker.from_dict(
            {
                "sender_id": sender_id,
                "slots": {"personalisation": True, **(slots or {})},
                "latest_message": latest,
                "events": events
                or [{"event": "user", "text": text, "parse_data": latest, "input_channel": input_channel}],
                "paused": False,
                "followup_action": None,
                "active_loop": {},
                "latest_action_name": "action_listen",
            }
        )

    return make


def plain_variations(response: str) -> set[str]:
    """Every unconditioned text variation of a domain response: what Rasa may pick for a calm customer.

    Rasa chooses among a response's variations at random, so an exact assertion names the whole set.
    """
    return {v["text"] for v in domain_responses().get(response, []) if not v.get("condition") and v.get("text")}


def domain_responses() -> dict[str, list[dict[str, Any]]]:
    """The responses of the bot's own domain files, merged as Rasa merges the folder."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        responses.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})
    return responses


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    """Every text the action sent (responses by name are reported as their name)."""
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


def said(dispatcher: CollectingDispatcher) -> list[str]:
    """Every text the action sent, as an English-speaking customer reads it (see `rendered`)."""
    return [rendered(message) for message in dispatcher.messages]


def rendered(message: dict[str, Any]) -> str:
    """A dispatched message's text: a response by name is rendered with its default (unconditioned) variation and
    the variables the action passed, as Rasa's generator does for a customer whose `language` slot is `en`."""
    import string

    if message.get("text") or not message.get("response"):
        return message.get("text")
    [default] = [v for v in domain_responses()[message["response"]] if not v.get("condition")][:1]
    fields = {name for _, name, _, _ in string.Formatter().parse(default["text"]) if name}
    return default["text"].format(**{name: message.get(name, "") for name in fields})


def turn_events(sender, text, intent="greet", reply="Hi!", items=None, metadata=None, channel="rest"):
    """The events Rasa publishes for one turn, as the tracker store streams them."""
    return [
        {
            "sender_id": sender,
            "event": "user",
            "timestamp": 1_700_000_000.5,
            "text": text,
            "parse_data": {
                "intent": {"name": intent, "confidence": 0.97},
                "entities": [],
                "sentiment": {"label": "neutral", "score": 0.7},
            },
            "input_channel": channel,
            "message_id": "abc123",
            "metadata": metadata or {},
        },
        {"sender_id": sender, "event": "action", "name": "action_validate_slot_mappings"},
        {"sender_id": sender, "event": "slot", "name": "sentiment", "value": "neutral"},
        {"sender_id": sender, "event": "action", "name": "utter_greet"},
        {"sender_id": sender, "event": "bot", "text": reply, "data": {}, "metadata": {"parley_items": items or []}},
        {"sender_id": sender, "event": "action", "name": "action_listen"},
    ]


POSTGRES_URL = os.environ.get("PARLEY_TEST_POSTGRES_URL")


@contextmanager
def scratch_postgres(prefix: str = "parley_test", extra: tuple[str, ...] = ()) -> Iterator[str]:
    """A new, empty database on the test server (its URL), dropped afterwards with any `<name><suffix>` in `extra`."""
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true" or os.environ.get("PARLEY_REQUIRE_POSTGRES"):
            pytest.fail("PARLEY_TEST_POSTGRES_URL is not set: run the tests with `make test`, which starts PostgreSQL")
        pytest.skip("no PostgreSQL server (make test starts one; or set PARLEY_TEST_POSTGRES_URL)")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            for database in (name, *(name + suffix for suffix in extra)):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def _postgres_database() -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database on the test server, dropped afterwards."""
    with scratch_postgres() as url:
        database = Database(url)
        try:
            upgrade(database.url)
            yield database
        finally:
            database.dispose()


@pytest.fixture
def sqlite_database(tmp_path) -> Iterator[Database]:
    """A fresh, migrated SQLite database in a temp folder."""
    database = Database(f"sqlite:///{tmp_path / 'parley.db'}")
    upgrade(database.url)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[Database]:
    """The same test against a fresh, migrated SQLite database and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'parley.db'}")
        upgrade(database.url)
        yield database
        database.dispose()
    else:
        yield from _postgres_database()
