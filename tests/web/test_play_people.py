"""People within teams through the white cell's tools (issue #19, found by the full-game browser
test): a team played only by invited members is flagged to the white cell while it has not
submitted, and its people keep their places and roles in a rollback's continuation and a
branch."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, Game, new_client, ok, refresh_csrf


def _member(app: FastAPI, game: Game, team: str, role: str | None, username: str) -> TestClient:
    invite = ok(
        game.facilitator.post(f"/api/games/{game.id}/members", json={"team": team, "role": role}),
        201,
    )
    client = new_client(app)
    token = invite["invite_url"].rsplit("/", 1)[1]
    body = {"username": username, "password": PASSWORD, "team_name": username}
    ok(client.post(f"/api/join/member/{token}", json=body))
    refresh_csrf(client)
    return client


def test_a_team_of_members_is_flagged_and_keeps_its_people_after_a_rollback(
    app: FastAPI, game: Game
) -> None:
    gid, fac = game.id, game.facilitator
    # europe was automated: now two people play it as members, with no seat holder
    ok(fac.put(f"/api/games/{gid}/seats/europe", json={"kind": "open"}))
    first = _member(app, game, "europe", None, "eu_one")
    assert "europe" in ok(fac.get(f"/api/games/{gid}/adjudication"))["waiting"]
    ok(first.post(f"/api/games/{gid}/orders", json={"actor": "fr", "actions": []}), 201)
    assert "europe" not in ok(fac.get(f"/api/games/{gid}/adjudication"))["waiting"]
    ok(fac.post(f"/api/games/{gid}/release", json={"turn": 1}))
    new = ok(fac.post(f"/api/games/{gid}/rollback", json={"turn": 1}), 201)["id"]
    # the member is sent on to the continuation, may play there, and is listed there
    r = first.get(f"/games/{gid}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/games/{new}"
    assert first.get(f"/games/{new}").status_code == 200
    ok(first.post(f"/api/games/{new}/orders", json={"actor": "fr", "actions": []}), 201)
    people = ok(fac.get(f"/api/games/{new}/members"))
    assert [(m["team"], m["display_name"]) for m in people] == [("europe", "eu_one")]
    branch = ok(fac.post(f"/api/games/{new}/branch", json={"turn": 1}), 201)["id"]
    assert first.get(f"/games/{branch}").status_code == 200


def test_a_team_of_members_is_not_called_open(app: FastAPI, game: Game) -> None:
    gid, fac = game.id, game.facilitator
    ok(fac.put(f"/api/games/{gid}/seats/europe", json={"kind": "open"}))
    desk = fac.get(f"/games/{gid}").text
    assert "open (passes)" in desk
    _member(app, game, "europe", None, "eu_one")
    _member(app, game, "europe", None, "eu_two")
    desk = fac.get(f"/games/{gid}").text
    row = desk[desk.index('<tr data-team="europe">') :]
    row = row[: row.index("</tr>")]
    assert "2 members" in row and "open (passes)" not in row
