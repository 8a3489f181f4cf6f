"""Logs every turn to the store through Rasa's event broker, so no message escapes the interaction log.

Rasa publishes each new tracker event (user message, action, bot message, pause/resume) to the configured broker
when it saves the conversation, whether the turn reached a custom action or not, whether the conversation is paused
for a human or the NLU fell back. `StoreEventBroker` hands them to the store's writer (`store.events`).

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

import logging
from asyncio import AbstractEventLoop
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot import storage
from core.events import BadEvent, drain, set_aside
from core.settings import get_settings
from core.spool import Spool
from store.db import Database, redact
from store.events import StoreEventWriter

logger = logging.getLogger(__name__)


class StoreEventBroker(EventBroker):
    """Rasa event broker that writes the interaction log (see the module docstring)."""

    def __init__(self, database: Database, spool: Spool | None = None, dead_letters: Spool | None = None) -> None:
        self.writer = StoreEventWriter(database)
        self.spool = spool or Spool(get_settings().spool_path)
        self.dead_letters = dead_letters or Spool(get_settings().dead_letter_path)
        self._spooled = self.spool.exists()

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

    def publish(self, event: dict[str, Any]) -> None:
        """Writes the event, spools it if the database is down, or sets it aside if it is bad; never raises.

        Logs name the conversation and the error's type, never the customer's text.
        """
        try:
            if self._spooled:
                written = drain(self.spool, self.writer, self.dead_letters)
                self._spooled = False
                if written:
                    logger.info("Interaction log is back; wrote %d spooled event(s)", written)
            self.writer.write(event)
        except BadEvent as error:
            logger.error(
                "A %s event of %s cannot be stored (%s); set aside in %s",
                event.get("event"),
                event.get("sender_id"),
                type(error.__cause__ or error).__name__,
                self.dead_letters.path,
            )
            try:
                set_aside(self.dead_letters, event, error)
            except Exception:
                logger.exception("Could not set the event aside either; it remains in the tracker store")
        except Exception as error:
            logger.error("Interaction log unavailable (%s); event spooled to %s", type(error).__name__, self.spool.path)
            try:
                self.spool.append(event)
                self._spooled = True
            except Exception:
                logger.exception("Could not spool event either; it remains in the tracker store")

    async def close(self) -> None:
        """Releases database connections."""
        self.writer.database.dispose()
