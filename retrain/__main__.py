"""`python -m retrain` (`make retrain`): learn from reviewed conversations, behind an evaluation gate.

Steps, each reported as it runs:
  1. collect managers' corrections, reviewed stories and the feedback log from the store;
  2. merge the corrections into the NLU data (duplicates dropped, conflicts reported, sources kept);
  3. train a candidate model (NLU + dialogue) on the merged data; its sentiment head adapts to sentiment labels;
  4. evaluate the current and the candidate model on the same held-out data (intents, sentiment, stories);
  5. gate: promote the candidate only if it is not worse beyond the tolerance (`--force` overrides, loudly);
  6. refresh the recommender's segments (the collaborative signal refits itself from the feedback log).
Every candidate is recorded in models/registry.json; a promoted one is served from models/parley.tar.gz.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from retrain.gate import DEFAULT_TOLERANCE, HELDOUT, HELDOUT_SENTIMENT, STORIES, Metrics, decide, evaluate
from retrain.registry import Entry, Registry, content_hash, file_sha256, serve
from retrain.workspace import ROOT, Workspace
from store.db import Database
from training.collect import collect
from training.domain import domain_intents
from training.merge import REVIEWED_FILE, merge, normalise, reviewed_labels, training_examples, write_reviewed

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


def train_candidate(workspace: Workspace, candidate_id: str, data: Path, out: Path) -> Path:
    """Trains NLU + dialogue on `data`; returns the model file."""
    log = out / "train.log"
    with log.open("w") as handle:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "train",
                "--domain",
                str(workspace.root / "domain"),
                "--data",
                str(data),
                "--config",
                str(workspace.root / "config.yml"),
                "--out",
                str(out),
                "--fixed-model-name",
                candidate_id,
            ],
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    model = out / f"{candidate_id}.tar.gz"
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"training the candidate failed; see {log}")
    return model


def reload_server(model: Path) -> str:
    """Asks a running bot (HTTP API on) to load the promoted model; says what happened."""
    token = os.environ.get("RASA_API_TOKEN")
    if not token:
        return "restart `make run` to serve it (set RASA_API_TOKEN to have retrain reload a running bot)"
    url = f"http://{os.environ.get('RASA_HOST', '127.0.0.1')}:{os.environ.get('RASA_PORT', '5005')}"
    request = urllib.request.Request(
        f"{url}/model?{urllib.parse.urlencode({'token': token})}",
        data=f'{{"model_file": "{model}"}}'.encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=300).read()
        return f"the running bot at {url} now serves it"
    except (urllib.error.URLError, TimeoutError) as error:
        return f"no running bot answered at {url} ({error}); `make run` will serve it"


def main(argv: list[str] | None = None) -> int:
    """Runs the whole loop; exit 0 when the run completed (promoted or not), 1 on errors."""
    parser = argparse.ArgumentParser(prog="python -m retrain", description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="promote the candidate even if the gate refuses it")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="how much worse is acceptable")
    parser.add_argument("--db", help="store URL (default: $PARLEY_DB_URL, else var/parley.db)")
    parser.add_argument("--stories-dir", type=Path, default=ROOT / "tests" / "stories" / "reviewed")
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--heldout-sentiment", type=Path, default=HELDOUT_SENTIMENT)
    parser.add_argument("--always-train", action="store_true", help="train even when nothing new was collected")
    parser.add_argument("--workspace", type=Path, default=ROOT, help="a copy of the project to work in (experiments)")
    args = parser.parse_args(argv)
    progress = Progress()
    ws = Workspace(args.workspace.resolve())
    registry = Registry(ws.models / "registry.json")
    DATA, MODELS, SERVED = ws.data, ws.models, ws.served

    progress.step(1, "Collecting what managers reviewed")
    collected = collect(Database(args.db), args.stories_dir)
    progress.note(
        f"{collected.intent_corrections} intent correction(s), "
        f"{collected.sentiment_corrections} sentiment correction(s), {collected.feedback_events} feedback event(s), "
        f"{len(collected.reviewed_stories)} reviewed stor(y/ies)"
    )

    progress.step(2, "Merging corrections into the training data")
    base = training_examples(DATA / "nlu")
    result = merge(base, collected.examples, domain_intents(ws.root / "domain"))
    progress.note(f"{len(result.added)} new example(s), {result.duplicates} already known")
    sentiment_added = sum(e.sentiment is not None for e in result.added)
    if sentiment_added:
        progress.note(f"{sentiment_added} of them carry a sentiment label for the sentiment head")
    for conflict in result.conflicts:
        labels = "; ".join(f"{label} ({source})" for source, label in conflict.labels.items())
        left_out = "left out" if conflict.field == "intent" else "sentiment left out"
        progress.note(f'CONFLICT ({conflict.field}), {left_out}: "{conflict.text}" -> {labels}')
    for example in result.unknown_intents:
        why = "is not in the domain" + ("" if example.intent_reviewed else "; correct its intent to use its sentiment")
        progress.note(f'left out (intent {example.intent!r} {why}): "{example.text}"')
    reviewed_now = DATA / "nlu" / REVIEWED_FILE
    served_examples = reviewed_labels(reviewed_now)
    candidate_examples = {(normalise(e.text), e.intent, e.sentiment) for e in result.added}
    if candidate_examples == served_examples and SERVED.exists() and not (args.always_train or args.force):
        print("\nNothing new to learn from: the served model already has every correction. Done.")
        return 0

    candidate_id = "candidate-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = MODELS / "candidates" / candidate_id
    data = out / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(REVIEWED_FILE))
    write_reviewed(data / "nlu" / REVIEWED_FILE, result.added)
    progress.step(
        3, f"Training candidate {candidate_id} on {len(base) + len(result.added)} examples (log: {out / 'train.log'})"
    )
    try:
        model = train_candidate(ws, candidate_id, data, out)
    except RuntimeError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    progress.note(f"trained: {model}")

    progress.step(
        4,
        f"Evaluating the current and the candidate model on {args.heldout.name}, {args.heldout_sentiment.name} "
        f"and {STORIES.name}/",
    )
    held_out = (args.heldout, ws.root / "tests" / "stories", args.heldout_sentiment)
    held_out_hash = content_hash(*held_out)
    current: Metrics | None = None
    if SERVED.exists():
        known = registry.evaluated(file_sha256(SERVED), held_out_hash)
        if known is not None:
            current = Metrics(**known.metrics)
            progress.note(f"current:   {current} (the registry's figures for {known.id}: same file, same data)")
        else:
            current = evaluate(SERVED, out / "eval-current", *held_out)
            progress.note(f"current:   {current}")
    candidate = evaluate(model, out / "eval-candidate", *held_out)
    progress.note(f"candidate: {candidate}")

    progress.step(5, f"Gate (tolerance {args.tolerance:.2f})")
    decision = decide(current, candidate, args.tolerance)
    for reason in decision.reasons:
        progress.note(reason)
    promote = decision.promote or args.force
    entry = Entry(
        id=candidate_id,
        path=str(model),
        data_hash=content_hash(ws.root / "config.yml", ws.root / "domain", data),
        metrics=candidate.as_dict(),
        promoted=promote,
        forced=args.force and not decision.promote,
        reasons=decision.reasons,
        added_examples=len(result.added),
        model_sha256=file_sha256(model),
        heldout_hash=held_out_hash,
    )
    served_note = ""
    if promote:
        if args.force and not decision.promote:
            print("\n!!! FORCED: promoting a candidate the gate REFUSED (--force). !!!\n", flush=True)
        serve(model, SERVED)
        write_reviewed(reviewed_now, result.added)
        if ws.is_project:
            # `make run` must not retrain over the promoted model: its inputs now match the served model.
            fingerprint = subprocess.run(
                ["scripts/fingerprint.sh"], cwd=ROOT, capture_output=True, text=True, check=True
            )
            (MODELS / "parley.fingerprint").write_text(fingerprint.stdout)
            served_note = reload_server(SERVED.resolve())
        else:
            served_note = f"workspace {ws.root}"
    registry.record(entry)

    progress.step(6, "Refreshing the recommender")
    try:
        from recommender.segments import compute_segments

        with Database(args.db).session() as session:
            segments = compute_segments(session)
        progress.note(
            f"{len(segments)} customer segment(s) recomputed; the collaborative signal refits from "
            f"{collected.feedback_events} feedback event(s) on the running action server"
        )
    except Exception as error:  # the model decision stands even if the store is briefly unavailable
        progress.note(f"segments not refreshed: {error}")

    print("\n" + "=" * 72)
    print(
        f"Candidate {candidate_id}: {'PROMOTED' if promote else 'NOT promoted: the current model stays'}"
        + (" (forced)" if entry.forced else "")
    )
    print(
        f"  examples added: {len(result.added)}   conflicts: {len(result.conflicts)}   duplicates: {result.duplicates}"
    )
    if current:
        print(
            f"  intent accuracy {current.intent_accuracy:.3f} -> {candidate.intent_accuracy:.3f}   "
            f"macro-F1 {current.intent_macro_f1:.3f} -> {candidate.intent_macro_f1:.3f}   "
            f"stories {current.stories_correct}/{current.stories_total} -> "
            f"{candidate.stories_correct}/{candidate.stories_total}"
        )
        if current.sentiment_accuracy is not None and candidate.sentiment_accuracy is not None:
            print(
                f"  sentiment accuracy {current.sentiment_accuracy:.3f} -> {candidate.sentiment_accuracy:.3f}   "
                f"macro-recall {current.sentiment_macro_recall:.3f} -> {candidate.sentiment_macro_recall:.3f}"
            )
    if promote:
        print(f"  served from {SERVED}; {served_note}")
        print(f"  training data now includes {reviewed_now}")
    print(f"  registry: {registry.path} ({len(registry.entries())} model(s) recorded)")
    print("=" * 72)
    return 0


if __name__ == "__main__":
    sys.exit(main())
