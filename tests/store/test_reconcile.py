"""Turns lost from the log by a killed Rasa server come back from Rasa's SQL tracker store, once each."""

from __future__ import annotations

import asyncio
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from sqlalchemy import create_engine

from store.events import StoreEventWriter
from store.interactions import conversation_turns
from store.reconcile import reconcile


def rasa_turn(text: str, reply: str, at: float) -> list:
    return [
        UserUttered(text, {"name": "greet", "confidence": 0.9}, message_id=f"m-{text}", timestamp=at),
        ActionExecuted("utter_greet", timestamp=at),
        BotUttered(reply, timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def test_a_turn_the_log_lost_is_rebuilt_once(database, tmp_path):
    tracker_db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tracker_db))
    tracker = asyncio.run(store.get_or_create_tracker("c1"))
    old = time.time() - 600
    for event in [*rasa_turn("first", "Hi!", old), *rasa_turn("second", "Hello again", old + 1)]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    # the log got the first turn; the writer was killed before the second
    first = [{"sender_id": "c1", **e.as_dict()} for e in rasa_turn("first", "Hi!", old)]
    StoreEventWriter(database).write_turn(first)

    engine = create_engine(f"sqlite:///{tracker_db}", future=True)
    assert reconcile(engine, database) == 1
    assert reconcile(engine, database) == 0  # idempotent
    with database.session() as session:
        turns = conversation_turns(session, "c1")
    assert [(t.text, t.reply) for t in turns] == [("first", "Hi!"), ("second", "Hello again")]


def test_young_turns_are_left_to_the_running_writer(database, tmp_path):
    tracker_db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tracker_db))
    tracker = asyncio.run(store.get_or_create_tracker("c2"))
    for event in rasa_turn("just now", "Hi!", time.time()):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert reconcile(create_engine(f"sqlite:///{tracker_db}", future=True), database, older_than_s=60) == 0
