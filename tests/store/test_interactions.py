from core.identity import Identity
from store.interactions import (
    conversation_turns,
    latest_interaction,
    record_action,
    record_bot_reply,
    record_user_turn,
)
from store.schema import Conversation, User
from store.users import find_user

PARSE = {
    "intent": {"name": "request_recommendation", "confidence": 0.93},
    "entities": [{"entity": "product_type", "value": "tent", "start": 10, "end": 14, "extractor": "Regex"}],
    "sentiment": {"label": "positive", "score": 0.81},
}


def test_a_turn_collects_nlu_action_reply_and_items(database):
    who = Identity("rest", "u1", surface="comment")
    with database.session() as session:
        record_user_turn(session, "conv-1", who, "recommend a tent", PARSE, message_id="m1", timestamp=1_700_000_000)
        assert record_action(session, "conv-1", "action_listen") is False  # bookkeeping is not "the bot's action"
        assert record_action(session, "conv-1", "action_recommend_content") is True
        assert record_action(session, "conv-1", "utter_anything_else") is False  # the first answer counts
        record_bot_reply(session, "conv-1", "Here are a few picks", ["tent-1", "guide-2"])
        record_bot_reply(session, "conv-1", "Anything else?", ["tent-1"])
    with database.session() as session:
        turn = latest_interaction(session, "conv-1")
        assert (turn.text, turn.intent) == ("recommend a tent", "request_recommendation")
        assert (turn.sentiment, turn.surface) == ("positive", "comment")
        assert turn.intent_confidence == 0.93 and turn.sentiment_score == 0.81
        assert turn.entities[0]["value"] == "tent"
        assert turn.action == "action_recommend_content"
        assert turn.reply == "Here are a few picks\nAnything else?"
        assert turn.items_shown == ["tent-1", "guide-2"]
        assert turn.created_at.year == 2023
        assert find_user(session, "rest", "u1") is not None


def test_odd_input_is_still_logged(database):
    who = Identity("rest", "u2")
    with database.session() as session:
        record_user_turn(session, "conv-2", who, None, None)
        record_user_turn(session, "conv-2", who, "<script>alert(1)</script> 🙂" * 50, {"intent": "not-a-dict"})
        assert record_bot_reply(session, "nobody", "hello") is False
    with database.session() as session:
        turns = conversation_turns(session, "conv-2")
        assert [t.text[:8] for t in turns] == ["", "<script>"]
        assert turns[1].intent is None


def test_a_rehearsal_runs_the_writes_and_keeps_nothing(database):
    who = Identity("rest", "rehearsed", surface="dm")
    with database.rehearsal() as session:
        record_user_turn(session, "conv-rehearsed", who, "hello", PARSE)
        assert latest_interaction(session, "conv-rehearsed").text == "hello"  # really written, inside the rehearsal
    with database.session() as session:
        assert latest_interaction(session, "conv-rehearsed") is None
        assert find_user(session, "rest", "rehearsed") is None


def test_the_detected_language_is_kept_on_the_turn_and_on_the_profile(database):
    def say(text: str, code: str) -> tuple[str | None, str | None]:
        """Logs one message with the NLU's language; returns the turn's language and the profile's."""
        with database.session() as session:
            parse = {"language": {"code": code, "confidence": 0.9}}
            turn = record_user_turn(session, "lang-1", Identity("rest", "lang-1"), text, parse)
            return turn.language, session.get(User, turn.user_id).language

    assert say("¿Dónde está mi pedido?", "es") == ("es", "es")
    assert say("ok", "und") == (None, "es")  # undetermined: nothing changes
    assert say("thanks", "en") == ("en", "es")  # one word is not enough to change the profile
    assert say("where is my order please", "en") == ("en", "en")


def test_a_message_in_an_undeclared_language_tags_its_conversation(database):
    with database.session() as session:
        parse = {"intent": {"name": "other_language", "confidence": 1.0}, "language": {"code": "de", "confidence": 0.9}}
        record_user_turn(session, "lang-2", Identity("rest", "lang-2"), "Wo ist meine Bestellung?", parse)
        record_user_turn(session, "lang-2", Identity("rest", "lang-2"), "Hallo, ist da jemand?", parse)
        record_action(session, "lang-2", "action_other_language")
    with database.session() as session:
        conversation = session.get(Conversation, "lang-2")
        assert conversation.tags == ["language:de"] and conversation.needs_human
