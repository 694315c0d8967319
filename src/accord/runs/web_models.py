"""SQLAlchemy models of the web workbench's tables (migration ``0002_web``).

* ``web_settings``: key -> value (the session-signing secret, generated once).
* ``web_users``: accounts (argon2 password hash, role ``facilitator``/``team``/``observer``).
* ``web_games``: a played war game's web side (title, facilitator) keyed by ``games.id``.
* ``web_seats``: who plays each scenario team of a game: a person (through an invitation whose
  token is stored only as a SHA-256) or an automated actor (``doctrine``/``utility``/``passive``).
* ``web_orders``: every order submission, committed on receipt; the latest per actor and turn is
  played. ``client_key`` (unique per game and team, migration ``0003``) makes a retried
  submission idempotent.
* ``web_library``: scenarios saved or imported through the web (YAML text).
* ``web_analyses``: the analysts' run history (kind, arguments, progress, result JSON).
* ``web_sessions`` (``0003``): signed-in sessions by the SHA-256 of their token, with creation
  and last-seen times (idle and absolute expiry); deleted on sign-out.
* ``web_throttle`` (``0003``): failed sign-ins per account or address, and lockouts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.runs.models import Base


class WebSetting(Base):
    """A web setting, key to value (table web_settings)."""

    __tablename__ = "web_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WebUser(Base):
    """A web account (table web_users)."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebGame(Base):
    """The web side of a played war game (table web_games)."""

    __tablename__ = "web_games"

    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    scenario_ref: Mapped[str] = mapped_column(String(255))
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSeat(Base):
    """Who plays one team of a web game (table web_seats)."""

    __tablename__ = "web_seats"
    __table_args__ = (UniqueConstraint("game_id", "team"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"))
    team: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    player: Mapped[str | None] = mapped_column(String(16), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("web_users.id"), nullable=True)
    invite_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)


class WebOrder(Base):
    """One order submission, as received (table web_orders)."""

    __tablename__ = "web_orders"
    __table_args__ = (
        UniqueConstraint("game_id", "team", "client_key", name="uq_web_orders_team_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"))
    turn: Mapped[int] = mapped_column(Integer)
    team: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    actions: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rationale: Mapped[str | None] = mapped_column(Text, nullable=True)  # migration 0005
    votes: Mapped[str | None] = mapped_column(Text, nullable=True)  # migration 0007: JSON


class WebLibrary(Base):
    """A scenario saved or imported through the web (table web_library)."""

    __tablename__ = "web_library"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebAnalysis(Base):
    """One analysis run of the web workbench (table web_analyses)."""

    __tablename__ = "web_analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    scenario_ref: Mapped[str] = mapped_column(String(255))
    params: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in session, keyed by its token's SHA-256 (table web_sessions)."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"))  # ix_web_sessions_user
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebThrottle(Base):
    """Failed sign-ins and lockouts per account or address (table web_throttle)."""

    __tablename__ = "web_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
