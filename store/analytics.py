"""Numbers for the console's analytics page, each a list of rows (the same rows the CSV downloads hold)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from store.interactions import FALLBACK_INTENT
from store.schema import Conversation, Feedback, Interaction, Segment, User

RECOMMEND_ACTION = "action_recommend_content"


def _day(column: Any) -> Any:
    return func.date(column)


def _since(days: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days)


def messages_per_day(session: Session, days: int = 30) -> list[dict[str, Any]]:
    """day, messages, fallbacks, fallback_rate."""
    rows = session.execute(
        select(
            _day(Interaction.created_at).label("day"),
            func.count(),
            func.sum((Interaction.intent == FALLBACK_INTENT).cast(Integer)),
        )
        .where(Interaction.created_at >= _since(days))
        .group_by("day")
        .order_by("day")
    )
    return [
        {"day": str(day), "messages": int(n), "fallbacks": int(fb or 0), "fallback_rate": round((fb or 0) / n, 4)}
        for day, n, fb in rows
    ]


def sentiment_per_day(session: Session, days: int = 30) -> list[dict[str, Any]]:
    """day, negative, neutral, positive."""
    out: dict[str, dict[str, Any]] = {}
    rows = session.execute(
        select(_day(Interaction.created_at).label("day"), Interaction.sentiment, func.count())
        .where(Interaction.created_at >= _since(days))
        .group_by("day", Interaction.sentiment)
        .order_by("day")
    )
    for day, label, n in rows:
        row = out.setdefault(str(day), {"day": str(day), "negative": 0, "neutral": 0, "positive": 0})
        if label in ("negative", "neutral", "positive"):
            row[label] = int(n)
    return list(out.values())


def top_intents(session: Session, limit: int = 15) -> list[dict[str, Any]]:
    """intent, messages (most frequent first)."""
    rows = session.execute(
        select(Interaction.intent, func.count().label("n"))
        .where(Interaction.intent.isnot(None))
        .group_by(Interaction.intent)
        .order_by(func.count().desc(), Interaction.intent)
        .limit(limit)
    )
    return [{"intent": intent, "messages": int(n)} for intent, n in rows]


def handoffs(session: Session) -> list[dict[str, Any]]:
    """state, conversations: how many needed a person, are paused now, or never needed one."""
    total = session.execute(select(func.count()).select_from(Conversation)).scalar_one()
    needed = session.execute(select(func.count()).where(Conversation.needs_human.is_(True))).scalar_one()
    paused = session.execute(select(func.count()).where(Conversation.paused.is_(True))).scalar_one()
    return [
        {"state": "needed a person", "conversations": int(needed)},
        {"state": "paused now (a person is answering)", "conversations": int(paused)},
        {"state": "bot only", "conversations": int(total - needed)},
    ]


def recommendation_clicks(session: Session) -> list[dict[str, Any]]:
    """shown, clicked, dismissed, click_rate (clicks per shown item)."""
    shown = 0
    # Only turns that recommended something carry items; reading every turn's JSON would scan the whole log.
    for (items,) in session.execute(select(Interaction.items_shown).where(Interaction.action == RECOMMEND_ACTION)):
        shown += len(items or [])
    kinds = dict(session.execute(select(Feedback.kind, func.count()).group_by(Feedback.kind)).all())
    clicked = int(kinds.get("click", 0)) + int(kinds.get("like", 0))
    return [
        {
            "shown": shown,
            "clicked": clicked,
            "dismissed": int(kinds.get("dismiss", 0)),
            "click_rate": round(clicked / shown, 4) if shown else 0.0,
        }
    ]


def segments(session: Session) -> list[dict[str, Any]]:
    """segment, customers."""
    rows = session.execute(select(Segment.name, Segment.size).order_by(Segment.size.desc()))
    out = [{"segment": name, "customers": int(size)} for name, size in rows]
    unsegmented = session.execute(select(func.count()).where(User.segment_id.is_(None))).scalar_one()
    out.append({"segment": "(no segment yet)", "customers": int(unsegmented)})
    return out


def languages(session: Session, days: int = 30) -> list[dict[str, Any]]:
    """language, messages in the last `days` (most first; `undetermined` for messages too short to tell)."""
    rows = session.execute(
        select(Interaction.language, func.count().label("n"))
        .where(Interaction.created_at >= _since(days))
        .group_by(Interaction.language)
        .order_by(func.count().desc())
    )
    return [{"language": language or "undetermined", "messages": int(n)} for language, n in rows]


METRICS = {
    "messages": messages_per_day,
    "sentiment": sentiment_per_day,
    "intents": top_intents,
    "handoffs": handoffs,
    "recommendations": recommendation_clicks,
    "segments": segments,
    "languages": languages,
}
