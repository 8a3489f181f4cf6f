"""Moderation in the Telegram channel: each policy outcome, with real update JSON and the Bot API calls captured.

The scoring models are real (alt-profanity-check and the spam head trained from moderation/data/examples.tsv);
Rasa is replaced by a recorder, so "never reaches the dialogue" is checked directly. `test_telegram_e2e.py` runs
the default policy through the real webhook and Rasa server.
"""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from bot import storage
from bot.telegram.channel import TelegramInput
from bot.telegram.moderation import ModerationGate
from store.schema import Conversation, Interaction
from tests.bot.telegram_fake import FakeBotApi, OfflineRequest
from tests.bot.test_telegram_channel import EchoBot, update

GROUP = -1009876543210
SPAM = "FREE iPhone for the first 50 people!!! claim yours at http://bit.ly/fr33"
TOXIC = "you are all fucking idiots"
CALM = "Thanks for telling us. A person from our team will read this."
POLICY = f"""
public: {{toxic: reply_calmly_and_flag, spam: hide, self_promotion: ignore}}
private: {{toxic: reply, spam: ignore}}
calm_reply: "{CALM}"
"""


@pytest.fixture(autouse=True)
def store(sqlite_database):
    storage.use(sqlite_database)
    yield sqlite_database
    storage.use(None)


@pytest.fixture
def telegram(tmp_path):
    def make(api: FakeBotApi) -> TelegramInput:
        (tmp_path / "moderation.yml").write_text(POLICY)
        channel = TelegramInput(token="123:TEST", secret="s3cret", request=OfflineRequest(api))
        channel.moderation = ModerationGate(tmp_path / "moderation.yml")
        return channel

    return make


def comment(text: str, update_id: int) -> dict:
    data = copy.deepcopy(update("discussion_comment"))
    data["update_id"] = update_id
    data["message"]["text"] = text
    return data


def dm(text: str, update_id: int) -> dict:
    data = copy.deepcopy(update("dm_text"))
    data["update_id"] = update_id
    data["message"]["text"] = text
    return data


def logged(store) -> list[tuple[str, str | None, str | None, str | None]]:
    with store.session() as session:
        rows = session.execute(select(Interaction).order_by(Interaction.id)).scalars().all()
        return [(r.text, r.moderation, r.moderation_action, r.reply) for r in rows]


async def test_hide_deletes_the_comment_and_logs_it(telegram, store):
    api, rasa = FakeBotApi(admin_chats={GROUP}), EchoBot()
    await telegram(api).handle(comment(SPAM, 810001), rasa, agent=None)
    [delete] = api.sent("deleteMessage")
    assert delete.params == {"chat_id": GROUP, "message_id": 4021}
    assert api.sent() == [] and rasa.received == []
    assert logged(store) == [(SPAM, "spam", "hide", None)]
    with store.session() as session:
        conversation = session.execute(select(Conversation)).scalar_one()
        assert conversation.flagged and conversation.tags == ["moderation:spam"]


async def test_hide_without_admin_rights_is_logged_for_a_manager(telegram, store):
    api, rasa = FakeBotApi(), EchoBot()  # the bot is not an admin of the group
    await telegram(api).handle(comment(SPAM, 810002), rasa, agent=None)
    assert len(api.sent("deleteMessage")) == 1 and api.sent() == [] and rasa.received == []
    assert logged(store) == [(SPAM, "spam", "hide_failed", None)]


async def test_a_toxic_comment_gets_one_calm_line_in_the_thread(telegram, store):
    api, rasa = FakeBotApi(), EchoBot()
    await telegram(api).handle(comment(TOXIC, 810003), rasa, agent=None)
    [sent] = api.sent()
    assert (sent.params["text"], sent.params["reply_parameters"]["message_id"]) == (CALM, 4021)
    assert rasa.received == [] and api.sent("deleteMessage") == []
    assert logged(store) == [(TOXIC, "toxic", "reply_calmly_and_flag", CALM)]


async def test_ignore_says_nothing_in_public(telegram, store):
    api, rasa = FakeBotApi(admin_chats={GROUP}), EchoBot()
    promo = "Follow me on Instagram @trail_sam for daily gear reviews, link in bio"
    await telegram(api).handle(comment(promo, 810004), rasa, agent=None)
    assert [c.method for c in api.calls if c.method != "getMe"] == []
    assert rasa.received == []
    assert logged(store) == [(promo, "self_promotion", "ignore", None)]


async def test_reply_answers_as_usual(telegram, store):
    api, rasa = FakeBotApi(), EchoBot()
    await telegram(api).handle(dm(TOXIC, 810005), rasa, agent=None)  # private toxic: the policy says reply
    assert [m.text for m in rasa.received] == [TOXIC]
    assert [c.params["text"] for c in api.sent()] == [f"echo: {TOXIC}"]


async def test_hide_in_a_dm_means_ignore_and_a_complaint_is_not_abuse(telegram, store):
    api, rasa = FakeBotApi(), EchoBot()
    channel = telegram(api)
    await channel.handle(dm(SPAM, 810006), rasa, agent=None)
    complaint = "ur tents r trash, worst company ever"
    await channel.handle(comment(complaint, 810007), rasa, agent=None)
    assert [m.text for m in rasa.received] == [complaint]  # answered by the bot, not moderated
    assert api.sent("deleteMessage") == []
    assert [c.params["text"] for c in api.sent()] == [f"echo: {complaint}"]
    assert logged(store) == [(SPAM, "spam", "ignore", None)]


async def test_a_moderation_failure_answers_as_usual(telegram, store, monkeypatch):
    api, rasa = FakeBotApi(), EchoBot()
    channel = telegram(api)

    def broken(texts):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(channel.moderation.moderator, "scores", broken)
    await channel.handle(comment(SPAM, 810008), rasa, agent=None)
    assert [m.text for m in rasa.received] == [SPAM]
