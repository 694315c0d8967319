"""The theatre map of a game (issue 19, item 6).

Plain SVG drawn on the server from the scenario's ``map:`` and the coastline GeoJSON it ships;
each viewer sees only the places and states its audience allows (:mod:`accord.wargame.theatre`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from accord.report.map_svg import map_svg
from accord.wargame.theatre import marks
from accord.web.auth import ANYONE, ANYONE_PAGE
from accord.web.db import User
from accord.web.play import Loaded, audience
from accord.web.routes_games import viewer_team
from accord.web.security import GameId
from accord.web.services import games_of, store_of
from accord.web.templating import render

router = APIRouter()


def _game(request: Request, user: User, game_id: int) -> tuple[Loaded, str | None, Path | None]:
    """(the game, the viewer's team, the folder of its scenario).

    The team is as :func:`viewer_team` gives it; the folder is that of a shipped scenario, where
    its GeoJSON lies (``None`` for one saved in the library).
    """
    team = viewer_team(request, user, game_id)
    games, store = games_of(request), store_of(request)
    try:
        loaded = games.load(game_id)
    except KeyError:
        raise HTTPException(404, f"no game {game_id}") from None
    record = store.game(game_id)
    folder = None
    if record is not None and record.scenario_ref.startswith("shipped:"):
        base: Path = request.app.state.scenarios_dir
        folder = (base / record.scenario_ref.split(":", 1)[1]).parent
    return loaded, team, folder


@router.get("/api/games/{game_id}/map.svg")
def map_image(game_id: GameId, request: Request, user: User = ANYONE) -> Response:
    """The theatre map now, as the viewer may see it (image/svg+xml; 404 without a map)."""
    loaded, team, folder = _game(request, user, game_id)
    if loaded.scenario.spec.map is None:
        raise HTTPException(404, f"the scenario of game {game_id} has no map")
    who = audience(loaded.scenario, team)
    svg = map_svg(loaded.scenario, loaded.game.state, who, folder)
    return Response(svg, media_type="image/svg+xml")


@router.get("/games/{game_id}/map", response_class=HTMLResponse)
def map_page(game_id: GameId, request: Request, user: User = ANYONE_PAGE) -> Response:
    """The theatre map in the app's layout, with a table of the places and their state."""
    loaded, team, folder = _game(request, user, game_id)
    who = audience(loaded.scenario, team)
    spec = loaded.scenario.spec.map
    svg = map_svg(loaded.scenario, loaded.game.state, who, folder) if spec else ""
    return render(
        request,
        "map.html",
        game_id=game_id,
        title=loaded.title,
        turn=loaded.turn,
        svg=svg,
        places=marks(loaded.scenario, loaded.game.state, who) if spec else [],
    )
