"""The bot's overall rate limit holds in every one-second window, not only on average (Telegram counts windows)."""

from __future__ import annotations

import asyncio
import bisect

from channels.telegram import make_bot
from tests.bot.telegram_fake import FakeBotApi, OfflineRequest


async def test_no_one_second_window_carries_more_than_the_rate():
    api = FakeBotApi()
    bot = make_bot("123456:TEST", request=OfflineRequest(api), overall_rate=20)
    await bot.initialize()
    try:
        await asyncio.gather(*(bot.send_message(1000 + n, f"hello {n}") for n in range(45)))
    finally:
        await bot.shutdown()
    times = sorted(call.at for call in api.sent())
    assert len(times) == 45
    busiest = max(bisect.bisect_right(times, t + 1.0) - i for i, t in enumerate(times))
    assert busiest <= 21  # the default bucket let 39 through in one second
