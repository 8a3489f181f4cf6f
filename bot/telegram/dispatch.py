"""Per-chat ordered processing, so the webhook can answer Telegram at once.

Telegram keeps a webhook call open until Parley answers it and sends at most a few calls in parallel per bot; a
turn that took the whole request (Rasa, the action server, Telegram's rate limits and `retry_after` sleeps) let one
busy group hold those connections while every other chat waited. The webhook now only checks the update, hands it
to `ChatQueues.submit` and answers 200; the update is processed in a task.

Each chat gets its own FIFO queue and one worker task, so a customer's messages are answered in the order they were
written, while different chats proceed concurrently. A worker ends when its queue is empty, so an idle chat costs
nothing. A chat may have at most `per_chat` updates waiting: past that, `submit` refuses (the webhook then answers
429 and Telegram redelivers later), which bounds the memory one flooding chat can take without dropping a message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

logger = logging.getLogger(__name__)

DEFAULT_PER_CHAT = 50


class ChatQueues:
    """One ordered queue and worker per chat (see the module docstring)."""

    def __init__(self, per_chat: int = DEFAULT_PER_CHAT) -> None:
        self.per_chat = per_chat
        self._queues: dict[Hashable, asyncio.Queue[Callable[[], Awaitable[object]]]] = {}
        self._workers: dict[Hashable, asyncio.Task[None]] = {}

    def has_room(self, chat: Hashable) -> bool:
        """Whether `submit` would accept one more update for `chat`."""
        waiting = self._queues.get(chat)
        return waiting is None or waiting.qsize() < self.per_chat

    def submit(self, chat: Hashable, job: Callable[[], Awaitable[object]]) -> bool:
        """Queues `job` behind the chat's earlier ones; False (and nothing queued) if the chat's queue is full."""
        if not self.has_room(chat):
            return False
        waiting = self._queues.setdefault(chat, asyncio.Queue())
        waiting.put_nowait(job)
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._work(chat, waiting))
        return True

    def pending(self) -> int:
        """Updates accepted but not yet finished (queued or running)."""
        return sum(q.qsize() for q in self._queues.values()) + len(self._workers)

    async def join(self) -> None:
        """Waits until every accepted update is processed (shutdown, tests)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def _work(self, chat: Hashable, waiting: asyncio.Queue[Callable[[], Awaitable[object]]]) -> None:
        try:
            while not waiting.empty():
                job = waiting.get_nowait()
                try:
                    await job()
                except Exception:
                    logger.exception("Processing an update of chat %s failed", chat)
        finally:
            del self._workers[chat]
            if waiting.empty():
                self._queues.pop(chat, None)
