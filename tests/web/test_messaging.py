"""Messages, requests for information, order rationale and team members (issue #19 items 4-5):
each audience sees only what the log's audience rules admit -- team A never sees team B's
messages, RFIs or rationale -- and every message is one event of the game log."""

from __future__ import annotations

from fastapi import FastAPI

from tests.web.conftest import PASSWORD, Game, new_client, ok


def _texts(client: object, gid: int) -> list[str]:
    data = ok(client.get(f"/api/games/{gid}/messages"))  # type: ignore[attr-defined]
    return [m["text"] for m in data["messages"]]


def test_messages_reach_only_their_audience(app: FastAPI, game: Game) -> None:
    gid, fac, obs = game.id, game.facilitator, game.observer
    red, blue = game.teams["red"], game.teams["blue"]
    ok(
        red.post(f"/api/games/{gid}/messages", json={"channel": "white:red", "text": "RED2WHITE"}),
        201,
    )
    ok(
        blue.post(
            f"/api/games/{gid}/messages", json={"channel": "white:blue", "text": "BLUE2WHITE"}
        ),
        201,
    )
    ok(
        red.post(
            f"/api/games/{gid}/messages", json={"channel": "teams:blue+red", "text": "REDBLUE"}
        ),
        201,
    )
    ok(fac.post(f"/api/games/{gid}/messages", json={"channel": "all", "text": "PUBLIC"}), 201)
    ok(
        fac.post(f"/api/games/{gid}/messages", json={"channel": "white:blue", "text": "W2BLUE"}),
        201,
    )
    assert set(_texts(red, gid)) == {"RED2WHITE", "REDBLUE", "PUBLIC"}
    assert set(_texts(blue, gid)) == {"BLUE2WHITE", "REDBLUE", "PUBLIC", "W2BLUE"}
    assert set(_texts(obs, gid)) == {"PUBLIC"}
    assert set(_texts(fac, gid)) == {"RED2WHITE", "BLUE2WHITE", "REDBLUE", "PUBLIC", "W2BLUE"}
    # the exports, the page fragments and the state follow the same rules
    for path in (
        f"/api/games/{gid}/export.json",
        f"/api/games/{gid}/export.csv",
        f"/games/{gid}/messages",
    ):
        assert "BLUE2WHITE" not in red.get(path).text and "W2BLUE" not in red.get(path).text, path
        assert "RED2WHITE" not in blue.get(path).text, path
        o = obs.get(path).text
        assert not any(t in o for t in ("RED2WHITE", "BLUE2WHITE", "REDBLUE", "W2BLUE")), path
        assert "BLUE2WHITE" in fac.get(path).text, path
    # a team may not post on a channel it is not in, nor on the public one; observers not at all
    for body in (
        {"channel": "white:blue", "text": "x"},
        {"channel": "all", "text": "x"},
    ):
        assert red.post(f"/api/games/{gid}/messages", json=body).status_code == 403
    assert (
        red.post(
            f"/api/games/{gid}/messages", json={"channel": "teams:red+blue", "text": "x"}
        ).status_code
        == 400
    )
    assert (
        obs.post(f"/api/games/{gid}/messages", json={"channel": "all", "text": "x"}).status_code
        == 403
    )
    # every message is one event of the game log, with its audience
    log = ok(fac.get(f"/api/games/{gid}/export.json"))["events"]
    msgs = [e for e in log if e["kind"] == "message"]
    assert [m["audience"] for m in msgs] == [["red"], ["blue"], ["blue", "red"], None, ["blue"]]


def test_rfis_are_seen_by_the_asking_team_and_the_white_cell(app: FastAPI, game: Game) -> None:
    gid, fac, obs = game.id, game.facilitator, game.observer
    red, blue = game.teams["red"], game.teams["blue"]
    asked = ok(red.post(f"/api/games/{gid}/rfis", json={"text": "Where is the fleet?"}), 201)
    assert asked["rfi"] == "RFI-red-1" and asked["channel"] == "white:red"
    board = ok(fac.get(f"/api/games/{gid}/messages"))["rfis"]
    assert [(r["id"], r["status"]) for r in board] == [("RFI-red-1", "open")]
    assert ok(blue.get(f"/api/games/{gid}/messages"))["rfis"] == []
    assert ok(obs.get(f"/api/games/{gid}/messages"))["rfis"] == []
    # only the white cell answers; teams and observers are refused
    assert (
        red.post(f"/api/games/{gid}/rfis/RFI-red-1/answer", json={"text": "x"}).status_code == 403
    )
    assert (
        fac.post(f"/api/games/{gid}/rfis/RFI-red-9/answer", json={"text": "x"}).status_code == 404
    )
    ok(fac.post(f"/api/games/{gid}/rfis/RFI-red-1/answer", json={"text": "FLEETANSWER"}), 201)
    rows = ok(red.get(f"/api/games/{gid}/messages"))["rfis"]
    assert rows[0]["status"] == "answered" and rows[0]["answers"] == ["FLEETANSWER"]
    for client in (blue, obs):
        for path in (
            f"/api/games/{gid}/messages",
            f"/api/games/{gid}/export.json",
            f"/games/{gid}/messages",
        ):
            text = client.get(path).text
            assert "FLEETANSWER" not in text and "Where is the fleet" not in text, path
    # the review (white cell) shows the RFI in its timeline
    assert "Where is the fleet?" in fac.get(f"/games/{gid}/review").text


def test_rationale_goes_with_the_order_to_team_and_white_cell_only(
    app: FastAPI, game: Game
) -> None:
    gid, fac, obs = game.id, game.facilitator, game.observer
    red, blue = game.teams["red"], game.teams["blue"]
    out = ok(
        red.post(
            f"/api/games/{gid}/orders",
            json={"actor": "cn", "actions": [], "rationale": "SECRETWHY"},
        ),
        201,
    )
    assert out["rationale"] == "SECRETWHY"
    assert ok(red.get(f"/api/games/{gid}/orders"))[0]["rationale"] == "SECRETWHY"
    assert "SECRETWHY" in fac.get(f"/games/{gid}").text
    assert "SECRETWHY" in red.get(f"/api/games/{gid}/export.json").text
    for path in (
        f"/api/games/{gid}/export.json",
        f"/api/games/{gid}/export.csv",
        f"/games/{gid}",
        f"/api/games/{gid}",
    ):
        assert "SECRETWHY" not in blue.get(path).text, path
        assert "SECRETWHY" not in obs.get(path).text, path


def test_members_with_roles_give_their_actors_orders(app: FastAPI, game: Game) -> None:
    gid, fac = game.id, game.facilitator
    red, blue = game.teams["red"], game.teams["blue"]
    # wargame-tiny: red has the one actor cn
    assert (
        fac.post(f"/api/games/{gid}/members", json={"team": "red", "role": "us"}).status_code == 422
    )
    invite = ok(fac.post(f"/api/games/{gid}/members", json={"team": "red", "role": "cn"}), 201)
    token = invite["invite_url"].rsplit("/", 1)[1]
    assert "Join" in new_client(app).get(f"/join/member/{token}").text
    person = new_client(app)
    ok(
        person.post(
            f"/api/join/member/{token}",
            json={"username": "red_minister", "password": PASSWORD, "team_name": "Minister Li"},
        )
    )
    from tests.web.conftest import refresh_csrf

    refresh_csrf(person)
    # the invitation works once; the role is now held
    again = new_client(app).post(
        f"/api/join/member/{token}",
        json={"username": "x_other", "password": PASSWORD, "team_name": "x"},
    )
    assert again.status_code == 409
    assert (
        fac.post(f"/api/games/{gid}/members", json={"team": "red", "role": "cn"}).status_code == 409
    )
    # the member sees the team's page and gives cn's orders; the seat holder no longer may
    assert person.get(f"/games/{gid}").status_code == 200
    ok(person.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": []}), 201)
    assert (
        red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": []}).status_code == 403
    )
    # messages carry the person's name; members are listed to their team and the white cell
    ok(person.post(f"/api/games/{gid}/messages", json={"channel": "white:red", "text": "hi"}), 201)
    assert ok(fac.get(f"/api/games/{gid}/messages"))["messages"][0]["author"] == "Minister Li"
    assert [m["role"] for m in ok(red.get(f"/api/games/{gid}/members"))] == ["cn"]
    assert ok(blue.get(f"/api/games/{gid}/members")) == []
    assert game.observer.get(f"/api/games/{gid}/members").status_code == 403
    assert "Minister Li" in fac.get(f"/games/{gid}/members").text
    assert "Minister Li" in red.get(f"/games/{gid}/members").text
    assert "you give the orders of cn" in person.get(f"/games/{gid}/members").text
    assert "you give" not in red.get(f"/games/{gid}/members").text
    assert "Minister Li" not in blue.get(f"/games/{gid}/members").text
    assert game.observer.get(f"/games/{gid}/members").status_code == 403
    assert blue.get(f"/api/games/{gid}/members").text.find("Minister") == -1


def test_live_probe_answers_without_hanging(app: FastAPI, game: Game) -> None:
    for client, viewer in (
        (game.facilitator, "white"),
        (game.teams["red"], "red"),
        (game.observer, "observer"),
    ):
        r = client.get(f"/api/games/{game.id}/live")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        assert f'"viewer": "{viewer}"' in r.text
    assert game.teams["red"].get("/api/live/runs").status_code == 403


def test_the_broker_delivers_by_audience() -> None:
    """The broker's rule is the log's: None everyone, [ids] those teams, [] the white cell."""
    import asyncio

    from accord.web.live import Broker

    async def run() -> dict[str, list[str]]:
        broker = Broker()
        subs = {
            "white": broker.subscribe(7, None),
            "red": broker.subscribe(7, frozenset({"red", "cn"})),
            "blue": broker.subscribe(7, frozenset({"blue", "us"})),
            "obs": broker.subscribe(7, frozenset()),
            "other-game": broker.subscribe(8, None),
        }
        broker.publish(7, "order", ["red"], {"team": "red"})
        broker.publish(7, "override", [], {})
        broker.publish(7, "released", None, {"turn": 1})
        broker.publish(7, "message", ["cn", "us"], {})
        await asyncio.sleep(0.05)
        out = {}
        for name, sub in subs.items():
            got = []
            while not sub.queue.empty():
                got.append(sub.queue.get_nowait().kind)
            out[name] = got
        return out

    got = asyncio.run(run())
    assert got["white"] == ["order", "override", "released", "message"]
    assert got["red"] == ["order", "released", "message"]
    assert got["blue"] == ["released", "message"]
    assert got["obs"] == ["released"]
    assert got["other-game"] == []
