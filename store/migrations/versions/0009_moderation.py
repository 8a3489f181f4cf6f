"""Moderation of each message: what the classifier found and what the brand's policy did with it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Adds `interactions.moderation`, `moderation_score` and `moderation_action` (indexed: the console filters)."""
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moderation", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("moderation_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("moderation_action", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_interactions_moderation_action", ["moderation_action"])


def downgrade() -> None:
    """Drops the moderation columns."""
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_moderation_action")
        batch_op.drop_column("moderation_action")
        batch_op.drop_column("moderation_score")
        batch_op.drop_column("moderation")
