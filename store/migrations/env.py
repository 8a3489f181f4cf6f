"""Alembic environment: runs migrations online against the URL that `store.migrate` put in the config."""

from __future__ import annotations

from alembic import context

from store.db import create_engine
from store.migrate import include_object
from store.schema import Base

config = context.config


def run_migrations() -> None:
    """Runs the pending migrations in one transaction per database."""
    engine = create_engine(config.get_main_option("sqlalchemy.url").replace("%%", "%"))
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_object=include_object,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations()
