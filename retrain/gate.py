"""The evaluation gate: both models scored on the same held-out data; the candidate replaces the current one or not.

The held-out data is fixed and never trained on: `tests/nlu/heldout.yml` (intent accuracy and macro-F1 through
`rasa test nlu`), `tests/nlu/heldout_sentiment.tsv` (sentiment accuracy and macro-recall through the whole NLU
pipeline) and the dialogue test stories under `tests/stories/` (conversations fully correct through `rasa test
core`). The candidate is promoted only if it is not worse than the current model by more than `tolerance` on the
intent and sentiment scores, and gets at least as many test stories right.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from core.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
HELDOUT_SENTIMENT = ROOT / "tests" / "nlu" / "heldout_sentiment.tsv"
STORIES = ROOT / "tests" / "stories"
DEFAULT_TOLERANCE = 0.02


@dataclass(frozen=True)
class Metrics:
    """A model's scores on the held-out data."""

    intent_accuracy: float
    intent_macro_f1: float
    stories_correct: int
    stories_total: int
    sentiment_accuracy: float | None = None  # None: not measured (registry entries from before sentiment was gated)
    sentiment_macro_recall: float | None = None

    def as_dict(self) -> dict:
        """For the registry."""
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    """Promote or not, and why, in words."""

    promote: bool
    reasons: list[str]


def _rasa(args: list[str], log: Path) -> None:
    with log.open("a") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args], cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
        )
    if done.returncode not in (0, 1):  # `rasa test core` exits 1 when stories fail; that is a result, not an error
        raise RuntimeError(f"rasa {' '.join(args[:2])} failed (exit {done.returncode}); see {log}")


def _sentiment(model: Path, heldout: Path, out: Path, log: Path) -> dict:
    with log.open("a") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "retrain.sentiment_eval", str(model), str(heldout), str(out)],
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        raise RuntimeError(f"sentiment evaluation failed (exit {done.returncode}); see {log}")
    return json.loads(out.read_text())


def evaluate(
    model: Path,
    out: Path,
    heldout: Path = HELDOUT,
    stories: Path = STORIES,
    heldout_sentiment: Path = HELDOUT_SENTIMENT,
) -> Metrics:
    """Runs `rasa test nlu`, the sentiment evaluation and `rasa test core` for `model`, writing reports under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    log = out / "evaluate.log"
    _rasa(["test", "nlu", "--model", str(model), "--nlu", str(heldout), "--out", str(out / "nlu")], log)
    sentiment = _sentiment(model, heldout_sentiment, out / "sentiment.json", log)
    _rasa(["test", "core", "--model", str(model), "--stories", str(stories), "--out", str(out / "core")], log)
    intents = json.loads((out / "nlu" / "intent_report.json").read_text())
    story = json.loads((out / "core" / "story_report.json").read_text())["conversation_accuracy"]
    return Metrics(
        intent_accuracy=round(float(intents["accuracy"]), 4),
        intent_macro_f1=round(float(intents["macro avg"]["f1-score"]), 4),
        stories_correct=int(story["correct"]),
        stories_total=int(story["total"]),
        sentiment_accuracy=sentiment["accuracy"],
        sentiment_macro_recall=sentiment["macro_recall"],
    )


def decide(current: Metrics | None, candidate: Metrics, tolerance: float = DEFAULT_TOLERANCE) -> Decision:
    """The gate's verdict with a reason per check."""
    if current is None:
        return Decision(True, ["there is no current model to compare with"])
    reasons, ok = [], True
    for name in ("intent_accuracy", "intent_macro_f1", "sentiment_accuracy", "sentiment_macro_recall"):
        before, after = getattr(current, name), getattr(candidate, name)
        if before is None or after is None:
            continue
        passed = after >= before - tolerance
        ok &= passed
        verdict = "ok" if passed else f"worse by more than the tolerance {tolerance:.2f}"
        reasons.append(f"{name.replace('_', ' ')}: {before:.3f} -> {after:.3f} ({verdict})")
    passed = candidate.stories_correct >= current.stories_correct
    ok &= passed
    reasons.append(
        f"test stories correct: {current.stories_correct}/{current.stories_total} -> "
        f"{candidate.stories_correct}/{candidate.stories_total} ({'ok' if passed else 'fewer stories pass'})"
    )
    return Decision(ok, reasons)
