"""No customer text or name reaches the logs, on the paths that log most: outages, bad events, failing actions.

Each test sends a secret string through a path that logs at WARNING or above (with tracebacks) and asserts the
secret appears nowhere in what was logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from rasa.utils.endpoints import EndpointConfig

from tests.conftest import turn_events

SECRET = "Wilhelmina Cornflake-Oyelaran, 42 Larkspur Mews"


def test_the_interaction_log_never_logs_the_text(tmp_path, monkeypatch, caplog):
    from bot.broker import StoreEventBroker
    from store.db import Database

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("PARLEY_SPOOL", str(tmp_path / "spool.jsonl"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    broker = asyncio.run(StoreEventBroker.from_endpoint_config(EndpointConfig(url=url)))
    bad = turn_events("c1", SECRET)
    bad[0]["timestamp"] = "not a time"  # a data error: set aside, and logged
    for event in bad:
        broker.publish(event)
    assert broker.flush()
    broker.writer.database = Database("postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=1")
    for event in turn_events("c1", SECRET):  # an outage: spooled, and logged
        broker.publish(event)
    assert broker.flush()
    assert "cannot be stored" in caplog.text and "Interaction log unavailable" in caplog.text
    assert SECRET not in caplog.text


def test_a_database_error_in_an_action_never_logs_the_bound_text(make_tracker, dispatcher, domain, tmp_path, caplog):
    """SQLAlchemy's errors print bound parameters unless the engine hides them; the action logs the traceback."""
    from actions.base import ParleyAction
    from store.db import Database
    from store.migrate import upgrade
    from store.schema import Interaction

    url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(url)

    class Failing(ParleyAction):
        fallback_response = "utter_default"

        def name(self) -> str:
            return "action_failing"

        async def act(self, dispatcher, tracker, domain):
            with Database(url).session() as session:
                session.add(Interaction(user_id=999_999, conversation_id="c1", channel="rest", text=SECRET))
                session.flush()  # the user does not exist: an IntegrityError carrying the text as a parameter
            return []

    caplog.set_level(logging.DEBUG)
    asyncio.run(Failing().run(dispatcher, make_tracker(SECRET), domain))
    assert "IntegrityError" in caplog.text and "action_failing failed" in caplog.text
    assert SECRET not in caplog.text


def test_the_telegram_channel_never_logs_a_name_or_the_text(sqlite_database, caplog):
    from bot import storage
    from bot.telegram.channel import TelegramInput
    from tests.bot.telegram_fake import FakeBotApi, OfflineRequest

    update = json.loads((Path(__file__).parent / "bot" / "telegram_updates" / "dm_text.json").read_text())
    update["message"]["text"] = SECRET
    update["message"]["from"]["first_name"] = "Wilhelmina"
    update["message"]["from"]["last_name"] = "Cornflake-Oyelaran"

    async def broken(message) -> None:
        raise RuntimeError("the tracker store is down")

    storage.use(sqlite_database)
    try:
        caplog.set_level(logging.DEBUG)
        channel = TelegramInput(token="123:TEST", secret="s", request=OfflineRequest(FakeBotApi()))
        asyncio.run(channel.handle(update, broken, agent=None))
    finally:
        storage.use(None)
    assert "failed" in caplog.text
    assert "Wilhelmina" not in caplog.text and "Cornflake" not in caplog.text and "Larkspur" not in caplog.text
