"""Decides which Telegram updates the bot answers, in which conversation, and as whom.

Answered:
- private chats (DMs): every text message, captions, button presses; stickers, photos without caption and voice
  notes get a polite "please type" reply through the bot (so they are logged too);
- public comments: messages in the brand channel's discussion group that reply to the automatically forwarded
  channel post, and group messages that mention the bot or reply to it.

Ignored (silence would be right, a reply would be spam): messages from bots, the automatic forwards themselves,
group chatter not addressed to the bot, non-text messages in public, edits (the original was answered and logged),
channel posts, and anything else Telegram may send.

Conversation keys come from `core.conversations`: a DM is `tg:<user id>`; a public thread is
`tg:comment:<chat id>:<user id>`. Both carry `user_id` in the metadata, so one person has one profile, but public
and private transcripts never mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update

from core.conversations import telegram_comment_key, telegram_dm_key

NON_TEXT_KINDS = ("sticker", "photo", "voice", "video", "video_note", "audio", "document", "animation", "location")


@dataclass(frozen=True)
class Incoming:
    """One message for Rasa, with where to answer it.

    Attributes:
        sender_id: Rasa's conversation id.
        text: What the NLU reads ("" for a non-text message).
        chat_id: Where replies go.
        surface: `dm` or `comment`.
        metadata: Passed to Rasa (identity for the store, surface, the Telegram ids).
        reply_to_message_id: In public, replies thread under the customer's message.
        callback_query_id: For button presses, to acknowledge the tap.
        kind: `text`, `button` or the non-text kind (`sticker`, `photo`, ...).
    """

    sender_id: str
    text: str
    chat_id: int
    surface: str
    metadata: dict[str, Any] = field(default_factory=dict)
    reply_to_message_id: int | None = None
    callback_query_id: str | None = None
    kind: str = "text"

    @property
    def is_public(self) -> bool:
        """Whether others can read the replies."""
        return self.surface == "comment"


@dataclass(frozen=True)
class Ignored:
    """An update the bot deliberately does not answer, and why (for the debug log)."""

    reason: str


def non_text_kind(message: Message) -> str | None:
    """`sticker`, `photo`, ... for a message without text, else None."""
    if message.text:
        return None
    return next((kind for kind in NON_TEXT_KINDS if getattr(message, kind, None)), "other")


def strip_mention(text: str, bot_username: str) -> str:
    """Removes "@BotName" from a group message so the NLU reads only the question."""
    if not bot_username:
        return text.strip()
    return re.sub(rf"@{re.escape(bot_username)}\b", "", text, flags=re.IGNORECASE).strip(" ,:\n")


def mentions(message: Message, bot_username: str) -> bool:
    """Whether the message @-mentions the bot."""
    text = message.text or message.caption or ""
    return bool(bot_username) and f"@{bot_username.lower()}" in text.lower()


def is_comment_on_channel_post(message: Message) -> bool:
    """Whether the message replies to a channel post forwarded into its discussion group (a public comment)."""
    parent = message.reply_to_message
    return parent is not None and bool(parent.is_automatic_forward)


def replies_to_bot(message: Message, bot_id: int | None) -> bool:
    """Whether the message replies to one of the bot's own messages."""
    parent = message.reply_to_message
    return parent is not None and parent.from_user is not None and parent.from_user.id == bot_id


def _person(message_or_query: Any) -> dict[str, Any]:
    user = message_or_query.from_user
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return {"user_id": str(user.id), "display_name": name or user.username, "language": user.language_code}


def _dm(message: Message, text: str, kind: str) -> Incoming:
    person = _person(message)
    metadata = {**person, "surface": "dm", "telegram": {"chat_id": message.chat.id, "message_id": message.message_id}}
    if kind != "text":
        metadata["attachment"] = kind
    return Incoming(telegram_dm_key(person["user_id"]), text, message.chat.id, "dm", metadata, kind=kind)


def _comment(message: Message, text: str) -> Incoming:
    person = _person(message)
    metadata = {
        **person,
        "surface": "comment",
        "telegram": {"chat_id": message.chat.id, "message_id": message.message_id},
    }
    return Incoming(
        telegram_comment_key(message.chat.id, person["user_id"]),
        text,
        message.chat.id,
        "comment",
        metadata,
        reply_to_message_id=message.message_id,
    )


def start_command(text: str) -> str:
    """`/start <param>` (a deep link opening the DM) becomes a greeting the NLU understands."""
    return "hello" if text.split(" ", 1)[0].split("@", 1)[0] == "/start" else text


def classify(update: Update, bot_username: str = "", bot_id: int | None = None) -> Incoming | Ignored:
    """What to do with one update: an `Incoming` message for Rasa, or `Ignored` with the reason."""
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if query.from_user.is_bot:
            return Ignored("button pressed by a bot")
        if message is None or not isinstance(message, Message) or not query.data:
            return Ignored("button on a message that is no longer accessible")
        person = _person(query)
        public = message.chat.type != "private"
        user_id = person["user_id"]
        sender = telegram_comment_key(message.chat.id, user_id) if public else telegram_dm_key(user_id)
        return Incoming(
            sender,
            query.data,
            message.chat.id,
            "comment" if public else "dm",
            {**person, "surface": "comment" if public else "dm", "telegram": {"chat_id": message.chat.id}},
            reply_to_message_id=message.message_id if public else None,
            callback_query_id=query.id,
            kind="button",
        )
    if update.edited_message is not None:
        return Ignored("edited message (the original was answered)")
    message = update.message
    if message is None:
        return Ignored("not a message or button press")
    if message.from_user is None or message.from_user.is_bot:
        return Ignored("sent by a bot or on behalf of a channel")
    if message.is_automatic_forward:
        return Ignored("automatic forward of a channel post")

    kind = non_text_kind(message)
    text = message.text or message.caption or ""
    if message.chat.type == "private":
        if kind and message.caption:
            return _dm(message, start_command(message.caption.strip()), "text")
        return _dm(message, "" if kind else start_command(text.strip()), kind or "text")

    if message.chat.type in ("group", "supergroup"):
        # Customers replying to each other inside a comment thread are not talking to the brand: stay out of it.
        addressed = (
            is_comment_on_channel_post(message) or mentions(message, bot_username) or replies_to_bot(message, bot_id)
        )
        if not addressed:
            return Ignored("group message not addressed to the bot")
        if kind and not message.caption:
            return Ignored("non-text message in public")
        return _comment(message, strip_mention(text, bot_username))
    return Ignored(f"{message.chat.type} chat")


def chat_of(data: dict[str, Any]) -> str:
    """The chat a raw update belongs to, read before any parsing: the key that orders its processing.

    An update without a chat (an inline query, a poll) gets a key of its own, so it waits for nobody.
    """
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        chat = ((data.get(kind) or {}).get("chat") or {}).get("id")
        if chat is not None:
            return str(chat)
    chat = (((data.get("callback_query") or {}).get("message") or {}).get("chat") or {}).get("id")
    if chat is not None:
        return str(chat)
    return f"update:{data.get('update_id')}"
