"""Rebuilds interaction-log rows that a crash lost, from the conversations in Rasa's SQL tracker store.

Each Rasa server writes the log from an in-memory queue (`core.turnlog`). Stopped normally it writes everything
first; killed outright (SIGKILL, the kernel's OOM killer, a lost machine) it loses what was queued, normally the
last turn or none. The turns themselves are safe in the tracker store, saved before the customer got the reply.
`reconcile` reads the tracker store's `events` table (Rasa's SQL schema, read as plain JSON: no Rasa import),
finds user messages whose `message_id` the log does not have, and writes those turns whole through the store's
writer. It is idempotent, and leaves alone turns younger than `older_than_s`, which a running writer may still
be about to write. `python -m store reconcile --tracker-url ...` runs it; the replicated profile runs it at start.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from store.db import Database
from store.events import StoreEventWriter
from store.schema import Interaction


def tracker_turns(tracker: Engine, since: float) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(conversation, the turn's events) for every user message since `since` (epoch seconds), oldest first."""
    query = text(
        "SELECT sender_id, data FROM events WHERE sender_id IN "
        "(SELECT DISTINCT sender_id FROM events WHERE type_name = 'user' AND timestamp >= :since) "
        "ORDER BY sender_id, id"
    )
    with tracker.connect() as connection:
        rows = connection.execute(query, {"since": since}).all()
    sender, turn = None, None
    for conversation, data in rows:
        event = {**json.loads(data), "sender_id": conversation}
        if conversation != sender or event.get("event") == "user":
            if turn:
                yield str(sender), turn
            sender, turn = conversation, ([event] if event.get("event") == "user" else None)
        elif turn is not None:
            turn.append(event)
    if turn:
        yield str(sender), turn


def reconcile(tracker: Engine, database: Database, since: float = 0.0, older_than_s: float = 60.0) -> int:
    """Writes the turns the tracker store has and the log lacks; returns how many."""
    cutoff = time.time() - older_than_s
    writer = StoreEventWriter(database)
    written = 0
    known: dict[str, set[str]] = {}
    for conversation, turn in tracker_turns(tracker, since):
        first = turn[0]
        message_id = first.get("message_id")
        if not message_id or float(first.get("timestamp") or 0) > cutoff:
            continue
        if conversation not in known:
            with database.session() as session:
                known[conversation] = set(
                    session.execute(
                        select(Interaction.message_id).where(Interaction.conversation_id == conversation)
                    ).scalars()
                )
        if str(message_id)[:64] in known[conversation]:
            continue
        writer.write_turn(turn)
        known[conversation].add(str(message_id)[:64])
        written += 1
    return written
