"""Sending one broadcast: plan the recipients, then deliver each due one, recording every step in the store.

For each recipient, in its own transaction and just before sending, the job re-reads the person: a "stop" takes
effect for the very next message, even mid-broadcast. Then the caps: no more than the brand's `per_week`, never in
their quiet hours (the delivery waits for the hours to end). The delivery is claimed (`sending`, committed), the
message goes out through the rate-limited bot (about 30 a second overall; a 429 is waited out for its
`retry_after`), and the outcome is recorded. What Telegram says decides what happens next:

- sent: `sent`, with the items and the arm;
- 429 even after the bot's own retries: back to pending, not before `retry_after`;
- the person blocked the bot: `skipped`, and their consent is withdrawn (they said no in the only way they could);
- the chat is gone or the message refused: `failed`, with Telegram's reason;
- the request timed out: `unconfirmed` (it may have arrived; it is never sent twice);
- the connection failed before the request was made: back to pending, in 10 s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from broadcasts.compose import Composed, compose
from channels.outreach import Policy
from core.identity import Identity
from recommender.catalog import Catalog
from recommender.engine import Ranker, Recommender
from recommender.profiles import user_context
from store import broadcasts as store
from store.db import Database
from store.schema import Broadcast, BroadcastDelivery, User

logger = logging.getLogger(__name__)

WEEK = timedelta(days=7)
RETRY_CONNECTION_S = 10


class Sender(Protocol):
    """Sends one message to one chat; returns Telegram's message id. Raises python-telegram-bot's errors."""

    async def send(self, chat_id: str, text: str, buttons: list[dict[str, str]]) -> str:
        """Sends the message."""
        ...


@dataclass
class Resources:
    """What composing a message needs: the recommender, the catalog, the click model, the brand's words."""

    recommender: Recommender
    catalog: Catalog
    click_model: Ranker | None
    brand_name: str
    currency_symbol: str


@dataclass
class Outcome:
    """What one run did, for the command's report."""

    planned: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    unconfirmed: int = 0
    deferred: int = 0
    resumed_unconfirmed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


class BroadcastJob:
    """Delivers one broadcast (see the module docstring); safe to run again after any stop."""

    def __init__(
        self,
        database: Database,
        sender: Sender,
        resources: Resources,
        policy: Policy,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        concurrency: int = 4,
    ) -> None:
        self.database = database
        self.sender = sender
        self.resources = resources
        self.policy = policy
        self.clock = clock
        self.concurrency = concurrency
        self.stopping = asyncio.Event()

    async def run(self, broadcast_id: int) -> Outcome:
        """Plans the broadcast (once), then delivers everything due now; returns what happened."""
        outcome = Outcome()
        with self.database.session() as session:
            broadcast = session.get(Broadcast, broadcast_id)
            if broadcast is None or broadcast.status in ("done", "cancelled"):
                return outcome
            outcome.resumed_unconfirmed = store.resume(session, broadcast_id)
            outcome.planned = store.plan(session, broadcast)
        tried: set[int] = set()  # a delivery that failed unexpectedly stays pending: once per run is enough
        while not self.stopping.is_set():
            with self.database.session() as session:
                batch = [i for i in store.due(session, broadcast_id, self.clock()) if i not in tried]
            if not batch:
                break
            tried.update(batch)
            queue: asyncio.Queue[int] = asyncio.Queue()
            for delivery_id in batch:
                queue.put_nowait(delivery_id)
            await asyncio.gather(*(self._worker(broadcast_id, queue, outcome) for _ in range(self.concurrency)))
        with self.database.session() as session:
            broadcast = session.get(Broadcast, broadcast_id)
            store.finish_if_done(session, broadcast)
            outcome.statuses = store.progress(session, broadcast_id)
        return outcome

    async def _worker(self, broadcast_id: int, queue: asyncio.Queue[int], outcome: Outcome) -> None:
        while not self.stopping.is_set():
            try:
                delivery_id = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                await self._deliver(broadcast_id, delivery_id, outcome)
            except Exception:
                # a bug or a database outage for this one: it stays pending (or in flight) and the rest go on
                logger.exception("Delivery %s of broadcast %s failed unexpectedly", delivery_id, broadcast_id)

    def _prepare(self, broadcast_id: int, delivery_id: int, outcome: Outcome) -> tuple[str, Composed] | None:
        """Checks consent and caps, composes, and claims the delivery; None when it is not to be sent now."""
        now = self.clock()
        with self.database.session() as session:
            delivery = session.get(BroadcastDelivery, delivery_id)
            if delivery is None or delivery.status != "pending":
                return None
            broadcast = session.get(Broadcast, broadcast_id)
            if broadcast.status == "cancelled":
                store.settle(session, delivery_id, "skipped", "cancelled")
                outcome.skipped += 1
                return None
            user = session.get(User, delivery.user_id)
            if user is None or not user.consent_broadcasts:
                store.settle(session, delivery_id, "skipped", "no consent (stopped)")
                outcome.skipped += 1
                return None
            if store.sent_since(session, user.id, now - WEEK) >= self.policy.per_week:
                store.settle(session, delivery_id, "skipped", f"weekly cap ({self.policy.per_week})")
                outcome.skipped += 1
                return None
            later = self.policy.quiet_until(now, user.timezone)
            if later is not None:
                store.settle(session, delivery_id, "pending", "quiet hours", not_before=later)
                outcome.deferred += 1
                return None
            item = self.resources.catalog.get(broadcast.item_id) if broadcast.item_id else None
            composed = compose(
                broadcast_id=broadcast_id,
                message=broadcast.message,
                variant_message=broadcast.variant_message,
                item=item,
                category=broadcast.category,
                ranker_setting=broadcast.ranker,
                person=Identity(user.channel, user.external_id).person,
                context=user_context(session, user),
                recommender=self.resources.recommender,
                click_model=self.resources.click_model,
                brand_name=self.resources.brand_name,
                currency_symbol=self.resources.currency_symbol,
            )
            if not store.claim(session, delivery_id):
                return None
            chat_id = delivery.chat_id
        return chat_id, composed  # the claim is committed: from here the message counts as in flight

    async def _deliver(self, broadcast_id: int, delivery_id: int, outcome: Outcome) -> None:
        from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

        prepared = self._prepare(broadcast_id, delivery_id, outcome)
        if prepared is None:
            return
        chat_id, composed = prepared
        status, reason, message_id, later = "sent", None, None, None
        try:
            message_id = await self.sender.send(chat_id, composed.text, composed.buttons)
        except RetryAfter as error:
            wait = error.retry_after  # seconds, or a timedelta in newer python-telegram-bot releases
            later = self.clock() + (wait if isinstance(wait, timedelta) else timedelta(seconds=float(wait)))
            status, reason = "pending", "rate limited"
        except Forbidden:
            status, reason = "skipped", "blocked the bot"
        except BadRequest as error:
            status, reason = "failed", f"telegram: {error.message}"[:64]
        except TimedOut:
            status, reason = "unconfirmed", "timed out: may have arrived"
        except NetworkError:
            status, reason = "pending", "connection failed"
            later = self.clock() + timedelta(seconds=RETRY_CONNECTION_S)
        with self.database.session() as session:
            store.settle(
                session,
                delivery_id,
                status,
                reason,
                items=composed.items,
                arm=composed.arm,
                message_id=message_id,
                not_before=later,
            )
            if reason == "blocked the bot":
                delivery = session.get(BroadcastDelivery, delivery_id)
                user = session.get(User, delivery.user_id)
                store.set_broadcast_consent(session, user, False)
        tally = "deferred" if status == "pending" else status  # Outcome has a field per status
        setattr(outcome, tally, getattr(outcome, tally) + 1)


class TelegramSender:
    """Sends through python-telegram-bot's rate-limited bot (`channels.telegram.make_bot`)."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def send(self, chat_id: str, text: str, buttons: list[dict[str, str]]) -> str:
        """One message with its inline keyboard; Telegram's message id."""
        from channels.telegram import keyboard

        message = await self.bot.send_message(int(chat_id), text, reply_markup=keyboard(buttons))
        return str(message.message_id)


async def with_bot(bot: Any, work: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """Runs `work` with the bot initialised and shut down around it."""
    await bot.initialize()
    try:
        return await work()
    finally:
        await bot.shutdown()
