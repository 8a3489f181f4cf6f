"""The bridge between a conversation and the store: who is talking (what the recommender may know: recommender/).

Actions call these inside one store session. Public conversations (comments) never use the profile, so a reply
seen by others cannot reveal what someone clicked or asked before.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from core.identity import Identity, identity_from
from store.schema import User
from store.users import upsert_user

logger = logging.getLogger(__name__)


def identity_of(tracker: Tracker) -> Identity:
    """The identity behind the tracker's latest message (same rules as the event broker)."""
    metadata = tracker.latest_message.get("metadata") if tracker.latest_message else None
    return identity_from(tracker.sender_id, tracker.get_latest_input_channel(), metadata)


def current_user(session: Session, tracker: Tracker) -> tuple[User, Identity]:
    """The store's user for this conversation (created on first sight) and their identity."""
    identity = identity_of(tracker)
    return upsert_user(session, identity), identity


def note_interest(tracker: Tracker, topic: str, source: str = "said") -> None:
    """Best effort: records that the customer showed interest in `topic`; a store failure is logged, not raised."""
    from actions.settings import get_database
    from store.users import add_interest

    try:
        with get_database().session() as session:
            user, _ = current_user(session, tracker)
            add_interest(session, user, topic, source)
    except Exception:
        logger.exception("Could not note interest %r for %s", topic, tracker.sender_id)
