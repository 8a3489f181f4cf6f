"""What may be said in public: short replies, nothing personal, personal matters moved to a private chat.

A public comment is read by everyone under the post. The recommender and privacy actions already refuse to use or
show the profile for `surface: comment`; this policy adds the channel-level rules: intents that are about the
customer's own order, complaint details or data are answered with a deep link that opens a DM with the bot, and
every public reply is cut to a short length.
"""

from __future__ import annotations

# Intents whose answer is personal (an order, a complaint's details, a person taking over, the customer's data).
PRIVATE_INTENTS = frozenset(
    {
        "order_status",
        "provide_order_number",
        "complaint",
        "request_human",
        "show_my_data",
        "delete_my_data",
        "opt_out_personalisation",
        "opt_in_personalisation",
    }
)
PUBLIC_MAX_CHARS = 600
PUBLIC_MAX_MESSAGES = 2


def deep_link(bot_username: str, start: str = "help") -> str:
    """A t.me link that opens a private chat with the bot (Telegram sends `/start <start>` when tapped)."""
    return f"https://t.me/{bot_username}?start={start}"


def move_to_private(bot_username: str) -> str:
    """The public reply to a personal request."""
    link = deep_link(bot_username) if bot_username else "a direct message to us"
    return f"Happy to help with that! It's personal, so let's continue in private: {link}"


def shorten(text: str, limit: int = PUBLIC_MAX_CHARS) -> str:
    """At most `limit` characters, cut at a line or word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    boundary = max(cut.rfind("\n"), cut.rfind(" "))
    return (cut[:boundary] if boundary > limit // 2 else cut).rstrip() + "…"
