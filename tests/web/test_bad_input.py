"""Bad input gets a clear 4xx with a message and stores nothing: malformed uploads, oversized
bodies, script tags in team names, forged or missing CSRF tokens, malformed JSON."""

from __future__ import annotations

from fastapi import FastAPI

from tests.web.conftest import PASSWORD, Game, new_client, ok, refresh_csrf


def _library_size(game: Game) -> int:
    return game.facilitator.get("/library").text.count("/library/view?ref=")


def test_malformed_uploads_are_rejected_and_nothing_is_stored(game: Game) -> None:
    fac = game.facilitator
    before = _library_size(game)
    cases = {
        "binary.yaml": b"\xff\xfe\x00garbage\x80\x81",
        "broken.yaml": b"id: x\nactors: [\n  - {id: a\n",
        "empty.csv": b"   \n",
        "wrong.yaml": b"id: x\nactors: []\nissues: 7\n",
        "bad-game.yaml": b"id: g\nclock: {turns: -1}\n",
    }
    for name, data in cases.items():
        r = fac.post("/api/library/import", files={"file": (name, data, "text/plain")})
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text)
        detail = r.json()["detail"]
        assert isinstance(detail, str) and detail, name
        assert "Traceback" not in r.text
    assert _library_size(game) == before


def test_oversized_bodies_are_refused(game: Game) -> None:
    fac = game.facilitator
    before = _library_size(game)
    big = b"a" * (3 * 1024 * 1024)
    r = fac.post("/api/library/import", files={"file": ("big.yaml", big, "text/plain")})
    assert r.status_code == 413 and "larger" in r.json()["detail"]
    # under the body limit but over the scenario limit
    r = fac.post(
        "/api/library/import",
        files={"file": ("big.yaml", b"#" * (1024 * 1024 + 10), "text/plain")},
    )
    assert r.status_code == 413
    r = fac.post("/api/library", json={"name": "x.yaml", "text": "x" * (2 * 1024 * 1024 + 5)})
    assert r.status_code == 413
    assert _library_size(game) == before


def test_script_tags_in_team_names_are_escaped(app: FastAPI, game: Game) -> None:
    fac = game.facilitator
    gid = ok(
        fac.post(
            "/api/games",
            json={"scenario": "shipped:wargame-tiny.yaml", "title": "<b>bold</b> game"},
        ),
        201,
    )["id"]
    token = ok(fac.put(f"/api/games/{gid}/seats/red", json={"kind": "human"}))["invite_url"]
    player = new_client(app)
    evil = "<script>alert('x')</script>"
    ok(
        player.post(
            token.replace("/join/", "/api/join/"),
            json={"username": "evil", "password": PASSWORD, "team_name": evil},
        )
    )
    page = fac.get(f"/games/{gid}").text
    assert evil not in page and "&lt;script&gt;alert(" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    home = fac.get("/").text
    assert "<b>bold</b>" not in home
    assert "script-src 'self'" in fac.get("/").headers["content-security-policy"]


def test_forged_or_missing_csrf_tokens_are_refused(game: Game) -> None:
    gid = game.id
    red = game.teams["red"]
    body = {"actor": "cn", "actions": ["cn_drills"]}
    good = red.headers["X-CSRF-Token"]
    red.headers["X-CSRF-Token"] = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    r = red.post(f"/api/games/{gid}/orders", json=body)
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    del red.headers["X-CSRF-Token"]
    r = red.post(f"/api/games/{gid}/orders", json=body)
    assert r.status_code == 403
    # another session's token does not work either
    red.headers["X-CSRF-Token"] = game.teams["blue"].headers["X-CSRF-Token"]
    assert red.post(f"/api/games/{gid}/orders", json=body).status_code == 403
    # a forged session cookie is no session at all
    forged = new_client(game.facilitator.app)  # type: ignore[arg-type]
    forged.cookies.set("accord_session", "eyJ1IjoxLCJjIjoieCJ9.forged")
    forged.headers["X-CSRF-Token"] = "x"
    assert forged.post(f"/api/games/{gid}/release", json={"turn": 1}).status_code == 403
    assert ok(game.facilitator.get(f"/api/games/{gid}/orders")) == []
    assert ok(game.facilitator.get(f"/api/games/{gid}"))["turn"] == 0
    refresh_csrf(red)
    ok(red.post(f"/api/games/{gid}/orders", json=body), 201)


def test_malformed_json_and_fields(game: Game) -> None:
    fac = game.facilitator
    r = fac.post("/api/games", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
    r = fac.post("/api/games", json={"scenario": "shipped:nope.yaml", "title": "t"})
    assert r.status_code == 400 and "no shipped scenario" in r.json()["detail"]
    r = fac.post("/api/games", json={"scenario": "shipped:ktab-d3.yaml", "title": "t"})
    assert r.status_code == 400 and "war-game" in r.json()["detail"]
    r = fac.post("/api/games", json={"scenario": "shipped:wargame-tiny.yaml", "title": "t", "x": 1})
    assert r.status_code == 422
    r = fac.post(
        f"/api/games/{game.id}/override",
        json={"reason": "r", "values": {"escalation": 99}},
    )
    assert r.status_code == 400 and "outside the range" in r.json()["detail"]
    r = fac.post("/api/login", json={"username": "fac", "password": "wrong password"})
    assert r.status_code == 401
    r = fac.post("/api/setup", json={"username": "again", "password": PASSWORD})
    assert r.status_code == 403
