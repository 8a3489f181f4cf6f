"""The disk spool for events the store could not take: nothing is lost while the database is down.

One JSON line per Rasa event, appended by the event broker when a write fails and drained in order by
`core.events.drain`, either by the broker once the database answers again or by `python -m store replay`. The
spool knows files, not databases. What it promises:

- a line is one event: JSON is written with every non-ASCII character escaped, so a message containing U+2028,
  U+2029 or U+0085 cannot be split into two lines; only a newline ends a line;
- a torn last line (the process died mid-write) is skipped, and the next append starts on a new line, so it
  cannot swallow the next event;
- every spooled event has an id (`parley_event_id`), so writers can skip one they already applied;
- an append returns only once the line is on disk (fsync); rewrites are atomic and fsync the file and its folder;
- appends and drains from several processes take a file lock (`<spool>.lock`): a drain moves the spool aside
  (`<spool>.draining`) before writing it, so what the broker appends meanwhile goes to a fresh spool and is never
  deleted; only one process drains at a time (`<spool>.drain.lock`), the others see `SpoolBusy`.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class SpoolBusy(RuntimeError):
    """Another process is draining this spool right now."""


def _line(event: Mapping[str, Any]) -> str:
    return json.dumps(event, default=str, ensure_ascii=True) + "\n"


def _parse(text: str) -> list[dict[str, Any]]:
    events = []
    for line in text.split("\n"):
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a torn line, or the empty piece after the last newline
        if isinstance(event, dict):
            events.append(event)
    return events


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_atomically(path: Path, events: list[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write("".join(_line(e) for e in events))
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    _fsync_dir(path.parent)


class Spool:
    """One spool file (`Settings.spool_path` by default; `$PARLEY_SPOOL` moves it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.draining = path.with_name(path.name + ".draining")

    @contextmanager
    def _locked(self, suffix: str = ".lock", blocking: bool = True) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + suffix), "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                raise SpoolBusy(f"another process is draining {self.path}") from None
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def exists(self) -> bool:
        """Whether anything may be waiting (including a drain that was interrupted)."""
        return self.path.exists() or self.draining.exists()

    def append(self, event: Mapping[str, Any]) -> None:
        """Appends one event and fsyncs it (after a torn last line, on a new line).

        An event without an id gets one (`parley_event_id`): writers record it, so a replay after a crash in the
        middle of a drain writes each event once.
        """
        if "parley_event_id" not in event:
            event = {**event, "parley_event_id": uuid.uuid4().hex}
        with self._locked():
            with self.path.open("ab") as handle:
                if handle.tell() > 0:
                    with self.path.open("rb") as reader:
                        reader.seek(-1, os.SEEK_END)
                        if reader.read(1) != b"\n":
                            handle.write(b"\n")
                handle.write(_line(event).encode("ascii"))
                handle.flush()
                os.fsync(handle.fileno())

    def read(self) -> list[dict[str, Any]]:
        """The spooled events, oldest first (an interrupted drain's events come before newer ones)."""
        found = []
        for path in (self.draining, self.path):
            if path.exists():
                found += _parse(path.read_text(encoding="utf-8"))
        return found

    @contextmanager
    def drain_lock(self) -> Iterator[None]:
        """Held for a whole drain; raises `SpoolBusy` if another process holds it."""
        with self._locked(".drain.lock", blocking=False):
            yield

    def take(self) -> list[dict[str, Any]]:
        """Moves every waiting event aside for a drain; appends from now on start a fresh spool."""
        with self._locked():
            events = self.read()
            if events or self.draining.exists():
                _write_atomically(self.draining, events)
            self.path.unlink(missing_ok=True)
        return events

    def give_back(self, events: list[dict[str, Any]]) -> None:
        """Puts what a failed drain did not write back in front of whatever was appended meanwhile."""
        with self._locked():
            newer = _parse(self.path.read_text(encoding="utf-8")) if self.path.exists() else []
            _write_atomically(self.path, events + newer)
            self.draining.unlink(missing_ok=True)

    def done(self) -> None:
        """Forgets the events a drain wrote."""
        with self._locked():
            self.draining.unlink(missing_ok=True)

    def remove_where(self, doomed: Callable[[dict[str, Any]], bool]) -> int:
        """Deletes the waiting events `doomed` picks (erasure), keeping the rest in order; returns how many went."""
        removed = 0
        with self._locked():
            for path in (self.draining, self.path):
                if not path.exists():
                    continue
                events = _parse(path.read_text(encoding="utf-8"))
                kept = [e for e in events if not doomed(e)]
                if len(kept) != len(events):
                    removed += len(events) - len(kept)
                    _write_atomically(path, kept)
        return removed

    def clear(self) -> None:
        """Removes everything waiting (tests, and erasure of a whole spool)."""
        with self._locked():
            self.path.unlink(missing_ok=True)
            self.draining.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"Spool({str(self.path)!r})"
