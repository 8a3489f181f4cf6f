"""Asking instead of giving up: "Did you mean …?" with one button per plausible intent.

A message in the ambiguous band (the intent model's best guess is under the fallback threshold, or two guesses are
too close to call) still becomes `nlu_fallback`, but its ranking usually holds the right answer: on the conversation
benchmark the right intent is among the top three for most in-domain messages that fall back. So the fallback
action offers those intents as buttons, and a tap answers the customer's *original* message with the intent they
chose, as if the bot had understood it the first time.

This is Rasa's two-stage fallback idea, done in an action rather than with `action_two_stage_fallback`: Rasa's loop
re-plays the tap itself (the text "/ask_shipping"), which loses the customer's words, and with them the product,
budget or order number that the recommender and the order lookup read. Here the tap's action reverts the fallback
turn and the tap, and re-issues the original message (its text, entities, sentiment and slot events) with the chosen
intent, confidence 1.0. The tap's payload only names a choice; the options are recomputed from the original
message, so a client cannot pick an intent that was not offered.

Button titles live in the domain (`utter_clarify_topics`, a custom response), with the rest of the bot's wording.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUtteranceReverted, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ParleyAction

FALLBACK_INTENT = "nlu_fallback"
CLARIFY_INTENT = "clarify"
CHOICE_ENTITY = "choice"
NONE_OF_THESE = "none"
TOPICS_RESPONSE = "utter_clarify_topics"
# An intent is offered when its calibrated confidence reaches this. Chosen on the conversation benchmark's dev third
# (`python -m benchmarks.conversation_quality` prints the sweep): the most in-domain fallbacks one tap from the
# right answer, then the fewest buttons for gibberish and out-of-scope messages. With the 0.5 threshold the band
# is narrow: a best guess of 0.4-0.5, or two guesses within 0.05 of each other.
ASK_FLOOR = 0.4
MAX_OPTIONS = 3


def topic_titles(domain: DomainDict) -> dict[str, str]:
    """Maps intent to button title, from the domain's `utter_clarify_topics` response (empty if it is missing)."""
    variations = (domain.get("responses") or {}).get(TOPICS_RESPONSE) or []
    for variation in variations:
        custom = variation.get("custom") or {}
        if isinstance(custom.get("topics"), dict):
            return {str(intent): str(title) for intent, title in custom["topics"].items()}
    return {}


def clarification_options(
    parse_data: dict[str, Any], titles: dict[str, str], floor: float = ASK_FLOOR, limit: int = MAX_OPTIONS
) -> list[str]:
    """The intents worth offering for one message, most likely first.

    Only intents with a title are offered (small talk and payload-only intents have none), and only those whose
    confidence reaches `floor`: below it a guess is noise, and the plain fallback serves the customer better.
    """
    ranking = parse_data.get("intent_ranking") or []
    scored = [
        (float(entry.get("confidence") or 0.0), str(entry.get("name")))
        for entry in ranking
        if entry.get("name") in titles and entry.get("name") != FALLBACK_INTENT
    ]
    scored.sort(key=lambda pair: -pair[0])
    return [name for confidence, name in scored[:limit] if confidence >= floor]


def clarification_buttons(options: list[str], titles: dict[str, str]) -> list[dict[str, str]]:
    """One button per option, then "something else"; each payload names only the choice."""
    choices = [*options, NONE_OF_THESE]
    fallback_title = titles.get(NONE_OF_THESE, "Something else")
    return [
        {
            "title": titles.get(choice, fallback_title),
            "payload": f"/{CLARIFY_INTENT}" + json.dumps({CHOICE_ENTITY: choice}, separators=(",", ":")),
        }
        for choice in choices
    ]


def asked_message(tracker: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The message the customer was asked about, and the slot events that followed it, or None.

    That is the user message before the latest one, and only if it fell back: a stale button tapped later in the
    conversation must not re-answer an old message.
    """
    users = [i for i, event in enumerate(tracker.events) if event.get("event") == "user"]
    if len(users) < 2:
        return None
    first, tap = users[-2], users[-1]
    event = tracker.events[first]
    if ((event.get("parse_data") or {}).get("intent") or {}).get("name") != FALLBACK_INTENT:
        return None
    slots = [e for e in tracker.events[first + 1 : tap] if e.get("event") == "slot"]
    return event, slots


def chosen(tracker: Tracker) -> str | None:
    """The choice the tap named, if any."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == CHOICE_ENTITY and entity.get("value"):
            return str(entity["value"])
    return None


class ActionClarify(ParleyAction):
    """Answers the customer's original message with the intent they tapped, or asks them to rephrase."""

    def name(self) -> str:
        return "action_clarify"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        choice = chosen(tracker)
        asked = asked_message(tracker)
        if asked is None or choice is None or choice == NONE_OF_THESE:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        original, slot_events = asked
        parse_data = dict(original.get("parse_data") or {})
        if choice not in clarification_options(parse_data, topic_titles(domain)):
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        parse_data["intent"] = {"name": choice, "confidence": 1.0}
        parse_data["clarified"] = True
        again = UserUttered(
            original.get("text") or "", parse_data=parse_data, input_channel=original.get("input_channel")
        )
        again["metadata"] = original.get("metadata") or {}  # the channel's identity and surface, as first received
        return [
            UserUtteranceReverted(),  # the tap
            UserUtteranceReverted(),  # the message that fell back
            ActionExecuted("action_listen"),
            again,
            *(SlotSet(event["name"], event.get("value")) for event in slot_events),
        ]
