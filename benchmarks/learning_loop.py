"""Does Parley learn from its managers? A reproducible before/after experiment, plus the gate refusing bad labels.

1. Start from the bot's current model (models/parley.tar.gz) in a scratch copy of the project.
2. Take 194 realistic customer messages written for this experiment (benchmarks/learning_loop_messages.tsv, true
   intent and sentiment; many use the outdoor trade's slang - "sick", "bombproof" - or worried questions that a
   general sentiment model misreads), split them into a feedback half and an evaluation half (alternating rows).
3. Log the feedback half in a store with the model's own readings, then relabel the intents and sentiments it got
   wrong through the store's API, as a manager would in the console.
4. Run `python -m retrain` on that workspace and store; report intent accuracy and sentiment accuracy and
   macro-recall on the evaluation half (never trained on) before and after.
5. Repeat from the original model with deliberately corrupted labels (every feedback message given a wrong
   intent and a wrong sentiment) and show the gate refusing the candidate.

    python -m benchmarks.learning_loop        (about 9 minutes on 2 cores)
"""

from __future__ import annotations

import csv
import json
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import ROOT, write_results
from core.identity import Identity
from nlu.models.sentiment import sentiment_scores
from retrain.sentiment_eval import parse_all, sentiment_label
from retrain.workspace import retrain_command, scratch_copy
from store.db import Database
from store.interactions import record_user_turn
from store.migrate import upgrade
from store.reviews import SENTIMENTS, relabel

MESSAGES = ROOT / "benchmarks" / "learning_loop_messages.tsv"
MODEL = ROOT / "models" / "parley.tar.gz"
MANAGER = "experiment@kestrel.example"


@dataclass(frozen=True)
class Labelled:
    """A message with its true labels."""

    text: str
    intent: str
    sentiment: str


@dataclass(frozen=True)
class Reading:
    """What a model understood."""

    intent: str
    confidence: float
    sentiment: str


def read_messages() -> tuple[list[Labelled], list[Labelled]]:
    """The feedback half and the evaluation half (alternating rows)."""
    with MESSAGES.open(encoding="utf-8") as handle:
        rows = [Labelled(r["text"], r["intent"], r["sentiment"]) for r in csv.DictReader(handle, delimiter="\t")]
    return rows[0::2], rows[1::2]


def predict(model: Path, texts: list[str]) -> list[Reading]:
    """The model's intent, confidence and sentiment for each text (the Rasa agent, in-process)."""
    return [
        Reading(p["intent"]["name"], float(p["intent"]["confidence"]), sentiment_label(p))
        for p in parse_all(model, texts)
    ]


def scores(readings: list[Reading], truth: list[Labelled]) -> dict[str, float]:
    """Intent accuracy, sentiment accuracy and sentiment macro-recall."""
    intent = sum(r.intent == t.intent for r, t in zip(readings, truth, strict=True)) / len(truth)
    sentiment = sentiment_scores([t.sentiment for t in truth], [r.sentiment for r in readings])
    return {
        "intent_accuracy": round(intent, 4),
        "sentiment_accuracy": round(sentiment["accuracy"], 4),
        "sentiment_macro_recall": round(sentiment["macro_recall"], 4),
    }


def workspace(parent: Path, name: str) -> Path:
    """A scratch copy of the project with the current model as the served one."""
    return scratch_copy(parent / name).root


def log_feedback(url: str, feedback: list[Labelled], readings: list[Reading], labels: list[Labelled]) -> dict:
    """Logs the messages with the model's reading, then relabels what differs from `labels`; returns counts."""
    upgrade(url)
    corrected = {"intent": 0, "sentiment": 0}
    with Database(url).session() as session:
        for i, (message, reading, label) in enumerate(zip(feedback, readings, labels, strict=True)):
            turn = record_user_turn(
                session,
                f"experiment-{i}",
                Identity("rest", f"experiment-{i}"),
                message.text,
                {
                    "intent": {"name": reading.intent, "confidence": reading.confidence},
                    "sentiment": {"label": reading.sentiment, "score": 1.0},
                },
            )
            if label.intent != reading.intent:
                relabel(session, turn.id, "intent", label.intent, MANAGER)
                corrected["intent"] += 1
            if label.sentiment != reading.sentiment:
                relabel(session, turn.id, "sentiment", label.sentiment, MANAGER)
                corrected["sentiment"] += 1
    return corrected


def retrain(ws: Path, url: str) -> tuple[dict, str, float]:
    """Runs the retrain job on the workspace; returns its registry entry, its output and wall time."""
    start = time.perf_counter()
    done = subprocess.run(
        retrain_command(ws, url, ws / "none", "--always-train"),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-3000:] + done.stderr[-3000:])
    entry = json.loads((ws / "models" / "registry.json").read_text())[-1]
    return entry, done.stdout, elapsed


def corrupt(messages: list[Labelled]) -> list[Labelled]:
    """Every message given another intent and another sentiment (each label shifted to the next one)."""
    intents = sorted({m.intent for m in messages})
    return [
        Labelled(
            m.text,
            intents[(intents.index(m.intent) + 1) % len(intents)],
            SENTIMENTS[(SENTIMENTS.index(m.sentiment) + 1) % len(SENTIMENTS)],
        )
        for m in messages
    ]


def describe(name: str, before: dict, after: dict) -> str:
    return name + ": " + ", ".join(f"{k} {before[k]:.1%} -> {after[k]:.1%}" for k in before)


def main() -> None:
    feedback, evaluation = read_messages()
    eval_texts = [m.text for m in evaluation]
    print(f"{len(feedback)} feedback messages, {len(evaluation)} evaluation messages")
    before_feedback = predict(MODEL, [m.text for m in feedback])
    before_eval = predict(MODEL, eval_texts)
    feedback_before, eval_before = scores(before_feedback, feedback), scores(before_eval, evaluation)
    print(f"current model on the feedback half: {feedback_before}\non the evaluation half: {eval_before}")

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        ws = workspace(tmp_path, "honest")
        url = f"sqlite:///{tmp_path / 'honest.db'}"
        corrected = log_feedback(url, feedback, before_feedback, feedback)
        print(f"manager corrected {corrected} (intents, sentiments) of the feedback half; retraining...")
        honest, honest_log, honest_s = retrain(ws, url)
        print(honest_log[-2000:])
        after_eval = predict(Path(honest["path"]), eval_texts)
        eval_after = scores(after_eval, evaluation)
        verdict = "promoted" if honest["promoted"] else "refused"
        print(describe(f"evaluation half ({verdict})", eval_before, eval_after))

        bad_ws = workspace(tmp_path, "corrupted")
        bad_url = f"sqlite:///{tmp_path / 'corrupted.db'}"
        log_feedback(bad_url, feedback, before_feedback, corrupt(feedback))
        print("corrupted labels: retraining...")
        bad, bad_log, bad_s = retrain(bad_ws, bad_url)
        print(bad_log[-2000:])
        bad_eval = predict(Path(bad["path"]), eval_texts)
        eval_bad = scores(bad_eval, evaluation)

    keys = ("promoted", "metrics", "reasons", "added_examples")
    results = {
        "feedback_messages": len(feedback),
        "evaluation_messages": len(evaluation),
        "corrections_applied": corrected,
        "feedback_half_before": feedback_before,
        "evaluation_before": eval_before,
        "evaluation_after": eval_after,
        "honest_candidate": {k: honest[k] for k in keys},
        "honest_retrain_seconds": round(honest_s, 1),
        "corrupted_candidate": {k: bad[k] for k in keys},
        "corrupted_evaluation": eval_bad,
        "corrupted_retrain_seconds": round(bad_s, 1),
        "feedback": [
            {"text": m.text, "truth": [m.intent, m.sentiment], "model": [r.intent, r.sentiment]}
            for m, r in zip(feedback, before_feedback, strict=True)
        ],
        "evaluation": [
            {
                "text": m.text,
                "truth": [m.intent, m.sentiment],
                "before": [b.intent, b.sentiment],
                "after": [a.intent, a.sentiment],
                "corrupted": [c.intent, c.sentiment],
            }
            for m, b, a, c in zip(evaluation, before_eval, after_eval, bad_eval, strict=True)
        ],
    }
    print(json.dumps({k: v for k, v in results.items() if k not in ("feedback", "evaluation")}, indent=2))
    for row in results["evaluation"]:
        if row["before"] != row["after"] or row["before"] != row["truth"]:
            print(
                f"  truth {'/'.join(row['truth']):<34} before {'/'.join(row['before']):<34} "
                f"after {'/'.join(row['after']):<34} {row['text']}"
            )
    write_results("learning_loop", results)


if __name__ == "__main__":
    main()
