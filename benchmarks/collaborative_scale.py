"""Fit time and memory of the collaborative models at the brand's scale: 100,000 people x 10,000 items.

    python -m benchmarks.collaborative_scale [--users 100000] [--items 10000] [--per-user 20]

A synthetic engagement log (seeded): each person engages with `per-user` distinct items drawn by a Zipf-like
popularity (exponent 1), as shops' logs look. Each model is fitted in a fresh process, so its peak resident
memory (`ru_maxrss`) is its own: the shipped item-item model (sparse co-occurrence, top-50 neighbours per item)
and the shipped EaseModel (a dense item x item inverse in float32, then each item's 500 strongest weights kept,
as `recommender.collaborative` does in the action server). Results: `benchmarks/results/collaborative_scale.json`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

from benchmarks.common import table, write_results


def synthetic_log(users: int, items: int, per_user: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """(user index, item index) pairs: `per_user` distinct items per user, drawn by Zipf-like popularity."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, items + 1)
    weights /= weights.sum()
    rows, cols = [], []
    for user in range(users):
        chosen = rng.choice(items, size=per_user, replace=False, p=weights)
        rows.append(np.full(per_user, user))
        cols.append(chosen)
    return np.concatenate(rows), np.concatenate(cols)


def fit_item_item(users: np.ndarray, items: np.ndarray, n_items: int) -> None:
    from recommender.collaborative import Engagement, ItemItemModel

    ids = [str(i) for i in range(n_items)]
    ItemItemModel(ids).fit(Engagement(int(u), ids[i]) for u, i in zip(users, items, strict=True))


def fit_ease(users: np.ndarray, items: np.ndarray, n_items: int) -> None:
    from recommender.collaborative import EaseModel, Engagement

    ids = [str(i) for i in range(n_items)]
    EaseModel(ids).fit(Engagement(int(u), ids[i]) for u, i in zip(users, items, strict=True))


def child(model: str, users: int, items: int, per_user: int) -> None:
    """Runs in its own process: builds the log, fits one model, prints its fit time and peak memory as JSON."""
    user_index, item_index = synthetic_log(users, items, per_user)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    (fit_item_item if model == "item-item" else fit_ease)(user_index, item_index, items)
    fit_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"model": model, "fit_s": fit_s, "peak_mb": peak / 1024, "fit_mb": (peak - before) / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--per-user", type=int, default=20)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.users, args.items, args.per_user)
        return
    rows = []
    for model in ("item-item", "ease"):  # "ease" is the shipped EaseModel
        command = [sys.executable, "-m", "benchmarks.collaborative_scale", "--child", model]
        command += ["--users", str(args.users), "--items", str(args.items), "--per-user", str(args.per_user)]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        rows.append(json.loads(out))
        print(rows[-1], flush=True)
    print(f"\n{args.users:,} people x {args.items:,} items, {args.per_user} engagements each")
    print(table(rows, ["model", "fit_s", "fit_mb", "peak_mb"]))
    write_results(
        "collaborative_scale",
        {"users": args.users, "items": args.items, "per_user": args.per_user, "rows": rows},
    )


if __name__ == "__main__":
    main()
