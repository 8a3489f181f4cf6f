"""Who a message is from and where it was written, derived the same way by the event broker and the actions.

Channels describe the sender in the message metadata (the REST channel passes the request's `metadata` through;
Parley's Telegram channel fills it in):

- `user_id`: the person's id on the channel (default: the conversation id, which for REST is the sender);
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


@dataclass(frozen=True)
class Identity:
    """A message's author on a channel, and whether the message was private or public."""

    channel: str
    external_id: str
    surface: str = "dm"
    display_name: str | None = None
    language: str | None = None

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
    return Identity(
        channel=_text(input_channel, 32) or "api",
        external_id=_text(metadata.get("user_id"), 255) or conversation_id[:255],
        surface=surface if surface in SURFACES else "dm",
        display_name=_text(metadata.get("display_name"), 255),
        language=_text(metadata.get("language"), 16),
    )
