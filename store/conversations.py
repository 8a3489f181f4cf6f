"""The inbox and the transcript: what the review console lists and shows.

The inbox pages with a keyset cursor on (last message time, conversation id), newest first, so page 500 costs what
page 1 costs, and every filter is a WHERE on the indexed `conversations` table (intent and free-text search
look into the interaction log; on PostgreSQL, text search goes through trigram indexes).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from store.interactions import conversation_turns
from store.moderation import STATES
from store.schema import Conversation, Correction, Feedback, Interaction

PAGE_SIZE = 50


@dataclass(frozen=True)
class InboxFilter:
    """What the manager asked to see. None means "any"."""

    channel: str | None = None
    surface: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sentiment: str | None = None  # "negative": any negative message; others: the latest message's label
    intent: str | None = None
    max_confidence: float | None = None
    fallback: bool | None = None
    handoff: str | None = None  # "needed", "paused", "none"
    reviewed: bool | None = None
    flagged: bool | None = None
    search: str | None = None
    language: str | None = None  # any message in this language (ISO 639-1)
    moderation: str | None = None  # "moderated", "hidden" or "restored" (store.moderation.STATES): any such message


@dataclass
class Page:
    """One page of conversations and the cursor for the next one (None on the last page)."""

    conversations: list[Conversation]
    next_cursor: str | None


def encode_cursor(conversation: Conversation) -> str:
    """An opaque cursor after `conversation`."""
    raw = json.dumps([conversation.last_message_at.isoformat(), conversation.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str] | None:
    """The (time, id) in a cursor, or None if it is malformed (then paging starts over)."""
    try:
        when, conversation_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(when), str(conversation_id)
    except (ValueError, TypeError):
        return None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(f: InboxFilter) -> list:
    c = Conversation
    where = []
    if f.channel:
        where.append(c.channel == f.channel)
    if f.surface:
        where.append(c.surface == f.surface)
    if f.since:
        where.append(c.last_message_at >= f.since)
    if f.until:
        where.append(c.last_message_at < f.until)
    if f.sentiment == "negative":
        where.append(c.negative_count > 0)
    elif f.sentiment:
        where.append(c.last_sentiment == f.sentiment)
    if f.max_confidence is not None:
        where.append(c.min_confidence < f.max_confidence)
    if f.fallback is not None:
        where.append(c.fallback_count > 0 if f.fallback else c.fallback_count == 0)
    if f.handoff == "needed":
        where.append(c.needs_human.is_(True))
    elif f.handoff == "paused":
        where.append(c.paused.is_(True))
    elif f.handoff == "none":
        where.append(and_(c.needs_human.is_(False), c.paused.is_(False)))
    if f.reviewed is not None:
        where.append(c.reviewed_at.isnot(None) if f.reviewed else c.reviewed_at.is_(None))
    if f.flagged is not None:
        where.append(c.flagged.is_(f.flagged))
    if f.intent:
        where.append(exists().where(and_(Interaction.conversation_id == c.id, Interaction.intent == f.intent)))
    if f.language:
        where.append(exists().where(and_(Interaction.conversation_id == c.id, Interaction.language == f.language)))
    if f.moderation:
        actions = STATES.get(f.moderation, ())
        where.append(
            exists().where(and_(Interaction.conversation_id == c.id, Interaction.moderation_action.in_(actions)))
        )
    if f.search:
        pattern = f"%{_escape_like(f.search.strip())}%"
        # One EXISTS over the messages (their text, or the conversation id they carry), with no OR at this level:
        # an OR next to it stops PostgreSQL from planning a semi-join, which with the trigram indexes (migration
        # 0003) finds rare terms through the index and common ones by walking the newest conversations.
        where.append(
            exists().where(
                and_(
                    Interaction.conversation_id == c.id,
                    or_(
                        Interaction.text.ilike(pattern, escape="\\"),
                        Interaction.conversation_id.ilike(pattern, escape="\\"),
                    ),
                )
            )
        )
    return where


def inbox(session: Session, f: InboxFilter, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Conversations matching `f`, newest first, `limit` per page, after `cursor`."""
    query = select(Conversation).where(*_conditions(f))
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        when, conversation_id = after
        # A row-value comparison, so both SQLite and PostgreSQL seek in the (last_message_at, id) index.
        query = query.where(tuple_(Conversation.last_message_at, Conversation.id) < tuple_(when, conversation_id))
    rows = list(
        session.execute(
            query.order_by(Conversation.last_message_at.desc(), Conversation.id.desc()).limit(limit + 1)
        ).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None)


@dataclass
class TranscriptTurn:
    """One user message with everything the console shows about it."""

    interaction: Interaction
    intent: str | None
    sentiment: str | None
    corrected: dict[str, str] = field(default_factory=dict)
    clicked: list[str] = field(default_factory=list)


def latest_corrections(session: Session, interaction_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Interaction id -> field -> newest corrected value."""
    if not interaction_ids:
        return {}
    rows = session.execute(
        select(Correction.interaction_id, Correction.field, Correction.new_value)
        .where(Correction.interaction_id.in_(list(interaction_ids)))
        .order_by(Correction.id)
    )
    out: dict[int, dict[str, str]] = {}
    for interaction_id, name, value in rows:
        out.setdefault(interaction_id, {})[name] = value
    return out


def transcript(session: Session, conversation_id: str) -> list[TranscriptTurn]:
    """Every turn, oldest first, with corrections applied and which shown items were clicked afterwards."""
    turns = conversation_turns(session, conversation_id)
    corrections = latest_corrections(session, [t.id for t in turns])
    clicks: list[tuple[str, datetime]] = []
    if turns:
        clicks = list(
            session.execute(
                select(Feedback.item_id, Feedback.created_at).where(
                    Feedback.user_id == turns[0].user_id, Feedback.kind.in_(("click", "like"))
                )
            ).all()
        )
    out = []
    for turn in turns:
        fixed = corrections.get(turn.id, {})
        clicked = [
            item for item in turn.items_shown if any(i == item and _after(at, turn.created_at) for i, at in clicks)
        ]
        out.append(
            TranscriptTurn(
                turn, fixed.get("intent", turn.intent), fixed.get("sentiment", turn.sentiment), fixed, clicked
            )
        )
    return out


def _after(moment: datetime, start: datetime) -> bool:
    """Timezone-tolerant `moment >= start` (SQLite returns naive datetimes)."""
    return moment.replace(tzinfo=None) >= start.replace(tzinfo=None)


@dataclass(frozen=True)
class Waiting:
    """The conversations waiting for a person: how many, and since when the oldest has waited."""

    count: int
    oldest: datetime | None


def waiting_for_a_person(session: Session) -> Waiting:
    """Conversations handed to a person and not yet handed back (the inbox's queue)."""
    count, oldest = session.execute(
        select(func.count(), func.min(Conversation.last_message_at)).where(Conversation.needs_human.is_(True))
    ).one()
    return Waiting(int(count), oldest)


def languages_seen(session: Session) -> list[str]:
    """Every language the log has seen a message in (the inbox's language filter lists these)."""
    rows = session.execute(select(Interaction.language).where(Interaction.language.isnot(None)).distinct())
    return sorted(language for (language,) in rows)
