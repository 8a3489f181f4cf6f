"""Console routes over HTTP against a database the bot itself filled."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.parse

import pytest
import yaml

from core.settings import PROJECT_ROOT
from core.settings import PROJECT_ROOT as ROOT
from tests.conftest import plain_variations
from tests.console.conftest import Client

pytestmark = pytest.mark.integration


def test_every_page_needs_a_session(client):
    for path in ("/", "/analytics", "/conversations/seed-confused", "/analytics/csv/messages"):
        status, headers, _ = client.request("GET", path)
        assert status == 302 and headers["location"].startswith("/login?next=")
    status, _, _ = client.request("POST", "/export/nlu", {"csrf": "x"})
    assert status == 302


def test_login_sets_a_safe_cookie_and_rejects_wrong_passwords(client):
    status, _, page = client.login(password="not the password")
    assert status == 401 and "Wrong email or password" in page
    status, headers, _ = client.login()
    assert status == 302 and headers["location"] == "/"
    cookie = headers["set-cookie"]
    assert "parley_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_forms_without_the_csrf_token_are_refused(logged_in):
    status, _, _ = logged_in.request("POST", "/conversations/seed-confused/review", {"flagged": "yes"})
    assert status == 403
    status, _, _ = logged_in.request(
        "POST", "/conversations/seed-confused/review", {"flagged": "yes", "csrf": "forged"}
    )
    assert status == 403


def test_inbox_lists_and_filters_the_bots_conversations(logged_in):
    _, _, page = logged_in.request("GET", "/")
    for sender in ("seed-happy-shopper", "seed-upset-customer", "seed-confused", "seed-html"):
        assert sender in page
    _, _, negative = logged_in.request("GET", "/?sentiment=negative")
    assert "seed-upset-customer" in negative and "seed-happy-shopper" not in negative
    _, _, fallback = logged_in.request("GET", "/?fallback=yes")
    assert "seed-confused" in fallback and "seed-order" not in fallback
    _, _, handoff = logged_in.request("GET", "/?handoff=needed")
    assert "seed-upset-customer" in handoff
    queue = re.search(r'<p class="queue" id="queue">(.*?)</p>', page, re.S).group(1)
    waiting = re.search(r"(\d+) conversations? waits? for a person", queue)
    assert waiting and int(waiting.group(1)) >= 1  # the upset customer asked for one
    # which depends on the hour the test runs at (tests/core/test_hours.py pins the clock and checks each exactly)
    assert "The team is in now." in queue or "The team is away: back " in queue
    _, _, search = logged_in.request("GET", "/?q=" + urllib.parse.quote("KO-123456"))
    assert "seed-order" in search and "seed-confused" not in search
    _, _, public = logged_in.request("GET", "/?surface=comment")
    assert "seed-public-comment" in public and "seed-order" not in public


def test_customer_html_is_shown_as_text(logged_in):
    _, _, inbox = logged_in.request("GET", "/")
    _, _, page = logged_in.request("GET", "/conversations/seed-html")
    for html in (inbox, page):
        assert "&lt;script&gt;alert(" in html
        assert "<script>alert(" not in html and "<b>tents</b>" not in html


def test_transcript_shows_nlu_reply_items_and_clicks(logged_in):
    _, _, page = logged_in.request("GET", "/conversations/seed-happy-shopper")
    assert "request_recommendation" in page and "confidence" in page
    assert "Here are a few picks for you" in page
    assert "✓ clicked" in page


def test_relabel_export_and_validate(logged_in, console):
    _, _, page = logged_in.request("GET", "/conversations/seed-confused")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    interaction_id = re.search(r'name="interaction_id" value="(\d+)"', page).group(1)
    status, headers, _ = logged_in.request(
        "POST",
        "/conversations/seed-confused/label",
        {"csrf": csrf, "interaction_id": interaction_id, "intent": "out_of_scope", "sentiment": "neutral"},
    )
    assert status == 302 and "Saved" in urllib.parse.unquote_plus(headers["location"])
    _, _, page = logged_in.request("GET", "/conversations/seed-confused")
    assert "(model: nlu_fallback)" in page
    status, headers, _ = logged_in.request("POST", "/export/nlu", {"csrf": csrf, "back": "/"})
    assert status == 302
    exported = yaml.safe_load((console.exports / "data" / "nlu" / "reviewed.yml").read_text())
    [block] = [b for b in exported["nlu"] if b["intent"] == "out_of_scope"]
    [example] = [e for e in block["examples"] if e["text"] == "asdf qwer zxcv"]
    assert example["metadata"]["reviewed"] and "sam@kestrel.example" in example["metadata"]["source"]
    assert example["metadata"]["sentiment"] == "neutral"  # the sentiment label rides along for the sentiment head

    status, headers, _ = logged_in.request("POST", "/conversations/seed-order/export-story", {"csrf": csrf})
    assert status == 302
    story = yaml.safe_load((console.exports / "stories" / "seed-order.yml").read_text())
    steps = story["stories"][0]["steps"]
    assert steps[0]["intent"] == "order_status" and {"action": "action_order_status"} in steps

    validate = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "data",
            "validate",
            "--domain",
            "domain",
            "--data",
            "data",
            str(console.exports / "data" / "nlu" / "reviewed.yml"),
            str(console.exports / "stories"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert validate.returncode == 0, validate.stdout[-3000:] + validate.stderr[-3000:]


def test_takeover_reply_and_hand_back_over_rest(logged_in, stack):
    sender = "takeover-rest"
    assert stack.say(sender, "hi")[1]
    csrf = logged_in.csrf(f"/conversations/{sender}")
    status, headers, _ = logged_in.request(
        "POST", f"/conversations/{sender}/takeover", {"csrf": csrf, "action": "pause"}
    )
    assert status == 302 and "error" not in headers["location"], headers["location"]
    assert stack.say(sender, "hello? anyone?")[1] == []  # the bot is silent while a person has it
    status, headers, _ = logged_in.request(
        "POST", f"/conversations/{sender}/reply", {"csrf": csrf, "text": "Hi, Sam from Kestrel here. How can I help?"}
    )
    assert "Queued" in urllib.parse.unquote_plus(headers["location"]), headers["location"]
    _, replies = stack.say(sender, "I have a question about my order")
    assert replies[0]["text"] == "Hi, Sam from Kestrel here. How can I help?"
    _, _, page = logged_in.request("GET", f"/conversations/{sender}")
    assert "Sam from Kestrel" in page  # recorded in the transcript through the bot's tracker
    logged_in.request("POST", f"/conversations/{sender}/takeover", {"csrf": csrf, "action": "resume"})
    assert [reply["text"] for reply in stack.say(sender, "hello")[1]] in [[g] for g in plain_variations("utter_greet")]


def test_takeover_reply_over_telegram(logged_in, stack, telegram_api):
    import json

    update = json.loads((PROJECT_ROOT / "tests" / "bot" / "telegram_updates" / "dm_text.json").read_text())
    update["update_id"] = 910000001
    update["message"]["from"]["id"] = update["message"]["chat"]["id"] = 5559999
    import urllib.request

    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/telegram_ptb/webhook",
        json.dumps(update).encode(),
        {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "integration-webhook-secret"},
    )
    urllib.request.urlopen(request, timeout=60).read()
    stack.settle_telegram()
    sender = "tg:5559999"
    csrf = logged_in.csrf(f"/conversations/{urllib.parse.quote(sender, safe='')}")
    path = f"/conversations/{urllib.parse.quote(sender, safe='')}"
    logged_in.request("POST", f"{path}/takeover", {"csrf": csrf, "action": "pause"})
    telegram_api.reset()
    _, headers, _ = logged_in.request("POST", f"{path}/reply", {"csrf": csrf, "text": "Sam here, on Telegram"})
    assert "Sent on Telegram" in urllib.parse.unquote_plus(headers["location"]), headers["location"]
    [sent] = telegram_api.sent()
    assert sent.params["chat_id"] == 5559999 and sent.params["text"] == "Sam here, on Telegram"


def test_analytics_charts_and_csv(logged_in):
    _, _, page = logged_in.request("GET", "/analytics")
    assert page.count("<svg") == 7 and "fallback rate" in page
    status, headers, csv_text = logged_in.request("GET", "/analytics/csv/intents")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert csv_text.splitlines()[0] == "intent,messages"
    assert logged_in.request("GET", "/analytics/csv/nope")[0] == 404


def test_logout_ends_the_session(console):
    client = Client(console.url)
    client.login()
    csrf = client.csrf("/")
    client.request("POST", "/logout", {"csrf": csrf})
    assert client.request("GET", "/")[0] == 302
