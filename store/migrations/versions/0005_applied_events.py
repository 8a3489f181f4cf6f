"""Applied events: the ids of spooled events already in the log, so a replay never doubles a row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates `applied_events`."""
    op.create_table(
        "applied_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_applied_events")),
    )


def downgrade() -> None:
    """Drops `applied_events`."""
    op.drop_table("applied_events")
