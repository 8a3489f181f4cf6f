"""Load: the single-process stack (`make run`) against the replicated profile (`make run-prod`), in one run.

    python -m benchmarks.load [--customers 1,20,50] [--messages 8] [--long 300]

A closed loop: N simulated customers, each sending its next message only once the reply has come back, as a
person in a chat would. For each stack and N it reports replies/s, p50/p90/p99 of the round trip, errors (non-200),
empty replies, and lost or doubled turns: messages sent against the tracker's user events (read from the tracker
store) against the interaction log's rows (read from the store, once the writers have caught up). It also reports
each kind of process's CPU seconds per reply (from /proc), so the gain of another core can be projected where
two cores cannot show it. Last, one customer holds a 300-turn conversation with each stack: p50 of turns 1-10
against turns 291-300.

The single stack runs on SQLite, as `make run` does; the replicated one runs on the PostgreSQL and Redis named by
PARLEY_TEST_POSTGRES_URL and PARLEY_TEST_REDIS_URL (`make bench` starts throwaway ones with the project's scripts).
Results: `benchmarks/results/load.json`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import ROOT, table, write_results
from benchmarks.latency import MESSAGES as LATENCY_MESSAGES
from bot.launcher import Stack, start_stack

MODEL = ROOT / "models" / "parley.tar.gz"
# What customers ask, round robin: the latency benchmark's messages without the order form (the next message
# would be read as an order number), the profile read-out and the joke, so every turn takes the common path.
MESSAGES = [
    m for m in LATENCY_MESSAGES if m not in ("where is my order", "what do you know about me", "tell me a joke")
]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_cpu(stack: Stack) -> dict[str, float]:
    """CPU seconds so far per kind of process (rasa, actions, nginx), summed over replicas."""
    totals: dict[str, float] = {}
    for name, process in stack.processes.items():
        if process.poll() is None:
            kind = name.split("-")[0]
            totals[kind] = totals.get(kind, 0.0) + cpu_seconds(process.pid)
    return totals


def closed_loop(stack: Stack, customers: int, messages: int, run: str) -> dict[str, Any]:
    """N customers, each sending `messages` messages one after another; returns the figures and who sent what."""
    latencies: list[float] = []
    errors = empty = 0
    lock = threading.Lock()
    senders = [f"load-{run}-{customers}-{n}" for n in range(customers)]

    def customer(index: int) -> None:
        nonlocal errors, empty
        for k in range(messages):
            text = f"{MESSAGES[(index + k) % len(MESSAGES)]} ({k})"
            start = time.perf_counter()
            try:
                status, replies = stack.say(senders[index], text, timeout=300)
            except Exception:
                status, replies = -1, []
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed * 1000)
                errors += status != 200
                empty += status == 200 and not replies

    before = process_cpu(stack)
    start = time.perf_counter()
    with ThreadPoolExecutor(customers) as pool:
        list(pool.map(customer, range(customers)))
    wall = time.perf_counter() - start
    after = process_cpu(stack)
    sent = customers * messages
    figures = np.array(latencies)
    return {
        "customers": customers,
        "sent": sent,
        "replies_per_s": (sent - errors) / wall,
        "p50_ms": float(np.percentile(figures, 50)),
        "p90_ms": float(np.percentile(figures, 90)),
        "p99_ms": float(np.percentile(figures, 99)),
        "errors": errors,
        "empty_replies": empty,
        "cpu_s_per_reply": {k: (after.get(k, 0.0) - before.get(k, 0.0)) / max(1, sent - errors) for k in after},
        "senders": senders,
    }


def count_turns(stack: Stack, tracker_users: Callable[[list[str]], dict[str, int]], result: dict[str, Any]) -> None:
    """Adds tracker user events and log rows for the run's senders, and what was lost or doubled."""
    from sqlalchemy import func, select

    from store.db import Database
    from store.schema import Interaction

    senders = result.pop("senders")
    in_tracker = tracker_users(senders)
    database = Database(stack.db_url)
    try:
        deadline = time.monotonic() + 60
        while True:
            with database.session() as session:
                rows = session.execute(
                    select(func.count()).select_from(Interaction).where(Interaction.conversation_id.in_(senders))
                ).scalar_one()
            if rows >= result["sent"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        database.dispose()
    tracker_total = sum(in_tracker.values())
    result |= {
        "tracker_user_events": tracker_total,
        "log_rows": rows,
        "lost_turns": max(0, result["sent"] - result["errors"] - min(tracker_total, rows)),
        "doubled_turns": max(0, tracker_total - result["sent"]) + max(0, rows - tracker_total),
    }


def long_conversation(stack: Stack, turns: int, run: str) -> dict[str, float]:
    """One customer, `turns` messages: p50 of the first ten against the last ten."""
    sender = f"long-{run}-{uuid.uuid4().hex[:6]}"
    times = []
    for k in range(turns):
        start = time.perf_counter()
        status, _ = stack.say(sender, f"{MESSAGES[k % len(MESSAGES)]} ({k})", timeout=300)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"turn {k} got HTTP {status}")
    first, last = float(np.median(times[:10])), float(np.median(times[-10:]))
    return {"turns": turns, "first10_p50_ms": first, "last10_p50_ms": last, "ratio": last / first}


def sqlite_tracker_users(path: Path) -> Callable[[list[str]], dict[str, int]]:
    import sqlite3

    def count(senders: list[str]) -> dict[str, int]:
        with sqlite3.connect(path) as db:
            marks = ",".join("?" * len(senders))
            rows = db.execute(
                f"select sender_id, count(*) from events where type_name = 'user' and sender_id in ({marks}) "
                "group by sender_id",
                senders,
            ).fetchall()
        return dict(rows)

    return count


def postgres_tracker_users(stack: Stack) -> Callable[[list[str]], dict[str, int]]:
    from sqlalchemy import create_engine, text

    from bot.replicas import tracker_url

    def count(senders: list[str]) -> dict[str, int]:
        engine = create_engine(tracker_url(stack.env), future=True)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "select sender_id, count(*) from events where type_name = 'user' "
                        "and sender_id = any(:senders) group by sender_id"
                    ),
                    {"senders": senders},
                ).all()
        finally:
            engine.dispose()
        return {sender: n for sender, n in rows}

    return count


def fresh_database(postgres_url: str) -> str:
    """A new database on the PostgreSQL server, so each run starts empty."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"parley_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(postgres_url).set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)


def measure(stack: Stack, name: str, customers: list[int], messages: int, long_turns: int, tracker_users) -> dict:
    stack.say(f"warm-{name}", MESSAGES[0])
    runs = []
    for n in customers:
        print(f"== {name}: {n} customer(s) x {messages} messages", flush=True)
        result = closed_loop(stack, n, messages, name)
        count_turns(stack, tracker_users, result)
        print({k: v for k, v in result.items() if k != "cpu_s_per_reply"}, result["cpu_s_per_reply"], flush=True)
        runs.append(result)
    print(f"== {name}: a {long_turns}-turn conversation", flush=True)
    long = long_conversation(stack, long_turns, name)
    print(long, flush=True)
    return {"runs": runs, "long_conversation": long}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", default="1,20,50")
    parser.add_argument("--messages", type=int, default=8, help="messages per customer in each closed loop")
    parser.add_argument("--long", type=int, default=300, help="turns in the long conversation")
    parser.add_argument("--rasa", type=int, default=2)
    parser.add_argument("--actions", type=int, default=2)
    parser.add_argument("--only", choices=["single", "replicated"], help="measure one stack only")
    args = parser.parse_args()
    customers = [int(n) for n in args.customers.split(",")]
    results: dict[str, Any] = {"messages_per_customer": args.messages, "stacks": {}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.only != "replicated":
            stack = start_stack(MODEL, work / "single")
            try:
                tracker = sqlite_tracker_users(work / "single" / "tracker.db")
                results["stacks"]["single"] = measure(stack, "single", customers, args.messages, args.long, tracker)
            finally:
                stack.stop()
        if args.only != "single":
            from bot.replicas import start_replicated

            postgres, redis = os.environ.get("PARLEY_TEST_POSTGRES_URL"), os.environ.get("PARLEY_TEST_REDIS_URL")
            if not postgres or not redis:
                raise SystemExit(
                    "the replicated stack needs PARLEY_TEST_POSTGRES_URL and PARLEY_TEST_REDIS_URL (make bench)"
                )
            stack = start_replicated(
                MODEL, work / "replicated", fresh_database(postgres), redis, args.rasa, args.actions
            )
            try:
                name = f"replicated_{args.rasa}x{args.actions}"
                tracker = postgres_tracker_users(stack)
                results["stacks"][name] = measure(stack, name, customers, args.messages, args.long, tracker)
            finally:
                stack.stop()

    rows = [
        {"stack": name, **{k: v for k, v in run.items() if k != "cpu_s_per_reply"}}
        for name, entry in results["stacks"].items()
        for run in entry["runs"]
    ]
    columns = ["stack", "customers", "replies_per_s", "p50_ms", "p90_ms", "p99_ms", "errors", "empty_replies"]
    columns += ["sent", "tracker_user_events", "log_rows", "lost_turns", "doubled_turns"]
    print("\nClosed loop")
    print(table(rows, columns))
    print("\nCPU seconds per reply")
    for name, entry in results["stacks"].items():
        for run in entry["runs"]:
            cpu = ", ".join(f"{k} {v:.3f}" for k, v in sorted(run["cpu_s_per_reply"].items()))
            print(f"  {name} @ {run['customers']}: {cpu}")
    print("\nLong conversation")
    for name, entry in results["stacks"].items():
        long = entry["long_conversation"]
        print(
            f"  {name}: turns 1-10 p50 {long['first10_p50_ms']:.0f} ms, last 10 {long['last10_p50_ms']:.0f} ms "
            f"({long['ratio']:.2f}x)"
        )
    if len(results["stacks"]) == 2:
        single, replicated = (results["stacks"][k]["runs"] for k in results["stacks"])
        results["ratios_replicated_over_single"] = {
            str(a["customers"]): {
                "replies_per_s": b["replies_per_s"] / a["replies_per_s"],
                "p99_ms": b["p99_ms"] / a["p99_ms"],
            }
            for a, b in zip(single, replicated, strict=True)
        }
        print("\nReplicated over single:", results["ratios_replicated_over_single"])
    write_results("load", results)


if __name__ == "__main__":
    main()
