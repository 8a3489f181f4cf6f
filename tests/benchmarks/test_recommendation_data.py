"""The judged recommendation requests stay held out, name real catalog items, and are scored as documented."""

from __future__ import annotations

import pytest

from benchmarks.recommendation_quality import SECTIONS, Judged, hit_at_k, ndcg_at_k, read_requests
from core.settings import PROJECT_ROOT
from recommender.catalog import load_catalog
from training.merge import normalise, training_examples

ROOT = PROJECT_ROOT


def every_request() -> list[Judged]:
    return [j for section in SECTIONS for j in read_requests(section=section)]


def test_no_request_is_training_data_or_appears_under_data() -> None:
    trained = set(training_examples(ROOT / "data" / "nlu", skip=""))
    corpus = " ".join(normalise(p.read_text(encoding="utf-8")) for p in (ROOT / "data").rglob("*") if p.is_file())
    texts = [j.text for j in every_request()]
    assert [t for t in texts if normalise(t) in trained or normalise(t) in corpus] == []


def test_there_are_at_least_sixty_unique_requests_naming_real_items() -> None:
    requests = read_requests()
    assert len(requests) >= 60
    texts = [normalise(j.text) for j in every_request()]
    assert len(set(texts)) == len(texts)
    ids = {item.id for item in load_catalog(ROOT / "brand" / "catalog.yml")}
    named = {item for j in every_request() for item in (*j.best, *j.good)}
    assert named - ids == set()
    assert all(j.best and not set(j.best) & set(j.good) for j in every_request())


@pytest.mark.parametrize(
    ("ranked", "hit", "ndcg"),
    [
        (["a", "x", "y"], 1.0, 3 / (3 + 3 / 1.584962500721156 + 1 / 2)),
        (["x", "y", "a"], 1.0, (3 / 2) / (3 + 3 / 1.584962500721156 + 1 / 2)),
        (["c", "x", "y"], 0.0, 1 / (3 + 3 / 1.584962500721156 + 1 / 2)),
        (["x", "y", "z", "a"], 0.0, 0.0),
    ],
)
def test_hit_and_ndcg_at_three(ranked, hit, ndcg) -> None:
    judged = Judged("q", best=("a", "b"), good=("c",))
    assert hit_at_k(judged, ranked) == hit
    assert ndcg_at_k(judged, ranked) == pytest.approx(ndcg)
