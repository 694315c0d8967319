"""Expert panels in the web workbench: panels (Delphi rounds), invited experts, answers.

Revision ID: 0004
Revises: 0003 (web security: sessions, throttling)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the expert-panel tables (module docstring)."""
    op.create_table(
        "panel_panels",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("scenario_ref", sa.String(255), nullable=False),
        sa.Column("scenario_text", sa.Text, nullable=False),
        sa.Column("issues", sa.Text, nullable=False),
        sa.Column("facilitator_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("library_id", sa.Integer, sa.ForeignKey("web_library.id"), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "panel_experts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("panel_id", sa.Integer, sa.ForeignKey("panel_panels.id"), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("invite_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=True),
        sa.UniqueConstraint("panel_id", "label"),
    )
    op.create_table(
        "panel_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("panel_id", sa.Integer, sa.ForeignKey("panel_panels.id"), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("expert_id", sa.Integer, sa.ForeignKey("panel_experts.id"), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("issue", sa.String(64), nullable=False),
        sa.Column("dimension", sa.String(64), nullable=False),
        sa.Column("position", sa.Float, nullable=True),
        sa.Column("salience", sa.Float, nullable=True),
        sa.Column("capability", sa.Float, nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_panel_answers_panel_round", "panel_answers", ["panel_id", "round"])


def downgrade() -> None:
    """Drop the expert-panel tables."""
    op.drop_index("ix_panel_answers_panel_round", "panel_answers")
    for table in ("panel_answers", "panel_experts", "panel_panels"):
        op.drop_table(table)
