"""Item buttons, as every sender writes them and as Rasa reads them back: `/intent{"item_id": "..."}` payloads.

One definition for the action server's replies and the broadcast job's messages, because the payload is a contract
with the NLU: Rasa parses a message starting with `/` as that intent with those entities, whatever the channel,
and Telegram carries it as the button's `callback_data` (at most 64 bytes: kept compact).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Protocol


class Titled(Protocol):
    """Anything with an id and a title (a catalog item)."""

    id: str
    title: str


def payload(intent: str, item_id: str) -> str:
    """A button payload that Rasa parses as `intent` with the `item_id` entity (compact: Telegram allows 64 bytes)."""
    return f"/{intent}{json.dumps({'item_id': item_id}, separators=(',', ':'))}"


def short_title(title: str, limit: int = 28) -> str:
    """A title that fits on a button."""
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def item_buttons(items: Iterable[Titled]) -> list[dict[str, str]]:
    """Two buttons per item: open it (a click) or dismiss it."""
    buttons = []
    for item in items:
        buttons.append({"title": f"👀 {short_title(item.title)}", "payload": payload("click_item", item.id)})
        buttons.append(
            {"title": f"✕ Not for me: {short_title(item.title, 18)}", "payload": payload("dismiss_item", item.id)}
        )
    return buttons
