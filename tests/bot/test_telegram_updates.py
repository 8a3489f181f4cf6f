import json
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.telegram.updates import Ignored, Incoming, classify, start_command, strip_mention

UPDATES = Path(__file__).parent / "telegram_updates"
BOT_NAME, BOT_ID = "KestrelOutdoorBot", 7000000001


def load(name: str) -> Update:
    return Update.de_json(json.loads((UPDATES / f"{name}.json").read_text()), Bot("123:TEST"))


def test_dm_text_is_a_private_conversation_keyed_by_user():
    incoming = classify(load("dm_text"), BOT_NAME, BOT_ID)
    assert isinstance(incoming, Incoming)
    assert (incoming.sender_id, incoming.chat_id, incoming.surface) == ("tg:5550001", 5550001, "dm")
    assert incoming.text == "do you sell tents for two people?"
    assert incoming.metadata["user_id"] == "5550001" and incoming.metadata["display_name"] == "Anna Berg"
    assert incoming.metadata["language"] == "en" and incoming.reply_to_message_id is None


def test_discussion_comment_is_public_and_threaded():
    incoming = classify(load("discussion_comment"), BOT_NAME, BOT_ID)
    assert incoming.surface == "comment" and incoming.is_public
    assert incoming.sender_id == "tg:comment:-1009876543210:5550004"
    assert incoming.metadata["user_id"] == "5550004"  # same profile key as the person's DMs
    assert incoming.reply_to_message_id == 4021


def test_group_mention_is_answered_without_the_mention():
    incoming = classify(load("group_mention"), BOT_NAME, BOT_ID)
    assert incoming.text == "do you ship to Canada?" and incoming.is_public


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("edited_message", "edited"),
        ("group_chatter", "not addressed"),
        ("automatic_forward", "automatic forward"),
        ("from_bot", "bot"),
    ],
)
def test_updates_that_would_be_spam_are_ignored(name, reason):
    decision = classify(load(name), BOT_NAME, BOT_ID)
    assert isinstance(decision, Ignored) and reason in decision.reason


def test_button_press_carries_its_payload_and_query_id():
    incoming = classify(load("callback_query"), BOT_NAME, BOT_ID)
    assert incoming.kind == "button" and incoming.callback_query_id == "4382bfdwdsb323b2d9"
    assert incoming.text == '/click_item{"item_id":"tent-ridgeline-2"}'
    assert incoming.sender_id == "tg:5550001"


def test_non_text_in_a_dm_is_passed_on_empty_and_captions_are_read():
    sticker = classify(load("sticker"), BOT_NAME, BOT_ID)
    assert (sticker.kind, sticker.text, sticker.metadata["attachment"]) == ("sticker", "", "sticker")
    photo = classify(load("photo_with_caption"), BOT_NAME, BOT_ID)
    assert (photo.kind, photo.text) == ("text", "how much is the ridgeline 2 tent")


def test_helpers():
    assert start_command("/start help") == "hello" and start_command("/start@KestrelOutdoorBot") == "hello"
    assert start_command("/startle") == "/startle"
    assert strip_mention("@kestreloutdoorbot, hi", BOT_NAME) == "hi"
