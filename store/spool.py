"""A disk spool for turns the database could not take: nothing is lost while the store is down.

When a write fails, the event broker appends the Rasa event as one JSON line to `var/spool/events.jsonl`;
`python -m store replay` feeds the lines back through the broker's logic once the database is reachable again.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from store.db import PROJECT_ROOT

_lock = threading.Lock()


def spool_path() -> Path:
    """`$PARLEY_SPOOL` or `var/spool/events.jsonl` in the project."""
    return Path(os.environ.get("PARLEY_SPOOL") or PROJECT_ROOT / "var" / "spool" / "events.jsonl")


def append(event: Mapping[str, Any], path: Path | None = None) -> None:
    """Appends one event (flushed and fsynced: the point is surviving a crash)."""
    path = path or spool_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(event, default=str, ensure_ascii=False)
    with _lock, path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read(path: Path | None = None) -> Iterator[dict[str, Any]]:
    """The spooled events, oldest first (a torn last line is skipped)."""
    path = path or spool_path()
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            yield json.loads(line)
        except ValueError:
            continue


def rewrite(events: list[dict[str, Any]], path: Path | None = None) -> None:
    """Replaces the spool with `events` (what is left after a partial replay)."""
    path = path or spool_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(e, default=str, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    tmp.replace(path)


def replay(url: str | None = None, path: Path | None = None) -> int:
    """Writes spooled events to the database in order, then empties the spool; returns how many were loaded.

    If the database fails midway, the events not yet written stay in the spool and the error propagates.
    """
    from bot.broker import EventWriter
    from store.db import Database

    path = path or spool_path()
    events = list(read(path))
    writer = EventWriter(Database(url))
    for position, event in enumerate(events):
        try:
            writer.write(event)
        except Exception:
            rewrite(events[position:], path)
            raise
    path.unlink(missing_ok=True)
    return len(events)
