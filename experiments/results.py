"""An experiment's results as the console shows them: per arm, people, successes, rate, interval and p-value.

The counts come from the interaction log (`store.impressions.arm_counts`: people, because people are what is
randomised); the statistics from `experiments.stats`. One function, so the console page and the report command
show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from experiments.definition import Experiment
from experiments.stats import SRM_ALPHA, ArmResult, Verdict, verdict
from store.impressions import arm_counts

METRIC_NAMES = {
    "click_through": "opened a pick",
    "handoff_rate": "went to a person",
    "next_turn_sentiment": "next message not negative",
    "resolved_without_person": "resolved without a person",
}


@dataclass(frozen=True)
class ArmRow:
    """One arm's line in the results table."""

    name: str
    share: float
    value: str | None
    people: int
    successes: int
    rate: float
    low: float
    high: float
    p_value: float | None  # None for the control


@dataclass(frozen=True)
class Results:
    """Everything the results page shows."""

    experiment: Experiment
    arms: list[ArmRow]
    verdict: Verdict
    srm: bool
    warnings: list[str]


def results(session: Session, experiment: Experiment) -> Results:
    """The experiment's results now (exposures in arms it no longer has are left out, with a warning)."""
    counts = arm_counts(session, experiment.id, experiment.metric)
    measured = [ArmResult(arm.name, *counts.get(arm.name, (0, 0))) for arm in experiment.arms]
    judged = verdict(measured, experiment.shares, planned=experiment.sample_per_arm)
    rows = []
    for arm, result in zip(experiment.arms, measured, strict=True):
        low, high = result.interval()
        rows.append(
            ArmRow(
                arm.name,
                arm.share,
                arm.value,
                result.exposures,
                result.successes,
                result.rate,
                low,
                high,
                judged.p_values.get(arm.name),
            )
        )
    warnings = [
        f"{people} {'person was' if people == 1 else 'people were'} exposed to arm {name!r}, which the experiment "
        "no longer has; left out."
        for name, (people, _) in sorted(counts.items())
        if name not in {arm.name for arm in experiment.arms}
    ]
    return Results(experiment, rows, judged, judged.srm_p < SRM_ALPHA, warnings)
