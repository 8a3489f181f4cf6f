"""Who a message is from and where it was written: one rule, so the broker, the actions and Rasa agree on a person.

Channels describe the sender in the message metadata (Parley's Telegram channel fills it in from the update
Telegram signed for us; the REST channel passes the client's `metadata` through):

- `user_id`: the person's id on the channel. Only channels in `CHANNELS_THAT_VOUCH` are believed: a REST client
  could otherwise name another customer's id and read or erase their profile. Everywhere else the person is the
  conversation id (for REST, the sender);
- `surface`: `dm` for a private conversation, `comment` for a public one (default `dm`);
- `display_name`, `language`: optional profile hints.

The user is keyed by (channel, user id), so one person's DM and public comments share one profile while their
conversations (transcripts) stay apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SURFACES = ("dm", "comment")
# Channels whose `user_id` comes from the platform, not from the client (Telegram's updates carry `from.id`).
CHANNELS_THAT_VOUCH = frozenset({"telegram_ptb"})


@dataclass(frozen=True)
class Identity:
    """A message's author on a channel, and whether the message was private or public."""

    channel: str
    external_id: str
    surface: str = "dm"
    display_name: str | None = None
    language: str | None = None

    @property
    def person(self) -> str:
        """The person's key across their conversations on this channel: what experiments assign by.

        Public comments and DMs of one person share it, and it needs no store (an outage changes no one's arm).
        """
        return f"{self.channel}:{self.external_id}"

    @property
    def is_public(self) -> bool:
        """Whether replies are seen by others (so must not reveal anything personal)."""
        return self.surface == "comment"


def _text(value: Any, limit: int) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text[:limit] or None


def identity_from(conversation_id: str, input_channel: str | None, metadata: Mapping[str, Any] | None) -> Identity:
    """The identity behind a message, from its conversation id, input channel and metadata.

    Unknown or malformed metadata falls back to safe defaults (private, keyed by conversation id) rather than
    failing: a message must be logged even when a client sends odd metadata.
    """
    metadata = metadata if isinstance(metadata, Mapping) else {}
    surface = metadata.get("surface")
    channel = _text(input_channel, 32) or "api"
    vouched = _text(metadata.get("user_id"), 255) if channel in CHANNELS_THAT_VOUCH else None
    return Identity(
        channel=channel,
        external_id=vouched or conversation_id[:255],
        surface=surface if surface in SURFACES else "dm",
        display_name=_text(metadata.get("display_name"), 255),
        language=_text(metadata.get("language"), 16),
    )
