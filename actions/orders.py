"""Order status: a form collects and validates the order number, then the customer gets the tracking link.

Parley has no order system of its own; the brand's tracking page (`order_tracking_url` in `brand/brand.yml`) is the
integration point, so the bot never invents a delivery status.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.parsing import normalise_order_number
from actions.settings import get_brand


class ValidateOrderStatusForm(FormValidationAction):
    """Accepts an order number only in the brand's format, canonicalised (e.g. "ko123456" -> "KO-123456")."""

    def name(self) -> str:
        return "validate_order_status_form"

    async def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps a well-formed order number; otherwise explains the format and asks again."""
        brand = get_brand()
        number = normalise_order_number(
            value if isinstance(value, str) else None, brand.order_number_pattern, brand.order_number_prefix
        )
        if number is None:
            dispatcher.utter_message(response="utter_invalid_order_number")
        return {"order_number": number}


class ActionOrderStatus(ParleyAction):
    """Tells the customer where to track the order, then forgets the number so the next question starts fresh."""

    def name(self) -> str:
        return "action_order_status"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        number = tracker.get_slot("order_number")
        if not number:
            dispatcher.utter_message(response="utter_ask_order_number")
            return []
        url = get_brand().order_tracking_url.format(order_number=number)
        dispatcher.utter_message(response="utter_order_tracking", number=number, url=url)
        return [SlotSet("order_number", None)]
