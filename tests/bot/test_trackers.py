"""The erasing tracker store over Rasa's SQL (SQLite) and in-memory stores: delegation and erasure."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.trackers import ParleyTrackerStore, erasure_in_last_turn
from core.events import ERASURE_KEY

DOMAIN = Domain.from_dict({"slots": {"personalisation": {"type": "bool", "mappings": [{"type": "custom"}]}}})


@pytest.fixture(params=["sql", "memory"])
def store(request, tmp_path) -> ParleyTrackerStore:
    if request.param == "sql":
        return ParleyTrackerStore(DOMAIN, store="SQL", dialect="sqlite", db=str(tmp_path / "tracker.db"))
    return ParleyTrackerStore(DOMAIN)


async def say(store: ParleyTrackerStore, sender: str, text: str, *after) -> None:
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    for event in after:
        tracker.update(event)
    await store.save(tracker)


async def test_an_erasure_deletes_every_listed_conversation_and_keeps_the_choice(store, tmp_path):
    await say(store, "tg:1", "my secret is Ozymandias")
    await say(store, "tg:comment:-100:1", "Ozymandias in public")
    await say(store, "someone-else", "hello")
    await say(
        store,
        "tg:1",
        "delete my data",
        ActionExecuted("action_delete_my_data"),
        SlotSet("personalisation", False),
        BotUttered("Done.", metadata={ERASURE_KEY: ["tg:1", "tg:comment:-100:1"]}),
    )
    assert await store.retrieve_full_tracker("tg:comment:-100:1") is None
    fresh = await store.retrieve_full_tracker("tg:1")
    assert [e for e in fresh.events if isinstance(e, (UserUttered, BotUttered))] == []
    assert fresh.get_slot("personalisation") is False
    assert (await store.retrieve("someone-else")).latest_message.text == "hello"
    if (tmp_path / "tracker.db").exists():
        assert b"Ozymandias" not in (tmp_path / "tracker.db").read_bytes()  # overwritten, not merely freed


async def test_a_bot_message_alone_erases_nothing(store):
    """Only `action_delete_my_data`'s confirmation counts: a message that merely carries the key does not."""
    await say(store, "c1", "hi", ActionExecuted("utter_greet"), BotUttered("Hi", metadata={ERASURE_KEY: ["c1"]}))
    tracker = await store.retrieve("c1")
    assert erasure_in_last_turn(tracker) is None and tracker.latest_message.text == "hi"


async def test_two_replicas_alternating_turns_see_each_others_events(tmp_path):
    """Each replica reuses the tracker it saved and applies what the other stored since: the same as a full read."""
    db = str(tmp_path / "tracker.db")
    a = ParleyTrackerStore(DOMAIN, store="SQL", dialect="sqlite", db=db)
    b = ParleyTrackerStore(DOMAIN, store="SQL", dialect="sqlite", db=db)
    for n in range(6):
        replica = a if n % 2 == 0 else b
        await say(replica, "c1", f"turn {n}", ActionExecuted("utter_greet"), BotUttered(f"reply {n}"))
    reused = await a.retrieve("c1")  # a saved turn 4; b stored turn 5 since
    fresh = await ParleyTrackerStore(DOMAIN, store="SQL", dialect="sqlite", db=db).retrieve("c1")
    assert [e.as_dict() for e in reused.events] == [e.as_dict() for e in fresh.events]
    assert [e.text for e in reused.events if isinstance(e, UserUttered)] == [f"turn {n}" for n in range(6)]


async def test_a_conversation_erased_by_another_replica_is_read_afresh(tmp_path):
    """A replica's cached copy of an erased conversation must never be used (it would write the text back)."""
    db = str(tmp_path / "tracker.db")
    a = ParleyTrackerStore(DOMAIN, store="SQL", dialect="sqlite", db=db)
    b = ParleyTrackerStore(DOMAIN, store="SQL", dialect="sqlite", db=db)
    await say(b, "c1", "my secret is Ozymandias")  # b keeps this tracker for the next turn
    await say(
        a,
        "c1",
        "delete my data",
        ActionExecuted("action_delete_my_data"),
        BotUttered("Done.", metadata={ERASURE_KEY: ["c1"]}),
    )
    await say(b, "c1", "hello again")
    texts = [e.text for e in (await a.retrieve_full_tracker("c1")).events if isinstance(e, UserUttered)]
    assert texts == ["hello again"]
