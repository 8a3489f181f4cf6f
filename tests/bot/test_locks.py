"""Tickets for one conversation stay unique when several processes ask Redis at once (real Redis)."""

from __future__ import annotations

import os
import threading

import pytest
from redis import Redis

from bot.locks import AtomicRedisLockStore

REDIS_URL = os.environ.get("PARLEY_TEST_REDIS_URL")


@pytest.fixture
def redis_address():
    if not REDIS_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("PARLEY_TEST_REDIS_URL is not set: run the tests with `make test`, which starts Redis")
        pytest.skip("no Redis (make test starts one)")
    client = Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client.connection_pool.connection_kwargs["host"], client.connection_pool.connection_kwargs["port"]
    client.flushdb()


def issue_concurrently(stores: list, conversation: str, per_store: int) -> list[int]:
    tickets: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(stores))

    def work(store) -> None:
        start.wait()
        for _ in range(per_store):
            ticket = store.issue_ticket(conversation, 60)
            with lock:
                tickets.append(ticket)

    threads = [threading.Thread(target=work, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tickets


def test_tickets_are_unique_across_replicas(redis_address):
    """Before (Rasa's RedisLockStore, the same 8 x 25 here): 41-50 distinct tickets of 200, three runs out of three."""
    host, port = redis_address
    stores = [AtomicRedisLockStore(host=host, port=port, db=0) for _ in range(8)]
    tickets = issue_concurrently(stores, "c1", 25)
    assert sorted(tickets) == list(range(200))


def test_a_ticket_returned_by_the_last_holder_deletes_the_lock(redis_address):
    host, port = redis_address
    store = AtomicRedisLockStore(host=host, port=port, db=0)
    first, second = store.issue_ticket("c3"), store.issue_ticket("c3")
    store.cleanup("c3", first)
    assert store.get_lock("c3") is not None and store.get_lock("c3").now_serving == second
    store.cleanup("c3", second)
    assert store.get_lock("c3") is None


async def test_a_dead_holders_ticket_stops_blocking_within_its_lifetime(redis_address, monkeypatch):
    """Before: a replica killed holding a ticket held the conversation for 60 s, and a waiting ticket could expire
    in the queue and then wait for ever (requests hung until the balancer's 120 s timeout)."""
    import asyncio
    import time

    from bot import locks

    monkeypatch.setattr(locks, "TICKET_LIFETIME_S", 0.6)
    host, port = redis_address
    dead = AtomicRedisLockStore(host=host, port=port, db=0)
    dead.issue_ticket("c4", 0.6)  # taken, then its process died: never renewed, never returned
    alive = AtomicRedisLockStore(host=host, port=port, db=0)
    start = time.monotonic()
    async with alive.lock("c4"):
        waited = time.monotonic() - start
        await asyncio.sleep(1.0)  # working longer than a lifetime: the renewal keeps the ticket
        assert [t.number for t in alive.get_lock("c4").tickets if not t.has_expired()] == [1]
    assert 0.4 < waited < 3.0
    assert alive.get_lock("c4") is None


async def test_turns_of_one_conversation_never_overlap(redis_address):
    """Ten coroutines on five stores (replicas) take the lock for one conversation: never two inside at once."""
    import asyncio

    host, port = redis_address
    stores = [AtomicRedisLockStore(host=host, port=port, db=0) for _ in range(5)]
    inside, overlaps, done = 0, 0, 0

    async def turn(store) -> None:
        nonlocal inside, overlaps, done
        async with store.lock("c5"):
            inside += 1
            overlaps += inside > 1
            await asyncio.sleep(0.02)
            inside -= 1
            done += 1

    await asyncio.gather(*(turn(stores[n % 5]) for n in range(10)))
    assert (done, overlaps) == (10, 0)
