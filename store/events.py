"""The store's `EventWriter`: turns Rasa events into interaction-log rows.

- `user` -> a new row with the text, intent, confidence, entities and sentiment (and the user, created on sight);
- `action` -> the first answering action of the turn;
- `bot` -> the reply text, plus the catalog items the message showed (actions pass them as `parley_items`), with
  their positions and ranking features (`parley_impressions`) and the experiment arms that shaped the reply
  (`parley_experiments`);
- `pause` / `resume` -> the conversation's handoff state in the inbox (`core.handoff`);
- `bot` confirming an erasure (`core.events.ERASURE_KEY`) -> the erased conversations' rows, the deletion turn's
  included, are deleted and the inbox keeps only the record (`store.erasure`).

No Rasa import: events are Rasa's JSON dicts, so `python -m store replay` works without loading Rasa.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, StatementError
from sqlalchemy.orm import Session

from core.events import (
    EVENT_ID_KEY,
    EXPOSURES_KEY,
    IMPRESSIONS_KEY,
    ITEMS_KEY,
    BadEvent,
    erased_conversations,
    is_turn_event,
)
from core.identity import identity_from
from store.db import Database, insert_once, scrub
from store.erasure import erase_conversations
from store.impressions import record_exposures, record_impressions
from store.interactions import (
    latest_interaction,
    record_action,
    record_bot_reply,
    record_pause,
    record_user_turn,
)
from store.schema import MAX_CONVERSATION_ID, AppliedEvent, Interaction


class StoreEventWriter:
    """Writes one Rasa event to the store in its own unit of work (raises if the database fails)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def write(self, event: Mapping[str, Any]) -> None:
        """Applies one event; events that say nothing about a turn are ignored (see `write_turn` for the errors)."""
        self.write_turn([event])

    def write_turn(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Applies one turn's events in one transaction; actions and replies go to that turn's own row.

        With several Rasa replicas, two turns of one conversation can reach the log out of order (each replica
        has its own writer); a turn written whole cannot have its reply attached to the other's message.

        Raises:
            BadEvent: the event cannot be written as it is (bad values, a column limit, a constraint); retrying
                will not help, so the caller sets it aside.
            Exception: anything else, e.g. the database is unreachable; the caller keeps the event for later.
        """
        events = [e for e in events if is_turn_event(e)]
        if not events:
            return
        try:
            with self.database.session() as session:
                turn: Interaction | None = None
                erased = False
                for event in events:
                    turn = self._apply(session, event, turn)
                    erased = erased or erased_conversations(event) is not None
            if erased:
                scrub(self.database.engine)
        except (OperationalError, InterfaceError, DisconnectionError):
            raise  # an outage: unreachable, locked, connection lost
        except DBAPIError as error:
            if error.connection_invalidated:
                raise
            raise BadEvent("the database refused the event's values") from error
        except (StatementError, ValueError, TypeError, OverflowError) as error:
            raise BadEvent("the event's values cannot be stored") from error

    def _apply(self, session: Session, event: Mapping[str, Any], turn: Interaction | None) -> Interaction | None:
        """Applies one event inside the turn's transaction; returns the turn's row (created by its user event)."""
        kind = event.get("event")
        sender = str(event.get("sender_id"))[:MAX_CONVERSATION_ID]  # the channels bound it; this is the last guard
        event_id = event.get(EVENT_ID_KEY)
        # recorded in the same transaction as the effect, so the two never disagree
        if event_id is not None and not insert_once(session, AppliedEvent(event_id=str(event_id)[:64])):
            return turn  # a replay of an event this log already has
        erased = erased_conversations(event)
        if kind == "user":
            return record_user_turn(
                session,
                sender,
                identity_from(sender, event.get("input_channel"), event.get("metadata")),
                event.get("text"),
                event.get("parse_data"),
                event.get("message_id"),
                event.get("timestamp"),
            )
        if kind == "action":
            record_action(session, sender, str(event.get("name") or ""), turn)
        elif kind in ("pause", "resume"):
            record_pause(session, sender, paused=kind == "pause")
        elif erased is not None:
            # the confirmation of an erasure: the deletion turn goes too, and only the record stays
            erase_conversations(session, [*erased, sender], record_for=sender)
            return None
        else:
            metadata = event.get("metadata")
            metadata = metadata if isinstance(metadata, Mapping) else {}
            items = metadata.get(ITEMS_KEY)
            record_bot_reply(session, sender, event.get("text"), items if isinstance(items, list) else [], turn)
            shown, arms = metadata.get(IMPRESSIONS_KEY), metadata.get(EXPOSURES_KEY)
            if shown or arms:
                row = turn if turn is not None else latest_interaction(session, sender)
                if row is not None and isinstance(shown, list):
                    record_impressions(session, row, shown)
                if row is not None and isinstance(arms, Mapping):
                    record_exposures(session, row, arms)
        return turn
