"""Channel deliveries: the platform updates already taken in, shared by restarts and replicas.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates `channel_deliveries`."""
    op.create_table(
        "channel_deliveries",
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "delivery_id", name=op.f("pk_channel_deliveries")),
    )
    op.create_index(op.f("ix_channel_deliveries_received_at"), "channel_deliveries", ["received_at"])


def downgrade() -> None:
    """Drops `channel_deliveries`."""
    op.drop_index(op.f("ix_channel_deliveries_received_at"), table_name="channel_deliveries")
    op.drop_table("channel_deliveries")
