"""SQLAlchemy models of the web workbench's expert-panel tables (migration ``0004_panel``).

* ``panel_panels``: a panel (a Delphi exercise) on a snapshot of a library scenario: its
  issues, the current round and whether it is ``open`` or ``closed``, and the library entry
  the merged scenario was saved as.
* ``panel_experts``: the experts invited to it (a label, used as the expert id in the merged
  scenario; a one-time invitation stored only as a SHA-256; the account that took it).
* ``panel_answers``: every answer (one actor, issue and dimension, in one round), committed on
  receipt and never changed; the latest per expert, round and cell counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.runs.models import Base


class PanelPanel(Base):
    """An expert panel on a scenario snapshot (table panel_panels)."""

    __tablename__ = "panel_panels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    scenario_ref: Mapped[str] = mapped_column(String(255))
    scenario_text: Mapped[str] = mapped_column(Text)
    issues: Mapped[str] = mapped_column(Text)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    round: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("web_library.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PanelExpert(Base):
    """An expert invited to a panel (table panel_experts)."""

    __tablename__ = "panel_experts"
    __table_args__ = (UniqueConstraint("panel_id", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel_panels.id"))
    label: Mapped[str] = mapped_column(String(64))
    invite_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("web_users.id"), nullable=True)


class PanelAnswer(Base):
    """One answer of an expert in one round (table panel_answers)."""

    __tablename__ = "panel_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel_panels.id"))
    round: Mapped[int] = mapped_column(Integer)
    expert_id: Mapped[int] = mapped_column(ForeignKey("panel_experts.id"))
    actor: Mapped[str] = mapped_column(String(64))
    issue: Mapped[str] = mapped_column(String(64))
    dimension: Mapped[str] = mapped_column(String(64))
    position: Mapped[float | None] = mapped_column(Float, nullable=True)
    salience: Mapped[float | None] = mapped_column(Float, nullable=True)
    capability: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
