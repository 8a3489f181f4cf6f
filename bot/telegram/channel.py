"""The Rasa input channel `telegram_ptb`: Telegram updates in, replies out, by webhook or by polling.

Configured in `credentials.yml` (`bot.telegram.channel.TelegramInput:`) with its secrets in the environment:

- `TELEGRAM_BOT_TOKEN`: the token from @BotFather. Without it the channel stays off (its webhook answers 503) and
  the rest of Parley runs as usual.
- `TELEGRAM_MODE`: `webhook` (default; Telegram POSTs to `/webhooks/telegram_ptb/webhook`, register it with
  `make telegram-webhook URL=https://your.host`) or `polling` (the server asks Telegram for updates: no public URL
  needed, for development).
- `TELEGRAM_WEBHOOK_SECRET`: required in webhook mode; Telegram sends it in the `X-Telegram-Bot-Api-Secret-Token`
  header and a request without the right value gets 403 and changes nothing.
- `TELEGRAM_API_BASE`: the Bot API server (default Telegram's; a local Bot API server or a test double).

The webhook answers Telegram at once and processes the update in a task, one queue per chat so each chat's
messages are answered in order (`dispatch.py`); a chat with too many updates waiting gets 429 (Telegram retries).
Updates are de-duplicated by `update_id` in the store, across restarts and replicas. What one chat can make the
bot send is capped (`channels.telegram.SendBudget`); a turn that fails gets a short apology, never silence.

Every text message is moderated first (`moderation.py`, the brand's `brand/moderation.yml`): spam, self-promotion
and abuse are hidden, ignored or answered with one calm line, logged and flagged, and never reach the dialogue.
Every other message goes through Rasa (so it is logged like any other turn). Replies are collected first, then
sent: in a DM in full; in public shortened, or replaced by a deep link to a private chat when the message was
personal (`policy.py`). A stuck or failing Telegram API never loses the message: it is already in the tracker and
the interaction log, and the failure is logged.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot
from telegram.request import BaseRequest

from bot.rest import APOLOGY, reply_for_silence
from bot.telegram.dispatch import ChatQueues
from bot.telegram.moderation import REPLY, ModerationGate
from bot.telegram.output import TelegramOutput
from bot.telegram.policy import PRIVATE_INTENTS, PUBLIC_MAX_MESSAGES, move_to_private, shorten
from bot.telegram.updates import Ignored, Incoming, chat_of, classify
from channels.telegram import SendBudget, make_bot
from core.settings import TELEGRAM_API_BASE, get_settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
NON_TEXT_REPLY = "Thanks! I can only read text for now. Could you type your question?"
SLOW_DOWN = "You're sending messages faster than I can answer. I've noted them all; I'll reply again in a minute."
STOP_TIMEOUT_S = 30
POLL_TIMEOUT_S = 30
SEEN_UPDATES = 2048


class TelegramInput(InputChannel):
    """Parley's Telegram channel (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        """Distinct from Rasa's own `telegram` channel."""
        return "telegram_ptb"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        """Reads settings from `credentials.yml`, falling back to the environment (where secrets belong)."""
        credentials = credentials or {}

        settings = get_settings()
        return cls(
            token=str(credentials.get("token") or settings.telegram_token),
            secret=str(credentials.get("webhook_secret") or settings.telegram_webhook_secret),
            mode=str(credentials.get("mode") or settings.telegram_mode),
            api_base=str(credentials.get("api_base") or settings.telegram_api_base),
        )

    def __init__(
        self,
        token: str = "",
        secret: str = "",
        mode: str = "webhook",
        api_base: str = TELEGRAM_API_BASE,
        request: BaseRequest | None = None,
    ) -> None:
        if mode not in ("webhook", "polling"):
            raise ValueError(f"TELEGRAM_MODE must be 'webhook' or 'polling', not {mode!r}")
        self.token = token
        self.secret = secret
        self.mode = mode
        self.api_base = api_base
        self._request = request
        self._bot: ExtBot | None = None
        self._bot_lock = asyncio.Lock()
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._poller: asyncio.Task | None = None
        self.queues = ChatQueues()
        self.budget = SendBudget()
        self.moderation = ModerationGate()

    # -- the bot -----------------------------------------------------------------------------------------------------

    async def bot(self) -> ExtBot:
        """The initialised bot (its first use calls getMe, which gives the username that mentions use)."""
        async with self._bot_lock:
            if self._bot is None:
                bot = make_bot(self.token, self.api_base, self._request)
                await bot.initialize()
                self._bot = bot
                logger.info("Telegram bot @%s ready (%s mode)", bot.username, self.mode)
            return self._bot

    async def _first_time(self, update_id: int) -> bool:
        """Telegram redelivers an update it thinks failed; answer each one once, across restarts and replicas.

        The store decides (`store.deliveries`); this process's memory answers first for the common case. If the
        store is unreachable, memory alone decides: a rare double answer beats a dropped message.
        """
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        while len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        try:
            return await asyncio.to_thread(_record_delivery, self.name(), str(update_id))
        except Exception:
            logger.warning("Could not check update %s against the store; answering it", update_id, exc_info=True)
            return True

    # -- handling ----------------------------------------------------------------------------------------------------

    async def handle(
        self, data: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any
    ) -> Incoming | Ignored:
        """Processes one update end to end; returns what was decided (for logs and tests)."""
        bot = await self.bot()
        update = Update.de_json(data, bot)
        if not await self._first_time(update.update_id):
            return Ignored("duplicate delivery")
        decision = classify(update, bot.username or "", bot.id)
        if isinstance(decision, Ignored):
            logger.debug("Ignoring Telegram update %s: %s", update.update_id, decision.reason)
            return decision
        if decision.callback_query_id:
            try:
                await bot.answer_callback_query(decision.callback_query_id)
            except TelegramError:
                logger.warning("Could not acknowledge button press %s", decision.callback_query_id, exc_info=True)

        verdict = await self.moderation.judge(decision)
        if verdict is not None and verdict.outcome != REPLY:
            # hidden, ignored or answered with one calm line: logged and flagged, never shown to the dialogue
            await self.moderation.carry_out(bot, decision, verdict)
            return decision

        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    decision.text, collector, decision.sender_id, input_channel=self.name(), metadata=decision.metadata
                )
            )
            replies = await self._replies(decision, collector.messages, agent, bot.username or "")
        except Exception:
            # The customer must not be met with silence: say sorry in the chat, as the REST channel does.
            logger.exception("Processing Telegram update %s of %s failed", update.update_id, decision.sender_id)
            replies = [{"text": APOLOGY}]
        replies = self._within_budget(decision, replies)
        output = TelegramOutput(bot, decision.chat_id, decision.reply_to_message_id)
        try:
            for reply in replies:
                if reply.get("buttons"):
                    await output.send_text_with_buttons(decision.sender_id, reply.get("text") or "", reply["buttons"])
                elif reply.get("text"):
                    await output.send_text_message(decision.sender_id, reply["text"])
        except TelegramError:
            logger.exception("Could not send the reply to %s (the message itself is logged)", decision.sender_id)
        return decision

    def _within_budget(self, decision: Incoming, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The replies if the chat may still make the bot send them; else one notice, then nothing (all logged)."""
        if not replies or self.budget.spend(decision.chat_id, len(replies)):
            return replies
        logger.warning("Chat %s is over its send budget; reply withheld (the message is logged)", decision.chat_id)
        return [{"text": SLOW_DOWN}] if self.budget.first_refusal(decision.chat_id) else []

    async def _replies(
        self, decision: Incoming, messages: list[dict[str, Any]], agent: Any, username: str
    ) -> list[dict[str, Any]]:
        """What to send: the bot's replies, adjusted for public threads, non-text messages and silence."""
        if decision.kind not in ("text", "button"):
            return [{"text": NON_TEXT_REPLY}]
        if decision.is_public:
            if await latest_intent(agent, decision.sender_id) in PRIVATE_INTENTS:
                return [{"text": move_to_private(username)}]
            return [{**m, "text": shorten(m.get("text") or "")} for m in messages[:PUBLIC_MAX_MESSAGES]]
        if messages:
            return messages
        text = await reply_for_silence(agent, decision.sender_id) if agent is not None else None
        return [{"text": text}] if text else []

    # -- transport ---------------------------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """`POST /webhooks/telegram_ptb/webhook` (secret checked), a health route, and the poller in polling mode."""
        telegram = Blueprint("parley_telegram_webhook", __name__)
        if self.token and self.mode == "webhook" and not self.secret:
            logger.error("TELEGRAM_WEBHOOK_SECRET is not set: the Telegram webhook will refuse every update (403)")

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            # `pending`: updates accepted and not yet answered (monitoring; tests wait for 0)
            status = "ok" if self.token else "not configured"
            return response.json({"status": status, "mode": self.mode, "pending": self.queues.pending()})

        @telegram.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.token:
                return response.json({"error": "Telegram is not configured (set TELEGRAM_BOT_TOKEN)"}, status=503)
            given = request.headers.get(SECRET_HEADER, "")
            if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
                logger.warning("Rejected a Telegram webhook call without the right secret token")
                return response.json({"error": "forbidden"}, status=403)
            try:
                data = json.loads(request.body or b"")
                if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                    raise ValueError("not an update")
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "the body must be a Telegram Update object"}, status=400)
            # Answer at once and process in the chat's queue: a slow turn must not hold Telegram's connection.
            chat = chat_of(data)
            agent = request.app.ctx.agent
            if not self.queues.submit(chat, lambda: self.handle(data, on_new_message, agent)):
                # Nothing recorded yet, so Telegram's redelivery is processed: backpressure, not a lost message.
                logger.warning("Chat %s has %d updates waiting; asking Telegram to retry", chat, self.queues.per_chat)
                return response.json({"error": "too many updates waiting for this chat"}, status=429)
            return response.json({"ok": True})

        @telegram.listener("after_server_start")
        async def start_polling(app: Any, _loop: Any) -> None:
            if self.token:  # load the moderation models before the first customer comes
                await asyncio.to_thread(self.moderation.moderator.warm_up)
            if self.token and self.mode == "polling":
                self._poller = asyncio.create_task(self.poll(on_new_message, app))

        @telegram.listener("before_server_stop")
        async def stop_polling(_app: Any, _loop: Any) -> None:
            if self._poller is not None:
                self._poller.cancel()
            try:  # finish what Telegram was already told was received
                await asyncio.wait_for(self.queues.join(), STOP_TIMEOUT_S)
            except asyncio.TimeoutError:
                logger.error("Stopped with %d Telegram update(s) unfinished", self.queues.pending())
            if self._bot is not None:
                await self._bot.shutdown()

        return telegram

    async def poll(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], app: Any) -> None:
        """Long-polls getUpdates and handles each update (development mode: no public URL needed)."""
        while True:
            try:
                bot = await self.bot()
                await bot.delete_webhook()  # getUpdates refuses to run while a webhook is set
                break
            except TelegramError:
                logger.warning("Cannot reach Telegram (check TELEGRAM_BOT_TOKEN); retrying in 10 s", exc_info=True)
                await asyncio.sleep(10)
        logger.info("Polling Telegram for updates as @%s", bot.username)
        offset: int | None = None
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT_S,
                    allowed_updates=ALLOWED_UPDATES,
                    read_timeout=POLL_TIMEOUT_S + 10,
                )
            except TelegramError:
                logger.warning("getUpdates failed; retrying in 5 s", exc_info=True)
                await asyncio.sleep(5)
                continue
            agent = getattr(app.ctx, "agent", None)
            for update in updates:
                data = update.to_dict()
                chat = chat_of(data)
                while not self.queues.has_room(chat):  # noqa: ASYNC110 (polling mode, for development)
                    await asyncio.sleep(0.1)  # this chat is flooding: let its queue drain before taking more
                self.queues.submit(chat, lambda data=data, agent=agent: self.handle(data, on_new_message, agent))
                offset = update.update_id + 1


def _record_delivery(channel: str, delivery_id: str) -> bool:
    from bot import storage
    from store.deliveries import first_delivery

    with storage.database().session() as session:
        return first_delivery(session, channel, delivery_id)


async def latest_intent(agent: Any, sender_id: str) -> str | None:
    """The intent Rasa read in the conversation's latest message."""
    if agent is None:
        return None
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception:
        logger.exception("Could not read the tracker of %s", sender_id)
        return None
    if tracker is None or tracker.latest_message is None:
        return None
    return (tracker.latest_message.intent or {}).get("name")
