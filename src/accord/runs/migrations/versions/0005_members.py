"""People within teams and order rationale: ``web_members`` and ``web_orders.rationale``.

Revision ID: 0005
Revises: 0004 (expert panels)

* ``web_members``: the people of a team beyond its seat holder, each joined through their own
  one-time invitation (stored only as a SHA-256), optionally holding a role: the scenario actor
  whose orders they give (for Japan's ``jp_nsc``: ``jp_pm``, ``jp_mod``, ``jp_mofa``).
* ``web_orders.rationale``: the free-text rationale sent with an order (seen by the team and the
  white cell only).

Messages need no table: each is one event of the game's log (``events``, kind ``message``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add ``web_members`` and ``web_orders.rationale``."""
    op.create_table(
        "web_members",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("game_id", sa.Integer, sa.ForeignKey("games.id"), nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("role", sa.String(64), nullable=True),
        sa.Column("display_name", sa.String(100), nullable=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=True),
        sa.Column("invite_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_web_members_game", "web_members", ["game_id", "team"])
    op.add_column("web_orders", sa.Column("rationale", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop ``web_orders.rationale`` and ``web_members``."""
    with op.batch_alter_table("web_orders") as batch:
        batch.drop_column("rationale")
    op.drop_index("ix_web_members_game", "web_members")
    op.drop_table("web_members")
