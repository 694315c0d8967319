"""SQLAlchemy model of the people within web teams (migration ``0005_members``).

* ``web_members``: one person of a team (besides the seat holder, who joined through the seat's
  invitation): the invitation (SHA-256 of its token), the account that took it, a display name
  and the scenario role held (an actor id of the team, or none).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.runs.models import Base


class WebMember(Base):
    """A person of a team in a web game (migration ``0005``)."""

    __tablename__ = "web_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"))
    team: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("web_users.id"), nullable=True)
    invite_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
