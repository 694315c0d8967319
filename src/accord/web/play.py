"""War-game play through the web.

Games rebuilt from the stored log, fog-of-war views, proposals, overrides and turn release.

The database is the only state. A request rebuilds the :class:`~accord.wargame.Game` from the
stored events unless the one rebuilt earlier ends at the last stored event (:meth:`GameService.head`;
scenarios are cached by SHA-256), so a killed server restarts with all it had acknowledged:

* an order submission is one committed row (``web_orders``) before the reply;
* an override is one committed event;
* releasing turn *T* plays it (the same engine call as the proposal: same seed, same orders,
  same overrides give the same events) and commits all of turn *T*'s events in ONE transaction,
  so a crash leaves either the whole turn or none of it (the orders stay, and the facilitator
  releases again).

A release names its turn (``{"turn": N}``); any turn but the next one is refused. A per-game lock
serialises overrides, releases and order submissions within the server process; the events'
primary key (game, seq) refuses a second release of the same turn from anywhere.

The white cell (migration ``0006``, :mod:`accord.web.play_store`):

* rulings on single orders (accept or reject, with a reason) and overrides are *pending* rows
  until the turn is released: each can be undone, and the proposal is recomputed with them
  (:class:`~accord.wargame.adjudication.RulingGame`) and compared with the one before
  (:func:`~accord.wargame.adjudication.proposal_diff`). Releasing writes them into the log with
  the turn's events, stamped with that turn, in the same transaction;
* reasons stay with the white cell: teams and observers read a neutral text unless the white
  cell published the reason (:meth:`GameService.shown_events`);
* injects written during play are logged at once as ``inject`` events with their audience;
* pause stops orders and releases; a deadline per turn is shown to all and may auto-release
  (:meth:`GameService.tick`, safe against a double release by the checks above);
* rollback and branch copy the log up to the start of turn *t* (``Game.branch``) into a new game
  in one transaction; a rollback closes the old game and points to the new one. Event rows are
  append-only, so nothing played is ever lost.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from accord.errors import UsageError
from accord.wargame import Game, loads_wargame
from accord.wargame.adjudication import (
    WHITE_CELL_REJECTION,
    OverrideSpec,
    RulingGame,
    proposal_diff,
    stamped_overrides,
)
from accord.wargame.availability import action_statuses, orders_phase
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import Event, InjectFired, OrderRejected, Override
from accord.wargame.logged import stored_game
from accord.wargame.players import DoctrinePlayer, PassivePlayer, UtilityPlayer
from accord.wargame.review import describe
from accord.wargame.view import WITHHELD_REASON, Player, audience_log, debrief, visible_variables
from accord.web import play_store
from accord.web.db import OrderRecord, WebStore, now
from accord.web.play_store import AdjudicationRecord, ControlRecord
from accord.web.team_panel import state_panel
from accord.web.votes import check_votes, turn_votes

AUTO_PLAYERS = ("doctrine", "utility", "passive")


@dataclass(frozen=True)
class Loaded:
    """A game rebuilt from the database."""

    id: int
    scenario: CompiledScenario
    game: Game
    title: str

    @property
    def turn(self) -> int:
        """The last released turn (0 before the first)."""
        return self.game.state.turn

    @property
    def next_turn(self) -> int:
        """The turn that the next release plays."""
        return self.game.state.turn + 1


def team_actors(scenario: CompiledScenario) -> dict[str, list[str]]:
    """Each team's actors."""
    out: dict[str, list[str]] = {}
    for actor, team in scenario.teams.items():
        out.setdefault(team, []).append(actor)
    return out


def audience(scenario: CompiledScenario, team: str | None) -> frozenset[str] | None:
    """Who a viewer is for fog of war.

    ``None`` (facilitator: everything), a team with its actors, or the empty set (an observer:
    public information only).
    """
    if team is None:
        return None
    if team == "":
        return frozenset()
    return frozenset((team, *team_actors(scenario).get(team, [])))


def visible_events(
    scenario: CompiledScenario, events: Sequence[Event], who: frozenset[str] | None
) -> list[Event]:
    """The log as ``who`` may see it.

    The engine's audience rules (:func:`accord.wargame.view.audience_log`: no dice, no seed, no
    hidden values or events, renumbered).
    """
    return audience_log(scenario, events, who)


def announce(
    game_id: int, kind: str, audience: Sequence[str] | None, payload: dict[str, Any]
) -> None:
    """The one hook where white-cell actions are announced to open pages (live updates).

    Called after each committed release, ruling, override, undo, inject, pause, deadline,
    rollback and branch. ``audience``: ``None`` for everyone, else the team ids that may see it
    (``["white"]``: the white cell only). Publishes through the live-update module
    (``accord.web.live.publish``), with the white cell's id ``"white"`` dropped: the broker's
    rule is the log's (``[]``: the white cell only; the white cell sees everything).
    """
    from accord.web.live import publish

    publish(
        game_id, kind, None if audience is None else [a for a in audience if a != "white"], payload
    )


class ConflictError(Exception):
    """The request conflicts with the game's state (paused, rolled back, not the next turn)."""


class StaleTurnError(ConflictError):
    """A release names a turn other than the next one."""


class GameService:
    """Loads, plays and exports web games stored in a :class:`WebStore`."""

    def __init__(self, store: WebStore) -> None:
        self.store = store
        self._compiled: dict[str, CompiledScenario] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._loaded: dict[int, Loaded] = {}
        self._guard = threading.Lock()

    def lock(self, game_id: int) -> threading.Lock:
        """The lock that serialises changes to game ``game_id`` in this process."""
        with self._guard:
            return self._locks.setdefault(game_id, threading.Lock())

    def compiled(self, sha: str) -> CompiledScenario:
        """The compiled scenario of text ``sha`` (cached)."""
        hit = self._compiled.get(sha)
        if hit is None:
            text, source = self.store.runs.scenario_text(sha)
            hit = loads_wargame(text, source)
            self._compiled[sha] = hit
        return hit

    # ------------------------------------------------------------------ create and load

    def create(
        self, text: str, source: str, ref: str, title: str, seed: int, facilitator_id: int
    ) -> int:
        """Start a game of a war-game scenario text and return its id."""
        scenario = loads_wargame(text, source)
        sha = self.store.runs.add_scenario(text, source, scenario.spec.id)
        self._compiled.setdefault(sha, scenario)
        game_id = self.store.runs.start_game(sha, scenario.spec.id, seed, label=title[:255])
        game = Game(scenario, seed)
        self.store.runs.append_events_atomic(game_id, game.events)
        self.store.add_game(game_id, title, ref, facilitator_id, list(scenario.spec.teams))
        return game_id

    def load(self, game_id: int) -> Loaded:
        """The game rebuilt from its stored log (see :meth:`head`)."""
        return self.head(game_id)[0]

    def head(self, game_id: int) -> tuple[Loaded, ControlRecord]:
        """The game rebuilt from its stored log, and its control, in one query when cached.

        The log only grows, so a game rebuilt earlier whose last event has the seq of the last
        stored event is the same game: it is reused (a cache per process, checked against the
        database on every call, so it stays right with several server processes; the database
        stays the only state). A reuse costs one query, which also reads the game's control
        (pause, deadline, rollback).

        Raises:
            KeyError: no such game.
        """
        head = self.store.game_head(game_id)
        if head is None:
            raise KeyError(game_id)
        record, _sha, last, control = head
        ctl = play_store.control_of(game_id, control)
        hit = self._loaded.get(game_id)
        if hit is not None and (hit.game.events[-1].seq if hit.game.events else -1) == last:
            return Loaded(game_id, hit.scenario, hit.game, record.title), ctl
        logged = stored_game(self.store.runs, game_id, compiled=self.compiled)
        scenario = logged.compiled()
        loaded = Loaded(game_id, scenario, logged.game(), record.title)
        with self._guard:
            if len(self._loaded) >= 64:
                self._loaded.clear()
            self._loaded[game_id] = loaded
        return loaded, ctl

    # ------------------------------------------------------------------ orders

    def effective_orders(self, loaded: Loaded) -> dict[str, list[str]]:
        """Actor -> actions of the latest submission per actor for the next turn."""
        out: dict[str, list[str]] = {}
        for order in self.store.orders(loaded.id, loaded.next_turn):
            out[order.actor] = order.actions
        return out

    def control(self, game_id: int) -> ControlRecord:
        """The game's pause flag, deadline and rollback successor."""
        return play_store.control(self.store, game_id)

    def _check_open(
        self, game_id: int, what: str, ctl: ControlRecord | None = None
    ) -> ControlRecord:
        ctl = self.control(game_id) if ctl is None else ctl
        if ctl.successor_id is not None:
            raise ConflictError(
                f"{what} refused: the game was rolled back to turn {ctl.rolled_back_to} "
                f"and continues as game {ctl.successor_id}"
            )
        if ctl.paused:
            raise ConflictError(f"{what} refused: the white cell has paused play")
        return ctl

    def submit(
        self,
        game_id: int,
        team: str,
        actor: str,
        actions: Sequence[str],
        user_id: int,
        client_key: str | None,
        rationale: str | None = None,
        votes: Mapping[str, bool] | None = None,
    ) -> tuple[OrderRecord, bool]:
        """Store a team's orders for an actor's next turn (with a free-text ``rationale``).

        ``votes`` (decision id -> support) are the actor's votes cast by hand
        (:mod:`accord.web.votes`), checked against the decisions it may vote on now.

        Returns:
            The stored order, and whether it was new (not a retry with the same ``client_key``).

        Raises:
            UsageError: when the game has ended, or the actor or an action is not the team's.
        """
        with self.lock(game_id):
            loaded, ctl = self.head(game_id)
            if loaded.game.ended:
                raise UsageError("the game has ended", field="orders")
            self._check_open(game_id, "orders", ctl)
            if loaded.scenario.teams.get(actor) != team:
                raise UsageError(
                    f"actor '{actor}' is not in team '{team}'",
                    field="actor",
                    expected="one of " + ", ".join(team_actors(loaded.scenario).get(team, [])),
                )
            own = {a.id for a in loaded.scenario.spec.actions if a.actor == actor}
            for action in actions:
                if action not in own:
                    raise UsageError(
                        f"'{action}' is not an action of '{actor}'",
                        field="actions",
                        expected="one of " + ", ".join(sorted(own)),
                    )
            if len(set(actions)) != len(actions):
                raise UsageError("an action is listed twice", field="actions")
            check_votes(loaded.scenario, loaded.game.state, actor, votes or {})
            record, stored = self.store.add_order(
                game_id,
                loaded.next_turn,
                team,
                actor,
                actions,
                user_id,
                client_key,
                rationale=(rationale or "").strip() or None,
                votes=votes,
            )
        if stored:
            announce(game_id, "order", ["white", team], {"team": team, "actor": actor})
        return record, stored

    # ------------------------------------------------------------------ adjudication

    def players(self, loaded: Loaded) -> dict[str, Player]:
        """The automated players of the game's automated seats."""
        scenario = loaded.scenario
        actors = team_actors(scenario)
        spec = {a.id: a for a in scenario.spec.actors}
        out: dict[str, Player] = {}
        for team, seat in self.store.seats(loaded.id).items():
            if seat.kind != "auto":
                continue
            for actor in actors.get(team, []):
                kind = seat.player or "doctrine"
                if kind == "doctrine" and spec[actor].doctrine:
                    out[actor] = DoctrinePlayer(scenario, actor)
                elif kind in ("doctrine", "utility") and spec[actor].preferences:
                    out[actor] = UtilityPlayer(scenario, actor)
                else:
                    out[actor] = PassivePlayer()
        return out

    def pending(self, loaded: Loaded) -> list[AdjudicationRecord]:
        """The rulings and overrides made for the next turn and not undone, in order."""
        return play_store.adjudications(self.store, loaded.id, loaded.next_turn, pending=True)

    def _play_next(
        self, loaded: Loaded, pending: Sequence[AdjudicationRecord] | None = None
    ) -> tuple[list[Event], dict[int, int]]:
        """Play the next turn in memory.

        The events the engine produces for the next turn with the pending overrides (first,
        stamped with the turn) and rulings, and item id -> the event each became (nothing is
        stored).
        """
        if loaded.game.ended:
            raise UsageError("the game has ended", expected="a game still in progress")
        items = self.pending(loaded) if pending is None else list(pending)
        overrides = [i for i in items if i.kind == "override"]
        stamped = stamped_overrides(
            loaded.scenario,
            loaded.game.events,
            [
                OverrideSpec(i.reason, i.payload["values"], i.payload["gates"], i.payload["force"])
                for i in overrides
            ],
        )
        applied = {i.id: e.seq for i, e in zip(overrides, stamped, strict=True)}
        rulings: dict[tuple[str, str], AdjudicationRecord] = {}
        for i in items:
            if i.kind == "ruling" and i.actor and i.action:
                rulings[(i.actor, i.action)] = i  # the latest ruling on an order counts
        vetoes = {
            key: f"{WHITE_CELL_REJECTION}: {r.reason}"
            for key, r in rulings.items()
            if r.verdict == "reject"
        }
        players = self.players(loaded)
        submitted = self.effective_orders(loaded)
        orders: dict[str, list[str]] = {}
        for actor in loaded.scenario.teams:
            if actor not in players:
                orders[actor] = submitted.get(actor, [])
        base = list(loaded.game.events)
        game = RulingGame(loaded.scenario, players, events=base + stamped, vetoes=vetoes)
        votes = turn_votes(self.store.orders(loaded.id, loaded.next_turn), players)
        game.step(orders=orders, votes=votes)
        events = game.events[len(base) :]
        for key, r in rulings.items():
            hit = next(
                (
                    e
                    for e in events
                    if isinstance(e, OrderRejected)
                    and (e.actor, e.action) == key
                    and e.reason.startswith(WHITE_CELL_REJECTION)
                ),
                None,
            )
            if hit is not None:
                applied[r.id] = hit.seq
            elif r.verdict == "accept":
                applied[r.id] = -1  # an accepted order: no event of its own
        return events, applied

    def proposal(self, game_id: int) -> tuple[Loaded, list[Event]]:
        """The next turn as the engine would adjudicate it now (nothing is stored)."""
        loaded = self.load(game_id)
        return loaded, self._play_next(loaded)[0]

    def _diff(self, loaded: Loaded, before: Sequence[AdjudicationRecord]) -> list[dict[str, Any]]:
        old = self._play_next(loaded, before)[0]
        new = self._play_next(loaded)[0]
        return proposal_diff(loaded.scenario, loaded.game.state.values, old, new)

    def override(
        self,
        game_id: int,
        reason: str,
        values: Mapping[str, float],
        gates: Mapping[str, str],
        force: Mapping[str, bool],
        *,
        user_id: int,
        publish: bool = False,
    ) -> tuple[AdjudicationRecord, list[dict[str, Any]]]:
        """Add a pending override for the next turn.

        A pending override for the next turn (checked by the engine, stored at once) and
        what it changes in the proposal.
        """
        with self.lock(game_id):
            loaded, ctl = self.head(game_id)
            if loaded.game.ended:
                raise UsageError("the game has ended", expected="a game still in progress")
            self._check_open(game_id, "override", ctl)
            before = self.pending(loaded)
            earlier = [i for i in before if i.kind == "override"]
            stamped_overrides(  # the engine's checks, with the overrides already pending
                loaded.scenario,
                loaded.game.events,
                [
                    *(
                        OverrideSpec(
                            i.reason, i.payload["values"], i.payload["gates"], i.payload["force"]
                        )
                        for i in earlier
                    ),
                    OverrideSpec(reason, values, gates, force),
                ],
            )
            payload = {"values": dict(values), "gates": dict(gates), "force": dict(force)}
            record = play_store.add_adjudication(
                self.store,
                game_id,
                loaded.next_turn,
                "override",
                reason.strip(),
                payload,
                user_id,
                published=publish,
            )
            diff = self._diff(loaded, before)
        announce(game_id, "override", ["white"], {"id": record.id})
        return record, diff

    def rule(
        self,
        game_id: int,
        actor: str,
        action: str,
        verdict: str,
        reason: str,
        *,
        user_id: int,
        publish: bool = False,
    ) -> tuple[AdjudicationRecord, list[dict[str, Any]]]:
        """Rule on one order of the next turn.

        Accept or reject one order of the next turn, with a reason (pending until release),
        and what it changes in the proposal.
        """
        with self.lock(game_id):
            loaded, ctl = self.head(game_id)
            if loaded.game.ended:
                raise UsageError("the game has ended", expected="a game still in progress")
            self._check_open(game_id, "ruling", ctl)
            spec = next((a for a in loaded.scenario.spec.actions if a.id == action), None)
            if spec is None or spec.actor != actor:
                raise UsageError(f"'{action}' is not an action of '{actor}'", field="action")
            if not reason.strip():
                raise UsageError("a ruling needs a reason", field="reason", expected="some text")
            before = self.pending(loaded)
            record = play_store.add_adjudication(
                self.store,
                game_id,
                loaded.next_turn,
                "ruling",
                reason.strip(),
                {},
                user_id,
                actor=actor,
                action=action,
                verdict=verdict,
                published=publish,
            )
            diff = self._diff(loaded, before)
        announce(game_id, "ruling", ["white"], {"id": record.id})
        return record, diff

    def undo(self, game_id: int, item_id: int) -> list[dict[str, Any]]:
        """Take back a pending ruling or override; returns what that changes in the proposal.

        Raises:
            KeyError: no such pending item for the next turn.
        """
        with self.lock(game_id):
            loaded = self.load(game_id)
            before = self.pending(loaded)
            if not play_store.undo_adjudication(self.store, game_id, item_id, loaded.next_turn):
                raise KeyError(item_id)
            diff = self._diff(loaded, before) if not loaded.game.ended else []
        announce(game_id, "undo", ["white"], {"id": item_id})
        return diff

    def release(self, game_id: int, turn: int) -> list[Event]:
        """Release ``turn``: play it and store its events.

        Play and store ``turn``, which must be the next one (else :class:`StaleTurnError`),
        with its pending overrides and rulings, in one transaction. Serialised per game in this
        process; across processes, the events' primary key refuses a second release of the
        same turn (``IntegrityError``). Refused while paused or after a rollback.
        """
        with self.lock(game_id):
            loaded, ctl = self.head(game_id)
            if turn != loaded.next_turn:
                raise StaleTurnError(
                    f"turn {turn} cannot be released: the next turn is turn {loaded.next_turn}"
                )
            if loaded.game.ended:
                raise UsageError("the game has ended", expected="a game still in progress")
            self._check_open(game_id, "release", ctl)
            events, applied = self._play_next(loaded)
            play_store.release_events(self.store, game_id, events, applied)
        announce(game_id, "release", None, {"turn": turn})
        return events

    # ------------------------------------------------------------------ white cell

    def inject(self, game_id: int, text: str, teams: Sequence[str] | None) -> Event:
        """Log a white-cell inject now, for the next turn, seen by ``teams`` (``None``: all)."""
        with self.lock(game_id):
            loaded, ctl = self.head(game_id)
            if loaded.game.ended:
                raise UsageError("the game has ended", expected="a game still in progress")
            self._check_open(game_id, "inject", ctl)
            known = set(loaded.scenario.spec.teams) | set(loaded.scenario.teams.values())
            for team in teams or ():
                if team not in known:
                    raise UsageError(
                        f"no team '{team}'",
                        field="audience",
                        expected="team ids: " + ", ".join(sorted(known)),
                    )
            count = sum(
                1
                for e in loaded.game.events
                if isinstance(e, InjectFired) and e.inject.startswith("white_cell_")
            )
            event = InjectFired(
                seq=len(loaded.game.events),
                turn=loaded.next_turn,
                inject=f"white_cell_{count + 1}",
                text=text.strip(),
                audience=None if teams is None else sorted(set(teams)),
            )
            self.store.runs.append_events_atomic(game_id, [event])
        announce(game_id, "inject", None if teams is None else list(teams), {"seq": event.seq})
        return event

    def pause(self, game_id: int, paused: bool) -> ControlRecord:
        """Pause or resume play (orders, rulings, injects and releases wait)."""
        ctl = play_store.set_control(self.store, game_id, paused=paused)
        announce(game_id, "pause", None, {"paused": paused})
        return ctl

    def set_clock(self, game_id: int, seconds: float | None, auto_release: bool) -> ControlRecord:
        """Set (or, with ``None``, clear) the deadline of the next turn, ``seconds`` from now."""
        with self.lock(game_id):
            loaded = self.load(game_id)
            if seconds is None:
                ctl = play_store.set_control(
                    self.store, game_id, deadline_turn=None, deadline_at=None, auto_release=False
                )
            else:
                if loaded.game.ended:
                    raise UsageError("the game has ended", expected="a game still in progress")
                ctl = play_store.set_control(
                    self.store,
                    game_id,
                    deadline_turn=loaded.next_turn,
                    deadline_at=now() + timedelta(seconds=seconds),
                    auto_release=auto_release,
                )
        announce(game_id, "clock", None, {"deadline": _iso(ctl.deadline_at)})
        return ctl

    def tick(self, moment: datetime | None = None) -> list[tuple[int, int]]:
        """Release the turns whose deadline has passed.

        Release every turn whose deadline has passed and that auto-releases; returns the
        (game, turn) pairs released. A turn already released (here, by the white cell or by
        another server) is skipped: the release checks the turn and the events' key.
        """
        done = []
        for game_id, turn in play_store.due_deadlines(self.store, moment or now()):
            try:
                self.release(game_id, turn)
            except (ConflictError, UsageError, IntegrityError, KeyError):
                continue
            done.append((game_id, turn))
        return done

    def start_clock(self, interval: float = 1.0) -> None:
        """Check deadlines every ``interval`` seconds in a daemon thread until stopped."""
        if getattr(self, "_clock", None) is not None:
            return
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(interval):
                try:
                    self.tick()
                except Exception:  # the clock must outlive one bad game
                    continue

        thread = threading.Thread(target=run, name="accord-turn-clock", daemon=True)
        self._clock: tuple[threading.Thread, threading.Event] | None = (thread, stop)
        thread.start()

    def stop_clock(self) -> None:
        """Stop the deadline thread (on shutdown)."""
        clock = getattr(self, "_clock", None)
        if clock is not None:
            clock[1].set()
            clock[0].join(timeout=5)
            self._clock = None

    def branch(self, game_id: int, turn: int, *, rollback: bool, title: str | None = None) -> int:
        """Branch or roll back to the start of ``turn``.

        A new game from the start of ``turn`` (``Game.branch``); with ``rollback`` this game
        is closed and continues there. Returns the new game's id.
        """
        with self.lock(game_id):
            loaded = self.load(game_id)
            last = loaded.turn if rollback else loaded.next_turn
            if not 1 <= turn <= max(last, 1) or (rollback and loaded.turn < 1):
                raise UsageError(
                    f"cannot {'roll back' if rollback else 'branch'} to turn {turn}",
                    field="turn",
                    expected=f"a turn from 1 to {max(last, 1)}"
                    + ("" if loaded.turn or not rollback else " once a turn is released"),
                )
            ctl = self.control(game_id)
            if ctl.successor_id is not None:
                raise ConflictError(
                    f"game {game_id} was rolled back already; it continues as game "
                    f"{ctl.successor_id}"
                )
            kept = loaded.game.branch(turn).events
            name = title or (
                f"{loaded.title} (rolled back to turn {turn})"
                if rollback
                else f"{loaded.title} (branch from turn {turn})"
            )
            try:
                new_id = play_store.branch_game(
                    self.store, game_id, turn, kept, name, rollback=rollback
                )
            except ValueError as exc:
                raise ConflictError(str(exc)) from None
        announce(game_id, "rollback" if rollback else "branch", None, {"game": new_id})
        return new_id

    # ------------------------------------------------------------------ views and exports

    def shown_events(self, loaded: Loaded) -> list[Event]:
        """The log with unpublished white-cell reasons made neutral.

        The stored log with the white cell's reasons that were not published replaced by
        neutral texts (what teams and observers are given before their audience filter).
        """
        published = {
            r.event_seq
            for r in play_store.adjudications(self.store, loaded.id)
            if r.published and r.event_seq is not None
        }
        out: list[Event] = []
        for e in loaded.game.events:
            if isinstance(e, Override) and e.seq not in published:
                e = e.model_copy(update={"reason": WITHHELD_REASON})
            elif (
                isinstance(e, OrderRejected)
                and e.reason.startswith(WHITE_CELL_REJECTION)
                and e.seq not in published
            ):
                e = e.model_copy(update={"reason": WHITE_CELL_REJECTION})
            out.append(e)
        return out

    def team_view(self, loaded: Loaded, team: str) -> dict[str, Any]:
        """What a team sees.

        Its actors' orders (each action with its gates, preconditions, current values and why it is
        unavailable), one labelled state panel, the debrief of the last turn and the injects of the
        next one.
        """
        scenario = loaded.scenario
        who = audience(scenario, team)
        assert who is not None
        shown = visible_variables(scenario, who)
        actors = []
        names = {a.id: a.name or a.id for a in scenario.spec.actors}
        phase = orders_phase(scenario, loaded.game.events, who)
        for actor in team_actors(scenario).get(team, []):
            statuses = action_statuses(scenario, phase, actor, shown)
            actors.append(
                {
                    "actor": actor,
                    "name": names.get(actor, actor),
                    "available": [s.id for s in statuses if s.available],
                    "all_actions": [s.id for s in statuses],
                    "actions": [asdict(s) for s in statuses],
                }
            )
        events = self.shown_events(loaded)
        brief = debrief(scenario, events, loaded.turn, who) if loaded.turn else ()
        news = debrief(scenario, events, loaded.next_turn, who)
        return {
            "team": team,
            "actors": actors,
            "state": state_panel(scenario, loaded.game.events, shown),
            "debrief": [
                {"turn": e.turn, "kind": e.kind, "text": describe(e), "changes": dict(e.changes)}
                for e in brief
            ],
            "injects": [
                {"turn": e.turn, "kind": e.kind, "text": describe(e)}
                for e in news
                if isinstance(e, InjectFired)
            ],
        }

    def export_events(self, loaded: Loaded, who: frozenset[str] | None) -> list[dict[str, Any]]:
        """The log as ``who`` may see it, as JSON-ready dicts."""
        events = loaded.game.events if who is None else self.shown_events(loaded)
        return [e.model_dump(mode="json") for e in visible_events(loaded.scenario, events, who)]

    def export_json(
        self, loaded: Loaded, who: frozenset[str] | None, team: str | None
    ) -> dict[str, Any]:
        """The log and the orders ``who`` may see (a team: its own orders only)."""
        orders = self.store.orders(loaded.id, team=team) if who is None or team else []
        return {
            "game": loaded.id,
            "title": loaded.title,
            "scenario": loaded.scenario.spec.id,
            "viewer": "facilitator" if who is None else (team or "observer"),
            "events": self.export_events(loaded, who),
            "orders": [
                {
                    "id": o.id,
                    "turn": o.turn,
                    "team": o.team,
                    "actor": o.actor,
                    "actions": o.actions,
                    "submitted_at": o.created_at,
                    "rationale": o.rationale,
                }
                for o in orders
            ],
        }

    def export_csv(self, loaded: Loaded, who: frozenset[str] | None, team: str | None) -> str:
        """The same as :meth:`export_json`, one CSV row per event and per order."""
        data = self.export_json(loaded, who, team)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["record", "seq", "turn", "kind", "actor", "text", "changes"])
        events = loaded.game.events if who is None else self.shown_events(loaded)
        for e in visible_events(loaded.scenario, events, who):
            actor = getattr(e, "actor", "")
            writer.writerow(
                ["event", e.seq, e.turn, e.kind, actor, describe(e), json.dumps(e.changes)]
            )
        for o in data["orders"]:
            writer.writerow(
                ["order", o["id"], o["turn"], "order", o["actor"], " ".join(o["actions"]), ""]
            )
        return buffer.getvalue()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def scenario_sha(text: str) -> str:
    """SHA-256 hex digest of a scenario text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
