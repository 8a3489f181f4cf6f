"""A hidden spam comment in the console (headless Chromium): found by the moderation filter, its reason shown,
restored by a manager as a false positive, which records a correction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store.db import Database
from store.schema import Correction
from tests.bot.test_telegram_e2e import post, update
from tests.console.conftest import log_in

pytestmark = pytest.mark.integration
GROUP = -1009876543210
SENDER = f"tg:comment:{GROUP}:5550777"


def test_a_hidden_comment_is_found_explained_and_restored(page, stack, telegram_api):
    body = update("discussion_comment", update_id=940001)
    body["message"] = {
        **body["message"],
        "message_id": 40001,
        "from": {"id": 5550777, "is_bot": False, "first_name": "Rex"},
        "text": "Claim your FREE $100 Kestrel voucher now at http://kestrel-rewards.win before midnight!!!",
    }
    telegram_api.admin_chats = {GROUP}
    try:
        assert post(stack, body) == 200
    finally:
        telegram_api.admin_chats = set()
    assert [c.params["message_id"] for c in telegram_api.sent("deleteMessage")][-1:] == [40001]

    log_in(page)
    page.select_option("#filter-moderation", "hidden")
    page.click("#apply-filters")
    page.wait_for_url("**moderation=hidden**")
    assert SENDER in page.locator("a.conversation-link").all_inner_texts()
    page.click(f"text={SENDER}")
    line = page.locator("div.moderation").first
    assert "moderation: spam" in line.inner_text()
    assert line.locator(".outcome").inner_text() == "hidden (deleted from the thread)"
    line.locator("button.restore").click()
    page.wait_for_url("**notice=**")
    assert page.locator(".notice").inner_text() == (
        "Restored: marked not abuse, and kept as a correction for the moderator."
    )
    assert page.locator("div.moderation .outcome").first.inner_text() == "restored by a manager (not abuse)"
    assert page.locator("button.restore").count() == 0
    with Database(stack.db_url).session() as session:
        [correction] = session.execute(
            select(Correction).where(Correction.conversation_id == SENDER, Correction.field == "moderation")
        ).scalars()
        assert (correction.old_value, correction.new_value) == ("spam", "none")
    page.goto("/?moderation=restored")
    assert SENDER in page.locator("a.conversation-link").all_inner_texts()
