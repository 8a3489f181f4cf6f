"""What an experiment is, and reading them from a YAML file with errors that name the experiment and the field.

    experiments:
      - id: greeting-warmth
        varies: response              # or `ranker`
        target: utter_greet           # the response whose wording varies (for `ranker`: omitted)
        metric: click_through         # click_through | handoff_rate | next_turn_sentiment | resolved_without_person
        start: 2026-12-01T00:00:00Z
        end: 2026-12-31T00:00:00Z
        arms:
          - {name: control, share: 0.5}
          - {name: warm, share: 0.5, value: "Hey there, great to see you! What are you after today?"}

`value` is what the arm changes: the reply text for a `response` experiment, the ranker's name for a `ranker`
one (`blend` or `clicks`, the learned click model); the control arm has none. Shares must add up to 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

VARIES = ("response", "ranker")
# What a ranker arm's value may name: today's blend, or the learned click model re-ranking it.
RANKERS = ("blend", "clicks")
METRICS = ("click_through", "handoff_rate", "next_turn_sentiment", "resolved_without_person")


class ExperimentError(ValueError):
    """An experiment file that cannot be used as it is; the message names the experiment and the field."""


@dataclass(frozen=True)
class Arm:
    """One variant and the share of people it gets."""

    name: str
    share: float
    value: str | None = None


@dataclass(frozen=True)
class Experiment:
    """One experiment (see the module docstring)."""

    id: str
    varies: str
    metric: str
    arms: tuple[Arm, ...]
    start: datetime
    end: datetime
    target: str | None = None

    def is_running(self, now: datetime) -> bool:
        """Whether people are assigned to it at `now` (from `start`, up to but excluding `end`)."""
        return self.start <= now < self.end

    @property
    def shares(self) -> tuple[float, ...]:
        """The arms' planned traffic shares, in order."""
        return tuple(arm.share for arm in self.arms)


def _when(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ExperimentError(f"{where}: not a date and time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_experiment(raw: dict[str, Any]) -> Experiment:
    """One experiment from its YAML mapping.

    Raises:
        ExperimentError: a missing or invalid field (the message says which).
    """
    name = str(raw.get("id") or "").strip()
    if not name:
        raise ExperimentError("an experiment has no id")
    varies = raw.get("varies")
    if varies not in VARIES:
        raise ExperimentError(f"experiment {name}: varies must be one of {', '.join(VARIES)}, not {varies!r}")
    if varies == "response" and not raw.get("target"):
        raise ExperimentError(f"experiment {name}: a response experiment needs the response's name in target")
    metric = raw.get("metric")
    if metric not in METRICS:
        raise ExperimentError(f"experiment {name}: metric must be one of {', '.join(METRICS)}, not {metric!r}")
    arms = []
    for index, arm in enumerate(raw.get("arms") or []):
        if not isinstance(arm, dict) or not arm.get("name"):
            raise ExperimentError(f"experiment {name}: arm {index + 1} has no name")
        try:
            share = float(arm.get("share"))
        except (TypeError, ValueError):
            raise ExperimentError(f"experiment {name}: arm {arm['name']} has no numeric share") from None
        if not 0 < share <= 1:
            raise ExperimentError(f"experiment {name}: arm {arm['name']} has share {share}; it must be in (0, 1]")
        value = arm.get("value")
        if varies == "ranker" and value is not None and value not in RANKERS:
            raise ExperimentError(
                f"experiment {name}: arm {arm['name']} names ranker {value!r}; it must be one of {', '.join(RANKERS)}"
            )
        arms.append(Arm(str(arm["name"]), share, None if value is None else str(value)))
    if len(arms) < 2:
        raise ExperimentError(f"experiment {name}: needs at least two arms")
    if len({arm.name for arm in arms}) != len(arms):
        raise ExperimentError(f"experiment {name}: two arms share a name")
    if abs(sum(arm.share for arm in arms) - 1) > 1e-9:
        raise ExperimentError(f"experiment {name}: the arms' shares add up to {sum(a.share for a in arms):g}, not 1")
    start, end = _when(raw.get("start"), f"experiment {name}: start"), _when(raw.get("end"), f"experiment {name}: end")
    if end <= start:
        raise ExperimentError(f"experiment {name}: end is not after start")
    target = raw.get("target")
    return Experiment(name, str(varies), str(metric), tuple(arms), start, end, None if target is None else str(target))


def load_experiments(path: Path) -> list[Experiment]:
    """Every experiment in the file (none when it does not exist).

    Raises:
        ExperimentError: the first invalid experiment, or two with the same id.
    """
    if not path.exists():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    experiments = [parse_experiment(raw) for raw in document.get("experiments") or []]
    ids = [e.id for e in experiments]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ExperimentError(f"experiment {duplicated[0]}: defined twice")
    return experiments
