"""Scores a trained model's sentiment on held-out labelled messages (the gate's sentiment check).

    python -m retrain.sentiment_eval MODEL HELDOUT_TSV OUT_JSON

Runs in its own process, like `rasa test`, so the retrain job never holds two models in memory. Every message goes
through the model's whole NLU pipeline (the shared encoder pass, then the sentiment head the model carries).
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import sys
from pathlib import Path


def read_heldout(path: Path) -> tuple[list[str], list[str]]:
    """(texts, labels) from a TSV with `label` and `text` columns."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [row["text"] for row in rows], [row["label"] for row in rows]


def scores(truth: list[str], predicted: list[str]) -> dict[str, float]:
    """Accuracy and macro-recall (the mean of each label's recall, so a rare label counts as much as a common one)."""
    labels = sorted(set(truth))
    recalls = [
        sum(t == p == label for t, p in zip(truth, predicted, strict=True)) / truth.count(label) for label in labels
    ]
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)
    return {"accuracy": round(accuracy, 4), "macro_recall": round(sum(recalls) / len(recalls), 4)}


def predict(model: Path, texts: list[str]) -> list[str]:
    """The sentiment label the model gives each text ("none" where it gives none)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise Rasa logs every parse at debug level
    agent = Agent.load(str(model))

    async def parse_all() -> list[str]:
        parsed = [await agent.parse_message(text) for text in texts]
        return [(p.get("sentiment") or {}).get("label", "none") for p in parsed]

    return asyncio.run(parse_all())


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: writes {"accuracy", "macro_recall", "messages"} to OUT_JSON."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    model, heldout, out = (Path(a) for a in args)
    texts, truth = read_heldout(heldout)
    result = {**scores(truth, predict(model, texts)), "messages": len(texts)}
    out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
