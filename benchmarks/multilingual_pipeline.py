"""The shipped NLU with and without its Spanish/French pass: English accuracy and latency before and after.

    python -m benchmarks.multilingual_pipeline   (after `make train`)

One trained model (`models/parley.tar.gz`), parsed message by message through Rasa's own graph, twice per
message, interleaved: with the cross-lingual classifier as shipped ("after"), and with it switched off ("before":
it then passes every message untouched, which is the pipeline as it was). English: the held-out test messages
(`tests/nlu/heldout.yml`) and the conversation benchmark's labelled messages (`benchmarks/conversations/
messages.tsv`: slang, typos, praise, gibberish). Spanish and French: the 60 + 60 messages of
`benchmarks/multilingual_intents.py`, now through the whole pipeline (language detection, the fallback
threshold), so a message counts as answered right only when the routed intent is its label.
Results: `benchmarks/results/multilingual_pipeline.json`.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import numpy as np

from benchmarks.common import ROOT, table, write_results
from benchmarks.conversation_data import read_messages
from benchmarks.multilingual_intents import TESTS, examples

MODEL = ROOT / "models" / "parley.tar.gz"


def crosslingual_node(agent: object) -> object:
    """The loaded cross-lingual component inside the agent's graph."""
    from nlu.components.crosslingual_intents import CrossLingualIntentClassifier

    runner = agent.processor.graph_runner  # type: ignore[attr-defined]
    for node in runner._instantiated_nodes.values():
        if isinstance(getattr(node, "_component", None), CrossLingualIntentClassifier):
            return node._component
    raise SystemExit("the model has no CrossLingualIntentClassifier; retrain with the current config.yml")


async def run() -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    component = crosslingual_node(agent)
    shipped = list(component._config["languages"])
    english = [(t, i) for t, i in examples(ROOT / "tests" / "nlu" / "heldout.yml")]
    english += [(m.text, m.intent) for m in read_messages()]
    sets = {"en": english, **{lang: examples(path) for lang, path in TESTS.items()}}
    await agent.parse_message("warm up")
    results: dict[str, dict[str, list]] = {mode: {lang: [] for lang in sets} for mode in ("before", "after")}
    times: dict[str, list[float]] = {"before": [], "after": []}
    for lang, pairs in sets.items():
        for n, (text, label) in enumerate(pairs):
            order = ("before", "after") if n % 2 == 0 else ("after", "before")
            for mode in order:
                component._config["languages"] = shipped if mode == "after" else []
                start = time.perf_counter()
                parse = await agent.parse_message(text)
                elapsed = time.perf_counter() - start
                if lang == "en":
                    times[mode].append(elapsed)
                routed = (parse.get("intent") or {}).get("name")
                results[mode][lang].append((routed, label))
    component._config["languages"] = shipped

    rows = []
    for mode in ("before", "after"):
        row: dict[str, object] = {"pipeline": f"{mode} (cross-lingual pass {'on' if mode == 'after' else 'off'})"}
        for lang, pairs in results[mode].items():
            row[f"{lang}_right"] = float(np.mean([routed == label for routed, label in pairs]))
            if lang != "en":
                row[f"{lang}_fallback"] = float(np.mean([routed == "nlu_fallback" for routed, _ in pairs]))
        row["en_p50_ms"] = statistics.median(times[mode]) * 1000
        row["en_p90_ms"] = float(np.percentile(times[mode], 90)) * 1000
        rows.append(row)
        print(row, flush=True)
    pairs = zip(english, results["before"]["en"], results["after"]["en"], strict=True)
    moved = [(text, before[0], after[0]) for (text, _), before, after in pairs if before != after]
    changed = len(moved)
    print(
        table(
            rows,
            ["pipeline", "en_right", "es_right", "es_fallback", "fr_right", "fr_fallback", "en_p50_ms", "en_p90_ms"],
        )
    )
    print(f"English messages whose routing changed: {changed} of {len(english)}")
    for text, before, after in moved:
        print(f"  {text!r}: {before} -> {after}")
    write_results(
        "multilingual_pipeline",
        {
            "english": len(english),
            "spanish": len(sets["es"]),
            "french": len(sets["fr"]),
            "rows": rows,
            "english_changed": changed,
        },
    )


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
