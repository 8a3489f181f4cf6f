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
        sample_per_arm: 3841          # optional: the planned sample; the verdict waits for it
        status: running               # or `stopped` (everyone gets the control, or the winner once promoted)
        winner: warm                  # optional, set by "promote": everyone gets this arm, nobody is counted

`value` is what the arm changes: the reply text for a `response` experiment, the ranker's name for a `ranker`
one (`blend` or `clicks`, the learned click model); the control arm has none. Shares must add up to 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from store.impressions import METRICS  # what the log can count is what an experiment may measure

VARIES = ("response", "ranker")
STATUSES = ("running", "stopped")
# What a ranker arm's value may name: today's blend, or the learned click model re-ranking it.
RANKERS = ("blend", "clicks")


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
    status: str = "running"
    winner: str | None = None
    sample_per_arm: int | None = None

    def is_running(self, now: datetime) -> bool:
        """Whether people are assigned to it at `now`: not stopped, no winner, from `start` up to `end` (excluded)."""
        return self.status == "running" and self.winner is None and self.start <= now < self.end

    def arm(self, name: str) -> Arm:
        """The arm called `name`.

        Raises:
            KeyError: no such arm.
        """
        for arm in self.arms:
            if arm.name == name:
                return arm
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        """The experiment as its YAML mapping (what `dump_experiments` writes)."""
        out: dict[str, Any] = {"id": self.id, "varies": self.varies}
        if self.target is not None:
            out["target"] = self.target
        out.update(metric=self.metric, start=_iso(self.start), end=_iso(self.end), status=self.status)
        arms = []
        for arm in self.arms:
            entry: dict[str, Any] = {"name": arm.name, "share": arm.share}
            if arm.value is not None:
                entry["value"] = arm.value
            arms.append(entry)
        out["arms"] = arms
        if self.sample_per_arm is not None:
            out["sample_per_arm"] = self.sample_per_arm
        if self.winner is not None:
            out["winner"] = self.winner
        return out

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
    status = raw.get("status", "running")
    if status not in STATUSES:
        raise ExperimentError(f"experiment {name}: status must be one of {', '.join(STATUSES)}, not {status!r}")
    winner = raw.get("winner")
    if winner is not None and str(winner) not in {arm.name for arm in arms}:
        raise ExperimentError(f"experiment {name}: winner {winner!r} is not one of its arms")
    sample = raw.get("sample_per_arm")
    if sample is not None and (not isinstance(sample, int) or isinstance(sample, bool) or sample < 1):
        raise ExperimentError(f"experiment {name}: sample_per_arm must be a whole number from 1, not {sample!r}")
    return Experiment(
        name,
        str(varies),
        str(metric),
        tuple(arms),
        start,
        end,
        None if target is None else str(target),
        str(status),
        None if winner is None else str(winner),
        sample,
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


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


def dump_experiments(path: Path, experiments: list[Experiment]) -> None:
    """Writes the experiments file (atomically: the bot re-reads it when it changes and never sees half of it).

    Raises:
        ExperimentError: two experiments share an id.
    """
    ids = [e.id for e in experiments]
    if len(set(ids)) != len(ids):
        raise ExperimentError(f"experiment {sorted(i for i in ids if ids.count(i) > 1)[0]}: defined twice")
    text = yaml.safe_dump({"experiments": [e.as_dict() for e in experiments]}, sort_keys=False, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        "# Parley's experiments (README: Experiments). The console rewrites this file; comments are not kept.\n" + text,
        encoding="utf-8",
    )
    tmp.replace(path)
