"""Rasa's `OutputChannel` for Telegram: a thin adapter over the Rasa-free sender in `channels.telegram`."""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel
from telegram.ext import ExtBot

from channels.telegram import send_photo, send_text

logger = logging.getLogger(__name__)


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

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends text, split at Telegram's length limit."""
        await send_text(self.bot, self.chat_id, text, reply_to_message_id=self.reply_to_message_id)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends text with an inline keyboard under its last piece."""
        await send_text(self.bot, self.chat_id, text, buttons, self.reply_to_message_id)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends an image by URL."""
        await send_photo(self.bot, self.chat_id, image, self.reply_to_message_id)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom payloads are for other channels; logged and skipped."""
        logger.debug("Skipping a custom payload on Telegram: %s", json_message)
