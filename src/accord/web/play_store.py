"""The white cell's tables (migration ``0006``).

Pending rulings and overrides, game control (pause, turn deadline, auto-release, rollback
successor), released turns and branches.

Functions over a :class:`~accord.web.db.WebStore`; every write is one committed transaction,
so what the server acknowledged survives a ``kill -9`` and a crash mid-write leaves nothing
half-written (a release, a rollback and a branch are each one transaction).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from accord.runs.member_models import WebMember
from accord.runs.models import EventRow, GameRow
from accord.runs.play_models import WebAdjudication, WebGameControl
from accord.runs.web_models import WebGame, WebSeat
from accord.wargame.log import Event, GameEnded, dump_event
from accord.web.db import WebStore, aware, now
from accord.web.lookups import CONTROL_COLUMNS

_CONTROL = select(*CONTROL_COLUMNS).where(WebGameControl.game_id == bindparam("game_id"))


@dataclass(frozen=True)
class AdjudicationRecord:
    """A white-cell ruling on one order (``kind='ruling'``), or an override, for one turn."""

    id: int
    game_id: int
    turn: int
    kind: str
    actor: str | None
    action: str | None
    verdict: str | None
    reason: str
    published: bool
    payload: dict[str, Any]
    created_at: str
    undone: bool
    event_seq: int | None


@dataclass(frozen=True)
class ControlRecord:
    """A game's pause flag, turn deadline and rollback successor."""

    game_id: int
    paused: bool
    deadline_turn: int | None
    deadline_at: datetime | None
    auto_release: bool
    successor_id: int | None
    rolled_back_to: int | None


def add_adjudication(
    store: WebStore,
    game_id: int,
    turn: int,
    kind: str,
    reason: str,
    payload: dict[str, Any],
    user_id: int,
    *,
    actor: str | None = None,
    action: str | None = None,
    verdict: str | None = None,
    published: bool = False,
) -> AdjudicationRecord:
    """Store one pending ruling or override for ``turn`` (committed on return)."""
    with store.write() as session:
        row = WebAdjudication(
            game_id=game_id,
            turn=turn,
            kind=kind,
            actor=actor,
            action=action,
            verdict=verdict,
            reason=reason,
            published=published,
            payload=json.dumps(payload, sort_keys=True),
            user_id=user_id,
            created_at=now(),
        )
        session.add(row)
        session.flush()
        return _adjudication(row)


def adjudications(
    store: WebStore, game_id: int, turn: int | None = None, *, pending: bool = False
) -> list[AdjudicationRecord]:
    """A game's rulings and overrides in order (of ``turn``; ``pending``: not undone)."""
    query = select(WebAdjudication).where(WebAdjudication.game_id == game_id)
    if turn is not None:
        query = query.where(WebAdjudication.turn == turn)
    if pending:
        query = query.where(WebAdjudication.undone_at.is_(None))
    with store.read() as session:
        rows = session.scalars(query.order_by(WebAdjudication.id)).all()
        return [_adjudication(r) for r in rows]


def undo_adjudication(store: WebStore, game_id: int, item_id: int, turn: int) -> bool:
    """Take back a pending item of ``turn`` (the next turn); ``False`` if there is none."""
    with store.write() as session:
        done = session.execute(
            update(WebAdjudication)
            .where(
                WebAdjudication.id == item_id,
                WebAdjudication.game_id == game_id,
                WebAdjudication.turn == turn,
                WebAdjudication.undone_at.is_(None),
                WebAdjudication.event_seq.is_(None),
            )
            .values(undone_at=now())
        )
        return getattr(done, "rowcount", 0) == 1


def _event_row(game_id: int, ev: Event) -> EventRow:
    return EventRow(game_id=game_id, seq=ev.seq, turn=ev.turn, kind=ev.kind, payload=dump_event(ev))


def release_events(
    store: WebStore, game_id: int, events: Sequence[Event], applied: dict[int, int]
) -> None:
    """Store a released turn.

    Log a released turn's events and mark the adjudications they apply (item id -> event
    seq) in ONE transaction. A second release of the turn clashes on the events' primary key
    (``IntegrityError``) and stores nothing.
    """
    with store.write() as session:
        for ev in events:
            session.add(_event_row(game_id, ev))
        session.flush()
        for item_id, seq in applied.items():
            session.execute(
                update(WebAdjudication).where(WebAdjudication.id == item_id).values(event_seq=seq)
            )
        ended = next((e for e in events if isinstance(e, GameEnded)), None)
        if ended is not None:
            game = session.get(GameRow, game_id)
            if game is not None:
                game.status = "ended"
                game.outcome = ended.outcome


def control_of(game_id: int, values: Sequence[Any]) -> ControlRecord:
    """A game's control from the values of :data:`accord.web.db.CONTROL_COLUMNS`.

    All ``None`` (no control row written yet, read through an outer join) gives the defaults.
    """
    paused, deadline_turn, deadline_at, auto_release, successor_id, rolled_back_to = values
    return ControlRecord(
        game_id=game_id,
        paused=bool(paused),
        deadline_turn=deadline_turn,
        deadline_at=None if deadline_at is None else aware(deadline_at),
        auto_release=bool(auto_release),
        successor_id=successor_id,
        rolled_back_to=rolled_back_to,
    )


def control(store: WebStore, game_id: int) -> ControlRecord:
    """A game's control row (defaults when none was written)."""
    with store.runs.engine.connect() as conn:
        row = conn.execute(_CONTROL, {"game_id": game_id}).first()
    return control_of(game_id, (None,) * len(CONTROL_COLUMNS) if row is None else tuple(row))


def set_control(store: WebStore, game_id: int, **fields: Any) -> ControlRecord:
    """Change fields of a game's control row (created on first use)."""
    with store.write() as session:
        row = session.get(WebGameControl, game_id, with_for_update=True)
        if row is None:
            row = WebGameControl(game_id=game_id, paused=False, auto_release=False)
            session.add(row)
        for key, value in fields.items():
            setattr(row, key, value)
        session.flush()
        return _control(row)


def due_deadlines(store: WebStore, moment: datetime) -> list[tuple[int, int]]:
    """(game id, turn) of every auto-releasing deadline that has passed, play not paused."""
    with store.read() as session:
        rows = session.scalars(
            select(WebGameControl).where(
                WebGameControl.auto_release.is_(True),
                WebGameControl.paused.is_(False),
                WebGameControl.successor_id.is_(None),
                WebGameControl.deadline_at.is_not(None),
                WebGameControl.deadline_turn.is_not(None),
            )
        ).all()
        return [
            (r.game_id, int(r.deadline_turn or 0))
            for r in rows
            if r.deadline_at is not None and aware(r.deadline_at) <= moment
        ]


def branch_game(
    store: WebStore,
    parent_id: int,
    turn: int,
    events: Sequence[Event],
    title: str,
    *,
    rollback: bool,
) -> int:
    """A new game continuing ``parent_id`` from the start of ``turn`` with the kept ``events``.

    Seats and the people within teams are copied (people keep their seats and roles;
    invitations not yet used do not carry over).
    With ``rollback`` the parent is closed and points to the new game (a second rollback of
    the same game is refused with ``ValueError``). All in ONE transaction: a crash leaves the
    parent as it was, or both games complete; the parent's log is never changed (events are
    append-only), so nothing played is lost.
    """
    with store.write() as session:
        parent = session.get(GameRow, parent_id)
        web = session.get(WebGame, parent_id)
        if parent is None or web is None:
            raise KeyError(parent_id)
        if rollback:
            row = session.get(WebGameControl, parent_id, with_for_update=True)
            if row is None:
                row = WebGameControl(game_id=parent_id, paused=False, auto_release=False)
                session.add(row)
            if row.successor_id is not None:
                raise ValueError(f"game {parent_id} was rolled back already")
        child = GameRow(
            scenario_sha256=parent.scenario_sha256,
            scenario_id=parent.scenario_id,
            seed=parent.seed,
            status="running",
            outcome=None,
            parent_id=parent_id,
            branch_turn=turn,
            mc_run_id=None,
            label=title[:255],
            created_at=now(),
        )
        session.add(child)
        session.flush()
        for ev in events:
            session.add(_event_row(child.id, ev))
        session.add(
            WebGame(
                game_id=child.id,
                title=title[:200],
                scenario_ref=web.scenario_ref,
                facilitator_id=web.facilitator_id,
                created_at=now(),
            )
        )
        seats = session.scalars(
            select(WebSeat).where(WebSeat.game_id == parent_id).order_by(WebSeat.id)
        ).all()
        for seat in seats:
            joined = seat.user_id is not None
            session.add(
                WebSeat(
                    game_id=child.id,
                    team=seat.team,
                    kind=seat.kind if (seat.kind != "human" or joined) else "open",
                    player=seat.player,
                    display_name=seat.display_name,
                    user_id=seat.user_id,
                )
            )
        # the people within teams keep their place and role (unused invitations do not carry over)
        members = session.scalars(
            select(WebMember)
            .where(WebMember.game_id == parent_id, WebMember.user_id.is_not(None))
            .order_by(WebMember.id)
        ).all()
        for member in members:
            session.add(
                WebMember(
                    game_id=child.id,
                    team=member.team,
                    role=member.role,
                    display_name=member.display_name,
                    user_id=member.user_id,
                    invite_hash=None,
                    created_at=now(),
                )
            )
        if rollback:
            session.flush()
            row = session.get(WebGameControl, parent_id)
            assert row is not None
            row.successor_id = child.id
            row.rolled_back_to = turn
            row.auto_release = False
        return int(child.id)


def _adjudication(row: WebAdjudication) -> AdjudicationRecord:
    return AdjudicationRecord(
        id=row.id,
        game_id=row.game_id,
        turn=row.turn,
        kind=row.kind,
        actor=row.actor,
        action=row.action,
        verdict=row.verdict,
        reason=row.reason,
        published=bool(row.published),
        payload=dict(json.loads(row.payload)),
        created_at=row.created_at.isoformat(),
        undone=row.undone_at is not None,
        event_seq=row.event_seq,
    )


def _control(row: WebGameControl) -> ControlRecord:
    return ControlRecord(
        game_id=row.game_id,
        paused=bool(row.paused),
        deadline_turn=row.deadline_turn,
        deadline_at=None if row.deadline_at is None else aware(row.deadline_at),
        auto_release=bool(row.auto_release),
        successor_id=row.successor_id,
        rolled_back_to=row.rolled_back_to,
    )
