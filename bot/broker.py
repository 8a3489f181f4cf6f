"""Logs every turn to the store through Rasa's event broker, so no message escapes the interaction log.

Rasa publishes each new tracker event (user message, action, bot message, pause/resume) to the configured broker
when it saves the conversation, whether the turn reached a custom action or not, whether the conversation is paused
for a human or the NLU fell back. `StoreEventBroker` turns those events into `interactions` rows:

- `user` -> a new row with the text, intent, confidence, entities and sentiment (and the user, created on sight);
- `action` -> the first answering action of the turn;
- `bot` -> the reply text, plus the catalog items the message showed (actions pass them as `parley_items`);
- `pause` / `resume` -> the conversation's handoff state in the inbox (`conversations`).

A failing database must not cost a message or a reply: `publish` never raises (Rasa would otherwise fail the
tracker save); an event it cannot write goes to the disk spool (`store/spool.py`) and is written, in order, as soon
as the database answers again. Configured in `endpoints.yml`:

    event_broker:
      type: bot.broker.StoreEventBroker
      # url: postgresql+psycopg2://...   (default: $PARLEY_DB_URL, else var/parley.db)
"""

from __future__ import annotations

import logging
from asyncio import AbstractEventLoop
from collections.abc import Mapping
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from store import spool
from store.db import Database, redact
from store.identity import identity_from
from store.interactions import record_action, record_bot_reply, record_pause, record_user_turn

logger = logging.getLogger(__name__)

ITEMS_KEY = "parley_items"


class EventWriter:
    """Writes one Rasa event to the store (raises if the database fails)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def write(self, event: Mapping[str, Any]) -> None:
        """Applies one event; events that say nothing about a turn are ignored."""
        kind = event.get("event")
        sender = str(event.get("sender_id") or "")
        if not sender or kind not in ("user", "action", "bot", "pause", "resume"):
            return
        with self.database.session() as session:
            if kind == "user":
                record_user_turn(
                    session,
                    sender,
                    identity_from(sender, event.get("input_channel"), event.get("metadata")),
                    event.get("text"),
                    event.get("parse_data"),
                    event.get("message_id"),
                    event.get("timestamp"),
                )
            elif kind == "action":
                record_action(session, sender, str(event.get("name") or ""))
            elif kind in ("pause", "resume"):
                record_pause(session, sender, paused=kind == "pause")
            else:
                metadata = event.get("metadata") if isinstance(event.get("metadata"), Mapping) else {}
                items = metadata.get(ITEMS_KEY) if isinstance(metadata.get(ITEMS_KEY), list) else []
                record_bot_reply(session, sender, event.get("text"), items)


class StoreEventBroker(EventBroker):
    """Rasa event broker that writes the interaction log (see the module docstring)."""

    def __init__(self, database: Database) -> None:
        self.writer = EventWriter(database)
        self._spooled = spool.spool_path().exists()

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
        return cls(database)

    def publish(self, event: dict[str, Any]) -> None:
        """Writes the event, or spools it if the database fails; never raises."""
        try:
            if self._spooled:
                self._drain()
            self.writer.write(event)
        except Exception as error:
            logger.error("Interaction log unavailable (%s); event spooled to %s", error, spool.spool_path())
            try:
                spool.append(event)
                self._spooled = True
            except Exception:
                logger.exception("Could not spool event either; it remains in the tracker store")

    def _drain(self) -> None:
        """Writes spooled events first, so the log keeps the conversation's order."""
        events = list(spool.read())
        for position, event in enumerate(events):
            try:
                self.writer.write(event)
            except Exception:
                spool.rewrite(events[position:])
                raise
        spool.spool_path().unlink(missing_ok=True)
        self._spooled = False
        if events:
            logger.info("Interaction log is back; wrote %d spooled event(s)", len(events))

    async def close(self) -> None:
        """Releases database connections."""
        self.writer.database.dispose()
