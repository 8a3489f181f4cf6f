"""Training step time with random batches vs length-bucketed batches (why `nlu.models.intent` buckets).

    python -m benchmarks.bucketing

Same 100 steps (batch 32, top two MiniLM layers + head) over BANKING77 training queries, once with random batches
padded to their longest query and once with `length_bucketed_batches`. Results: `benchmarks/results/bucketing.json`.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from benchmarks.common import dataset, write_results
from benchmarks.intent_banking77 import read_split
from nlu.models.encoder import SplitEncoder, configure_torch_threads
from nlu.models.intent import IntentNetwork, length_bucketed_batches, pad

STEPS, BATCH = 100, 32


def time_steps(encoder: SplitEncoder, states: list, batches: list[np.ndarray], y: np.ndarray) -> float:
    torch.manual_seed(0)
    network = IntentNetwork(encoder.top_layers(), encoder.hidden_size, int(y.max()) + 1, 0.1).train()
    optimiser = torch.optim.AdamW(network.parameters(), lr=1e-4)
    start = time.perf_counter()
    for batch in batches[:STEPS]:
        hidden, mask = pad([states[i] for i in batch])
        loss = nn.functional.cross_entropy(network(hidden, mask), torch.from_numpy(y[batch]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return (time.perf_counter() - start) * 1000 / STEPS


def main() -> None:
    configure_torch_threads()
    texts, labels = read_split(dataset("banking77"), "train")
    texts, labels = texts[: STEPS * BATCH], labels[: STEPS * BATCH]
    names = sorted(set(labels))
    y = np.array([names.index(label) for label in labels])
    encoder = SplitEncoder("minilm", split=-2)
    states = encoder.bottom_batches(texts)
    lengths = [length for _, length in states]
    rng = np.random.default_rng(0)
    order = rng.permutation(len(texts))
    random_batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    bucketed = length_bucketed_batches(lengths, BATCH, rng)
    results = {
        "random_ms_per_step": time_steps(encoder, states, random_batches, y),
        "bucketed_ms_per_step": time_steps(encoder, states, bucketed, y),
    }
    results["speed_up"] = results["random_ms_per_step"] / results["bucketed_ms_per_step"]
    print(results)
    write_results("bucketing", results)


if __name__ == "__main__":
    main()
