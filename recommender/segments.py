"""User segments: K-means over interest vectors, named by what their members care about.

Managers see segments in the console; the recommender uses a user's segment for cold start (what people like them
engaged with) when the user's own history is thin. Recompute with `python -m recommender segments` (or the retrain job);
users who opted out of personalisation are never segmented.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from recommender.encoders import normalise
from recommender.text import topic_label
from store.schema import Segment, User, utcnow
from store.users import all_interest_weights

MIN_USERS_PER_SEGMENT = 3
MAX_SEGMENTS = 6
SEED = 0


def segment_name(centroid: Mapping[str, float]) -> str:
    """A name from the centroid's one or two strongest topics, e.g. "Tents & sleeping bags"."""
    top = [topic for topic, weight in sorted(centroid.items(), key=lambda kv: -kv[1]) if weight > 0][:2]
    if not top:
        return "General"
    name = " & ".join(topic_label(topic) for topic in top)
    return name[0].upper() + name[1:]


def default_k(n_users: int) -> int:
    """Enough segments to be useful, never more than the data supports."""
    return max(1, min(MAX_SEGMENTS, n_users // MIN_USERS_PER_SEGMENT, round(math.sqrt(n_users / 2)) or 1))


def _expire_loaded_users(session: Session) -> None:
    """Bulk updates bypass loaded objects; make users already in the session re-read their segment."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, User):
            session.expire(obj, ["segment_id", "segment"])


def compute_segments(session: Session, k: int | None = None) -> list[Segment]:
    """Clusters consenting users by interests, replaces the stored segments, and assigns every clustered user.

    Returns the new segments, largest first; [] when fewer than `MIN_USERS_PER_SEGMENT` users have interests.
    """
    from sklearn.cluster import KMeans

    weights = {uid: w for uid, w in all_interest_weights(session).items() if any(v > 0 for v in w.values())}
    session.execute(update(User).values(segment_id=None).execution_options(synchronize_session=False))
    session.execute(delete(Segment))
    if len(weights) < MIN_USERS_PER_SEGMENT:
        session.flush()
        _expire_loaded_users(session)
        return []
    topics = sorted({topic for w in weights.values() for topic in w})
    user_ids = sorted(weights)
    matrix = np.array([[max(weights[uid].get(t, 0.0), 0.0) for t in topics] for uid in user_ids])
    matrix = normalise(matrix)
    k = min(k or default_k(len(user_ids)), len(user_ids))
    model = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(matrix)

    segments: list[Segment] = []
    names: set[str] = set()
    for cluster in range(k):
        members = [uid for uid, label in zip(user_ids, model.labels_, strict=False) if label == cluster]
        if not members:
            continue
        centroid = {
            t: round(float(v), 4) for t, v in zip(topics, model.cluster_centers_[cluster], strict=False) if v > 1e-4
        }
        name = segment_name(centroid)
        if name in names:
            name = f"{name} ({len(names) + 1})"
        names.add(name)
        segment = Segment(name=name, size=len(members), centroid=centroid, computed_at=utcnow())
        session.add(segment)
        session.flush()
        session.execute(
            update(User)
            .where(User.id.in_(members))
            .values(segment_id=segment.id)
            .execution_options(synchronize_session=False)
        )
        segments.append(segment)
    session.flush()
    _expire_loaded_users(session)
    return sorted(segments, key=lambda s: -s.size)


def nearest_segment(segments: list[Segment], interests: Mapping[str, float]) -> Segment | None:
    """The segment whose centroid is closest (cosine) to a user's interests; None without positive interests."""
    positive = {t: w for t, w in interests.items() if w > 0}
    if not positive or not segments:
        return None
    norm = math.sqrt(sum(w * w for w in positive.values()))
    best, best_score = None, 0.0
    for segment in segments:
        centroid = segment.centroid or {}
        c_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
        score = sum(w * centroid.get(t, 0.0) for t, w in positive.items()) / (norm * c_norm)
        if score > best_score:
            best, best_score = segment, score
    return best
