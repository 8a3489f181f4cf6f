"""The collaborative models: EASE's closed form, its sparsification, its fallback, and what the engine ships."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from recommender.catalog import Item
from recommender.collaborative import (
    EaseModel,
    Engagement,
    ItemItemModel,
    ease_weights,
    strongest_per_row,
    symmetric_inverse,
)
from recommender.encoders import HashingEncoder
from recommender.engine import Recommender, Request, UserContext

LOG = {"u1": ["a", "b"], "u2": ["a", "b"], "u3": ["a", "b", "c"], "u4": ["c"]}
IDS = ["a", "b", "c"]


def _engagements() -> list[Engagement]:
    return [Engagement(user, item) for user, items in LOG.items() for item in items]


BINARY = np.array([[1, 1, 0], [1, 1, 0], [1, 1, 1], [0, 0, 1]], dtype=np.float32)


def _closed_form(penalty: float) -> np.ndarray:
    inverse = np.linalg.inv(BINARY.T @ BINARY + penalty * np.eye(3))
    expected = -inverse / np.diag(inverse)
    np.fill_diagonal(expected, 0.0)
    return expected


def test_ease_weights_are_the_closed_form():
    assert np.allclose(ease_weights(sparse.csr_matrix(BINARY), 0.5), _closed_form(0.5), atol=1e-5)


def test_the_in_place_inverse_matches_numpy_across_blocks():
    rng = np.random.default_rng(3)
    matrix = rng.random((50, 50)).astype(np.float32)
    matrix = (matrix @ matrix.T + 50 * np.eye(50)).astype(np.float32)
    expected = np.linalg.inv(matrix.astype(np.float64))
    assert np.allclose(symmetric_inverse(matrix.copy(), block=16), expected, rtol=1e-4, atol=1e-7)


def test_the_model_keeps_the_strongest_weights_by_magnitude_negative_ones_included():
    kept = strongest_per_row(np.array([[0.0, -3.0, 1.0, 2.0], [0.5, 0.0, 0.0, 0.0]], dtype=np.float32), 2)
    assert kept.toarray().tolist() == [[0.0, -3.0, 0.0, 2.0], [0.5, 0.0, 0.0, 0.0]]


def test_ease_model_scores_co_engaged_items_and_explains_them():
    model = EaseModel(IDS, penalty=0.5).fit(_engagements())
    scores = model.scores({"a": 1.0})
    assert np.allclose(scores, _closed_form(0.5)[0], atol=1e-5)
    assert scores[1] > scores[2] > 0  # b always goes with a; c once
    assert model.strongest_source({"a": 1.0, "c": 1.0}, "b") == ("a", float(model.similarity[0, 1]))
    assert model.popularity.tolist() == [3.0, 3.0, 2.0]


def test_past_its_size_limit_ease_falls_back_to_the_sparse_cosine_model():
    fallback = EaseModel(IDS, max_items=2, neighbours=50).fit(_engagements())
    cosine = ItemItemModel(IDS).fit(_engagements())
    assert np.array_equal(fallback.similarity.toarray(), cosine.similarity.toarray())


def test_the_engine_ships_ease_as_its_collaborative_signal(tmp_path, monkeypatch):
    monkeypatch.setattr("recommender.embeddings.cache_dir", lambda: tmp_path)
    items = [Item(id=i, type="product", title=f"Item {i}", description=f"thing {i}") for i in IDS]
    feedback = [type("Feedback", (), {"user_id": e.user, "item_id": e.item, "kind": "click"}) for e in _engagements()]
    recommender = Recommender.build(items, HashingEncoder(), feedback)
    assert type(recommender.collaborative) is EaseModel
    recommender.refit(feedback[:2])
    assert type(recommender.collaborative) is EaseModel
    pick = recommender.recommend(Request(), UserContext(history={"a": 1.0}), k=1)[0]
    assert pick.item.id == "b"
