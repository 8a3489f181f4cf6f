"""The click model: it learns the position effect apart from the item, saves and loads, and re-ranks the blend."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from recommender.catalog import Item
from recommender.clicks import FEATURES, ClickModel, Impression, auc, feature_row
from recommender.encoders import HashingEncoder
from recommender.engine import Recommender, Request

EXAMINATION = (1.0, 0.5, 0.25)


def _log(n: int = 6000, seed: int = 1) -> list[Impression]:
    """A position-based log: one informative feature (the query part), clicks = examination x relevance."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        relevance = rng.normal()
        position = int(rng.integers(1, 4))
        item = Item(id="x", type="product", title="x", description="x", price=50.0)
        features = feature_row({"query": relevance}, item)
        p_click = EXAMINATION[position - 1] / (1 + math.exp(-(2 * relevance - 1)))
        out.append(Impression(features, position, bool(rng.random() < p_click)))
    return out


@pytest.mark.parametrize("kind", ["trees", "logistic"])
def test_the_model_learns_the_position_effect_apart_from_the_item(kind):
    impressions = _log()
    model = ClickModel.fit(impressions, kind, seed=3)
    features = np.array([list(i.features) for i in impressions])
    first = model.probability(features)  # positions None: as if shown first
    effects = [np.mean(np.log(model.probability(features, [p] * len(features)) / first)) for p in (2, 3)]
    # Examination multiplies the click probability; the models are additive in log-odds, so close, not exact.
    assert effects[1] < effects[0] < 0
    assert np.allclose(effects, [math.log(e) for e in EXAMINATION[1:]], atol=0.45)
    order = np.argsort(features[:, FEATURES.index("query")])
    assert first[order[-100:]].mean() > first[order[:100]].mean() * 3  # more relevant, more clicks


def test_saved_and_loaded_models_predict_the_same(tmp_path):
    impressions = _log(2000)
    model = ClickModel.fit(impressions, "trees", seed=3)
    model.save(tmp_path / "clicks.pkl")
    loaded = ClickModel.load(tmp_path / "clicks.pkl")
    features = np.array([list(i.features) for i in impressions[:50]])
    assert np.array_equal(loaded.probability(features), model.probability(features))
    assert (loaded.kind, loaded.trained_on) == ("trees", 2000)


def test_foreign_or_stale_files_are_refused(tmp_path):
    (tmp_path / "junk.pkl").write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="not a readable click model"):
        ClickModel.load(tmp_path / "junk.pkl")
    (tmp_path / "other.pkl").write_bytes(pickle.dumps({"format": "parley-click-model/1", "features": ["a"]}))
    with pytest.raises(ValueError, match="trained on other features; retrain it"):
        ClickModel.load(tmp_path / "other.pkl")


def test_a_log_without_both_outcomes_is_refused():
    with pytest.raises(ValueError, match="need clicked and unclicked impressions; got 2 of 2 clicked"):
        ClickModel.fit([Impression([0.0] * len(FEATURES), 1, True)] * 2)


def test_auc_matches_scikit_learn_with_ties():
    rng = np.random.default_rng(5)
    labels = rng.random(500) < 0.3
    scores = np.round(rng.random(500) + labels * 0.3, 1)  # coarse: many ties
    assert auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))


class _PrefersCheap:
    """A ranker that puts the cheapest candidate first."""

    def rank(self, items, components):
        return [-(item.price or 0.0) for item in items]


def test_a_ranker_reorders_the_blends_candidates_and_keeps_its_filters():
    items = [
        Item(id="t1", type="product", title="Tent one", description="tent for two", category="tent", price=300.0),
        Item(id="t2", type="product", title="Tent two", description="tent for two people", category="tent", price=90.0),
        Item(id="s1", type="product", title="Stove", description="camp stove", category="stove", price=10.0),
    ]
    engine = Recommender(items, HashingEncoder().encode([i.description for i in items]), HashingEncoder())
    request = Request(text="tent for two", category="tent")
    assert [p.item.id for p in engine.recommend(request, k=2)] == ["t1", "t2"]
    reranked = engine.recommend(request, k=2, ranker=_PrefersCheap())
    assert [p.item.id for p in reranked] == ["t2", "t1"]  # the stove stays filtered out
    assert reranked[0].score == -90.0
