"""The collaborative signal: item-item co-engagement learned from the feedback log, plus a popularity prior.

Two items are similar when the same people engaged with both (cosine over the user-item matrix, shrunk towards
zero when few people support it). A user's score for an item is the similarity-weighted sum over what they engaged
with, so the strongest contributing item also explains the recommendation ("people who liked X also liked this").
Sparse throughout: cost grows with feedback, not with catalog size squared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# How strongly each feedback kind counts as engagement (dismissals are negative evidence, not co-engagement).
ENGAGEMENT = {"click": 1.0, "like": 2.0, "rating": 1.0}
DEFAULT_SHRINK = 2.0
DEFAULT_NEIGHBOURS = 50


@dataclass(frozen=True)
class Engagement:
    """One positive interaction: a user, an item, a weight."""

    user: object
    item: str
    weight: float = 1.0


def engagements_from_feedback(events: Iterable[object]) -> list[Engagement]:
    """Converts store feedback events (`user_id`, `item_id`, `kind`) into engagements, dropping dismissals."""
    out = []
    for event in events:
        weight = ENGAGEMENT.get(getattr(event, "kind", ""), 0.0)
        if weight > 0:
            out.append(Engagement(event.user_id, event.item_id, weight))
    return out


class ItemItemModel:
    """Item-item cosine similarity with shrinkage, top-`neighbours` per item, fitted on engagements."""

    def __init__(self, item_ids: Sequence[str], shrink: float = DEFAULT_SHRINK, neighbours: int = DEFAULT_NEIGHBOURS):
        self.item_ids = list(item_ids)
        self.index = {item: i for i, item in enumerate(self.item_ids)}
        self.shrink = shrink
        self.neighbours = neighbours
        self.similarity = sparse.csr_matrix((len(self.item_ids), len(self.item_ids)), dtype=np.float32)
        self.popularity = np.zeros(len(self.item_ids), dtype=np.float32)

    def fit(self, engagements: Iterable[Engagement]) -> ItemItemModel:
        """Learns similarities and popularity; items or users never seen simply get no signal."""
        users: dict[object, int] = {}
        rows, cols, vals = [], [], []
        for e in engagements:
            column = self.index.get(e.item)
            if column is None:
                continue
            rows.append(users.setdefault(e.user, len(users)))
            cols.append(column)
            vals.append(e.weight)
        n_items = len(self.item_ids)
        if not rows:
            return self
        matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(users), n_items), dtype=np.float32)
        matrix.sum_duplicates()
        binary = (matrix > 0).astype(np.float32)
        self.popularity = np.asarray(binary.sum(axis=0)).ravel().astype(np.float32)
        co = (matrix.T @ matrix).tocsr().astype(np.float32)
        support = (binary.T @ binary).tocsr().astype(np.float32)
        for m in (co, support):
            m.setdiag(0)
            m.eliminate_zeros()
        support.data = support.data / (support.data + self.shrink)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel())
        inverse = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0))
        sim = (inverse @ co.multiply(support) @ inverse).tocsr().astype(np.float32)
        self.similarity = self._keep_top(sim)
        return self

    def _keep_top(self, sim: sparse.csr_matrix) -> sparse.csr_matrix:
        """Keeps each item's `neighbours` strongest similarities (less noise, bounded cost)."""
        rows, cols, vals = [], [], []
        for i in range(sim.shape[0]):
            start, end = sim.indptr[i], sim.indptr[i + 1]
            if start == end:
                continue
            data, idx = sim.data[start:end], sim.indices[start:end]
            if len(data) > self.neighbours:
                keep = np.argpartition(-data, self.neighbours)[: self.neighbours]
                data, idx = data[keep], idx[keep]
            rows.extend([i] * len(data))
            cols.extend(idx.tolist())
            vals.extend(data.tolist())
        return sparse.csr_matrix((vals, (rows, cols)), shape=sim.shape, dtype=np.float32)

    def history_vector(self, history: Mapping[str, float]) -> sparse.csr_matrix:
        """A user's engagements as a sparse row over the catalog."""
        pairs = [(self.index[item], w) for item, w in history.items() if item in self.index and w > 0]
        if not pairs:
            return sparse.csr_matrix((1, len(self.item_ids)), dtype=np.float32)
        cols, vals = zip(*pairs, strict=False)
        return sparse.csr_matrix((vals, ([0] * len(cols), cols)), shape=(1, len(self.item_ids)), dtype=np.float32)

    def scores(self, history: Mapping[str, float]) -> np.ndarray:
        """Score of every item for a user with this history (0 where there is no co-engagement)."""
        row = self.history_vector(history)
        if row.nnz == 0:
            return np.zeros(len(self.item_ids), dtype=np.float32)
        return np.asarray((row @ self.similarity).todense()).ravel()

    def strongest_source(self, history: Mapping[str, float], item: str) -> tuple[str, float] | None:
        """Which engaged item contributes most to `item`'s score, and how much (for explanations)."""
        target = self.index.get(item)
        if target is None:
            return None
        column = self._by_column()
        start, end = column.indptr[target], column.indptr[target + 1]
        similar = dict(zip(column.indices[start:end].tolist(), column.data[start:end].tolist(), strict=True))
        best: tuple[str, float] | None = None
        for source, weight in history.items():
            i = self.index.get(source)
            contribution = similar.get(i, 0.0) * weight if i is not None else 0.0
            if contribution > 0 and (best is None or contribution > best[1]):
                best = (source, contribution)
        return best

    def _by_column(self) -> sparse.csc_matrix:
        """The similarity matrix in column order (cached), so "what points at item j" is a slice."""
        if getattr(self, "_csc_of", None) is not self.similarity:
            self._csc = self.similarity.tocsc()
            self._csc.sort_indices()
            self._csc_of = self.similarity
        return self._csc

    def popularity_prior(self) -> np.ndarray:
        """Popularity in [0, 1] (log-scaled engagement counts), the cold-start signal."""
        scaled = np.log1p(self.popularity)
        top = scaled.max() if scaled.size else 0
        return scaled / top if top > 0 else scaled
