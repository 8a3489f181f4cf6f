import pytest

from core.settings import PROJECT_ROOT
from recommender.catalog import load_catalog
from recommender.lexical import LexicalSearch
from recommender.text import tokenize


@pytest.fixture(scope="module")
def search():
    return LexicalSearch(load_catalog(PROJECT_ROOT / "brand" / "catalog.yml"))


def test_tokenize_normalises_numbers_plurals_and_stop_words():
    assert tokenize("Do you sell tents for two people?") == ["tent", "2", "person"]
    assert tokenize("2-person tent") == ["2", "person", "tent"]


def test_two_person_tents(search):
    hits = search.search("do you sell tents for two people?", k=5)
    assert hits
    for hit in hits:
        assert hit.item.category == "tent"
        assert "2-person" in hit.item.tags


def test_exact_name_wins(search):
    assert search.search("what is the talus trail runner", k=1)[0].item.id == "shoe-talus-trail"
    assert search.search("tell me about the summit down parka", k=1)[0].item.id == "jacket-summit-down-parka"


def test_results_are_sorted_and_filtered(search):
    hits = search.search("winter sleeping bag", k=10, where=lambda item: item.type == "product")
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(hit.item.type == "product" for hit in hits)


def test_unrelated_or_empty_queries_return_nothing(search):
    assert search.search("", k=3) == []
    assert search.search("zzqx blorp", k=3) == []
