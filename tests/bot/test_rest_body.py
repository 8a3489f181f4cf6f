import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered

from bot.rest import BadRequest, custom_action_ran_since_last_user_turn, parse_body, response_text


def test_valid_body():
    message = parse_body(b'{"sender": "u1", "message": "hi", "metadata": {"k": 1}}')
    assert (message.sender, message.text, message.metadata) == ("u1", "hi", {"k": 1})


def test_empty_text_is_a_message_and_sender_defaults():
    message = parse_body(b'{"message": ""}')
    assert (message.sender, message.text) == ("default", "")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"sender": "u1"}', "'message' must be a string"),
        (b'{"sender": "u1", "message": null}', "'message' must be a string"),
        (b'{"sender": "u1", "message": 42}', "'message' must be a string"),
        (b'{"sender": "", "message": "hi"}', "'sender' must be a non-empty string"),
        (b'{"sender": "u1", "message": "hi", "metadata": [1]}', "'metadata' must be a JSON object"),
        (b"\xff\xfe", "not valid JSON"),
        (b'{"sender": "u1", "message": "' + b"a" * 4097 + b'"}', "'message' must be at most 4096 characters"),
        (b'{"sender": "' + b"s" * 256 + b'", "message": "hi"}', "'sender' must be at most 255 characters"),
        (b'{"sender": "u1", "message": "hi", "metadata": {"k": "' + b"m" * 5000 + b'"}}', "'metadata' must be at most"),
    ],
)
def test_bad_bodies_are_explained(body, reason):
    with pytest.raises(BadRequest, match=reason) as error:
        parse_body(body)
    # the shape errors show a valid body to copy; the metadata and length errors name the limit instead
    assert ('{"sender":' in str(error.value)) is ("metadata" not in reason and "at most" not in reason)


class _Domain:
    def __init__(self):
        self.responses = {"utter_default": [{"text": "Say again?"}]}


class _Agent:
    def __init__(self):
        self.domain = _Domain()


def test_response_text_comes_from_the_domain():
    assert response_text(_Agent(), "utter_default", "x") == "Say again?"
    assert response_text(_Agent(), "utter_missing", "fallback") == "fallback"


def test_response_text_is_in_the_customers_language_and_english_by_default():
    """Before: the first variation was taken, and with Spanish written first an English customer got Spanish."""
    agent = _Agent()
    spanish = {"condition": [{"type": "slot", "name": "language", "value": "es"}], "text": "¿Puedes repetirlo?"}
    upset = {"condition": [{"type": "slot", "name": "sentiment", "value": "negative"}], "text": "Sorry! Again?"}
    agent.domain.responses["utter_default"] = [spanish, upset, {"text": "Say again?"}]
    assert response_text(agent, "utter_default", "x") == "Say again?"
    assert response_text(agent, "utter_default", "x", "en") == "Say again?"
    assert response_text(agent, "utter_default", "x", "es") == "¿Puedes repetirlo?"
    assert response_text(agent, "utter_default", "x", "fr") == "Say again?"


class _Tracker:
    def __init__(self, events):
        self.events = events


def test_a_failed_custom_action_is_told_apart_from_not_understanding():
    custom = {"action_search_catalog"}
    failed = _Tracker([UserUttered("hi"), ActionExecuted("action_search_catalog"), ActionExecuted("action_listen")])
    not_understood = _Tracker(
        [ActionExecuted("action_search_catalog"), UserUttered("hi"), ActionExecuted("action_listen")]
    )
    assert custom_action_ran_since_last_user_turn(failed, custom)
    assert not custom_action_ran_since_last_user_turn(not_understood, custom)
