"""Feedback on shown items (click, like, dismiss): written by actions, read by the recommender and analytics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.schema import CatalogItem, Feedback, User, aware

FEEDBACK_KINDS = ("click", "like", "dismiss")
POSITIVE_KINDS = ("click", "like")


class UnknownItem(ValueError):
    """Feedback named an item the catalog does not have (a stale button, a forged payload)."""


@dataclass(frozen=True)
class FeedbackEvent:
    """One reaction, as the recommender consumes it."""

    user_id: int
    item_id: str
    kind: str


def record_feedback(
    session: Session, user: User, item_id: str, kind: str, interaction_id: int | None = None
) -> Feedback:
    """Stores a reaction to a shown item.

    Raises:
        ValueError: `kind` is not one of `FEEDBACK_KINDS`.
        UnknownItem: the item is not in the catalog.
    """
    if kind not in FEEDBACK_KINDS:
        raise ValueError(f"unknown feedback kind {kind!r}; expected one of {FEEDBACK_KINDS}")
    if session.get(CatalogItem, item_id) is None:
        raise UnknownItem(f"no catalog item {item_id!r}")
    row = Feedback(user_id=user.id, item_id=item_id, kind=kind, interaction_id=interaction_id)
    session.add(row)
    session.flush()
    return row


def feedback_log(session: Session) -> list[FeedbackEvent]:
    """Every reaction, oldest first (the collaborative model is fitted on this)."""
    rows = session.execute(select(Feedback.user_id, Feedback.item_id, Feedback.kind).order_by(Feedback.id))
    return [FeedbackEvent(user_id, item_id, kind) for user_id, item_id, kind in rows]


def user_feedback(session: Session, user_id: int) -> list[FeedbackEvent]:
    """One user's reactions, oldest first."""
    rows = session.execute(
        select(Feedback.user_id, Feedback.item_id, Feedback.kind)
        .where(Feedback.user_id == user_id)
        .order_by(Feedback.id)
    )
    return [FeedbackEvent(uid, item_id, kind) for uid, item_id, kind in rows]


@dataclass
class Reactions:
    """When some people opened or liked each item: "did they react to this item within a window of that moment?".

    What a shown item's click is matched by (an impression, a broadcast): buttons and payloads do not say which
    message they came from, so a positive reaction by the same person to the same item soon after counts.
    """

    times: dict[tuple[int, str], list[datetime]] = field(default_factory=dict)

    def within(self, user_id: int, item_id: str, since: datetime, window: timedelta) -> bool:
        """Whether the person opened or liked the item between `since` and `since + window`."""
        start = aware(since)
        return any(start <= at <= start + window for at in self.times.get((user_id, item_id), ()))


def positive_reactions(session: Session, user_ids: Iterable[int]) -> Reactions:
    """Every click and like of these people, by person and item (one query)."""
    users = set(user_ids)
    reactions = Reactions()
    if not users:
        return reactions
    rows = session.execute(
        select(Feedback.user_id, Feedback.item_id, Feedback.created_at).where(
            Feedback.kind.in_(POSITIVE_KINDS), Feedback.user_id.in_(users)
        )
    )
    for user_id, item_id, at in rows:
        reactions.times.setdefault((user_id, item_id), []).append(aware(at))
    return reactions
