import asyncio

from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import select

from bot.broker import EventWriter, StoreEventBroker
from store import spool
from store.db import Database
from store.interactions import conversation_turns
from store.migrate import is_current
from store.schema import Interaction, User


def turn_events(sender, text, intent="greet", reply="Hi!", items=None, metadata=None):
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
            "input_channel": "rest",
            "message_id": "abc123",
            "metadata": metadata or {},
        },
        {"sender_id": sender, "event": "action", "name": "action_validate_slot_mappings"},
        {"sender_id": sender, "event": "slot", "name": "sentiment", "value": "neutral"},
        {"sender_id": sender, "event": "action", "name": "utter_greet"},
        {"sender_id": sender, "event": "bot", "text": reply, "data": {}, "metadata": {"parley_items": items or []}},
        {"sender_id": sender, "event": "action", "name": "action_listen"},
    ]


def test_writer_turns_events_into_one_row_per_user_turn(database):
    writer = EventWriter(database)
    session_start = [
        {"sender_id": "c1", "event": "action", "name": "action_session_start"},
        {"sender_id": "c1", "event": "session_started"},
        {"sender_id": "c1", "event": "action", "name": "action_listen"},
    ]
    for event in [*session_start, *turn_events("c1", "hello"), *turn_events("c1", "tents?", "x", "Picks", ["t1"])]:
        writer.write(event)
    with database.session() as session:
        first, second = conversation_turns(session, "c1")
        assert (first.text, first.intent, first.action, first.reply) == ("hello", "greet", "utter_greet", "Hi!")
        assert (first.sentiment, first.channel, first.surface, first.message_id) == ("neutral", "rest", "dm", "abc123")
        assert second.items_shown == ["t1"]
        assert session.execute(select(User.external_id)).scalars().all() == ["c1"]


def test_public_comment_metadata_is_kept(database):
    writer = EventWriter(database)
    for event in turn_events("tg-comment-1", "nice!", metadata={"surface": "comment", "user_id": "42"}):
        writer.write(event)
    with database.session() as session:
        [turn] = conversation_turns(session, "tg-comment-1")
        user = session.get(User, turn.user_id)
        assert (turn.surface, user.external_id) == ("comment", "42")


def test_broker_spools_while_the_database_is_down_and_catches_up_in_order(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_SPOOL", str(tmp_path / "spool.jsonl"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    broker = asyncio.run(StoreEventBroker.from_endpoint_config(EndpointConfig(url=url)))
    assert is_current(url)
    working = broker.writer.database
    broker.writer.database = Database("postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    for event in turn_events("c2", "first"):
        broker.publish(event)  # never raises
    assert len(list(spool.read())) == 6
    broker.writer.database = working
    for event in turn_events("c2", "second"):
        broker.publish(event)
    assert not spool.spool_path().exists()
    with working.session() as session:
        assert [t.text for t in conversation_turns(session, "c2")] == ["first", "second"]
        assert session.execute(select(Interaction.reply)).scalars().all() == ["Hi!", "Hi!"]


def test_replay_command_loads_a_spool(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_SPOOL", str(tmp_path / "spool.jsonl"))
    for event in turn_events("c3", "while down"):
        spool.append(event)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    from store.__main__ import main
    from store.migrate import upgrade

    upgrade(url)
    assert main(["--url", url, "replay"]) == 0
    with Database(url).session() as session:
        assert [t.text for t in conversation_turns(session, "c3")] == ["while down"]
    assert not spool.spool_path().exists()
