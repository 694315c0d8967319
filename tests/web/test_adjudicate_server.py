"""Nothing is lost on kill -9 during a rollback or a branch (issue #19): the server is killed
while it rolls a game back, then while it branches the continuation; after each restart the
parent's log is whole, and the rollback (branch) either happened completely (a new game holding
exactly the kept log, the old game closed) or not at all (and can be made again). SQLite and
PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.web.conftest import Database, ok, setup_game
from tests.web.server import Server, refresh


@pytest.fixture
def server(database: Database) -> Iterator[Server]:
    srv = Server(database.url, database.schema)
    srv.start()
    yield srv
    srv.stop()


def test_sigkill_during_rollback_loses_nothing(server: Server) -> None:
    game = setup_game(server.client)
    gid, white, red = game.id, game.facilitator, game.teams["red"]
    for turn in (1, 2, 3):
        ok(
            red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills"]}),
            201,
        )
        ok(white.post(f"/api/games/{gid}/release", json={"turn": turn}))
    ok(
        white.post(
            f"/api/games/{gid}/override", json={"reason": "kept", "values": {"jp_support": 1}}
        ),
        201,
    )
    before = ok(white.get(f"/api/games/{gid}/export.json"))["events"]
    games_before = {g["id"] for g in ok(white.get("/api/games"))}

    def roll() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server may die under the request
            white.post(f"/api/games/{gid}/rollback", json={"turn": 2})

    thread = threading.Thread(target=roll)
    thread.start()
    time.sleep(0.02)  # the kill lands before or after the commit: both outcomes are checked
    server.kill()
    thread.join()
    server.start()
    refresh(white)
    assert ok(white.get(f"/api/games/{gid}/export.json"))["events"] == before
    state = ok(white.get(f"/api/games/{gid}"))
    new_games = {g["id"] for g in ok(white.get("/api/games"))} - games_before
    if state["clock"]["successor"] is None:  # killed before the commit: nothing happened
        assert new_games == set()
        new = ok(white.post(f"/api/games/{gid}/rollback", json={"turn": 2}), 201)["id"]
    else:  # the rollback committed: all of it
        new = state["clock"]["successor"]
        assert new_games == {new}
    kept = ok(white.get(f"/api/games/{new}/export.json"))["events"]
    assert kept == [e for e in before if e["turn"] < 2]
    assert ok(white.get(f"/api/games/{new}"))["turn"] == 1
    # the pending override of the old game stays with the old game
    assert [p["reason"] for p in ok(white.get(f"/api/games/{gid}/adjudication"))["pending"]] == [
        "kept"
    ]
    # a branch of the continuation, killed the same way: made whole or not at all
    games_before = {g["id"] for g in ok(white.get("/api/games"))}

    def fork() -> None:
        with contextlib.suppress(httpx.HTTPError):
            white.post(f"/api/games/{new}/branch", json={"turn": 1})

    thread = threading.Thread(target=fork)
    thread.start()
    time.sleep(0.02)
    server.kill()
    thread.join()
    server.start()
    refresh(white)
    assert ok(white.get(f"/api/games/{new}/export.json"))["events"] == kept
    created = {g["id"] for g in ok(white.get("/api/games"))} - games_before
    assert len(created) <= 1
    for branch in created:
        assert ok(white.get(f"/api/games/{branch}/export.json"))["events"] == [
            e for e in kept if e["turn"] < 1
        ]
    for c in (white, game.observer, *game.teams.values()):
        c.close()
