"""The retrain loop, one function per step, each returning what it found as a dataclass.

`python -m retrain` wires them together and prints what they return; tests call them one at a time with a fake
trainer and evaluator (`Trainer`, `Evaluator`), so the loop's logic is tested without training a model.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from core.settings import PROJECT_ROOT
from retrain.gate import Decision, Metrics, decide
from retrain.registry import Entry, Registry, content_hash, file_sha256, serve
from retrain.workspace import Workspace
from store.db import Database
from training.collect import Collected, collect
from training.domain import domain_intents
from training.merge import (
    REVIEWED_FILE,
    MergeResult,
    merge,
    normalise,
    reviewed_labels,
    training_examples,
    write_reviewed,
)

# (workspace, candidate id, training data folder, output folder) -> the model file
Trainer = Callable[[Workspace, str, Path, Path], Path]
# (model, output folder, held-out NLU file, test stories folder, held-out sentiment file) -> its scores
Evaluator = Callable[[Path, Path, Path, Path, Path], Metrics]


@dataclass(frozen=True)
class HeldOut:
    """The data both models are scored on (the same files, so the comparison is fair)."""

    nlu: Path
    stories: Path
    sentiment: Path

    @property
    def files(self) -> tuple[Path, Path, Path]:
        """In the evaluator's order."""
        return self.nlu, self.stories, self.sentiment

    def digest(self) -> str:
        """A content hash: the registry reuses a model's scores only on the same data."""
        return content_hash(self.nlu, self.stories, self.sentiment)


@dataclass(frozen=True)
class Merged:
    """Step 2: the corrections folded into the training data."""

    base: dict[str, tuple[str, str]]
    result: MergeResult
    nothing_new: bool

    @property
    def sentiment_added(self) -> int:
        """New examples that carry a sentiment label (the sentiment head adapts to them)."""
        return sum(e.sentiment is not None for e in self.result.added)


@dataclass(frozen=True)
class Candidate:
    """Step 3: a trained candidate and where its files are."""

    id: str
    out: Path
    data: Path
    model: Path


@dataclass(frozen=True)
class Evaluation:
    """Step 4: both models' scores on the same held-out data."""

    current: Metrics | None
    candidate: Metrics
    held_out_hash: str
    current_from_registry: str | None = None  # the registry entry whose figures were reused, if any


@dataclass(frozen=True)
class Verdict:
    """Step 5: the gate's decision, and what was done about it."""

    decision: Decision
    promote: bool
    forced: bool
    entry: Entry
    served_note: str = ""


@dataclass(frozen=True)
class SegmentsRefresh:
    """Step 6: the recommender's segments, recomputed (or why not)."""

    segments: int = 0
    error: str = ""


@dataclass
class Report:
    """Everything one run found, for the summary."""

    collected: Collected
    merged: Merged
    candidate: Candidate | None = None
    evaluation: Evaluation | None = None
    verdict: Verdict | None = None
    segments: SegmentsRefresh | None = None
    notes: list[str] = field(default_factory=list)


def collect_reviews(database: Database, stories_dir: Path) -> Collected:
    """Step 1: managers' corrections, reviewed stories and the size of the feedback log."""
    return collect(database, stories_dir)


def merge_corrections(workspace: Workspace, collected: Collected, always_train: bool = False) -> Merged:
    """Step 2: merges the corrections into the workspace's NLU data (in memory; nothing is written yet).

    `nothing_new` is True when the served model already learned every correction, so training again would only
    cost time (`always_train` says train anyway).
    """
    base = training_examples(workspace.data / "nlu")
    result = merge(base, collected.examples, domain_intents(workspace.root / "domain"))
    served_examples = reviewed_labels(workspace.data / "nlu" / REVIEWED_FILE)
    candidate_examples = {(normalise(e.text), e.intent, e.sentiment) for e in result.added}
    nothing_new = candidate_examples == served_examples and workspace.served.exists() and not always_train
    return Merged(base, result, nothing_new)


def train_candidate(workspace: Workspace, merged: Merged, trainer: Trainer, now: datetime | None = None) -> Candidate:
    """Step 3: copies the training data with the merged corrections and trains a candidate on it.

    Raises:
        RuntimeError: training failed (the log under the candidate's folder says why).
    """
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
    candidate_id = f"candidate-{stamp}"
    out = workspace.models / "candidates" / candidate_id
    data = out / "data"
    shutil.copytree(workspace.data, data, ignore=shutil.ignore_patterns(REVIEWED_FILE))
    write_reviewed(data / "nlu" / REVIEWED_FILE, merged.result.added)
    model = trainer(workspace, candidate_id, data, out)
    return Candidate(candidate_id, out, data, model)


def evaluate_both(
    workspace: Workspace, registry: Registry, candidate: Candidate, held_out: HeldOut, evaluator: Evaluator
) -> Evaluation:
    """Step 4: scores the served model and the candidate on the same held-out data.

    The served model's figures come from the registry when it holds them for the same file and the same data.
    """
    digest = held_out.digest()
    current: Metrics | None = None
    reused: str | None = None
    if workspace.served.exists():
        known = registry.evaluated(file_sha256(workspace.served), digest)
        if known is not None:
            current, reused = Metrics(**known.metrics), known.id
        else:
            current = evaluator(workspace.served, candidate.out / "eval-current", *held_out.files)
    scores = evaluator(candidate.model, candidate.out / "eval-candidate", *held_out.files)
    return Evaluation(current, scores, digest, reused)


def gate_and_record(
    workspace: Workspace,
    registry: Registry,
    merged: Merged,
    candidate: Candidate,
    evaluation: Evaluation,
    tolerance: float,
    force: bool = False,
    announce: Callable[[Path], str] | None = None,
) -> Verdict:
    """Step 5: the gate decides; a promoted candidate is served and its corrections join the training data.

    Every candidate is recorded in the registry, promoted or not. `announce` tells a running bot about a promoted
    model in the project itself and says what happened (a scratch workspace has no bot).
    """
    decision = decide(evaluation.current, evaluation.candidate, tolerance)
    promote = decision.promote or force
    forced = force and not decision.promote
    entry = Entry(
        id=candidate.id,
        path=str(candidate.model),
        data_hash=content_hash(workspace.root / "config.yml", workspace.root / "domain", candidate.data),
        metrics=evaluation.candidate.as_dict(),
        promoted=promote,
        forced=forced,
        reasons=decision.reasons,
        added_examples=len(merged.result.added),
        model_sha256=file_sha256(candidate.model),
        heldout_hash=evaluation.held_out_hash,
    )
    served_note = ""
    if promote:
        serve(candidate.model, workspace.served)
        write_reviewed(workspace.data / "nlu" / REVIEWED_FILE, merged.result.added)
        if workspace.is_project:
            write_fingerprint(workspace)
            served_note = announce(workspace.served.resolve()) if announce else ""
        else:
            served_note = f"workspace {workspace.root}"
    registry.record(entry)
    return Verdict(decision, promote, forced, entry, served_note)


def write_fingerprint(workspace: Workspace) -> None:
    """Records the training inputs of the served model, so `make run` does not retrain over it."""
    fingerprint = subprocess.run(
        ["scripts/fingerprint.sh"], cwd=workspace.root, capture_output=True, text=True, check=True
    )
    (workspace.models / "parley.fingerprint").write_text(fingerprint.stdout)


def refresh_segments(database: Database) -> SegmentsRefresh:
    """Step 6: recomputes the recommender's customer segments; a store that is briefly down is reported, not fatal."""
    try:
        from recommender.segments import compute_segments

        with database.session() as session:
            return SegmentsRefresh(segments=len(compute_segments(session)))
    except Exception as error:  # the model decision stands even if the store is briefly unavailable
        return SegmentsRefresh(error=str(error))


def refresh_click_model(database: Database, path: Path) -> str:
    """Step 6 too: retrains the click model from the impression log behind its own gate; says what happened."""
    try:
        from recommender.click_training import retrain_click_model
        from store.impressions import impression_log

        with database.session() as session:
            log = impression_log(session)
        return retrain_click_model(log, path).message
    except Exception as error:  # the NLU model's decision stands whatever happens to the click model
        return f"click model not retrained: {type(error).__name__}: {error}"


def train_with_rasa(workspace: Workspace, candidate_id: str, data: Path, out: Path) -> Path:
    """The real `Trainer`: `rasa train` (NLU + dialogue) on `data`, logged to `out/train.log`."""
    log = out / "train.log"
    out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "bot.cli", "train",
        "--domain", str(workspace.root / "domain"),
        "--data", str(data),
        "--config", str(workspace.root / "config.yml"),
        "--out", str(out),
        "--fixed-model-name", candidate_id,
    ]  # fmt: skip
    with log.open("w") as handle:
        done = subprocess.run(command, cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT)
    model = out / f"{candidate_id}.tar.gz"
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"training the candidate failed; see {log}")
    return model
