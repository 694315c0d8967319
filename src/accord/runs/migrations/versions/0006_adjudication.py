"""The white cell's tools.

Pending adjudications (rulings on orders, overrides) with undo, and each game's control (pause,
turn deadline, auto-release, the game a rollback continues in).

Revision ID: 0006
Revises: 0005 (people within teams and order rationale)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the white cell's tables."""
    op.create_table(
        "web_adjudications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("game_id", sa.Integer, sa.ForeignKey("games.id"), nullable=False),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("action", sa.String(64), nullable=True),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("undone_at", _TS, nullable=True),
        sa.Column("event_seq", sa.Integer, nullable=True),
    )
    op.create_index("ix_web_adjudications_game_turn", "web_adjudications", ["game_id", "turn"])
    op.create_table(
        "web_game_control",
        sa.Column("game_id", sa.Integer, sa.ForeignKey("games.id"), primary_key=True),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("deadline_turn", sa.Integer, nullable=True),
        sa.Column("deadline_at", _TS, nullable=True),
        sa.Column("auto_release", sa.Boolean, nullable=False),
        sa.Column("successor_id", sa.Integer, sa.ForeignKey("games.id"), nullable=True),
        sa.Column("rolled_back_to", sa.Integer, nullable=True),
    )


def downgrade() -> None:
    """Drop the white cell's tables."""
    op.drop_table("web_game_control")
    op.drop_index("ix_web_adjudications_game_turn", table_name="web_adjudications")
    op.drop_table("web_adjudications")
