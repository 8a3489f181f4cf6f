"""The event-writing contract: what a Rasa event means to the interaction log, and the one spool drain.

Rasa's event broker hands every tracker event to an `EventWriter` (the store's is `store.events.StoreEventWriter`).
Only the events in `TURN_EVENTS` say something about a turn; the rest are ignored. When the writer fails, the
event waits in the disk spool (`core.spool`), and `drain` writes the spool back in order: the broker calls it
before its next write, `python -m store replay` calls it by hand. Neither knows Rasa's classes: events are the
plain dicts of Rasa's JSON format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from core.spool import Spool

TURN_EVENTS = frozenset({"user", "action", "bot", "pause", "resume"})
# Rasa's bookkeeping actions: not answers, so neither the log nor an exported story records them.
BOOKKEEPING_ACTIONS = frozenset(
    {"action_listen", "action_session_start", "action_extract_slots", "action_validate_slot_mappings"}
)
# The key under which the spool gives every event an id, so a replay can skip what is already in the log.
EVENT_ID_KEY = "parley_event_id"
# A bot message's metadata key listing the catalog items it showed (actions set it, the log records impressions).
ITEMS_KEY = "parley_items"
# A bot message's metadata key for what each shown item was shown with: a list of {"item", "position",
# "features", "ranker"} (the click model's log).
IMPRESSIONS_KEY = "parley_impressions"
# A bot message's metadata key naming the experiment arms that shaped it: {experiment id: arm name}.
EXPOSURES_KEY = "parley_experiments"
# A bot message's metadata key set only by `action_delete_my_data` once the profile is erased: the conversation
# ids whose every other copy (tracker, spool, log) must go too.
ERASURE_KEY = "parley_erasure"
ERASURE_ACTION = "action_delete_my_data"


class BadEvent(ValueError):
    """The event can never be written as it is (a data error, not an outage): retrying will not help.

    Writers raise it so that one bad event is set aside in the dead-letter file instead of blocking every event
    behind it. Anything else a writer raises is taken for an outage, and the event waits in the spool.
    """


class EventWriter(Protocol):
    """Writes Rasa events (dicts in Rasa's JSON format) to the log; raises if it cannot."""

    def write(self, event: Mapping[str, Any]) -> None:
        """Applies one event; events outside `TURN_EVENTS` are ignored; raises `BadEvent` for a data error."""

    def write_turn(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Applies one turn's events together (all or none); raises as `write` does."""


def is_turn_event(event: Mapping[str, Any]) -> bool:
    """Whether the event belongs in the interaction log (a turn's event, with a conversation)."""
    return bool(event.get("sender_id")) and event.get("event") in TURN_EVENTS


def erased_conversations(event: Mapping[str, Any]) -> list[str] | None:
    """The conversations a bot event says were erased (see `ERASURE_KEY`), else None."""
    if event.get("event") != "bot":
        return None
    metadata = event.get("metadata")
    ids = metadata.get(ERASURE_KEY) if isinstance(metadata, Mapping) else None
    if not isinstance(ids, list):
        return None
    return [str(i) for i in ids if i]


def set_aside(dead_letters: Spool, event: Mapping[str, Any], error: BaseException) -> None:
    """Puts a bad event in the dead-letter file with why it failed (the error's type and message, never the text)."""
    cause = error.__cause__ or error
    dead_letters.append({"event": dict(event), "error": f"{type(cause).__name__}: {str(cause)[:300]}"})


def drain(spool: Spool, writer: EventWriter, dead_letters: Spool | None = None) -> int:
    """Writes the spooled events through `writer`, oldest first, and empties the spool; returns how many.

    An event the writer rejects as bad (`BadEvent`) goes to `dead_letters` and the drain goes on. If the writer
    fails otherwise (an outage), the events not yet written go back to the spool, in order and ahead of anything
    appended meanwhile, and the error propagates, so the caller can spool the event in hand behind them and the
    log keeps the conversation's order. Only one process drains at a time (`SpoolBusy` for the others).
    """
    with spool.drain_lock():
        events = spool.take()
        for position, event in enumerate(events):
            try:
                writer.write(event)
            except BadEvent as error:
                if dead_letters is None:
                    spool.give_back(events[position:])
                    raise
                set_aside(dead_letters, event, error)
            except Exception:
                spool.give_back(events[position:])
                raise
        spool.done()
    return len(events)


def retry_set_aside(dead_letters: Spool, writer: EventWriter) -> tuple[int, int]:
    """Writes the dead-lettered events again (after a fix); returns (written, still bad).

    Those that are still bad stay in the file with their new error; an outage puts the rest back and propagates.
    """
    written, still_bad = 0, []
    with dead_letters.drain_lock():
        letters = dead_letters.take()
        for position, letter in enumerate(letters):
            try:
                writer.write(letter.get("event") or {})
                written += 1
            except BadEvent as error:
                cause = error.__cause__ or error
                still_bad.append({**letter, "error": f"{type(cause).__name__}: {str(cause)[:300]}"})
            except Exception:
                dead_letters.give_back(still_bad + letters[position:])
                raise
        if still_bad:
            dead_letters.give_back(still_bad)
        else:
            dead_letters.done()
    return written, len(still_bad)
