"""Sends messages with python-telegram-bot: plain text, inline keyboards, splitting, rate limits, retries.

Replies go out as plain text (no parse mode), so nothing a customer or the catalog contains can break Markdown or
HTML formatting, and nothing needs escaping. Messages longer than Telegram's 4,096 characters are split at line
or word boundaries. Buttons become an inline keyboard (one button per row); a button whose payload exceeds
Telegram's 64-byte `callback_data` limit is dropped with a warning rather than failing the whole reply. The bot
is built with python-telegram-bot's `AIORateLimiter`, which keeps within Telegram's flood limits and retries after
a 429 (`retry_after`). `SendBudget` caps what one chat can make the bot send, whatever it writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import BaseRequest

from core.settings import TELEGRAM_API_BASE

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_BYTES = 64
RATE_LIMIT_RETRIES = 3


def make_bot(
    token: str, base_url: str = TELEGRAM_API_BASE, request: BaseRequest | None = None, overall_rate: float = 30.0
) -> ExtBot:
    """A rate-limited bot; `request` swaps the HTTP layer (tests), `base_url` the API server (a local Bot API).

    `overall_rate` is messages per second across all chats (Telegram allows about 30), spaced evenly: one
    message per 1/rate seconds. The limiter's default, a bucket of `rate` per second, lets a burst of a full
    second through on top of the steady rate, and the broadcast benchmark saw 60 messages in one second at
    "30 a second". A 429 is waited out for its `retry_after` and retried up to `RATE_LIMIT_RETRIES` times.
    """
    return ExtBot(
        token,
        base_url=base_url,
        request=request,
        get_updates_request=request,
        rate_limiter=AIORateLimiter(
            overall_max_rate=1, overall_time_period=1 / overall_rate, max_retries=RATE_LIMIT_RETRIES
        ),
    )


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, line or word boundaries when there is one."""
    pieces = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not pieces:
        pieces.append(text)
    return pieces


def keyboard(buttons: Sequence[Mapping[str, Any]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for Rasa-style buttons (`title` + `payload`, or `title` + `url`)."""
    rows = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "")[:64]
        if button.get("url"):
            rows.append([InlineKeyboardButton(title, url=str(button["url"]))])
            continue
        payload = str(button.get("payload") or title)
        if len(payload.encode("utf-8")) > MAX_CALLBACK_BYTES:
            logger.warning("Dropping button %r: payload is longer than Telegram's 64 bytes", title)
            continue
        rows.append([InlineKeyboardButton(title, callback_data=payload)])
    return InlineKeyboardMarkup(rows) if rows else None


def _reply(reply_to_message_id: int | None) -> ReplyParameters | None:
    if reply_to_message_id is None:
        return None
    return ReplyParameters(reply_to_message_id, allow_sending_without_reply=True)


async def send_text(
    bot: ExtBot,
    chat_id: int,
    text: str,
    buttons: Sequence[Mapping[str, Any]] = (),
    reply_to_message_id: int | None = None,
) -> None:
    """Sends text to one chat, split at Telegram's limit, with the keyboard (if any) under the last piece.

    `reply_to_message_id` threads the message under a public comment; the reply still goes out if that comment
    was deleted meanwhile.
    """
    pieces = split_text(text)
    for piece in pieces[:-1]:
        await bot.send_message(chat_id, piece, reply_parameters=_reply(reply_to_message_id))
    markup = keyboard(buttons) if buttons else None
    await bot.send_message(chat_id, pieces[-1], reply_parameters=_reply(reply_to_message_id), reply_markup=markup)


async def send_photo(bot: ExtBot, chat_id: int, image: str, reply_to_message_id: int | None = None) -> None:
    """Sends an image by URL."""
    await bot.send_photo(chat_id, image, reply_parameters=_reply(reply_to_message_id))


@dataclass
class SendBudget:
    """How many messages one chat may make the bot send: `capacity` per `window_s`, refilled continuously.

    A chat that writes faster than that (a flood, a script, a loop between two bots) still has every message
    processed and logged, but gets replies only as the budget refills: one notice when it first runs out, then
    silence until it has budget again. This is on top of Telegram's own limits (about 20 messages a minute in a
    group), so one chat can never spend the bot's whole sending rate. The clock is injectable for tests.
    """

    capacity: int = 20
    window_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _tokens: dict[Hashable, tuple[float, float]] = field(default_factory=dict)
    _told: set[Hashable] = field(default_factory=set)

    def spend(self, chat: Hashable, messages: int) -> bool:
        """Takes `messages` from the chat's budget if it has them; False (and nothing taken) otherwise."""
        now = self.clock()
        tokens, since = self._tokens.get(chat, (float(self.capacity), now))
        tokens = min(float(self.capacity), tokens + (now - since) * self.capacity / self.window_s)
        if tokens >= messages:
            self._tokens[chat] = (tokens - messages, now)
            self._told.discard(chat)
            return True
        self._tokens[chat] = (tokens, now)
        if len(self._tokens) > 100_000:  # forget the oldest chats rather than grow without bound
            for stale in list(self._tokens)[:10_000]:
                self._tokens.pop(stale, None)
        return False

    def first_refusal(self, chat: Hashable) -> bool:
        """True the first time a chat is refused since it last had budget (it gets one notice, then silence)."""
        if chat in self._told:
            return False
        self._told.add(chat)
        return True
