"""One handoff rule on every path: `action_handoff` pauses, the console and `make resume` hand back.

Each path is checked against the rule in `core.handoff`: the same tracker events (read back from the running
bot's tracker) and the same inbox state (read from the store the bot logs to).
"""

from __future__ import annotations

import subprocess

import pytest

from core import handoff
from core.rasa_api import RasaAPI
from core.settings import PROJECT_ROOT
from store.db import Database
from store.schema import Conversation
from tests.conftest import plain_variations
from tests.stack_fixtures import API_TOKEN

pytestmark = pytest.mark.integration


def shape(events: list[dict]) -> list[tuple[str, str | None]]:
    """What an event sequence does, without timestamps: (event, action name)."""
    return [(e["event"], e.get("name")) for e in events]


def events_after(stack, sender: str, kind: str) -> list[dict]:
    """The tracker's events after the last event of `kind`, the bookkeeping of new sessions left out."""
    events = RasaAPI(stack.rasa_url, API_TOKEN).tracker_events(sender)
    last = max(i for i, e in enumerate(events) if e["event"] == kind)
    return events[last:]


def inbox(stack, sender: str) -> handoff.InboxState:
    stack.settle()
    with Database(stack.db_url).session() as session:
        conversation = session.get(Conversation, sender)
        return handoff.InboxState(paused=conversation.paused, needs_human=conversation.needs_human)


def ask_for_a_person(stack, sender: str) -> None:
    """The customer asks for a person: `action_handoff` answers and pauses the conversation."""
    assert stack.say(sender, "hi")[1]
    _, replies = stack.say(sender, "talk to a human")
    [reply] = [r["text"] for r in replies]
    # which of the two depends on the hour the test runs at (tests/actions pin the clock and check each exactly)
    assert reply in plain_variations("utter_handoff") or reply.startswith(
        "I'm handing you over to our customer care team. They're away right now: we're back "
    )


def test_action_handoff_pauses_as_the_rule_says(stack):
    sender = "handoff-by-action"
    ask_for_a_person(stack, sender)
    after = shape(events_after(stack, sender, "user"))
    assert after[0] == ("user", None)
    assert ("action", "action_handoff") in after and after[-1] == ("pause", None)
    assert shape(events_after(stack, sender, "pause")) == shape(list(handoff.PAUSE_EVENTS))
    assert inbox(stack, sender) == handoff.inbox_state(paused=True) == handoff.InboxState(True, True)
    assert stack.say(sender, "hello? anyone?")[1] == []  # silent while a person has it


def resumed_the_same_way(stack, sender: str) -> None:
    assert shape(events_after(stack, sender, "resume")) == shape(list(handoff.RESUME_EVENTS))
    assert shape(list(handoff.RESUME_EVENTS)) == [("resume", None), ("action", "action_listen")]
    assert inbox(stack, sender) == handoff.inbox_state(paused=False) == handoff.InboxState(False, False)
    # back at "waiting for the customer": the bot answers the next message instead of handing over again
    assert [r["text"] for r in stack.say(sender, "hello")[1]] in [[g] for g in plain_variations("utter_greet")]


def test_the_console_hands_back_with_the_rule(stack, logged_in):
    sender = "handoff-console-resume"
    ask_for_a_person(stack, sender)
    csrf = logged_in.csrf(f"/conversations/{sender}")
    status, headers, _ = logged_in.request(
        "POST", f"/conversations/{sender}/takeover", {"csrf": csrf, "action": "resume"}
    )
    assert status == 302 and "error" not in headers["location"], headers["location"]
    resumed_the_same_way(stack, sender)


def test_make_resume_hands_back_with_the_rule(stack):
    sender = "handoff-make-resume"
    ask_for_a_person(stack, sender)
    done = subprocess.run(
        ["scripts/resume.sh", sender], cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"Conversation {sender} is handed back to the bot."
    resumed_the_same_way(stack, sender)


def test_the_console_pause_is_the_rules_pause(stack, logged_in):
    sender = "handoff-console-pause"
    assert stack.say(sender, "hi")[1]
    csrf = logged_in.csrf(f"/conversations/{sender}")
    logged_in.request("POST", f"/conversations/{sender}/takeover", {"csrf": csrf, "action": "pause"})
    assert shape(events_after(stack, sender, "pause")) == shape(list(handoff.PAUSE_EVENTS))
    assert inbox(stack, sender) == handoff.inbox_state(paused=True)
