"""The server as a real subprocess: a game survives SIGKILL mid-turn with every order, and 20
teams submitting at once lose and duplicate nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.web.conftest import PASSWORD, Database, Game, ok, setup_game
from tests.web.server import Server, many_teams_yaml, refresh


@pytest.fixture
def server(database: Database) -> Iterator[Server]:
    srv = Server(database.url, database.schema)
    srv.start()
    yield srv
    srv.stop()


def _close(game: Game) -> None:
    for c in (game.facilitator, game.observer, *game.teams.values()):
        c.close()


def test_sigkill_mid_turn_loses_no_order(server: Server) -> None:
    game = setup_game(server.client)
    gid = game.id
    red, blue = game.teams["red"], game.teams["blue"]
    ok(game.facilitator.post(f"/api/games/{gid}/release", json={"turn": 1}))  # turn 1 played
    submitted = []
    for actor, team, actions in [
        ("cn", red, ["cn_drills"]),
        ("jp", blue, ["jp_declare_important_influence"]),
        ("us", blue, []),
        ("cn", red, ["cn_drills", "cn_blockade"]),
    ]:
        submitted.append(
            ok(
                team.post(f"/api/games/{gid}/orders", json={"actor": actor, "actions": actions}),
                201,
            )
        )
    ok(
        game.facilitator.post(
            f"/api/games/{gid}/override",
            json={"reason": "crisis cell", "values": {"jp_support": 0.8}},
        ),
        201,
    )
    server.kill()  # mid-turn: orders and an override in, turn 2 not released
    server.start()
    # the sessions still work after the restart (they and the secret are in the database)
    refresh(game.facilitator)
    state = ok(game.facilitator.get(f"/api/games/{gid}"))
    assert state["turn"] == 1 and sorted(state["submitted"]) == ["blue", "red"]
    stored = ok(game.facilitator.get(f"/api/games/{gid}/orders"))
    assert [(o["id"], o["actor"], o["actions"]) for o in stored] == [
        (o["id"], o["actor"], o["actions"]) for o in submitted
    ]
    desk = ok(game.facilitator.get(f"/api/games/{gid}/adjudication"))
    assert [p["reason"] for p in desk["pending"]] == ["crisis cell"]  # pending, kept
    released = ok(game.facilitator.post(f"/api/games/{gid}/release", json={"turn": 2}))
    texts = [e["text"] for e in released["events"]]
    assert "cn takes cn_drills" in texts and released["turn"] == 2
    log = ok(game.facilitator.get(f"/api/games/{gid}/export.json"))
    assert any(e["kind"] == "override" and e["reason"] == "crisis cell" for e in log["events"])
    _close(game)


def test_twenty_teams_submit_concurrently(server: Server) -> None:
    n, per_team = 20, 4
    fac = server.client()
    ok(fac.post("/api/setup", json={"username": "fac", "password": PASSWORD}))
    refresh(fac)
    ref = ok(fac.post("/api/library", json={"name": "many.yaml", "text": many_teams_yaml(n)}), 201)[
        "refs"
    ][0]
    gid = ok(fac.post("/api/games", json={"scenario": ref, "title": "Load"}), 201)["id"]
    players: list[httpx.Client] = []
    for i in range(n):
        url = ok(fac.put(f"/api/games/{gid}/seats/t{i:02d}", json={"kind": "human"}))["invite_url"]
        player = server.client()
        ok(
            player.post(
                url.replace("/join/", "/api/join/"),
                json={"username": f"u{i:02d}", "password": PASSWORD, "team_name": f"T{i}"},
            )
        )
        refresh(player)
        players.append(player)
    start = threading.Barrier(n)
    in_flight = threading.BoundedSemaphore(n)

    def team(i: int) -> list[int]:
        ids = []
        start.wait()
        for k in range(per_team):
            body = {
                "actor": f"a{i:02d}",
                "actions": [f"a{i:02d}_push" if k % 2 == 0 else f"a{i:02d}_calm"],
                "client_key": f"{i}-{k}",
            }
            with in_flight:
                r = players[i].post(f"/api/games/{gid}/orders", json=body)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        # a retry of the last submission is recognised, not stored twice
        with in_flight:
            again = players[i].post(f"/api/games/{gid}/orders", json=body)
        assert again.status_code == 200 and again.json()["id"] == ids[-1]
        return ids

    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(team, range(n)))
    ids = list(itertools.chain.from_iterable(results))
    assert len(ids) == len(set(ids)) == n * per_team
    stored = ok(fac.get(f"/api/games/{gid}/orders"))
    assert sorted(o["id"] for o in stored) == sorted(ids)
    per_actor: dict[str, int] = {}
    for o in stored:
        per_actor[o["actor"]] = per_actor.get(o["actor"], 0) + 1
    assert per_actor == {f"a{i:02d}": per_team for i in range(n)}
    released = ok(fac.post(f"/api/games/{gid}/release", json={"turn": 1}))
    actions = [e for e in released["events"] if e["kind"] == "action"]
    assert len(actions) == n  # the latest order of each team, once
    assert all(e["text"].endswith("_calm") for e in actions)
    for c in [fac, *players]:
        c.close()
