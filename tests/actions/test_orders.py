from rasa_sdk.events import SlotSet

from actions.orders import ActionOrderStatus, ValidateOrderStatusForm
from tests.conftest import said, texts


async def test_valid_order_number_is_canonicalised(make_tracker, dispatcher, domain):
    result = await ValidateOrderStatusForm().validate_order_number("ko123456", dispatcher, make_tracker(), domain)
    assert result == {"order_number": "KO-123456"}
    assert dispatcher.messages == []


async def test_invalid_order_number_is_rejected_with_help(make_tracker, dispatcher, domain):
    result = await ValidateOrderStatusForm().validate_order_number("12", dispatcher, make_tracker(), domain)
    assert result == {"order_number": None}
    assert texts(dispatcher) == ["utter_invalid_order_number"]


async def test_order_status_links_the_tracking_page_and_clears_the_slot(make_tracker, dispatcher, domain):
    tracker = make_tracker("KO-123456", slots={"order_number": "KO-123456"})
    events = await ActionOrderStatus().run(dispatcher, tracker, domain)
    assert said(dispatcher) == [
        "Thanks! You can follow order KO-123456 live at https://kestrel-outdoor.example/orders/KO-123456. If it's "
        'more than 5 working days late or the page shows a problem, say "talk to a human" and our team will sort it '
        "out."
    ]
    assert events == [SlotSet("order_number", None)]


async def test_order_status_without_a_number_asks_for_it(make_tracker, dispatcher, domain):
    await ActionOrderStatus().run(dispatcher, make_tracker("where is it"), domain)
    assert texts(dispatcher) == ["utter_ask_order_number"]
