"""Warming the Rasa server before it reports ready, so the first customer waits no longer than the tenth.

Rasa loads the model before it listens, but the first message still pays for work done once: the first pass through
the NLU graph, TensorFlow tracing TED's prediction function, the first call to the action server, the first
tracker-store query. Measured on 2 cores, the first reply took 1.45x the median of the next ten. `warm_up` sends a
greeting through a copy of Rasa's message processor whose tracker store is in memory and has no event broker: the
conversation is never saved and never appears in the interaction log, and real messages arriving meanwhile go
through the real processor untouched. A greeting, because its actions only read (a recommendation would record an
interest in the profile store; the action server warms the recommender itself).

The REST channel's health route (`GET /webhooks/rest/`) answers 503 until it is done; `make run` and the test and
benchmark launchers wait for it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

WARM_UP_SENDER = "parley-warm-up"
WARM_UP_TEXT = "hello"


async def warm_up(agent: Any) -> list[dict[str, Any]]:
    """Handles one throwaway greeting end to end without saving or logging it; returns the bot's replies.

    Args:
        agent: Rasa's loaded `Agent` (`app.ctx.agent`).
    """
    import copy

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.tracker_store import InMemoryTrackerStore

    await agent.parse_message("recommend me something for winter camping")  # the longest NLU path, no dialogue
    await agent.tracker_store.retrieve(WARM_UP_SENDER)  # the real store's first query (a read)
    processor = copy.copy(agent.processor)
    processor.tracker_store = InMemoryTrackerStore(agent.domain)  # no event broker: nothing reaches the log
    output = CollectingOutputChannel()
    await processor.handle_message(UserMessage(WARM_UP_TEXT, output, WARM_UP_SENDER))
    tracker = await processor.tracker_store.retrieve(WARM_UP_SENDER)
    if tracker is not None:
        rehearse_logging(getattr(agent.tracker_store, "event_broker", None), tracker.events, WARM_UP_SENDER)
    return output.messages


class _Rehearsal:
    """A `Database` stand-in whose sessions always roll back (`Database.rehearsal`)."""

    def __init__(self, database: Any) -> None:
        self._database = database

    def session(self) -> Any:
        return self._database.rehearsal()


def rehearse_logging(broker: Any, events: Any, sender: str) -> None:
    """Writes the warm-up conversation's events to the interaction log in transactions that roll back.

    The first real turn would otherwise pay for the store's first connection and for compiling every statement the
    log runs. Only Parley's own broker is rehearsed; nothing is kept.
    """
    from bot.broker import StoreEventBroker
    from store.events import StoreEventWriter

    if not isinstance(broker, StoreEventBroker):
        return
    writer = StoreEventWriter(_Rehearsal(broker.writer.database))  # type: ignore[arg-type]
    for event in events:
        try:
            writer.write({**event.as_dict(), "sender_id": sender})
        except Exception:
            logger.debug("warm-up: rehearsal of %s failed", type(event).__name__, exc_info=True)


class WarmState:
    """Whether the server has warmed up (read by the health route)."""

    def __init__(self) -> None:
        self.ready = False

    async def run(self, agent: Any) -> None:
        """Warms up once; a failure is logged and the server reports ready anyway (a cold reply beats none)."""
        start = time.perf_counter()
        try:
            replies = await warm_up(agent)
            logger.info(
                "Warmed up in %.2f s (%d replies to a throwaway greeting)", time.perf_counter() - start, len(replies)
            )
        except Exception:
            logger.exception("Warm-up failed; the first reply will be slower")
        finally:
            self.ready = True
