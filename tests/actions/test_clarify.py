"""'Did you mean …?': which intents are offered, and what a tap does to the conversation."""

from __future__ import annotations

import json

import pytest

from actions.clarify import ActionClarify, clarification_buttons, clarification_options, topic_titles
from actions.fallback import ActionFallback
from tests.conftest import domain_responses, texts


@pytest.fixture(scope="module")
def real_domain():
    """The bot's own responses (where the button titles live)."""
    return {"responses": domain_responses()}


def parse(text, ranking, entities=()):
    return {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "entities": list(entities),
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.5}]
        + [{"name": name, "confidence": confidence} for name, confidence in ranking],
        "sentiment": {"label": "neutral", "score": 0.1},
    }


def user_event(parse_data, metadata=None):
    return {
        "event": "user",
        "text": parse_data["text"],
        "parse_data": parse_data,
        "input_channel": "telegram",
        "metadata": metadata or {},
    }


def tap(choice):
    payload = clarification_buttons([choice], {})[0]["payload"]
    return {
        "event": "user",
        "text": payload,
        "parse_data": {
            "text": payload,
            "intent": {"name": "clarify", "confidence": 1.0},
            "entities": [{"entity": "choice", "value": choice}],
        },
    }


AMBIGUOUS = parse(
    "any 2 person tents that ship to canada??",
    [("request_recommendation", 0.47), ("ask_shipping", 0.44), ("product_info", 0.39), ("greet", 0.05)],
    entities=[{"entity": "product_type", "value": "tent", "start": 13, "end": 18}],
)


def test_titles_come_from_the_domain(real_domain):
    titles = topic_titles(real_domain)
    assert titles["ask_shipping"] == "Shipping"
    assert titles["none"] == "Something else"
    assert "greet" not in titles and "delete_my_data" not in titles


def test_offers_the_plausible_intents_with_titles_most_likely_first(real_domain):
    titles = topic_titles(real_domain)
    assert clarification_options(AMBIGUOUS, titles) == ["request_recommendation", "ask_shipping"]
    # small talk has no title, so even a confident greet is never offered
    assert clarification_options(parse("hey yo", [("greet", 0.48), ("ask_price", 0.1)]), titles) == []


def test_buttons_name_only_the_choice_and_end_with_something_else(real_domain):
    titles = topic_titles(real_domain)
    buttons = clarification_buttons(["ask_shipping"], titles)
    assert buttons == [
        {"title": "Shipping", "payload": '/clarify{"choice":"ask_shipping"}'},
        {"title": "Something else", "payload": '/clarify{"choice":"none"}'},
    ]
    # Telegram's callback data holds at most 64 bytes
    longest = max(topic_titles(real_domain), key=len)
    assert len(clarification_buttons([longest], titles)[0]["payload"].encode()) <= 64


async def test_fallback_in_the_ambiguous_band_asks_with_buttons(make_tracker, dispatcher, real_domain):
    tracker = make_tracker(events=[user_event(AMBIGUOUS)])
    tracker.latest_message = AMBIGUOUS
    assert await ActionFallback().run(dispatcher, tracker, real_domain) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_clarify"
    assert [button["title"] for button in message["buttons"]] == ["Recommend some gear", "Shipping", "Something else"]


async def test_fallback_without_a_plausible_guess_says_it_did_not_understand(make_tracker, dispatcher, real_domain):
    mash = parse("sdfg hjkl", [("thank", 0.04), ("ask_price", 0.03)])
    tracker = make_tracker(events=[user_event(mash)])
    tracker.latest_message = mash
    assert await ActionFallback().run(dispatcher, tracker, real_domain) == []
    assert texts(dispatcher) == ["utter_default"]


async def test_a_tap_re_issues_the_original_message_with_the_chosen_intent(make_tracker, dispatcher, real_domain):
    metadata = {"surface": "dm", "telegram_user_id": 42}
    slots = [
        {"event": "slot", "name": "product_type", "value": "tent"},
        {"event": "slot", "name": "sentiment", "value": "neutral"},
    ]
    events = [
        user_event(AMBIGUOUS, metadata),
        *slots,
        {"event": "action", "name": "action_fallback"},
        {"event": "bot", "text": "I want to get this right."},
        {"event": "action", "name": "action_listen"},
        tap("ask_shipping"),
    ]
    tracker = make_tracker(events=events, entities=[{"entity": "choice", "value": "ask_shipping"}])
    result = await ActionClarify().run(dispatcher, tracker, real_domain)
    assert dispatcher.messages == []
    assert [event["event"] for event in result] == ["rewind", "rewind", "action", "user", "slot", "slot"]
    again = result[3]
    assert again["text"] == "any 2 person tents that ship to canada??"
    assert again["parse_data"]["intent"] == {"name": "ask_shipping", "confidence": 1.0}
    assert again["parse_data"]["entities"] == AMBIGUOUS["entities"]
    assert again["parse_data"]["sentiment"] == {"label": "neutral", "score": 0.1}
    assert again["metadata"] == metadata and again["input_channel"] == "telegram"
    assert result[4:] == [
        {"event": "slot", "timestamp": None, "name": "product_type", "value": "tent"},
        {"event": "slot", "timestamp": None, "name": "sentiment", "value": "neutral"},
    ]
    assert AMBIGUOUS["intent"]["name"] == "nlu_fallback", "the original event must not be modified"


@pytest.mark.parametrize(
    ("choice", "why"),
    [("none", "something else"), ("delete_my_data", "never offered"), ("product_info", "under the floor")],
)
async def test_a_tap_that_was_not_offered_asks_to_rephrase(make_tracker, dispatcher, real_domain, choice, why):
    events = [user_event(AMBIGUOUS), {"event": "bot", "text": "?"}, tap(choice)]
    tracker = make_tracker(events=events, entities=[{"entity": "choice", "value": choice}])
    assert await ActionClarify().run(dispatcher, tracker, real_domain) == [], why
    assert texts(dispatcher) == ["utter_ask_rephrase"]


async def test_a_stale_button_does_not_re_answer_an_old_message(make_tracker, dispatcher, real_domain):
    understood = {"text": "hi", "intent": {"name": "greet", "confidence": 0.99}, "entities": []}
    events = [user_event(AMBIGUOUS), user_event(understood), tap("ask_shipping")]
    tracker = make_tracker(events=events, entities=[{"entity": "choice", "value": "ask_shipping"}])
    assert await ActionClarify().run(dispatcher, tracker, real_domain) == []
    assert texts(dispatcher) == ["utter_ask_rephrase"]


def test_payloads_parse_as_json():
    [button, _] = clarification_buttons(["order_status"], {})
    intent, _, entities = button["payload"][1:].partition("{")
    assert intent == "clarify" and json.loads("{" + entities) == {"choice": "order_status"}
