"""Users, their interests and consent: the repository functions actions and the console use.

Every function takes the caller's session (one unit of work) and uses bound parameters through the ORM.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.identity import Identity
from store.schema import (
    BroadcastDelivery,
    Conversation,
    Correction,
    Exposure,
    Feedback,
    Impression,
    Interaction,
    Interest,
    OutboxMessage,
    User,
    utcnow,
)

# Interest sources and how much one event of each moves a topic's weight.
INTEREST_DELTAS = {"said": 1.0, "clicked": 2.0, "liked": 3.0, "dismissed": -2.0}


def find_user(session: Session, channel: str, external_id: str) -> User | None:
    """The user with this channel identity, or None."""
    return session.execute(
        select(User).where(User.channel == channel, User.external_id == external_id)
    ).scalar_one_or_none()


def upsert_user(session: Session, identity: Identity) -> User:
    """The user for `identity`, created on first sight; refreshes last-seen and any profile hints given."""
    user = find_user(session, identity.channel, identity.external_id)
    if user is None:
        user = User(channel=identity.channel, external_id=identity.external_id, consent_personalisation=True)
        session.add(user)
    user.last_seen_at = utcnow()
    if identity.display_name:
        user.display_name = identity.display_name
    if identity.language:
        user.language = identity.language
    session.flush()
    return user


def set_consent(session: Session, user: User, enabled: bool) -> int:
    """Records the personalisation choice; opting out also forgets interests. Returns interests removed."""
    user.consent_personalisation = enabled
    if enabled:
        return 0
    removed = session.execute(delete(Interest).where(Interest.user_id == user.id)).rowcount or 0
    session.expire(user, ["interests"])
    return removed


def add_interest(session: Session, user: User, topic: str, source: str, delta: float | None = None) -> bool:
    """Moves the user's weight for `topic` by `delta` (default: the source's usual step).

    Returns False, changing nothing, when the user has not consented to personalisation.
    """
    if not user.consent_personalisation or not topic:
        return False
    if source not in INTEREST_DELTAS:
        raise ValueError(f"unknown interest source {source!r}; expected one of {sorted(INTEREST_DELTAS)}")
    step = INTEREST_DELTAS[source] if delta is None else delta
    row = session.execute(
        select(Interest).where(Interest.user_id == user.id, Interest.topic == topic, Interest.source == source)
    ).scalar_one_or_none()
    if row is None:
        session.add(Interest(user_id=user.id, topic=topic, source=source, weight=step))
    else:
        row.weight = row.weight + step
    session.flush()
    return True


def interest_weights(session: Session, user_id: int) -> dict[str, float]:
    """Topic -> total weight over all sources, for one user."""
    rows = session.execute(
        select(Interest.topic, func.sum(Interest.weight)).where(Interest.user_id == user_id).group_by(Interest.topic)
    )
    return {topic: float(weight) for topic, weight in rows}


def all_interest_weights(session: Session, consenting_only: bool = True) -> dict[int, dict[str, float]]:
    """User id -> topic -> weight, for every user with interests (segments are built from this)."""
    query = select(Interest.user_id, Interest.topic, func.sum(Interest.weight)).group_by(
        Interest.user_id, Interest.topic
    )
    if consenting_only:
        query = query.join(User, User.id == Interest.user_id).where(User.consent_personalisation.is_(True))
    weights: dict[int, dict[str, float]] = defaultdict(dict)
    for user_id, topic, weight in session.execute(query):
        weights[user_id][topic] = float(weight)
    return dict(weights)


@dataclass
class Profile:
    """What the store holds about a user, in the words the privacy reply uses."""

    display_name: str | None
    channel: str
    consent: bool
    interests: dict[str, float]
    feedback: dict[str, int]
    messages: int
    segment: str | None = None
    first_seen: str = ""
    liked_items: list[str] = field(default_factory=list)


def profile(session: Session, user: User) -> Profile:
    """A summary of everything stored about `user`."""
    feedback = dict(
        session.execute(
            select(Feedback.kind, func.count()).where(Feedback.user_id == user.id).group_by(Feedback.kind)
        ).all()
    )
    messages = session.execute(select(func.count()).where(Interaction.user_id == user.id)).scalar_one()
    liked = [
        item_id
        for (item_id,) in session.execute(
            select(Feedback.item_id)
            .where(Feedback.user_id == user.id, Feedback.kind.in_(("click", "like")))
            .order_by(Feedback.id.desc())
            .limit(5)
        )
    ]
    return Profile(
        display_name=user.display_name,
        channel=user.channel,
        consent=user.consent_personalisation,
        interests=interest_weights(session, user.id),
        feedback={kind: int(count) for kind, count in feedback.items()},
        messages=int(messages),
        segment=user.segment.name if user.segment else None,
        first_seen=user.created_at.strftime("%Y-%m-%d") if user.created_at else "",
        liked_items=liked,
    )


@dataclass(frozen=True)
class Erasure:
    """How many rows of each kind `erase_user` removed."""

    messages: int
    interests: int
    feedback: int

    def describe(self) -> str:
        """E.g. "12 messages, 3 interests and 2 reactions to recommendations"."""
        parts = [
            f"{self.messages} message{'s' if self.messages != 1 else ''}",
            f"{self.interests} interest{'s' if self.interests != 1 else ''}",
            f"{self.feedback} reaction{'s' if self.feedback != 1 else ''} to recommendations",
        ]
        return f"{', '.join(parts[:-1])} and {parts[-1]}"


def erase_user(session: Session, user: User) -> Erasure:
    """Deletes the user's messages, impressions, exposures, interests, feedback, queued replies; blanks the profile.

    The user row itself stays with only the channel id and the personalisation choice: deleting it would turn
    personalisation back on for someone who opted out, which is the opposite of what they asked for.
    """
    conversations = select(Conversation.id).where(Conversation.user_id == user.id).scalar_subquery()
    session.execute(
        delete(Correction)
        .where(Correction.conversation_id.in_(conversations))
        .execution_options(synchronize_session=False)
    )
    # a manager's reply still waiting for the customer quotes the conversation: it goes with it
    session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.conversation_id.in_(conversations))
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(Conversation).where(Conversation.user_id == user.id))
    session.execute(delete(Impression).where(Impression.user_id == user.id))
    session.execute(delete(BroadcastDelivery).where(BroadcastDelivery.user_id == user.id))
    session.execute(delete(Exposure).where(Exposure.user_id == user.id))
    erased = Erasure(
        messages=session.execute(delete(Interaction).where(Interaction.user_id == user.id)).rowcount or 0,
        interests=session.execute(delete(Interest).where(Interest.user_id == user.id)).rowcount or 0,
        feedback=session.execute(delete(Feedback).where(Feedback.user_id == user.id)).rowcount or 0,
    )
    user.display_name = None
    user.language = None
    user.timezone = None
    # Someone who asked to be forgotten is not messaged again; the row keeps the answer, as it keeps the opt-out.
    user.consent_broadcasts = False
    user.segment_id = None
    session.expire(user, ["interests", "segment"])
    session.flush()
    return erased
