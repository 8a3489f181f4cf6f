"""The store's tables. Alembic migrations in `store/migrations` create them; a test checks the two agree.

Types are portable between SQLite and PostgreSQL (JSON columns, timezone-aware timestamps stored as UTC).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

# Named constraints, so migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Conversation ids (Rasa's sender ids) longer than this are refused by the channels and cut by the writer.
MAX_CONVERSATION_ID = 255

if TYPE_CHECKING:
    # SQLAlchemy 1.4 (Rasa's pin) has no typed declarative base; mypy sees the tables as plain classes.
    class Base:
        """The declarative base, as the type checker sees it."""

        metadata: MetaData
        __table__: Any

        def __init__(self, **kwargs: Any) -> None: ...

else:
    Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A stored timestamp as timezone-aware UTC: SQLite hands them back naive (in UTC), PostgreSQL aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class User(Base):
    """One customer identity on one channel (a Telegram account, a REST sender).

    The same person on two channels is two users: channels do not share identifiers and merging them would need
    the customer's consent. `consent_personalisation` is the customer's choice, honoured by every action;
    `consent_broadcasts` is a separate one, asked for once and never assumed (`store.broadcasts`).
    """

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_users_channel_external_id"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    external_id = Column(String(255), nullable=False)
    display_name = Column(String(255))
    language = Column(String(16))
    consent_personalisation = Column(Boolean, nullable=False, default=True)
    # Broadcasts: None until asked, then the person's answer; never assumed (separate from personalisation).
    consent_broadcasts = Column(Boolean)
    broadcasts_asked_at = Column(DateTime(timezone=True))
    timezone = Column(String(64))
    segment_id = Column(Integer, ForeignKey("segments.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    interests = relationship("Interest", cascade="all, delete-orphan", passive_deletes=True)
    segment = relationship("Segment")


class Interest(Base):
    """How much a user cares about a topic (a catalog category or tag), and what told us.

    One row per (user, topic, source): `said` (asked about it), `clicked`, `liked` (positive feedback on an item of
    that topic), `dismissed` (negative). The profile weight of a topic is the sum over sources.
    """

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("user_id", "topic", "source", name="uq_interests_user_topic_source"),)

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    topic = Column(String(64), nullable=False)
    source = Column(String(16), nullable=False)
    weight = Column(Float, nullable=False, default=0.0)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Interaction(Base):
    """One user turn: what the customer wrote, what the NLU made of it, and what the bot did and showed.

    Written by the event broker for every user message, whether or not a custom action ran; the bot's action,
    reply and shown items are filled in as the turn's events arrive.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_conversation_id_id", "conversation_id", "id"),
        Index("ix_interactions_intent_conversation_id", "intent", "conversation_id"),
    )

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(32), nullable=False)
    surface = Column(String(16), nullable=False, default="dm")
    message_id = Column(String(64))
    text = Column(Text, nullable=False, default="")
    intent = Column(String(64))
    intent_confidence = Column(Float)
    entities = Column(JSON, nullable=False, default=list)
    sentiment = Column(String(16))
    sentiment_score = Column(Float)
    # ISO 639-1 code the NLU detected (`nlu.components.language_detector`); None when undetermined
    language = Column(String(16))
    # what moderation found (toxic, spam, self_promotion) and did (reply_calmly_and_flag, hide, ignore, restored)
    moderation = Column(String(32))
    moderation_score = Column(Float)
    moderation_action = Column(String(32), index=True)
    action = Column(String(64))
    reply = Column(Text)
    items_shown = Column(JSON, nullable=False, default=list)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class Feedback(Base):
    """A customer's reaction to a shown item: `click`, `like` or `dismiss`. The recommender learns from these."""

    __tablename__ = "feedback"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    item_id = Column(String(64), ForeignKey("catalog_items.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    interaction_id = Column(Integer, ForeignKey("interactions.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class CatalogItem(Base):
    """The content catalog as the store knows it, synced from `brand/catalog.yml`.

    Items that leave the YAML are marked inactive rather than deleted, so old feedback keeps its meaning.
    """

    __tablename__ = "catalog_items"

    id = Column(String(64), primary_key=True)
    type = Column(String(16), nullable=False)
    title = Column(String(255), nullable=False)
    description = Column(Text, nullable=False)
    category = Column(String(64), nullable=False, default="")
    tags = Column(JSON, nullable=False, default=list)
    price = Column(Float)
    url = Column(String(512))
    active = Column(Boolean, nullable=False, default=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Segment(Base):
    """A named group of users with similar interests (K-means over interest vectors), for managers and cold start."""

    __tablename__ = "segments"

    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    size = Column(Integer, nullable=False, default=0)
    centroid = Column(JSON, nullable=False, default=dict)
    computed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


# Trigram (GIN) indexes for the console's free-text search, PostgreSQL only (migration 0003): SQLAlchemy 1.4 cannot
# declare an index for one dialect, so they live in the migration and autogenerate is told to leave them alone.
POSTGRES_SEARCH_INDEXES = ("ix_interactions_text_trgm", "ix_interactions_conversation_id_trgm")


class Conversation(Base):
    """One conversation (a Rasa sender id) as the review console's inbox lists it.

    Kept current by the event broker on every turn (last message, counters, handoff state), so the inbox filters
    and pages over one indexed table instead of aggregating the interaction log on every page view.
    """

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_last_message_at_id", "last_message_at", "id"),)

    id = Column(String(255), primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel = Column(String(32), nullable=False)
    surface = Column(String(16), nullable=False, default="dm")
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_message_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_text = Column(Text, nullable=False, default="")
    last_intent = Column(String(64))
    last_sentiment = Column(String(16))
    message_count = Column(Integer, nullable=False, default=0)
    negative_count = Column(Integer, nullable=False, default=0)
    fallback_count = Column(Integer, nullable=False, default=0)
    min_confidence = Column(Float)
    needs_human = Column(Boolean, nullable=False, default=False)
    paused = Column(Boolean, nullable=False, default=False)
    flagged = Column(Boolean, nullable=False, default=False)
    tags = Column(JSON, nullable=False, default=list)
    reviewed_at = Column(DateTime(timezone=True))
    reviewed_by = Column(String(255))


class Manager(Base):
    """A social manager who may use the review console. Passwords are stored as Argon2 hashes only."""

    __tablename__ = "managers"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_login_at = Column(DateTime(timezone=True))


class ConsoleSession(Base):
    """A logged-in console session. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "console_sessions"

    id = Column(String(64), primary_key=True)
    manager_id = Column(Integer, ForeignKey("managers.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class Correction(Base):
    """A manager's relabelling of one message (intent or sentiment); the newest per field wins.

    Kept as history (who changed what, from what) because retraining and audits both need to know.
    """

    __tablename__ = "corrections"

    id = Column(Integer, primary_key=True)
    interaction_id = Column(Integer, ForeignKey("interactions.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    field = Column(String(16), nullable=False)
    old_value = Column(String(64))
    new_value = Column(String(64), nullable=False)
    manager = Column(String(255), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OutboxMessage(Base):
    """A reply a manager wrote for a channel that cannot be pushed to (REST): delivered with the next response."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    text = Column(Text, nullable=False)
    sent_by = Column(String(255), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at = Column(DateTime(timezone=True))


class ChannelDelivery(Base):
    """A platform update already taken in (Telegram's `update_id`), so a redelivery is answered once.

    In the database rather than in memory: Telegram redelivers after a restart too, and with several Rasa replicas
    behind a load balancer the redelivery may reach another process. Old rows can be pruned at any time; Telegram
    stops redelivering after 24 hours.
    """

    __tablename__ = "channel_deliveries"

    channel = Column(String(32), primary_key=True)
    delivery_id = Column(String(64), primary_key=True)
    received_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class AppliedEvent(Base):
    """A spooled event already written to the log, by its id: a replay after a crash skips it instead of doubling it.

    Written in the same transaction as the event's effect, so the two can never disagree. Events written straight
    from the broker have no id and need none (they are never replayed).
    """

    __tablename__ = "applied_events"

    event_id = Column(String(64), primary_key=True)
    applied_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Impression(Base):
    """One catalog item shown in one reply, at its position, with the features the ranker saw then.

    The click model's training log (`store.impressions.impression_log`): features are logged when shown, not
    recomputed later, so a model learns from what the ranker actually knew. Goes with its turn on erasure.
    """

    __tablename__ = "impressions"

    id = Column(Integer, primary_key=True)
    interaction_id = Column(Integer, ForeignKey("interactions.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    item_id = Column(String(64), nullable=False)
    position = Column(Integer, nullable=False)
    features = Column(JSON, nullable=False, default=list)
    ranker = Column(String(32), nullable=False, default="blend")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class Exposure(Base):
    """A reply that an experiment's arm shaped, for one person: the unit the experiment's results count."""

    __tablename__ = "exposures"
    __table_args__ = (Index("ix_exposures_experiment_arm", "experiment", "arm"),)

    id = Column(Integer, primary_key=True)
    experiment = Column(String(64), nullable=False)
    arm = Column(String(64), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    interaction_id = Column(Integer, ForeignKey("interactions.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Broadcast(Base):
    """A message a manager sends to every opted-in customer, each with their own picks (`store.broadcasts`).

    `variant_message` makes it an experiment between two wordings (half the recipients each, by a hash of the
    broadcast and the person); `ranker` is `blend`, `clicks` or `test` (half each).
    """

    __tablename__ = "broadcasts"

    id = Column(Integer, primary_key=True)
    message = Column(Text, nullable=False)
    variant_message = Column(Text)
    item_id = Column(String(64))
    category = Column(String(64))
    ranker = Column(String(16), nullable=False, default="blend")
    status = Column(String(16), nullable=False, default="queued")
    created_by = Column(String(255), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    started_at = Column(DateTime(timezone=True))
    finished_at = Column(DateTime(timezone=True))


class BroadcastDelivery(Base):
    """One recipient of one broadcast: the job's unit of work and its record.

    Unique per (broadcast, user), so planning twice adds nobody twice. `status` moves pending -> sending -> sent,
    or to skipped (with `reason`), failed, or unconfirmed (the job died while this message was in flight, so it
    is never sent again: nobody gets a broadcast twice). `not_before` defers a recipient past their quiet hours.
    """

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "user_id", name="uq_broadcast_deliveries_broadcast_user"),
        Index("ix_broadcast_deliveries_broadcast_id_status", "broadcast_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    broadcast_id = Column(Integer, ForeignKey("broadcasts.id", ondelete="CASCADE"), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    chat_id = Column(String(64), nullable=False)
    status = Column(String(16), nullable=False, default="pending")
    reason = Column(String(64))
    arm = Column(String(32))
    items = Column(JSON, nullable=False, default=list)
    message_id = Column(String(64))
    not_before = Column(DateTime(timezone=True))
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True), index=True)
