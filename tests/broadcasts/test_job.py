"""The broadcast job against the fake Bot API: who gets it, what they get, stops, caps, quiet hours, 429s, resumes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from broadcasts.job import with_bot
from channels.outreach import Policy
from store import broadcasts as store
from store.schema import Broadcast, BroadcastDelivery, User


def utc(moment: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite returns it naive, in UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


async def run(shop, broadcast_id, **job_args):
    job = shop.job(**job_args)
    return await with_bot(job.sender.bot, lambda: job.run(broadcast_id))


async def test_only_people_who_said_yes_get_it_once_each_with_their_picks_and_a_stop_button(shop):
    yes = [shop.customer(1001), shop.customer(1002)]
    shop.customer(1003, consent=False)  # said no
    shop.customer(1004, consent=None)  # never asked: never assumed
    broadcast_id = shop.broadcast("New winter gear is in!", category="tent")
    outcome = await run(shop, broadcast_id)
    assert sorted(shop.sent_to()) == [1001, 1002]
    assert outcome.statuses == {"sent": 2} and outcome.planned == 2
    first = shop.api.sent()[0].params
    assert first["text"].startswith("New winter gear is in!\n\n• ")
    assert first["text"].endswith(
        "You get these because you asked Kestrel Outdoor for news. Tap “Stop these messages” to stop them."
    )
    buttons = [row[0] for row in first["reply_markup"]["inline_keyboard"]]
    assert buttons[-1] == {"text": "🔕 Stop these messages", "callback_data": "/unsubscribe_broadcasts"}
    assert [b["callback_data"][:12] for b in buttons[:-1]] == ["/click_item{"] * 3
    with shop.database.session() as session:
        rows = session.execute(select(BroadcastDelivery).order_by(BroadcastDelivery.id)).scalars().all()
        assert [r.user_id for r in rows] == yes
        assert all(len(r.items) == 3 and r.message_id for r in rows)
        categories = {item.category for r in rows for item in map(shop.resources.catalog.get, r.items)}
        assert categories == {"tent"}
        assert session.get(Broadcast, broadcast_id).status == "done"
    again = await run(shop, broadcast_id)  # done: nothing more
    assert again.statuses == {} and len(shop.api.sent()) == 2


async def test_a_stop_mid_broadcast_halts_further_messages_to_that_person(shop):
    shop.customer(2001)
    second = shop.customer(2002)
    shop.customer(2003)
    broadcast_id = shop.broadcast()
    job = shop.job()
    job.concurrency = 1
    original = job.sender.send

    async def send_then_second_says_stop(chat_id, text, buttons):
        message_id = await original(chat_id, text, buttons)
        if chat_id == "2001":  # while the broadcast is going out, customer 2002 taps "Stop these messages"
            with shop.database.session() as session:
                store.set_broadcast_consent(session, session.get(User, second), False)
        return message_id

    job.sender.send = send_then_second_says_stop
    await with_bot(job.sender.bot, lambda: job.run(broadcast_id))
    assert shop.sent_to() == [2001, 2003]
    with shop.database.session() as session:
        skipped = session.execute(
            select(BroadcastDelivery.user_id, BroadcastDelivery.reason).where(BroadcastDelivery.status == "skipped")
        ).all()
    assert skipped == [(second, "no consent (stopped)")]


async def test_429_is_waited_out_for_its_retry_after(shop):
    shop.customer(3001)
    shop.api.fail_next = 1
    await run(shop, shop.broadcast())
    refused, delivered = shop.api.sent()
    assert int(refused.params["chat_id"]) == int(delivered.params["chat_id"]) == 3001
    assert delivered.at - refused.at >= 1.0  # Telegram said retry_after 1
    assert shop.sent_to().count(3001) == 2  # the refused attempt and the delivered one; the person got one


async def test_weekly_cap_and_quiet_hours(shop):
    shop.customer(4001)
    denver_night = datetime(2026, 12, 3, 5, 0, tzinfo=timezone.utc)  # 22:00 in Denver
    shop.customer(4002, timezone_name="Europe/Madrid")  # 06:00 in Madrid: quiet too
    capped = Policy(per_week=1, timezone="America/Denver")
    first = shop.broadcast("One")
    outcome = await run(shop, first, policy=capped, clock=lambda: denver_night)
    assert shop.sent_to() == [] and outcome.deferred == 2
    with shop.database.session() as session:
        waiting = dict(session.execute(select(BroadcastDelivery.chat_id, BroadcastDelivery.not_before)).all())
    assert utc(waiting["4001"]) == datetime(2026, 12, 3, 15, 0, tzinfo=timezone.utc)  # 8:00 in Denver
    assert utc(waiting["4002"]) == datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)  # 8:00 in Madrid
    madrid_morning = datetime(2026, 12, 3, 7, 30, tzinfo=timezone.utc)
    await run(shop, first, policy=capped, clock=lambda: madrid_morning)
    assert shop.sent_to() == [4002]
    denver_morning = datetime(2026, 12, 3, 15, 30, tzinfo=timezone.utc)
    await run(shop, first, policy=capped, clock=lambda: denver_morning)
    assert shop.sent_to() == [4002, 4001]
    second = shop.broadcast("Two")
    await run(shop, second, policy=capped, clock=lambda: denver_morning + timedelta(hours=1))
    assert shop.sent_to() == [4002, 4001]  # one a week
    with shop.database.session() as session:
        assert store.skip_reasons(session, second) == {"weekly cap (1)": 2}


async def test_a_person_who_blocked_the_bot_is_skipped_and_not_asked_again(shop):
    blocked = shop.customer(5001)
    shop.customer(5002)
    shop.api.forbidden_chats = {5001}
    await run(shop, shop.broadcast())
    assert shop.sent_to() == [5001, 5002]  # the attempt to 5001 was refused by Telegram
    with shop.database.session() as session:
        assert store.skip_reasons(session, 1) == {"blocked the bot": 1}
        assert session.get(User, blocked).consent_broadcasts is False


async def test_a_message_in_flight_when_the_job_died_is_never_sent_again(shop):
    for telegram_id in (6001, 6002, 6003):
        shop.customer(telegram_id)
    broadcast_id = shop.broadcast()
    with shop.database.session() as session:
        store.plan(session, session.get(Broadcast, broadcast_id))
        first = store.due(session, broadcast_id, datetime.now(timezone.utc))[0]
        assert store.claim(session, first)  # claimed, then the process died before recording the outcome
    outcome = await run(shop, broadcast_id)
    assert outcome.resumed_unconfirmed == 1
    assert sorted(shop.sent_to()) == [6002, 6003]
    assert outcome.statuses == {"sent": 2, "unconfirmed": 1}


async def test_a_variant_wording_splits_the_recipients_and_results_count_clicks_per_arm(shop):
    for n in range(40):
        shop.customer(7000 + n)
    broadcast_id = shop.broadcast("Wording A", variant_message="Wording B")
    await run(shop, broadcast_id)
    texts = [call.params["text"].split("\n\n")[0] for call in shop.api.sent()]
    assert {"Wording A", "Wording B"} == set(texts) and len(texts) == 40
    with shop.database.session() as session:
        rows = session.execute(select(BroadcastDelivery.user_id, BroadcastDelivery.arm, BroadcastDelivery.items)).all()
        from store.feedback import record_feedback

        clicker = next(r for r in rows if r.arm == "B")
        record_feedback(session, session.get(User, clicker.user_id), clicker.items[0], "click")
    with shop.database.session() as session:
        outcomes = {o.arm: (o.sent, o.clicked) for o in store.outcomes(session, broadcast_id)}
    arms = [r.arm for r in rows]
    assert outcomes == {"A": (arms.count("A"), 0), "B": (arms.count("B"), 1)}
