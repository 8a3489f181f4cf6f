"""Feedback on shown items (click, like, dismiss): written by actions, read by the recommender and analytics."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.schema import CatalogItem, Feedback, User

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
