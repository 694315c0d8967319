"""Access control: every route of the app, with every role and with none; and a team can
never read another team's orders or private state (API and exports)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from accord.web.auth import PUBLIC
from tests.web.conftest import Game, new_client, ok, refresh_csrf


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route, including those of included routers."""
    out: list[APIRoute] = []

    def walk(routes: list[Any]) -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                out.append(r)
            elif hasattr(r, "original_router"):
                walk(list(r.original_router.routes))
            elif hasattr(r, "routes") and not hasattr(r, "app"):
                walk(list(r.routes))

    walk(list(app.routes))
    return out


def declared_roles(route: APIRoute) -> tuple[str, ...]:
    found = [
        d.call.roles  # type: ignore[union-attr]
        for d in route.dependant.dependencies
        if d.call is not None and hasattr(d.call, "roles")
    ]
    assert len(found) == 1, f"{route.path} declares no role check"
    return tuple(found[0])


def _path(route: APIRoute, game_id: int) -> str:
    values = {
        "game_id": str(game_id),
        "team": "red",
        "token": "not-a-token",
        "item_id": "1",
        "analysis_id": "1",
        "panel_id": "1",
        "rfi_id": "RFI-red-1",
        "pending_id": "1",
    }
    path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)
    if path == "/runs/compare":
        path += "?a=1&b=1"
    return path


# the white cell's tools (issue #19): facilitator only
WHITE_CELL_ROUTES = [
    ("/api/games/{game_id}/rulings", "POST"),
    ("/api/games/{game_id}/adjudication", "GET"),
    ("/api/games/{game_id}/adjudication/{pending_id}", "DELETE"),
    ("/api/games/{game_id}/injects", "POST"),
    ("/api/games/{game_id}/pause", "POST"),
    ("/api/games/{game_id}/clock", "POST"),
    ("/api/games/{game_id}/rollback", "POST"),
    ("/api/games/{game_id}/branch", "POST"),
]


def test_every_route_checks_the_role(app: FastAPI, game: Game) -> None:
    routes = api_routes(app)
    paths = {r.path for r in routes}
    assert set(app.openapi()["paths"]) <= paths | {"/openapi.json"}
    assert len(routes) >= 30
    anonymous = new_client(app)
    clients: dict[str, TestClient] = {
        "facilitator": game.facilitator,
        "observer": game.observer,
        "team": game.teams["red"],
    }
    checked = 0
    for route in routes:
        roles = declared_roles(route)
        for method in sorted(route.methods - {"HEAD"}):
            path = _path(route, game.id)
            kwargs: dict[str, Any] = {} if method == "GET" else {"json": {}}
            r = anonymous.request(method, path, follow_redirects=False, **kwargs)
            if path == "/api/logout":
                refresh_csrf(anonymous)  # signing out starts a new session
            if PUBLIC in roles:
                assert r.status_code not in (401, 403), (method, path, r.status_code)
            else:
                assert r.status_code in (401, 303), (method, path, r.status_code)
                if r.status_code == 303:
                    assert r.headers["location"].startswith("/login")
            for role, client in clients.items():
                if path in ("/api/logout", "/api/logout-everywhere"):  # sign out; tested below
                    continue
                r = client.request(method, path, follow_redirects=False, **kwargs)
                if PUBLIC in roles or role in roles:
                    assert r.status_code not in (401, 403), (role, method, path, r.text)
                else:
                    assert r.status_code == 403, (role, method, path, r.status_code)
                checked += 1
    assert checked >= 90
    r = game.observer.post("/api/logout")
    assert r.status_code == 200
    assert game.observer.get("/api/me").status_code == 401


def test_roles_of_sensitive_routes(app: FastAPI) -> None:
    roles = {(r.path, m): declared_roles(r) for r in api_routes(app) for m in r.methods}
    assert roles[("/api/games/{game_id}/proposal", "GET")] == ("facilitator",)
    assert roles[("/api/games/{game_id}/release", "POST")] == ("facilitator",)
    assert roles[("/api/games/{game_id}/override", "POST")] == ("facilitator",)
    assert roles[("/api/games/{game_id}/orders", "POST")] == ("team",)
    assert "observer" not in roles[("/api/games/{game_id}/orders", "GET")]
    assert roles[("/games/{game_id}/review", "GET")] == ("facilitator",)
    assert roles[("/api/games/{game_id}/rfis/{rfi_id}/answer", "POST")] == ("facilitator",)
    assert roles[("/api/games/{game_id}/members", "POST")] == ("facilitator",)
    assert roles[("/api/games/{game_id}/rfis", "POST")] == ("team",)
    assert "observer" not in roles[("/api/games/{game_id}/messages", "POST")]
    assert "observer" not in roles[("/api/games/{game_id}/members", "GET")]
    assert "team" not in roles[("/api/live/runs", "GET")]
    # the white cell's tools (issue #19): facilitator only
    for path, method in WHITE_CELL_ROUTES:
        assert roles[(path, method)] == ("facilitator",), path


def test_a_team_cannot_see_another_teams_orders(app: FastAPI, game: Game) -> None:
    gid = game.id
    red, blue = game.teams["red"], game.teams["blue"]
    ok(red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills"]}), 201)
    ok(blue.post(f"/api/games/{gid}/orders", json={"actor": "us", "actions": []}), 201)
    mine = ok(blue.get(f"/api/games/{gid}/orders"))
    assert [o["team"] for o in mine] == ["blue"]
    assert [o["team"] for o in ok(red.get(f"/api/games/{gid}/orders"))] == ["red"]
    assert {o["team"] for o in ok(game.facilitator.get(f"/api/games/{gid}/orders"))} == {
        "red",
        "blue",
    }
    for path in (f"/api/games/{gid}/export.json", f"/api/games/{gid}/export.csv"):
        text = blue.get(path).text
        assert "cn_drills" not in text and "cn_resolve" not in text, path
        assert "cn_drills" in red.get(path).text
        assert "cn_drills" in game.facilitator.get(path).text
        obs = game.observer.get(path).text
        assert "cn_drills" not in obs and "cn_resolve" not in obs
    assert "cn_drills" not in blue.get(f"/api/games/{gid}").text
    assert "cn_drills" not in blue.get(f"/games/{gid}").text
    # the observer may not list orders; nobody else's proposal is visible to teams
    assert game.observer.get(f"/api/games/{gid}/orders").status_code == 403
    assert blue.get(f"/api/games/{gid}/proposal").status_code == 403
    # after the turn, China's hidden resolve still never reaches blue's export
    ok(game.facilitator.post(f"/api/games/{gid}/release", json={"turn": 1}))
    data = ok(blue.get(f"/api/games/{gid}/export.json"))
    assert all(o["team"] == "blue" for o in data["orders"])
    assert "cn_resolve" not in str(data["events"])


def test_a_team_without_a_seat_is_refused(app: FastAPI, game: Game) -> None:
    r = game.facilitator.post(
        "/api/games", json={"scenario": "shipped:wargame-tiny.yaml", "title": "Other"}
    )
    other = ok(r, 201)["id"]
    red = game.teams["red"]
    # 404, as for a game that does not exist: a team cannot tell which game ids exist
    for path in (f"/api/games/{other}", f"/api/games/{other}/export.json", f"/games/{other}"):
        assert red.get(path).status_code == 404, path
    r = red.post(f"/api/games/{other}/orders", json={"actor": "cn", "actions": []})
    assert r.status_code == 404
    assert [g["id"] for g in ok(red.get("/api/games"))] == [game.id]


@pytest.mark.parametrize("role", ["observer", "team"])
def test_only_facilitators_create_games(game: Game, role: str) -> None:
    client = game.observer if role == "observer" else game.teams["red"]
    r = client.post("/api/games", json={"scenario": "shipped:wargame-tiny.yaml", "title": "x"})
    assert r.status_code == 403


ISSUE_19_ROUTES = [  # every route added for issue #19 (live, messaging, people, white cell, map)
    ("/api/games/{game_id}/live", "GET"),
    ("/api/live/runs", "GET"),
    ("/api/games/{game_id}/messages", "GET"),
    ("/api/games/{game_id}/messages", "POST"),
    ("/api/games/{game_id}/rfis", "POST"),
    ("/api/games/{game_id}/rfis/{rfi_id}/answer", "POST"),
    ("/games/{game_id}/messages", "GET"),
    ("/api/games/{game_id}/members", "GET"),
    ("/api/games/{game_id}/members", "POST"),
    ("/games/{game_id}/members", "GET"),
    ("/join/member/{token}", "GET"),
    ("/api/join/member/{token}", "POST"),
    *WHITE_CELL_ROUTES,
    ("/api/games/{game_id}/map.svg", "GET"),
    ("/games/{game_id}/map", "GET"),
    ("/games/{game_id}/debrief", "GET"),
    ("/games/{game_id}/review/debrief/{team}", "GET"),
    ("/api/wargame-runs", "POST"),
    ("/runs/compare", "GET"),
]


def test_the_routes_of_issue_19_are_checked_and_fuzzed(app: FastAPI) -> None:
    """Each is a route the role-by-route test walks (it declares its roles) and an operation of
    the OpenAPI schema that test_fuzz.py fuzzes (none is in its skip list)."""
    from tests.web.test_fuzz import SKIP

    routes = {(r.path, m): r for r in api_routes(app) for m in r.methods}
    schema = app.openapi()["paths"]
    for path, method in ISSUE_19_ROUTES:
        assert (path, method) in routes, (path, method)
        assert declared_roles(routes[(path, method)]), (path, method)
        assert method.lower() in schema.get(path, {}), f"{method} {path} is not in the schema"
        assert (method, path) not in SKIP
