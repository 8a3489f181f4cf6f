"""A broadcast to 10,000 customers through a fake Bot API: wall time, peak send rate, duplicates.

    python -m benchmarks.broadcast [--recipients 10000]

A fresh SQLite store with `recipients` Telegram customers who said yes (each with a private chat; a fifth of them
with a few clicks, so their picks are personalised), the brand's catalog and the shipped encoder. The broadcast
job (`broadcasts.job.BroadcastJob`, as `python -m broadcasts` runs it) sends through python-telegram-bot's
rate-limited bot to the fake Bot API of the tests, served over HTTP on loopback. Two runs in the same process:

1. at Telegram's limit (30 messages a second overall): what a brand will see;
2. the same job with the limiter opened up (10,000 a second): what the job itself costs per message (store,
   picks, HTTP), the baseline that says how far below the limit the job's own work stays.

Peak rate is the most messages the fake received in any one-second window. Results:
`benchmarks/results/broadcast.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import insert

from benchmarks.common import ROOT, table, write_results
from broadcasts.job import BroadcastJob, Resources, TelegramSender, with_bot
from channels.outreach import Policy
from channels.telegram import make_bot
from recommender.catalog import load_catalog
from recommender.encoders import encoder_named
from recommender.engine import Recommender
from store import broadcasts as store
from store.catalog_sync import sync_catalog
from store.db import Database
from store.feedback import feedback_log
from store.migrate import upgrade
from store.schema import Conversation, Feedback, User
from tests.bot.telegram_fake import FakeBotApi, serve

FIRST_CHAT = 10_000_000


def populate(database: Database, recipients: int) -> None:
    """The customers, their private chats, and clicks for every fifth one."""
    catalog = load_catalog(ROOT / "brand" / "catalog.yml")
    now = datetime.now(timezone.utc)
    with database.session() as session:
        sync_catalog(session, catalog)
        session.execute(
            insert(User),
            [
                {
                    "id": n + 1,
                    "channel": "telegram_ptb",
                    "external_id": str(FIRST_CHAT + n),
                    "consent_personalisation": True,
                    "consent_broadcasts": True,
                    "broadcasts_asked_at": now,
                    "created_at": now,
                    "last_seen_at": now,
                }
                for n in range(recipients)
            ],
        )
        session.execute(
            insert(Conversation),
            [
                {
                    "id": f"tg:{FIRST_CHAT + n}",
                    "user_id": n + 1,
                    "channel": "telegram_ptb",
                    "surface": "dm",
                    "started_at": now,
                    "last_message_at": now,
                }
                for n in range(recipients)
            ],
        )
        items = [item.id for item in catalog]
        session.execute(
            insert(Feedback),
            [
                {"user_id": n + 1, "item_id": items[(n * 7 + k) % len(items)], "kind": "click", "created_at": now}
                for n in range(0, recipients, 5)
                for k in range(3)
            ],
        )


def peak_rate(times: list[float]) -> int:
    """The most calls in any one-second window."""
    times = sorted(times)
    return max((bisect.bisect_right(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


async def one_run(database: Database, resources: Resources, api: FakeBotApi, base_url: str, rate: float) -> dict:
    """One broadcast to everyone at `rate` messages a second; the figures."""
    with database.session() as session:
        broadcast_id = store.create_broadcast(session, "Our winter range is in.", "benchmark@kestrel.example").id
    api.reset()
    bot = make_bot("123456:BENCHMARK", base_url, overall_rate=rate)
    never_quiet = Policy(per_week=2, quiet_start=clock_time(0, 0), quiet_end=clock_time(0, 0))
    job = BroadcastJob(database, TelegramSender(bot), resources, never_quiet)
    started = time.perf_counter()
    outcome = await with_bot(bot, lambda: job.run(broadcast_id))
    wall = time.perf_counter() - started
    calls = api.sent()
    received = Counter(str(c.params["chat_id"]) for c in calls)
    return {
        "rate_limit": rate,
        "recipients": len(received),
        "messages": len(calls),
        "duplicates": sum(n - 1 for n in received.values() if n > 1),
        "wall_s": wall,
        "mean_per_s": len(calls) / wall,
        "peak_per_s": peak_rate([c.at for c in calls]),
        "statuses": outcome.statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'parley.db'}"
        upgrade(url)
        database = Database(url)
        started = time.perf_counter()
        populate(database, args.recipients)
        print(f"{args.recipients:,} customers in {time.perf_counter() - started:.1f} s", flush=True)
        catalog = load_catalog(ROOT / "brand" / "catalog.yml")
        with database.session() as session:
            feedback = feedback_log(session)
        recommender = Recommender.build(list(catalog), encoder_named("minilm"), feedback)
        resources = Resources(recommender, catalog, None, "Kestrel Outdoor", "$")
        api = FakeBotApi()
        server, base_url = serve(api)
        rows = []
        try:
            for rate in (30.0, 10_000.0):
                row = asyncio.run(one_run(database, resources, api, base_url, rate))
                rows.append(row)
                print(row, flush=True)
        finally:
            server.shutdown()
            database.dispose()
    limited, open_limit = rows
    ratio = open_limit["mean_per_s"] / limited["mean_per_s"]
    print(table(rows, ["rate_limit", "recipients", "messages", "duplicates", "wall_s", "mean_per_s", "peak_per_s"]))
    print(f"the job alone sends {open_limit['mean_per_s']:.0f}/s: {ratio:.1f}x Telegram's limit")
    write_results(
        "broadcast",
        {"recipients": args.recipients, "rows": rows, "job_headroom_over_limit": ratio},
    )


if __name__ == "__main__":
    main()
