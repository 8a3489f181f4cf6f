"""EASE in the MovieLens benchmark: the closed form's defining properties on a tiny log."""

from __future__ import annotations

import numpy as np

from benchmarks.movielens import ease_scorer, ease_weights, validation_split


def test_ease_learns_co_occurrence_and_never_predicts_an_item_from_itself():
    train = {"u1": ["a", "b"], "u2": ["a", "b"], "u3": ["a", "b", "c"], "u4": ["c"]}
    index = {"a": 0, "b": 1, "c": 2}
    weights = ease_weights(train, index, penalty=0.5)
    assert np.allclose(np.diag(weights), 0.0)
    scores = ease_scorer(weights, {"new": ["a"]}, index)("new")
    assert scores[1] > scores[2]  # b goes with a; c mostly does not


def test_the_validation_split_takes_each_users_latest_tenth():
    fit, held = validation_split({"u1": [str(i) for i in range(20)], "u2": ["x"]})
    assert fit["u1"] == [str(i) for i in range(18)] and held == {"u1": {"18", "19"}}
