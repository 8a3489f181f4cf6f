"""The channel in-process: real update JSON in, Bot API calls captured by the offline request object.

Rasa itself is replaced here by a small `on_new_message` that answers like a bot would, so these tests pin the
channel's own logic; `test_telegram_e2e.py` runs the same updates through the real Rasa agent.
"""

import asyncio
import json
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage

from bot import storage
from bot.telegram.channel import NON_TEXT_REPLY, TelegramInput
from tests.bot.telegram_fake import FakeBotApi, OfflineRequest

UPDATES = Path(__file__).parent / "telegram_updates"


@pytest.fixture(autouse=True)
def store(sqlite_database):
    """The channel's store (de-duplication) is a fresh database per test, as the event broker would provide."""
    storage.use(sqlite_database)
    yield sqlite_database
    storage.use(None)


def update(name: str) -> dict:
    return json.loads((UPDATES / f"{name}.json").read_text())


class EchoBot:
    """Answers every message with one text and remembers what Rasa would have received."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_response(
            message.sender_id, {"text": f"echo: {message.text}", "buttons": [{"title": "B", "payload": "/b"}]}
        )


def channel(api: FakeBotApi) -> TelegramInput:
    return TelegramInput(token="123:TEST", secret="s3cret", request=OfflineRequest(api))


async def test_dm_goes_to_rasa_and_the_reply_to_the_chat():
    api, rasa = FakeBotApi(), EchoBot()
    await channel(api).handle(update("dm_text"), rasa, agent=None)
    [message] = rasa.received
    assert (message.sender_id, message.input_channel) == ("tg:5550001", "telegram_ptb")
    [sent] = api.sent()
    assert sent.params["chat_id"] == 5550001 and sent.params["text"] == "echo: do you sell tents for two people?"
    assert "reply_parameters" not in sent.params
    assert sent.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/b"


async def test_a_redelivered_update_is_answered_once():
    api, rasa = FakeBotApi(), EchoBot()
    telegram = channel(api)
    await telegram.handle(update("dm_text"), rasa, agent=None)
    await telegram.handle(update("dm_text"), rasa, agent=None)
    assert len(rasa.received) == 1 and len(api.sent()) == 1


async def test_comment_reply_threads_under_the_comment():
    api, rasa = FakeBotApi(), EchoBot()
    await channel(api).handle(update("discussion_comment"), rasa, agent=None)
    [sent] = api.sent()
    assert sent.params["chat_id"] == -1009876543210 and sent.params["reply_parameters"]["message_id"] == 4021


async def test_button_press_is_acknowledged_then_processed():
    api, rasa = FakeBotApi(), EchoBot()
    await channel(api).handle(update("callback_query"), rasa, agent=None)
    assert [c.method for c in api.calls if c.method != "getMe"] == ["answerCallbackQuery", "sendMessage"]
    assert rasa.received[0].text == '/click_item{"item_id":"tent-ridgeline-2"}'


async def test_sticker_is_logged_through_rasa_and_answered_politely():
    api, rasa = FakeBotApi(), EchoBot()
    await channel(api).handle(update("sticker"), rasa, agent=None)
    assert rasa.received[0].text == "" and rasa.received[0].metadata["attachment"] == "sticker"
    assert api.sent()[0].params["text"] == NON_TEXT_REPLY


async def test_ignored_updates_never_reach_rasa():
    api, rasa = FakeBotApi(), EchoBot()
    telegram = channel(api)
    for name in ("edited_message", "group_chatter", "automatic_forward", "from_bot"):
        await telegram.handle(update(name), rasa, agent=None)
    assert rasa.received == [] and api.sent() == []


async def test_polling_mode_answers_a_dm():
    api, rasa = FakeBotApi(), EchoBot()
    api.updates = [update("dm_text")]
    telegram = TelegramInput(token="123:TEST", mode="polling", request=OfflineRequest(api))

    class App:
        class ctx:
            agent = None

    task = asyncio.create_task(telegram.poll(rasa, App()))
    for _ in range(100):
        if api.sent():
            break
        await asyncio.sleep(0.02)
    task.cancel()
    assert api.sent()[0].params["chat_id"] == 5550001
    assert "deleteWebhook" in [c.method for c in api.calls]


async def test_a_processing_error_still_gets_the_customer_an_apology():
    """Before: the webhook said 200 to Telegram and the customer heard nothing."""
    from bot.rest import APOLOGY

    async def broken(message: UserMessage) -> None:
        raise RuntimeError("the tracker store is down")

    api = FakeBotApi()
    await channel(api).handle(update("dm_text"), broken, agent=None)
    [sent] = api.sent()
    assert (sent.params["chat_id"], sent.params["text"]) == (5550001, APOLOGY)


async def test_a_redelivery_to_another_replica_or_after_a_restart_is_answered_once():
    api, rasa = FakeBotApi(), EchoBot()
    await channel(api).handle(update("dm_text"), rasa, agent=None)  # replica A
    await channel(api).handle(update("dm_text"), rasa, agent=None)  # replica B, or A after a restart
    assert len(rasa.received) == 1 and len(api.sent()) == 1


async def test_one_chat_cannot_make_the_bot_send_past_its_budget():
    """Before: a chat writing 30 messages got 30 replies. Now: 20 replies, one notice, silence; Rasa saw all 30."""
    from bot.telegram.channel import SLOW_DOWN
    from channels.telegram import SendBudget

    api, rasa = FakeBotApi(), EchoBot()
    telegram = channel(api)
    clock = [1000.0]
    telegram.budget = SendBudget(capacity=20, window_s=60, clock=lambda: clock[0])
    for n in range(30):
        await telegram.handle(update("dm_text") | {"update_id": 800000 + n}, rasa, agent=None)
    texts = [c.params["text"] for c in api.sent()]
    assert len(rasa.received) == 30
    assert texts == ["echo: do you sell tents for two people?"] * 20 + [SLOW_DOWN]
    clock[0] += 3  # one message's worth of budget back
    await telegram.handle(update("dm_text") | {"update_id": 800100}, rasa, agent=None)
    assert [c.params["text"] for c in api.sent()][-1] == "echo: do you sell tents for two people?"


async def test_chat_queues_keep_each_chats_order_and_refuse_a_flood():
    from bot.telegram.dispatch import ChatQueues

    queues = ChatQueues(per_chat=3)
    done: list[tuple[str, int]] = []
    release = asyncio.Event()

    def job(chat: str, n: int):
        async def run() -> None:
            if chat == "slow":
                await release.wait()
            done.append((chat, n))

        return run

    for n in range(3):
        assert queues.submit("slow", job("slow", n))
    assert not queues.submit("slow", job("slow", 3))  # full: the webhook answers 429 and Telegram retries
    for n in range(3):
        assert queues.submit("fast", job("fast", n))
    await asyncio.sleep(0.05)
    assert done == [("fast", 0), ("fast", 1), ("fast", 2)]  # one stuck chat holds up nobody else
    release.set()
    await queues.join()
    assert done[3:] == [("slow", 0), ("slow", 1), ("slow", 2)] and queues.pending() == 0
