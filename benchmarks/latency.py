"""Per-message NLU time and whole-bot REST round trips: Parley's bot vs the same bot on the stock DIET pipeline.

    python -m benchmarks.latency [--requests 200] [--concurrency 8]

Both bots share the domain, training data, policies and actions; only the NLU pipeline differs
(`config.yml` vs `benchmarks/configs/stock_diet_bot.yml`). Both are trained in this run, so the comparison is
like for like. Measured:

1. NLU: `Agent.parse_message` per message, one at a time (p50, p99).
2. REST: the full stack (Rasa server + action server, as `make run` starts it), messages sent one after another,
   then from 8 concurrent senders; p50 and p99 of the round trip, and throughput.

Results: `benchmarks/results/latency.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT, table, write_results
from bot.launcher import start_stack

# No handoff request here: it pauses the conversation, and the senders are reused.
MESSAGES = [
    "hi there",
    "do you sell tents for two people?",
    "how much is the ridgeline 2 tent",
    "recommend me something for winter camping",
    "how long does shipping take to canada",
    "what is your return policy",
    "where is my order",
    "my tent leaked on the first night and I'm really annoyed",
    "what do you know about me",
    "thanks, that's great!",
    "tell me a joke",
]


def train(config: Path, out: Path, name: str) -> Path:
    command = [
        sys.executable,
        "-m",
        "bot.cli",
        "train",
        "--config",
        str(config),
        "--domain",
        "domain",
        "--data",
        "data",
        "--out",
        str(out),
        "--fixed-model-name",
        name,
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"   trained {name} in {time.perf_counter() - start:.0f} s", flush=True)
    return out / f"{name}.tar.gz"


def nlu_times(model: Path, rounds: int) -> np.ndarray:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> list[float]:
        await agent.parse_message(MESSAGES[0])
        times = []
        for i in range(rounds):
            start = time.perf_counter()
            await agent.parse_message(MESSAGES[i % len(MESSAGES)])
            times.append((time.perf_counter() - start) * 1000)
        return times

    return np.array(asyncio.run(run()))


def rest_times(model: Path, logs: Path, requests: int, concurrency: int) -> dict[str, float]:
    stack = start_stack(model, logs)
    try:
        stack.say("warm-up", MESSAGES[0])

        def one(i: int) -> float:
            start = time.perf_counter()
            status, replies = stack.say(f"bench-{i % 50}", MESSAGES[i % len(MESSAGES)])
            if status != 200 or not replies:
                raise RuntimeError(f"bad reply {status}: {replies}")
            return (time.perf_counter() - start) * 1000

        sequential = np.array([one(i) for i in range(requests)])
        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            concurrent = np.array(list(pool.map(one, range(requests, 2 * requests))))
        elapsed = time.perf_counter() - start
    finally:
        stack.stop()
    return {
        "sequential_p50_ms": float(np.percentile(sequential, 50)),
        "sequential_p99_ms": float(np.percentile(sequential, 99)),
        f"concurrent{concurrency}_p50_ms": float(np.percentile(concurrent, 50)),
        f"concurrent{concurrency}_p99_ms": float(np.percentile(concurrent, 99)),
        f"concurrent{concurrency}_requests_per_s": requests / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    results: dict = {"systems": {}, "requests": args.requests, "concurrency": args.concurrency}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        configs = {"parley": ROOT / "config.yml", "stock_diet": ROOT / "benchmarks" / "configs" / "stock_diet_bot.yml"}
        models = {}
        for name, config in configs.items():
            print(f"== training the {name} bot", flush=True)
            models[name] = train(config, work, name)
        for name, model in models.items():
            print(f"== {name}: NLU per message", flush=True)
            times = nlu_times(model, rounds=10 * len(MESSAGES))
            entry = {"nlu_p50_ms": float(np.percentile(times, 50)), "nlu_p99_ms": float(np.percentile(times, 99))}
            print(f"== {name}: REST round trips", flush=True)
            entry |= rest_times(model, work / f"{name}-logs", args.requests, args.concurrency)
            results["systems"][name] = entry
            print(entry, flush=True)

    parley, stock = results["systems"]["parley"], results["systems"]["stock_diet"]
    results["ratios_parley_over_stock"] = {key: parley[key] / stock[key] for key in parley if stock.get(key)}
    columns = [
        "system",
        "nlu_p50_ms",
        "nlu_p99_ms",
        "sequential_p50_ms",
        "sequential_p99_ms",
        f"concurrent{args.concurrency}_p50_ms",
        f"concurrent{args.concurrency}_p99_ms",
    ]
    rows = [{"system": k, **v} for k, v in results["systems"].items()]
    rows.append({"system": "ratio", **results["ratios_parley_over_stock"]})
    print("\nLatency (ms)")
    print(table(rows, columns))
    print(f"median of ratios: {statistics.median(results['ratios_parley_over_stock'].values()):.2f}")
    write_results("latency", results)


if __name__ == "__main__":
    main()
