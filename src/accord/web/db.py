"""The web workbench's data access: users, games and seats, orders, library and analyses.

Everything goes through one :class:`accord.runs.RunStore` (whose migrations create the web
tables, revision ``0002``). Each write is its own committed transaction, so an order or event is
on disk before the request that carried it is answered. On SQLite, writes from the server's
threads are serialised by a lock (one writer at a time is SQLite's own rule; waiting on a lock
here avoids "database is locked" errors under load).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.runs import RunStore
from accord.runs.member_models import WebMember
from accord.runs.web_models import (
    WebAnalysis,
    WebGame,
    WebLibrary,
    WebOrder,
    WebSeat,
    WebSession,
    WebSetting,
    WebThrottle,
    WebUser,
)
from accord.web.lookups import GameLookups, GameRecord

ROLES = ("facilitator", "team", "observer")


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    """SHA-256 hex digest of ``token`` (tokens are stored only as hashes)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (SQLite hands back naive UTC datetimes)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class User:
    """A web account: id, name and role."""

    id: int
    username: str
    role: str


@dataclass(frozen=True)
class Seat:
    """Who plays one team of a game: a person (invited or joined) or an automated player."""

    team: str
    kind: str
    player: str | None
    display_name: str | None
    user_id: int | None
    invited: bool


@dataclass(frozen=True)
class OrderRecord:
    """One stored order submission."""

    id: int
    turn: int
    team: str
    actor: str
    actions: list[str]
    user_id: int
    client_key: str | None
    created_at: str
    rationale: str | None = None
    votes: dict[str, bool] = field(default_factory=dict)
    """decision id -> the actor's vote cast by hand (migration 0007)."""


@dataclass(frozen=True)
class Member:
    """A person of a team (migration 0005): the role is the actor whose orders they give."""

    id: int
    game_id: int
    team: str
    role: str | None
    display_name: str | None
    user_id: int | None
    invited: bool


@dataclass(frozen=True)
class AnalysisRecord:
    """One analysis run: its kind, arguments, status, progress and result."""

    id: int
    kind: str
    scenario_ref: str
    params: dict[str, Any]
    status: str
    progress: float
    result: Any
    error: str | None
    created_at: str


# Statements of the busiest requests, built once (building a statement costs more than running
# it on SQLite); each runs as a Core query, without the ORM's unit of work.
_SESSION_USER = (
    select(WebSession.created_at, WebSession.last_seen, WebUser.id, WebUser.username, WebUser.role)
    .join(WebUser, WebUser.id == WebSession.user_id)
    .where(WebSession.id == bindparam("key"))
)
_ADD_ORDER = insert(WebOrder)


class WebStore(GameLookups):
    """The web tables on top of a :class:`RunStore` (which it owns and closes)."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.runs = RunStore(url, schema=schema)
        self._sqlite = self.runs.engine.dialect.name == "sqlite"
        self._lock = threading.RLock()

    @property
    def local(self) -> bool:
        """Whether queries read a local file (SQLite), quick enough for the event loop.

        See :mod:`accord.web.dispatch`.
        """
        return self._sqlite

    def close(self) -> None:
        """Release the database connections."""
        self.runs.close()

    def write_lock(self) -> Any:
        """The lock that serialises writes on SQLite (a no-op elsewhere)."""
        return self._lock if self._sqlite else nullcontext()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction, committed on exit."""
        with self.write_lock(), self.runs.session() as session, session.begin():
            yield session

    def read(self) -> Session:
        """A read session."""
        return self.runs.session()

    # ------------------------------------------------------------------ settings

    def secret(self) -> str:
        """The session-signing secret, generated and stored on first use."""
        with self.read() as session:
            row = session.get(WebSetting, "secret")
            if row is not None:
                return row.value
        try:
            with self.write() as session:
                session.add(WebSetting(key="secret", value=secrets.token_urlsafe(48)))
        except IntegrityError:
            pass
        with self.read() as session:
            row = session.get(WebSetting, "secret")
            assert row is not None
            return row.value

    # ------------------------------------------------------------------ users

    def user_count(self) -> int:
        """The number of accounts."""
        with self.read() as session:
            return int(session.scalar(select(func.count()).select_from(WebUser)) or 0)

    def add_user(self, username: str, password_hash: str, role: str) -> User:
        """Create an account; ``ValueError`` when ``username`` is taken."""
        try:
            with self.write() as session:
                row = WebUser(
                    username=username, password_hash=password_hash, role=role, created_at=now()
                )
                session.add(row)
                session.flush()
                return User(row.id, row.username, row.role)
        except IntegrityError:
            raise ValueError(f"the user name '{username}' is taken") from None

    def user(self, user_id: int) -> User | None:
        """The account ``user_id``, or ``None``."""
        with self.read() as session:
            row = session.get(WebUser, user_id)
            return None if row is None else User(row.id, row.username, row.role)

    def user_by_name(self, username: str) -> tuple[User, str] | None:
        """The account named ``username`` and its password hash, or ``None``."""
        with self.read() as session:
            row = session.scalar(select(WebUser).where(WebUser.username == username))
            if row is None:
                return None
            return User(row.id, row.username, row.role), row.password_hash

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Change a password and end every session of the account (same transaction)."""
        with self.write() as session:
            row = session.get(WebUser, user_id)
            if row is not None:
                row.password_hash = password_hash
            session.execute(delete(WebSession).where(WebSession.user_id == user_id))

    # ------------------------------------------------------------------ sessions

    def add_session(self, user_id: int) -> str:
        """A new signed-in session; returns its token (the database keeps only its hash)."""
        token = secrets.token_urlsafe(32)
        moment = now()
        with self.write() as session:
            session.add(
                WebSession(
                    id=token_hash(token), user_id=user_id, created_at=moment, last_seen=moment
                )
            )
        return token

    def session_user(
        self, token: str, idle: timedelta, absolute: timedelta, touch: timedelta
    ) -> User | None:
        """The user of a live session, or ``None``.

        The user of a live session, or ``None`` (unknown, ended or expired: an expired
        session is deleted). ``last_seen`` is written at most once per ``touch``.
        """
        key = token_hash(token)
        moment = now()
        with self.runs.engine.connect() as conn:
            row = conn.execute(_SESSION_USER, {"key": key}).first()
        if row is None:  # unknown or ended (the foreign key keeps a session's user)
            return None
        created, seen = aware(row.created_at), aware(row.last_seen)
        if moment - seen > idle or moment - created > absolute:
            self.end_session(token)
            return None
        if moment - seen > touch:
            with self.write() as session:
                session.execute(
                    update(WebSession).where(WebSession.id == key).values(last_seen=moment)
                )
        return User(row.id, row.username, row.role)

    def end_session(self, token: str) -> None:
        """End the session of ``token`` (signing out)."""
        with self.write() as session:
            session.execute(delete(WebSession).where(WebSession.id == token_hash(token)))

    def end_sessions(self, user_id: int) -> None:
        """Sign an account out everywhere."""
        with self.write() as session:
            session.execute(delete(WebSession).where(WebSession.user_id == user_id))

    # ------------------------------------------------------------------ sign-in throttling

    def locked_for(self, keys: Sequence[str]) -> float:
        """Seconds until the longest lock among ``keys`` lifts (0: none is locked)."""
        moment = now()
        with self.read() as session:
            rows = session.scalars(select(WebThrottle).where(WebThrottle.key.in_(keys))).all()
            until = [aware(r.locked_until) for r in rows if r.locked_until is not None]
        return max([0.0, *((u - moment).total_seconds() for u in until)])

    def record_failure(
        self, key: str, limit: int, window: timedelta, lockout: timedelta
    ) -> datetime | None:
        """Count a failed sign-in against ``key``.

        Returns the lock's end when this failure reaches ``limit`` within ``window`` (the count then
        starts again).
        """
        try:
            return self._record_failure(key, limit, window, lockout)
        except IntegrityError:  # a parallel failure created the row first: count on it
            return self._record_failure(key, limit, window, lockout)

    def _record_failure(
        self, key: str, limit: int, window: timedelta, lockout: timedelta
    ) -> datetime | None:
        moment = now()
        with self.write() as session:
            row = session.get(WebThrottle, key, with_for_update=True)
            if row is None:
                row = WebThrottle(key=key, failures=0, window_start=moment, locked_until=None)
                session.add(row)
            if moment - aware(row.window_start) > window:
                row.failures, row.window_start = 0, moment
            row.failures += 1
            if row.failures < limit:
                return None
            row.failures, row.window_start = 0, moment
            row.locked_until = moment + lockout
            return row.locked_until

    def clear_throttle(self, key: str | None = None) -> None:
        """Forget the failures and lock of ``key`` (``None``: of every key)."""
        with self.write() as session:
            query = delete(WebThrottle)
            if key is not None:
                query = query.where(WebThrottle.key == key)
            session.execute(query)

    def users(self) -> list[User]:
        """Every account, in id order."""
        with self.read() as session:
            rows = session.scalars(select(WebUser).order_by(WebUser.id)).all()
            return [User(r.id, r.username, r.role) for r in rows]

    # ------------------------------------------------------------------ games and seats

    def add_game(
        self, game_id: int, title: str, scenario_ref: str, facilitator_id: int, teams: Sequence[str]
    ) -> None:
        """Record the web side of game ``game_id`` with an open seat for each team."""
        with self.write() as session:
            session.add(
                WebGame(
                    game_id=game_id,
                    title=title,
                    scenario_ref=scenario_ref,
                    facilitator_id=facilitator_id,
                    created_at=now(),
                )
            )
            for team in teams:
                session.add(WebSeat(game_id=game_id, team=team, kind="open"))

    def games(self) -> list[GameRecord]:
        """Every web game, in id order."""
        with self.read() as session:
            rows = session.scalars(select(WebGame).order_by(WebGame.game_id)).all()
            return [GameRecord(r.game_id, r.title, r.scenario_ref, r.facilitator_id) for r in rows]

    def seats(self, game_id: int) -> dict[str, Seat]:
        """The seats of game ``game_id`` by team."""
        with self.read() as session:
            rows = session.scalars(
                select(WebSeat).where(WebSeat.game_id == game_id).order_by(WebSeat.id)
            ).all()
            return {
                r.team: Seat(
                    r.team, r.kind, r.player, r.display_name, r.user_id, r.invite_hash is not None
                )
                for r in rows
            }

    def set_seat(self, game_id: int, team: str, kind: str, player: str | None) -> str | None:
        """Assign a seat; for a person returns a fresh invitation token (stored hashed)."""
        token = secrets.token_urlsafe(24) if kind == "human" else None
        with self.write() as session:
            row = session.scalar(
                select(WebSeat).where(WebSeat.game_id == game_id, WebSeat.team == team)
            )
            if row is None:
                raise KeyError(team)
            row.kind = kind
            row.player = player
            row.user_id = None
            row.display_name = None
            row.invite_hash = None if token is None else token_hash(token)
        return token

    def seat_by_invite(self, token: str) -> tuple[int, str, str | None] | None:
        """(game id, team, display name) of the seat an invitation token opens."""
        with self.read() as session:
            row = session.scalar(select(WebSeat).where(WebSeat.invite_hash == token_hash(token)))
            if row is None:
                return None
            return row.game_id, row.team, row.display_name

    def join(
        self, token: str, username: str, password_hash: str, display_name: str
    ) -> tuple[User, int]:
        """Create the team account and take the invitation's seat in one transaction.

        Create the team account and take the invitation's seat in ONE transaction, so one
        invitation makes at most one account however many joins race.

        Raises:
            KeyError: the invitation is unknown or already used.
            ValueError: the user name is taken.
        """
        try:
            with self.write() as session:
                user, seat = _consume_invitation(
                    session, WebSeat, token, username, password_hash, display_name
                )
                return user, seat.game_id
        except IntegrityError:
            raise ValueError(f"the user name '{username}' is taken") from None

    # ------------------------------------------------------------------ team members (0005)

    def invite_member(self, game_id: int, team: str, role: str | None) -> tuple[Member, str]:
        """A new invitation for a person of ``team`` holding ``role`` (an actor id, or none).

        Returns the member and the token (stored hashed). A role still waiting for its person
        gets a fresh token (the old link stops working).

        Raises:
            ValueError: someone has already joined with this role.
        """
        token = secrets.token_urlsafe(24)
        with self.write() as session:
            row = None
            if role is not None:
                row = session.scalar(
                    select(WebMember).where(
                        WebMember.game_id == game_id,
                        WebMember.team == team,
                        WebMember.role == role,
                    )
                )
                if row is not None and row.user_id is not None:
                    raise ValueError(f"the role '{role}' is already held")
            if row is None:
                row = WebMember(game_id=game_id, team=team, role=role, created_at=now())
                session.add(row)
            row.invite_hash = token_hash(token)
            session.flush()
            return _member(row), token

    def members(self, game_id: int, team: str | None = None) -> list[Member]:
        """The people of a game's teams (or of one team), in invitation order."""
        query = select(WebMember).where(WebMember.game_id == game_id)
        if team is not None:
            query = query.where(WebMember.team == team)
        with self.read() as session:
            return [_member(r) for r in session.scalars(query.order_by(WebMember.id)).all()]

    def member_by_invite(self, token: str) -> Member | None:
        """The member an invitation token names."""
        with self.read() as session:
            row = session.scalar(
                select(WebMember).where(WebMember.invite_hash == token_hash(token))
            )
            return None if row is None else _member(row)

    def join_member(
        self, token: str, username: str, password_hash: str, display_name: str
    ) -> tuple[User, Member]:
        """Create the person's account and take the member invitation in ONE transaction.

        One invitation makes one account, however many joins race.

        Raises:
            KeyError: the invitation is unknown or already used.
            ValueError: the user name is taken.
        """
        try:
            with self.write() as session:
                user, row = _consume_invitation(
                    session, WebMember, token, username, password_hash, display_name
                )
                session.refresh(row)
                return user, _member(row)
        except IntegrityError:
            raise ValueError(f"the user name '{username}' is taken") from None

    def member_of(self, user_id: int, game_id: int) -> Member | None:
        """The user's membership of a game's team.

        ``None``: not a member (a seat holder is not a member).
        """
        with self.read() as session:
            row = session.scalar(
                select(WebMember).where(WebMember.game_id == game_id, WebMember.user_id == user_id)
            )
            return None if row is None else _member(row)

    # ------------------------------------------------------------------ orders

    def add_order(
        self,
        game_id: int,
        turn: int,
        team: str,
        actor: str,
        actions: Sequence[str],
        user_id: int,
        client_key: str | None,
        rationale: str | None = None,
        votes: Mapping[str, bool] | None = None,
    ) -> tuple[OrderRecord, bool]:
        """Store one submission (committed on return).

        The ``votes`` (decision id -> support cast by hand) are stored in the same row.

        With a ``client_key`` this team already used in this game, returns that submission and
        ``False`` (nothing is stored twice). Keys are per team: another team's key never matches
        (nor reveals its order). The ``rationale`` (free text) is stored in the same row.
        """
        try:
            moment = now()
            values = {
                "game_id": game_id,
                "turn": turn,
                "team": team,
                "actor": actor,
                "actions": json.dumps(list(actions)),
                "user_id": user_id,
                "client_key": client_key,
                "created_at": moment,
                "rationale": rationale,
                "votes": json.dumps(dict(votes), sort_keys=True) if votes else None,
            }
            # a Core insert in its own committed transaction (the ORM's unit of work costs
            # several times as much, and this is the busiest write)
            with self.write_lock(), self.runs.engine.begin() as conn:
                key = conn.execute(_ADD_ORDER, values).inserted_primary_key
            assert key is not None
            record = OrderRecord(
                id=int(key[0]),
                turn=turn,
                team=team,
                actor=actor,
                actions=list(actions),
                user_id=user_id,
                client_key=client_key,
                created_at=moment.isoformat(),
                rationale=rationale,
                votes=dict(votes or {}),
            )
            return record, True
        except IntegrityError:
            with self.read() as session:
                old = session.scalar(
                    select(WebOrder).where(
                        WebOrder.game_id == game_id,
                        WebOrder.team == team,
                        WebOrder.client_key == client_key,
                    )
                )
                if old is None:
                    raise
                return _order(old), False

    def orders(
        self, game_id: int, turn: int | None = None, team: str | None = None
    ) -> list[OrderRecord]:
        """The stored orders of a game, optionally of one turn and one team, in submission order."""
        query = select(WebOrder).where(WebOrder.game_id == game_id)
        if turn is not None:
            query = query.where(WebOrder.turn == turn)
        if team is not None:
            query = query.where(WebOrder.team == team)
        with self.read() as session:
            return [_order(r) for r in session.scalars(query.order_by(WebOrder.id)).all()]

    # ------------------------------------------------------------------ library

    def add_library(self, name: str, kind: str, text: str, user_id: int) -> int:
        """Save a scenario text in the library and return its id."""
        with self.write() as session:
            row = WebLibrary(name=name, kind=kind, text=text, user_id=user_id, created_at=now())
            session.add(row)
            session.flush()
            return int(row.id)

    def update_library(self, item_id: int, text: str) -> None:
        """Replace the text of library entry ``item_id``; ``KeyError`` when there is none."""
        with self.write() as session:
            row = session.get(WebLibrary, item_id)
            if row is None:
                raise KeyError(item_id)
            row.text = text

    def library(self) -> list[tuple[int, str, str]]:
        """Every library entry as ``(id, name, kind)``, in id order."""
        with self.read() as session:
            rows = session.scalars(select(WebLibrary).order_by(WebLibrary.id)).all()
            return [(r.id, r.name, r.kind) for r in rows]

    def library_item(self, item_id: int) -> tuple[str, str, str] | None:
        """(name, kind, text) of a library entry."""
        with self.read() as session:
            row = session.get(WebLibrary, item_id)
            return None if row is None else (row.name, row.kind, row.text)

    # ------------------------------------------------------------------ analyses

    def add_analysis(
        self, kind: str, scenario_ref: str, params: dict[str, Any], user_id: int
    ) -> int:
        """Record a new analysis run and return its id."""
        with self.write() as session:
            row = WebAnalysis(
                kind=kind,
                scenario_ref=scenario_ref,
                params=json.dumps(params, sort_keys=True),
                status="running",
                progress=0.0,
                user_id=user_id,
                created_at=now(),
            )
            session.add(row)
            session.flush()
            return int(row.id)

    def update_analysis(
        self,
        analysis_id: int,
        *,
        progress: float | None = None,
        status: str | None = None,
        result: Any = None,
        error: str | None = None,
    ) -> None:
        """Update an analysis run's progress, status, result or error (``None`` leaves it)."""
        with self.write() as session:
            row = session.get(WebAnalysis, analysis_id)
            if row is None:
                return
            if progress is not None:
                row.progress = progress
            if status is not None:
                row.status = status
            if result is not None:
                row.result = json.dumps(result, sort_keys=True, allow_nan=True)
            if error is not None:
                row.error = error

    def analysis(self, analysis_id: int) -> AnalysisRecord | None:
        """The analysis run ``analysis_id`` with its result, or ``None``."""
        with self.read() as session:
            row = session.get(WebAnalysis, analysis_id)
            return None if row is None else _analysis(row)

    def analyses(self) -> list[AnalysisRecord]:
        """Every analysis run without its result, newest first."""
        with self.read() as session:
            rows = session.scalars(select(WebAnalysis).order_by(WebAnalysis.id.desc())).all()
            return [_analysis(r, with_result=False) for r in rows]

    def fail_unfinished_analyses(self) -> None:
        """Runs left ``running`` by a server that stopped are marked failed on start."""
        with self.write() as session:
            for row in session.scalars(
                select(WebAnalysis).where(WebAnalysis.status == "running")
            ).all():
                row.status = "failed"
                row.error = "the server stopped before the run finished"


def _order(row: WebOrder) -> OrderRecord:
    return OrderRecord(
        id=row.id,
        turn=row.turn,
        team=row.team,
        actor=row.actor,
        actions=list(json.loads(row.actions)),
        user_id=row.user_id,
        client_key=row.client_key,
        created_at=row.created_at.isoformat(),
        rationale=row.rationale,
        votes=dict(json.loads(row.votes)) if row.votes else {},
    )


def _member(row: WebMember) -> Member:
    return Member(
        id=row.id,
        game_id=row.game_id,
        team=row.team,
        role=row.role,
        display_name=row.display_name,
        user_id=row.user_id,
        invited=row.invite_hash is not None,
    )


def _analysis(row: WebAnalysis, with_result: bool = True) -> AnalysisRecord:
    return AnalysisRecord(
        id=row.id,
        kind=row.kind,
        scenario_ref=row.scenario_ref,
        params=json.loads(row.params),
        status=row.status,
        progress=float(row.progress),
        result=json.loads(row.result) if (with_result and row.result) else None,
        error=row.error,
        created_at=row.created_at.isoformat(),
    )


def _consume_invitation(
    session: Any,
    model: Any,
    token: str,
    username: str,
    password_hash: str,
    display_name: str | None,
) -> tuple[User, Any]:
    """Use the invitation ``token`` of a seat or member row and make its team account.

    The row is locked, the account created and the row claimed only if still unclaimed, all in
    the caller's transaction, so one invitation makes at most one account however many joins
    race.

    Raises:
        KeyError: the invitation is unknown or already used.
    """
    row = session.scalar(
        select(model).where(model.invite_hash == token_hash(token)).with_for_update()
    )
    if row is None or row.user_id is not None:
        raise KeyError("invitation")
    user = WebUser(username=username, password_hash=password_hash, role="team", created_at=now())
    session.add(user)
    session.flush()
    taken = session.execute(
        update(model)
        .where(model.id == row.id, model.user_id.is_(None))
        .values(user_id=user.id, display_name=display_name)
    )
    if getattr(taken, "rowcount", 0) != 1:
        raise KeyError("invitation")
    return User(user.id, user.username, user.role), row
