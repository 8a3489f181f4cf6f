from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from store.db import Database
from store.migrate import current_revision, downgrade, head_revision, include_object, is_current, upgrade
from store.schema import Base

TABLES = {"users", "interests", "interactions", "feedback", "catalog_items", "segments"}


def test_upgrade_brings_an_empty_database_to_head(database):
    assert is_current(database.url)
    assert current_revision(database.url) == head_revision()
    assert TABLES <= set(inspect(database.engine).get_table_names())


def test_migrations_match_the_models(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_then_upgrade_round_trips(database):
    downgrade(database.url, "base")
    assert not TABLES & set(inspect(database.engine).get_table_names())
    upgrade(database.url)
    assert is_current(database.url)


def test_upgrade_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert current_revision(url) is None
    upgrade(url)
    upgrade(url)
    assert is_current(url)
    Database(url).dispose()
