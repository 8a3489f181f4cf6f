"""Writes turns to the interaction log off the caller's thread: a bounded queue feeding one writer thread.

Rasa publishes every tracker event from inside the tracker store's save, on the server's event loop. A database
write there (a locked SQLite file, a PostgreSQL server that does not answer) would stall every conversation the
process holds. So the broker only hands the event to `BackgroundTurnLog.publish`, which puts it on a queue and
returns; one thread applies the queue, in order, through `TurnLog`:

- the event is written (after whatever waits in the spool, so the log keeps each conversation's order);
- an event the store can never take (`BadEvent`) goes to the dead-letter file with its error and blocks nothing;
- during an outage the event goes to the disk spool and is written once the database answers again.

The queue is bounded, so a database that is slow for a long time costs memory no more than `capacity` events:
past that, events go to an overflow file on disk (`<spool>.overflow`) until the thread has emptied the queue; it
then applies the overflow, oldest first, before anything queued after it, so none is dropped or reordered. During
an outage the thread does not knock on the database for every event: it spools for `retry_s` after a failure,
so a dead server costs an fsync per event, not a connection timeout. Neither class knows Rasa or SQLAlchemy:
events are Rasa's JSON dicts and the writer is any `EventWriter`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from core.events import BadEvent, EventWriter, drain, set_aside
from core.spool import Spool, SpoolBusy

logger = logging.getLogger(__name__)

DEFAULT_CAPACITY = 10_000
_STOP = object()


class TurnLog:
    """Applies one event at a time: write, or set aside if bad, or spool if the store is down. Never raises.

    Logs name the conversation and the error's type, never the customer's text.
    """

    def __init__(
        self,
        writer: EventWriter,
        spool: Spool,
        dead_letters: Spool,
        retry_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.writer = writer
        self.spool = spool
        self.dead_letters = dead_letters
        self.retry_s = retry_s
        self._clock = clock
        self._spooled = spool.exists()
        self._failed_at: float | None = None

    def apply(self, event: Mapping[str, Any]) -> None:
        """Writes `event` behind anything spooled; spools it during an outage; sets it aside if it is bad."""
        self.apply_turn([event])

    def apply_turn(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Writes one turn's events together, behind anything spooled; never raises.

        During an outage the events are spooled, in order. If the turn holds a bad event, the events are written
        one by one instead, so only the bad one is set aside.
        """
        if not events:
            return
        if self._failed_at is not None and self._clock() - self._failed_at < self.retry_s:
            for event in events:
                self.spool_it(event, "still unavailable", quiet=True)
            return
        try:
            if self._spooled:
                written = drain(self.spool, self.writer, self.dead_letters)
                self._spooled = False
                self._failed_at = None
                if written:
                    logger.info("Interaction log is back; wrote %d spooled event(s)", written)
            self.writer.write_turn(events)
        except BadEvent as error:
            if len(events) > 1:
                for position, event in enumerate(events):
                    if not self._write_one(event):
                        for rest in events[position + 1 :]:
                            self.spool_it(rest, "unavailable", quiet=True)
                        return
                return
            self._set_aside(events[0], error)
        except SpoolBusy:
            # `python -m store replay` is draining the spool right now: queue these behind what it drains.
            for event in events:
                self.spool_it(event, "the spool is being replayed")
        except Exception as error:
            self._failed_at = self._clock()
            for event in events:
                self.spool_it(event, type(error).__name__)

    def _write_one(self, event: Mapping[str, Any]) -> bool:
        """Writes one event; sets it aside if bad; spools it and returns False on an outage."""
        try:
            self.writer.write(event)
        except BadEvent as error:
            self._set_aside(event, error)
        except Exception as error:
            self._failed_at = self._clock()
            self.spool_it(event, type(error).__name__)
            return False
        return True

    def _set_aside(self, event: Mapping[str, Any], error: BadEvent) -> None:
        logger.error(
            "A %s event of %s cannot be stored (%s); set aside in %s",
            event.get("event"),
            event.get("sender_id"),
            type(error.__cause__ or error).__name__,
            self.dead_letters.path,
        )
        try:
            set_aside(self.dead_letters, event, error)
        except Exception:
            logger.exception("Could not set the event aside either; it remains in the tracker store")

    def spool_it(self, event: Mapping[str, Any], why: str, quiet: bool = False) -> None:
        """Puts the event in the spool, to be written before the next one."""
        if not quiet:
            logger.error("Interaction log unavailable (%s); event spooled to %s", why, self.spool.path)
        try:
            self.spool.append(event)
            self._spooled = True
        except Exception:
            logger.exception("Could not spool event either; it remains in the tracker store")


class BackgroundTurnLog:
    """A `TurnLog` run by one daemon thread behind a bounded queue (see the module docstring)."""

    def __init__(self, log: TurnLog, capacity: int = DEFAULT_CAPACITY, name: str = "parley-turn-log") -> None:
        self.log = log
        self.overflow = Spool(log.spool.path.with_name(log.spool.path.name + ".overflow"))
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=capacity)
        self._lock = threading.Lock()
        self._overflowing = self.overflow.exists()  # left by a previous run: applied before anything new
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def publish(self, event: Mapping[str, Any]) -> None:
        """Queues one event (a turn of its own) and returns at once; see `publish_turn`."""
        self.publish_turn([event])

    def publish_turn(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Queues one turn's events to be written together (`TurnLog.apply_turn`) and returns at once.

        When the queue is full they go to the overflow file instead, in order.
        """
        with self._lock:
            if not self._overflowing:
                try:
                    self._queue.put_nowait([dict(e) for e in events])
                    return
                except queue.Full:
                    self._overflowing = True
                    logger.warning("The interaction log is %d turns behind; overflowing to disk", self._queue.maxsize)
            for event in events:
                try:
                    self.overflow.append(event)
                except Exception:
                    logger.exception("Could not write the overflow file; the event remains in the tracker store")

    def submit(self, task: Callable[[], None]) -> None:
        """Runs `task` on the writer thread after every event queued before it (erasure uses it, so it comes last)."""
        self._queue.put(task)

    def flush(self, timeout: float = 30.0) -> bool:
        """Waits until everything published so far is applied; returns False on timeout."""
        done = threading.Event()
        self._queue.put(done.set)
        return done.wait(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Applies what is queued, then stops the thread (what it could not reach in time stays in the tracker)."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        self._catch_up()
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                if callable(item):
                    item()
                else:
                    self.log.apply_turn(item)
            except Exception:
                logger.exception("The interaction log's writer failed on one item; going on")
            if self._queue.empty():
                self._catch_up()

    def _catch_up(self) -> None:
        """Applies the overflow once the queue is empty (newer than all the queue held, older than what follows)."""
        with self._lock:
            if not self._overflowing:
                return
            events = self.overflow.take()
            self._overflowing = False
        for event in events:
            self.log.apply(event)
        self.overflow.done()
