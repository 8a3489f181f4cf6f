"""Retraining the click model from the impression log, behind a gate.

A new model replaces the served one only if it predicts the newest clicks at least as well.
The log is split by time: the oldest 80% of impressions train, the newest 20% test (what the model will face is
the future, not a random sample of the past). The candidate's AUC on the test part is compared with the served
model's on the same impressions; the candidate is then refitted on the whole log and saved. Too small a log is
not trained on at all: a click model from a few dozen clicks would only add noise to the blend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from recommender.clicks import ClickModel, Impression, auc

MIN_IMPRESSIONS = 500
MIN_CLICKS = 20
TEST_SHARE = 0.2
# A candidate may be this much worse in AUC than the served model and still replace it (noise on a small test).
TOLERANCE = 0.01


class Logged(Protocol):
    """One logged impression (`store.impressions.LoggedImpression` is one)."""

    features: list[float]
    position: int
    clicked: bool


@dataclass(frozen=True)
class Outcome:
    """What a retrain did, for the command's report."""

    promoted: bool
    message: str
    impressions: int = 0
    clicks: int = 0
    candidate_auc: float | None = None
    served_auc: float | None = None


def retrain_click_model(log: Sequence[Logged], path: Path, kind: str = "trees", seed: int = 0) -> Outcome:
    """Trains a candidate on the log, gates it against the model at `path`, and saves it there if it passes.

    Args:
        log: impressions, oldest first.
        path: where the served click model lives (the action server re-reads it when it changes).
        kind: the click model's kind (`recommender.clicks.KINDS`).
        seed: the model's random state.
    """
    impressions = [Impression(list(i.features), i.position, bool(i.clicked)) for i in log]
    clicks = sum(i.clicked for i in impressions)
    if len(impressions) < MIN_IMPRESSIONS or clicks < MIN_CLICKS:
        return Outcome(
            False,
            f"not enough to learn from yet: {len(impressions)} impressions with {clicks} clicks "
            f"(needs {MIN_IMPRESSIONS} and {MIN_CLICKS})",
            len(impressions),
            clicks,
        )
    cut = int(len(impressions) * (1 - TEST_SHARE))
    train, test = impressions[:cut], impressions[cut:]
    labels = [i.clicked for i in test]
    if not any(labels) or all(labels) or not any(i.clicked for i in train):
        return Outcome(False, "the newest impressions have no clicks (or nothing else) to test on", len(log), clicks)
    features = np.array([list(i.features) for i in test])
    positions = [i.position for i in test]
    candidate_auc = auc(labels, ClickModel.fit(train, kind, seed).probability(features, positions))
    served_auc = None
    if path.exists():
        try:
            served_auc = auc(labels, ClickModel.load(path).probability(features, positions))
        except ValueError:
            served_auc = None  # unreadable or stale: anything trained beats it
    if served_auc is not None and candidate_auc < served_auc - TOLERANCE:
        return Outcome(
            False,
            f"the served model stays: AUC {served_auc:.3f} against the candidate's {candidate_auc:.3f} on the newest "
            f"{len(test)} impressions",
            len(impressions),
            clicks,
            candidate_auc,
            served_auc,
        )
    ClickModel.fit(impressions, kind, seed).save(path)
    against = f" (served: {served_auc:.3f})" if served_auc is not None else " (none served before)"
    return Outcome(
        True,
        f"click model trained on {len(impressions)} impressions, {clicks} clicks: AUC {candidate_auc:.3f} on the "
        f"newest {len(test)}{against}; saved to {path}",
        len(impressions),
        clicks,
        candidate_auc,
        served_auc,
    )
