"""Privacy requests: show what the assistant holds about the customer, forget it, and switch personalisation.

Today the assistant's memory of a customer is this conversation's slots; the profile store extends these actions.
Each reply says exactly what was shown or cleared, never more than is true.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import AllSlotsReset, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction

# Slots that describe the customer (as opposed to conversation plumbing like `requested_slot`).
PERSONAL_SLOTS = {"product_type": "gear you asked about", "order_number": "order number"}


def remembered_facts(tracker: Tracker) -> dict[str, str]:
    """Human-readable label -> value for every personal slot that is set."""
    return {label: str(tracker.get_slot(slot)) for slot, label in PERSONAL_SLOTS.items() if tracker.get_slot(slot)}


def personalisation_enabled(tracker: Tracker) -> bool:
    """Personalisation is on unless the customer opted out (the slot defaults to true)."""
    return tracker.get_slot("personalisation") is not False


class ActionShowMyData(ParleyAction):
    """Lists what the assistant remembers about the customer."""

    def name(self) -> str:
        return "action_show_my_data"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        facts = remembered_facts(tracker)
        lines = [f"• {label}: {value}" for label, value in facts.items()]
        lines.append(f"• personalised recommendations: {'on' if personalisation_enabled(tracker) else 'off'}")
        lines.append(
            f"• this conversation's messages ({sum(1 for e in tracker.events if e.get('event') == 'user')} so far), "
            "kept so our team can review them"
        )
        dispatcher.utter_message(text="Here's what I hold about you:\n" + "\n".join(lines))
        return []


class ActionDeleteMyData(ParleyAction):
    """Forgets what the assistant remembers about the customer and says what was erased."""

    def name(self) -> str:
        return "action_delete_my_data"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        facts = remembered_facts(tracker)
        erased = ", ".join(f"{label} ({value})" for label, value in facts.items()) or "nothing personal was stored"
        dispatcher.utter_message(
            text=f"Done. I've erased what I remembered about you: {erased}. Your personalisation choice is kept."
        )
        return [AllSlotsReset(), SlotSet("personalisation", personalisation_enabled(tracker))]


class ActionSetPersonalisation(ParleyAction):
    """Turns personalised recommendations off (`opt_out_personalisation`) or back on."""

    def name(self) -> str:
        return "action_set_personalisation"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        enable = intent != "opt_out_personalisation"
        if enable:
            dispatcher.utter_message(text="Personalised recommendations are back on. You can opt out any time.")
        else:
            dispatcher.utter_message(
                text="Done: from now on my recommendations won't use anything you've told me before. "
                'Say "turn personalisation back on" if you change your mind.'
            )
        return [SlotSet("personalisation", enable)]
