"""Trigram indexes for the console's free-text search (PostgreSQL only).

Without them, searching 300,000 messages for "tent leaked" scanned every message (153 ms, benchmarks/README.md).
`pg_trgm` is a trusted extension from PostgreSQL 13 on, so a database owner can create it; where it cannot be
created, the migration says so and carries on (search still works, by scanning). SQLite has no such index and
needs none at the sizes it is used for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:30:00
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    """Creates pg_trgm and GIN indexes on the messages' text and conversation id, on PostgreSQL."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():  # a savepoint: a refused extension must not abort the whole migration
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        logger.warning("pg_trgm not available (%s); console search will scan messages", error.orig)
        return
    op.execute("CREATE INDEX IF NOT EXISTS ix_interactions_text_trgm ON interactions USING gin (text gin_trgm_ops)")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_interactions_conversation_id_trgm ON interactions "
        "USING gin (conversation_id gin_trgm_ops)"
    )


def downgrade() -> None:
    """Drops the indexes (the extension stays: other schemas may use it)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_interactions_conversation_id_trgm")
        op.execute("DROP INDEX IF EXISTS ix_interactions_text_trgm")
