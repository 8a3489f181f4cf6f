"""Parley's REST channel: Rasa's `rest` webhook, but every well-formed request gets a reply.

Rasa's stock `RestInput` answers a malformed body with an HTML error page, silently drops a message whose `message`
field is missing, and returns `[]` when processing raises or the bot predicts no reply. For a brand's inbox a
customer must never be met with silence, so this channel:

- rejects malformed requests with a JSON 400 that says what a valid body looks like;
- when the bot produced nothing and the conversation is not paused for a human (a paused conversation is meant to
  be silent), sends `utter_temporarily_unavailable` if a custom action failed (the action server is down) and
  `utter_default` otherwise;
- on an internal error, sends an apology instead of nothing (the message is already in the tracker store);
- delivers replies a manager wrote in the review console (REST cannot push, so they wait in the store's outbox
  and come first in the customer's next response).

It keeps the name `rest`, so the URL is unchanged: `POST /webhooks/rest/webhook`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.warmup import WarmState
from store.schema import MAX_CONVERSATION_ID

logger = logging.getLogger(__name__)

USAGE = 'POST a JSON object: {"sender": "<conversation id>", "message": "<text>"}'
# Field limits at the edge: Telegram's own message limit, the store's id column, and room for a widget's hints.
MAX_MESSAGE_CHARS = 4096
MAX_SENDER_CHARS = MAX_CONVERSATION_ID
MAX_METADATA_BYTES = 4096
APOLOGY = (
    "Sorry, something went wrong on our side. Your message has reached us, and a member of our team will follow up."
)
FALLBACK_RESPONSE = "utter_default"
UNAVAILABLE_RESPONSE = "utter_temporarily_unavailable"


@dataclass(frozen=True)
class RestRequest:
    """A validated REST message."""

    sender: str
    text: str
    metadata: dict[str, Any] | None


class BadRequest(ValueError):
    """The request body is not a valid REST message; the text says why."""


def parse_body(body: bytes) -> RestRequest:
    """Validates a webhook body.

    A missing or null `message` is a client bug and is rejected; an empty string is a customer sending nothing and
    is accepted (the bot answers it politely).

    Raises:
        BadRequest: with a message fit to show the client.
    """
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(f"The body is not valid JSON. {USAGE}") from None
    if not isinstance(data, dict):
        raise BadRequest(f"The body must be a JSON object. {USAGE}")
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest(f"'message' must be a string. {USAGE}")
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadRequest(f"'message' must be at most {MAX_MESSAGE_CHARS} characters (it has {len(message)}).")
    sender = data.get("sender", "default")
    if not isinstance(sender, (str, int)) or str(sender).strip() == "":
        raise BadRequest(f"'sender' must be a non-empty string. {USAGE}")
    if len(str(sender)) > MAX_SENDER_CHARS:
        raise BadRequest(f"'sender' must be at most {MAX_SENDER_CHARS} characters.")
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("'metadata' must be a JSON object when given.")
    if metadata and len(json.dumps(metadata)) > MAX_METADATA_BYTES:
        raise BadRequest(f"'metadata' must be at most {MAX_METADATA_BYTES} bytes of JSON.")
    return RestRequest(sender=str(sender), text=message, metadata=metadata)


def response_text(agent: Any, name: str, default: str, language: str | None = None) -> str:
    """A domain response's text in the customer's language, so brands word these replies in their own voice.

    The variation conditioned only on the `language` slot being `language`, else the first unconditioned one (the
    default language's): the channel picks it itself, outside Rasa's generator, so it must not take a Spanish
    variation for an English customer just because it is written first.
    """
    try:
        variations = agent.domain.responses[name]
    except (AttributeError, KeyError, TypeError):
        return default

    def conditions(variation: dict) -> list:
        return variation.get("condition") or []

    for variation in variations:
        wanted = [{"type": "slot", "name": "language", "value": language}]
        if language and [dict(c) for c in conditions(variation)] == wanted and variation.get("text"):
            return variation["text"]
    return next((v["text"] for v in variations if not conditions(v) and v.get("text")), default)


def custom_action_ran_since_last_user_turn(tracker: Any, custom_actions: set[str]) -> bool:
    """Whether the bot tried a custom action for the latest message (which then said nothing: it failed)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name in custom_actions:
            return True
    return False


async def reply_for_silence(agent: Any, sender: str) -> str | None:
    """What to say when the bot produced no reply, or None when silence is right (a person has taken over).

    A custom action that ran and said nothing means the action server failed: the customer hears that we could
    not look it up, not that we did not understand them.
    """
    try:
        tracker = await agent.tracker_store.retrieve(sender)
    except Exception:
        logger.exception("could not read the tracker of %s", sender)
        tracker = None
    if tracker is not None and tracker.is_paused():
        return None
    language = tracker.get_slot("language") if tracker is not None and "language" in tracker.slots else None
    if tracker is not None and custom_action_ran_since_last_user_turn(tracker, set(agent.domain.user_actions)):
        return response_text(agent, UNAVAILABLE_RESPONSE, APOLOGY, language)
    return response_text(agent, FALLBACK_RESPONSE, "Sorry, I didn't quite catch that. Could you rephrase?", language)


def pending_human_replies(sender: str) -> list[str]:
    """Replies a manager wrote in the console for this conversation, not yet delivered (REST cannot push).

    Best effort: if the store is unreachable the customer still gets the bot's reply, and the manager's reply
    waits for the next request. The store is the event broker's (`bot.storage`), never a second connection.
    """
    try:
        from bot import storage
        from store.reviews import take_pending_replies

        with storage.database().session() as session:
            return [message.text for message in take_pending_replies(session, sender)]
    except Exception:
        logger.exception("could not read the reply outbox for %s", sender)
        return []


class ParleyRestInput(InputChannel):
    """`POST /webhooks/rest/webhook` with Parley's never-silent guarantees."""

    @classmethod
    def name(cls) -> str:
        """Same name as Rasa's channel, so clients and docs keep their URL."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook and a health route that says "ok" only once the server has warmed up (`bot.warmup`)."""
        webhook = Blueprint("parley_rest_webhook", __name__)
        warm = WarmState()

        @webhook.listener("after_server_start")
        async def warm_up(app: Any, _loop: Any) -> None:
            agent = getattr(app.ctx, "agent", None)
            if agent is None:
                warm.ready = True
                return
            await warm.run(agent)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not warm.ready:
                return response.json({"status": "warming up"}, status=503)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = parse_body(request.body)
            except BadRequest as exc:
                return response.json({"error": str(exc)}, status=400)

            collector = CollectingOutputChannel()
            user_message = UserMessage(
                message.text, collector, message.sender, input_channel=self.name(), metadata=message.metadata
            )
            try:
                await on_new_message(user_message)
            except Exception:
                logger.exception("processing a message from %s failed", message.sender)
                return response.json([{"recipient_id": message.sender, "text": APOLOGY}])

            # Off the event loop: a slow or locked store must not stall the other conversations.
            queued = await asyncio.to_thread(pending_human_replies, message.sender)
            human = [{"recipient_id": message.sender, "text": text} for text in queued]
            if not collector.messages and not human:
                text = await reply_for_silence(request.app.ctx.agent, message.sender)
                if text is not None:
                    collector.messages.append({"recipient_id": message.sender, "text": text})
            return response.json(human + collector.messages)

        return webhook
