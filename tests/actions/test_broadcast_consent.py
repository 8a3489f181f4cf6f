"""Consent to broadcasts: asked once after a click in a private Telegram chat, recorded exactly, never assumed."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import settings
from actions.broadcast_consent import ActionBroadcastConsent
from actions.feedback import ActionRecordFeedback
from store.schema import User

TELEGRAM_DM = {"input_channel": "telegram_ptb", "metadata": {"user_id": "4242", "surface": "dm"}}


async def click(make_tracker, sender, item="tent-ridgeline-2", where=TELEGRAM_DM):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "/click_item", intent="click_item", sender_id=sender, entities=[{"entity": "item_id", "value": item}], **where
    )
    await ActionRecordFeedback().run(dispatcher, tracker, {})
    return dispatcher.messages


async def answer(make_tracker, sender, intent, where=TELEGRAM_DM):
    dispatcher = CollectingDispatcher()
    await ActionBroadcastConsent().run(
        dispatcher, make_tracker(f"/{intent}", intent=intent, sender_id=sender, **where), {}
    )
    return dispatcher.messages


def consent(external_id: str):
    with settings.get_database().session() as session:
        user = session.execute(select(User).where(User.external_id == external_id)).scalar_one()
        return user.consent_broadcasts, user.broadcasts_asked_at is not None


async def test_the_first_click_in_a_private_telegram_chat_asks_once(make_tracker):
    first = await click(make_tracker, "tg:4242")
    assert first[0]["text"].startswith("Good choice! Ridgeline")
    assert first[1]["response"] == "utter_ask_broadcasts" and first[1]["per_week"] == 2
    assert consent("4242") == (None, True)  # asked, not assumed
    again = await click(make_tracker, "tg:4242", item="shoe-talus-gtx")
    assert len(again) == 1  # never asked twice


async def test_no_question_in_public_or_where_a_bot_cannot_write_first(make_tracker):
    comment = {"input_channel": "telegram_ptb", "metadata": {"user_id": "77", "surface": "comment"}}
    assert len(await click(make_tracker, "tg-comment-1", where=comment)) == 1
    assert len(await click(make_tracker, "web-1", where={"input_channel": "rest"})) == 1


async def test_yes_then_stop_are_recorded_and_confirmed(make_tracker):
    [yes] = await answer(make_tracker, "tg:4242", "subscribe_broadcasts")
    assert (yes["response"], yes["per_week"]) == ("utter_broadcasts_subscribed", 2)
    assert consent("4242") == (True, True)
    [stop] = await answer(make_tracker, "tg:4242", "unsubscribe_broadcasts")
    assert stop["response"] == "utter_broadcasts_stopped"
    assert consent("4242") == (False, True)


async def test_yes_where_no_broadcast_can_reach_is_not_recorded(make_tracker):
    [reply] = await answer(make_tracker, "web-2", "subscribe_broadcasts", where={"input_channel": "rest"})
    assert reply["response"] == "utter_broadcasts_telegram_only"
    assert consent("web-2") == (None, False)


async def test_a_store_outage_says_so_instead_of_pretending(make_tracker, monkeypatch):
    monkeypatch.setenv("PARLEY_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    settings.reset_caches()
    [reply] = await answer(make_tracker, "tg:4242", "unsubscribe_broadcasts")
    assert reply["response"] == "utter_broadcasts_unsaved"
