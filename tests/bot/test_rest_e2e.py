"""The whole bot over real HTTP: REST channel -> Rasa (trained model) -> action server -> catalog."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time

import pytest

from bot.launcher import http
from core.settings import PROJECT_ROOT as ROOT
from tests.conftest import plain_variations

pytestmark = pytest.mark.integration


def texts(replies):
    return [reply.get("text", "") for reply in replies]


def test_readme_example_gets_a_sensible_answer(stack):
    status, replies = stack.say("readme", "do you sell tents for two people?")
    assert status == 200
    [reply] = texts(replies)
    assert "Tent" in reply and "$" in reply


def test_a_conversation_through_the_form(stack):
    assert "order number" in texts(stack.say("orders", "where is my order")[1])[0]
    [reply] = texts(stack.say("orders", "KO-123456")[1])
    assert "https://kestrel-outdoor.example/orders/KO-123456" in reply


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "tent " * 819,  # 4,095 characters: just under the limit
        "😀🎉🏕️",
        "¿Dónde está mi pedido? Necesito ayuda urgente.",
        "<script>alert('x')</script><b>hello</b>",
        "asdf qwer zxcv",
    ],
    ids=["empty", "blank", "4kB", "emoji", "spanish", "html", "gibberish"],
)
def test_bad_input_gets_a_polite_reply(stack, message):
    status, replies = stack.say(f"bad-{hash(message)}", message)
    assert status == 200
    assert replies, "the bot must never answer with silence"
    assert all(reply.get("text") for reply in replies)


@pytest.mark.parametrize("body", [b"not json", b'{"sender": "x"}', b'{"sender": "x", "message": null}', b"[]"])
def test_malformed_requests_get_a_json_400(stack, body):
    status, reply = http("POST", f"{stack.rasa_url}/webhooks/rest/webhook", body)
    assert status == 400
    assert '{"sender":' in reply["error"]


def test_oversized_requests_are_refused_at_the_edge(stack):
    status, reply = stack.say("long-1", "tent " * 10_000)  # 50 kB: longer than any chat message can be
    assert (status, reply) == (400, {"error": "'message' must be at most 4096 characters (it has 50000)."})
    body = json.dumps({"sender": "big-1", "message": "x" * 2_000_000}).encode()  # past the server's 1 MB limit
    assert http("POST", f"{stack.rasa_url}/webhooks/rest/webhook", body)[0] == 413


def test_handoff_pauses_the_bot_until_make_resume(stack):
    [announcement] = texts(stack.say("handoff", "can I talk to a human")[1])
    assert "customer care team" in announcement
    status, replies = stack.say("handoff", "hello? anyone?")
    assert (status, replies) == (200, [])  # paused: a person answers now, the bot stays silent
    assert stack.say("someone-else", "hello")[1]  # other conversations are unaffected

    resumed = subprocess.run(
        ["make", "--no-print-directory", "resume", "SENDER=handoff"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "handed back to the bot" in resumed.stdout
    assert texts(stack.say("handoff", "hello")[1]) in [[greeting] for greeting in plain_variations("utter_greet")]


def test_the_full_text_is_kept_even_when_nlu_reads_less(stack):
    long_text = "my tent leaked " + "really " * 400 + "badly"
    stack.say("long", long_text)
    with sqlite3.connect(stack.logs / "tracker.db") as db:
        rows = db.execute("select data from events where sender_id = 'long' and type_name = 'user'").fetchall()
    assert json.loads(rows[-1][0])["text"] == long_text


EVERY_KIND_OF_MESSAGE = [
    "hi there",
    "recommend me something for winter camping",
    "",
    "zzqx blorp",
    "🙂🙂🙂",
    "<script>alert('x')</script>",
    ("my order KO-123456 is late " * 150).strip(),  # 4,049 characters: long, within the REST limit
    "this is terrible, my jacket ripped on day one",
    "can I talk to a human",
    "hello? is anyone there?",  # paused for a human: no reply, still logged
]


def test_every_turn_is_logged_whatever_happens(stack):
    """N messages of every kind -> N interaction rows, in order, with the NLU's reading and the bot's reply."""
    from store.db import Database
    from store.interactions import conversation_turns

    sender = "log-everything"
    for message in EVERY_KIND_OF_MESSAGE:
        status, _ = stack.say(sender, message)
        assert status == 200
    stack.settle()
    with Database(stack.db_url).session() as session:
        turns = conversation_turns(session, sender)
    assert [t.text for t in turns] == EVERY_KIND_OF_MESSAGE
    assert all(t.intent and t.intent_confidence is not None and t.sentiment for t in turns)
    assert turns[1].action == "action_recommend_content" and len(turns[1].items_shown) == 3
    assert turns[3].intent == "nlu_fallback" and turns[3].reply
    assert turns[7].sentiment == "negative"
    assert turns[-1].reply is None  # the bot stayed silent while paused, and the message is still on record


def test_each_message_is_logged_with_its_language_and_the_profile_follows(stack):
    from sqlalchemy import select

    from store.db import Database
    from store.interactions import conversation_turns
    from store.schema import User

    sender = "language-log"
    for message in ("hola, tienen tiendas de campaña para dos personas?", "ok", "Wo ist meine Bestellung?"):
        assert stack.say(sender, message)[0] == 200
    stack.settle()
    with Database(stack.db_url).session() as session:
        assert [t.language for t in conversation_turns(session, sender)] == ["es", None, "de"]
        assert session.execute(select(User.language).where(User.external_id == sender)).scalar_one() == "de"


def test_a_message_in_an_undeclared_language_is_acknowledged_and_goes_to_a_person(stack):
    from store.db import Database
    from store.schema import Conversation

    sender = "german-customer"
    status, replies = stack.say(sender, "Hallo, wo ist meine Bestellung? Sie ist seit zwei Wochen unterwegs.")
    assert status == 200
    [reply] = texts(replies)
    assert reply.startswith(
        "Thanks for your message! I can only answer in English, so I've passed it to our customer care team "
        "(German): a person will reply here, "
    )
    assert stack.say(sender, "Hallo?")[1] == []  # a person has it now: the bot stays silent
    stack.settle()
    with Database(stack.db_url).session() as session:
        conversation = session.get(Conversation, sender)
        assert conversation.needs_human and conversation.paused and "language:de" in conversation.tags


def test_a_spanish_order_status_question_is_answered_in_spanish(stack):
    sender = "spanish-order"
    [ask] = texts(stack.say(sender, "hola, ¿dónde está mi pedido? Lo hice hace una semana")[1])
    assert ask == (
        "Claro, lo compruebo. ¿Cuál es tu número de pedido? Tiene la forma KO-123456 y está en tu email de "
        "confirmación."
    )
    [answer] = texts(stack.say(sender, "KO-654321")[1])  # says nothing about its language: the reply stays Spanish
    assert answer == (
        "¡Gracias! Puedes seguir el pedido KO-654321 en directo en https://kestrel-outdoor.example/orders/KO-654321. "
        'Si lleva más de 5 días laborables de retraso o la página muestra un problema, escribe "hablar con una '
        'persona" y nuestro equipo lo resolverá.'
    )


def test_a_french_question_is_answered_in_french_and_english_switches_back(stack):
    sender = "french-returns"
    [answer] = texts(stack.say(sender, "Bonjour, comment puis-je retourner mes chaussures ?")[1])
    assert answer == (
        "Vous pouvez retourner le matériel non utilisé sous 60 jours pour un remboursement complet, et le matériel "
        "utilisé jusqu'à un an s'il n'a pas tenu ses promesses. Lancez le retour sur "
        "https://kestrel-outdoor.example/returns ; l'étiquette retour est gratuite."
    )
    [english] = texts(stack.say(sender, "sorry, do you ship to Canada and how long does it take?")[1])
    assert english.startswith("Standard shipping takes 3-5 working days")


def test_a_button_click_becomes_feedback(stack):
    from sqlalchemy import select

    from store.db import Database
    from store.schema import Feedback

    _, replies = stack.say("clicker", "recommend me a tent for two people")
    button = next(b for reply in replies for b in reply.get("buttons", []) if b["payload"].startswith("/click_item"))
    _, answer = stack.say("clicker", button["payload"])
    assert texts(answer)[0].startswith("Good choice!")
    stack.settle()
    with Database(stack.db_url).session() as session:
        kinds = session.execute(select(Feedback.kind, Feedback.item_id)).all()
    assert ("click", button["payload"].split('"')[3]) in kinds


def test_zz_action_server_outage_degrades_the_reply(stack):
    """Stops the shared action server (and restarts it after): the customer still gets an honest reply."""
    stack.stop_action_server()
    try:
        status, replies = stack.say("outage", "do you sell tents for two people?")
        assert status == 200
        [reply] = texts(replies)
        assert "can't look that up right now" in reply
        # rules without custom actions still answer
        assert texts(stack.say("outage", "hello")[1]) in [[greeting] for greeting in plain_variations("utter_greet")]
    finally:
        stack.start_action_server()


def test_a_did_you_mean_tap_answers_the_original_message(stack):
    """The fallback turn and the question are injected (the model's ambiguity is not ours to pick in a test; the
    asking is tested in tests/actions/test_clarify.py); the tap goes through the REST channel and real Rasa."""
    from actions.clarify import clarification_buttons
    from tests.stack_fixtures import API_TOKEN

    sender = "clarify-e2e"
    text = "KO-123456 still hasnt turned up, or can i send it back??"
    ranking = [("nlu_fallback", 0.5), ("order_status", 0.44), ("ask_returns", 0.41), ("greet", 0.02)]
    parse_data = {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "entities": [{"entity": "order_number", "value": "KO-123456", "start": 0, "end": 9}],
        "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in ranking],
    }
    buttons = clarification_buttons(["order_status", "ask_returns"], {})
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": parse_data, "input_channel": "rest"},
        {"event": "slot", "name": "order_number", "value": "KO-123456"},
        {"event": "action", "name": "action_fallback"},
        {"event": "bot", "text": "I want to get this right. Did you mean one of these?", "data": {"buttons": buttons}},
        {"event": "action", "name": "action_listen"},
    ]
    # After the session start Rasa adds when the events arrive: stores order events by timestamp.
    now = time.time() + 1
    events = [{**event, "timestamp": now + i / 1000} for i, event in enumerate(events)]
    url = f"{stack.rasa_url}/conversations/{sender}/tracker/events?token={API_TOKEN}"
    assert http("POST", url, json.dumps(events).encode())[0] == 200

    [reply] = texts(stack.say(sender, buttons[0]["payload"])[1])
    assert reply == (
        "Thanks! You can follow order KO-123456 live at https://kestrel-outdoor.example/orders/KO-123456. "
        "If it's more than 5 working days late or the page shows a problem, "
        'say "talk to a human" and our team will sort it out.'
    )
    tracker = http("GET", f"{stack.rasa_url}/conversations/{sender}/tracker?token={API_TOKEN}")[1]
    assert tracker["latest_message"]["text"] == text
    assert tracker["latest_message"]["intent"] == {"name": "order_status", "confidence": 1.0}


def test_the_server_warmed_up_before_ready_and_left_no_trace(stack):
    from bot.warmup import WARM_UP_SENDER

    assert http("GET", f"{stack.rasa_url}/webhooks/rest/") == (200, {"status": "ok"})
    assert "Warmed up in" in (stack.logs / "rasa.log").read_text(encoding="utf-8")
    with sqlite3.connect(stack.logs / "tracker.db") as db:
        assert db.execute("select count(*) from events where sender_id = ?", (WARM_UP_SENDER,)).fetchone() == (0,)
    with sqlite3.connect(stack.logs / "parley.db") as db:
        assert db.execute("select count(*) from conversations where id = ?", (WARM_UP_SENDER,)).fetchone() == (0,)


def test_a_rest_client_cannot_read_another_customers_data(stack):
    """`metadata.user_id` from a REST client names nobody: the answer is the asker's own (empty) profile."""
    for text in ("do you have tents for two?", "I want a warm sleeping bag"):
        assert stack.say("victim-rest-1", text)[1]

    def ask(sender: str, metadata: dict | None = None) -> list[str]:
        body = {
            "sender": sender,
            "message": "what do you know about me?",
            **({"metadata": metadata} if metadata else {}),
        }
        status, replies = http("POST", f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps(body).encode())
        assert status == 200
        return [r["text"] for r in replies]

    fresh = ask("bystander-rest-1")
    assert fresh[0].startswith("Here's what I hold about you:\n")
    assert ask("attacker-rest-1", {"user_id": "victim-rest-1"}) == fresh


def test_delete_my_data_erases_every_copy(stack):
    """Before: the tracker, the deletion turn's inbox row and the logs kept what the customer wrote."""
    import subprocess

    from core.rasa_api import RasaAPI
    from store.db import Database
    from store.schema import Conversation, Interaction
    from tests.stack_fixtures import API_TOKEN

    secret = "Quillon Marbleweed"
    sender = "erase-me-1"
    assert stack.say(sender, f"hi, I am {secret} and I need a tent for two")[1]
    assert stack.say(sender, "do you sell sleeping bags?")[1]
    stack.settle()
    [reply] = texts(stack.say(sender, "delete my data")[1])
    assert reply.startswith("Done. I've erased your stored profile: 2 messages")
    stack.settle()

    events = RasaAPI(stack.rasa_url, API_TOKEN).tracker_events(sender)
    assert secret not in json.dumps(events) and "sleeping bags" not in json.dumps(events)
    assert [e["event"] for e in events if e["event"] in ("user", "bot")] == []
    with Database(stack.db_url).session() as session:
        assert session.query(Interaction).filter(Interaction.conversation_id == sender).count() == 0
        record = session.get(Conversation, sender)
        assert (record.tags, record.last_text, record.message_count) == (["erased"], "", 0)
    found = subprocess.run(["grep", "-rl", secret, str(stack.logs)], capture_output=True, text=True)
    assert found.stdout == "", found.stdout  # not in the tracker store, the log, the spool or the servers' logs
    assert stack.say(sender, "hello")[1]  # the conversation goes on, afresh
