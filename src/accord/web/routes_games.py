"""War-game play: games, seats and invitations, orders, proposal, override, release, exports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
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
from accord.web.db import User, WebStore
from accord.web.library import resolve
from accord.web.play import GameService, Loaded, StaleTurnError, audience, team_actors
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
from accord.web.security import GameId, TurnQuery
from accord.web.templating import render

router = APIRouter()


def _store(request: Request) -> WebStore:
    store: WebStore = request.app.state.store
    return store


def _games(request: Request) -> GameService:
    games: GameService = request.app.state.games
    return games


def viewer_team(request: Request, user: User, game_id: int) -> str | None:
    """``None`` for a facilitator (sees all), ``""`` for an observer, else the user's team.

    An unknown game is a 404, and so is, for a team user, a game without its seat: the same reply,
    so that a team cannot tell which game ids exist.
    """
    if user.role == "team":
        team = _store(request).teams_of(user.id).get(game_id)
        if team is None:
            raise HTTPException(404, f"no game {game_id}")
        return team
    if _store(request).game(game_id) is None:
        raise HTTPException(404, f"no game {game_id}")
    return None if user.role == "facilitator" else ""


def _load(request: Request, game_id: int) -> Loaded:
    try:
        return _games(request).load(game_id)
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
    )


def game_summaries(request: Request, user: User) -> list[GameSummary]:
    """The games user may see (a team account: its own), as summaries."""
    store = _store(request)
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
        for s in _store(request).seats(game_id).values()
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
        {o.team for o in _store(request).orders(loaded.id, loaded.next_turn)}
        if team is None
        else set()
    )
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
        team_view=_games(request).team_view(loaded, team) if team else None,
    )


# ---------------------------------------------------------------------- API


@router.get("/api/games", response_model=list[GameSummary])
def list_games(request: Request, user: User = ANYONE) -> list[GameSummary]:
    """The games the signed-in account may see."""
    return game_summaries(request, user)


@router.post("/api/games", response_model=GameCreated, status_code=201)
def create_game(body: NewGame, request: Request, user: User = FACILITATOR) -> GameCreated:
    """Create a game of a war-game scenario from the library."""
    text, source, kind = resolve(_store(request), request.app.state.scenarios_dir, body.scenario)
    if kind != "wargame":
        raise UsageError(
            f"'{body.scenario}' is not a war-game scenario",
            field="scenario",
            expected="a war-game scenario (with a clock and teams)",
        )
    game_id = _games(request).create(text, source, body.scenario, body.title, body.seed, user.id)
    return GameCreated(id=game_id, redirect=f"/games/{game_id}")


@router.get("/api/games/{game_id}", response_model=GameState)
def game_state(game_id: GameId, request: Request, user: User = ANYONE) -> GameState:
    """The game as the viewer may see it."""
    team = viewer_team(request, user, game_id)
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
        token = _store(request).set_seat(
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


@router.post("/api/games/{game_id}/orders", response_model=OrderOut, status_code=201)
def submit_order(game_id: GameId, body: OrderIn, request: Request, user: User = TEAM) -> Response:
    """A team's orders for one of its actors this turn (the latest submission counts)."""
    team = viewer_team(request, user, game_id)
    assert team
    record, stored = _games(request).submit(
        game_id, team, body.actor, body.actions, user.id, body.client_key
    )
    out = OrderOut(
        id=record.id,
        turn=record.turn,
        team=record.team,
        actor=record.actor,
        actions=record.actions,
        submitted_at=record.created_at,
        stored=stored,
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
        )
        for o in _store(request).orders(game_id, turn, team=team)
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
    loaded, events = _games(request).proposal(game_id)
    outcome = next((getattr(e, "outcome", None) for e in events if e.kind == "game-ended"), None)
    return Proposal(turn=loaded.next_turn, events=_events_out(events), outcome=outcome)


@router.post("/api/games/{game_id}/override", response_model=EventOut, status_code=201)
def override(
    game_id: GameId, body: OverrideIn, request: Request, user: User = FACILITATOR
) -> EventOut:
    """Override the adjudication (a reason is required): set values or gates, force draws."""
    viewer_team(request, user, game_id)
    if not body.reason.strip():
        raise UsageError("an override needs a reason", field="reason", expected="some text")
    if not (body.values or body.gates or body.force):
        raise UsageError("the override changes nothing", expected="values, gates or forced draws")
    event = _games(request).override(game_id, body.reason, body.values, body.gates, body.force)
    return _events_out([event])[0]


@router.post(
    "/api/games/{game_id}/release",
    response_model=Proposal,
    responses={409: {"description": "the turn is not the next one (released already)"}},
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
        events = _games(request).release(game_id, body.turn)
    except StaleTurnError as exc:
        raise HTTPException(409, str(exc)) from None
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
    data = _games(request).export_json(loaded, who, team or None)
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
    text = _games(request).export_csv(loaded, who, team or None)
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="game-{game_id}.csv"'},
    )


# ---------------------------------------------------------------------- pages


@router.get("/games/{game_id}", response_class=HTMLResponse)
def game_page(game_id: GameId, request: Request, user: User = ANYONE_PAGE) -> Response:
    """The page of one game."""
    team = viewer_team(request, user, game_id)
    loaded = _load(request, game_id)
    state = _state(request, loaded, team)
    scenario = loaded.scenario
    context: dict[str, Any] = {
        "game": state,
        "teams": scenario.spec.teams,
        "members": team_actors(scenario),
    }
    if team is None:
        orders = _store(request).orders(game_id, loaded.next_turn)
        latest = {o.actor: o for o in orders}
        return render(
            request,
            "game_facilitator.html",
            **context,
            orders=list(latest.values()),
            variables=scenario.spec.variables,
            subjects=[a.id for a in scenario.spec.actions if a.adjudication is not None]
            + [f"inject:{i.id}" for i in scenario.spec.injects if i.probability is not None],
            log=_events_out(loaded.game.events)[-60:],
        )
    if team == "":
        return render(request, "game_observer.html", **context)
    mine = {o.actor: o for o in _store(request).orders(game_id, loaded.next_turn, team=team)}
    return render(request, "game_team.html", **context, team=team, mine=mine)


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
    events = loaded.game.events
    return debrief_page(request, game_id, loaded.scenario, events, team, white_cell=True)


@router.get("/games/{game_id}/debrief", response_class=HTMLResponse)
def team_debrief(game_id: GameId, request: Request, user: User = TEAM_PAGE) -> Response:
    """A team's start-of-turn debriefs for every turn so far (its fog of war)."""
    team = viewer_team(request, user, game_id)
    assert team
    loaded = _load(request, game_id)
    events = loaded.game.events
    return debrief_page(request, game_id, loaded.scenario, events, team, white_cell=False)
