"""The reply to a message the NLU could not place (`nlu_fallback`), which offers a person when it keeps happening.

A message in the ambiguous band gets "Did you mean …?" with a button per plausible intent (`actions.clarify`).
Otherwise one misunderstanding gets the "here is what I can do" reply. A second in a row means the customer and the
bot are stuck, so a person is offered (`utter_offer_human` runs next, and the handoff rules take the answer).
Upset customers are handled by a rule that offers a person straight away.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction
from actions.clarify import clarification_buttons, clarification_options, topic_titles

FALLBACK_INTENT = "nlu_fallback"
OFFER_HUMAN_AFTER = 2


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user messages in a row were not understood (the current one included)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionFallback(ParleyAction):
    """Asks "did you mean" when the guess is close; else says it did not understand, then offers a person."""

    def name(self) -> str:
        return "action_fallback"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if consecutive_fallbacks(tracker) >= OFFER_HUMAN_AFTER:
            dispatcher.utter_message(response="utter_default")
            return [FollowupAction("utter_offer_human")]
        titles = topic_titles(domain)
        # the topic buttons are written in English: a Spanish or French customer gets the plain "please rephrase"
        english = (tracker.get_slot("language") or "en") == "en"
        options = clarification_options(tracker.latest_message or {}, titles) if english else []
        if options:
            dispatcher.utter_message(response="utter_ask_clarify", buttons=clarification_buttons(options, titles))
        else:
            dispatcher.utter_message(response="utter_default")
        return []
