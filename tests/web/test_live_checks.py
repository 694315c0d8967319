"""Issue #14's "what must be shown", checked against a live ``accord serve`` (a subprocess on
loopback, SQLite): every finding of the penetration test, as an attacker would try it."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import PASSWORD, ok, setup_game
from tests.web.server import Server, refresh


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Server]:
    srv = Server(f"sqlite:///{tmp_path / 'live.db'}")
    srv.start()
    yield srv
    srv.stop()


def _median_login(base: str, username: str, n: int = 3) -> float:
    times = []
    with httpx.Client(base_url=base, timeout=30.0) as client:
        refresh(client)
        for _ in range(n):
            t0 = time.perf_counter()
            r = client.post("/api/login", json={"username": username, "password": "not it at all"})
            times.append(time.perf_counter() - t0)
            assert r.status_code == 401, r.text
    return statistics.median(times)


def test_the_penetration_findings_hold_on_a_live_server(live: Server) -> None:
    game = setup_game(live.client)
    gid, fac = game.id, game.facilitator
    red, blue = game.teams["red"], game.teams["blue"]

    # 1. client_key isolation: blue reusing red's key gets its own order, not red's
    ok(
        red.post(
            f"/api/games/{gid}/orders",
            json={"actor": "cn", "actions": ["cn_blockade"], "client_key": "K"},
        ),
        201,
    )
    r = blue.post(
        f"/api/games/{gid}/orders", json={"actor": "us", "actions": [], "client_key": "K"}
    )
    assert r.status_code == 201 and r.json()["team"] == "blue" and "cn_blockade" not in r.text

    # 4. five parallel releases of turn 1 advance exactly one turn
    codes: list[int] = []
    barrier = threading.Barrier(5)

    def release() -> None:
        with httpx.Client(base_url=live.base, timeout=60.0, cookies=fac.cookies) as c:
            c.headers["X-CSRF-Token"] = fac.headers["X-CSRF-Token"]
            barrier.wait()
            codes.append(c.post(f"/api/games/{gid}/release", json={"turn": 1}).status_code)

    threads = [threading.Thread(target=release) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409, 409, 409, 409], codes
    assert ok(fac.get(f"/api/games/{gid}"))["turn"] == 1

    # play on to China's landing: a public draw whose probability reads cn_resolve (red only)
    for turn, action in ((2, "cn_blockade"), (3, "cn_landing")):
        ok(red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": [action]}), 201)
        ok(fac.post(f"/api/games/{gid}/release", json={"turn": turn}))
    full = ok(fac.get(f"/api/games/{gid}/export.json"))["events"]
    assert any(e["kind"] == "draw" and e["probability"] is not None for e in full)

    # 2, 3, 12. no seed, no dice, no hidden names, no seq gaps in team or observer exports
    for client in (blue, red, game.observer):
        events = ok(client.get(f"/api/games/{gid}/export.json"))["events"]
        assert events[0]["seed"] is None
        draws = [e for e in events if e["kind"] == "draw"]
        assert draws and all(d["probability"] is None and d["u"] is None for d in draws)
        assert [e["seq"] for e in events] == list(range(len(events)))
    assert "cn_resolve" not in blue.get(f"/api/games/{gid}").text
    assert "cn_resolve" not in blue.get(f"/api/games/{gid}/export.json").text

    # 7. no 5xx for huge ids or lib:², and the security headers on every reply
    for path in (
        "/api/games/99999999999999999999",
        "/api/games/9223372036854775808/export.json",
        "/api/analyses/99999999999999999999",
        "/library/view?ref=lib:\u00b2",
    ):
        for client in (fac, game.observer, blue):
            r = client.get(path, follow_redirects=False)
            assert 400 <= r.status_code < 500, (path, r.status_code)
            assert r.headers["x-frame-options"] == "DENY"
    r = fac.post("/api/games", json={"scenario": "lib:\u00b2", "title": "x"})
    assert r.status_code == 400

    # 6. no off-site redirect after sign-in
    probe = live.client()
    for target in (
        "/\\evil.example/",
        "/\t/evil.example/",
        "//evil.example",
        "https://evil.example",
    ):
        r = probe.post(
            "/api/login", params={"next": target}, json={"username": "obs", "password": PASSWORD}
        )
        assert ok(r)["redirect"] == "/"
        refresh(probe)  # signing in starts a new session with a new CSRF token

    # 5. a replayed cookie is refused after sign-out
    saved = dict(game.observer.cookies)
    assert game.observer.get("/api/me").status_code == 200
    ok(game.observer.post("/api/logout"))
    with httpx.Client(base_url=live.base, cookies=saved) as replay:
        assert replay.get("/api/me").status_code == 401

    # 8. sign-in takes as long for unknown users; repeated wrong passwords get a 429
    known = _median_login(live.base, "p_red")
    unknown = _median_login(live.base, "no-such-user")
    assert unknown > known / 3 and known > unknown / 3, (known, unknown)
    ok(
        fac.post(
            "/api/users", json={"username": "target", "password": PASSWORD, "role": "observer"}
        ),
        201,
    )
    attacker = live.client()
    for _ in range(5):
        r = attacker.post("/api/login", json={"username": "target", "password": "guess guess"})
        assert r.status_code == 401
    r = attacker.post("/api/login", json={"username": "target", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    for c in (fac, red, blue, game.observer, probe, attacker):
        c.close()
