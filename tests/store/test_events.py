"""The store's EventWriter: Rasa events (as the broker receives them) become interaction-log rows."""

from sqlalchemy import select

from store.events import StoreEventWriter
from store.interactions import conversation_turns
from store.schema import User
from tests.conftest import turn_events


def test_writer_turns_events_into_one_row_per_user_turn(database):
    writer = StoreEventWriter(database)
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
    writer = StoreEventWriter(database)
    for event in turn_events(
        "tg-comment-1", "nice!", metadata={"surface": "comment", "user_id": "42"}, channel="telegram_ptb"
    ):
        writer.write(event)
    with database.session() as session:
        [turn] = conversation_turns(session, "tg-comment-1")
        user = session.get(User, turn.user_id)
        assert (turn.surface, user.external_id) == ("comment", "42")
