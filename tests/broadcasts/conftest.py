"""A small shop for the broadcast job: a migrated store with the demo catalog, Telegram customers, a fake Bot API."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from broadcasts.job import BroadcastJob, Resources, TelegramSender
from channels.outreach import Policy
from channels.telegram import make_bot
from core.settings import PROJECT_ROOT
from recommender.catalog import load_catalog
from recommender.encoders import HashingEncoder
from recommender.engine import Recommender
from store import broadcasts as store
from store.catalog_sync import sync_catalog
from store.db import Database
from store.events import StoreEventWriter
from store.migrate import upgrade
from store.schema import User
from tests.bot.telegram_fake import FakeBotApi, OfflineRequest
from tests.conftest import turn_events

NOON_IN_DENVER = datetime(2026, 12, 2, 19, 0, tzinfo=timezone.utc)


@dataclass
class Shop:
    """The store, the fake Telegram, and helpers to add customers and run jobs."""

    database: Database
    api: FakeBotApi
    resources: Resources

    def customer(self, telegram_id: int, consent: bool | None = True, timezone_name: str | None = None) -> int:
        """A Telegram customer who has written to the bot in private; returns their store user id."""
        events = turn_events(f"tg:{telegram_id}", "hi", channel="telegram_ptb", metadata={"user_id": str(telegram_id)})
        events[0]["timestamp"] = time.time()
        StoreEventWriter(self.database).write_turn(events)
        with self.database.session() as session:
            user = session.execute(
                select(User).where(User.channel == "telegram_ptb", User.external_id == str(telegram_id))
            ).scalar_one()
            if consent is not None:
                store.set_broadcast_consent(session, user, consent)
            user.timezone = timezone_name
            return user.id

    def broadcast(self, message: str = "New winter gear is in!", **kwargs) -> int:
        with self.database.session() as session:
            return store.create_broadcast(session, message, "sam@kestrel.example", **kwargs).id

    def job(self, policy: Policy | None = None, clock: Callable[[], datetime] = lambda: NOON_IN_DENVER) -> BroadcastJob:
        bot = make_bot("123456:TEST", request=OfflineRequest(self.api), overall_rate=1000)
        return BroadcastJob(
            self.database, TelegramSender(bot), self.resources, policy or Policy(timezone="America/Denver"), clock=clock
        )

    def sent_to(self) -> list[int]:
        return [int(call.params["chat_id"]) for call in self.api.sent()]


@pytest.fixture
def shop(tmp_path, monkeypatch) -> Shop:
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    upgrade(url)
    database = Database(url)
    catalog = load_catalog(PROJECT_ROOT / "brand" / "catalog.yml")
    with database.session() as session:
        sync_catalog(session, catalog)
    monkeypatch.setattr("recommender.embeddings.cache_dir", lambda: tmp_path / "embeddings")
    recommender = Recommender.build(list(catalog), HashingEncoder(), [])
    return Shop(database, FakeBotApi(), Resources(recommender, catalog, None, "Kestrel Outdoor", "$"))
