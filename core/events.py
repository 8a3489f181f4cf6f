"""The event-writing contract: what a Rasa event means to the interaction log, and the one spool drain.

Rasa's event broker hands every tracker event to an `EventWriter` (the store's is `store.events.StoreEventWriter`).
Only the events in `TURN_EVENTS` say something about a turn; the rest are ignored. When the writer fails, the
event waits in the disk spool (`core.spool`), and `drain` writes the spool back in order: the broker calls it
before its next write, `python -m store replay` calls it by hand. Neither knows Rasa's classes: events are the
plain dicts of Rasa's JSON format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from core.spool import Spool

TURN_EVENTS = frozenset({"user", "action", "bot", "pause", "resume"})
# Rasa's bookkeeping actions: not answers, so neither the log nor an exported story records them.
BOOKKEEPING_ACTIONS = frozenset(
    {"action_listen", "action_session_start", "action_extract_slots", "action_validate_slot_mappings"}
)
# A bot message's metadata key listing the catalog items it showed (actions set it, the log records impressions).
ITEMS_KEY = "parley_items"


class EventWriter(Protocol):
    """Writes one Rasa event (a dict in Rasa's JSON format) to the log; raises if it cannot."""

    def write(self, event: Mapping[str, Any]) -> None:
        """Applies one event; events outside `TURN_EVENTS` are ignored."""


def is_turn_event(event: Mapping[str, Any]) -> bool:
    """Whether the event belongs in the interaction log (a turn's event, with a conversation)."""
    return bool(event.get("sender_id")) and event.get("event") in TURN_EVENTS


def drain(spool: Spool, writer: EventWriter) -> int:
    """Writes the spooled events through `writer`, oldest first, and empties the spool; returns how many.

    If the writer fails midway, the events not yet written go back to the spool, in order and ahead of anything
    appended meanwhile, and the error propagates, so the caller can spool the event in hand behind them and the
    log keeps the conversation's order. Only one process drains at a time (`SpoolBusy` for the others).
    """
    with spool.drain_lock():
        events = spool.take()
        for position, event in enumerate(events):
            try:
                writer.write(event)
            except Exception:
                spool.give_back(events[position:])
                raise
        spool.done()
    return len(events)
