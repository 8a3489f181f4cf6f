"""Do the picks fit the request? Parley's recommender against text similarity and BM25, on a shop assistant's picks.

    python -m benchmarks.recommendation_quality [--model models/parley.tar.gz]

`benchmarks/recommendations/requests.yml` holds customer requests with the items a knowledgeable shop assistant
would lead with (`best`, gain 2) and sound alternatives (`good`, gain 1). Each system returns its top three:

- `parley`: the bot's own path. The trained model parses the message (its product-type entity), the recommend
  action's `build_requests` turns it into a request (category, budget, the qualifiers of `brand/attributes.yml`),
  and the recommender ranks, trying the request's fallbacks in turn. No customer history: every request is a
  cold start, so personalisation neither helps nor hurts;
- `parley_no_attributes`: the same, with the attribute weight at 0 (what the qualifiers add);
- `text_similarity`: cosine similarity of the message's embedding to every item's, nothing else (same encoder);
- `bm25`: the catalog's keyword search (`recommender.lexical`), as the bot's degraded path uses it.

Reported: hit@3 (any `best` item in the top three), nDCG@3 with graded gains, and each system's ratio to text
similarity. Results: `benchmarks/results/recommendation_quality.json`.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from benchmarks.common import ROOT, table, write_results

REQUESTS = ROOT / "benchmarks" / "recommendations" / "requests.yml"
# The judged requests, then two batches written after fixes the earlier ones prompted (reported apart).
SECTIONS = ("requests", "fresh_requests", "fresh_requests_2")
K = 3


@dataclass(frozen=True)
class Judged:
    """One request and the shop assistant's picks."""

    text: str
    best: tuple[str, ...]
    good: tuple[str, ...] = ()

    def gain(self, item_id: str) -> int:
        """2 for a best pick, 1 for a sound alternative, 0 otherwise."""
        return 2 if item_id in self.best else 1 if item_id in self.good else 0


def read_requests(path: Path = REQUESTS, section: str = "requests") -> list[Judged]:
    """The judged requests of one section (see `SECTIONS`), in file order."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Judged(str(entry["text"]), tuple(entry["best"]), tuple(entry.get("good") or ()))
        for entry in raw.get(section) or []
    ]


def hit_at_k(judged: Judged, ranked: list[str], k: int = K) -> float:
    """1.0 when any best pick is in the top k."""
    return float(any(item in judged.best for item in ranked[:k]))


def ndcg_at_k(judged: Judged, ranked: list[str], k: int = K) -> float:
    """Normalised discounted cumulative gain of the top k, with gains 2^g - 1."""

    def dcg(gains: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted([2] * len(judged.best) + [1] * len(judged.good), reverse=True))
    return dcg([judged.gain(item) for item in ranked]) / ideal if ideal else 0.0


def parley_rankings(model: Path, texts: list[str], attribute_weight: float | None = None) -> list[list[str]]:
    """The recommend action's picks for each text (parsed by the trained model), cold start."""
    from rasa_sdk import Tracker

    from actions.recommend import MAX_PICKS, build_requests
    from actions.settings import get_attributes, get_brand, get_catalog, make_encoder
    from recommender.engine import Recommender, UserContext
    from retrain.sentiment_eval import parse_all

    recommender = Recommender.build(
        list(get_catalog()),
        make_encoder(),
        [],
        attributes=get_attributes(),
        currency_symbol=get_brand().currency_symbol,
    )
    if attribute_weight is not None:
        recommender = recommender.with_weights(attributes=attribute_weight)
    rankings = []
    for parse in parse_all(model, texts):
        latest = {"text": parse["text"], "intent": parse.get("intent") or {}, "entities": parse.get("entities") or []}
        tracker = Tracker.from_dict(
            {
                "sender_id": "benchmark",
                "slots": {},
                "latest_message": latest,
                "events": [{"event": "user", "text": parse["text"], "parse_data": latest}],
                "paused": False,
                "followup_action": None,
                "active_loop": {},
                "latest_action_name": "action_listen",
            }
        )
        picks: list[Any] = []
        for attempt in build_requests(tracker):
            picks = recommender.recommend(attempt, UserContext(personalised=False), k=MAX_PICKS)
            if picks:
                break
        rankings.append([pick.item.id for pick in picks])
    return rankings


def similarity_rankings(texts: list[str]) -> list[list[str]]:
    """Top items by cosine similarity of the text to each item's embedding, nothing else."""
    from actions.settings import get_catalog, make_encoder
    from recommender.embeddings import embed_catalog

    items = list(get_catalog())
    encoder = make_encoder()
    matrix = embed_catalog(items, encoder)
    queries = encoder.encode(texts)
    scores = queries @ matrix.T
    return [[items[i].id for i in np.argsort(-row, kind="stable")[:K]] for row in scores]


def bm25_rankings(texts: list[str]) -> list[list[str]]:
    """Top items by the catalog's BM25 keyword search."""
    from actions.settings import get_search

    return [[hit.item.id for hit in get_search().search(text, k=K)] for text in texts]


def score(judged: list[Judged], rankings: list[list[str]]) -> dict[str, Any]:
    """hit@3 and nDCG@3 over every request, and the requests the system missed."""
    return {
        "hit_at_3": float(np.mean([hit_at_k(j, r) for j, r in zip(judged, rankings, strict=True)])),
        "ndcg_at_3": float(np.mean([ndcg_at_k(j, r) for j, r in zip(judged, rankings, strict=True)])),
        "misses": [
            {"text": j.text, "best": list(j.best), "top3": r[:K]}
            for j, r in zip(judged, rankings, strict=True)
            if not hit_at_k(j, r)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "parley.tar.gz", help="trained Parley model")
    args = parser.parse_args()

    results: dict[str, Any] = {}
    for section in SECTIONS:
        judged = read_requests(section=section)
        texts = [j.text for j in judged]
        systems = {
            "parley": parley_rankings(args.model, texts),
            "parley_no_attributes": parley_rankings(args.model, texts, attribute_weight=0.0),
            "text_similarity": similarity_rankings(texts),
            "bm25": bm25_rankings(texts),
        }
        results[section] = {"requests": len(judged), "systems": {n: score(judged, r) for n, r in systems.items()}}
        base = results[section]["systems"]["text_similarity"]
        rows = [
            {
                "system": name,
                "hit@3": entry["hit_at_3"],
                "nDCG@3": entry["ndcg_at_3"],
                "hit@3 vs text": entry["hit_at_3"] / base["hit_at_3"] if base["hit_at_3"] else float("nan"),
                "nDCG@3 vs text": entry["ndcg_at_3"] / base["ndcg_at_3"] if base["ndcg_at_3"] else float("nan"),
            }
            for name, entry in results[section]["systems"].items()
        ]
        print(f"\n{section}: {len(judged)} judged requests (cold start, top {K})")
        print(table(rows, list(rows[0])))
        for miss in results[section]["systems"]["parley"]["misses"]:
            print(f"  parley missed: {miss['text']!r}: showed {miss['top3']}, best {miss['best']}")
    write_results("recommendation_quality", results)


if __name__ == "__main__":
    main()
