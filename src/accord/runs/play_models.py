"""SQLAlchemy models of the white cell's tables (migration ``0006_adjudication``).

* ``web_adjudications``: every ruling on an order (accept or reject, with a reason) and every
  override, pending until its turn is released; ``undone_at`` marks one the white cell took
  back, ``event_seq`` the logged event it became. ``published`` says whether teams may read
  the reason (else they see a neutral text).
* ``web_game_control``: per game, whether play is paused, the deadline of a turn and whether it
  auto-releases, and, after a rollback, the game that continues it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.runs.models import Base


class WebAdjudication(Base):
    """A pending (or applied, or undone) ruling or override."""

    __tablename__ = "web_adjudications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"))
    turn: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean)
    payload: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    event_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class WebGameControl(Base):
    """Pause, turn clock and rollback successor of one game."""

    __tablename__ = "web_game_control"

    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean)
    deadline_turn: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    auto_release: Mapped[bool] = mapped_column(Boolean)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("games.id"), nullable=True)
    rolled_back_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
