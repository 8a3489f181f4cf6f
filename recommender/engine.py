"""The recommender: content similarity to the request and the user, collaborative signal, popularity, diversity.

    score(item) = w_query · cos(request, item) + w_profile · cos(profile, item)
                + w_collab · collaborative(user history, item) + w_pop · popularity(item)
                + w_attr · share of the request's qualifiers the item's tags meet

The two cosine terms are linear in the item vector, so they are one matrix-vector product over the catalog; the
collaborative term is sparse; popularity is a precomputed array (a segment's own popularity when the user has a
segment, for cold start). The request's qualifiers ("wide feet", "deep cold": `recommender/qualifiers.py`) add a
boost for items whose tags meet them and, when any item in range meets them, narrow the range to those. Hard
filters (type, category, price, dismissed items) mask the scores, the best
candidates are re-ranked with maximal marginal relevance so the picks are not near-duplicates, and each pick is
explained by the terms that actually contributed most to its score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from recommender.catalog import Item
from recommender.collaborative import EaseModel, ItemItemModel, engagements_from_feedback
from recommender.embeddings import embed_catalog
from recommender.encoders import Encoder, normalise
from recommender.qualifiers import Attributes, matched_tags
from recommender.text import content_terms, is_generic_request, request_snippet, tokenize, topic_label

CANDIDATES = 50
# From this many items on, the similarity pass reads a float16 copy of the vectors through torch: the pass is
# memory-bound, so half the bytes is about half the time (measured in benchmarks/recommender_latency.py).
HALF_PRECISION_FROM = 20_000
# A contribution below this share of the pick's score is not worth mentioning in its explanation.
REASON_MIN_SHARE = 0.2


@dataclass(frozen=True)
class Weights:
    """How the score terms are blended (defaults tuned on the demo catalog; see the README)."""

    query: float = 1.0
    profile: float = 0.5
    profile_without_query: float = 1.0
    collaborative: float = 0.4
    popularity: float = 0.15
    # Cold start: an open request ("any ideas?") from someone with no engagement history leans on what people like
    # them (their segment, else everyone) engaged with.
    popularity_cold: float = 0.6
    # Meeting every qualifier of the request ("wide feet", "deep cold") is worth about as much as a close text match.
    attributes: float = 0.5
    mmr_lambda: float = 0.75
    # A specific request whose best match is less similar than this has no good answer in the catalog.
    min_query_similarity: float = 0.25


@dataclass(frozen=True)
class Request:
    """What is being asked for, and the hard constraints."""

    text: str = ""
    category: str | None = None
    types: tuple[str, ...] | None = None
    max_price: float | None = None
    exclude: frozenset[str] = frozenset()
    # Tag groups the request asks for, one per qualifier (`Attributes.find`): an item meets a group with any tag.
    wants: tuple[tuple[str, ...], ...] = ()
    # Groups every pick must meet when any item in range does: a refinement's own qualifiers ("lighter").
    requires: tuple[tuple[str, ...], ...] = ()

    @property
    def qualifiers(self) -> tuple[tuple[str, ...], ...]:
        """Every tag group the request names, wanted or required."""
        return self.wants + tuple(group for group in self.requires if group not in self.wants)


@dataclass(frozen=True)
class UserContext:
    """What is known about the person asking (empty for a new or opted-out user).

    Attributes:
        personalised: False for users who opted out: no profile, history or segment is used.
        interests: topic (category or tag) -> weight; negative for topics they dismissed.
        history: item id -> engagement weight (clicks, likes).
        titles: item id -> title for history items not in this catalog's view (explanations).
        dismissed: items never to show this user again.
        segment_name: the user's segment, for cold-start explanations.
        segment_popularity: item id -> engagement count among the segment's members.
    """

    personalised: bool = True
    interests: Mapping[str, float] = field(default_factory=dict)
    history: Mapping[str, float] = field(default_factory=dict)
    dismissed: frozenset[str] = frozenset()
    segment_name: str | None = None
    segment_popularity: Mapping[str, float] = field(default_factory=dict)

    def effective(self) -> UserContext:
        """The context the engine may use: everything for consenting users, only dismissals otherwise."""
        return self if self.personalised else UserContext(personalised=False, dismissed=self.dismissed)


class Ranker(Protocol):
    """Re-orders the blend's candidates (`recommender.clicks.ClickModel` is one)."""

    def rank(self, items: Sequence[Item], components: Sequence[Mapping[str, float]]) -> Sequence[float]:
        """A score per candidate, higher first, from the items and the blend's score parts for each."""
        ...


def zeros(candidates: np.ndarray) -> np.ndarray:
    """A zero score part for every candidate."""
    return np.zeros(len(candidates), dtype=np.float32)


@dataclass(frozen=True)
class Recommendation:
    """One pick with its score, the score's parts and a true, short explanation."""

    item: Item
    score: float
    components: Mapping[str, float]
    explanation: str


class Recommender:
    """Ranks a catalog for a request and a user. Build once; `recommend` is cheap and thread-safe."""

    def __init__(
        self,
        items: Sequence[Item],
        vectors: np.ndarray,
        encoder: Encoder,
        collaborative: ItemItemModel | None = None,
        weights: Weights | None = None,
        attributes: Attributes | None = None,
        currency_symbol: str = "$",
    ) -> None:
        if len(items) != len(vectors):
            raise ValueError(f"{len(items)} items but {len(vectors)} vectors")
        self.items = list(items)
        self.vectors = normalise(vectors)
        self.encoder = encoder
        self.weights = weights or Weights()
        self.attributes = attributes or Attributes()
        self.currency_symbol = currency_symbol
        self.index = {item.id: i for i, item in enumerate(self.items)}
        self.types = np.array([item.type for item in self.items])
        self.categories = np.array([item.category for item in self.items])
        self.prices = np.array([math.nan if item.price is None else item.price for item in self.items])
        tagged: dict[str, list[int]] = {}
        for i, item in enumerate(self.items):
            for tag in item.tags:
                tagged.setdefault(tag, []).append(i)
        self._tagged = {tag: np.array(indices) for tag, indices in tagged.items()}
        self.collaborative = collaborative or ItemItemModel([item.id for item in self.items])
        self._prior = self.collaborative.popularity_prior()
        self._topic_vectors: dict[str, np.ndarray | None] = {}
        self._half = None
        if len(self.items) >= HALF_PRECISION_FROM:
            import torch

            self._half = torch.from_numpy(self.vectors).half()

    @classmethod
    def build(
        cls,
        items: Sequence[Item],
        encoder: Encoder,
        feedback: Iterable[object] = (),
        weights: Weights | None = None,
        attributes: Attributes | None = None,
        currency_symbol: str = "$",
    ) -> Recommender:
        """Embeds the catalog (disk-cached) and fits the collaborative model on store feedback events."""
        vectors = embed_catalog(items, encoder)
        model = EaseModel([item.id for item in items]).fit(engagements_from_feedback(feedback))
        return cls(items, vectors, encoder, model, weights, attributes, currency_symbol)

    def refit(self, feedback: Iterable[object]) -> None:
        """Relearns the collaborative signal and popularity from a fresh feedback log (callers may be ranking)."""
        model = EaseModel([item.id for item in self.items]).fit(engagements_from_feedback(feedback))
        self._prior, self.collaborative = model.popularity_prior(), model

    # -- building blocks -------------------------------------------------------------------------------------------

    def topic_vector(self, topic: str) -> np.ndarray | None:
        """Mean vector of the items in a category or carrying a tag (None if no item does)."""
        if topic not in self._topic_vectors:
            members = [i for i, item in enumerate(self.items) if item.category == topic or topic in item.tags]
            self._topic_vectors[topic] = normalise(self.vectors[members].mean(axis=0)) if members else None
        return self._topic_vectors[topic]

    def profile_vector(self, user: UserContext) -> np.ndarray | None:
        """The user's taste as one unit vector: engaged items plus interest topics (dismissed topics subtract)."""
        total = np.zeros(self.vectors.shape[1], dtype=np.float32)
        for item_id, weight in user.history.items():
            if item_id in self.index and weight > 0:
                total += weight * self.vectors[self.index[item_id]]
        for topic, weight in user.interests.items():
            vector = self.topic_vector(topic)
            if vector is not None and weight:
                total += (weight if weight > 0 else 0.5 * weight) * vector
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else None

    def _mask(self, request: Request, user: UserContext) -> np.ndarray | None:
        mask = None

        def narrow(condition: np.ndarray) -> None:
            nonlocal mask
            mask = condition if mask is None else mask & condition

        if request.category:
            narrow(self.categories == request.category)
        if request.types:
            narrow(np.isin(self.types, request.types))
        if request.max_price is not None:
            narrow(np.isnan(self.prices) | (self.prices <= request.max_price))
        # Dismissed items never come back; items the user already opened are not news to them.
        excluded = [self.index[i] for i in (*request.exclude, *user.dismissed, *user.history) if i in self.index]
        if excluded:
            if mask is None:
                mask = np.ones(len(self.items), dtype=bool)
            mask[excluded] = False
        return mask

    def _similarities(self, direction: np.ndarray) -> np.ndarray:
        """Every item's dot product with `direction` (float32 out; float16 reads for large catalogs)."""
        if self._half is None:
            return self.vectors @ direction
        import torch

        return torch.mv(self._half, torch.from_numpy(direction).half()).float().numpy()

    def _popularity(self, user: UserContext) -> np.ndarray:
        if user.segment_popularity:
            prior = np.zeros(len(self.items), dtype=np.float32)
            for item_id, count in user.segment_popularity.items():
                if item_id in self.index and count > 0:
                    prior[self.index[item_id]] = math.log1p(count)
            top = prior.max()
            if top > 0:
                return prior / top
        return self._prior

    # -- ranking ---------------------------------------------------------------------------------------------------

    def recommend(
        self, request: Request, user: UserContext | None = None, k: int = 3, ranker: Ranker | None = None
    ) -> list[Recommendation]:
        """The top `k` items for this request and user, diversified and explained.

        The blend chooses the candidates; a `ranker` (the learned click model) may re-order them before the
        diversity pass. Filters, explanations and the candidate set stay the blend's either way, so a ranker
        experiment changes only the order.
        """
        user = (user or UserContext()).effective()
        w = self.weights
        query = None if is_generic_request(request.text) else self.encoder.encode([request.text])[0]
        profile = self.profile_vector(user)
        w_profile = w.profile if query is not None else w.profile_without_query

        direction = np.zeros(self.vectors.shape[1], dtype=np.float32)
        if query is not None:
            direction += w.query * query
        if profile is not None:
            direction += w_profile * profile
        scores = self._similarities(direction) if direction.any() else np.zeros(len(self.items), dtype=np.float32)
        collab = self.collaborative.scores(user.history) if user.history else None
        if collab is not None and collab.max() > 0:
            hot = np.flatnonzero(collab)  # sparse: only items co-engaged with the history move
            scores[hot] += w.collaborative * (collab[hot] / collab.max())
        popularity = self._popularity(user)
        w_popularity = w.popularity if user.history or query is not None else w.popularity_cold
        if w_popularity and popularity.any():
            scores += w_popularity * popularity

        met = self._qualifiers_met(request)
        if met is not None:
            scores += w.attributes * met
        mask = self._narrow_to_qualified(self._mask(request, user), met, self._required(request))
        if mask is not None:
            scores[~mask] = -np.inf
        available = int(np.count_nonzero(mask)) if mask is not None else len(scores)
        if available == 0:
            return []
        n = min(CANDIDATES, available)
        candidates = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        candidates = candidates[np.isfinite(scores[candidates])]
        candidates = candidates[np.argsort(-scores[candidates], kind="stable")]
        # A category or a met qualifier is evidence enough that the catalog has an answer; plain text needs similarity.
        vouched = request.category is not None or (met is not None and bool((met[candidates] > 0).any()))
        best_similarity = float((self.vectors[candidates] @ query).max()) if query is not None else 1.0
        if not vouched and best_similarity < w.min_query_similarity:
            return []
        parts = {
            "query": (w.query * (self.vectors[candidates] @ query)) if query is not None else zeros(candidates),
            "profile": (w_profile * (self.vectors[candidates] @ profile)) if profile is not None else zeros(candidates),
            "collaborative": (
                w.collaborative * collab[candidates] / collab.max()
                if collab is not None and collab.max() > 0
                else zeros(candidates)
            ),
            "popularity": w_popularity * popularity[candidates],
            "attributes": w.attributes * met[candidates] if met is not None else zeros(candidates),
        }
        components = [{name: float(values[row]) for name, values in parts.items()} for row in range(len(candidates))]
        if ranker is not None:
            learned = np.asarray(ranker.rank([self.items[i] for i in candidates], components), dtype=np.float64)
            order = np.argsort(-learned, kind="stable")
            candidates, components = candidates[order], [components[row] for row in order]
            scores = np.full(len(self.items), -np.inf)
            scores[candidates] = learned[order]
        picks = self._mmr(candidates, scores, k)
        row_of = {int(i): row for row, i in enumerate(candidates)}
        out = []
        for i in picks:
            item, parts_of = self.items[i], components[row_of[i]]
            out.append(Recommendation(item, float(scores[i]), parts_of, self.explain(item, parts_of, request, user)))
        return out

    def _meets(self, group: tuple[str, ...]) -> np.ndarray:
        """Which items carry any tag of `group` (from the tag index: no pass over the items)."""
        meets = np.zeros(len(self.items), dtype=bool)
        for tag in group:
            if tag in self._tagged:
                meets[self._tagged[tag]] = True
        return meets

    def _qualifiers_met(self, request: Request) -> np.ndarray | None:
        """Per item, the share of the request's qualifier groups its tags meet (None when it names none)."""
        groups = request.qualifiers
        if not groups:
            return None
        return sum(self._meets(group).astype(np.float32) for group in groups) / len(groups)

    def _required(self, request: Request) -> list[np.ndarray]:
        """For each required group, which items meet it."""
        return [self._meets(group) for group in request.requires]

    @staticmethod
    def _narrow_to_qualified(
        mask: np.ndarray | None, met: np.ndarray | None, required: list[np.ndarray]
    ) -> np.ndarray | None:
        """Only items meeting each required group, then at least one qualifier, as far as the range has such items.

        "Not those, I have wide feet" must show wide shoes only; the boost then puts the items that meet the most
        qualifiers first. A qualifier nothing in range meets leaves the ranking to similarity rather than emptying it.
        """
        if met is None:
            return mask
        allowed = np.ones(len(met), dtype=bool) if mask is None else mask.copy()
        for condition in [*required, met > 0]:
            if (allowed & condition).any():
                allowed &= condition
        return allowed

    def _mmr(self, candidates: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
        """Greedy maximal marginal relevance: relevance minus similarity to what is already picked."""
        if len(candidates) <= 1:
            return [int(i) for i in candidates[:k]]
        relevance = scores[candidates]
        spread = float(relevance.max() - relevance.min()) or 1.0
        relevance = (relevance - relevance.min()) / spread
        sims = self.vectors[candidates] @ self.vectors[candidates].T
        lam = self.weights.mmr_lambda
        chosen = [0]
        redundancy = sims[0].copy()
        while len(chosen) < min(k, len(candidates)):
            gain = lam * relevance - (1 - lam) * redundancy
            gain[chosen] = -np.inf
            best = int(np.argmax(gain))
            chosen.append(best)
            redundancy = np.maximum(redundancy, sims[best])
        return [int(candidates[c]) for c in chosen]

    # -- explanations ----------------------------------------------------------------------------------------------

    def explain(self, item: Item, components: Mapping[str, float], request: Request, user: UserContext) -> str:
        """A one-sentence reason: the attributes that met the request, the budget, then the strongest score terms.

        It names what is true of the item ("rated for -18 °C", "under your $150") rather than echoing the request.
        """
        texts: list[str] = []
        matched = matched_tags(item.tags, request.qualifiers)
        if matched:
            texts.append("it's " + " and ".join(self.attributes.describe(tag) for tag in matched[:2]))
        if request.max_price is not None and item.price is not None and item.price <= request.max_price:
            texts.append(f"it's under your {self.currency_symbol}{request.max_price:g}")
        total = sum(max(v, 0.0) for v in components.values()) or 1.0
        reasons: list[tuple[float, str]] = []
        for name, value in components.items():
            if value <= 0 or value / total < REASON_MIN_SHARE or name == "attributes" or (name == "query" and texts):
                continue
            text = self._reason(name, item, request, user)
            if text:
                reasons.append((value, text))
        reasons.sort(key=lambda r: -r[0])
        texts = (texts + [text for _, text in reasons])[:2]
        if not texts:
            return f"One of our {topic_label(item.category or item.type)}."
        return f"Because {' and '.join(texts)}."

    def _reason(self, name: str, item: Item, request: Request, user: UserContext) -> str | None:
        vector = self.vectors[self.index[item.id]]
        if name == "query":
            shared = self._shared_tags(item, request.text)[:2]
            if shared:
                return "it's " + " and ".join(
                    self.attributes.says.get(t) or f"made for {t.replace('-', ' ')}" for t in shared
                )
            if request.category:
                return f"it's one of our closest {topic_label(request.category)} to what you described"
            snippet = request_snippet(request.text)
            return f'it\'s our closest match for "{snippet}"' if snippet else None
        if name == "profile":
            liked = [
                (float(vector @ self.vectors[self.index[i]]) * w, i)
                for i, w in user.history.items()
                if i in self.index and i != item.id and w > 0
            ]
            if liked:
                sim, source = max(liked)
                if sim > 0.4:
                    return f"you liked {self.items[self.index[source]].title}"
            topics = [
                (float(vector @ tv) * w, t)
                for t, w in user.interests.items()
                if w > 0 and (tv := self.topic_vector(t)) is not None
            ]
            if topics:
                return f"you're interested in {topic_label(max(topics)[1])}"
            return None
        if name == "collaborative":
            source = self.collaborative.strongest_source(user.history, item.id)
            if source and source[0] in self.index:
                return f"people who liked {self.items[self.index[source[0]]].title} also liked it"
            return None
        if name == "popularity":
            if user.segment_popularity and user.segment_name:
                return f"it's popular with customers into {user.segment_name.lower()}"
            return "it's popular with our customers"
        return None

    @staticmethod
    def _shared_tags(item: Item, text: str) -> list[str]:
        """The item's tags the request's words name, leaving out tags that only name what the item is ("tent")."""
        terms = set(content_terms(text))
        naming = set(tokenize(f"{item.category or ''} {item.type}"))
        return [t for t in item.tags if (words := set(tokenize(t))) and words <= terms and not words <= naming]

    def with_weights(self, **changes: float) -> Recommender:
        """A copy with some weights changed (experiments, benchmarks)."""
        clone = Recommender.__new__(Recommender)
        clone.__dict__.update(self.__dict__)
        clone.weights = replace(self.weights, **changes)
        return clone
