"""Web workbench tables: settings, users, games, seats, orders, library, analyses.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the web workbench tables (module docstring)."""
    op.create_table(
        "web_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "web_games",
        sa.Column("game_id", sa.Integer, sa.ForeignKey("games.id"), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("scenario_ref", sa.String(255), nullable=False),
        sa.Column("facilitator_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "web_seats",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("game_id", sa.Integer, sa.ForeignKey("games.id"), nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("player", sa.String(16), nullable=True),
        sa.Column("display_name", sa.String(100), nullable=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=True),
        sa.Column("invite_hash", sa.String(64), nullable=True, unique=True),
        sa.UniqueConstraint("game_id", "team"),
    )
    op.create_table(
        "web_orders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("game_id", sa.Integer, sa.ForeignKey("games.id"), nullable=False),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("actions", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("client_key", sa.String(64), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("game_id", "client_key"),
    )
    op.create_index("ix_web_orders_game_turn", "web_orders", ["game_id", "turn"])
    op.create_table(
        "web_library",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "web_analyses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("scenario_ref", sa.String(255), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )


def downgrade() -> None:
    """Drop the web workbench tables."""
    op.drop_index("ix_web_orders_game_turn", "web_orders")
    for table in (
        "web_analyses",
        "web_library",
        "web_orders",
        "web_seats",
        "web_games",
        "web_users",
        "web_settings",
    ):
        op.drop_table(table)
