"""What erasing a person touches in the store, beyond `store.users.erase_user`: their footprint and the record.

"Delete my data" must reach every copy, and most copies live outside this database (the Rasa tracker store, the
spool, exported training files). Those are found by the person's conversation ids and texts, which only this
database can list, so `footprint` reads them before `erase_user` deletes them. The deletion turn itself is logged
after the erasure (Rasa publishes it when the turn ends); `erase_conversations` removes it again and leaves the
one row the inbox keeps: that an erasure happened, when, and in which conversation, with no text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.schema import Conversation, Correction, Exposure, Impression, Interaction, OutboxMessage, User, utcnow

ERASED_TAG = "erased"


@dataclass(frozen=True)
class Footprint:
    """Where a person's data is: their conversation ids and the texts they wrote (to find copies elsewhere)."""

    conversations: tuple[str, ...]
    texts: tuple[str, ...]
    message_ids: tuple[int, ...]


def footprint(session: Session, user: User, current_conversation: str) -> Footprint:
    """Every conversation of the user (all channels and surfaces) plus the current one, and every text logged."""
    conversations = {current_conversation}
    conversations.update(session.execute(select(Conversation.id).where(Conversation.user_id == user.id)).scalars())
    conversations.update(
        session.execute(select(Interaction.conversation_id).where(Interaction.user_id == user.id)).scalars()
    )
    rows = session.execute(select(Interaction.id, Interaction.text).where(Interaction.user_id == user.id)).all()
    texts = {text for _, text in rows if text and text.strip()}
    return Footprint(tuple(sorted(conversations)), tuple(sorted(texts)), tuple(sorted(i for i, _ in rows)))


def erase_conversations(session: Session, conversation_ids: list[str], record_for: str | None = None) -> int:
    """Deletes the conversations' turns (their impressions and exposures too), corrections, queued replies, inbox rows.

    Returns the number of turns deleted.

    `record_for` keeps one inbox row for that conversation, tagged `erased`, with no text and no counts: the
    record that the customer asked and was answered.
    """
    if not conversation_ids:
        return 0
    ids = list(conversation_ids)
    kept = session.get(Conversation, record_for) if record_for else None
    user_id, channel, surface = (kept.user_id, kept.channel, kept.surface) if kept else (None, "unknown", "dm")
    session.execute(
        delete(Correction).where(Correction.conversation_id.in_(ids)).execution_options(synchronize_session=False)
    )
    session.execute(
        delete(OutboxMessage).where(OutboxMessage.conversation_id.in_(ids)).execution_options(synchronize_session=False)
    )
    logged = select(Interaction.id).where(Interaction.conversation_id.in_(ids)).scalar_subquery()
    for table in (Impression, Exposure):  # the turns' cascade would take them; said here for every database
        session.execute(
            delete(table).where(table.interaction_id.in_(logged)).execution_options(synchronize_session=False)
        )
    turns = session.execute(
        delete(Interaction).where(Interaction.conversation_id.in_(ids)).execution_options(synchronize_session=False)
    ).rowcount
    session.execute(delete(Conversation).where(Conversation.id.in_(ids)).execution_options(synchronize_session=False))
    if record_for:
        now = utcnow()
        session.add(
            Conversation(
                id=record_for,
                user_id=user_id,
                channel=channel,
                surface=surface,
                started_at=now,
                last_message_at=now,
                last_text="",
                tags=[ERASED_TAG],
            )
        )
    session.flush()
    return turns or 0
