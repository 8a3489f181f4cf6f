"""The impression and exposure log: written from a reply's metadata, read back as the click log and arm counts."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from store.events import StoreEventWriter
from store.feedback import record_feedback
from store.impressions import arm_counts, impression_log
from store.interactions import conversation_turns
from store.schema import CatalogItem, Conversation, Exposure, Feedback, Impression, User
from store.users import erase_user
from tests.conftest import turn_events


def _turn(writer, sender, text="tents?", shown=(), arms=None, sentiment="neutral"):
    """Writes one turn now, whose reply showed `shown` (item ids, in order) under `arms`."""
    events = turn_events(sender, text, "recommend", "Picks", list(shown))
    events[0]["timestamp"] = time.time()
    events[0]["parse_data"]["sentiment"]["label"] = sentiment
    metadata = events[4]["metadata"]
    metadata["parley_impressions"] = [
        {"item": item, "position": p, "features": [0.1 * p, 1.0], "ranker": "clicks"} for p, item in enumerate(shown, 1)
    ]
    if arms:
        metadata["parley_experiments"] = arms
    writer.write_turn(events)


def _click(database, sender, item, later=timedelta(0)):
    with database.session() as session:
        if session.get(CatalogItem, item) is None:
            session.add(CatalogItem(id=item, type="product", title=item, description=item))
            session.flush()
        user = session.execute(select(User).where(User.external_id == sender)).scalar_one()
        row = record_feedback(session, user, item, "click")
        row.created_at = row.created_at + later


def test_a_reply_logs_what_it_showed_where_and_under_which_arm(database):
    writer = StoreEventWriter(database)
    _turn(writer, "c1", shown=["a", "b", "c"], arms={"ranker-test": "clicks"})
    _click(database, "c1", "b")
    _click(database, "c1", "c", later=timedelta(days=2))  # too late to count as this reply's click
    with database.session() as session:
        [turn] = conversation_turns(session, "c1")
        assert turn.items_shown == ["a", "b", "c"]
        log = impression_log(session)
        assert [(i.position, i.clicked, i.ranker) for i in log] == [
            (1, False, "clicks"),
            (2, True, "clicks"),
            (3, False, "clicks"),
        ]
        assert log[1].features == [0.2, 1.0]
        [exposure] = session.execute(select(Exposure)).scalars()
        assert (exposure.experiment, exposure.arm, exposure.interaction_id) == ("ranker-test", "clicks", turn.id)


def test_a_malformed_impression_is_skipped_and_its_turn_still_logged(database):
    writer = StoreEventWriter(database)
    events = turn_events("c2", "hi", items=["a"])
    events[4]["metadata"]["parley_impressions"] = [
        {"item": "a", "position": 0, "features": [1.0]},
        {"item": "b", "position": 2, "features": ["NaN"]},
        {"item": "c", "position": 3, "features": [float("inf")]},
        {"item": "d", "position": 1, "features": [1.0]},
    ]
    events[4]["metadata"]["parley_experiments"] = {"x" * 65: "arm", "ok": "control"}
    writer.write_turn(events)
    with database.session() as session:
        [turn] = conversation_turns(session, "c2")
        assert turn.text == "hi"
        assert session.execute(select(Impression.item_id)).scalars().all() == ["d"]
        assert session.execute(select(Exposure.experiment)).scalars().all() == ["ok"]


def test_arm_counts_are_per_person_and_per_metric(database):
    writer = StoreEventWriter(database)
    _turn(writer, "p1", shown=["a"], arms={"exp": "control"})
    _turn(writer, "p1", shown=["b"], arms={"exp": "control"})  # a second reply: still one person
    _turn(writer, "p1", text="thanks", sentiment="positive")
    _turn(writer, "p2", shown=["a"], arms={"exp": "control"})
    _turn(writer, "p2", text="useless", sentiment="negative")
    _turn(writer, "p3", shown=["a"], arms={"exp": "clicks"})
    _turn(writer, "p4", shown=["a"], arms={"other": "x"})
    _click(database, "p1", "b")
    _click(database, "p3", "a")
    with database.session() as session:
        session.get(Conversation, "p2").needs_human = True
    with database.session() as session:
        assert arm_counts(session, "exp", "click_through") == {"control": (2, 1), "clicks": (1, 1)}
        assert arm_counts(session, "exp", "handoff_rate") == {"control": (2, 1), "clicks": (1, 0)}
        assert arm_counts(session, "exp", "resolved_without_person") == {"control": (2, 1), "clicks": (1, 1)}
        assert arm_counts(session, "exp", "next_turn_sentiment") == {"control": (2, 1), "clicks": (1, 0)}
        assert arm_counts(session, "nobody", "click_through") == {}


def test_erasing_a_person_erases_their_impressions_and_exposures(database):
    writer = StoreEventWriter(database)
    _turn(writer, "gone", shown=["a", "b"], arms={"exp": "control"})
    _turn(writer, "kept", shown=["a"], arms={"exp": "control"})
    with database.session() as session:
        erase_user(session, session.execute(select(User).where(User.external_id == "gone")).scalar_one())
    with database.session() as session:
        assert session.execute(select(func.count()).select_from(Impression)).scalar() == 1
        assert session.execute(select(func.count()).select_from(Exposure)).scalar() == 1
        assert session.execute(select(func.count()).select_from(Feedback)).scalar() == 0
