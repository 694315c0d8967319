"""Web hardening: server-side sessions, sign-in throttling, ``client_key`` unique per team.

* ``web_sessions``: one row per signed-in session, keyed by the SHA-256 of its random token
  (the cookie holds the token, the database only its hash); idle and absolute expiry are
  checked against ``last_seen`` and ``created_at``; signing out deletes the row.
* ``web_throttle``: failed sign-ins per account and per address in a window, and the lock.
* ``web_orders``: the unique key becomes (game, team, client_key): one team's key can no longer
  collide with (and reveal) another team's order.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_ORDER_COLUMNS = "id, game_id, turn, team, actor, actions, user_id, client_key, created_at"


def upgrade() -> None:
    """Create the sessions and throttle tables and make client_key unique per team."""
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_seen", _TS, nullable=False),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user_id"])
    op.create_table(
        "web_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_start", _TS, nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite cannot drop an unnamed constraint: copy into a table with the new key
        op.create_table(
            "web_orders_new",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("game_id", sa.Integer, sa.ForeignKey("games.id"), nullable=False),
            sa.Column("turn", sa.Integer, nullable=False),
            sa.Column("team", sa.String(64), nullable=False),
            sa.Column("actor", sa.String(64), nullable=False),
            sa.Column("actions", sa.Text, nullable=False),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
            sa.Column("client_key", sa.String(64), nullable=True),
            sa.Column("created_at", _TS, nullable=False),
            sa.UniqueConstraint("game_id", "team", "client_key", name="uq_web_orders_team_key"),
        )
        op.execute(
            f"INSERT INTO web_orders_new ({_ORDER_COLUMNS}) SELECT {_ORDER_COLUMNS} FROM web_orders"
        )
        op.drop_index("ix_web_orders_game_turn", table_name="web_orders")
        op.drop_table("web_orders")
        op.rename_table("web_orders_new", "web_orders")
        op.create_index("ix_web_orders_game_turn", "web_orders", ["game_id", "turn"])
        return
    for unique in sa.inspect(bind).get_unique_constraints("web_orders"):
        if sorted(unique["column_names"]) == ["client_key", "game_id"] and unique["name"]:
            op.drop_constraint(unique["name"], "web_orders", type_="unique")
    op.create_unique_constraint(
        "uq_web_orders_team_key", "web_orders", ["game_id", "team", "client_key"]
    )


def downgrade() -> None:  # pragma: no cover - the store only upgrades
    """Drop the sessions and throttle tables."""
    op.drop_table("web_throttle")
    op.drop_index("ix_web_sessions_user", table_name="web_sessions")
    op.drop_table("web_sessions")
