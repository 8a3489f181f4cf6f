"""The disk spool for events the store could not take: nothing is lost while the database is down.

One JSON line per Rasa event, appended (flushed and fsynced: the point is surviving a crash) by the event broker
when a write fails, and drained in order by `core.events.drain`, either by the broker once the database answers
again or by `python -m store replay`. The spool knows files, not databases.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

_lock = threading.Lock()


class Spool:
    """One spool file (`Settings.spool_path` by default; `$PARLEY_SPOOL` moves it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        """Whether anything may be waiting (the file is removed once drained)."""
        return self.path.exists()

    def append(self, event: Mapping[str, Any]) -> None:
        """Appends one event and fsyncs it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(event, default=str, ensure_ascii=False)
        with _lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def read(self) -> Iterator[dict[str, Any]]:
        """The spooled events, oldest first (a torn last line is skipped)."""
        if not self.path.exists():
            return
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                yield json.loads(line)
            except ValueError:
                continue

    def rewrite(self, events: list[dict[str, Any]]) -> None:
        """Replaces the spool with `events` (what is left after a partial drain)."""
        tmp = self.path.with_suffix(".tmp")
        lines = "".join(json.dumps(e, default=str, ensure_ascii=False) + "\n" for e in events)
        tmp.write_text(lines, encoding="utf-8")
        tmp.replace(self.path)

    def clear(self) -> None:
        """Removes the spool file (everything in it was written)."""
        self.path.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"Spool({str(self.path)!r})"
