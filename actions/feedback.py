"""Records what a customer does with a recommendation: "show me" (a click) or "not for me" (a dismissal).

Feedback is stored against the item and the customer; it moves their interests (if they allow personalisation),
removes dismissed items from their future picks, and feeds the collaborative signal for everyone. The buttons
carry the item id; "not for me" typed as text dismisses everything shown last.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.broadcast_consent import ask_for_broadcasts
from actions.profiles import current_user
from actions.settings import get_brand, get_catalog, get_database
from recommender.catalog import Item
from recommender.formatting import item_line
from store.feedback import record_feedback
from store.users import add_interest

logger = logging.getLogger(__name__)

KINDS = {"click_item": "click", "dismiss_item": "dismiss"}


def target_items(tracker: Tracker, kind: str) -> list[Item]:
    """The items the feedback is about: the button's item, else (for a typed dismissal) everything shown last."""
    catalog = get_catalog()
    named = [catalog.get(str(value)) for value in tracker.get_latest_entity_values("item_id")]
    items = [item for item in named if item is not None]
    if items or kind != "dismiss":
        return items
    shown = tracker.get_slot("shown_items") or []
    return [item for item in (catalog.get(str(i)) for i in shown) if item is not None]


def store_feedback(
    tracker: Tracker, items: list[Item], kind: str, dispatcher: CollectingDispatcher | None = None
) -> None:
    """Writes the feedback and moves the customer's interests (only with consent: `add_interest` checks).

    With a `dispatcher`, a click is also the moment to ask, once, whether they want news (`ask_for_broadcasts`).
    """
    source = "clicked" if kind == "click" else "dismissed"
    with get_database().session() as session:
        user, identity = current_user(session, tracker)
        for item in items:
            record_feedback(session, user, item.id, kind)
            if item.category:
                add_interest(session, user, item.category, source, delta=-1.0 if kind == "dismiss" else None)
        if dispatcher is not None and kind == "click":
            ask_for_broadcasts(dispatcher, user, identity, session)


class ActionRecordFeedback(ParleyAction):
    """Handles the `click_item` and `dismiss_item` intents (the recommendation buttons)."""

    def name(self) -> str:
        return "action_record_feedback"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = KINDS.get(intent or "", "click")
        items = target_items(tracker, kind)
        if not items:
            dispatcher.utter_message(
                text="I'm not sure which item you mean. Ask me for ideas and tap one of the buttons."
            )
            return []
        asked = CollectingDispatcher()
        try:
            store_feedback(tracker, items, kind, asked)
        except Exception:
            # The customer's request still gets its answer; the lost signal is in the log.
            logger.exception("Could not store %s feedback for %s", kind, tracker.sender_id)
        if kind == "click":
            item = items[0]
            dispatcher.utter_message(text=f"Good choice! {item_line(item, get_brand().currency_symbol)[2:]}")
            dispatcher.messages.extend(asked.messages)  # the news question, if it was asked, after the answer
            return []
        names = ", ".join(item.title for item in items)
        dispatcher.utter_message(text=f"Noted, I won't suggest {names} again. Ask me for more ideas whenever you like.")
        shown = [i for i in (tracker.get_slot("shown_items") or []) if i not in {item.id for item in items}]
        return [SlotSet("shown_items", shown)]
