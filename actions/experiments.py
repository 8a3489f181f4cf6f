"""Which ranker a recommendation uses: the running ranker experiment's arm for this person, else the blend.

The experiments come from the managers' file (`PARLEY_EXPERIMENTS`, default `brand/experiments.yml`) and the
click model from `PARLEY_CLICK_MODEL` (default `models/click_model.pkl`); both are re-read when their file
changes, so an experiment started or stopped, or a retrained model, takes effect without a restart. An arm that
asks for the learned click model when none is trained yet gets the blend and no exposure is logged: counting
those people in the arm would compare the blend with itself under the arm's name.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from core.settings import get_settings
from experiments.assignment import arm_for
from experiments.definition import Experiment
from experiments.live import ExperimentsFile
from recommender.clicks import ClickModel
from recommender.engine import Ranker

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_file: ExperimentsFile | None = None
_model: tuple[Path, float, ClickModel | None] | None = None


@dataclass(frozen=True)
class RankerChoice:
    """The ranker for one reply, its name (logged with each impression) and the arms that chose it."""

    ranker: Ranker | None = None
    name: str = "blend"
    arms: dict[str, str] = field(default_factory=dict)


def current_experiments() -> list[Experiment]:
    """The managers' experiments (`PARLEY_EXPERIMENTS`), as the file says now."""
    global _file
    path = get_settings().experiments_file
    with _lock:
        if _file is None or _file.path != path:
            _file = ExperimentsFile(path)
        experiments_file = _file
    return experiments_file.current()


def get_click_model() -> ClickModel | None:
    """The learned click model `make retrain` wrote (re-read when it changes), or None when there is none."""
    global _model
    path = get_settings().click_model
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    with _lock:
        if _model is not None and _model[0] == path and _model[1] == stamp:
            return _model[2]
        try:
            model: ClickModel | None = ClickModel.load(path)
        except (ValueError, OSError):
            logger.exception("Click model %s unreadable; ranking with the blend", path)
            model = None
        _model = (path, stamp, model)
        return model


def choose_ranker(person: str, now: datetime | None = None) -> RankerChoice:
    """The ranker for this person now: their arm of the first ranker experiment that applies, else the blend.

    Args:
        person: the person's key (`core.identity.Identity.person`): no store needed, so an outage changes no arm.
        now: the moment to judge "running" by (tests inject it).
    """
    now = now or datetime.now(timezone.utc)
    for experiment in current_experiments():
        if experiment.varies != "ranker":
            continue
        arm, exposed = arm_for(experiment, person, now)
        if not exposed and experiment.winner is None:
            continue  # stopped or not started: the blend, as if it did not exist
        arms = {experiment.id: arm.name} if exposed else {}
        if arm.value == "clicks":
            model = get_click_model()
            if model is None:
                return RankerChoice()
            return RankerChoice(model, "clicks", arms)
        return RankerChoice(None, "blend", arms)
    return RankerChoice()
