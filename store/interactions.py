"""The interaction log: one row per user turn, completed by the bot's action, reply and shown items.

The event broker (`bot/broker.py`) calls these as a turn's events stream in; the console and retraining read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events import BOOKKEEPING_ACTIONS
from core.handoff import HANDOFF_ACTIONS, inbox_state
from core.identity import Identity
from store.schema import Conversation, Interaction, User
from store.users import upsert_user


def _timestamp(value: float | None) -> datetime:
    return datetime.fromtimestamp(value, timezone.utc) if value else datetime.now(timezone.utc)


def storable(text: str) -> str:
    """`text` with NUL characters replaced: PostgreSQL refuses them, and the turn must be logged all the same."""
    return text.replace("\x00", "\ufffd")


def _mapping(value: Any) -> Mapping[str, Any]:
    """`value` if it is a mapping, else an empty one: parse data from a client or a spool may be malformed."""
    return value if isinstance(value, Mapping) else {}


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def record_user_turn(
    session: Session,
    conversation_id: str,
    identity: Identity,
    text: str | None,
    parse_data: Mapping[str, Any] | None,
    message_id: str | None = None,
    timestamp: float | None = None,
) -> Interaction:
    """Logs a user message with the NLU's reading of it; creates or refreshes the user."""
    user: User = upsert_user(session, identity)
    parse = parse_data if isinstance(parse_data, Mapping) else {}
    intent = _mapping(parse.get("intent"))
    sentiment = _mapping(parse.get("sentiment"))
    language = _language(parse.get("language"))
    moderation = _mapping(parse.get("moderation"))
    entities = [
        {key: entity.get(key) for key in ("entity", "value", "start", "end", "extractor")}
        for entity in parse.get("entities") or []
        if isinstance(entity, Mapping)
    ]
    row = Interaction(
        user_id=user.id,
        conversation_id=conversation_id,
        channel=identity.channel,
        surface=identity.surface,
        message_id=(message_id or None) and str(message_id)[:64],
        text=storable(text or ""),
        intent=(intent.get("name") or None) and str(intent["name"])[:64],
        intent_confidence=_float(intent.get("confidence")),
        entities=entities,
        sentiment=(sentiment.get("label") or None) and str(sentiment["label"])[:16],
        sentiment_score=_float(sentiment.get("score")),
        language=language,
        moderation=(moderation.get("category") or None) and str(moderation["category"])[:32],
        moderation_score=_float(moderation.get("score")),
        moderation_action=(moderation.get("action") or None) and str(moderation["action"])[:32],
        items_shown=[],
        created_at=_timestamp(timestamp),
    )
    if language is not None and len((text or "").split()) >= PROFILE_LANGUAGE_MIN_WORDS:
        user.language = language  # what they write in, over what their app is set to
    session.add(row)
    update_conversation(session, conversation_id, user.id, row)
    session.flush()
    return row


# A message this long says which language its writer uses; "ok" or "hola" alone does not change the profile.
PROFILE_LANGUAGE_MIN_WORDS = 3


def _language(value: Any) -> str | None:
    """The detected language code from the parse data, or None when absent or undetermined."""
    code = _mapping(value).get("code")
    if not isinstance(code, str) or not code or code == "und":
        return None
    return code[:16]


FALLBACK_INTENT = "nlu_fallback"
# The NLU's intent for a message in a language the brand does not answer in (nlu/components/language_router.py).
OTHER_LANGUAGE_INTENT = "other_language"


def update_conversation(session: Session, conversation_id: str, user_id: int, turn: Interaction) -> Conversation:
    """Folds one user turn into the conversation's inbox row (created on the first turn)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        conversation = Conversation(
            id=conversation_id,
            user_id=user_id,
            channel=turn.channel,
            surface=turn.surface,
            started_at=turn.created_at,
            message_count=0,
            negative_count=0,
            fallback_count=0,
            tags=[],
        )
        session.add(conversation)
    conversation.user_id = user_id
    conversation.last_message_at = turn.created_at
    conversation.last_text = (turn.text or "")[:500]
    conversation.last_intent = turn.intent
    conversation.last_sentiment = turn.sentiment
    conversation.message_count = (conversation.message_count or 0) + 1
    conversation.negative_count = (conversation.negative_count or 0) + (turn.sentiment == "negative")
    conversation.fallback_count = (conversation.fallback_count or 0) + (turn.intent == FALLBACK_INTENT)
    if turn.intent_confidence is not None:
        low = conversation.min_confidence
        conversation.min_confidence = turn.intent_confidence if low is None else min(low, turn.intent_confidence)
    if turn.moderation_action:
        conversation.flagged = True  # a manager looks at every moderated message, restored or not
        tag = f"moderation:{turn.moderation}"
        if tag not in (conversation.tags or []):
            conversation.tags = [*(conversation.tags or []), tag]
    if turn.intent == OTHER_LANGUAGE_INTENT and turn.language:
        tag = f"language:{turn.language}"  # the inbox shows which language the person taking over will need
        if tag not in (conversation.tags or []):
            conversation.tags = [*(conversation.tags or []), tag]
    return conversation


def record_pause(session: Session, conversation_id: str, paused: bool) -> bool:
    """Notes that a person took the conversation over (`paused`) or handed it back; False if it is unknown.

    The inbox state follows `core.handoff.inbox_state`, whichever tool paused or resumed.
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    state = inbox_state(paused)
    conversation.paused, conversation.needs_human = state.paused, state.needs_human
    return True


def latest_interaction(session: Session, conversation_id: str) -> Interaction | None:
    """The conversation's most recent turn (by the time the customer wrote it), or None before its first message."""
    return session.execute(
        select(Interaction)
        .where(Interaction.conversation_id == conversation_id)
        .order_by(Interaction.created_at.desc(), Interaction.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def record_action(session: Session, conversation_id: str, action: str, turn: Interaction | None = None) -> bool:
    """Notes the first answering action of `turn` (default: the latest); returns whether a turn took it."""
    if action in BOOKKEEPING_ACTIONS:
        return False
    row = turn if turn is not None else latest_interaction(session, conversation_id)
    if action in HANDOFF_ACTIONS and (conversation := session.get(Conversation, conversation_id)) is not None:
        conversation.needs_human = True
    if row is None or row.action:
        return False
    row.action = action[:64]
    return True


def record_bot_reply(
    session: Session,
    conversation_id: str,
    text: str | None,
    items: Sequence[str] = (),
    turn: Interaction | None = None,
) -> bool:
    """Appends a bot message (and the catalog items it showed) to `turn` (default: the latest turn)."""
    row = turn if turn is not None else latest_interaction(session, conversation_id)
    if row is None:
        return False
    if text:
        text = storable(text)
        row.reply = f"{row.reply}\n{text}" if row.reply else text
    if items:
        row.items_shown = [*row.items_shown, *(str(item) for item in items if str(item) not in row.items_shown)]
    return True


def conversation_turns(session: Session, conversation_id: str) -> list[Interaction]:
    """Every logged turn of one conversation, oldest first (by when the customer wrote it: replicas log in parallel)."""
    return list(
        session.execute(
            select(Interaction)
            .where(Interaction.conversation_id == conversation_id)
            .order_by(Interaction.created_at, Interaction.id)
        ).scalars()
    )
