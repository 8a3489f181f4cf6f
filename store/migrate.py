"""Schema migrations with Alembic, driven from Python so no `alembic.ini` has to be found on disk.

`python -m store upgrade` (run by `make run` and the test stack) brings any database to the newest schema. New
tables or columns get a new revision under `store/migrations/versions/` (`python -m store revision -m "..."`).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from store.db import create_engine, database_url
from store.schema import POSTGRES_SEARCH_INDEXES

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the store's migrations against `url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's config is interpolated, so a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate filter: the PostgreSQL-only search indexes are not in the models, and that is intended."""
    return not (type_ == "index" and name in POSTGRES_SEARCH_INDEXES)


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrates the database at `url` up to `revision` (idempotent)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Migrates the database at `url` down to `revision`."""
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str | None = None) -> str | None:
    """The revision the database is at, or None for an empty database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision in the repository."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def is_current(url: str | None = None) -> bool:
    """Whether the database is at the newest schema."""
    return current_revision(url) == head_revision()
