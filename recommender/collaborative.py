"""The collaborative signal: item-to-item weights learned from the feedback log, plus a popularity prior.

A user's score for an item is the weighted sum over what they engaged with, so the strongest contributing item
also explains the recommendation ("people who liked X also liked this"). Two ways to learn the weights:

- `EaseModel` (shipped): EASE (Steck, 2019), the closed-form linear model that predicts each item from all the
  others, B = -P / diag(P) with P = (X'X + penalty I)^-1. Best of popularity, item-item cosine, ALS and BPR on
  MovieLens-100K (`benchmarks/movielens.py`). Its solve is dense in the items (n^3 time, a few n x n float32
  copies), so past `EASE_MAX_ITEMS` it falls back to the cosine model.
- `ItemItemModel`: cosine over the user-item matrix, shrunk towards zero when few people support it. Sparse
  throughout: cost grows with feedback, not with catalog size squared.

Both keep only each item's strongest weights, so scoring and memory stay sparse whatever the fit.
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
# EASE's L2 penalty, chosen on a validation split of MovieLens-100K's training data (benchmarks/movielens.py).
DEFAULT_PENALTY = 100.0
# EASE's negative weights matter (keeping only positive ones cost 6% HR@10 on MovieLens), so it keeps the
# strongest by magnitude; 500 per item scored within 0.5% of the full dense model there.
EASE_NEIGHBOURS = 500
# Past this many items EASE's dense solve costs more than a refit should (10,000 items and 100,000 people: 12.8 s
# and 0.83 GB on 2 cores, benchmarks/collaborative_scale.py; n^3 time, n^2 memory), and the cosine model is used.
EASE_MAX_ITEMS = 12_000


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
        self.similarity = self._weights(matrix, binary)
        return self

    def _weights(self, matrix: sparse.csr_matrix, binary: sparse.csr_matrix) -> sparse.csr_matrix:
        """Shrunk cosine between item columns, each item's top `neighbours` kept."""
        co = (matrix.T @ matrix).tocsr().astype(np.float32)
        support = (binary.T @ binary).tocsr().astype(np.float32)
        for m in (co, support):
            m.setdiag(0)
            m.eliminate_zeros()
        support.data = support.data / (support.data + self.shrink)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel())
        inverse = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0))
        sim = (inverse @ co.multiply(support) @ inverse).tocsr().astype(np.float32)
        return self._keep_top(sim)

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


class EaseModel(ItemItemModel):
    """EASE's item-to-item weights (see the module docstring), each item's top `neighbours` kept.

    Engagement strength is binarised (X is 0/1), as in the paper and in the benchmark that chose it.
    """

    def __init__(
        self,
        item_ids: Sequence[str],
        penalty: float = DEFAULT_PENALTY,
        neighbours: int = EASE_NEIGHBOURS,
        max_items: int = EASE_MAX_ITEMS,
    ):
        super().__init__(item_ids, neighbours=neighbours)
        self.penalty = penalty
        self.max_items = max_items

    def _weights(self, matrix: sparse.csr_matrix, binary: sparse.csr_matrix) -> sparse.csr_matrix:
        if len(self.item_ids) > self.max_items:
            return super()._weights(matrix, binary)
        return strongest_per_row(ease_weights(binary, self.penalty), self.neighbours)


def strongest_per_row(weights: np.ndarray, keep: int, chunk: int = 1024) -> sparse.csr_matrix:
    """Each row's `keep` largest weights by magnitude, as a sparse matrix (zeros dropped).

    A block of rows at a time, so the index arrays never cost more than the weights themselves.
    """
    keep = min(keep, weights.shape[1])
    blocks = []
    for start in range(0, weights.shape[0], chunk):
        block = weights[start : start + chunk]
        if keep < block.shape[1]:
            columns = np.argpartition(-np.abs(block), keep - 1, axis=1)[:, :keep]
        else:
            columns = np.broadcast_to(np.arange(block.shape[1]), block.shape)
        rows = np.repeat(np.arange(block.shape[0]), keep)
        values = np.take_along_axis(block, columns, axis=1).ravel()
        blocks.append(sparse.csr_matrix((values, (rows, columns.ravel())), shape=block.shape, dtype=np.float32))
    kept = sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix(weights.shape, dtype=np.float32)
    kept.eliminate_zeros()
    return kept


def ease_weights(binary: sparse.csr_matrix, penalty: float, chunk: int = 20_000) -> np.ndarray:
    """EASE's dense weights for a 0/1 user-item matrix: B = -P / diag(P), P = (X'X + penalty I)^-1, diag(B) = 0.

    In float32 and in place where numpy allows; X'X is summed over blocks of users, because the sparse product of
    the whole log holds far more than the dense result.
    """
    n_items = binary.shape[1]
    gram = np.zeros((n_items, n_items), dtype=np.float32)
    for start in range(0, binary.shape[0], chunk):
        block = binary[start : start + chunk]
        gram += (block.T @ block).toarray()
    gram[np.diag_indices_from(gram)] += penalty
    inverse = symmetric_inverse(gram)
    inverse /= -np.diag(inverse)
    inverse[np.diag_indices_from(inverse)] = 0.0
    return inverse


def symmetric_inverse(matrix: np.ndarray, block: int = 1024) -> np.ndarray:
    """The inverse of a symmetric positive definite float32 matrix, computed in its own memory.

    `np.linalg.inv` works in float64 with an identity to solve against: seven copies of a 10,000-item matrix
    (3.5 GB where the matrix is 400 MB). LAPACK's Cholesky inverse (spotrf, spotri) runs in place in float32 at
    half the flops; it fills one triangle, and the other is mirrored a block at a time.
    """
    from scipy.linalg import lapack

    n = matrix.shape[0]
    # The transpose of a C-ordered array is the Fortran-ordered array LAPACK overwrites; the matrix is symmetric.
    factor, info = lapack.spotrf(matrix.T, lower=0, overwrite_a=1, clean=0)
    if info != 0:
        raise np.linalg.LinAlgError(f"matrix is not positive definite (spotrf info {info})")
    inverse, info = lapack.spotri(factor, lower=0, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"matrix is singular (spotri info {info})")
    result = inverse.T  # C order again; its lower triangle holds the inverse
    for start in range(0, n, block):
        stop = min(start + block, n)
        result[start:stop, stop:] = result[stop:, start:stop].T
        rows = result[start:stop, start:stop]
        rows[np.triu_indices(stop - start, 1)] = rows.T[np.triu_indices(stop - start, 1)]
    return result
