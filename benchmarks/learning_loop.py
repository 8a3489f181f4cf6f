"""Does Parley learn from its managers? A reproducible before/after experiment, plus the gate refusing bad labels.

1. Start from the bot's current model (models/parley.tar.gz) in a scratch copy of the project.
2. Take 118 realistic customer messages written for this experiment (benchmarks/learning_loop_messages.tsv, true
   intents), split them into a feedback half and an evaluation half (alternating rows: 59 and 59).
3. Log the feedback half in a store with the model's own predictions, then relabel the ones it got wrong through
   the store's API, as a manager would in the console.
4. Run `python -m retrain` on that workspace and store; report intent accuracy on the evaluation half (never
   trained on) before and after.
5. Repeat from the original model with deliberately corrupted labels (every feedback message given a wrong
   intent) and show the gate refusing the candidate.

    python -m benchmarks.learning_loop        (about 8 minutes on 2 cores)
"""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, write_results
from retrain.workspace import scratch_copy
from store.db import Database
from store.identity import Identity
from store.interactions import record_user_turn
from store.migrate import upgrade
from store.reviews import relabel

MESSAGES = ROOT / "benchmarks" / "learning_loop_messages.tsv"
MODEL = ROOT / "models" / "parley.tar.gz"
MANAGER = "experiment@kestrel.example"


def read_messages() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(text, intent) pairs: the feedback half and the evaluation half."""
    with MESSAGES.open(encoding="utf-8") as handle:
        rows = [(row["text"], row["intent"]) for row in csv.DictReader(handle, delimiter="\t")]
    return rows[0::2], rows[1::2]


def predict(model: Path, texts: list[str]) -> list[tuple[str, float]]:
    """The model's intent and confidence for each text (the Rasa agent, in-process)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> list[tuple[str, float]]:
        out = []
        for text in texts:
            parsed = await agent.parse_message(text)
            out.append((parsed["intent"]["name"], float(parsed["intent"]["confidence"])))
        return out

    return asyncio.run(parse_all())


def accuracy(predictions: list[tuple[str, float]], truth: list[str]) -> float:
    return sum(p == t for (p, _), t in zip(predictions, truth, strict=True)) / len(truth)


def workspace(parent: Path, name: str) -> Path:
    """A scratch copy of the project with the current model as the served one."""
    return scratch_copy(parent / name).root


def log_feedback(url: str, feedback: list[tuple[str, str]], predictions, labels: list[str]) -> int:
    """Logs the messages with the model's reading, then relabels those whose label differs; returns how many."""
    upgrade(url)
    corrected = 0
    with Database(url).session() as session:
        for i, ((text, _), (intent, confidence), label) in enumerate(zip(feedback, predictions, labels, strict=True)):
            turn = record_user_turn(
                session,
                f"experiment-{i}",
                Identity("rest", f"experiment-{i}"),
                text,
                {"intent": {"name": intent, "confidence": confidence}},
            )
            if label != intent:
                relabel(session, turn.id, "intent", label, MANAGER)
                corrected += 1
    return corrected


def retrain(ws: Path, url: str) -> tuple[dict, str, float]:
    """Runs the retrain job on the workspace; returns its registry entry, its output and wall time."""
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "retrain",
            "--workspace",
            str(ws),
            "--db",
            url,
            "--always-train",
            "--stories-dir",
            str(ws / "none"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-3000:] + done.stderr[-3000:])
    entry = json.loads((ws / "models" / "registry.json").read_text())[-1]
    return entry, done.stdout, elapsed


def main() -> None:
    feedback, evaluation = read_messages()
    eval_texts, eval_truth = [t for t, _ in evaluation], [i for _, i in evaluation]
    print(f"{len(feedback)} feedback messages, {len(evaluation)} evaluation messages")
    before_feedback = predict(MODEL, [t for t, _ in feedback])
    before_eval = predict(MODEL, eval_texts)
    acc_before = accuracy(before_eval, eval_truth)
    print(
        f"current model: {accuracy(before_feedback, [i for _, i in feedback]):.1%} on the feedback half, "
        f"{acc_before:.1%} on the evaluation half"
    )

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        ws = workspace(tmp_path, "honest")
        url = f"sqlite:///{tmp_path / 'honest.db'}"
        corrected = log_feedback(url, feedback, before_feedback, [i for _, i in feedback])
        print(f"manager corrected {corrected} wrongly understood message(s); retraining...")
        honest, honest_log, honest_s = retrain(ws, url)
        print(honest_log[-1500:])
        after_model = Path(honest["path"])
        after_eval = predict(after_model, eval_texts)
        acc_after = accuracy(after_eval, eval_truth)
        verdict = "promoted" if honest["promoted"] else "refused"
        print(f"evaluation half: {acc_before:.1%} before -> {acc_after:.1%} after ({verdict})")

        bad_ws = workspace(tmp_path, "corrupted")
        bad_url = f"sqlite:///{tmp_path / 'corrupted.db'}"
        intents = sorted({i for _, i in feedback})
        wrong = [intents[(intents.index(i) + 1) % len(intents)] for _, i in feedback]
        log_feedback(bad_url, feedback, before_feedback, wrong)
        print("corrupted labels: retraining...")
        bad, bad_log, bad_s = retrain(bad_ws, bad_url)
        print(bad_log[-1500:])
        bad_eval = predict(Path(bad["path"]), eval_texts)
        acc_bad = accuracy(bad_eval, eval_truth)

    results = {
        "feedback_messages": len(feedback),
        "evaluation_messages": len(evaluation),
        "corrections_applied": corrected,
        "evaluation_accuracy_before": round(acc_before, 4),
        "evaluation_accuracy_after": round(acc_after, 4),
        "honest_candidate": {k: honest[k] for k in ("promoted", "metrics", "reasons", "added_examples")},
        "honest_retrain_seconds": round(honest_s, 1),
        "corrupted_candidate": {k: bad[k] for k in ("promoted", "metrics", "reasons", "added_examples")},
        "corrupted_evaluation_accuracy": round(acc_bad, 4),
        "corrupted_retrain_seconds": round(bad_s, 1),
        "feedback": [
            {"text": t, "truth": i, "model": p[0], "corrected": p[0] != i}
            for (t, i), p in zip(feedback, before_feedback, strict=True)
        ],
        "evaluation": [
            {"text": t, "truth": i, "before": b[0], "after": a[0], "corrupted": c[0]}
            for t, i, b, a, c in zip(eval_texts, eval_truth, before_eval, after_eval, bad_eval, strict=True)
        ],
    }
    print(json.dumps({k: v for k, v in results.items() if k not in ("feedback", "evaluation")}, indent=2))
    for row in results["evaluation"]:
        if len({row["truth"], row["before"], row["after"]}) > 1:
            print(f"  {row['truth']:>24}  before {row['before']:<24} after {row['after']:<24} {row['text']}")
    write_results("learning_loop", results)


if __name__ == "__main__":
    main()
