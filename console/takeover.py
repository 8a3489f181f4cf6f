"""Human takeover: pause the bot for a conversation, reply as the brand through its channel, hand back.

Pausing and resuming go through Rasa's HTTP API (the bot must run with `RASA_API_TOKEN` set), so the bot itself
knows it must stay silent, and follow the one handoff rule (`core.handoff`). A manager's reply is delivered through
the conversation's channel (Telegram: sent by the bot account with the Rasa-free sender in `channels.telegram`;
REST: queued and returned with the customer's next request, since REST cannot push) and appended to the
conversation as a bot message, so it shows in the transcript and the interaction log.
"""

from __future__ import annotations

import asyncio
from typing import Any

from console.settings import ConsoleSettings
from core import handoff
from core.rasa_api import BotUnreachable, RasaAPI

__all__ = ["BotUnreachable", "pause", "record_reply", "resume", "send_telegram", "tracker_events"]


def _api(settings: ConsoleSettings) -> RasaAPI:
    return RasaAPI(settings.rasa_url, settings.rasa_token)


async def pause(settings: ConsoleSettings, conversation_id: str) -> None:
    """Stops the bot answering this conversation."""
    await asyncio.to_thread(handoff.pause, _api(settings), conversation_id)


async def resume(settings: ConsoleSettings, conversation_id: str) -> None:
    """Hands the conversation back to the bot (the same events as `make resume`)."""
    await asyncio.to_thread(handoff.resume, _api(settings), conversation_id)


async def record_reply(settings: ConsoleSettings, conversation_id: str, text: str, manager: str) -> None:
    """Appends the manager's reply to the conversation as a bot message (transcript and interaction log)."""
    event = {"event": "bot", "text": text, "metadata": {"sent_by": manager}}
    await asyncio.to_thread(_api(settings).append_events, conversation_id, [event])


async def tracker_events(settings: ConsoleSettings, conversation_id: str) -> list[dict[str, Any]]:
    """Every event of the conversation (for story export)."""
    return await asyncio.to_thread(_api(settings).tracker_events, conversation_id)


async def send_telegram(settings: ConsoleSettings, chat_id: int, text: str) -> None:
    """Sends a manager's reply from the bot account (python-telegram-bot only; Rasa is never loaded)."""
    from channels.telegram import make_bot, send_text

    bot = make_bot(settings.telegram_token, settings.telegram_api_base)
    await bot.initialize()
    try:
        await send_text(bot, chat_id, text)
    finally:
        await bot.shutdown()
