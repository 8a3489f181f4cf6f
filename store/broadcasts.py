"""Broadcasts in the store: the consent, the audience, each recipient's delivery as a resumable unit of work.

The sending job (`broadcasts/`) plans a broadcast once (a pending delivery per opted-in recipient; planning twice
adds nobody twice), then takes due deliveries one at a time: `claim` marks one `sending` in its own transaction
before the message goes out, and `record_sent` marks it `sent` after. A job that dies leaves at most the message
in flight as `sending`; the next job turns it into `unconfirmed` (`resume`) and never sends it again, because
Telegram cannot say whether it arrived and a second copy is worse than none. Everything else is picked up where it
stopped: nobody twice, nobody skipped but that one, which the console shows.

The audience is people who said yes to broadcasts (`User.consent_broadcasts`, asked once, never assumed; separate
from personalisation) on a channel that lets a bot write first: Telegram, to people who have a private chat with
the bot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from store.feedback import positive_reactions
from store.schema import Broadcast, BroadcastDelivery, CatalogItem, Conversation, User, utcnow

BROADCAST_CHANNELS = ("telegram_ptb",)
RANKERS = ("blend", "clicks", "test")
MAX_MESSAGE_CHARS = 3000  # room left under Telegram's 4,096 for the picks and the stop line
OPEN = ("pending", "sending")
CLICK_WINDOW = timedelta(days=7)


class BroadcastError(ValueError):
    """A broadcast that cannot be sent as written; the message says what to change."""


def create_broadcast(
    session: Session,
    message: str,
    created_by: str,
    variant_message: str | None = None,
    item_id: str | None = None,
    category: str | None = None,
    ranker: str = "blend",
) -> Broadcast:
    """Queues a broadcast (the job sends it).

    Raises:
        BroadcastError: an empty or overlong message, an unknown item or category, an unknown ranker.
    """
    message = (message or "").strip()
    variant_message = (variant_message or "").strip() or None
    if not message:
        raise BroadcastError("the message is empty")
    for label, text in (("message", message), ("variant", variant_message)):
        if text is not None and len(text) > MAX_MESSAGE_CHARS:
            raise BroadcastError(f"the {label} is {len(text)} characters; at most {MAX_MESSAGE_CHARS}")
    if ranker not in RANKERS:
        raise BroadcastError(f"ranker must be one of {', '.join(RANKERS)}, not {ranker!r}")
    item_id = (item_id or "").strip() or None
    if item_id is not None:
        item = session.get(CatalogItem, item_id)
        if item is None or not item.active:
            raise BroadcastError(f"there is no catalog item {item_id!r}")
    category = (category or "").strip() or None
    if category is not None:
        known = session.execute(
            select(CatalogItem.id).where(CatalogItem.category == category, CatalogItem.active.is_(True)).limit(1)
        ).first()
        if known is None:
            raise BroadcastError(f"no catalog item is in category {category!r}")
    row = Broadcast(
        message=message,
        variant_message=variant_message,
        item_id=item_id,
        category=category,
        ranker=ranker,
        status="queued",
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def set_broadcast_consent(session: Session, user: User, consent: bool) -> None:
    """Records the person's answer (yes, or no / stop); it takes effect for the next message the job sends."""
    user.consent_broadcasts = consent
    user.broadcasts_asked_at = user.broadcasts_asked_at or utcnow()
    session.flush()


def ask_once(session: Session, user: User) -> bool:
    """Whether to ask this person for broadcast consent now: only if never asked (and then marks them asked)."""
    if user.broadcasts_asked_at is not None or user.consent_broadcasts is not None:
        return False
    user.broadcasts_asked_at = utcnow()
    session.flush()
    return True


def audience(session: Session) -> list[tuple[int, str]]:
    """(user id, chat id) of everyone a broadcast may reach now: said yes, on Telegram, with a private chat."""
    has_dm = select(Conversation.id).where(Conversation.user_id == User.id, Conversation.surface == "dm").exists()
    rows = session.execute(
        select(User.id, User.external_id)
        .where(User.consent_broadcasts.is_(True), User.channel.in_(BROADCAST_CHANNELS), has_dm)
        .order_by(User.id)
    )
    return [(user_id, external_id) for user_id, external_id in rows]


def plan(session: Session, broadcast: Broadcast) -> int:
    """Adds a pending delivery for every recipient not yet planned; returns how many were added."""
    planned = set(
        session.execute(
            select(BroadcastDelivery.user_id).where(BroadcastDelivery.broadcast_id == broadcast.id)
        ).scalars()
    )
    now = utcnow()
    rows = [
        BroadcastDelivery(
            broadcast_id=broadcast.id, user_id=user_id, chat_id=chat_id, status="pending", items=[], updated_at=now
        )
        for user_id, chat_id in audience(session)
        if user_id not in planned
    ]
    session.add_all(rows)
    if broadcast.status == "queued":
        broadcast.status = "sending"
        broadcast.started_at = now
    session.flush()
    return len(rows)


def resume(session: Session, broadcast_id: int) -> int:
    """Marks deliveries a dead job left in flight as `unconfirmed` (never resent); returns how many."""
    result = session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == "sending")
        .values(status="unconfirmed", reason="in flight when the job stopped", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def due(session: Session, broadcast_id: int, now: datetime, limit: int = 500) -> list[int]:
    """Ids of pending deliveries whose time has come, oldest first."""
    rows = session.execute(
        select(BroadcastDelivery.id)
        .where(
            BroadcastDelivery.broadcast_id == broadcast_id,
            BroadcastDelivery.status == "pending",
            (BroadcastDelivery.not_before.is_(None)) | (BroadcastDelivery.not_before <= now.astimezone(timezone.utc)),
        )
        .order_by(BroadcastDelivery.id)
        .limit(limit)
    )
    return list(rows.scalars())


def claim(session: Session, delivery_id: int) -> bool:
    """Marks a pending delivery `sending` (committed by the caller before it sends); False if another took it."""
    result = session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.id == delivery_id, BroadcastDelivery.status == "pending")
        .values(status="sending", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return (result.rowcount or 0) == 1


def settle(
    session: Session,
    delivery_id: int,
    status: str,
    reason: str | None = None,
    items: Iterable[str] = (),
    arm: str | None = None,
    message_id: str | None = None,
    not_before: datetime | None = None,
) -> None:
    """Records what became of a claimed delivery: sent, skipped (why), failed (why), or back to pending (later)."""
    now = utcnow()
    # in UTC: SQLite keeps a timestamp's wall clock and drops its zone
    later = not_before.astimezone(timezone.utc) if not_before is not None else None
    values: dict[str, object] = {"status": status, "reason": reason, "updated_at": now, "not_before": later}
    if status == "sent":
        values.update(items=list(items), arm=arm, message_id=message_id, sent_at=now)
    session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.id == delivery_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def sent_since(session: Session, user_id: int, since: datetime) -> int:
    """How many broadcasts this person was sent since `since` (the weekly cap counts these)."""
    return int(
        session.execute(
            select(func.count())
            .select_from(BroadcastDelivery)
            .where(
                BroadcastDelivery.user_id == user_id,
                BroadcastDelivery.status == "sent",
                BroadcastDelivery.sent_at >= since.astimezone(timezone.utc),
            )
        ).scalar_one()
    )


def finish_if_done(session: Session, broadcast: Broadcast) -> bool:
    """Marks the broadcast done (a cancelled one stays cancelled) when no delivery is pending or in flight."""
    left = session.execute(
        select(func.count())
        .select_from(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast.id, BroadcastDelivery.status.in_(OPEN))
    ).scalar_one()
    if left:
        return False
    if broadcast.status != "cancelled":
        broadcast.status = "done"
    broadcast.finished_at = utcnow()
    return True


def progress(session: Session, broadcast_id: int) -> dict[str, int]:
    """Deliveries per status."""
    rows = session.execute(
        select(BroadcastDelivery.status, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast_id)
        .group_by(BroadcastDelivery.status)
    )
    return {status: int(count) for status, count in rows}


def skip_reasons(session: Session, broadcast_id: int) -> dict[str, int]:
    """Skipped and failed deliveries per reason."""
    rows = session.execute(
        select(BroadcastDelivery.reason, func.count())
        .where(
            BroadcastDelivery.broadcast_id == broadcast_id,
            BroadcastDelivery.status.in_(("skipped", "failed", "unconfirmed")),
        )
        .group_by(BroadcastDelivery.reason)
    )
    return {str(reason): int(count) for reason, count in rows}


@dataclass(frozen=True)
class ArmOutcome:
    """One arm of a broadcast: people sent it, and how many opened or liked one of their picks within a week."""

    arm: str
    sent: int
    clicked: int


def outcomes(session: Session, broadcast_id: int) -> list[ArmOutcome]:
    """Per arm, sent and clicked (a positive reaction to an item the message carried, within `CLICK_WINDOW`)."""
    sent = session.execute(
        select(
            BroadcastDelivery.user_id, BroadcastDelivery.arm, BroadcastDelivery.items, BroadcastDelivery.sent_at
        ).where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == "sent")
    ).all()
    clicks = positive_reactions(session, {row.user_id for row in sent})
    per_arm: dict[str, list[int]] = {}
    for row in sent:
        opened = any(clicks.within(row.user_id, item, row.sent_at, CLICK_WINDOW) for item in row.items)
        counts = per_arm.setdefault(row.arm or "all", [0, 0])
        counts[0] += 1
        counts[1] += int(opened)
    return [ArmOutcome(arm, n, c) for arm, (n, c) in sorted(per_arm.items())]
