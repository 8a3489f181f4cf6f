"""The console in a real headless Chromium (Debian's package), driven by Playwright.

Screenshots of the inbox and the analytics page are saved under `results/screenshots/` as test artefacts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.console.conftest import SCREENSHOTS, log_in

pytestmark = pytest.mark.integration


def test_logged_out_visit_is_sent_to_login(page):
    page.goto("/analytics")
    assert "/login" in page.url
    assert page.locator("h1").inner_text() == "Log in"


def test_manager_reviews_a_negative_conversation_and_exports_a_correction(page, console):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page)
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)

    page.select_option("#filter-sentiment", "negative")
    page.click("#apply-filters")
    page.wait_for_url("**sentiment=negative**")
    links = page.locator("a.conversation-link")
    ids = links.all_inner_texts()
    assert "seed-upset-customer" in ids and "seed-happy-shopper" not in ids

    page.click("text=seed-angry-shipping")
    page.wait_for_url("**/conversations/seed-angry-shipping")
    first = page.locator("li.turn").first
    assert "two weeks late" in first.locator(".said").inner_text()
    first.locator("select[name=intent]").select_option("order_status")
    first.locator("button:has-text('Save label')").click()
    page.wait_for_url("**notice=**")
    assert "intent → order_status" in page.locator(".notice").inner_text()
    assert "(model:" in page.locator("li.turn").first.inner_text()

    page.click("#export-nlu")
    page.wait_for_url("**notice=**")
    assert "Wrote" in page.locator(".notice").inner_text()
    exported = yaml.safe_load(Path(console.exports / "data" / "nlu" / "reviewed.yml").read_text())
    [block] = [b for b in exported["nlu"] if b["intent"] == "order_status"]
    assert any("two weeks late" in e["text"] for e in block["examples"])


def test_customer_html_renders_as_text(page):
    log_in(page)
    page.goto("/conversations/seed-html")
    said = page.locator("li.turn .said").first.inner_text()
    assert said.startswith("<script>alert('x')</script>")  # shown literally...
    assert page.locator("li.turn .said script").count() == 0  # ...never parsed as markup
    assert page.locator("li.turn .said b").count() == 0


def test_analytics_page_renders_charts(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page)
    page.goto("/analytics")
    assert page.locator("svg.chart").count() == 7
    assert page.locator("#chart-intents rect").count() >= 3
    page.screenshot(path=str(SCREENSHOTS / "analytics.png"), full_page=True)
