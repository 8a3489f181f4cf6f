"""Experiment files: what loads, and errors that name the experiment and the field."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from experiments.assignment import arm_for, assign
from experiments.definition import ExperimentError, dump_experiments, load_experiments, parse_experiment

GOOD = """
experiments:
  - id: greeting-warmth
    varies: response
    target: utter_greet
    metric: click_through
    start: 2026-12-01T00:00:00Z
    end: 2026-12-31T00:00:00Z
    arms:
      - {name: control, share: 0.5}
      - {name: warm, share: 0.5, value: "Hey there! What are you after today?"}
"""


def test_an_experiment_file_loads(tmp_path):
    path = tmp_path / "experiments.yml"
    path.write_text(GOOD)
    [experiment] = load_experiments(path)
    assert (experiment.id, experiment.varies, experiment.target, experiment.shares) == (
        "greeting-warmth",
        "response",
        "utter_greet",
        (0.5, 0.5),
    )
    assert experiment.arms[1].value == "Hey there! What are you after today?"
    assert experiment.is_running(datetime(2026, 12, 15, tzinfo=timezone.utc))
    assert not experiment.is_running(datetime(2026, 12, 31, tzinfo=timezone.utc))
    assert load_experiments(tmp_path / "none.yml") == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"varies": "colour"}, "experiment x: varies must be one of response, ranker, not 'colour'"),
        ({"target": None}, "experiment x: a response experiment needs the response's name in target"),
        (
            {"metric": "likes"},
            "experiment x: metric must be one of click_through, handoff_rate, next_turn_sentiment, "
            "resolved_without_person, not 'likes'",
        ),
        (
            {"arms": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}]},
            "experiment x: the arms' shares add up to 0.9, not 1",
        ),
        ({"arms": [{"name": "a", "share": 1}]}, "experiment x: needs at least two arms"),
        ({"end": "2026-11-01T00:00:00Z"}, "experiment x: end is not after start"),
        ({"start": "soon"}, "experiment x: start: not a date and time: 'soon'"),
        ({"status": "paused"}, "experiment x: status must be one of running, stopped, not 'paused'"),
        ({"winner": "loud"}, "experiment x: winner 'loud' is not one of its arms"),
        ({"sample_per_arm": 0}, "experiment x: sample_per_arm must be a whole number from 1, not 0"),
        (
            {"varies": "ranker", "arms": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5, "value": "ml"}]},
            "experiment x: arm b names ranker 'ml'; it must be one of blend, clicks",
        ),
    ],
)
def test_a_bad_experiment_is_refused_with_a_clear_error(change, message):
    raw = {
        "id": "x",
        "varies": "response",
        "target": "utter_greet",
        "metric": "click_through",
        "start": "2026-12-01T00:00:00Z",
        "end": "2026-12-31T00:00:00Z",
        "arms": [{"name": "control", "share": 0.5}, {"name": "warm", "share": 0.5}],
        **change,
    }
    with pytest.raises(ExperimentError) as error:
        parse_experiment(raw)
    assert str(error.value) == message


def test_the_file_round_trips_through_dump(tmp_path):
    path = tmp_path / "experiments.yml"
    path.write_text(GOOD)
    [experiment] = load_experiments(path)
    stopped = parse_experiment({**experiment.as_dict(), "status": "stopped", "winner": "warm", "sample_per_arm": 900})
    dump_experiments(path, [stopped])
    assert load_experiments(path) == [stopped]
    assert path.read_text().startswith("# Parley's experiments (README: Experiments).")
    with pytest.raises(ExperimentError, match="experiment greeting-warmth: defined twice"):
        dump_experiments(path, [stopped, stopped])


def test_which_arm_applies_running_stopped_promoted_or_out_of_dates(tmp_path):
    path = tmp_path / "experiments.yml"
    path.write_text(GOOD)
    [experiment] = load_experiments(path)
    during, after = datetime(2026, 12, 15, tzinfo=timezone.utc), datetime(2027, 1, 2, tzinfo=timezone.utc)
    people = [f"rest:p{n}" for n in range(50)]
    assert [arm_for(experiment, p, during) for p in people] == [(assign(experiment, p), True) for p in people]
    control = experiment.arms[0]
    assert {arm_for(experiment, p, after) for p in people} == {(control, False)}
    stopped = parse_experiment({**experiment.as_dict(), "status": "stopped"})
    assert {arm_for(stopped, p, during) for p in people} == {(control, False)}
    promoted = parse_experiment({**experiment.as_dict(), "status": "stopped", "winner": "warm"})
    assert {arm_for(promoted, p, during) for p in people} == {(experiment.arms[1], False)}
