from rasa_sdk.events import AllSlotsReset, ConversationPaused, SlotSet

from actions.handoff import ActionHandoff
from actions.privacy import ActionDeleteMyData, ActionSetPersonalisation, ActionShowMyData
from tests.conftest import texts


async def test_handoff_announces_and_pauses(make_tracker, dispatcher, domain):
    events = await ActionHandoff().run(dispatcher, make_tracker("human please"), domain)
    assert texts(dispatcher) == ["utter_handoff"]
    assert events == [ConversationPaused()]


async def test_show_my_data_lists_what_is_held(make_tracker, dispatcher, domain):
    tracker = make_tracker("what do you know about me", slots={"product_type": "tent", "order_number": "KO-123456"})
    await ActionShowMyData().run(dispatcher, tracker, domain)
    reply = texts(dispatcher)[0]
    assert "gear you asked about: tent" in reply
    assert "order number: KO-123456" in reply
    assert "personalised recommendations: on" in reply
    assert "1 so far" in reply


async def test_delete_my_data_says_what_it_erased_and_keeps_consent(make_tracker, dispatcher, domain):
    tracker = make_tracker("delete my data", slots={"product_type": "tent", "personalisation": False})
    events = await ActionDeleteMyData().run(dispatcher, tracker, domain)
    assert "gear you asked about (tent)" in texts(dispatcher)[0]
    assert events == [AllSlotsReset(), SlotSet("personalisation", False)]


async def test_delete_with_nothing_stored(make_tracker, dispatcher, domain):
    await ActionDeleteMyData().run(dispatcher, make_tracker("forget me"), domain)
    assert "nothing personal was stored" in texts(dispatcher)[0]


async def test_opt_out_and_back_in(make_tracker, dispatcher, domain):
    out = await ActionSetPersonalisation().run(
        dispatcher, make_tracker("stop", intent="opt_out_personalisation"), domain
    )
    back = await ActionSetPersonalisation().run(dispatcher, make_tracker("on", intent="opt_in_personalisation"), domain)
    assert out == [SlotSet("personalisation", False)]
    assert back == [SlotSet("personalisation", True)]
    assert len(dispatcher.messages) == 2
