"""Logs every turn to the store through Rasa's event broker, so no message escapes the interaction log.

Rasa publishes each new tracker event (user message, action, bot message, pause/resume) to the configured broker
when it saves the conversation, whether the turn reached a custom action or not, whether the conversation is paused
for a human or the NLU fell back. `StoreEventBroker` hands them to the store's writer (`store.events`).

Rasa calls `publish` on its event loop, inside the tracker store's save, so `publish` only queues the event: a
writer thread applies it (`core.turnlog`), and a locked or unreachable database never stalls a conversation.
A failing database must not cost a message or a reply: `publish` never raises (Rasa would otherwise fail the
tracker save); an event it cannot write because the database is down goes to the disk spool (`core.spool`) and is
written, in order, as soon as the database answers again (`core.events.drain`, the same drain `python -m store
replay` uses). An event the store can never take (a data error: a value too long, a bad timestamp) is set aside in
the dead-letter file with its error, so it never blocks the turns behind it. Configured in `endpoints.yml`:

    event_broker:
      type: bot.broker.StoreEventBroker
      # url: postgresql+psycopg2://...   (default: $PARLEY_DB_URL, else var/parley.db)

The broker's database is also the process's store (`bot.storage`), so the REST outbox reads the same one.
"""

from __future__ import annotations

import asyncio
import logging
from asyncio import AbstractEventLoop
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot import storage
from core.events import erased_conversations
from core.settings import get_settings
from core.spool import Spool
from core.turnlog import BackgroundTurnLog, TurnLog
from store.db import Database, redact
from store.events import StoreEventWriter

logger = logging.getLogger(__name__)


class StoreEventBroker(EventBroker):
    """Rasa event broker that writes the interaction log (see the module docstring)."""

    def __init__(self, database: Database, spool: Spool | None = None, dead_letters: Spool | None = None) -> None:
        self.writer = StoreEventWriter(database)
        settings = get_settings()
        self.log = TurnLog(
            self.writer,
            spool or Spool(settings.spool_path),
            dead_letters or Spool(settings.dead_letter_path),
        )
        self.background = BackgroundTurnLog(self.log)
        self._turns: dict[str, list[dict[str, Any]]] = {}

    @property
    def spool(self) -> Spool:
        """Where turns wait while the store is down."""
        return self.log.spool

    @property
    def dead_letters(self) -> Spool:
        """Where events the store can never take are set aside."""
        return self.log.dead_letters

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig | None, event_loop: AbstractEventLoop | None = None
    ) -> StoreEventBroker:
        """Opens the store (creating or upgrading its schema) from `endpoints.yml`."""
        from store.migrate import upgrade

        url = broker_config.url if broker_config is not None else None
        database = Database(url)
        try:
            upgrade(database.url)
        except Exception:
            logger.exception("Could not migrate %s; turns will be spooled until it is reachable", redact(database.url))
        logger.info("Logging every turn to %s", redact(database.url))
        storage.use(database)
        return cls(database)

    @contextmanager
    def turn(self, sender_id: str) -> Iterator[None]:
        """Collects the sender's events published inside the block and queues them as one turn at its end.

        The tracker store wraps its save in it (`bot.trackers`), so a turn is written whole: with replicas, the
        reply then always lands on its own message, whichever replica's writer gets to the database first.
        """
        self._turns[sender_id] = []
        try:
            yield
        finally:
            events = self._turns.pop(sender_id, [])
            if events:
                self.background.publish_turn(events)
            for event in events:
                self._after_erasure(event)

    def publish(self, event: dict[str, Any]) -> None:
        """Queues the event for the writer thread and returns at once; never raises, never blocks on the database.

        An erasure's confirmation (`core.events.ERASURE_KEY`) is queued without its text, and once everything
        before it is applied, the erased conversations' events still waiting on disk are deleted too.
        """
        if erased_conversations(event) is not None:
            event = {**event, "text": None}
        turn = self._turns.get(str(event.get("sender_id")))
        if turn is not None:
            turn.append(event)
            return
        self.background.publish(event)
        self._after_erasure(event)

    def _after_erasure(self, event: dict[str, Any]) -> None:
        """After an erasure's confirmation is queued: forget the conversations' waiting events, once it is written."""
        erased = erased_conversations(event)
        if erased is not None:
            senders = {*erased, str(event.get("sender_id"))}
            self.background.submit(lambda: self.forget(senders))

    def forget(self, senders: set[str]) -> int:
        """Deletes the senders' events from the spool, the overflow and the dead letters; returns how many."""

        def theirs(event: dict[str, Any]) -> bool:
            return str(event.get("sender_id")) in senders and erased_conversations(event) is None

        def their_letter(letter: dict[str, Any]) -> bool:
            return theirs(letter.get("event") or {})

        removed = 0
        for spool, doomed in (
            (self.spool, theirs),
            (self.background.overflow, theirs),
            (self.dead_letters, their_letter),
        ):
            try:
                removed += spool.remove_where(doomed)
            except Exception:
                logger.exception("Could not erase waiting events from %s", spool.path)
        if removed:
            logger.info("Erased %d waiting event(s) of %d conversation(s)", removed, len(senders))
        return removed

    def flush(self, timeout: float = 30.0) -> bool:
        """Waits until every event published so far is written, spooled or set aside (tests, shutdown)."""
        return self.background.flush(timeout)

    async def close(self) -> None:
        """Writes what is queued, then releases database connections."""
        await asyncio.to_thread(self.background.close)
        self.writer.database.dispose()
