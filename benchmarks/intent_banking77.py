"""Intent classification on BANKING77 through the Rasa pipeline: Parley's transformer classifier vs stock DIET.

    python -m benchmarks.intent_banking77 [--diet-epochs 10] [--skip-diet] [--skip-oos]

1. In scope: train on BANKING77's 10,003 training queries (77 intents) with `rasa.model_training.train_nlu`, parse
   the 3,080 test queries with a loaded Rasa `Agent`, report accuracy, macro-F1, training wall time and per-message
   parse time. The stock DIET pipeline (the `rasa init` NLU config) is trained and scored in the same run; on 2 cores
   it needs about a minute per epoch here, so its epochs are capped (`--diet-epochs`) and the cap is reported.
2. Out of scope: hold out a fifth of the intents (15, fixed seed) from training; their test queries count as
   out-of-scope. For every confidence threshold, a query is "rejected" below it. Reported: out-of-scope recall at the
   best threshold that keeps in-scope accuracy (correct and not rejected) >= 93%.

Needs `../shared/data/banking77` (skips cleanly without it). Results: `benchmarks/results/intent_banking77.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("RASA_MAX_CACHE_SIZE", "0")  # no cached components: every training is timed from scratch
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import yaml

from benchmarks.common import dataset, table, write_results

IN_SCOPE_TARGET = 0.93
HELD_OUT_FRACTION = 0.2
SEED = 0


def parley_pipeline(split: int) -> list[dict]:
    """Parley's NLU (as in config.yml, minus what BANKING77 does not exercise) with the given encoder split."""
    featurizer = "nlu.components.transformer_featurizer.TransformerFeaturizer"
    classifier = "nlu.components.intent_classifier.TransformerIntentClassifier"
    return [
        {"name": featurizer, "model": "minilm", "split": split},
        {"name": classifier, "model": "minilm", "split": split, "show_progress": False},
    ]


def diet_pipeline(epochs: int) -> list[dict]:
    """The `rasa init` NLU pipeline (entity and response parts are idle on this data)."""
    return [
        {"name": "WhitespaceTokenizer"},
        {"name": "RegexFeaturizer"},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"name": "DIETClassifier", "epochs": epochs, "constrain_similarities": True, "random_seed": SEED},
    ]


def read_split(folder: Path, name: str) -> tuple[list[str], list[str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [" ".join(r["text"].split()) for r in rows], [r["category"] for r in rows]


def write_nlu(path: Path, texts: list[str], labels: list[str]) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        by_intent[label].append(text)
    blocks = [{"intent": k, "examples": "".join(f"- {t}\n" for t in v)} for k, v in sorted(by_intent.items())]

    class Literal(str):
        pass

    yaml.add_representer(Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|"))
    for block in blocks:
        block["examples"] = Literal(block["examples"])
    path.write_text(yaml.dump({"version": "3.1", "nlu": blocks}, sort_keys=False, allow_unicode=True))


def train(pipeline: list[dict], nlu_file: Path, out: Path, name: str) -> tuple[str, float]:
    from rasa.model_training import train_nlu

    config = out / f"{name}.yml"
    config.write_text(
        yaml.dump(
            {"recipe": "default.v1", "language": "en", "assistant_id": name, "pipeline": pipeline, "policies": []}
        )
    )
    start = time.perf_counter()
    model = train_nlu(str(config), str(nlu_file), str(out), fixed_model_name=name)
    return str(model), time.perf_counter() - start


def parse_all(model_path: str, texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Predicted intent, confidence and parse time (ms) for every text, one message at a time as in production."""
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)

    async def run() -> tuple[list[str], list[float], list[float]]:
        names, confidences, times = [], [], []
        await agent.parse_message(texts[0])  # warm-up
        for text in texts:
            start = time.perf_counter()
            parsed = await agent.parse_message(text)
            times.append((time.perf_counter() - start) * 1000)
            names.append(parsed["intent"]["name"])
            confidences.append(parsed["intent"]["confidence"])
        return names, confidences, times

    names, confidences, times = asyncio.run(run())
    return names, np.array(confidences), np.array(times)


def in_scope_scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(f1_score(gold, predicted, average="macro")),
    }


def oos_sweep(gold: list[str | None], predicted: list[str], confidence: np.ndarray) -> dict[str, float]:
    """Best out-of-scope recall with in-scope accuracy >= target, over all confidence thresholds."""
    is_oos = np.array([g is None for g in gold])
    correct = np.array([g == p for g, p in zip(gold, predicted, strict=True)])
    best = {"threshold": None, "oos_recall": 0.0, "in_scope_accuracy": float(correct[~is_oos].mean())}
    for threshold in np.unique(np.concatenate([[0.0], confidence])):
        accepted = confidence >= threshold
        accuracy = float((correct & accepted)[~is_oos].mean())
        recall = float((~accepted)[is_oos].mean())
        if accuracy >= IN_SCOPE_TARGET and recall > best["oos_recall"]:
            best = {"threshold": float(threshold), "oos_recall": recall, "in_scope_accuracy": accuracy}
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--diet-epochs", type=int, default=10)
    parser.add_argument("--skip-diet", action="store_true")
    parser.add_argument("--skip-oos", action="store_true")
    parser.add_argument("--oos-all", action="store_true", help="out-of-scope run for every system, not only Parley")
    args = parser.parse_args()

    folder = dataset("banking77")
    train_x, train_y = read_split(folder, "train")
    test_x, test_y = read_split(folder, "test")
    # The shipped default (top two layers fine-tuned), and the top three for the trade-off.
    systems = {"parley": parley_pipeline(-2), "parley_top3_layers": parley_pipeline(-3)}
    if not args.skip_diet:
        systems[f"diet_{args.diet_epochs}_epochs"] = diet_pipeline(args.diet_epochs)

    results: dict = {"in_scope": {}, "out_of_scope": {}, "diet_epochs": args.diet_epochs}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_nlu(work / "train.yml", train_x, train_y)
        for name, pipeline in systems.items():
            print(f"== {name}: training on {len(train_x)} examples", flush=True)
            model, seconds = train(pipeline, work / "train.yml", work, name)
            predicted, _, times = parse_all(model, test_x)
            results["in_scope"][name] = {
                **in_scope_scores(test_y, predicted),
                "train_seconds": round(seconds, 1),
                "parse_ms_p50": float(np.percentile(times, 50)),
                "parse_ms_p99": float(np.percentile(times, 99)),
            }
            print(results["in_scope"][name], flush=True)

        if not args.skip_oos:
            rng = np.random.default_rng(SEED)
            intents = sorted(set(train_y))
            held_out = set(rng.choice(intents, size=round(len(intents) * HELD_OUT_FRACTION), replace=False))
            keep = [i for i, y in enumerate(train_y) if y not in held_out]
            write_nlu(work / "oos_train.yml", [train_x[i] for i in keep], [train_y[i] for i in keep])
            gold = [None if y in held_out else y for y in test_y]
            results["held_out_intents"] = sorted(held_out)
            for name, pipeline in systems.items():
                if name != "parley" and not args.oos_all:
                    continue
                print(f"== {name}: out-of-scope run ({len(held_out)} intents held out)", flush=True)
                model, seconds = train(pipeline, work / "oos_train.yml", work, f"{name}_oos")
                predicted, confidence, _ = parse_all(model, test_x)
                results["out_of_scope"][name] = {
                    **oos_sweep(gold, predicted, confidence),
                    "train_seconds": round(seconds, 1),
                }
                print(results["out_of_scope"][name], flush=True)

    rows = [{"system": k, **v} for k, v in results["in_scope"].items()]
    print("\nIn scope (BANKING77 test, 3,080 queries)")
    print(table(rows, ["system", "accuracy", "macro_f1", "train_seconds", "parse_ms_p50", "parse_ms_p99"]))
    if results["out_of_scope"]:
        rows = [{"system": k, **v} for k, v in results["out_of_scope"].items()]
        print(f"\nOut of scope (15 intents held out; best threshold with in-scope accuracy >= {IN_SCOPE_TARGET})")
        print(table(rows, ["system", "oos_recall", "in_scope_accuracy", "threshold", "train_seconds"]))
    write_results("intent_banking77", results)


if __name__ == "__main__":
    main()
