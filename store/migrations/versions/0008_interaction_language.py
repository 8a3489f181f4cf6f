"""The language the NLU detected in each message.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Adds `interactions.language`."""
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Drops `interactions.language`."""
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_column("language")
