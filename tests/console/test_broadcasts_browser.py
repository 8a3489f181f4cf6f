"""Broadcasts in the console, in headless Chromium, end to end: a Telegram customer says yes through the bot, a
manager writes and sends a broadcast, the job beside the console delivers it through the fake Bot API, the
customer taps "Stop these messages", and the next broadcast does not reach them."""

from __future__ import annotations

import time

import pytest

from tests.bot.test_telegram_e2e import post, update
from tests.console.conftest import SCREENSHOTS, log_in

pytestmark = pytest.mark.integration

CUSTOMER = 5550001  # Anna, of tests/bot/telegram_updates


def tap(stack, data: str, update_id: int) -> None:
    press = update("callback_query", update_id=update_id)
    press["callback_query"]["data"] = data
    assert post(stack, press) == 200


def wait_until_done(page, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while page.locator("#status").inner_text() != "done":
        assert time.monotonic() < deadline, f"still {page.locator('#status').inner_text()} after {timeout} s"
        time.sleep(1)
        page.reload()


def sent_to_customer(api) -> list[dict]:
    return [c.params for c in api.sent() if int(c.params["chat_id"]) == CUSTOMER]


def test_a_manager_sends_a_broadcast_and_a_stop_holds_for_the_next(page, stack, console, telegram_api):
    assert post(stack, update("dm_text", update_id=940000001)) == 200  # Anna writes to the bot in private
    tap(stack, "/subscribe_broadcasts", 940000002)  # ...and taps "Yes please" under the question
    telegram_api.reset()

    log_in(page)
    page.click("nav >> text=Broadcasts")
    page.wait_for_url("**/broadcasts")
    assert page.locator("#audience").inner_text().startswith("1 customer said yes")
    page.fill("textarea[name=message]", "Our winter tents are in: here are the ones that fit you.")
    page.select_option("#category", "tent")
    page.click("#send-broadcast")
    page.wait_for_url("**/broadcasts/*?notice=**")
    wait_until_done(page)
    assert page.locator("#sent").inner_text() == "1"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "broadcast.png"), full_page=True)

    [message] = sent_to_customer(telegram_api)
    assert message["text"].startswith("Our winter tents are in: here are the ones that fit you.\n\n• ")
    keyboard = [row[0] for row in message["reply_markup"]["inline_keyboard"]]
    assert keyboard[-1] == {"text": "🔕 Stop these messages", "callback_data": "/unsubscribe_broadcasts"}

    tap(stack, keyboard[-1]["callback_data"], 940000003)  # Anna taps "Stop these messages"
    [stopped] = sent_to_customer(telegram_api)[1:]
    assert stopped["text"] == "Done: no more of these messages from us. You can still ask me anything, any time."

    page.goto("/broadcasts")
    assert page.locator("#audience").inner_text().startswith("0 customers said yes")
    page.fill("textarea[name=message]", "One more thing about tents.")
    page.click("#send-broadcast")
    page.wait_for_url("**/broadcasts/*?notice=**")
    wait_until_done(page)
    assert page.locator("#sent").inner_text() == "0"
    assert len(sent_to_customer(telegram_api)) == 2  # the broadcast and the stop's confirmation; nothing since
