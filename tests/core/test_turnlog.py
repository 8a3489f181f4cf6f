"""The turn log's writer thread: order, outages, overflow and bad events, with an in-memory writer."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from core.events import BadEvent
from core.spool import Spool
from core.turnlog import BackgroundTurnLog, TurnLog


class ListWriter:
    """Keeps what it is given; `down` makes it fail like an unreachable database, `gate` makes it wait."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.down = False
        self.gate: threading.Event | None = None

    def write(self, event: Mapping[str, Any]) -> None:
        if self.gate is not None:
            assert self.gate.wait(30)
        if self.down:
            raise ConnectionError("database down")
        if event.get("text") == "poison":
            raise BadEvent("value too long")
        self.written.append(str(event["text"]))

    def write_turn(self, events) -> None:
        if any(e.get("text") == "poison" for e in events):
            raise BadEvent("value too long")  # all or nothing, as the store's transaction
        for event in events:
            self.write(event)


def events(*texts: str) -> list[dict[str, Any]]:
    return [{"sender_id": "c1", "event": "user", "text": t} for t in texts]


def make_log(tmp_path, writer: ListWriter, retry_s: float = 0.0) -> TurnLog:
    return TurnLog(writer, Spool(tmp_path / "spool.jsonl"), Spool(tmp_path / "dead.jsonl"), retry_s=retry_s)


def test_events_are_written_in_order_and_a_bad_one_is_set_aside(tmp_path):
    writer = ListWriter()
    background = BackgroundTurnLog(make_log(tmp_path, writer))
    for event in events("one", "poison", "two", "three"):
        background.publish(event)
    assert background.flush()
    assert writer.written == ["one", "two", "three"]
    [letter] = Spool(tmp_path / "dead.jsonl").read()
    assert (letter["event"]["text"], letter["error"]) == ("poison", "BadEvent: value too long")
    background.close()


def test_an_outage_spools_and_the_next_write_drains_in_order(tmp_path):
    writer = ListWriter()
    background = BackgroundTurnLog(make_log(tmp_path, writer))
    writer.down = True
    for event in events("one", "two"):
        background.publish(event)
    assert background.flush()
    assert [e["text"] for e in Spool(tmp_path / "spool.jsonl").read()] == ["one", "two"]
    writer.down = False
    background.publish(events("three")[0])
    assert background.flush()
    assert writer.written == ["one", "two", "three"]
    assert not Spool(tmp_path / "spool.jsonl").exists()


def test_during_the_back_off_events_are_spooled_without_knocking(tmp_path):
    clock = [100.0]
    writer = ListWriter()
    log = TurnLog(
        writer, Spool(tmp_path / "spool.jsonl"), Spool(tmp_path / "dead.jsonl"), retry_s=5, clock=lambda: clock[0]
    )
    writer.down = True
    log.apply(events("one")[0])
    writer.down = False  # back, but the log does not know yet
    log.apply(events("two")[0])
    assert writer.written == []
    clock[0] += 6
    log.apply(events("three")[0])
    assert writer.written == ["one", "two", "three"]


def test_a_full_queue_overflows_to_disk_and_nothing_is_lost_or_reordered(tmp_path):
    writer = ListWriter()
    writer.gate = threading.Event()
    background = BackgroundTurnLog(make_log(tmp_path, writer), capacity=3)
    texts = [f"m{i}" for i in range(20)]
    for event in events(*texts):
        background.publish(event)  # never blocks, although the writer is stuck and the queue holds 3
    assert background.overflow.exists()
    writer.gate.set()
    assert background.flush()
    background.publish(events("after")[0])
    assert background.flush()
    assert writer.written == [*texts, "after"]
    assert not background.overflow.exists()


def test_submitted_work_runs_after_what_was_queued_before_it(tmp_path):
    writer = ListWriter()
    background = BackgroundTurnLog(make_log(tmp_path, writer))
    seen: list[list[str]] = []
    for event in events("one", "two"):
        background.publish(event)
    background.submit(lambda: seen.append(list(writer.written)))
    assert background.flush()
    assert seen == [["one", "two"]]


def test_a_turn_with_a_bad_event_is_written_event_by_event(tmp_path):
    writer = ListWriter()
    log = make_log(tmp_path, writer)
    log.apply_turn(events("before", "poison", "after"))
    assert writer.written == ["before", "after"]
    [letter] = Spool(tmp_path / "dead.jsonl").read()
    assert letter["event"]["text"] == "poison"
