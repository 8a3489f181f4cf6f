"""Rasa's Redis lock store, made safe for several Rasa servers: tickets are issued and returned atomically.

Rasa serialises the turns of one conversation with a ticket lock; with replicas, the lock lives in Redis. Rasa
3.6's `RedisLockStore` issues a ticket by reading the lock, adding the ticket and writing it back, in three
separate commands, and returns one the same way. Two replicas doing it at once can both be issued the same
ticket, or one can overwrite the other's, or one can delete the lock while the other waits in it; either way
both handle the conversation at once, and the later save drops the earlier turn from the tracker (seen: 20
concurrent messages from one sender, one of them answered but missing from the tracker).

`AtomicRedisLockStore` does the same read-modify-write inside a Redis transaction (WATCH/MULTI/EXEC, retried
when another replica changed the lock in between), so tickets stay unique and in order across processes. Its
locks are Rasa's own (`TicketLock`).

It also changes how tickets expire. Rasa's last 60 s from issue, waiting included: when a replica dies holding
one, the customer's next message waits up to a minute, and a waiting ticket can expire in the queue and then wait
for ever (seen: requests hanging until the balancer's 120 s timeout after a replica was killed). Here a ticket
lives `TICKET_LIFETIME_S` (10 s) and its holder renews it every third of that while it waits or works, so only a
dead process's tickets expire, within 10 s; a message goes ahead as soon as no live ticket is ahead of it
(checked every 50 ms rather than every second). Configured in `deploy/endpoints.yml`:

    lock_store:
      type: bot.locks.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

Change = Callable[[TicketLock | None], tuple[TicketLock | None, Any]]
TICKET_LIFETIME_S = 10.0
POLL_S = 0.05


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket issue and clean-up are Redis transactions (see the module docstring)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        if "port" in kwargs:
            kwargs["port"] = int(kwargs["port"])  # from `${VAR}` in endpoints.yml it arrives as text
        if "db" in kwargs:
            kwargs["db"] = int(kwargs["db"])
        super().__init__(**kwargs)

    def _transact(self, conversation_id: str, change: Change) -> Any:
        """Applies `change` to the stored lock atomically; None from `change` deletes it. Returns its result."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed the lock meanwhile: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket for the conversation, unique across every process that shares this Redis."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return int(self._transact(conversation_id, change))
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Returns the ticket; deletes the lock only if nobody else holds a ticket in it, in the same transaction."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._transact(conversation_id, change)

    def renew(self, conversation_id: str, ticket_number: int, lifetime: float = TICKET_LIFETIME_S) -> None:
        """Pushes the ticket's expiry `lifetime` seconds ahead (its holder is alive)."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                for ticket in lock.tickets:
                    if ticket.number == ticket_number:
                        ticket.expires = time.time() + lifetime
            return lock, None

        self._transact(conversation_id, change)

    async def _keep_alive(self, conversation_id: str, ticket_number: int, lifetime: float) -> None:
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                self.renew(conversation_id, ticket_number, lifetime)
            except redis.RedisError:
                logger.warning("Could not renew a lock ticket for %s", conversation_id, exc_info=True)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_S,
    ) -> AsyncIterator[TicketLock]:
        """Holds the conversation's lock: takes a ticket, keeps it alive, waits until no live ticket is ahead."""
        lifetime = TICKET_LIFETIME_S
        ticket = self.issue_ticket(conversation_id, lifetime)
        keeper = asyncio.create_task(self._keep_alive(conversation_id, ticket, lifetime))
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is None or all(t.number >= ticket for t in lock.tickets if not t.has_expired()):
                    break
                await asyncio.sleep(min(wait_time_in_seconds, POLL_S))
            yield lock or TicketLock(conversation_id)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)
