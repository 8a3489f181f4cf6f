"""An experiment's results from the log: per-person counts, intervals, the verdict and its warnings."""

from __future__ import annotations

import time

from experiments.definition import parse_experiment
from experiments.results import results
from store.events import StoreEventWriter
from tests.conftest import turn_events

EXPERIMENT = parse_experiment(
    {
        "id": "exp",
        "varies": "response",
        "target": "utter_greet",
        "metric": "handoff_rate",
        "start": "2026-01-01T00:00:00Z",
        "end": "2099-01-01T00:00:00Z",
        "arms": [{"name": "control", "share": 0.5}, {"name": "warm", "share": 0.5, "value": "Hey!"}],
    }
)


def _expose(writer, sender: str, arm: str) -> None:
    events = turn_events(sender, "hello")
    events[0]["timestamp"] = time.time()
    events[4]["metadata"]["parley_experiments"] = {"exp": arm}
    writer.write_turn(events)


def test_a_lopsided_split_is_flagged_and_no_winner_is_called(sqlite_database):
    writer = StoreEventWriter(sqlite_database)
    for n in range(40):
        _expose(writer, f"c{n}", "control")
    for n in range(5):
        _expose(writer, f"w{n}", "warm")
    _expose(writer, "old", "loud")  # an arm the experiment no longer has
    with sqlite_database.session() as session:
        found = results(session, EXPERIMENT)
    assert [(a.name, a.people, a.successes) for a in found.arms] == [("control", 40, 0), ("warm", 5, 0)]
    assert found.srm and found.verdict.winner is None
    assert found.verdict.message.startswith("Sample ratio mismatch (p = ")
    assert found.verdict.message.endswith(": control 40, warm 5); do not trust it")
    assert found.warnings == ["1 person was exposed to arm 'loud', which the experiment no longer has; left out."]
    assert found.arms[0].low < 1e-9 and 0.08 < found.arms[0].high < 0.09  # Wilson: 0 of 40 is not "exactly 0"
