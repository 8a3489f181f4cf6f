"""Repositories behind the review console, on SQLite and PostgreSQL."""

from datetime import datetime, timedelta, timezone

import pytest

from core.identity import Identity
from recommender.catalog import Item
from store import analytics
from store.catalog_sync import sync_catalog
from store.conversations import InboxFilter, decode_cursor, inbox, transcript
from store.feedback import record_feedback
from store.interactions import record_action, record_bot_reply, record_pause, record_user_turn
from store.managers import AccountError, authenticate, close_session, create_manager, find_session, open_session
from store.reviews import (
    ReviewError,
    corrected_examples,
    mark_reviewed,
    queue_reply,
    relabel,
    set_flag,
    set_tags,
    take_pending_replies,
)
from store.users import find_user

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc).timestamp()


def say(session, conversation, text, intent="greet", confidence=0.9, sentiment="neutral", at=0.0, channel="rest"):
    who = Identity(channel, conversation, surface="dm")
    parse = {"intent": {"name": intent, "confidence": confidence}, "sentiment": {"label": sentiment, "score": 0.8}}
    return record_user_turn(session, conversation, who, text, parse, timestamp=T0 + at)


def test_inbox_rows_are_kept_current_and_filterable(database):
    with database.session() as session:
        say(session, "calm", "hi there", at=1)
        say(session, "angry", "this is awful", intent="complaint", sentiment="negative", at=2)
        record_action(session, "angry", "action_handoff")
        record_pause(session, "angry", True)
        say(session, "lost", "asdf qwer", intent="nlu_fallback", confidence=0.2, at=3, channel="telegram_ptb")
        set_flag(session, "lost", True)
    with database.session() as session:
        assert [c.id for c in inbox(session, InboxFilter()).conversations] == ["lost", "angry", "calm"]
        angry = inbox(session, InboxFilter(sentiment="negative")).conversations
        assert [c.id for c in angry] == ["angry"] and angry[0].paused and angry[0].needs_human
        assert [c.id for c in inbox(session, InboxFilter(fallback=True)).conversations] == ["lost"]
        assert [c.id for c in inbox(session, InboxFilter(max_confidence=0.5)).conversations] == ["lost"]
        assert [c.id for c in inbox(session, InboxFilter(channel="telegram_ptb")).conversations] == ["lost"]
        assert [c.id for c in inbox(session, InboxFilter(intent="complaint")).conversations] == ["angry"]
        assert [c.id for c in inbox(session, InboxFilter(search="AWFUL")).conversations] == ["angry"]
        assert [c.id for c in inbox(session, InboxFilter(search="100%")).conversations] == []
        assert [c.id for c in inbox(session, InboxFilter(search="ANGR")).conversations] == ["angry"]  # by id
        assert [c.id for c in inbox(session, InboxFilter(handoff="paused")).conversations] == ["angry"]
        assert [c.id for c in inbox(session, InboxFilter(flagged=True)).conversations] == ["lost"]
        since = datetime.fromtimestamp(T0 + 2, timezone.utc)
        assert [c.id for c in inbox(session, InboxFilter(since=since)).conversations] == ["lost", "angry"]
        mark_reviewed(session, "calm", "m@x.com")
        assert [c.id for c in inbox(session, InboxFilter(reviewed=True)).conversations] == ["calm"]
        assert len(inbox(session, InboxFilter(reviewed=False)).conversations) == 2


def test_keyset_pagination_walks_every_conversation_once(database):
    with database.session() as session:
        for i in range(23):
            say(session, f"c{i:02d}", "hello", at=i // 2)  # pairs share a timestamp: the id breaks ties
    seen, cursor = [], None
    with database.session() as session:
        while True:
            page = inbox(session, InboxFilter(), cursor=cursor, limit=5)
            seen += [c.id for c in page.conversations]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert len(seen) == 23 and len(set(seen)) == 23
    assert decode_cursor("garbage") is None


def test_transcript_applies_corrections_and_shows_clicks(database):
    with database.session() as session:
        sync_catalog(session, [Item(id="t1", type="product", title="T", description="d")])
        turn = say(session, "c", "I want a tent", intent="greet")
        other = say(session, "d", "the tent is fine I guess", intent="praise", sentiment="positive")
        relabel(session, other.id, "sentiment", "neutral", "n@x.com")
        record_bot_reply(session, "c", "Here you go", ["t1"])
        user = find_user(session, "rest", "c")
        record_feedback(session, user, "t1", "click")
        relabel(session, turn.id, "intent", "request_recommendation", "m@x.com")
        relabel(session, turn.id, "sentiment", "positive", "m@x.com")
        with pytest.raises(ReviewError):
            relabel(session, turn.id, "sentiment", "furious", "m@x.com")
        with pytest.raises(ReviewError):
            relabel(session, 999999, "intent", "greet", "m@x.com")
    with database.session() as session:
        [row] = transcript(session, "c")
        assert (row.intent, row.sentiment, row.clicked) == ("request_recommendation", "positive", ["t1"])
        assert row.interaction.intent == "greet"  # the model's reading is kept
        both, sentiment_only = corrected_examples(session)
        assert (both.text, both.intent, both.sentiment, both.predicted_intent, both.manager) == (
            "I want a tent",
            "request_recommendation",
            "positive",
            "greet",
            "m@x.com",
        )
        assert (sentiment_only.intent, sentiment_only.sentiment, sentiment_only.predicted_intent) == (
            None,
            "neutral",
            "praise",
        )
        assert sentiment_only.manager == "n@x.com"


def test_tags_flags_and_outbox(database):
    with database.session() as session:
        say(session, "c", "hi")
        assert set_tags(session, "c", [" VIP ", "vip", "refund", ""]) == ["vip", "refund"]
        queue_reply(session, "c", "Hi, Sam from Kestrel here", "sam@kestrel.example")
        with pytest.raises(ReviewError):
            set_flag(session, "nope", True)
    with database.session() as session:
        assert [m.text for m in take_pending_replies(session, "c")] == ["Hi, Sam from Kestrel here"]
        assert take_pending_replies(session, "c") == []


def test_managers_and_sessions(database):
    with database.session() as session:
        with pytest.raises(AccountError):
            create_manager(session, "sam@kestrel.example", "short")
        manager = create_manager(session, "Sam@Kestrel.example", "correct horse battery")
        assert manager.password_hash.startswith("$argon2")
        assert authenticate(session, "sam@kestrel.example", "wrong password!!") is None
        assert authenticate(session, "nobody@kestrel.example", "correct horse battery") is None
        assert authenticate(session, "SAM@kestrel.example", "correct horse battery").id == manager.id
        token, row = open_session(session, manager)
        assert row.id != token and len(row.csrf_token) > 20
    with database.session() as session:
        found, who = find_session(session, token)
        assert who.email == "sam@kestrel.example"
        found.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    with database.session() as session:
        assert find_session(session, token) is None
        token2, _ = open_session(session, create_manager(session, "sam@kestrel.example", "another long password"))
        close_session(session, token2)
        assert find_session(session, token2) is None


def test_analytics_rows(database):
    with database.session() as session:
        sync_catalog(session, [Item(id="t1", type="product", title="T", description="d")])
        now = datetime.now(timezone.utc).timestamp()
        for i, (intent, sentiment) in enumerate(
            [("greet", "positive"), ("nlu_fallback", "neutral"), ("complaint", "negative")]
        ):
            record_user_turn(
                session,
                f"a{i}",
                Identity("rest", f"a{i}"),
                "x",
                {
                    "intent": {"name": intent, "confidence": 0.5},
                    "sentiment": {"label": sentiment},
                    "language": {"code": "es" if i == 1 else "und", "confidence": 0.9},
                },
                timestamp=now,
            )
        record_action(session, "a0", "action_recommend_content")
        record_bot_reply(session, "a0", "picks", ["t1"])
        record_feedback(session, find_user(session, "rest", "a0"), "t1", "click")
        record_action(session, "a2", "action_handoff")
    with database.session() as session:
        [today] = analytics.messages_per_day(session)
        assert (today["messages"], today["fallbacks"]) == (3, 1)
        [mood] = analytics.sentiment_per_day(session)
        assert (mood["negative"], mood["neutral"], mood["positive"]) == (1, 1, 1)
        assert {r["intent"] for r in analytics.top_intents(session)} == {"greet", "nlu_fallback", "complaint"}
        assert analytics.handoffs(session)[0]["conversations"] == 1
        assert analytics.recommendation_clicks(session)[0]["click_rate"] == 1.0
        assert analytics.segments(session)[-1]["customers"] == 3
        assert analytics.languages(session) == [
            {"language": "undetermined", "messages": 2},
            {"language": "es", "messages": 1},
        ]
        from store.conversations import InboxFilter, inbox, languages_seen

        assert languages_seen(session) == ["es"]
        assert [c.id for c in inbox(session, InboxFilter(language="es")).conversations] == ["a1"]


def test_the_queue_counts_what_waits_for_a_person(database):
    from store.conversations import waiting_for_a_person
    from store.events import StoreEventWriter
    from store.interactions import record_pause
    from tests.conftest import turn_events

    writer = StoreEventWriter(database)
    for sender in ("q1", "q2", "q3"):
        writer.write_turn(turn_events(sender, "hello"))
    with database.session() as session:
        assert waiting_for_a_person(session).count == 0
        record_pause(session, "q1", paused=True)
        record_pause(session, "q2", paused=True)
    with database.session() as session:
        waiting = waiting_for_a_person(session)
        assert waiting.count == 2 and waiting.oldest is not None
        record_pause(session, "q1", paused=False)  # handed back
    with database.session() as session:
        assert waiting_for_a_person(session).count == 1
