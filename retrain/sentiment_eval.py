"""Scores a trained model's sentiment on held-out labelled messages (the gate's sentiment check).

    python -m retrain.sentiment_eval MODEL HELDOUT_TSV OUT_JSON

Runs in its own process, like `rasa test`, so the retrain job never holds two models in memory. Every message goes
through the model's whole NLU pipeline (the shared encoder pass, then the sentiment head the model carries).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

from nlu.models.sentiment import read_examples, sentiment_scores


def parse_all(model: Path, texts: list[str]) -> list[dict]:
    """Rasa's parse of each text by the model (loaded in this process), one message at a time."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise Rasa logs every parse at debug level
    agent = Agent.load(str(model))

    async def run() -> list[dict]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())


def sentiment_label(parsed: dict) -> str:
    """The sentiment label in a parse ("none" where the model gave none)."""
    return (parsed.get("sentiment") or {}).get("label", "none")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: writes {"accuracy", "macro_recall", "macro_f1", "messages"} to OUT_JSON."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    model, heldout, out = (Path(a) for a in args)
    texts, truth = read_examples(heldout)
    predicted = [sentiment_label(parsed) for parsed in parse_all(model, texts)]
    result = {k: round(v, 4) for k, v in sentiment_scores(truth, predicted).items()}
    out.write_text(json.dumps({**result, "messages": len(texts)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
