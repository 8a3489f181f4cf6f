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


def test_a_poisoned_event_is_set_aside_and_never_blocks_the_next(database, tmp_path):
    """A data error (here a timestamp that is not one) goes to the dead-letter file; the good turn is written."""
    from core.events import drain
    from core.spool import Spool

    spool, dead = Spool(tmp_path / "spool.jsonl"), Spool(tmp_path / "dead.jsonl")
    [poisoned, *_] = turn_events("c7", "first")
    poisoned["timestamp"] = "not a time"
    spool.append(poisoned)
    for event in turn_events("c7", "second"):
        spool.append(event)
    assert drain(spool, StoreEventWriter(database), dead) == 7
    with database.session() as session:
        assert [t.text for t in conversation_turns(session, "c7")] == ["second"]
    [letter] = dead.read()
    assert {k: v for k, v in letter["event"].items() if k != "parley_event_id"} == poisoned
    assert letter["error"].startswith("TypeError: ")
    assert not spool.exists()


def test_nul_bytes_and_overlong_ids_are_logged_not_lost(database, tmp_path):
    """PostgreSQL refuses NUL in text and ids past 255 characters; the log keeps the turn all the same."""
    writer = StoreEventWriter(database)
    long_sender = "s" * 300
    for event in turn_events(long_sender, "a nul \x00 byte", reply="Hi\x00!"):
        writer.write(event)
    with database.session() as session:
        [turn] = conversation_turns(session, long_sender[:255])
        assert (turn.text, turn.reply) == ("a nul \ufffd byte", "Hi\ufffd!")


def test_a_replay_after_a_crash_mid_drain_writes_each_event_once(database, tmp_path):
    """The process dies after the 4th spooled event was committed: the replay skips what is already in the log."""
    from sqlalchemy import func

    from core.events import drain
    from core.spool import Spool
    from store.schema import Interaction

    spool = Spool(tmp_path / "spool.jsonl")
    for event in [*turn_events("c9", "first"), *turn_events("c9", "second")]:
        spool.append(event)
    writer = StoreEventWriter(database)

    class CrashAfterFourth:
        written = 0

        def write(self, event):
            writer.write(event)
            self.written += 1
            if self.written == 4:
                raise SystemExit("killed")  # not an Exception: nothing is given back, as in a real crash

    try:
        drain(spool, CrashAfterFourth())
    except SystemExit:
        pass
    assert drain(spool, writer) == 12  # everything is still there to replay
    with database.session() as session:
        turns = conversation_turns(session, "c9")
        assert [(t.text, t.action, t.reply) for t in turns] == [
            ("first", "utter_greet", "Hi!"),
            ("second", "utter_greet", "Hi!"),
        ]
        assert session.execute(select(func.count()).select_from(Interaction)).scalar_one() == 2


def test_turns_written_out_of_order_keep_their_own_replies_and_order(database):
    """Two replicas' writers can reach the database in either order; each reply stays on its own message.

    Before: events were written one by one onto the latest row, so the first turn's reply, arriving after the
    second turn's message, was appended to the second turn.
    """
    writer = StoreEventWriter(database)
    first = turn_events("c9", "first", reply="Reply to first")
    second = turn_events("c9", "second", reply="Reply to second")
    first[0]["timestamp"], second[0]["timestamp"] = 1_700_000_001.0, 1_700_000_002.0
    writer.write_turn(second)
    writer.write_turn(first)
    with database.session() as session:
        turns = conversation_turns(session, "c9")
    assert [(t.text, t.reply) for t in turns] == [("first", "Reply to first"), ("second", "Reply to second")]
