"""What the recommender may know about a person, read from the store: interests, history, dismissals, segment.

Shared by the action server (replies) and the broadcast job (each recipient's picks). Public conversations and
people who opted out of personalisation get only their dismissals: nothing they clicked or asked before.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.engine import UserContext
from recommender.segments import nearest_segment
from store.feedback import POSITIVE_KINDS, user_feedback
from store.schema import Feedback, Segment, User
from store.users import interest_weights

HISTORY_WEIGHTS = {"click": 1.0, "like": 2.0}


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
