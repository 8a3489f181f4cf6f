import pytest

from core.events import drain, is_turn_event
from core.spool import Spool


class Writer:
    """Records events; fails on the texts it is told to."""

    def __init__(self, fail_on: set[str] = frozenset()) -> None:
        self.written: list[str] = []
        self.fail_on = fail_on

    def write(self, event):
        if event.get("text") in self.fail_on:
            raise ConnectionError("database down")
        self.written.append(event["text"])


def events(*texts):
    return [{"event": "user", "sender_id": "c1", "text": t} for t in texts]


def test_drain_writes_in_order_and_empties_the_spool(tmp_path):
    spool = Spool(tmp_path / "spool" / "events.jsonl")
    for event in events("one", "two", "three"):
        spool.append(event)
    writer = Writer()
    assert drain(spool, writer) == 3
    assert writer.written == ["one", "two", "three"]
    assert not spool.exists()


def test_a_failing_write_keeps_the_rest_in_order(tmp_path):
    spool = Spool(tmp_path / "events.jsonl")
    for event in events("one", "two", "three"):
        spool.append(event)
    writer = Writer(fail_on={"two"})
    with pytest.raises(ConnectionError):
        drain(spool, writer)
    assert writer.written == ["one"]
    assert [e["text"] for e in spool.read()] == ["two", "three"]


def test_an_empty_spool_drains_to_nothing(tmp_path):
    assert drain(Spool(tmp_path / "missing.jsonl"), Writer()) == 0


def test_only_turn_events_with_a_conversation_belong_in_the_log():
    assert is_turn_event({"event": "user", "sender_id": "c1"})
    assert not is_turn_event({"event": "slot", "sender_id": "c1"})
    assert not is_turn_event({"event": "user", "sender_id": ""})


def test_line_separators_inside_messages_round_trip(tmp_path):
    spool = Spool(tmp_path / "events.jsonl")
    texts = ["one\u2028two", "three\u2029four", "five\u0085six", "seven\r\neight", "nine\x1cten"]
    for event in events(*texts):
        spool.append(event)
    assert [e["text"] for e in spool.read()] == texts


def test_a_torn_last_line_does_not_swallow_the_next_event(tmp_path):
    spool = Spool(tmp_path / "events.jsonl")
    spool.append(events("before")[0])
    with spool.path.open("a", encoding="utf-8") as handle:
        handle.write('{"event": "user", "sender_id": "c1", "text": "torn by a cra')  # the process died here
    spool.append(events("after")[0])
    assert [e["text"] for e in spool.read()] == ["before", "after"]


def test_events_appended_while_a_drain_runs_are_kept(tmp_path):
    """`store replay` beside the broker: what the broker spools during the drain must survive it."""
    spool = Spool(tmp_path / "events.jsonl")
    for event in events("one", "two"):
        spool.append(event)

    class AppendingWriter(Writer):
        def write(self, event):
            super().write(event)
            if event["text"] == "one":
                spool.append(events("arrived meanwhile")[0])

    writer = AppendingWriter()
    assert drain(spool, writer) == 2
    assert writer.written == ["one", "two"]
    assert [e["text"] for e in spool.read()] == ["arrived meanwhile"]


def test_after_a_failed_drain_the_rest_stays_ahead_of_newer_events(tmp_path):
    spool = Spool(tmp_path / "events.jsonl")
    for event in events("one", "two", "three"):
        spool.append(event)

    class FailingWriter(Writer):
        def write(self, event):
            if event["text"] == "two":
                spool.append(events("newer")[0])
                raise ConnectionError("database down")
            super().write(event)

    with pytest.raises(ConnectionError):
        drain(spool, FailingWriter())
    assert [e["text"] for e in spool.read()] == ["two", "three", "newer"]


def test_remove_where_erases_a_senders_waiting_events_and_keeps_the_rest_in_order(tmp_path):
    spool = Spool(tmp_path / "spool.jsonl")
    for sender, text in [("a", "1"), ("b", "2"), ("a", "3"), ("c", "4")]:
        spool.append({"sender_id": sender, "event": "user", "text": text})
    assert spool.remove_where(lambda e: e["sender_id"] == "a") == 2
    assert [e["text"] for e in spool.read()] == ["2", "4"]
