"""SQLAlchemy 2 models of stored games and Monte Carlo runs.

* ``scenarios``: the scenario text a game or run used, keyed by its SHA-256 (stored once).
* ``games``: one played game (its seed, status, outcome, and, for a branch, its parent and turn).
* ``events``: the game's append-only event log, one row per event (``payload`` is the event's
  canonical JSON, :func:`accord.wargame.log.dump_event`). Rows are only ever inserted; the
  migration adds triggers that refuse ``UPDATE`` and ``DELETE`` on SQLite and PostgreSQL.
* ``mc_runs`` / ``mc_results``: a Monte Carlo run (its arguments and summary) and one row per
  game of it (seed, outcome and the per-run record as JSON).

The schema is created and upgraded by the Alembic migrations in ``migrations/`` (run by
:class:`accord.runs.store.RunStore` when it opens a database), never by ``create_all``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The declarative base of every table of the store."""

    pass


class ScenarioRow(Base):
    """A scenario's text, stored once under its SHA-256 (table scenarios)."""

    __tablename__ = "scenarios"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class McRunRow(Base):
    """A Monte Carlo run: its arguments, status and summary (table mc_runs)."""

    __tablename__ = "mc_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_sha256: Mapped[str] = mapped_column(ForeignKey("scenarios.sha256"))
    scenario_id: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    n: Mapped[int] = mapped_column(Integer)
    jobs: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class McResultRow(Base):
    """One game of a Monte Carlo run: seed, outcome and record (table mc_results)."""

    __tablename__ = "mc_results"

    run_id: Mapped[int] = mapped_column(ForeignKey("mc_runs.id"), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(64))
    record: Mapped[str] = mapped_column(Text)


class GameRow(Base):
    """A played game, or a branch of one (table games)."""

    __tablename__ = "games"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_sha256: Mapped[str] = mapped_column(ForeignKey("scenarios.sha256"))
    scenario_id: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(64), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("games.id"), nullable=True)
    branch_turn: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mc_run_id: Mapped[int | None] = mapped_column(ForeignKey("mc_runs.id"), nullable=True)
    label: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventRow(Base):
    """One event of a game's append-only log (table events)."""

    __tablename__ = "events"

    game_id: Mapped[int] = mapped_column(ForeignKey("games.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    turn: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
