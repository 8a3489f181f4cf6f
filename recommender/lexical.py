"""BM25 keyword search over the catalog.

The first way Parley picks content: transparent, fast and good at names ("the Ridgeline 2") and hard facts
("2-person"). Titles, categories and tags weigh more than descriptions because that is where those facts live.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recommender.catalog import Catalog, Item
from recommender.text import tokenize

FIELD_WEIGHTS = {"title": 3, "category": 2, "tags": 2, "description": 1}
# Added per unit of title coverage, so "the Talus Trail Runner" beats "Talus Wide Trail Runner" for that query.
TITLE_COVERAGE_BONUS = 8.0


@dataclass(frozen=True)
class Hit:
    """A search result: the item and its relevance score (higher is better, not normalised)."""

    item: Item
    score: float


def _weighted_terms(item: Item) -> Counter[str]:
    terms: Counter[str] = Counter()
    fields = {
        "title": item.title,
        "category": item.category.replace("_", " "),
        "tags": " ".join(item.tags),
        "description": item.description,
    }
    for name, text in fields.items():
        for term in tokenize(text):
            terms[term] += FIELD_WEIGHTS[name]
    return terms


class LexicalSearch:
    """Okapi BM25 over field-weighted item text.

    Args:
        catalog: The items to search.
        k1: Term-frequency saturation.
        b: Length normalisation.
    """

    def __init__(self, catalog: Catalog, k1: float = 1.2, b: float = 0.75) -> None:
        self.catalog = catalog
        self._k1 = k1
        self._b = b
        self._docs = [_weighted_terms(item) for item in catalog]
        self._titles = [frozenset(tokenize(item.title)) for item in catalog]
        lengths = np.array([sum(doc.values()) for doc in self._docs], dtype=float)
        self._norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1.0))
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every catalog item for the query, in catalog order."""
        out = np.zeros(len(self._docs))
        terms = set(tokenize(query))
        for term in terms:
            idf = self._idf.get(term)
            if idf is None:
                continue
            tf = np.array([doc.get(term, 0) for doc in self._docs], dtype=float)
            out += idf * tf * (self._k1 + 1) / (tf + self._norm)
        coverage = np.array([len(title & terms) / len(title) if title else 0.0 for title in self._titles])
        return np.where(out > 0, out + TITLE_COVERAGE_BONUS * coverage, 0.0)

    def search(
        self,
        query: str,
        k: int = 3,
        where: Callable[[Item], bool] | None = None,
    ) -> list[Hit]:
        """Returns up to `k` items that match the query, best first.

        Args:
            query: Free text from the customer.
            k: How many results at most.
            where: Optional filter; items it rejects are never returned.

        Returns:
            Only items with a positive score: an unrelated query gives an empty list, never random items.
        """
        scores = self.scores(query)
        order = np.argsort(-scores, kind="stable")
        hits = []
        for index in order:
            if scores[index] <= 0 or len(hits) >= k:
                break
            item = self.catalog[int(index)]
            if where is None or where(item):
                hits.append(Hit(item, float(scores[index])))
        return hits
