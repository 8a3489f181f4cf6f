"""Human takeover: pause the bot for a conversation, reply as the brand through its channel, hand back.

Pausing and resuming go through Rasa's HTTP API (the bot must run with `RASA_API_TOKEN` set), so the bot itself
knows it must stay silent. A manager's reply is delivered through the conversation's channel (Telegram: sent by
the bot account; REST: queued and returned with the customer's next request, since REST cannot push) and appended
to the conversation as a bot message, so it shows in the transcript and the interaction log.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from console.settings import ConsoleSettings


class BotUnreachable(RuntimeError):
    """Rasa's HTTP API did not answer as expected (not running, API off, wrong token)."""


def _call(settings: ConsoleSettings, method: str, path: str, body: Any = None) -> Any:
    query = urllib.parse.urlencode({"token": settings.rasa_token}) if settings.rasa_token else ""
    url = f"{settings.rasa_url}{path}{'&' if '?' in path else '?'}{query}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return json.loads(answer.read() or b"null")
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise BotUnreachable(
            f"the bot's API at {settings.rasa_url} did not answer ({error}); is it running with RASA_API_TOKEN set?"
        ) from error


async def rasa_api(settings: ConsoleSettings, method: str, path: str, body: Any = None) -> Any:
    """One call to Rasa's HTTP API, off the event loop."""
    return await asyncio.to_thread(_call, settings, method, path, body)


def _events_path(conversation_id: str) -> str:
    return f"/conversations/{urllib.parse.quote(conversation_id, safe='')}/tracker/events"


async def pause(settings: ConsoleSettings, conversation_id: str) -> None:
    """Stops the bot answering this conversation."""
    await rasa_api(settings, "POST", _events_path(conversation_id), {"event": "pause"})


async def resume(settings: ConsoleSettings, conversation_id: str) -> None:
    """Hands the conversation back to the bot."""
    await rasa_api(settings, "POST", _events_path(conversation_id), {"event": "resume"})


async def record_reply(settings: ConsoleSettings, conversation_id: str, text: str, manager: str) -> None:
    """Appends the manager's reply to the conversation as a bot message (transcript and interaction log)."""
    event = {"event": "bot", "text": text, "metadata": {"sent_by": manager}}
    await rasa_api(settings, "POST", _events_path(conversation_id), event)


async def tracker_events(settings: ConsoleSettings, conversation_id: str) -> list[dict[str, Any]]:
    """Every event of the conversation (for story export)."""
    path = f"/conversations/{urllib.parse.quote(conversation_id, safe='')}/tracker?include_events=ALL"
    tracker = await rasa_api(settings, "GET", path)
    return list((tracker or {}).get("events") or [])


def telegram_target(conversation_id: str) -> int | None:
    """The Telegram chat of a conversation id (`tg:<user>` is the user's private chat; comments name the chat)."""
    parts = conversation_id.split(":")
    try:
        if parts[:2] == ["tg", "comment"] and len(parts) == 4:
            return int(parts[2])
        if parts[0] == "tg" and len(parts) == 2:
            return int(parts[1])
    except ValueError:
        return None
    return None


async def send_telegram(settings: ConsoleSettings, chat_id: int, text: str) -> None:
    """Sends a manager's reply from the bot account."""
    from bot.telegram.output import TelegramOutput, make_bot

    bot = make_bot(settings.telegram_token, settings.telegram_api_base)
    await bot.initialize()
    try:
        await TelegramOutput(bot, chat_id).send_text_message(str(chat_id), text)
    finally:
        await bot.shutdown()
