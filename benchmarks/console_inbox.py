"""Inbox paging at 100,000 conversations: keyset pagination vs OFFSET, with and without filters.

Builds a store with 100k conversations and 300k messages (synthetic rows inserted in bulk: what is measured is
the query, not the bot), then times the inbox query the console runs: the first page, a page deep in the list
(reached by keyset cursor vs by OFFSET, the baseline), filtered pages, and free-text search.

    python -m benchmarks.console_inbox [--url postgresql+psycopg2://...]   (default: a temporary SQLite file)
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select

from benchmarks.common import table, write_results
from store.conversations import InboxFilter, encode_cursor, inbox
from store.db import Database
from store.migrate import upgrade
from store.schema import Conversation, Interaction, User

N = 100_000
MESSAGES_PER_CONVERSATION = 3
DEPTH = 1_000  # pages of 50 (50,000 conversations in)
REPEAT = 20
INTENTS = ["greet", "product_info", "request_recommendation", "order_status", "complaint", "nlu_fallback"]
SENTIMENTS = ["positive", "neutral", "neutral", "negative"]


def fill(database: Database) -> None:
    rng = random.Random(3)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with database.engine.begin() as connection:
        connection.execute(
            insert(User),
            [
                {
                    "id": i + 1,
                    "channel": "rest",
                    "external_id": f"u{i}",
                    "consent_personalisation": True,
                    "created_at": start,
                    "last_seen_at": start,
                }
                for i in range(N)
            ],
        )
        conversations, messages = [], []
        for i in range(N):
            when = start + timedelta(seconds=i * 30)
            sentiment = rng.choice(SENTIMENTS)
            intent = rng.choice(INTENTS)
            conversations.append(
                {
                    "id": f"conv-{i:06d}",
                    "user_id": i + 1,
                    "channel": rng.choice(["rest", "telegram_ptb"]),
                    "surface": "dm",
                    "started_at": when,
                    "last_message_at": when,
                    "last_text": f"message {i}",
                    "last_intent": intent,
                    "last_sentiment": sentiment,
                    "message_count": MESSAGES_PER_CONVERSATION,
                    "negative_count": int(sentiment == "negative"),
                    "fallback_count": int(intent == "nlu_fallback"),
                    "min_confidence": rng.random(),
                    "needs_human": rng.random() < 0.05,
                    "paused": False,
                    "flagged": rng.random() < 0.01,
                    "tags": [],
                }
            )
            for m in range(MESSAGES_PER_CONVERSATION):
                messages.append(
                    {
                        "user_id": i + 1,
                        "conversation_id": f"conv-{i:06d}",
                        "channel": "rest",
                        "surface": "dm",
                        "text": f"customer {i} says {rng.choice(['hello', 'my tent leaked', 'where is my order'])} {m}",
                        "intent": rng.choice(INTENTS),
                        "intent_confidence": rng.random(),
                        "entities": [],
                        "sentiment": rng.choice(SENTIMENTS),
                        "items_shown": [],
                        "created_at": when,
                    }
                )
        connection.execute(insert(Conversation), conversations)
        connection.execute(insert(Interaction), messages)


def timed(function) -> float:
    samples = []
    for _ in range(REPEAT):
        begin = time.perf_counter()
        function()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="an empty database to fill (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'inbox.db'}"
        upgrade(url)
        database = Database(url)
        begin = time.perf_counter()
        fill(database)
        if database.engine.dialect.name == "postgresql":
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")  # fresh planner statistics, as autovacuum would give
        print(
            f"filled {N} conversations, {N * MESSAGES_PER_CONVERSATION} messages in {time.perf_counter() - begin:.0f} s"
        )
        with database.session() as session:
            deep = session.execute(
                select(Conversation)
                .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
                .offset(DEPTH * 50 - 1)
                .limit(1)
            ).scalar_one()
            cursor = encode_cursor(deep)

            def offset_page() -> None:
                session.execute(
                    select(Conversation)
                    .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
                    .offset(DEPTH * 50)
                    .limit(51)
                ).scalars().all()

            rows = [
                {"query": "first page", "ms": timed(lambda: inbox(session, InboxFilter()))},
                {
                    "query": f"page {DEPTH + 1} by keyset cursor (Parley)",
                    "ms": timed(lambda: inbox(session, InboxFilter(), cursor=cursor)),
                },
                {"query": f"page {DEPTH + 1} by OFFSET (baseline)", "ms": timed(offset_page)},
                {"query": "negative sentiment", "ms": timed(lambda: inbox(session, InboxFilter(sentiment="negative")))},
                {"query": "needs a person", "ms": timed(lambda: inbox(session, InboxFilter(handoff="needed")))},
                {
                    "query": "intent = complaint (EXISTS)",
                    "ms": timed(lambda: inbox(session, InboxFilter(intent="complaint"))),
                },
                {
                    "query": "search 'tent leaked' (in a third of messages)",
                    "ms": timed(lambda: inbox(session, InboxFilter(search="tent leaked"))),
                },
                {
                    "query": "search 'customer 4242 says' (one message)",
                    "ms": timed(lambda: inbox(session, InboxFilter(search="customer 4242 says"))),
                },
                {
                    "query": "search 'conv-004242' (a conversation id)",
                    "ms": timed(lambda: inbox(session, InboxFilter(search="conv-004242"))),
                },
                {
                    "query": "search 'zzzz' (no match)",
                    "ms": timed(lambda: inbox(session, InboxFilter(search="zzzz"))),
                },
            ]
        database.dispose()
    ratio = rows[2]["ms"] / rows[1]["ms"]
    print(table(rows, ["query", "ms"]))
    print(f"\nkeyset vs OFFSET at page {DEPTH + 1}: {ratio:.1f}x faster")
    dialect = url.split(":")[0].split("+")[0]
    write_results(
        "console_inbox" if dialect == "sqlite" else f"console_inbox_{dialect}",
        {
            "conversations": N,
            "messages": N * MESSAGES_PER_CONVERSATION,
            "database": dialect,
            "rows": rows,
            "keyset_speedup": ratio,
        },
    )


if __name__ == "__main__":
    main()
