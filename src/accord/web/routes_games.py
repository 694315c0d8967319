"""War-game play: games, seats and invitations, orders, proposal, override, release, exports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from sqlalchemy.exc import IntegrityError

from accord.errors import UsageError
from accord.wargame.review import describe, team_members
from accord.web.auth import (
    ANYONE,
    ANYONE_PAGE,
    FACILITATOR,
    FACILITATOR_OR_TEAM,
    FACILITATOR_PAGE,
    TEAM,
    TEAM_PAGE,
)
from accord.web.db import User
from accord.web.dispatch import run_db
from accord.web.library import resolve
from accord.web.messaging import check_may_order
from accord.web.play import (
    ConflictError,
    Loaded,
    audience,
    team_actors,
    visible_events,
)
from accord.web.play_schemas import (
    AdjudicationOut,
    BranchOut,
    ClockIn,
    ControlOut,
    DiffRow,
    InjectIn,
    PauseIn,
    PendingOut,
    RulingIn,
    TurnIn,
    UndoOut,
)
from accord.web.play_store import AdjudicationRecord, ControlRecord
from accord.web.review_pages import debrief_page, review_page
from accord.web.schemas import (
    EventOut,
    GameCreated,
    GameState,
    GameSummary,
    NewGame,
    OrderIn,
    OrderOut,
    OverrideIn,
    Proposal,
    ReleaseIn,
    SeatIn,
    SeatOut,
)
from accord.web.security import MAX_ID, GameId, TurnQuery
from accord.web.services import games_of, store_of
from accord.web.team_panel import state_panel
from accord.web.templating import render
from accord.web.votes import VoteError, open_decisions

router = APIRouter()
P = ParamSpec("P")
T = TypeVar("T")
PendingId = Annotated[int, Path(ge=1, le=MAX_ID, description="a pending ruling or override")]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "paused, rolled back, or not the next turn"}
}


def _or_409(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)``, a :class:`ConflictError` (paused, rolled back, stale) as a 409."""
    try:
        return call(*args, **kwargs)
    except ConflictError as exc:
        raise HTTPException(409, str(exc)) from None


def viewer_team(request: Request, user: User, game_id: int) -> str | None:
    """``None`` for a facilitator (sees all), ``""`` for an observer, else the user's team.

    An unknown game is a 404, and so is, for a team user, a game without its seat: the same reply,
    so that a team cannot tell which game ids exist.
    """
    if user.role == "team":
        team = store_of(request).team_in(user.id, game_id)
        if team is None:
            raise HTTPException(404, f"no game {game_id}")
        return team
    if store_of(request).game(game_id) is None:
        raise HTTPException(404, f"no game {game_id}")
    return None if user.role == "facilitator" else ""


def _load(request: Request, game_id: int) -> Loaded:
    try:
        return games_of(request).load(game_id)
    except KeyError:
        raise HTTPException(404, f"no game {game_id}") from None


def _summary(loaded: Loaded, team: str | None = None) -> GameSummary:
    state = loaded.game.state
    return GameSummary(
        id=loaded.id,
        title=loaded.title,
        scenario=loaded.scenario.spec.id,
        turn=state.turn,
        turns=loaded.scenario.spec.clock.turns,
        ended=state.ended,
        outcome=state.outcome,
        my_team=team,
        scenario_title=loaded.scenario.spec.title,
    )


def game_summaries(request: Request, user: User) -> list[GameSummary]:
    """The games user may see (a team account: its own), as summaries."""
    store = store_of(request)
    mine = store.teams_of(user.id) if user.role == "team" else {}
    out = []
    for record in store.games():
        if user.role == "team" and record.id not in mine:
            continue
        out.append(_summary(_load(request, record.id), mine.get(record.id)))
    return out


def _seats(request: Request, game_id: int) -> list[SeatOut]:
    return [
        SeatOut(
            team=s.team,
            kind=s.kind,
            player=s.player,
            display_name=s.display_name,
            joined=s.user_id is not None,
        )
        for s in store_of(request).seats(game_id).values()
    ]


def _state(request: Request, loaded: Loaded, team: str | None) -> GameState:
    scenario = loaded.scenario
    who = audience(scenario, team)
    state = loaded.game.state
    if who is None:
        values = dict(state.values)
    else:
        from accord.wargame.view import visible_variables

        values = {k: state.values[k] for k in visible_variables(scenario, who)}
    submitted = sorted(
        {o.team for o in store_of(request).orders(loaded.id, loaded.next_turn)}
        if team is None
        else set()
    )
    waiting: list[str] = []
    if team is None and not state.ended:
        # played by people: a person in the seat, or people who joined as members of the team
        people = {t for t, s in store_of(request).seats(loaded.id).items() if s.kind == "human"}
        people |= {m.team for m in store_of(request).members(loaded.id) if m.user_id is not None}
        waiting = sorted(people - set(submitted))
    ctl = games_of(request).control(loaded.id)
    return GameState(
        id=loaded.id,
        title=loaded.title,
        scenario=scenario.spec.id,
        viewer="facilitator" if team is None else (team or "observer"),
        turn=state.turn,
        turns=scenario.spec.clock.turns,
        ended=state.ended,
        outcome=state.outcome,
        values=values,
        seats=_seats(request, loaded.id),
        submitted=submitted,
        team_view=games_of(request).team_view(loaded, team) if team else None,
        clock=_control_out(ctl, loaded).model_dump(),
        waiting=waiting,
    )


def _control_out(ctl: ControlRecord, loaded: Loaded | None = None) -> ControlOut:
    """The game's control; a deadline of a turn already released is not shown."""
    current = loaded is None or ctl.deadline_turn == loaded.next_turn
    return ControlOut(
        paused=ctl.paused,
        deadline_turn=ctl.deadline_turn if current else None,
        deadline=ctl.deadline_at.isoformat() if (ctl.deadline_at and current) else None,
        auto_release=ctl.auto_release and current,
        successor=ctl.successor_id,
        rolled_back_to=ctl.rolled_back_to,
    )


def _pending(
    call: Callable[..., tuple[AdjudicationRecord, list[dict[str, Any]]]],
    args: tuple[Any, ...],
    user: User,
    publish: bool,
) -> PendingOut:
    """A new pending ruling or override made by ``call(*args)`` as ``user``, with its diff."""
    item, diff = _or_409(call, *args, user_id=user.id, publish=publish)
    return _pending_out(item, diff)


def _pending_out(item: AdjudicationRecord, diff: list[dict[str, Any]] | None = None) -> PendingOut:
    return PendingOut(
        id=item.id,
        turn=item.turn,
        kind=item.kind,
        actor=item.actor,
        action=item.action,
        verdict=item.verdict,
        reason=item.reason,
        published=item.published,
        changes=item.payload.get("values", {}),
        gates=item.payload.get("gates", {}),
        force=item.payload.get("force", {}),
        created_at=item.created_at,
        diff=[DiffRow(**row) for row in diff or []],
    )


# ---------------------------------------------------------------------- API


@router.get("/api/games", response_model=list[GameSummary])
def list_games(request: Request, user: User = ANYONE) -> list[GameSummary]:
    """The games the signed-in account may see."""
    return game_summaries(request, user)


@router.post("/api/games", response_model=GameCreated, status_code=201)
def create_game(body: NewGame, request: Request, user: User = FACILITATOR) -> GameCreated:
    """Create a game of a war-game scenario from the library."""
    text, source, kind = resolve(store_of(request), request.app.state.scenarios_dir, body.scenario)
    if kind != "wargame":
        raise UsageError(
            f"'{body.scenario}' is not a war-game scenario",
            field="scenario",
            expected="a war-game scenario (with a clock and teams)",
        )
    game_id = games_of(request).create(text, source, body.scenario, body.title, body.seed, user.id)
    return GameCreated(id=game_id, redirect=f"/games/{game_id}")


@router.get("/api/games/{game_id}", response_model=GameState)
def game_state(game_id: GameId, request: Request, user: User = ANYONE) -> GameState:
    """The game as the viewer may see it."""
    team = viewer_team(request, user, game_id)
    games_of(request).tick()  # a deadline passed while no clock thread ran still releases
    return _state(request, _load(request, game_id), team)


@router.put("/api/games/{game_id}/seats/{team}", response_model=SeatOut)
def assign_seat(
    game_id: GameId, team: str, body: SeatIn, request: Request, user: User = FACILITATOR
) -> SeatOut:
    """Give a team to a person (returns the invitation link, shown once) or an automated actor."""
    viewer_team(request, user, game_id)
    if body.kind == "auto" and body.player is None:
        body = SeatIn(kind="auto", player="doctrine")
    try:
        token = store_of(request).set_seat(
            game_id, team, body.kind, body.player if body.kind == "auto" else None
        )
    except KeyError:
        raise HTTPException(404, f"no team '{team}' in game {game_id}") from None
    return SeatOut(
        team=team,
        kind=body.kind,
        player=body.player if body.kind == "auto" else None,
        display_name=None,
        joined=False,
        invite_url=None if token is None else f"/join/{token}",
    )


@router.post(
    "/api/games/{game_id}/orders", response_model=OrderOut, status_code=201, responses=CONFLICT
)
async def submit_order(
    game_id: GameId, body: OrderIn, request: Request, user: User = TEAM
) -> Response:
    """A team's orders for one of its actors this turn (the latest submission counts).

    The busiest write: no worker thread on SQLite (:mod:`accord.web.dispatch`).
    """
    return await run_db(store_of(request), _submit_order, game_id, body, request, user)


def _submit_order(game_id: int, body: OrderIn, request: Request, user: User) -> Response:
    team = viewer_team(request, user, game_id)
    assert team
    check_may_order(store_of(request), game_id, team, user.id, body.actor)
    try:
        record, stored = _or_409(
            games_of(request).submit,
            game_id,
            team,
            body.actor,
            body.actions,
            user.id,
            body.client_key,
            body.rationale,
            body.votes,
        )
    except VoteError as exc:
        raise HTTPException(422, str(exc)) from None
    out = OrderOut(
        id=record.id,
        turn=record.turn,
        team=record.team,
        actor=record.actor,
        actions=record.actions,
        submitted_at=record.created_at,
        stored=stored,
        rationale=record.rationale,
        votes=record.votes,
    )
    return JSONResponse(out.model_dump(), status_code=201 if stored else 200)


@router.get("/api/games/{game_id}/orders", response_model=list[OrderOut])
def list_orders(
    game_id: GameId,
    request: Request,
    turn: TurnQuery = None,
    user: User = FACILITATOR_OR_TEAM,
) -> list[OrderOut]:
    """All orders (facilitator) or the team's own orders; never another team's."""
    team = viewer_team(request, user, game_id)
    return [
        OrderOut(
            id=o.id,
            turn=o.turn,
            team=o.team,
            actor=o.actor,
            actions=o.actions,
            submitted_at=o.created_at,
            rationale=o.rationale,
            votes=o.votes,
        )
        for o in store_of(request).orders(game_id, turn, team=team)
    ]


def _events_out(events: list) -> list[EventOut]:  # type: ignore[type-arg]
    return [
        EventOut(seq=e.seq, turn=e.turn, kind=e.kind, text=describe(e), changes=dict(e.changes))
        for e in events
    ]


@router.get("/api/games/{game_id}/proposal", response_model=Proposal)
def proposal(game_id: GameId, request: Request, user: User = FACILITATOR) -> Proposal:
    """What the engine would adjudicate for the next turn with the orders in (nothing stored)."""
    viewer_team(request, user, game_id)
    loaded, events = games_of(request).proposal(game_id)
    outcome = next((getattr(e, "outcome", None) for e in events if e.kind == "game-ended"), None)
    return Proposal(turn=loaded.next_turn, events=_events_out(events), outcome=outcome)


@router.post(
    "/api/games/{game_id}/override", response_model=PendingOut, status_code=201, responses=CONFLICT
)
def override(
    game_id: GameId, body: OverrideIn, request: Request, user: User = FACILITATOR
) -> PendingOut:
    """A pending override of the next turn's adjudication (a reason is required).

    Set values or gates, force draws. Applied when the turn is released, undoable until then; the
    reply says what it changes in the proposal. The reason stays with the white cell unless
    ``publish``.
    """
    viewer_team(request, user, game_id)
    if not body.reason.strip():
        raise UsageError("an override needs a reason", field="reason", expected="some text")
    if not (body.values or body.gates or body.force):
        raise UsageError("the override changes nothing", expected="values, gates or forced draws")
    args = (game_id, body.reason, body.values, body.gates, body.force)
    return _pending(games_of(request).override, args, user, body.publish)


@router.post(
    "/api/games/{game_id}/rulings", response_model=PendingOut, status_code=201, responses=CONFLICT
)
def ruling(
    game_id: GameId, body: RulingIn, request: Request, user: User = FACILITATOR
) -> PendingOut:
    """Accept or reject one order of the next turn, with a reason.

    Accept or reject one order of the next turn with a reason (pending until release; the latest
    ruling on an order counts). The reply says what it changes in the proposal.
    """
    viewer_team(request, user, game_id)
    args = (game_id, body.actor, body.action, body.verdict, body.reason)
    return _pending(games_of(request).rule, args, user, body.publish)


@router.get("/api/games/{game_id}/adjudication", response_model=AdjudicationOut)
def adjudication(game_id: GameId, request: Request, user: User = FACILITATOR) -> AdjudicationOut:
    """The white cell's desk.

    Pending rulings and overrides of the next turn, the teams that have not submitted, and the
    game's control (pause, deadline).
    """
    viewer_team(request, user, game_id)
    loaded = _load(request, game_id)
    state = _state(request, loaded, None)
    pending = games_of(request).pending(loaded)
    return AdjudicationOut(
        turn=loaded.next_turn,
        pending=[_pending_out(i) for i in pending],
        waiting=state.waiting,
        control=_control_out(games_of(request).control(game_id), loaded),
    )


@router.delete(
    "/api/games/{game_id}/adjudication/{pending_id}",
    response_model=UndoOut,
    responses={404: {"description": "no such pending item"}},
)
def undo(
    game_id: GameId, pending_id: PendingId, request: Request, user: User = FACILITATOR
) -> UndoOut:
    """Take back a pending ruling or override of the next turn."""
    viewer_team(request, user, game_id)
    try:
        diff = games_of(request).undo(game_id, pending_id)
    except KeyError:
        raise HTTPException(404, f"no pending item {pending_id} in game {game_id}") from None
    return UndoOut(id=pending_id, diff=[DiffRow(**row) for row in diff])


@router.post(
    "/api/games/{game_id}/injects", response_model=EventOut, status_code=201, responses=CONFLICT
)
def inject(game_id: GameId, body: InjectIn, request: Request, user: User = FACILITATOR) -> EventOut:
    """A white-cell inject, logged now (for the next turn) and seen by its audience."""
    viewer_team(request, user, game_id)
    if not body.text.strip():
        raise UsageError("an inject needs some text", field="text", expected="some text")
    event = _or_409(games_of(request).inject, game_id, body.text, body.audience)
    return _events_out([event])[0]


@router.post("/api/games/{game_id}/pause", response_model=ControlOut)
def pause(game_id: GameId, body: PauseIn, request: Request, user: User = FACILITATOR) -> ControlOut:
    """Pause play (no orders, rulings, injects or releases) or resume it."""
    viewer_team(request, user, game_id)
    ctl = games_of(request).pause(game_id, body.paused)
    return _control_out(ctl, _load(request, game_id))


@router.post("/api/games/{game_id}/clock", response_model=ControlOut)
def clock(game_id: GameId, body: ClockIn, request: Request, user: User = FACILITATOR) -> ControlOut:
    """Set the next turn's deadline (shown to all) and whether it releases itself."""
    viewer_team(request, user, game_id)
    ctl = games_of(request).set_clock(game_id, body.seconds, body.auto_release)
    return _control_out(ctl, _load(request, game_id))


@router.post(
    "/api/games/{game_id}/rollback", response_model=BranchOut, status_code=201, responses=CONFLICT
)
def rollback(
    game_id: GameId, body: TurnIn, request: Request, user: User = FACILITATOR
) -> BranchOut:
    """Roll the game back to the start of ``turn``.

    Play continues in a new game holding the log up to then (the engine's replay); this game is
    closed, its log kept whole.
    """
    viewer_team(request, user, game_id)
    new_id = _or_409(games_of(request).branch, game_id, body.turn, rollback=True, title=body.title)
    return BranchOut(id=new_id, redirect=f"/games/{new_id}")


@router.post(
    "/api/games/{game_id}/branch", response_model=BranchOut, status_code=201, responses=CONFLICT
)
def branch(game_id: GameId, body: TurnIn, request: Request, user: User = FACILITATOR) -> BranchOut:
    """A new game from the start of ``turn`` (the engine's ``Game.branch``), same seats.

    This game goes on unchanged.
    """
    viewer_team(request, user, game_id)
    new_id = _or_409(games_of(request).branch, game_id, body.turn, rollback=False, title=body.title)
    return BranchOut(id=new_id, redirect=f"/games/{new_id}")


@router.post(
    "/api/games/{game_id}/release",
    response_model=Proposal,
    responses={409: {"description": "not the next turn (released already), paused, rolled back"}},
)
def release(
    game_id: GameId, body: ReleaseIn, request: Request, user: User = FACILITATOR
) -> Proposal:
    """Accept the engine's adjudication and release the next turn.

    Accept the engine's adjudication (after any overrides) and release ``body.turn``, which
    must be the next turn: releases are serialised per game, and any other turn is a 409 (so
    parallel or repeated clicks release one turn).
    """
    viewer_team(request, user, game_id)
    try:
        events = _or_409(games_of(request).release, game_id, body.turn)  # stale turns too
    except IntegrityError:
        raise HTTPException(409, f"turn {body.turn} was released already") from None
    outcome = next((getattr(e, "outcome", None) for e in events if e.kind == "game-ended"), None)
    turn = events[0].turn if events else 0
    return Proposal(turn=turn, events=_events_out(events), outcome=outcome)


@router.get("/api/games/{game_id}/export.json")
def export_json(game_id: GameId, request: Request, user: User = ANYONE) -> Response:
    """The log (role-filtered for teams and observers) and the orders the viewer may see."""
    team = viewer_team(request, user, game_id)
    loaded = _load(request, game_id)
    who = audience(loaded.scenario, team)
    data = games_of(request).export_json(loaded, who, team or None)
    return JSONResponse(
        data,
        headers={"content-disposition": f'attachment; filename="game-{game_id}.json"'},
    )


@router.get("/api/games/{game_id}/export.csv")
def export_csv(game_id: GameId, request: Request, user: User = ANYONE) -> Response:
    """Download the game as the viewer may see it, as CSV."""
    team = viewer_team(request, user, game_id)
    loaded = _load(request, game_id)
    who = audience(loaded.scenario, team)
    text = games_of(request).export_csv(loaded, who, team or None)
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="game-{game_id}.csv"'},
    )


# ---------------------------------------------------------------------- pages


@router.get("/games/{game_id}", response_class=HTMLResponse)
def game_page(game_id: GameId, request: Request, user: User = ANYONE_PAGE) -> Response:
    """The game as the viewer may see it.

    The white cell's desk, a team's orders, or the observer's page. A game rolled back sends teams
    and observers on to its continuation.
    """
    team = viewer_team(request, user, game_id)
    games_of(request).tick()
    loaded = _load(request, game_id)
    ctl = games_of(request).control(game_id)
    if ctl.successor_id is not None and team is not None:
        mine = store_of(request).teams_of(user.id) if user.role == "team" else {}
        if user.role != "team" or ctl.successor_id in mine:
            return RedirectResponse(f"/games/{ctl.successor_id}", status_code=303)
    state = _state(request, loaded, team)
    scenario = loaded.scenario
    context: dict[str, Any] = {
        "game": state,
        "teams": scenario.spec.teams,
        "members": team_actors(scenario),
        "clock": state.clock,
    }
    if team in (None, ""):
        # the white cell and the observer see how many people joined each team as members (a
        # team can be played by them alone)
        context["joined"] = Counter(m.team for m in store_of(request).members(game_id) if m.user_id)
    if team is None:
        orders = store_of(request).orders(game_id, loaded.next_turn)
        latest = {o.actor: o for o in orders}
        pending = games_of(request).pending(loaded) if not loaded.game.ended else []
        rulings = {(p.actor, p.action): p for p in pending if p.kind == "ruling"}
        return render(
            request,
            "game_facilitator.html",
            **context,
            orders=list(latest.values()),
            rulings=rulings,
            pending=pending,
            variables=scenario.spec.variables,
            panel=state_panel(scenario, loaded.game.events, tuple(state.values)),
            subjects=[a.id for a in scenario.spec.actions if a.adjudication is not None]
            + [f"inject:{i.id}" for i in scenario.spec.injects if i.probability is not None],
            log=_events_out(loaded.game.events)[-60:],
            control=ctl,
        )
    if team == "":
        # the public state in the scenario's labelled groups, and the public log as a timeline
        public = visible_events(
            scenario, games_of(request).shown_events(loaded), audience(scenario, "")
        )
        return render(
            request,
            "game_observer.html",
            **context,
            panel=state_panel(scenario, loaded.game.events, tuple(state.values)),
            log=_events_out(list(public))[-60:],
        )
    own = {o.actor: o for o in store_of(request).orders(game_id, loaded.next_turn, team=team)}
    ballots = {
        a: open_decisions(scenario, loaded.game.state, a)
        for a in team_actors(scenario).get(team, [])
    }
    return render(request, "game_team.html", **context, team=team, mine=own, ballots=ballots)


@router.get("/games/{game_id}/review", response_class=HTMLResponse)
def review(game_id: GameId, request: Request, user: User = FACILITATOR_PAGE) -> Response:
    """The after-action review (facilitator: the whole game)."""
    viewer_team(request, user, game_id)
    loaded = _load(request, game_id)
    return review_page(request, game_id, loaded.scenario, loaded.game.events)


@router.get("/games/{game_id}/review/debrief/{team}", response_class=HTMLResponse)
def review_debrief(
    game_id: GameId, team: str, request: Request, user: User = FACILITATOR_PAGE
) -> Response:
    """Any team's start-of-turn debriefs, for the facilitator reading the review."""
    viewer_team(request, user, game_id)
    loaded = _load(request, game_id)
    if team not in team_members(loaded.scenario):
        raise HTTPException(status_code=404, detail=f"game {game_id} has no team '{team}'")
    # The white cell sees its own reasons.
    events = loaded.game.events
    return debrief_page(request, game_id, loaded.scenario, events, team, white_cell=True)


@router.get("/games/{game_id}/debrief", response_class=HTMLResponse)
def team_debrief(game_id: GameId, request: Request, user: User = TEAM_PAGE) -> Response:
    """A team's start-of-turn debriefs for every turn so far (its fog of war)."""
    team = viewer_team(request, user, game_id)
    assert team
    loaded = _load(request, game_id)
    events = games_of(request).shown_events(loaded)
    return debrief_page(request, game_id, loaded.scenario, events, team, white_cell=False)
