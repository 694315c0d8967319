"""Regression tests of issue #14 (web workbench hardening), in process on SQLite and
PostgreSQL; docs/security.md lists which control each one checks."""

from __future__ import annotations

import logging
import statistics
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.runs.web_models import WebSession, WebUser
from accord.web.auth import COOKIE, SECURITY_HEADERS
from tests.web.conftest import PASSWORD, Game, new_client, ok, refresh_csrf, sign_in


def _release(game: Game, turn: int) -> Any:
    return game.facilitator.post(f"/api/games/{game.id}/release", json={"turn": turn})


def _play_to_landing(game: Game) -> None:
    """Turns 1-3 with China blockading twice, then attempting a landing (a draw whose
    probability reads cn_resolve, hidden from everyone but red)."""
    red = game.teams["red"]
    for turn, action in ((1, "cn_blockade"), (2, "cn_blockade"), (3, "cn_landing")):
        ok(red.post(f"/api/games/{game.id}/orders", json={"actor": "cn", "actions": [action]}), 201)
        ok(_release(game, turn))


# ---------------------------------------------------------------------- 1. client_key


def test_client_key_is_unique_per_team_not_per_game(game: Game) -> None:
    gid = game.id
    red, blue = game.teams["red"], game.teams["blue"]
    mine = {"actor": "cn", "actions": ["cn_drills"], "client_key": "k1"}
    first = ok(red.post(f"/api/games/{gid}/orders", json=mine), 201)
    theirs = {"actor": "us", "actions": [], "client_key": "k1"}
    r = blue.post(f"/api/games/{gid}/orders", json=theirs)
    assert r.status_code == 201, r.text
    assert r.json()["team"] == "blue" and "cn" not in r.text and "cn_drills" not in r.text
    # red's retry is still recognised; blue's order is stored
    again = red.post(f"/api/games/{gid}/orders", json=mine)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert [o["actor"] for o in ok(blue.get(f"/api/games/{gid}/orders"))] == ["us"]


# ---------------------------------------------------------------------- 2, 3, 12. views


def test_exports_carry_no_dice_and_no_seed_for_teams_and_observers(game: Game) -> None:
    _play_to_landing(game)
    gid = game.id
    full = ok(game.facilitator.get(f"/api/games/{gid}/export.json"))["events"]
    assert full[0]["seed"] == 3
    assert any(e["kind"] == "draw" and e["probability"] is not None for e in full)
    for client in (game.teams["blue"], game.teams["red"], game.observer):
        events = ok(client.get(f"/api/games/{gid}/export.json"))["events"]
        assert events[0]["kind"] == "game-started" and events[0]["seed"] is None
        draws = [e for e in events if e["kind"] == "draw"]
        assert draws and all(d["probability"] is None and d["u"] is None for d in draws)
        assert [e["seq"] for e in events] == list(range(len(events)))
        csv = client.get(f"/api/games/{gid}/export.csv").text
        assert "p = " not in csv and "u = " not in csv
        state = ok(client.get(f"/api/games/{gid}"))
        for text in [d["text"] for d in (state.get("team_view") or {}).get("debrief", [])]:
            assert "p = " not in text
    blue = game.teams["blue"]
    assert "p = " not in blue.get(f"/games/{gid}").text
    assert "p = " not in blue.get(f"/games/{gid}/debrief").text


def test_team_view_names_no_hidden_variable(game: Game) -> None:
    state = ok(game.teams["blue"].get(f"/api/games/{game.id}"))
    assert "cn_resolve" not in str(state)
    assert all("hidden" not in a for a in state["team_view"]["actors"])


def test_foreign_and_missing_games_look_the_same_to_a_team(game: Game) -> None:
    other = ok(
        game.facilitator.post(
            "/api/games", json={"scenario": "shipped:wargame-tiny.yaml", "title": "Other"}
        ),
        201,
    )["id"]
    red = game.teams["red"]
    for suffix in ("", "/export.json", "/orders"):
        foreign = red.get(f"/api/games/{other}{suffix}")
        missing = red.get(f"/api/games/{other + 1000}{suffix}")
        assert foreign.status_code == missing.status_code == 404, suffix
        assert foreign.json()["detail"].replace(str(other), "N") == missing.json()[
            "detail"
        ].replace(str(other + 1000), "N")


# ---------------------------------------------------------------------- 4. release


def test_release_names_its_turn_and_a_stale_release_is_409(game: Game) -> None:
    gid = game.id
    assert game.facilitator.post(f"/api/games/{gid}/release", json={}).status_code == 422
    assert _release(game, 2).status_code == 409
    assert ok(_release(game, 1))["turn"] == 1
    r = _release(game, 1)
    assert r.status_code == 409 and "turn 2" in r.json()["detail"]
    assert ok(game.facilitator.get(f"/api/games/{gid}"))["turn"] == 1


def test_parallel_releases_advance_one_turn(game: Game) -> None:
    results: list[int] = []
    start = threading.Barrier(5)

    def go() -> None:
        start.wait()
        results.append(_release(game, 1).status_code)

    threads = [threading.Thread(target=go) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409, 409, 409, 409]
    assert ok(game.facilitator.get(f"/api/games/{game.id}"))["turn"] == 1


# ---------------------------------------------------------------------- 5. sessions


def _replay(app: FastAPI, cookie: str) -> TestClient:
    client = TestClient(app)
    client.cookies.set(COOKIE, cookie)
    return client


def test_a_saved_cookie_is_refused_after_sign_out(app: FastAPI, game: Game) -> None:
    obs = game.observer
    saved = obs.cookies[COOKIE]
    assert _replay(app, saved).get("/api/me").status_code == 200
    ok(obs.post("/api/logout"))
    assert _replay(app, saved).get("/api/me").status_code == 401
    assert obs.get("/api/me").status_code == 401


def test_sign_out_everywhere_and_password_change_revoke_sessions(app: FastAPI, game: Game) -> None:
    first = new_client(app)
    sign_in(first, "obs")
    second = new_client(app)
    sign_in(second, "obs")
    ok(first.post("/api/logout-everywhere"))
    for client in (first, second, game.observer):
        assert client.get("/api/me").status_code == 401
    a, b = new_client(app), new_client(app)
    sign_in(a, "obs")
    sign_in(b, "obs")
    bad = a.post("/api/password", json={"current": "wrong password!", "new": "another secret 1"})
    assert bad.status_code == 401
    ok(a.post("/api/password", json={"current": PASSWORD, "new": "another secret 1"}))
    assert ok(a.get("/api/me"))["username"] == "obs"  # the changing session goes on
    assert b.get("/api/me").status_code == 401  # every other one ends
    c = new_client(app)
    assert c.post("/api/login", json={"username": "obs", "password": PASSWORD}).status_code == 401
    sign_in(c, "obs", "another secret 1")


def _age_sessions(app: FastAPI, field: str, by: timedelta) -> None:
    with app.state.store.write() as session:
        for row in session.scalars(select(WebSession)).all():
            setattr(row, field, getattr(row, field) - by)


def test_sessions_expire_when_idle_and_absolutely(app: FastAPI, game: Game) -> None:
    settings = app.state.security
    obs = game.observer
    assert obs.get("/api/me").status_code == 200
    _age_sessions(app, "last_seen", timedelta(seconds=settings.idle_timeout + 5))
    assert obs.get("/api/me").status_code == 401
    client = new_client(app)
    sign_in(client, "obs")
    _age_sessions(app, "created_at", timedelta(seconds=settings.absolute_timeout - 60))
    assert client.get("/api/me").status_code == 200  # still young enough, and in use
    _age_sessions(app, "created_at", timedelta(seconds=65))
    assert client.get("/api/me").status_code == 401


# ---------------------------------------------------------------------- 6. redirects


EVIL_TARGETS = (
    "/\\evil.example/",
    "/\t/evil.example/",
    "//evil.example/",
    "https://evil.example/",
    "/%09/evil.example/",
    "\\\\evil.example",
    " /evil.example",
    "/ok\r\nSet-Cookie: x=1",
)


def test_sign_in_redirects_only_to_same_origin_paths(app: FastAPI, game: Game) -> None:
    client = new_client(app)
    for target in EVIL_TARGETS:
        r = client.post(
            "/api/login", params={"next": target}, json={"username": "obs", "password": PASSWORD}
        )
        assert ok(r)["redirect"] == "/", target
        refresh_csrf(client)  # signing in starts a new session with a new CSRF token
        page = client.get("/login", params={"next": target}).text
        assert "evil.example" not in page, target


def test_a_plain_next_path_is_kept(app: FastAPI, game: Game) -> None:
    client = new_client(app)
    r = client.post(
        "/api/login",
        params={"next": f"/games/{game.id}?x=1"},
        json={"username": "obs", "password": PASSWORD},
    )
    assert ok(r)["redirect"] == f"/games/{game.id}?x=1"


# ---------------------------------------------------------------------- 7. no 500s


HUGE_OR_ODD = (
    "/api/games/99999999999999999999",
    "/api/games/9223372036854775808/export.json",
    "/api/games/2147483648",
    "/api/games/-1",
    "/api/games/\u0661\u0662",
    "/api/games/\u00b2",
    "/api/analyses/99999999999999999999",
    "/api/games/1/orders?turn=99999999999999999999",
    "/runs/compare?a=99999999999999999999&b=1",
    "/library/view?ref=lib:\u00b2",
    "/library/view?ref=lib:99999999999999999999",
    "/library/view?ref=lib:\u0661",
)


def test_huge_ids_and_unicode_digits_are_4xx(game: Game) -> None:
    for path in HUGE_OR_ODD:
        for client in (game.facilitator, game.observer, game.teams["red"]):
            r = client.get(path, follow_redirects=False)
            assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
            assert "Traceback" not in r.text


def test_creating_a_game_from_lib_superscript_is_4xx(game: Game) -> None:
    for ref in ("lib:\u00b2", "lib:99999999999999999999", "lib:\u0661"):
        r = game.facilitator.post("/api/games", json={"scenario": ref, "title": "x"})
        assert r.status_code == 400, r.text


def test_an_unexpected_error_is_a_500_with_security_headers(database: Any) -> None:
    from accord.web import create_app
    from tests.web.conftest import SCENARIOS

    app = create_app(database.url, schema=database.schema, scenarios_dir=SCENARIOS)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/fine")
    def fine() -> None:
        raise HTTPException(418, "teapot")

    try:
        client = TestClient(app, raise_server_exceptions=False)
        r = client.get("/boom")
        assert r.status_code == 500 and "secret" not in r.text
        assert r.json()["detail"] == "internal error"
        for name, value in SECURITY_HEADERS:
            assert r.headers[name.decode()] == value.decode()
        assert client.get("/fine").status_code == 418  # the connection goes on
    finally:
        app.state.store.close()


# ---------------------------------------------------------------------- 8. sign-in


def _timed(client: TestClient, username: str, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.post("/api/login", json={"username": username, "password": "wrong password"})
        times.append(time.perf_counter() - t0)
        assert r.status_code == 401
    return statistics.median(times)


def test_sign_in_takes_as_long_for_unknown_users(app: FastAPI, game: Game) -> None:
    client = new_client(app)
    known = _timed(client, "obs", 2)
    unknown = _timed(client, "nobody-here", 2)
    assert unknown > known / 3 and known > unknown / 3, (known, unknown)


def test_repeated_wrong_passwords_are_throttled_and_logged(
    app: FastAPI, game: Game, caplog: pytest.LogCaptureFixture
) -> None:
    app.state.security.account_failures = limit = 3  # the served default is 5
    client = new_client(app)
    with caplog.at_level(logging.WARNING, logger="accord.web.security"):
        for _ in range(limit):
            bad = client.post("/api/login", json={"username": "obs", "password": "wrong guess"})
            assert bad.status_code == 401
        r = client.post("/api/login", json={"username": "obs", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert any("locked" in rec.getMessage() and "obs" in rec.getMessage() for rec in caplog.records)
    # other accounts are unaffected; the lock lifts after its time
    other = new_client(app)
    sign_in(other, "fac")
    store = app.state.store
    store.clear_throttle()
    sign_in(new_client(app), "obs")


def test_one_address_is_throttled_across_accounts(app: FastAPI, game: Game) -> None:
    app.state.security.address_failures = limit = 4  # the served default is 20
    client = new_client(app)
    codes = [
        client.post(
            "/api/login", json={"username": f"user{i}", "password": "wrong guess"}
        ).status_code
        for i in range(limit + 1)
    ]
    assert codes[:limit] == [401] * limit and codes[limit] == 429


# ---------------------------------------------------------------------- 9. CPU budget


def _alias_bomb(levels: int = 6, fan: int = 10) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * fan)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly(game: Game) -> None:
    text = _alias_bomb()  # 1e6 values from under 1 KB
    for client in (game.observer, game.facilitator):
        t0 = time.perf_counter()
        r = client.post("/api/library/validate", json={"text": text})
        assert r.status_code == 413, r.text
        assert time.perf_counter() - t0 < 2.0
    r = game.facilitator.post(
        "/api/library/import", files={"file": ("bomb.yaml", text.encode(), "text/plain")}
    )
    assert r.status_code == 413


# ---------------------------------------------------------------------- 10. invitations


def test_one_invitation_makes_one_account_under_parallel_joins(app: FastAPI, game: Game) -> None:
    fac = game.facilitator
    url = ok(fac.put(f"/api/games/{game.id}/seats/europe", json={"kind": "human"}))["invite_url"]
    token = url.rsplit("/", 1)[1]
    codes: list[int] = []
    start = threading.Barrier(6)

    def join(i: int) -> None:
        client = new_client(app)
        start.wait()
        r = client.post(
            f"/api/join/{token}",
            json={"username": f"joiner{i}", "password": PASSWORD, "team_name": f"E{i}"},
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=join, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409, 409, 409, 409, 409]
    with app.state.store.read() as session:
        names = [u.username for u in session.query(WebUser).all()]
    assert len([n for n in names if n.startswith("joiner")]) == 1


# ---------------------------------------------------------------------- 11. stuck games


def test_an_overflowing_expression_is_refused_at_validation(game: Game) -> None:
    from tests.web.conftest import SCENARIOS

    text = (SCENARIOS / "wargame-tiny.yaml").read_text(encoding="utf-8")
    bad = text.replace("effects: {escalation: 0.5}", 'effects: {escalation: "1e308 * 1e308"}', 1)
    assert bad != text
    check = ok(game.facilitator.post("/api/library/validate", json={"text": bad}))
    assert not check["valid"] and "overflow" in check["problems"][0]["message"]
