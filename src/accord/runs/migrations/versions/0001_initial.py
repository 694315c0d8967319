"""Initial schema: scenarios, Monte Carlo runs and results, games, append-only events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the scenarios, Monte Carlo, games and events tables, and the append-only triggers."""
    op.create_table(
        "scenarios",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "mc_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scenario_sha256", sa.String(64), sa.ForeignKey("scenarios.sha256"), nullable=False
        ),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("jobs", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "mc_results",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("mc_runs.id"), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("outcome", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_table(
        "games",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scenario_sha256", sa.String(64), sa.ForeignKey("scenarios.sha256"), nullable=False
        ),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("games.id"), nullable=True),
        sa.Column("branch_turn", sa.Integer, nullable=True),
        sa.Column("mc_run_id", sa.Integer, sa.ForeignKey("mc_runs.id"), nullable=True),
        sa.Column("label", sa.String(255), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("game_id", sa.Integer, sa.ForeignKey("games.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION accord_events_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'events are append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION accord_events_append_only()"
        )


def downgrade() -> None:
    """Drop the triggers and the tables of this revision."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS accord_events_append_only()")
    for table in ("events", "games", "mc_results", "mc_runs", "scenarios"):
        op.drop_table(table)
