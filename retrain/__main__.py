"""`python -m retrain` (`make retrain`): learn from reviewed conversations, behind an evaluation gate.

Steps, each reported as it runs (`retrain/steps.py` has one function per step):
  1. collect managers' corrections, reviewed stories and the feedback log from the store;
  2. merge the corrections into the NLU data (duplicates dropped, conflicts reported, sources kept);
  3. train a candidate model (NLU + dialogue) on the merged data; its sentiment head adapts to sentiment labels;
  4. evaluate the current and the candidate model on the same held-out data (intents, sentiment, stories);
  5. gate: promote the candidate only if it is not worse beyond the tolerance (`--force` overrides, loudly);
  6. refresh the recommender: its segments, and the click model from the impression log behind its own gate (the
     collaborative signal refits itself from the feedback log). This step runs even when step 2 finds nothing new.
Every candidate is recorded in models/registry.json; a promoted one is served from models/parley.tar.gz.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.rasa_api import BotUnreachable, RasaAPI
from core.settings import PROJECT_ROOT, get_settings
from retrain import steps
from retrain.gate import DEFAULT_TOLERANCE, HELDOUT, HELDOUT_SENTIMENT, STORIES, evaluate
from retrain.registry import Registry
from retrain.workspace import Workspace
from store.db import Database
from training.merge import REVIEWED_FILE

STEPS = 6


class Progress:
    """Numbered steps with elapsed time, so a long retrain always says what it is doing."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def step(self, number: int, text: str) -> None:
        """Announces a step."""
        print(f"[{number}/{STEPS}] {text}", flush=True)

    def note(self, text: str) -> None:
        """A detail line under the current step."""
        print(f"      {text} ({time.monotonic() - self.start:.0f} s)", flush=True)


def reload_server(model: Path) -> str:
    """Asks a running bot (HTTP API on) to load the promoted model; says what happened."""
    api = RasaAPI.from_settings()
    if not api.token:
        return "restart `make run` to serve it (set RASA_API_TOKEN to have retrain reload a running bot)"
    try:
        api.load_model(str(model))
        return f"the running bot at {api.base_url} now serves it"
    except BotUnreachable as error:
        return f"no running bot answered ({error}); `make run` will serve it"


def refresh_recommender(
    progress: Progress, database: Database, workspace: Workspace, collected: steps.Collected
) -> steps.SegmentsRefresh:
    """Step 6: segments, and the click model behind its own gate; runs whether or not the NLU model changed."""
    progress.step(6, "Refreshing the recommender")
    segments = steps.refresh_segments(database)
    if segments.error:
        progress.note(f"segments not refreshed: {segments.error}")
    else:
        progress.note(
            f"{segments.segments} customer segment(s) recomputed; the collaborative signal refits from "
            f"{collected.feedback_events} feedback event(s) on the running action server"
        )
    served = get_settings().click_model if workspace.root == PROJECT_ROOT else workspace.models / "click_model.pkl"
    progress.note(steps.refresh_click_model(database, served))
    return segments


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line (see `--help`)."""
    parser = argparse.ArgumentParser(prog="python -m retrain", description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="promote the candidate even if the gate refuses it")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="how much worse is acceptable")
    parser.add_argument("--db", help="store URL (default: $PARLEY_DB_URL, else var/parley.db)")
    parser.add_argument("--stories-dir", type=Path, default=get_settings().stories_export_dir)
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--heldout-sentiment", type=Path, default=HELDOUT_SENTIMENT)
    parser.add_argument("--always-train", action="store_true", help="train even when nothing new was collected")
    parser.add_argument("--workspace", type=Path, default=PROJECT_ROOT, help="a copy of the project to work in")
    return parser.parse_args(argv)


def report_merge(progress: Progress, merged: steps.Merged) -> None:
    """Step 2's lines: what was added, what was left out and why."""
    result = merged.result
    progress.note(f"{len(result.added)} new example(s), {result.duplicates} already known")
    if merged.sentiment_added:
        progress.note(f"{merged.sentiment_added} of them carry a sentiment label for the sentiment head")
    for conflict in result.conflicts:
        labels = "; ".join(f"{label} ({source})" for source, label in conflict.labels.items())
        left_out = "left out" if conflict.field == "intent" else "sentiment left out"
        progress.note(f'CONFLICT ({conflict.field}), {left_out}: "{conflict.text}" -> {labels}')
    for example in result.unknown_intents:
        why = "is not in the domain" + ("" if example.intent_reviewed else "; correct its intent to use its sentiment")
        progress.note(f'left out (intent {example.intent!r} {why}): "{example.text}"')


def summary(report: steps.Report, workspace: Workspace, registry: Registry) -> str:
    """The closing box: the verdict and the figures it rests on."""
    assert report.candidate and report.evaluation and report.verdict
    verdict, current, scores = report.verdict, report.evaluation.current, report.evaluation.candidate
    result = report.merged.result
    lines = [
        "=" * 72,
        f"Candidate {report.candidate.id}: {'PROMOTED' if verdict.promote else 'NOT promoted: the current model stays'}"
        + (" (forced)" if verdict.forced else ""),
        f"  examples added: {len(result.added)}   conflicts: {len(result.conflicts)}   duplicates: {result.duplicates}",
    ]
    if current:
        lines.append(
            f"  intent accuracy {current.intent_accuracy:.3f} -> {scores.intent_accuracy:.3f}   "
            f"macro-F1 {current.intent_macro_f1:.3f} -> {scores.intent_macro_f1:.3f}   "
            f"stories {current.stories_correct}/{current.stories_total} -> "
            f"{scores.stories_correct}/{scores.stories_total}"
        )
        if current.sentiment_accuracy is not None and scores.sentiment_accuracy is not None:
            lines.append(
                f"  sentiment accuracy {current.sentiment_accuracy:.3f} -> {scores.sentiment_accuracy:.3f}   "
                f"macro-recall {current.sentiment_macro_recall:.3f} -> {scores.sentiment_macro_recall:.3f}"
            )
    if verdict.promote:
        lines.append(f"  served from {workspace.served}; {verdict.served_note}")
        lines.append(f"  training data now includes {workspace.data / 'nlu' / REVIEWED_FILE}")
    lines.append(f"  registry: {registry.path} ({len(registry.entries())} model(s) recorded)")
    lines.append("=" * 72)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Runs the whole loop; exit 0 when the run completed (promoted or not), 1 on errors."""
    args = parse_args(argv)
    progress = Progress()
    workspace = Workspace(args.workspace.resolve())
    registry = Registry(workspace.models / "registry.json")
    database = Database(args.db)
    held_out = steps.HeldOut(args.heldout, workspace.root / "tests" / "stories", args.heldout_sentiment)

    progress.step(1, "Collecting what managers reviewed")
    collected = steps.collect_reviews(database, args.stories_dir)
    progress.note(
        f"{collected.intent_corrections} intent correction(s), "
        f"{collected.sentiment_corrections} sentiment correction(s), {collected.feedback_events} feedback event(s), "
        f"{len(collected.reviewed_stories)} reviewed stor(y/ies)"
    )

    progress.step(2, "Merging corrections into the training data")
    merged = steps.merge_corrections(workspace, collected, always_train=args.always_train or args.force)
    report_merge(progress, merged)
    if merged.nothing_new:
        print("\nNothing new to learn from: the served model already has every correction.")
        refresh_recommender(progress, database, workspace, collected)
        return 0
    report = steps.Report(collected, merged)

    examples = len(merged.base) + len(merged.result.added)
    progress.step(3, f"Training a candidate on {examples} examples (log: models/candidates/<id>/train.log)")
    try:
        report.candidate = steps.train_candidate(workspace, merged, steps.train_with_rasa)
    except RuntimeError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    progress.note(f"trained: {report.candidate.model}")

    progress.step(
        4,
        f"Evaluating the current and the candidate model on {args.heldout.name}, {args.heldout_sentiment.name} "
        f"and {STORIES.name}/",
    )
    report.evaluation = steps.evaluate_both(workspace, registry, report.candidate, held_out, evaluate)
    if report.evaluation.current_from_registry:
        progress.note(
            f"current:   {report.evaluation.current} "
            f"(the registry's figures for {report.evaluation.current_from_registry}: same file, same data)"
        )
    elif report.evaluation.current:
        progress.note(f"current:   {report.evaluation.current}")
    progress.note(f"candidate: {report.evaluation.candidate}")

    progress.step(5, f"Gate (tolerance {args.tolerance:.2f})")
    report.verdict = steps.gate_and_record(
        workspace, registry, merged, report.candidate, report.evaluation, args.tolerance, args.force, reload_server
    )
    for reason in report.verdict.decision.reasons:
        progress.note(reason)
    if report.verdict.forced:
        print("\n!!! FORCED: promoting a candidate the gate REFUSED (--force). !!!\n", flush=True)

    report.segments = refresh_recommender(progress, database, workspace, collected)
    print("\n" + summary(report, workspace, registry))
    return 0


if __name__ == "__main__":
    sys.exit(main())
