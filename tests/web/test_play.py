"""War-game play through the API: orders, proposal, override, release, debrief, export,
review -- on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

from tests.web.conftest import Game, ok


def test_a_whole_turn_with_override_and_release(game: Game) -> None:
    gid = game.id
    red, blue = game.teams["red"], game.teams["blue"]
    ok(red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills"]}), 201)
    ok(blue.post(f"/api/games/{gid}/orders", json={"actor": "us", "actions": []}), 201)
    # the latest submission counts
    ok(blue.post(f"/api/games/{gid}/orders", json={"actor": "jp", "actions": ["jp_defend"]}), 201)
    ok(
        blue.post(
            f"/api/games/{gid}/orders",
            json={"actor": "jp", "actions": ["jp_declare_important_influence"]},
        ),
        201,
    )
    state = ok(game.facilitator.get(f"/api/games/{gid}"))
    assert state["turn"] == 0 and state["submitted"] == ["blue", "red"]
    proposal = ok(game.facilitator.get(f"/api/games/{gid}/proposal"))
    kinds = [e["kind"] for e in proposal["events"]]
    assert proposal["turn"] == 1 and kinds[0] == "turn-started"
    texts = " | ".join(e["text"] for e in proposal["events"])
    assert "cn takes cn_drills" in texts and "jp_defend" not in texts
    # the proposal stored nothing
    assert ok(game.facilitator.get(f"/api/games/{gid}"))["turn"] == 0
    # an override needs a reason
    r = game.facilitator.post(
        f"/api/games/{gid}/override", json={"reason": "  ", "values": {"jp_support": 0.9}}
    )
    assert r.status_code == 400 and "reason" in r.json()["detail"]
    event = ok(
        game.facilitator.post(
            f"/api/games/{gid}/override",
            json={"reason": "white cell: public rallies", "values": {"jp_support": 0.9}},
        ),
        201,
    )
    assert event["kind"] == "override" and event["changes"] == {"jp_support": 0.9}
    released = ok(game.facilitator.post(f"/api/games/{gid}/release", json={"turn": 1}))
    assert released["turn"] == 1
    assert [e["text"] for e in released["events"]][: len(kinds)] != []
    state = ok(game.facilitator.get(f"/api/games/{gid}"))
    assert state["turn"] == 1 and state["submitted"] == []
    # teams open the next turn on a debrief of the last one
    view = ok(red.get(f"/api/games/{gid}"))
    debrief = " | ".join(e["text"] for e in view["team_view"]["debrief"])
    assert "cn takes cn_drills" in debrief and "Inject pla_drills" in debrief
    # fog of war: blue never sees China's hidden resolve
    blue_view = ok(blue.get(f"/api/games/{gid}"))
    assert "cn_resolve" not in blue_view["values"]
    assert "cn_resolve" not in json.dumps(blue_view["team_view"])
    assert "cn_resolve" in json.dumps(view["team_view"]["state"])
    assert "cn_resolve" in view["values"]
    # the log holds the override with its reason, then the released turn
    log = ok(game.facilitator.get(f"/api/games/{gid}/export.json"))
    overrides = [e for e in log["events"] if e["kind"] == "override"]
    assert overrides and overrides[0]["reason"] == "white cell: public rallies"
    assert len(log["orders"]) == 4


def test_release_plays_automated_actors_and_ends_with_review(game: Game) -> None:
    gid = game.id
    for _ in range(6):
        state = ok(game.facilitator.get(f"/api/games/{gid}"))
        if state["ended"]:
            break
        ok(game.facilitator.post(f"/api/games/{gid}/release", json={"turn": state["turn"] + 1}))
    state = ok(game.facilitator.get(f"/api/games/{gid}"))
    assert state["ended"] and state["outcome"]
    # europe is automated; red and blue passed; the game still ran to its end
    review = game.facilitator.get(f"/games/{gid}/review")
    assert review.status_code == 200 and "<html" in review.text.lower()
    # every debrief link in the review is served, to the facilitator only
    links = re.findall(r"href='(/games/[0-9]+/review/debrief/[^']+)'", review.text)
    assert links
    for link in links:
        page = game.facilitator.get(link)
        assert page.status_code == 200 and "<html" in page.text.lower(), link
        assert game.teams["red"].get(link).status_code == 403
    assert game.facilitator.get(f"/games/{gid}/review/debrief/nobody").status_code == 404
    r = game.facilitator.post(f"/api/games/{gid}/release", json={"turn": state["turn"] + 1})
    assert r.status_code == 400 and "ended" in r.json()["detail"]
    r = game.teams["red"].post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": []})
    assert r.status_code == 400


def test_orders_are_checked(game: Game) -> None:
    gid = game.id
    red = game.teams["red"]
    r = red.post(f"/api/games/{gid}/orders", json={"actor": "jp", "actions": []})
    assert r.status_code == 400 and "not in team" in r.json()["detail"]
    r = red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["us_reinforce"]})
    assert r.status_code == 400 and "not an action" in r.json()["detail"]
    r = red.post(
        f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills", "cn_drills"]}
    )
    assert r.status_code == 400
    assert ok(game.facilitator.get(f"/api/games/{gid}/orders")) == []


def test_client_key_makes_a_retry_idempotent(game: Game) -> None:
    gid = game.id
    red = game.teams["red"]
    body = {"actor": "cn", "actions": ["cn_drills"], "client_key": "k-1"}
    first = red.post(f"/api/games/{gid}/orders", json=body)
    again = red.post(f"/api/games/{gid}/orders", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and again.json()["stored"] is False
    assert len(ok(game.facilitator.get(f"/api/games/{gid}/orders"))) == 1


def test_exports_csv_and_json_agree(game: Game) -> None:
    gid = game.id
    ok(game.teams["red"].post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": []}), 201)
    ok(game.facilitator.post(f"/api/games/{gid}/release", json={"turn": 1}))
    data = ok(game.facilitator.get(f"/api/games/{gid}/export.json"))
    csv_text = game.facilitator.get(f"/api/games/{gid}/export.csv").text
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("record,seq,turn,kind")
    assert sum(1 for line in lines if line.startswith("event,")) == len(data["events"])
    assert sum(1 for line in lines if line.startswith("order,")) == len(data["orders"]) == 1
    json.dumps(data)
