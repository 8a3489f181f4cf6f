"""Logs every turn to the store through Rasa's event broker, so no message escapes the interaction log.

Rasa publishes each new tracker event (user message, action, bot message, pause/resume) to the configured broker
when it saves the conversation, whether the turn reached a custom action or not, whether the conversation is paused
for a human or the NLU fell back. `StoreEventBroker` hands them to the store's writer (`store.events`).

A failing database must not cost a message or a reply: `publish` never raises (Rasa would otherwise fail the
tracker save); an event it cannot write goes to the disk spool (`core.spool`) and is written, in order, as soon
as the database answers again (`core.events.drain`, the same drain `python -m store replay` uses). Configured in
`endpoints.yml`:

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
from core.events import drain
from core.settings import get_settings
from core.spool import Spool
from store.db import Database, redact
from store.events import StoreEventWriter

logger = logging.getLogger(__name__)


class StoreEventBroker(EventBroker):
    """Rasa event broker that writes the interaction log (see the module docstring)."""

    def __init__(self, database: Database, spool: Spool | None = None) -> None:
        self.writer = StoreEventWriter(database)
        self.spool = spool or Spool(get_settings().spool_path)
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
        """Writes the event, or spools it if the database fails; never raises."""
        try:
            if self._spooled:
                written = drain(self.spool, self.writer)
                self._spooled = False
                if written:
                    logger.info("Interaction log is back; wrote %d spooled event(s)", written)
            self.writer.write(event)
        except Exception as error:
            logger.error("Interaction log unavailable (%s); event spooled to %s", error, self.spool.path)
            try:
                self.spool.append(event)
                self._spooled = True
            except Exception:
                logger.exception("Could not spool event either; it remains in the tracker store")

    async def close(self) -> None:
        """Releases database connections."""
        self.writer.database.dispose()
