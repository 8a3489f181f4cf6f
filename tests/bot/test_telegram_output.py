from bot.telegram.output import TelegramOutput
from bot.telegram.policy import deep_link, move_to_private, shorten
from channels.telegram import make_bot
from tests.bot.telegram_fake import FakeBotApi, OfflineRequest


def test_public_policy():
    assert deep_link("KestrelOutdoorBot") == "https://t.me/KestrelOutdoorBot?start=help"
    assert "t.me/KestrelOutdoorBot" in move_to_private("KestrelOutdoorBot")
    assert len(shorten("word " * 500)) <= 600 and shorten("short") == "short"


async def test_output_sends_plain_text_threads_replies_and_retries_after_429():
    api = FakeBotApi(fail_next=1)
    bot = make_bot("123:TEST", request=OfflineRequest(api))
    await bot.initialize()
    output = TelegramOutput(bot, chat_id=-100123, reply_to_message_id=77)
    await output.send_text_with_buttons("s", "<b>not html</b> & *not markdown*", [{"title": "A", "payload": "/a"}])
    sent = api.sent()
    assert len(sent) == 2  # the 429, then the retry that went through
    params = sent[-1].params
    assert params["text"] == "<b>not html</b> & *not markdown*" and "parse_mode" not in params
    assert params["reply_parameters"]["message_id"] == 77
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/a"
    await bot.shutdown()
