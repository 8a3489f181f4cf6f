"""Engines and sessions: one URL selects SQLite (default) or PostgreSQL; one session per unit of work.

`PARLEY_DB_URL` chooses the database, e.g. `postgresql+psycopg2://parley:secret@127.0.0.1/parley`. Without it,
Parley uses `var/parley.db` in the project. SQLite is opened in WAL mode with foreign keys on and a busy timeout,
because the Rasa server (logging turns) and the action server (profiles, feedback) write to it at the same time.
Engines hide bound parameters in their errors: those are customers' messages, and errors end up in logs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine import create_engine as sqlalchemy_create_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.settings import PROJECT_ROOT, get_settings

DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "parley.db"
SQLITE_BUSY_TIMEOUT_S = 15
# Seconds before a PostgreSQL connection attempt gives up (libpq waits for the OS otherwise: minutes).
POSTGRES_CONNECT_TIMEOUT_S = 5


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else the settings' (`$PARLEY_DB_URL`), else the SQLite file under `var/`."""
    return url or get_settings().db_url or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def redact(url: str) -> str:
    """The URL with its password hidden, for logs and error messages."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # deleted rows are overwritten, not left in free pages: an erased customer's text must not stay in the file
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def scrub(engine: Engine) -> None:
    """After an erasure: folds SQLite's write-ahead log into the file and empties it, so old pages go too.

    The log keeps the pages as they were before the delete until a checkpoint; PostgreSQL's equivalent is
    (auto)vacuum. Best effort: a busy reader can delay it to the next checkpoint.
    """
    if engine.url.get_backend_name() != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def connect_args(url: str) -> dict[str, Any]:
    """Driver arguments for `url`: a busy timeout for SQLite, a connect timeout for PostgreSQL (unless the URL has one).

    An unreachable database must fail fast: the event broker writes during Rasa's turn, so a hanging connect would
    stall every conversation instead of spooling the turn.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"timeout": SQLITE_BUSY_TIMEOUT_S}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        return {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    return {}


def create_engine(url: str | None = None) -> Engine:
    """An engine for `url` (see `database_url`); creates the SQLite file's folder when needed."""
    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sqlalchemy_create_engine(url, future=True, hide_parameters=True, connect_args=connect_args(url))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sqlalchemy_create_engine(
        url, future=True, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args(url)
    )


def insert_once(session: Session, row: Any) -> bool:
    """Adds `row` unless its primary key is already taken; returns whether it was added.

    The database decides, in a savepoint, so two processes racing for the same key cannot both win, and the rest
    of the session's work survives the loser's conflict.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


class Database:
    """An engine plus a session factory; `session()` is one unit of work."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        self.engine = create_engine(self.url)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def rehearsal(self) -> Iterator[Session]:
        """A session that always rolls back: real statements, nothing kept.

        Start-up uses it to warm the connection pool and SQLAlchemy's statement cache before the first customer.
        """
        session = self._sessions()
        try:
            yield session
            session.flush()
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        """Closes pooled connections (tests, shutdown)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({redact(self.url)!r})"
