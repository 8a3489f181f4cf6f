"""The tracker store Parley configures: any of Rasa's, plus erasure of a customer's conversations.

Rasa's tracker stores keep every message and slot of a conversation and have no "delete". "Delete my data" must
remove them, so `endpoints.yml` names this wrapper, which builds the tracker store named by its `store:` key
(`SQL`, `redis`, or none for in memory) with the rest of the settings, and delegates everything to it:

    tracker_store:
      type: bot.trackers.ParleyTrackerStore
      store: SQL
      dialect: sqlite
      db: var/tracker.db

With an SQL tracker store, each turn's save streams only the new events and keeps the tracker for the next
turn; the next retrieve reads only the events stored since (another replica's turn), so a write elsewhere is
never missed and a long conversation no longer reads and parses its whole history twice a turn.

Each save is handed to Parley's event broker as one turn (`StoreEventBroker.turn`), so the interaction log
writes a turn whole. When a turn ends with `action_delete_my_data` confirming an erasure (its message carries
the erased conversation ids, `core.events.ERASURE_KEY`), `save` first streams the turn to the event broker as
usual (the log writes the record), then deletes every tracker of those conversations and starts the current one
afresh with only the personalisation choice, so nothing the customer said survives in the tracker store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
    create_tracker_store,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import func, text

from core.events import ERASURE_ACTION, ERASURE_KEY

logger = logging.getLogger(__name__)

KEPT_SLOTS = ("personalisation",)
# Conversations whose last saved tracker this process keeps for their next turn (see `_save_sql`).
RECENT_TRACKERS = 1000


def erasure_in_last_turn(tracker: DialogueStateTracker) -> list[str] | None:
    """The conversations erased by the tracker's latest turn, if it ended with a confirmed erasure."""
    erased: list[str] | None = None
    last_action = None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and erased is None:
            ids = (event.metadata or {}).get(ERASURE_KEY)
            if isinstance(ids, list):
                erased = [str(i) for i in ids if i]
        if isinstance(event, ActionExecuted) and event.action_name == ERASURE_ACTION:
            last_action = event.action_name
    return erased if erased is not None and last_action == ERASURE_ACTION else None


def delete_trackers(store: TrackerStore, conversation_ids: Iterable[str]) -> None:
    """Deletes the conversations' trackers, all sessions, from one of Rasa's tracker stores.

    Raises:
        NotImplementedError: a tracker store this function does not know how to erase from.
    """
    ids = sorted(set(conversation_ids))
    if isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            if session.bind.dialect.name == "sqlite":
                session.execute(text("PRAGMA secure_delete=ON"))  # overwrite, do not merely free, the pages
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id.in_(ids)).delete(synchronize_session=False)
            session.commit()
    elif isinstance(store, RedisTrackerStore):
        if ids:
            store.red.delete(*[store.key_prefix + i for i in ids])
    elif isinstance(store, InMemoryTrackerStore):
        for conversation_id in ids:
            store.store.pop(conversation_id, None)
    else:
        raise NotImplementedError(f"erasing from {type(store).__name__} is not implemented")


class ParleyTrackerStore(TrackerStore):
    """Delegates to the configured Rasa tracker store and erases conversations on request (module docstring)."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        store: str | None = None,
        **kwargs: Any,
    ) -> None:
        inner_config = EndpointConfig(url=host, type=store, **kwargs) if store else None
        self.inner = create_tracker_store(inner_config, domain, event_broker)
        self._recent: dict[str, tuple[int | None, DialogueStateTracker]] = {}
        super().__init__(domain, event_broker)

    @property
    def domain(self) -> Domain:
        """The inner store's domain (Rasa replaces it when it loads a model)."""
        return self.inner.domain

    @domain.setter
    def domain(self, domain: Domain) -> None:
        if hasattr(self, "inner"):
            self.inner.domain = domain
        else:
            self._domain = domain

    @property  # type: ignore[override]
    def event_broker(self) -> EventBroker | None:
        """The inner store's broker: it streams the events."""
        return self.inner.event_broker if hasattr(self, "inner") else None

    @event_broker.setter
    def event_broker(self, broker: EventBroker | None) -> None:
        if hasattr(self, "inner"):
            self.inner.event_broker = broker

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's current session: the tracker this process saved last, brought up to date.

        Events stored since (another replica's turn, an API call) are read and applied, so only they are parsed;
        a new session among them, or no cached tracker, means a full read. A cached tracker is handed out once
        (the caller may change it); the next save caches it again.
        """
        entry = self._recent.pop(sender_id, None)
        if entry is not None and isinstance(self.inner, SQLTrackerStore):
            last_id, tracker = entry
            newer = self._events_after(sender_id, last_id)
            if newer is not None and all(data.get("event") != "session_started" for data in newer):
                for data in newer:
                    tracker.update(Event.from_parameters(data))
                return tracker
        return await self.inner.retrieve(sender_id)

    def _events_after(self, sender_id: str, last_id: int | None) -> list[dict[str, Any]] | None:
        """The conversation's events stored after event `last_id`, oldest first; None if that event is gone.

        Gone means the conversation was erased (by another replica) since: the cached copy must not be used.
        """
        assert isinstance(self.inner, SQLTrackerStore)
        event = self.inner.SQLEvent
        with self.inner.session_scope() as session:
            rows = (
                session.query(event.id, event.data)
                .filter(event.sender_id == sender_id, event.id >= (last_id or 0))
                .order_by(event.id)
                .all()
            )
        if last_id is not None:
            if not rows or rows[0][0] != last_id:
                return None
            rows = rows[1:]
        return [json.loads(data) for _, data in rows]

    def _last_event_id(self, sender_id: str) -> int | None:
        """The newest stored event's id: where the cached tracker ends (`_events_after` reads on from there)."""
        assert isinstance(self.inner, SQLTrackerStore)
        with self.inner.session_scope() as session:
            return session.query(func.max(self.inner.SQLEvent.id)).filter_by(sender_id=sender_id).scalar()

    async def _save_sql(self, tracker: DialogueStateTracker) -> None:
        """Streams only the events the database lacks (counted, not re-read), saves, and caches the tracker.

        Rasa's own save reads the whole conversation back from the database to find the new events, and the next
        turn reads and parses it again: both grow with the conversation. Here the database is asked how many
        events of the session it holds, and the saved tracker is kept for the conversation's next turn.
        """
        inner = self.inner
        assert isinstance(inner, SQLTrackerStore)
        broker = inner.event_broker
        if broker is not None:
            with inner.session_scope() as session:
                stored = inner._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            for event in list(tracker.events)[stored:]:
                broker.publish({"sender_id": tracker.sender_id, **event.as_dict()})
        inner.event_broker = None
        try:
            await inner.save(tracker)
        finally:
            inner.event_broker = broker
        self._recent[tracker.sender_id] = (self._last_event_id(tracker.sender_id), tracker)
        while len(self._recent) > RECENT_TRACKERS:
            self._recent.pop(next(iter(self._recent)))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """The conversation with all its sessions."""
        return await self.inner.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[str]:
        """Every conversation id."""
        return await self.inner.keys()

    async def exists(self, conversation_id: str) -> bool:
        """Whether the conversation has a tracker."""
        return await self.inner.exists(conversation_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Saves (and streams) the turn, as one unit for Parley's broker; after an erasure, deletes the trackers."""
        turn = getattr(self.inner.event_broker, "turn", None)
        with turn(tracker.sender_id) if turn is not None else nullcontext():
            if isinstance(self.inner, SQLTrackerStore):
                await self._save_sql(tracker)
            else:
                await self.inner.save(tracker)
        erased = erasure_in_last_turn(tracker)
        if erased is None:
            return
        self._recent.clear()
        try:
            delete_trackers(self.inner, [*erased, tracker.sender_id])
        except Exception:
            logger.exception("Could not erase the trackers of %d conversation(s)", len(erased) + 1)
            return
        fresh = self.inner.init_tracker(tracker.sender_id)
        for slot in KEPT_SLOTS:
            value = tracker.get_slot(slot)
            if value is not None:
                fresh.update(SlotSet(slot, value))
        fresh.update(ActionExecuted("action_listen"))
        # saved without the broker: these bookkeeping events say nothing the log records
        broker, self.inner.event_broker = self.inner.event_broker, None
        try:
            await self.inner.save(fresh)
        finally:
            self.inner.event_broker = broker
        logger.info("Erased the trackers of %d conversation(s)", len(set([*erased, tracker.sender_id])))
