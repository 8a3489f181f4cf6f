from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.events import AllSlotsReset, ConversationPaused, SlotSet

from actions import settings
from actions.handoff import ActionHandoff
from actions.privacy import ActionDeleteMyData, ActionSetPersonalisation, ActionShowMyData
from tests.conftest import plain_variations, said, texts


def at_denver(monkeypatch, *when: int) -> None:
    """Sets the handoff's clock to a moment in Denver (the demo brand's care hours: every day 8:00-20:00)."""
    moment = datetime(*when, tzinfo=ZoneInfo("America/Denver"))
    monkeypatch.setattr("actions.handoff.now", lambda: moment.astimezone(timezone.utc))


async def test_handoff_in_opening_hours_promises_minutes_and_pauses(make_tracker, dispatcher, domain, monkeypatch):
    at_denver(monkeypatch, 2026, 12, 2, 10, 0)
    events = await ActionHandoff().run(dispatcher, make_tracker("human please"), domain)
    assert texts(dispatcher) == ["utter_handoff"]
    assert events == [ConversationPaused()]


async def test_handoff_at_night_says_when_the_team_is_back(make_tracker, dispatcher, domain, monkeypatch):
    at_denver(monkeypatch, 2026, 12, 2, 23, 10)
    events = await ActionHandoff().run(dispatcher, make_tracker("human please"), domain)
    [message] = dispatcher.messages
    assert (message["response"], message["back"]) == (
        "utter_handoff_closed",
        "tomorrow at 8am Mountain Time, in about 9 hours",
    )
    assert events == [ConversationPaused()]


@pytest.mark.parametrize(
    ("when", "sentence"),
    [
        ((2026, 12, 2, 23, 10), "They're away right now: we're back tomorrow at 8am Mountain Time, in about 9 hours."),
        ((2026, 12, 3, 3, 0), "They're away right now: we're back at 8am Mountain Time, in about 5 hours."),
    ],
)
async def test_the_closed_handoff_reads_as_a_sentence(make_tracker, dispatcher, domain, monkeypatch, when, sentence):
    at_denver(monkeypatch, *when)
    await ActionHandoff().run(dispatcher, make_tracker("human please"), domain)
    [message] = dispatcher.messages
    [template] = plain_variations("utter_handoff_closed")
    assert sentence in template.format(back=message["back"])


async def test_unreadable_hours_promise_no_time_and_still_hand_over(
    make_tracker, dispatcher, domain, monkeypatch, tmp_path
):
    (tmp_path / "brand.yml").write_text("care_hours:\n  timezone: Atlantis/Capital\n")
    monkeypatch.setenv("PARLEY_BRAND_DIR", str(tmp_path))
    settings.reset_caches()
    events = await ActionHandoff().run(dispatcher, make_tracker("human please"), domain)
    assert texts(dispatcher) == ["utter_handoff_sometime"]
    assert events == [ConversationPaused()]


async def test_show_my_data_lists_slots_and_the_stored_profile(make_tracker, dispatcher, domain):
    from tests.actions.test_recommend import react, recommend

    await recommend(make_tracker, "test-user", "tents", entities=[{"entity": "product_type", "value": "tent"}])
    await react(make_tracker, "test-user", "click_item", "tent-ridgeline-2")
    tracker = make_tracker("what do you know about me", slots={"product_type": "tent", "order_number": "KO-123456"})
    await ActionShowMyData().run(dispatcher, tracker, domain)
    reply = said(dispatcher)[0]
    assert reply.startswith("Here's what I hold about you:\n• ")
    assert "gear you asked about: tent" in reply
    assert "order number: KO-123456" in reply
    assert "interests: tents" in reply
    assert "reactions to recommendations: 1 click" in reply
    assert "Ridgeline" in reply
    assert "personalised recommendations: on" in reply


async def test_privacy_requests_in_public_are_moved_to_private(make_tracker, dispatcher, domain):
    public = make_tracker("what do you know about me", metadata={"surface": "comment"})
    await ActionShowMyData().run(dispatcher, public, domain)
    await ActionDeleteMyData().run(dispatcher, public, domain)
    assert texts(dispatcher) == ["utter_private_only", "utter_private_only"]
    assert said(dispatcher)[0] == (
        "I can't go into personal details in public. Send us a direct message and I'll help you there."
    )


async def test_delete_my_data_erases_the_store_and_keeps_consent(make_tracker, dispatcher, domain):
    from tests.actions.test_recommend import react

    await react(make_tracker, "test-user", "click_item", "tent-ridgeline-2")
    tracker = make_tracker("delete my data", slots={"product_type": "tent", "personalisation": False})
    events = await ActionDeleteMyData().run(dispatcher, tracker, domain)
    reply = said(dispatcher)[0]
    assert "0 messages, 1 interest and 1 reaction to recommendations" in reply
    assert "gear you asked about (tent)" in reply
    assert events == [AllSlotsReset(), SlotSet("personalisation", False)]
    assert dispatcher.messages[0]["parley_erasure"] == ["test-user"]  # the Rasa server erases the tracker


async def test_delete_my_data_reaches_the_exported_training_files(make_tracker, dispatcher, domain, tmp_path):
    """Before: the customer's exported story, reviewed example and candidate copies stayed after "delete my data"."""
    from sqlalchemy import select

    from actions.settings import get_database
    from console.exporting import write_story
    from core.identity import identity_from
    from store.interactions import record_user_turn
    from store.schema import Interaction
    from training.collect import Example
    from training.merge import write_reviewed

    secret = "my neighbour Zebulon Quartz keeps borrowing my tent"
    with get_database().session() as session:
        record_user_turn(session, "test-user", identity_from("test-user", "rest", {}), secret, {}, "m1", None)
        record_user_turn(session, "other", identity_from("other", "rest", {}), "hello there", {}, "m2", None)
    with get_database().session() as session:
        mine, theirs = session.execute(select(Interaction.id).order_by(Interaction.id)).scalars().all()
    exports = tmp_path / "exports"
    examples = [
        Example(secret, "product_info", f"console correction of message {mine} by sam@kestrel.example"),
        Example("hello there", "greet", f"console correction of message {theirs} by sam@kestrel.example"),
    ]
    write_reviewed(exports / "reviewed.yml", examples)
    candidate = tmp_path / "candidates" / "candidate-1"
    write_reviewed(candidate / "data" / "nlu" / "reviewed.yml", examples)
    (candidate / "candidate-1.tar.gz").write_bytes(b"a model trained on the secret")
    write_story(exports / "stories", "test-user", [{"user": secret, "intent": "product_info"}])
    write_story(exports / "stories", "other", [{"user": "hello there", "intent": "greet"}])

    await ActionDeleteMyData().run(dispatcher, make_tracker("delete my data"), domain)

    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and "Zebulon" in p.read_text(errors="ignore")]
    assert leftovers == []
    assert sorted(p.name for p in (exports / "stories").iterdir()) == ["other.yml"]
    assert "hello there" in (exports / "reviewed.yml").read_text()
    assert not (candidate / "candidate-1.tar.gz").exists()


async def test_delete_says_so_when_the_store_is_unreachable(make_tracker, dispatcher, domain, monkeypatch):
    from actions import settings

    monkeypatch.setenv("PARLEY_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    settings.reset_caches()
    await ActionDeleteMyData().run(dispatcher, make_tracker("forget me"), domain)
    assert texts(dispatcher) == ["utter_data_erase_pending"]


async def test_opt_out_and_back_in(make_tracker, dispatcher, domain):
    out = await ActionSetPersonalisation().run(
        dispatcher, make_tracker("stop", intent="opt_out_personalisation"), domain
    )
    back = await ActionSetPersonalisation().run(dispatcher, make_tracker("on", intent="opt_in_personalisation"), domain)
    assert out == [SlotSet("personalisation", False)]
    assert back == [SlotSet("personalisation", True)]
    assert texts(dispatcher) == ["utter_personalisation_off", "utter_personalisation_on"]
