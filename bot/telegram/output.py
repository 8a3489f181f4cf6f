"""Sends Rasa's replies with python-telegram-bot: plain text, inline keyboards, splitting, rate limits, retries.

Replies go out as plain text (no parse mode), so nothing a customer or the catalog contains can break Markdown or
HTML formatting, and nothing needs escaping. Messages longer than Telegram's 4,096 characters are split at line
or word boundaries. Buttons become an inline keyboard (one button per row); a button whose payload exceeds
Telegram's 64-byte `callback_data` limit is dropped with a warning rather than failing the whole reply. The bot
is built with python-telegram-bot's `AIORateLimiter`, which keeps within Telegram's flood limits and retries after
a 429 (`retry_after`).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import BaseRequest

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_BYTES = 64
RATE_LIMIT_RETRIES = 3
DEFAULT_API_BASE = "https://api.telegram.org/bot"


def make_bot(token: str, base_url: str = DEFAULT_API_BASE, request: BaseRequest | None = None) -> ExtBot:
    """A rate-limited bot; `request` swaps the HTTP layer (tests), `base_url` the API server (a local Bot API)."""
    return ExtBot(
        token,
        base_url=base_url,
        request=request,
        get_updates_request=request,
        rate_limiter=AIORateLimiter(max_retries=RATE_LIMIT_RETRIES),
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


def keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for Rasa buttons (`title` + `payload`, or `title` + `url`)."""
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


class TelegramOutput(OutputChannel):
    """Sends to one chat, optionally as replies to one message (public threads)."""

    @classmethod
    def name(cls) -> str:
        """The channel name Rasa records as `input_channel`."""
        return "telegram_ptb"

    def __init__(self, bot: ExtBot, chat_id: int, reply_to_message_id: int | None = None) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.reply_to_message_id = reply_to_message_id

    def _reply(self) -> ReplyParameters | None:
        if self.reply_to_message_id is None:
            return None
        return ReplyParameters(self.reply_to_message_id, allow_sending_without_reply=True)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends text, split at Telegram's length limit."""
        for piece in split_text(text):
            await self.bot.send_message(self.chat_id, piece, reply_parameters=self._reply())

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends text with an inline keyboard under its last piece."""
        pieces = split_text(text)
        for piece in pieces[:-1]:
            await self.bot.send_message(self.chat_id, piece, reply_parameters=self._reply())
        await self.bot.send_message(
            self.chat_id, pieces[-1], reply_parameters=self._reply(), reply_markup=keyboard(buttons)
        )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends an image by URL."""
        await self.bot.send_photo(self.chat_id, image, reply_parameters=self._reply())

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom payloads are for other channels; logged and skipped."""
        logger.debug("Skipping a custom payload on Telegram: %s", json_message)
