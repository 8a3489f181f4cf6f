"""Moderated messages in the log: restoring a false positive, and the corrections that retrain the spam model.

A restored message keeps its category and score (what the model said) and gets `moderation_action = restored`
plus a `Correction` (field `moderation`, new value `none`): the history says who restored what, and the
moderator learns from it (`corrected_examples`).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.schema import Correction, Interaction

RESTORED = "restored"
# What the console's moderation filter offers, and which logged outcomes each covers.
STATES = {
    "moderated": ("reply_calmly_and_flag", "hide", "hide_failed", "ignore"),
    "hidden": ("hide", "hide_failed"),
    "restored": (RESTORED,),
}


class ModerationError(ValueError):
    """A restore that cannot be applied (unknown or unmoderated message)."""


def restore(session: Session, interaction_id: int, manager: str) -> Correction:
    """Marks a moderated message a false positive, recording the correction."""
    turn = session.get(Interaction, interaction_id)
    if turn is None or not turn.moderation_action or turn.moderation_action == RESTORED:
        raise ModerationError(f"message {interaction_id} is not a moderated message")
    correction = Correction(
        interaction_id=interaction_id,
        conversation_id=turn.conversation_id,
        field="moderation",
        old_value=turn.moderation,
        new_value="none",
        manager=manager,
    )
    turn.moderation_action = RESTORED
    session.add(correction)
    session.flush()
    return correction


def corrected_examples(session: Session) -> list[tuple[str, str]]:
    """(text, label) for every message whose moderation a manager corrected, oldest first: training examples."""
    newest = (
        select(Correction.interaction_id, func.max(Correction.id).label("id"))
        .where(Correction.field == "moderation")
        .group_by(Correction.interaction_id)
        .subquery()
    )
    rows = session.execute(
        select(Interaction.text, Correction.new_value)
        .join(newest, newest.c.id == Correction.id)
        .join(Interaction, Interaction.id == Correction.interaction_id)
        .order_by(Correction.id)
    )
    return [(text, label) for text, label in rows if text]


def corrections_count(session: Session) -> int:
    """How many moderation corrections exist (the moderator retrains when it changes)."""
    return int(session.scalar(select(func.count()).where(Correction.field == "moderation")) or 0)
