"""Conversation keys: the one format channels build and the console parses back.

A key is Rasa's `sender_id`, so it names the tracker, the inbox row and the person's thread at once:

- a Telegram private chat is `tg:<user id>` (the user's private chat has the user's id);
- a Telegram public comment thread is `tg:comment:<discussion chat id>:<user id>`, one per person per group, so a
  reply in public never mixes two customers' contexts.

REST senders are whatever the client names (the REST channel bounds them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TELEGRAM_PREFIX = "tg"


def telegram_dm_key(user_id: int | str) -> str:
    """The key of a Telegram user's private chat with the bot."""
    return f"{TELEGRAM_PREFIX}:{user_id}"


def telegram_comment_key(chat_id: int | str, user_id: int | str) -> str:
    """The key of one user's public comments in one discussion group."""
    return f"{TELEGRAM_PREFIX}:comment:{chat_id}:{user_id}"


@dataclass(frozen=True)
class TelegramAddress:
    """Where a Telegram conversation lives: the chat to send to, and whether it is public."""

    chat_id: int
    user_id: int
    public: bool


def parse_telegram_key(key: str) -> TelegramAddress | None:
    """The address behind a Telegram key, or None for keys of other channels and malformed ones."""
    parts = key.split(":")
    try:
        if parts[:2] == [TELEGRAM_PREFIX, "comment"] and len(parts) == 4:
            return TelegramAddress(chat_id=int(parts[2]), user_id=int(parts[3]), public=True)
        if parts[0] == TELEGRAM_PREFIX and len(parts) == 2:
            return TelegramAddress(chat_id=int(parts[1]), user_id=int(parts[1]), public=False)
    except ValueError:
        return None
    return None


def story_file_name(conversation_id: str) -> str:
    """The file a conversation's exported test story is written to (the console) and erased from (erasure)."""
    return (re.sub(r"[^A-Za-z0-9_.-]+", "_", conversation_id).strip("_") or "conversation") + ".yml"
