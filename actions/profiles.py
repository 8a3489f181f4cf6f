"""The bridge between a conversation and the store: who is talking, and what the recommender may know about them.

Actions call these inside one store session. Public conversations (comments) never use the profile, so a reply
seen by others cannot reveal what someone clicked or asked before.
"""

from __future__ import annotations

import logging
from collections import Counter

from rasa_sdk import Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity import Identity, identity_from
from recommender.engine import UserContext
from recommender.segments import nearest_segment
from store.feedback import POSITIVE_KINDS, user_feedback
from store.schema import Feedback, Segment, User
from store.users import interest_weights, upsert_user

logger = logging.getLogger(__name__)

HISTORY_WEIGHTS = {"click": 1.0, "like": 2.0}


def identity_of(tracker: Tracker) -> Identity:
    """The identity behind the tracker's latest message (same rules as the event broker)."""
    metadata = tracker.latest_message.get("metadata") if tracker.latest_message else None
    return identity_from(tracker.sender_id, tracker.get_latest_input_channel(), metadata)


def current_user(session: Session, tracker: Tracker) -> tuple[User, Identity]:
    """The store's user for this conversation (created on first sight) and their identity."""
    identity = identity_of(tracker)
    return upsert_user(session, identity), identity


def segment_popularity(session: Session, segment_id: int) -> dict[str, float]:
    """Item id -> positive reactions from the segment's members."""
    rows = session.execute(
        select(Feedback.item_id)
        .join(User, User.id == Feedback.user_id)
        .where(User.segment_id == segment_id, Feedback.kind.in_(POSITIVE_KINDS))
    )
    return dict(Counter(item_id for (item_id,) in rows))


def user_context(session: Session, user: User, public: bool = False) -> UserContext:
    """What the recommender may use for this user: everything if they consented and the reply is private."""
    events = user_feedback(session, user.id)
    dismissed = frozenset(e.item_id for e in events if e.kind == "dismiss")
    if public or not user.consent_personalisation:
        return UserContext(personalised=False, dismissed=dismissed)
    history: dict[str, float] = {}
    for event in events:
        if event.kind in HISTORY_WEIGHTS:
            history[event.item_id] = history.get(event.item_id, 0.0) + HISTORY_WEIGHTS[event.kind]
    for item_id in dismissed:
        history.pop(item_id, None)
    interests = interest_weights(session, user.id)
    segment = user.segment
    if segment is None:
        segments = list(session.execute(select(Segment)).scalars())
        segment = nearest_segment(segments, interests)
    return UserContext(
        personalised=True,
        interests=interests,
        history=history,
        dismissed=dismissed,
        segment_name=segment.name if segment else None,
        segment_popularity=segment_popularity(session, segment.id) if segment else {},
    )


def note_interest(tracker: Tracker, topic: str, source: str = "said") -> None:
    """Best effort: records that the customer showed interest in `topic`; a store failure is logged, not raised."""
    from actions.settings import get_database
    from store.users import add_interest

    try:
        with get_database().session() as session:
            user, _ = current_user(session, tracker)
            add_interest(session, user, topic, source)
    except Exception:
        logger.exception("Could not note interest %r for %s", topic, tracker.sender_id)
