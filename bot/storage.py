"""The Rasa server's one store connection: the event broker's, shared with the REST outbox.

The broker opens the database named by `event_broker.url` (or the settings' URL) and registers it here; the REST
channel reads managers' queued replies through the same one, so setting the broker's URL never splits the two.
"""

from __future__ import annotations

import threading

from core.settings import get_settings
from store.db import Database

_lock = threading.Lock()
_database: Database | None = None


def use(database: Database | None) -> None:
    """Makes `database` the process's store (called by the event broker when Rasa starts it); None forgets it."""
    global _database
    with _lock:
        _database = database


def database() -> Database:
    """The process's store: the broker's, else one opened from the settings on first use."""
    global _database
    with _lock:
        if _database is None:
            _database = Database(get_settings().db_url or None)
        return _database
