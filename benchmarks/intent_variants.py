"""Which layers to fine-tune, and do averaged models help? BANKING77, outside Rasa, same model code.

    python -m benchmarks.intent_variants [--variants top2 top3 top3_seed7 all6]

Trains `nlu.models.intent.IntentModel` on BANKING77's 10,003 training queries for each variant (how many of
MiniLM's six layers are fine-tuned, and the seed), scores the 3,080 test queries, and then scores the averaged
probabilities of several variants and of the frozen-embedding logistic-regression reference. Averages use equal
weights: a weight tuned on the test split would flatter them. Training time includes computing the frozen layers'
states, as `rasa train` does; run nothing else on the machine meanwhile.

Needs `../shared/data/banking77` (skips cleanly without it). Results: `benchmarks/results/intent_variants.json`.
About 30 minutes on 2 CPU cores for the four variants.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from benchmarks.common import dataset, table, write_results
from benchmarks.intent_banking77 import in_scope_scores, read_split
from benchmarks.oos_scores import frozen_lr_probabilities
from nlu.models.encoder import SplitEncoder, configure_torch_threads
from nlu.models.intent import IntentModel, IntentTrainingConfig

# name -> (encoder split, seed); the defaults of IntentTrainingConfig otherwise (8 epochs, learning rate 1e-4).
VARIANTS = {"top2": (-2, 42), "top3": (-3, 42), "top3_seed7": (-3, 7), "all6": (0, 42)}


def train_and_predict(
    split: int, seed: int, train: tuple[list[str], list[str]], test: list[str]
) -> tuple[np.ndarray, float]:
    """Probabilities on the test queries (columns: sorted intents) and the training wall time in seconds."""
    start = time.perf_counter()
    encoder = SplitEncoder("minilm", split=split)
    model = IntentModel.train(encoder, *train, IntentTrainingConfig(seed=seed), progress=False)
    seconds = time.perf_counter() - start
    probabilities = np.concatenate([model.predict(test[i : i + 128])[0] for i in range(0, len(test), 128)])
    return probabilities, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(VARIANTS))
    args = parser.parse_args()

    folder = dataset("banking77")
    configure_torch_threads()
    train_x, train_y = read_split(folder, "train")
    test_x, test_y = read_split(folder, "test")
    intents = np.array(sorted(set(train_y)))

    probabilities: dict[str, np.ndarray] = {}
    rows: dict[str, dict] = {}
    for name in args.variants:
        split, seed = VARIANTS[name]
        print(f"== {name}: split {split}, seed {seed}", flush=True)
        probabilities[name], seconds = train_and_predict(split, seed, (train_x, train_y), test_x)
        rows[name] = {**in_scope_scores(test_y, list(intents[probabilities[name].argmax(1)])), "train_seconds": seconds}
        print(rows[name], flush=True)

    print("== frozen MiniLM + logistic regression (reference)", flush=True)
    start = time.perf_counter()
    probabilities["frozen_lr"] = frozen_lr_probabilities(train_x, train_y, test_x)
    seconds = time.perf_counter() - start
    rows["frozen_lr"] = {
        **in_scope_scores(test_y, list(intents[probabilities["frozen_lr"].argmax(1)])),
        "train_seconds": seconds,
    }

    names = list(probabilities)
    for size in range(2, len(names) + 1):
        for group in itertools.combinations(names, size):
            mean = sum(probabilities[n] for n in group) / size
            rows[" + ".join(group)] = {
                **in_scope_scores(test_y, list(intents[mean.argmax(1)])),
                "train_seconds": sum(rows[n]["train_seconds"] for n in group),
            }

    print("\nBANKING77 test (3,080 queries); averages are equal-weight means of the probabilities")
    print(table([{"system": k, **v} for k, v in rows.items()], ["system", "accuracy", "macro_f1", "train_seconds"]))
    write_results("intent_variants", {"variants": {k: VARIANTS[k] for k in args.variants}, "systems": rows})


if __name__ == "__main__":
    main()
