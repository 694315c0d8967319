"""The run store: games (their event logs) and Monte Carlo runs in a SQL database.

:class:`RunStore` opens a database by SQLAlchemy URL -- SQLite by default
(``sqlite:///runs.db``, a file at the path the user chooses) or PostgreSQL
(``postgresql+psycopg://user:pass@host/db``) -- and brings its schema to the latest Alembic
revision (``accord/runs/migrations``) before anything else.

Crash safety: :meth:`RunStore.append_event` writes one event in its own transaction and returns
only after the commit, so a process killed in the middle of a game loses nothing it had already
logged; :meth:`RunStore.recorder` gives the callback to pass as ``Game(on_event=...)``. A game
killed mid-turn can be resumed from the last complete turn with :func:`resume_point`.

Event rows are append-only: the store has no call that changes or deletes them and the database
refuses ``UPDATE``/``DELETE`` on them (triggers from the migration).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from accord.errors import AccordError, UsageError
from accord.runs.models import EventRow, GameRow, McResultRow, McRunRow, ScenarioRow
from accord.wargame.log import Event, GameEnded, dump_event, load_event

DEFAULT_URL = "sqlite:///runs.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class StoreError(AccordError):
    """The database cannot be opened or does not hold what was asked for."""


@dataclass(frozen=True)
class GameInfo:
    """One stored game (without its events)."""

    id: int
    scenario_id: str
    scenario_sha256: str
    seed: int
    status: str
    outcome: str | None
    parent_id: int | None
    branch_turn: int | None
    mc_run_id: int | None
    label: str | None
    events: int


@dataclass(frozen=True)
class RunInfo:
    """One stored Monte Carlo run."""

    id: int
    scenario_id: str
    seed: int
    n: int
    jobs: int
    status: str
    summary: dict[str, Any] | None
    results: int


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL + synchronous=NORMAL: a committed transaction survives the process being killed.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_store_engine(url: str, schema: str | None = None) -> Engine:
    """A SQLAlchemy engine for ``url``.

    With ``schema`` (PostgreSQL only) every table lives in that schema, created if missing (tests
    use a unique one per run).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(
            f"cannot read database URL '{url}'",
            field="--db",
            expected="e.g. sqlite:///runs.db or postgresql+psycopg://user:pass@host/db",
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise UsageError(
            f"unsupported database '{backend}'", field="--db", expected="sqlite or postgresql"
        )
    if schema is not None and (backend != "postgresql" or not _SCHEMA.match(schema)):
        raise UsageError(
            f"cannot use schema '{schema}' here",
            field="schema",
            expected="a lower-case schema name, with a PostgreSQL URL",
        )
    try:
        if backend == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                folder = Path(database).expanduser().resolve().parent
                if not folder.is_dir():
                    raise UsageError(
                        f"no folder {folder} for the database file",
                        field="--db",
                        expected="a path in an existing folder",
                    )
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        # as many connections as the web server has worker threads (40), so that a burst of
        # requests does not queue for the default 5 + 10
        pool = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 30}
        if schema is None:
            return create_engine(url, **pool)
        with create_engine(url).connect() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            conn.commit()
        return create_engine(url, connect_args={"options": f"-csearch_path={schema}"}, **pool)
    except (NoSuchModuleError, OperationalError) as exc:
        raise StoreError(
            f"cannot open database {parsed.render_as_string(hide_password=True)}: "
            f"{str(exc).splitlines()[0]}",
            field="--db",
        ) from None


def migrate(engine: Engine) -> None:
    """Upgrade the database to the latest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def resume_point(events: Sequence[Event]) -> int:
    """The turn from which a game whose log stops at ``events`` can be resumed cleanly.

    The last turn that ``events`` started (its partial events are dropped by ``Game.branch``).
    """
    return max((e.turn for e in events), default=0) or 1


class RunStore:
    """Games and Monte Carlo runs in a database (see the module docstring).

    Args:
        url: a SQLAlchemy URL; default ``sqlite:///runs.db`` (in the working folder).
        schema: PostgreSQL only: keep the tables in this schema (created if missing).
    """

    def __init__(self, url: str = DEFAULT_URL, *, schema: str | None = None) -> None:
        self.url = url
        self.schema = schema
        self.engine = make_store_engine(url, schema)
        try:
            migrate(self.engine)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(
                f"cannot prepare database: {str(exc).splitlines()[0]}", field="--db"
            ) from None
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # ------------------------------------------------------------------ scenarios

    def add_scenario(self, text_: str, source: str, scenario_id: str) -> str:
        """Store a scenario's text once; returns its SHA-256."""
        sha = hashlib.sha256(text_.encode("utf-8")).hexdigest()
        with self._session.begin() as session:
            if session.get(ScenarioRow, sha) is None:
                session.add(
                    ScenarioRow(
                        sha256=sha,
                        scenario_id=scenario_id,
                        source=source[:255],
                        text=text_,
                        created_at=_now(),
                    )
                )
        return sha

    def scenario_text(self, sha256: str) -> tuple[str, str]:
        """(text, source) of a stored scenario."""
        with self._session() as session:
            row = session.get(ScenarioRow, sha256)
            if row is None:
                raise StoreError(f"no scenario {sha256[:12]} in the database", field="scenario")
            return row.text, row.source

    # ------------------------------------------------------------------ games

    def start_game(
        self,
        scenario_sha256: str,
        scenario_id: str,
        seed: int,
        *,
        parent_id: int | None = None,
        branch_turn: int | None = None,
        mc_run_id: int | None = None,
        label: str | None = None,
    ) -> int:
        """A new game row (status ``running``); returns its id."""
        with self._session.begin() as session:
            row = GameRow(
                scenario_sha256=scenario_sha256,
                scenario_id=scenario_id,
                seed=int(seed),
                status="running",
                outcome=None,
                parent_id=parent_id,
                branch_turn=branch_turn,
                mc_run_id=mc_run_id,
                label=label,
                created_at=_now(),
            )
            session.add(row)
            session.flush()
            return int(row.id)

    def append_event(self, game_id: int, ev: Event) -> None:
        """Log one event in its own transaction (committed when this returns).

        A ``game-ended`` event also marks the game ended, in the same transaction.
        """
        with self._session.begin() as session:
            session.add(
                EventRow(
                    game_id=game_id, seq=ev.seq, turn=ev.turn, kind=ev.kind, payload=dump_event(ev)
                )
            )
            if isinstance(ev, GameEnded):
                game = session.get(GameRow, game_id)
                if game is not None:
                    game.status = "ended"
                    game.outcome = ev.outcome

    def append_events(self, game_id: int, events: Iterable[Event]) -> None:
        """Log events one transaction each (e.g. the kept prefix of a branch)."""
        for ev in events:
            self.append_event(game_id, ev)

    def append_events_atomic(self, game_id: int, events: Iterable[Event]) -> None:
        """Log several events in ONE transaction.

        All of them are stored or none (the web workbench releases a whole turn this way). A
        ``game-ended`` event marks the game ended. A clash with events already stored (the same
        ``seq``) raises an ``IntegrityError``.
        """
        with self._session.begin() as session:
            for ev in events:
                session.add(
                    EventRow(
                        game_id=game_id,
                        seq=ev.seq,
                        turn=ev.turn,
                        kind=ev.kind,
                        payload=dump_event(ev),
                    )
                )
                if isinstance(ev, GameEnded):
                    session.flush()
                    game = session.get(GameRow, game_id)
                    if game is not None:
                        game.status = "ended"
                        game.outcome = ev.outcome

    def recorder(self, game_id: int) -> Callable[[Event], None]:
        """The ``on_event`` callback that logs a game's events into this store."""

        def record(ev: Event) -> None:
            self.append_event(game_id, ev)

        return record

    def events(self, game_id: int, to_turn: int | None = None) -> list[Event]:
        """A game's logged events in order (those of turns ``<= to_turn`` if given)."""
        self.game(game_id)
        query = select(EventRow.payload).where(EventRow.game_id == game_id)
        if to_turn is not None:
            query = query.where(EventRow.turn <= to_turn)
        with self._session() as session:
            rows = session.scalars(query.order_by(EventRow.seq)).all()
        return [load_event(p, f"game {game_id}") for p in rows]

    def game(self, game_id: int) -> GameInfo:
        """The stored game game_id with its number of events.

        Raises:
            StoreError: when there is no such game.
        """
        with self._session() as session:
            row = session.get(GameRow, game_id)
            if row is None:
                raise StoreError(f"no game {game_id} in the database", field="LOG")
            count = session.scalar(
                select(func.count()).select_from(EventRow).where(EventRow.game_id == game_id)
            )
            return GameInfo(
                id=row.id,
                scenario_id=row.scenario_id,
                scenario_sha256=row.scenario_sha256,
                seed=row.seed,
                status=row.status,
                outcome=row.outcome,
                parent_id=row.parent_id,
                branch_turn=row.branch_turn,
                mc_run_id=row.mc_run_id,
                label=row.label,
                events=int(count or 0),
            )

    def games(self) -> list[GameInfo]:
        """Every stored game, in id order."""
        with self._session() as session:
            ids = session.scalars(select(GameRow.id).order_by(GameRow.id)).all()
        return [self.game(i) for i in ids]

    # ------------------------------------------------------------------ Monte Carlo runs

    def start_run(
        self, scenario_sha256: str, scenario_id: str, seed: int, n: int, jobs: int
    ) -> int:
        """Record a new Monte Carlo run (status running) and return its id."""
        with self._session.begin() as session:
            row = McRunRow(
                scenario_sha256=scenario_sha256,
                scenario_id=scenario_id,
                seed=int(seed),
                n=n,
                jobs=jobs,
                status="running",
                summary=None,
                created_at=_now(),
            )
            session.add(row)
            session.flush()
            return int(row.id)

    def add_results(self, run_id: int, records: Sequence[Mapping[str, Any]]) -> None:
        """Store the per-game records of a run in one transaction.

        Store per-game records of a run (each with ``index``, ``seed``, ``outcome``) in one
        transaction.
        """
        with self._session.begin() as session:
            for rec in records:
                session.add(
                    McResultRow(
                        run_id=run_id,
                        idx=int(rec["index"]),
                        seed=int(rec["seed"]),
                        outcome=str(rec["outcome"]),
                        record=json.dumps(rec, sort_keys=True, allow_nan=True),
                    )
                )

    def finish_run(self, run_id: int, summary: Mapping[str, Any]) -> None:
        """Mark run run_id ended with its summary (stored as JSON)."""
        with self._session.begin() as session:
            row = session.get(McRunRow, run_id)
            if row is None:
                raise StoreError(f"no run {run_id} in the database", field="run")
            row.status = "ended"
            row.summary = json.dumps(summary, sort_keys=True, allow_nan=True)

    def run(self, run_id: int) -> RunInfo:
        """The stored Monte Carlo run run_id with its number of results.

        Raises:
            StoreError: when there is no such run.
        """
        with self._session() as session:
            row = session.get(McRunRow, run_id)
            if row is None:
                raise StoreError(f"no run {run_id} in the database", field="run")
            count = session.scalar(
                select(func.count()).select_from(McResultRow).where(McResultRow.run_id == run_id)
            )
            return RunInfo(
                id=row.id,
                scenario_id=row.scenario_id,
                seed=row.seed,
                n=row.n,
                jobs=row.jobs,
                status=row.status,
                summary=None if row.summary is None else json.loads(row.summary),
                results=int(count or 0),
            )

    def results(self, run_id: int) -> list[dict[str, Any]]:
        """The per-game records of a run, by index."""
        with self._session() as session:
            rows = session.scalars(
                select(McResultRow.record)
                .where(McResultRow.run_id == run_id)
                .order_by(McResultRow.idx)
            ).all()
        return [json.loads(r) for r in rows]

    def session(self) -> Session:
        """A plain ORM session (read-only use by reports)."""
        return self._session()
