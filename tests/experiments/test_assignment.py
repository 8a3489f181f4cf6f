"""Assignment: the same person always gets the same arm, and the shares hold over many people."""

from __future__ import annotations

import math
from datetime import datetime, timezone

from experiments.assignment import assign, bucket
from experiments.definition import Arm, Experiment


def experiment(shares: tuple[float, ...], name: str = "greeting-warmth") -> Experiment:
    arms = tuple(Arm(f"arm{i}", share) for i, share in enumerate(shares))
    start, end = datetime(2026, 12, 1, tzinfo=timezone.utc), datetime(2026, 12, 31, tzinfo=timezone.utc)
    return Experiment(name, "ranker", "click_through", arms, start, end)


def test_the_same_person_always_gets_the_same_arm():
    test = experiment((0.5, 0.5))
    first = [assign(test, str(person)).name for person in range(1000)]
    again = [assign(test, str(person)).name for person in reversed(range(1000))]
    assert first == list(reversed(again))
    assert assign(test, "42").name == assign(experiment((0.5, 0.5)), "42").name  # a new process, the same answer


def test_shares_hold_within_sampling_error_over_10000_people():
    """Each arm's count is within 4 standard deviations of its planned share (a false alarm once in 15,000 runs)."""
    shares = (0.5, 0.3, 0.2)
    test = experiment(shares)
    counts = {f"arm{i}": 0 for i in range(3)}
    for person in range(10_000):
        counts[assign(test, f"user-{person}").name] += 1
    for i, share in enumerate(shares):
        sd = math.sqrt(10_000 * share * (1 - share))
        assert abs(counts[f"arm{i}"] - 10_000 * share) < 4 * sd, counts


def test_experiments_split_people_independently():
    """Being in arm 0 of one experiment says nothing about the next: the buckets are uncorrelated."""
    first = [bucket("a", str(p)) < 0.5 for p in range(10_000)]
    second = [bucket("b", str(p)) < 0.5 for p in range(10_000)]
    both = sum(x and y for x, y in zip(first, second, strict=True))
    assert abs(both - 2_500) < 4 * math.sqrt(10_000 * 0.25 * 0.75)
