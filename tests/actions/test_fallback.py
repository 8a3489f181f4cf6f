from rasa_sdk.events import FollowupAction

from actions.fallback import ActionFallback, consecutive_fallbacks
from tests.conftest import texts


def user(text, intent):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": 0.2}}}


def test_counts_only_the_latest_run_of_fallbacks(make_tracker):
    events = [
        user("hi", "greet"),
        user("???", "nlu_fallback"),
        user("hmm", "greet"),
        user("x", "nlu_fallback"),
        {"event": "bot", "text": "Sorry"},
        user("y", "nlu_fallback"),
    ]
    assert consecutive_fallbacks(make_tracker(events=events)) == 2


async def test_first_misunderstanding_just_says_so(make_tracker, dispatcher, domain):
    tracker = make_tracker(events=[user("hi", "greet"), user("???", "nlu_fallback")])
    assert await ActionFallback().run(dispatcher, tracker, domain) == []
    assert texts(dispatcher) == ["utter_default"]


async def test_second_misunderstanding_in_a_row_offers_a_person(make_tracker, dispatcher, domain):
    tracker = make_tracker(events=[user("???", "nlu_fallback"), user("!!!", "nlu_fallback")])
    assert await ActionFallback().run(dispatcher, tracker, domain) == [FollowupAction("utter_offer_human")]
    assert texts(dispatcher) == ["utter_default"]
