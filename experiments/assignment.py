"""Which arm a person is in: a hash of the experiment and the person, so the answer never changes.

No state is stored and nothing about the person is used but their id (the store's user id, the same on every
channel they are recognised on, so assignment is sticky across channels). Assignment is not profiling: people who
opted out of personalisation are assigned like everyone else, and public comments count too.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from experiments.definition import Arm, Experiment


def bucket(experiment_id: str, person_id: str) -> float:
    """A number in [0, 1), uniform over people and independent between experiments (SHA-256 of both ids)."""
    digest = hashlib.sha256(f"{experiment_id}\x1f{person_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(experiment: Experiment, person_id: str) -> Arm:
    """The person's arm: the one whose slice of [0, 1), laid out in the arms' order by share, holds their bucket."""
    point = bucket(experiment.id, person_id)
    edge = 0.0
    for arm in experiment.arms:
        edge += arm.share
        if point < edge:
            return arm
    return experiment.arms[-1]  # the shares' rounding can leave the top sliver uncovered


def arm_for(experiment: Experiment, person_id: str, now: datetime) -> tuple[Arm, bool]:
    """The arm this person gets now, and whether the reply counts as an exposure.

    - promoted (a winner is set): everyone gets the winner, nobody is counted;
    - running: the person's assigned arm, counted;
    - stopped, or outside its start and end: everyone gets the control (the first arm), nobody is counted.
    """
    if experiment.winner is not None:
        return experiment.arm(experiment.winner), False
    if experiment.is_running(now):
        return assign(experiment, person_id), True
    return experiment.arms[0], False
