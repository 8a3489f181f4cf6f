"""Recommendation latency at catalog scale: top-10 over 1k, 10k and 100k items, vs keyword search (BM25).

Items are synthetic (random unit vectors of MiniLM's 384 dimensions, generated titles and descriptions, types,
categories, prices) with a synthetic feedback log, because what is measured is the ranking cost, not quality.
Each query is a full `Recommender.recommend` call: request + profile direction, collaborative signal, popularity,
filters, MMR over 50 candidates and explanations. The query vector is precomputed so that the figure is the
ranking alone; the cost of encoding the query with the real MiniLM is measured separately and reported beside it.
Baseline in the same run: Parley's BM25 keyword search (`recommender.lexical`), which the recommender replaced.

    python -m benchmarks.recommender_latency
"""

from __future__ import annotations

import random
import statistics
import time

import numpy as np

from benchmarks.common import table, write_results
from recommender.catalog import Catalog, Item
from recommender.collaborative import Engagement, ItemItemModel
from recommender.encoders import normalise
from recommender.engine import Recommender, Request, UserContext
from recommender.lexical import LexicalSearch

SIZES = (1_000, 10_000, 100_000)
QUERIES = 300
DIM = 384
WORDS = (
    "tent pack jacket stove boot shoe trail alpine ultralight winter summer rain down merino fleece lamp filter "
    "pole pad quilt bag camp hike run climb ski trek river lake desert forest coast mountain summit valley"
).split()
CATEGORIES = ("tent", "pack", "jacket", "stove", "boot", "shoe", "lamp", "filter", "pad", "bag")


class FixedQueryEncoder:
    """Returns precomputed query vectors in turn: the ranking is timed without the encoder."""

    name = "fixed"

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.position = 0

    def encode(self, texts, show_progress: bool = False) -> np.ndarray:
        """The next precomputed vector, whatever the text."""
        vector = self.vectors[self.position % len(self.vectors)]
        self.position += 1
        return vector[None, :]


def synthetic_catalog(n: int, rng: random.Random) -> list[Item]:
    items = []
    for i in range(n):
        words = rng.sample(WORDS, 6)
        kind = rng.choices(("product", "guide", "story", "promotion"), weights=(8, 1, 1, 0.5))[0]
        items.append(
            Item(
                id=f"item-{i}",
                type=kind,
                title=" ".join(words[:3]).title(),
                description=" ".join(words),
                category=rng.choice(CATEGORIES) if kind == "product" else "",
                tags=tuple(words[3:5]),
                price=round(rng.uniform(10, 600), 2) if kind == "product" else None,
            )
        )
    return items


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


def minilm_query_cost() -> dict[str, float]:
    """Encoding one short query with the real MiniLM (the part of a request the ranking figures leave out)."""
    from recommender.encoders import SentenceTransformerEncoder

    encoder = SentenceTransformerEncoder()
    encoder.encode(["warm up"])
    samples = []
    for text in ["a tent for two people", "something for winter camping", "light trail running shoes"] * 20:
        start = time.perf_counter()
        encoder.encode([text])
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def main() -> None:
    rng = random.Random(7)
    np_rng = np.random.default_rng(7)
    rows = []
    for n in SIZES:
        items = synthetic_catalog(n, rng)
        vectors = normalise(np_rng.standard_normal((n, DIM)).astype(np.float32))
        engagements = [
            Engagement(user, f"item-{np_rng.integers(0, n)}") for user in range(2_000) for _ in range(rng.randint(1, 8))
        ]
        model = ItemItemModel([item.id for item in items]).fit(engagements)
        queries = normalise(np_rng.standard_normal((QUERIES, DIM)).astype(np.float32))
        recommender = Recommender(items, vectors, FixedQueryEncoder(queries), model).with_weights(
            min_query_similarity=-1.0
        )
        users = [
            UserContext(
                interests={rng.choice(CATEGORIES): 2.0},
                history={f"item-{np_rng.integers(0, n)}": 1.0 for _ in range(5)},
                dismissed=frozenset({f"item-{np_rng.integers(0, n)}"}),
            )
            for _ in range(20)
        ]
        requests = [
            Request("tent for winter"),
            Request("light jacket", category="jacket"),
            Request("stove under 100", max_price=100.0),
        ]
        for i in range(150):  # warm-up: first touches of a 100k-item matrix page it in
            recommender.recommend(requests[i % 3], users[i % 20], k=10)
        samples = []
        for i in range(QUERIES):
            start = time.perf_counter()
            recommender.recommend(requests[i % 3], users[i % 20], k=10)
            samples.append(time.perf_counter() - start)
        ours = percentiles(samples)

        search = LexicalSearch(Catalog(items))
        texts = ["ultralight tent winter", "rain jacket merino", "stove camp summit"]
        lexical = []
        for i in range(QUERIES):
            start = time.perf_counter()
            search.search(texts[i % 3], k=10)
            lexical.append(time.perf_counter() - start)
        base = percentiles(lexical)
        rows.append(
            {
                "items": n,
                "recommend_p50_ms": ours["p50_ms"],
                "recommend_p95_ms": ours["p95_ms"],
                "bm25_p50_ms": base["p50_ms"],
                "bm25_p95_ms": base["p95_ms"],
                "ratio_p50": ours["p50_ms"] / base["p50_ms"],
            }
        )
        print(table(rows[-1:], list(rows[-1])))
    encode = minilm_query_cost()
    print(table(rows, list(rows[0])))
    print(f"\nMiniLM query encoding (once per request): p50 {encode['p50_ms']:.1f} ms, p95 {encode['p95_ms']:.1f} ms")
    goal = rows[-1]["recommend_p50_ms"] <= 5.0
    print(f"Goal (<= 5 ms at 100k, p50): {'met' if goal else 'NOT met'}")
    write_results(
        "recommender_latency",
        {"queries_per_size": QUERIES, "k": 10, "rows": rows, "minilm_query_encoding": encode, "goal_met": goal},
    )


if __name__ == "__main__":
    main()
