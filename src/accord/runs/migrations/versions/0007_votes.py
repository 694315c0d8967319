"""Votes cast by hand on group decisions, kept with the order.

A person holding a member's role casts that member's vote (support / oppose) on a group decision
of the next turn; the vote travels in the order for that actor (``web_orders.votes``, JSON object
decision id -> true|false, NULL when none), so the latest submission counts, as for actions.

Revision ID: 0007
Revises: 0006 (the white cell's tools)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the votes column to the order rows."""
    op.add_column("web_orders", sa.Column("votes", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop the votes column."""
    with op.batch_alter_table("web_orders") as batch:
        batch.drop_column("votes")
