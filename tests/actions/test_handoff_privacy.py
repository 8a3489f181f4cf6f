from rasa_sdk.events import AllSlotsReset, ConversationPaused, SlotSet

from actions.handoff import ActionHandoff
from actions.privacy import ActionDeleteMyData, ActionSetPersonalisation, ActionShowMyData
from tests.conftest import texts


async def test_handoff_announces_and_pauses(make_tracker, dispatcher, domain):
    events = await ActionHandoff().run(dispatcher, make_tracker("human please"), domain)
    assert texts(dispatcher) == ["utter_handoff"]
    assert events == [ConversationPaused()]


async def test_show_my_data_lists_slots_and_the_stored_profile(make_tracker, dispatcher, domain):
    from tests.actions.test_recommend import react, recommend

    await recommend(make_tracker, "test-user", "tents", entities=[{"entity": "product_type", "value": "tent"}])
    await react(make_tracker, "test-user", "click_item", "tent-ridgeline-2")
    tracker = make_tracker("what do you know about me", slots={"product_type": "tent", "order_number": "KO-123456"})
    await ActionShowMyData().run(dispatcher, tracker, domain)
    reply = texts(dispatcher)[0]
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
    assert all("direct message" in reply for reply in texts(dispatcher))


async def test_delete_my_data_erases_the_store_and_keeps_consent(make_tracker, dispatcher, domain):
    from tests.actions.test_recommend import react

    await react(make_tracker, "test-user", "click_item", "tent-ridgeline-2")
    tracker = make_tracker("delete my data", slots={"product_type": "tent", "personalisation": False})
    events = await ActionDeleteMyData().run(dispatcher, tracker, domain)
    reply = texts(dispatcher)[0]
    assert "0 messages, 1 interest and 1 reaction to recommendations" in reply
    assert "gear you asked about (tent)" in reply
    assert events == [AllSlotsReset(), SlotSet("personalisation", False)]


async def test_delete_says_so_when_the_store_is_unreachable(make_tracker, dispatcher, domain, monkeypatch):
    from actions import settings

    monkeypatch.setenv("PARLEY_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    settings.reset_caches()
    await ActionDeleteMyData().run(dispatcher, make_tracker("forget me"), domain)
    assert "couldn't reach your stored profile" in texts(dispatcher)[0]


async def test_opt_out_and_back_in(make_tracker, dispatcher, domain):
    out = await ActionSetPersonalisation().run(
        dispatcher, make_tracker("stop", intent="opt_out_personalisation"), domain
    )
    back = await ActionSetPersonalisation().run(dispatcher, make_tracker("on", intent="opt_in_personalisation"), domain)
    assert out == [SlotSet("personalisation", False)]
    assert back == [SlotSet("personalisation", True)]
    assert len(dispatcher.messages) == 2
