"""What each reply showed and under which experiment arm; read back as the click model's log and each arm's counts.

Written by the event writer from a recommendation's metadata (`core.events.IMPRESSIONS_KEY`, `EXPOSURES_KEY`),
in the same transaction as the turn. Read by `python -m recommender train-clicks` (the impressions with their
outcome) and by the experiment results (people per arm, and how many of them did what the metric counts).

A click belongs to an impression when the same person opened or liked the same item within `CLICK_WINDOW` of
the message it answered: Telegram buttons and REST payloads do not say which reply they came from.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.feedback import positive_reactions
from store.schema import Conversation, Exposure, Impression, Interaction

logger = logging.getLogger(__name__)

CLICK_WINDOW = timedelta(days=1)
MAX_FEATURES = 64
METRICS = ("click_through", "handoff_rate", "next_turn_sentiment", "resolved_without_person")


@dataclass(frozen=True)
class LoggedImpression:
    """One impression as the click model learns from it."""

    features: list[float]
    position: int
    clicked: bool
    ranker: str


def record_impressions(session: Session, turn: Interaction, impressions: Sequence[Any]) -> int:
    """Stores a reply's shown items with their positions and features; returns how many.

    An entry that is not {"item": str, "position": int >= 1, "features": [finite numbers]} is skipped with a
    warning: the turn it belongs to is worth more than its impression, and must not be set aside for it.
    """
    session.flush()  # the turn may be new in this transaction: its id is needed
    rows = []
    for entry in impressions:
        valid = _valid_impression(entry)
        if valid is None:
            logger.warning("Skipped a malformed impression in conversation turn %s", turn.id)
            continue
        item, position, features, ranker = valid
        rows.append(
            Impression(
                interaction_id=turn.id,
                user_id=turn.user_id,
                item_id=item,
                position=position,
                features=features,
                ranker=ranker,
                created_at=turn.created_at,
            )
        )
    session.add_all(rows)
    return len(rows)


def _valid_impression(entry: Any) -> tuple[str, int, list[float], str] | None:
    """(item, position, features, ranker) of a well-formed impression entry, else None."""
    if not isinstance(entry, Mapping):
        return None
    item, position, features = entry.get("item"), entry.get("position"), entry.get("features")
    if not isinstance(item, str) or not 0 < len(item) <= 64:
        return None
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        return None
    if not isinstance(features, list) or len(features) > MAX_FEATURES:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in features):
        return None
    return item, position, [float(v) for v in features], str(entry.get("ranker") or "blend")[:32]


def record_exposures(session: Session, turn: Interaction, arms: Mapping[str, Any]) -> int:
    """Stores which arm of which experiment shaped this reply; returns how many (malformed names are skipped)."""
    session.flush()
    rows = []
    for experiment, arm in arms.items():
        if not (isinstance(experiment, str) and isinstance(arm, str)) or not (
            0 < len(experiment) <= 64 and 0 < len(arm) <= 64
        ):
            logger.warning("Skipped a malformed experiment exposure in conversation turn %s", turn.id)
            continue
        rows.append(
            Exposure(
                experiment=experiment,
                arm=arm,
                user_id=turn.user_id,
                interaction_id=turn.id,
                created_at=turn.created_at,
            )
        )
    session.add_all(rows)
    return len(rows)


def impression_log(session: Session, since: datetime | None = None) -> list[LoggedImpression]:
    """Every impression (since `since`), oldest first, with whether it was opened within `CLICK_WINDOW`."""
    query = select(
        Impression.user_id,
        Impression.item_id,
        Impression.position,
        Impression.features,
        Impression.ranker,
        Impression.created_at,
    ).order_by(Impression.id)
    if since is not None:
        query = query.where(Impression.created_at >= since)
    rows = session.execute(query).all()
    clicks = positive_reactions(session, {row.user_id for row in rows})
    return [
        LoggedImpression(
            list(row.features),
            row.position,
            clicks.within(row.user_id, row.item_id, row.created_at, CLICK_WINDOW),
            row.ranker,
        )
        for row in rows
    ]


def arm_counts(session: Session, experiment: str, metric: str) -> dict[str, tuple[int, int]]:
    """Per arm: people exposed, and how many of them the metric counts as a success.

    The unit is the person, because assignment is by person: counting replies would treat one person's replies
    as independent draws and make the test claim more certainty than it has. A person counts in the arm of their
    first exposure. Successes per metric:
    - `click_through`: opened or liked an item shown in one of their exposed replies (within `CLICK_WINDOW`);
    - `handoff_rate`: a conversation of theirs with an exposed reply went to a person;
    - `resolved_without_person`: none did;
    - `next_turn_sentiment`: they wrote again after an exposed reply, and that next message was not negative.

    Raises:
        ValueError: an unknown metric.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {METRICS}")
    rows = session.execute(
        select(
            Exposure.user_id, Exposure.arm, Exposure.interaction_id, Interaction.conversation_id, Exposure.created_at
        )
        .join(Interaction, Interaction.id == Exposure.interaction_id)
        .where(Exposure.experiment == experiment)
        .order_by(Exposure.id)
    ).all()
    arm_of: dict[int, str] = {}
    turns: dict[int, list[tuple[int, str, datetime]]] = {}
    for user_id, arm, interaction_id, conversation_id, at in rows:
        arm_of.setdefault(user_id, arm)
        turns.setdefault(user_id, []).append((interaction_id, conversation_id, at))
    success = _successes(session, metric, turns)
    counts: dict[str, tuple[int, int]] = {}
    for user_id, arm in arm_of.items():
        people, converted = counts.get(arm, (0, 0))
        counts[arm] = (people + 1, converted + int(user_id in success))
    return counts


def _successes(session: Session, metric: str, turns: dict[int, list[tuple[int, str, datetime]]]) -> set[int]:
    """The people (of `turns`) the metric counts as a success."""
    if metric == "click_through":
        interaction_ids = [i for user_turns in turns.values() for i, _, _ in user_turns]
        shown = (
            session.execute(
                select(Impression.user_id, Impression.item_id, Impression.created_at).where(
                    Impression.interaction_id.in_(interaction_ids)
                )
            ).all()
            if interaction_ids
            else []
        )
        clicks = positive_reactions(session, set(turns))
        return {row.user_id for row in shown if clicks.within(row.user_id, row.item_id, row.created_at, CLICK_WINDOW)}
    if metric in ("handoff_rate", "resolved_without_person"):
        conversations = {c for user_turns in turns.values() for _, c, _ in user_turns}
        handed = (
            set(
                session.execute(
                    select(Conversation.id).where(
                        Conversation.id.in_(conversations), Conversation.needs_human.is_(True)
                    )
                ).scalars()
            )
            if conversations
            else set()
        )
        went = {user for user, user_turns in turns.items() if any(c in handed for _, c, _ in user_turns)}
        return went if metric == "handoff_rate" else set(turns) - went
    # next_turn_sentiment: the first message after each exposed reply, in the same conversation (one query for all)
    conversations = {c for user_turns in turns.values() for _, c, _ in user_turns}
    later: dict[str, list[tuple[int, str | None]]] = {}
    for conversation_id, interaction_id, sentiment in session.execute(
        select(Interaction.conversation_id, Interaction.id, Interaction.sentiment)
        .where(Interaction.conversation_id.in_(conversations))
        .order_by(Interaction.id)
    ):
        later.setdefault(conversation_id, []).append((interaction_id, sentiment))

    def next_is_fine(conversation_id: str, interaction_id: int) -> bool:
        after = next((sentiment for i, sentiment in later.get(conversation_id, ()) if i > interaction_id), None)
        return after is not None and after != "negative"

    return {
        user
        for user, user_turns in turns.items()
        if any(next_is_fine(conversation_id, interaction_id) for interaction_id, conversation_id, _ in user_turns)
    }
