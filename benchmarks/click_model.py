"""The learned click model against today's blend, on a simulated click log with a known ground truth.

    python -m benchmarks.click_model [--seed 21] [--sessions 20000]

The simulation (seeded; every constant below):
- 400 items in 8 topics. Each has a latent vector (its topic's centre plus noise), a type (70% products, 20%
  guides, 10% stories), a price for products (log-normal around 80) and a hidden quality (standard normal). The
  engine sees a noisy copy of the latent vector, as an encoder sees a description: never the quality.
- 3,000 people, each with a topic, a taste vector near it, a price sensitivity in [0, 1] and, for 30%, a liking
  for guides. A warm-up phase gives each person 0-4 engaged items drawn by true preference: their history, the
  collaborative model's log and the popularity prior.
- The true preference (what nobody in the shop knows):
  logit = -3 + 3 cos(taste, latent) + 0.8 quality - 0.7 sensitivity log1p(price) / log1p(80)
          + 1.0 [likes guides and a guide] - 0.5 [a story]
  P(click at position p) = examination[p] x sigmoid(logit), examination = (1.0, 0.55, 0.35): the position-based
  model, so an item shown first is opened more because it is first.
- A session: one person asks (40% name a topic's category, the rest an open "any ideas?"); the engine
  (`recommender.engine.Recommender`, EASE and popularity fitted on the warm-up) ranks; three picks are shown.

The logged policy is today's blend with 20% exploration (a random three of the blend's top 20, in random order), as
a shop would run while it collects a log to learn from; it records each shown item's propensity at its position.
From 80% of the logged sessions the click models are fitted (`recommender.clicks.ClickModel`): gradient-boosted
trees (shipped) and logistic regression, each with the position as a feature and ranking as if at position 1
(position-corrected), and each without it (naive: every impression treated as if shown first). Reported:
- AUC on the held-out 20% of impressions (at their logged positions);
- true CTR per impression of each ranker over 5,000 fresh sessions (expected clicks under the ground truth, so no
  sampling noise on the clicks), and the uplift over the blend;
- the inverse-propensity (IPS, with a 95% interval, and self-normalised SNIPS) estimate of each ranker's CTR from
  the held-out logged sessions alone, next to its truth: what a shop could know before running the A/B test;
- the position effect each model learned, against the truth (log of the examination probabilities).
Results: `benchmarks/results/click_model.json`.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.common import table, write_results
from recommender.catalog import Item
from recommender.clicks import ClickModel, Impression, auc, feature_row
from recommender.collaborative import EaseModel, Engagement
from recommender.encoders import HashingEncoder
from recommender.engine import Recommender, Request, UserContext

N_ITEMS, N_USERS, N_TOPICS, DIM = 400, 3000, 8, 16
EXAMINATION = (1.0, 0.55, 0.35)
EXPLORE, EXPLORE_FROM = 0.2, 20
K = 3


@dataclass
class World:
    """The simulated shop: items, people, their true preferences and their histories."""

    items: list[Item]
    latent: np.ndarray
    quality: np.ndarray
    taste: np.ndarray
    sensitivity: np.ndarray
    likes_guides: np.ndarray
    topic_of_user: np.ndarray
    history: list[dict[str, float]]

    def logits(self, user: int, indices: Sequence[int]) -> np.ndarray:
        """The true preference logit of `user` for the items at `indices`."""
        idx = np.asarray(indices)
        price = np.array([self.items[i].price or 0.0 for i in idx])
        kinds = np.array([self.items[i].type for i in idx])
        value = -3.0 + 3.0 * (self.latent[idx] @ self.taste[user]) + 0.8 * self.quality[idx]
        value -= 0.7 * self.sensitivity[user] * np.log1p(price) / math.log1p(80)
        value += 1.0 * (self.likes_guides[user] & (kinds == "guide")) - 0.5 * (kinds == "story")
        return value

    def click_probability(self, user: int, indices: Sequence[int]) -> np.ndarray:
        """P(click) for items shown at positions 1..len(indices)."""
        return np.array(EXAMINATION[: len(indices)]) / (1.0 + np.exp(-self.logits(user, indices)))


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def build_world(rng: np.random.Generator) -> tuple[World, np.ndarray]:
    """The items, people and warm-up histories; returns the world and the engine's (noisy) item vectors."""
    centres = unit(rng.normal(size=(N_TOPICS, DIM)))
    topic_of_item = rng.integers(N_TOPICS, size=N_ITEMS)
    latent = unit(centres[topic_of_item] + 0.6 * rng.normal(size=(N_ITEMS, DIM)) / math.sqrt(DIM) * 3)
    seen_by_engine = unit(latent + 0.5 * rng.normal(size=(N_ITEMS, DIM)) / math.sqrt(DIM) * 3)
    kinds = rng.choice(["product", "guide", "story"], size=N_ITEMS, p=[0.7, 0.2, 0.1])
    items = []
    for i in range(N_ITEMS):
        price = float(np.round(math.exp(rng.normal(math.log(80), 0.8)), 2)) if kinds[i] == "product" else None
        items.append(
            Item(
                id=f"i{i}",
                type=str(kinds[i]),
                title=f"Item {i}",
                description="",
                price=price,
                category=f"topic{topic_of_item[i]}" if kinds[i] == "product" else "",
            )
        )
    topic_of_user = rng.integers(N_TOPICS, size=N_USERS)
    world = World(
        items=items,
        latent=latent,
        quality=rng.normal(size=N_ITEMS),
        taste=unit(centres[topic_of_user] + 0.6 * rng.normal(size=(N_USERS, DIM)) / math.sqrt(DIM) * 3),
        sensitivity=rng.random(N_USERS),
        likes_guides=rng.random(N_USERS) < 0.3,
        topic_of_user=topic_of_user,
        history=[],
    )
    everything = np.arange(N_ITEMS)
    for user in range(N_USERS):
        weights = np.exp(world.logits(user, everything))
        chosen = rng.choice(N_ITEMS, size=int(rng.integers(0, 5)), replace=False, p=weights / weights.sum())
        world.history.append({items[i].id: 1.0 for i in chosen})
    return world, seen_by_engine


class Blend:
    """Today's ranking as a `Ranker`: the sum of the blend's score parts (the blend's own order)."""

    def rank(self, items: Sequence[Item], components: Sequence[Mapping[str, float]]) -> list[float]:
        """The blend's score of each candidate."""
        return [sum(c.values()) for c in components]


class Recording:
    """Wraps a ranker and keeps the last candidates it saw (for exploration and propensities)."""

    def __init__(self, inner) -> None:
        self.inner, self.items, self.components, self.scores = inner, [], [], []

    def rank(self, items, components):
        """The inner ranker's scores, remembering what was ranked."""
        self.items, self.components = list(items), list(components)
        self.scores = list(self.inner.rank(items, components))
        return self.scores


class Oracle:
    """Ranks by the true preference (the ceiling no model can pass)."""

    def __init__(self, world: World, index: dict[str, int]) -> None:
        self.world, self.index, self.user = world, index, 0

    def rank(self, items, components):
        """The true preference logit of the current session's person."""
        return self.world.logits(self.user, [self.index[i.id] for i in items]).tolist()


@dataclass
class Session:
    """One logged reply: who, what they asked, the three items shown, their propensities, clicks and features."""

    user: int
    request: Request
    shown: list[int]
    propensities: list[float]
    clicks: list[bool]
    features: list[list[float]]


def session_request(rng: np.random.Generator, world: World, user: int) -> Request:
    if rng.random() < 0.4:
        return Request(category=f"topic{world.topic_of_user[user]}")
    return Request()


def log_sessions(rng, world, engine, index, n) -> list[Session]:
    """The logged policy: the blend, with 20% of replies a random three of its top 20 (propensities recorded)."""
    sessions = []
    for _ in range(n):
        user = int(rng.integers(N_USERS))
        request = session_request(rng, world, user)
        recorder = Recording(Blend())
        picks = engine.recommend(request, UserContext(history=world.history[user]), k=K, ranker=recorder)
        if len(picks) < K:
            continue
        blend_ids = [index[p.item.id] for p in picks]
        pool_order = np.argsort(-np.array(recorder.scores), kind="stable")[:EXPLORE_FROM]
        pool = [index[recorder.items[i].id] for i in pool_order]
        shown = blend_ids
        if rng.random() < EXPLORE:
            shown = [pool[i] for i in rng.choice(len(pool), size=K, replace=False)]
        propensities = [
            (1 - EXPLORE) * (blend_ids[p] == item) + EXPLORE * (1.0 / len(pool) if item in pool else 0.0)
            for p, item in enumerate(shown)
        ]
        clicks = (rng.random(K) < world.click_probability(user, shown)).tolist()
        components = {index[item.id]: c for item, c in zip(recorder.items, recorder.components, strict=True)}
        features = [feature_row(components[i], world.items[i]) for i in shown]
        sessions.append(Session(user, request, shown, propensities, clicks, features))
    return sessions


def impressions(sessions: Sequence[Session]) -> list[Impression]:
    return [Impression(s.features[p], p + 1, s.clicks[p]) for s in sessions for p in range(len(s.shown))]


def picks_for(engine, world, index, ranker, session: Session) -> list[int]:
    if isinstance(ranker, Oracle):
        ranker.user = session.user
    chosen = engine.recommend(session.request, UserContext(history=world.history[session.user]), k=K, ranker=ranker)
    return [index[p.item.id] for p in chosen]


def true_ctr(engine, world, index, ranker, sessions: Sequence[Session]) -> float:
    """Expected clicks per impression under the ground truth."""
    expected = [world.click_probability(s.user, picks_for(engine, world, index, ranker, s)).mean() for s in sessions]
    return float(np.mean(expected))


def ips_ctr(engine, world, index, ranker, sessions: Sequence[Session]) -> dict[str, float]:
    """Inverse-propensity estimates of the ranker's CTR from the logged sessions (per position, PBM assumption).

    IPS with a normal 95% interval over sessions, and the self-normalised variant (SNIPS), which trades a little
    bias for much less variance when matches are rare.
    """
    values, weights = [], []
    for s in sessions:
        target = picks_for(engine, world, index, ranker, s)
        value = weight = 0.0
        for p, item in enumerate(s.shown):
            if p < len(target) and target[p] == item:
                weight += 1.0 / s.propensities[p]
                value += s.clicks[p] / s.propensities[p]
        values.append(value / K)
        weights.append(weight / K)
    mean = float(np.mean(values))
    half = 1.96 * float(np.std(values, ddof=1)) / math.sqrt(len(values))
    return {"IPS": mean, "IPS_low": mean - half, "IPS_high": mean + half, "SNIPS": float(sum(values) / sum(weights))}


def position_effect(model: ClickModel, features: np.ndarray) -> list[float]:
    """Mean log(P(click at p) / P(click at 1)) over impressions: log(examination[p]) for a perfect model."""
    first = model.probability(features, [1] * len(features))
    return [float(np.mean(np.log(model.probability(features, [p] * len(features)) / first))) for p in (2, 3)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--fresh", type=int, default=5_000)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    world, vectors = build_world(rng)
    index = {item.id: i for i, item in enumerate(world.items)}
    warm_up = [Engagement(user, item) for user, history in enumerate(world.history) for item in history]
    collaborative = EaseModel([item.id for item in world.items]).fit(warm_up)
    engine = Recommender(world.items, vectors, HashingEncoder(), collaborative)

    logged = log_sessions(rng, world, engine, index, args.sessions)
    cut = int(len(logged) * 0.8)
    train, held = logged[:cut], logged[cut:]
    train_impressions, held_impressions = impressions(train), impressions(held)
    print(
        f"logged {len(logged)} sessions ({len(train_impressions)} training impressions) "
        f"in {time.perf_counter() - started:.0f} s; logged CTR {np.mean([i.clicked for i in train_impressions]):.4f}"
    )

    naive_impressions = [Impression(i.features, 1, i.clicked) for i in train_impressions]
    models = {
        "trees, position-corrected (shipped)": ClickModel.fit(train_impressions, "trees", seed=args.seed),
        "trees, naive (position ignored)": ClickModel.fit(naive_impressions, "trees", seed=args.seed),
        "logistic, position-corrected": ClickModel.fit(train_impressions, "logistic"),
        "logistic, naive (position ignored)": ClickModel.fit(naive_impressions, "logistic"),
    }
    held_features = np.array([list(i.features) for i in held_impressions])
    held_positions = [i.position for i in held_impressions]
    held_labels = [i.clicked for i in held_impressions]
    aucs = {"blend": auc(held_labels, held_features[:, :5].sum(axis=1))}
    effects = {}
    for name, model in models.items():
        aucs[name] = auc(held_labels, model.probability(held_features, held_positions))
        effects[name] = position_effect(model, held_features)

    fresh = []
    for _ in range(args.fresh):
        user = int(rng.integers(N_USERS))
        fresh.append(Session(user, session_request(rng, world, user), [], [], [], []))
    rankers = {"blend": Blend(), **models, "oracle (true preference)": Oracle(world, index)}
    rows = []
    for name, ranker in rankers.items():
        row = {"ranker": name, "AUC": aucs.get(name), "true_CTR": true_ctr(engine, world, index, ranker, fresh)}
        if name in effects:
            row["position_effect"] = effects[name]
        if name != "oracle (true preference)":
            row.update(ips_ctr(engine, world, index, ranker, held))
        rows.append(row)
        print(f"{name}: {row}", flush=True)
    base = rows[0]["true_CTR"]
    for row in rows:
        row["uplift"] = row["true_CTR"] / base
        if "IPS" in row:
            row["IPS_95"] = f"{row['IPS_low']:.3f}-{row['IPS_high']:.3f}"
    print(table(rows, ["ranker", "AUC", "true_CTR", "uplift", "IPS", "IPS_95", "SNIPS"]))
    print("true position effect, log(examination) at 2 and 3:", [round(math.log(e), 3) for e in EXAMINATION[1:]])
    for name, effect in effects.items():
        print(f"  learned by {name}: {[round(e, 3) for e in effect]}")
    write_results(
        "click_model",
        {
            "seed": args.seed,
            "sessions_logged": len(logged),
            "train_impressions": len(train_impressions),
            "held_impressions": len(held_impressions),
            "fresh_sessions": len(fresh),
            "explore": EXPLORE,
            "examination": EXAMINATION,
            "rows": rows,
            "seconds": time.perf_counter() - started,
        },
    )


if __name__ == "__main__":
    main()
