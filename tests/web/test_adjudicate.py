"""The white cell's tools through the API (issue #19 items 2, 3 and 7), on SQLite and
PostgreSQL: leaks first (a team never sees another's pending orders, rejections or the white
cell's reasons), then rulings with their diff and undo, overrides stamped with their turn,
injects with audiences, pause, the turn clock with auto-release, rollback and branch; and the
team view's availability matching the engine."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from accord.web import play_store
from accord.web.db import now
from tests.web.conftest import Game, ok

SECRET = "the PLA drills would wreck the negotiation track"


def _everything(client: object, gid: int) -> str:
    """Every page and export a team or observer may read, as one text."""
    texts = []
    for path in (
        f"/api/games/{gid}",
        f"/api/games/{gid}/export.json",
        f"/api/games/{gid}/export.csv",
        f"/games/{gid}",
    ):
        r = client.get(path)  # type: ignore[attr-defined]
        assert r.status_code == 200, (path, r.text)
        texts.append(r.text)
    debrief = client.get(f"/games/{gid}/debrief")  # type: ignore[attr-defined]
    if debrief.status_code == 200:
        texts.append(debrief.text)
    return "\n".join(texts)


def test_no_team_sees_another_teams_orders_rejections_or_reasons(game: Game) -> None:
    gid = game.id
    red, blue, white = game.teams["red"], game.teams["blue"], game.facilitator
    ok(red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills"]}), 201)
    ok(blue.post(f"/api/games/{gid}/orders", json={"actor": "us", "actions": []}), 201)
    ruling = ok(
        white.post(
            f"/api/games/{gid}/rulings",
            json={"actor": "cn", "action": "cn_drills", "verdict": "reject", "reason": SECRET},
        ),
        201,
    )
    ok(
        white.post(
            f"/api/games/{gid}/override",
            json={"reason": "secret cabinet briefing", "values": {"jp_support": 0.8}},
        ),
        201,
    )
    # pending: nobody but the white cell sees rulings, overrides or their reasons
    for client in (red, blue, game.observer):
        text = _everything(client, gid)
        assert SECRET not in text and "secret cabinet briefing" not in text
        assert client.get(f"/api/games/{gid}/adjudication").status_code == 403
    assert "cn_drills" not in _everything(blue, gid)
    assert SECRET in white.get(f"/games/{gid}").text
    assert ruling["verdict"] == "reject"
    ok(white.post(f"/api/games/{gid}/release", json={"turn": 1}))
    # released: red learns its order was refused by the white cell, not why; blue not at all
    red_text = _everything(red, gid)
    assert "rejected by the white cell" in red_text
    assert SECRET not in red_text and "secret cabinet briefing" not in red_text
    for client in (blue, game.observer):
        text = _everything(client, gid)
        assert "cn_drills" not in text and "rejected by the white cell" not in text
        assert SECRET not in text and "secret cabinet briefing" not in text
        assert "facilitator adjustment" in text  # the override's values are public, its reason not
    log = ok(white.get(f"/api/games/{gid}/export.json"))["events"]
    assert any(e["kind"] == "order-rejected" and SECRET in e["reason"] for e in log)
    assert any(e["kind"] == "override" and e["reason"] == "secret cabinet briefing" for e in log)
    # turn 2: published reasons reach the team
    ok(red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills"]}), 201)
    body = {"actor": "cn", "action": "cn_drills", "verdict": "reject", "reason": "no drills now"}
    ok(white.post(f"/api/games/{gid}/rulings", json={**body, "publish": True}), 201)
    ok(
        white.post(
            f"/api/games/{gid}/override",
            json={"reason": "public rallies", "values": {"jp_support": 0.9}, "publish": True},
        ),
        201,
    )
    ok(white.post(f"/api/games/{gid}/release", json={"turn": 2}))
    text = _everything(red, gid)
    assert "rejected by the white cell: no drills now" in text and "public rallies" in text
    assert SECRET not in text and "secret cabinet briefing" not in text


def test_rulings_show_their_diff_and_can_be_undone(game: Game) -> None:
    gid = game.id
    red, white = game.teams["red"], game.facilitator
    ok(red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills"]}), 201)
    before = ok(white.get(f"/api/games/{gid}/proposal"))
    assert any(e["text"] == "cn takes cn_drills" for e in before["events"])
    r = white.post(
        f"/api/games/{gid}/rulings",
        json={"actor": "cn", "action": "cn_drills", "verdict": "reject", "reason": "  "},
    )
    assert r.status_code == 400 and "reason" in r.json()["detail"]
    r = white.post(
        f"/api/games/{gid}/rulings",
        json={"actor": "cn", "action": "us_reinforce", "verdict": "reject", "reason": "x"},
    )
    assert r.status_code == 400
    item = ok(
        white.post(
            f"/api/games/{gid}/rulings",
            json={"actor": "cn", "action": "cn_drills", "verdict": "reject", "reason": "no"},
        ),
        201,
    )
    diff = {row["what"]: row for row in item["diff"]}
    assert diff["cn: cn_drills"]["before"] == "executed"
    assert diff["cn: cn_drills"]["after"].startswith("refused (rejected by the white cell: no")
    # the side effects are named too: escalation ends the turn elsewhere
    assert any("escalation" in w for w in diff)
    after = ok(white.get(f"/api/games/{gid}/proposal"))
    assert not any(e["text"] == "cn takes cn_drills" for e in after["events"])
    desk = ok(white.get(f"/api/games/{gid}/adjudication"))
    assert [p["id"] for p in desk["pending"]] == [item["id"]] and desk["turn"] == 1
    assert desk["waiting"] == ["blue"]
    undone = ok(white.delete(f"/api/games/{gid}/adjudication/{item['id']}"))
    assert {row["what"]: row["after"] for row in undone["diff"]}["cn: cn_drills"] == "executed"
    assert ok(white.get(f"/api/games/{gid}/adjudication"))["pending"] == []
    assert white.delete(f"/api/games/{gid}/adjudication/{item['id']}").status_code == 404
    # an accepted order still runs through the engine
    ok(
        white.post(
            f"/api/games/{gid}/rulings",
            json={"actor": "cn", "action": "cn_drills", "verdict": "accept", "reason": "fine"},
        ),
        201,
    )
    released = ok(white.post(f"/api/games/{gid}/release", json={"turn": 1}))
    assert any(e["text"] == "cn takes cn_drills" for e in released["events"])
    # an applied ruling can no longer be undone
    assert white.delete(f"/api/games/{gid}/adjudication/{item['id'] + 1}").status_code == 404
    # overrides are pending, stamped with the turn they change, and undoable
    first = ok(
        white.post(
            f"/api/games/{gid}/override",
            json={"reason": "crisis cell", "values": {"jp_support": 0.95}},
        ),
        201,
    )
    assert first["turn"] == 2 and first["changes"] == {"jp_support": 0.95}
    assert any("jp_support" in row["what"] for row in first["diff"])
    # nothing is in the log until the release
    log = ok(white.get(f"/api/games/{gid}/export.json"))["events"]
    assert not any(e["kind"] == "override" for e in log)
    second = ok(
        white.post(
            f"/api/games/{gid}/override",
            json={"reason": "second thoughts", "values": {"jp_support": 0.1}},
        ),
        201,
    )
    ok(white.delete(f"/api/games/{gid}/adjudication/{second['id']}"))
    r = white.post(f"/api/games/{gid}/override", json={"reason": "x", "values": {"nope": 1.0}})
    assert r.status_code == 400 and "nope" in r.json()["detail"]
    ok(white.post(f"/api/games/{gid}/release", json={"turn": 2}))
    log = ok(white.get(f"/api/games/{gid}/export.json"))["events"]
    overrides = [e for e in log if e["kind"] == "override"]
    assert [(o["reason"], o["turn"]) for o in overrides] == [("crisis cell", 2)]
    started = next(e for e in log if e["kind"] == "turn-started" and e["turn"] == 2)
    assert overrides[0]["seq"] < started["seq"]  # applied before turn 2's adjudication


def test_team_view_injects_and_pause(game: Game) -> None:
    """The team view offers only what the engine accepts; injects reach only their audience;
    pause stops orders and releases."""
    gid = game.id
    red, blue, white = game.teams["red"], game.teams["blue"], game.facilitator
    view = ok(blue.get(f"/api/games/{gid}"))["team_view"]
    jp = next(a for a in view["actors"] if a["actor"] == "jp")
    declare = next(a for a in jp["actions"] if a["id"] == "jp_declare_survival_threat")
    assert not declare["available"]
    assert "escalation >= 3" in declare["why"] and "now: escalation = 2" in declare["why"]
    assert declare["label"] and declare["description"]
    assert "jp_declare_survival_threat" not in jp["available"]
    # lawful once turn 1's scripted inject has raised escalation: offered
    assert "jp_declare_important_influence" in jp["available"]
    assert all(a["checks"] or a["available"] for a in jp["actions"])
    page = blue.get(f"/games/{gid}").text
    assert page.index('id="orders"') < page.index('id="state-panel"') < page.index('id="debrief"')
    assert 'value="jp_declare_survival_threat" data-list disabled' in page
    assert re.search(r'value="jp_declare_important_influence" data-list\s+>', page)
    r = white.post(f"/api/games/{gid}/injects", json={"text": "x", "audience": ["nobody"]})
    assert r.status_code == 400
    event = ok(
        white.post(
            f"/api/games/{gid}/injects",
            json={"text": "A PLA defector reaches Kinmen", "audience": ["red"]},
        ),
        201,
    )
    assert event["kind"] == "inject" and event["turn"] == 1
    ok(white.post(f"/api/games/{gid}/injects", json={"text": "Typhoon warning"}), 201)
    red_view = ok(red.get(f"/api/games/{gid}"))["team_view"]["injects"]
    assert [i["text"] for i in red_view] == [
        "Inject white_cell_1: A PLA defector reaches Kinmen",
        "Inject white_cell_2: Typhoon warning",
    ]
    assert "A PLA defector" in red.get(f"/games/{gid}").text
    for client in (blue, game.observer):
        text = _everything(client, gid)
        assert "defector" not in text and "Typhoon warning" in text
    log = ok(white.get(f"/api/games/{gid}/export.json"))["events"]
    injects = [e for e in log if e["kind"] == "inject"]
    assert [e["audience"] for e in injects] == [["red"], None]
    # pause
    assert ok(white.post(f"/api/games/{gid}/pause", json={"paused": True}))["paused"]
    r = red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": []})
    assert r.status_code == 409 and "paused" in r.json()["detail"]
    assert white.post(f"/api/games/{gid}/release", json={"turn": 1}).status_code == 409
    assert ok(red.get(f"/api/games/{gid}"))["clock"]["paused"] is True
    ok(white.post(f"/api/games/{gid}/pause", json={"paused": False}))
    ok(red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": []}), 201)
    ok(white.post(f"/api/games/{gid}/release", json={"turn": 1}))


def test_the_deadline_is_shown_to_all_and_auto_releases_once(app: FastAPI, game: Game) -> None:
    gid = game.id
    red, white = game.teams["red"], game.facilitator
    ctl = ok(white.post(f"/api/games/{gid}/clock", json={"seconds": 600, "auto_release": True}))
    assert ctl["deadline_turn"] == 1 and ctl["deadline"] and ctl["auto_release"]
    assert ok(red.get(f"/api/games/{gid}"))["clock"]["deadline"] == ctl["deadline"]
    assert 'id="deadline"' in red.get(f"/games/{gid}").text
    state = ok(white.get(f"/api/games/{gid}"))
    assert state["waiting"] == ["blue", "red"]  # the people who owe orders, not the automated
    games = app.state.games
    assert games.tick() == []  # not yet
    later = now() + timedelta(seconds=601)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(games.tick(later))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)) == sorted(["[]"] * 3 + [f"[({gid}, 1)]"])
    assert ok(white.get(f"/api/games/{gid}"))["turn"] == 1
    assert games.tick(later) == []  # the deadline was for turn 1: turn 2 waits
    assert ok(red.get(f"/api/games/{gid}"))["clock"]["deadline"] is None
    log = ok(white.get(f"/api/games/{gid}/export.json"))["events"]
    assert sum(1 for e in log if e["kind"] == "turn-started") == 1
    ok(white.post(f"/api/games/{gid}/clock", json={"seconds": None}))


def test_rollback_and_branch_reuse_the_engine_and_lose_nothing(
    app: FastAPI, game: Game, monkeypatch: pytest.MonkeyPatch
) -> None:
    gid = game.id
    red, white = game.teams["red"], game.facilitator
    for turn in (1, 2, 3):
        ok(
            red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills"]}),
            201,
        )
        ok(white.post(f"/api/games/{gid}/release", json={"turn": turn}))
    original = ok(white.get(f"/api/games/{gid}/export.json"))["events"]
    # one transaction: a failure after part of the copied log was written stores nothing
    games_before = {g["id"] for g in ok(white.get("/api/games"))}
    real = play_store._event_row
    calls = {"n": 0}

    def failing(game_id: int, ev: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(game_id, ev)

    monkeypatch.setattr(play_store, "_event_row", failing)
    with pytest.raises(RuntimeError):
        app.state.games.branch(gid, 2, rollback=True)
    monkeypatch.undo()
    assert {g["id"] for g in ok(white.get("/api/games"))} == games_before
    assert ok(white.get(f"/api/games/{gid}"))["clock"]["successor"] is None
    assert white.post(f"/api/games/{gid}/rollback", json={"turn": 5}).status_code == 400
    rolled = ok(white.post(f"/api/games/{gid}/rollback", json={"turn": 2}), 201)
    new = rolled["id"]
    assert new != gid and rolled["redirect"] == f"/games/{new}"
    kept = ok(white.get(f"/api/games/{new}/export.json"))["events"]
    assert kept == [e for e in original if e["turn"] < 2]
    state = ok(white.get(f"/api/games/{new}"))
    assert state["turn"] == 1 and not state["ended"]
    # the old game is closed, its log whole; its people are redirected to the continuation
    assert ok(white.get(f"/api/games/{gid}/export.json"))["events"] == original
    r = white.post(f"/api/games/{gid}/release", json={"turn": 4})
    assert r.status_code == 409 and str(new) in r.json()["detail"]
    assert white.post(f"/api/games/{gid}/rollback", json={"turn": 1}).status_code == 409
    r = red.get(f"/games/{gid}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/games/{new}"
    # the same people play on, same seeds: turn 2 replays identically with the same orders
    ok(red.post(f"/api/games/{new}/orders", json={"actor": "cn", "actions": ["cn_drills"]}), 201)
    ok(white.post(f"/api/games/{new}/release", json={"turn": 2}))
    again = ok(white.get(f"/api/games/{new}/export.json"))["events"]
    assert again == [e for e in original if e["turn"] < 3]
    # a branch leaves its source running
    br = ok(white.post(f"/api/games/{new}/branch", json={"turn": 1, "title": "What if"}), 201)
    assert ok(white.get(f"/api/games/{br['id']}"))["title"] == "What if"
    assert ok(white.get(f"/api/games/{br['id']}"))["turn"] == 0
    ok(white.post(f"/api/games/{new}/release", json={"turn": 3}))
    assert json.dumps(ok(red.get(f"/api/games/{br['id']}"))["team_view"])
