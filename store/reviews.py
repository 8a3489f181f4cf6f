"""What managers change: relabelled messages, reviewed and flagged conversations, tags, and human replies.

Corrections are history (who, when, from what); the newest per message and field is the label that counts, for
the transcript, the exported training data and retraining.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.conversations import latest_corrections
from store.interactions import record_pause
from store.schema import Conversation, Correction, Interaction, OutboxMessage, utcnow

CORRECTABLE = ("intent", "sentiment")
SENTIMENTS = ("negative", "neutral", "positive")
MAX_TAGS = 20


class ReviewError(ValueError):
    """A correction or review action that cannot be applied (unknown message, label or field)."""


def relabel(session: Session, interaction_id: int, field: str, value: str, manager: str) -> Correction:
    """Records a manager's label for one message's intent or sentiment."""
    if field not in CORRECTABLE:
        raise ReviewError(f"only {', '.join(CORRECTABLE)} can be corrected")
    if field == "sentiment" and value not in SENTIMENTS:
        raise ReviewError(f"sentiment must be one of {', '.join(SENTIMENTS)}")
    turn = session.get(Interaction, interaction_id)
    if turn is None:
        raise ReviewError(f"no message {interaction_id}")
    current = latest_corrections(session, [interaction_id]).get(interaction_id, {}).get(field, getattr(turn, field))
    correction = Correction(
        interaction_id=interaction_id,
        conversation_id=turn.conversation_id,
        field=field,
        old_value=current,
        new_value=value,
        manager=manager,
    )
    session.add(correction)
    session.flush()
    return correction


def _conversation(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise ReviewError(f"no conversation {conversation_id!r}")
    return conversation


def mark_reviewed(session: Session, conversation_id: str, manager: str, reviewed: bool = True) -> None:
    """Marks the conversation reviewed by `manager` (or not reviewed)."""
    conversation = _conversation(session, conversation_id)
    conversation.reviewed_at = utcnow() if reviewed else None
    conversation.reviewed_by = manager if reviewed else None


def set_flag(session: Session, conversation_id: str, flagged: bool) -> None:
    """Flags a conversation for attention (or clears the flag)."""
    _conversation(session, conversation_id).flagged = flagged


def set_tags(session: Session, conversation_id: str, tags: list[str]) -> list[str]:
    """Replaces the conversation's tags (trimmed, lower-case, unique, at most `MAX_TAGS`)."""
    clean: list[str] = []
    for tag in tags:
        tag = tag.strip().lower()[:32]
        if tag and tag not in clean:
            clean.append(tag)
    _conversation(session, conversation_id).tags = clean[:MAX_TAGS]
    return clean[:MAX_TAGS]


def set_paused(session: Session, conversation_id: str, paused: bool) -> None:
    """Records the takeover state right away (the broker confirms it when Rasa's pause event arrives).

    The same rule as the broker's (`store.interactions.record_pause`), so the inbox never depends on the tool.
    """
    if not record_pause(session, conversation_id, paused):
        raise ReviewError(f"no conversation {conversation_id!r}")


@dataclass(frozen=True)
class LabelledExample:
    """One message with the labels managers gave it, for training data.

    `intent` and `sentiment` are the newest corrections (None where that field was not corrected);
    `predicted_intent` is what the bot understood, which a manager who fixed only the sentiment left standing.
    """

    text: str
    intent: str | None
    sentiment: str | None
    predicted_intent: str | None
    interaction_id: int
    conversation_id: str
    manager: str


def corrected_examples(session: Session) -> list[LabelledExample]:
    """Every message whose intent or sentiment a manager corrected, newest label per field, oldest message first.

    `manager` is whoever made the newest of the message's corrections.
    """
    rows = session.execute(
        select(
            Correction.interaction_id,
            Correction.field,
            Correction.new_value,
            Interaction.text,
            Interaction.intent,
            Interaction.conversation_id,
            Correction.manager,
        )
        .join(Interaction, Interaction.id == Correction.interaction_id)
        .where(Correction.field.in_(CORRECTABLE))
        .order_by(Correction.id)
    )
    latest: dict[int, LabelledExample] = {}
    for interaction_id, field, value, text, predicted, conversation_id, manager in rows:
        before = latest.get(interaction_id)
        intent = value if field == "intent" else (before.intent if before else None)
        sentiment = value if field == "sentiment" else (before.sentiment if before else None)
        latest[interaction_id] = LabelledExample(
            text, intent, sentiment, predicted, interaction_id, conversation_id, manager
        )
    return sorted(latest.values(), key=lambda e: e.interaction_id)


def queue_reply(session: Session, conversation_id: str, text: str, manager: str) -> OutboxMessage:
    """Queues a manager's reply for a channel that cannot push (delivered with the customer's next request)."""
    message = OutboxMessage(conversation_id=conversation_id, text=text, sent_by=manager)
    session.add(message)
    session.flush()
    return message


def take_pending_replies(session: Session, conversation_id: str) -> list[OutboxMessage]:
    """The undelivered replies for a conversation, marked delivered."""
    rows = list(
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.conversation_id == conversation_id, OutboxMessage.delivered_at.is_(None))
            .order_by(OutboxMessage.id)
        ).scalars()
    )
    for row in rows:
        row.delivered_at = utcnow()
    return rows
