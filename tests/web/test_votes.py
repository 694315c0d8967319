"""Cabinet votes cast by hand (issue #19 item 5): only the person in a member's role votes for it,
only on decisions that member sits in, the other team never sees the votes before release, and
the engine decides with the cast vote (listed in the decision event's ``by_hand``)."""

from __future__ import annotations

from fastapi import FastAPI

from tests.web.conftest import PASSWORD, Game, new_client, ok, refresh_csrf

DECLARE = "jp_declare_important_influence"  # its gate needs the jp_cabinet decision


def test_the_role_holder_votes_for_the_member_and_the_engine_counts_it(
    app: FastAPI, game: Game
) -> None:
    gid, fac, obs = game.id, game.facilitator, game.observer
    red, blue = game.teams["red"], game.teams["blue"]
    invite = ok(fac.post(f"/api/games/{gid}/members", json={"team": "blue", "role": "jp"}), 201)
    token = invite["invite_url"].rsplit("/", 1)[1]
    pm = new_client(app)
    ok(
        pm.post(
            f"/api/join/member/{token}",
            json={"username": "jp_pm", "password": PASSWORD, "team_name": "Prime Minister"},
        )
    )
    refresh_csrf(pm)
    # the role holder sees the pending cabinet decision with its vote buttons; red does not
    page = pm.get(f"/games/{gid}").text
    assert 'data-vote="jp_cabinet"' in page and 'value="oppose"' in page
    assert "data-vote=" not in red.get(f"/games/{gid}").text
    vote = {"actor": "jp", "actions": [DECLARE], "votes": {"jp_cabinet": False}}
    # another member of the team (here the seat holder) may not vote for jp: 403
    assert blue.post(f"/api/games/{gid}/orders", json=vote).status_code == 403
    # only decisions the actor is a member of: 422
    bad = {"actor": "jp", "actions": [], "votes": {"nato_statement": True}}
    assert pm.post(f"/api/games/{gid}/orders", json=bad).status_code == 422
    unknown = {"actor": "jp", "actions": [], "votes": {"no_such": True}}
    assert pm.post(f"/api/games/{gid}/orders", json=unknown).status_code == 422
    out = ok(pm.post(f"/api/games/{gid}/orders", json=vote), 201)
    assert out["votes"] == {"jp_cabinet": False}
    assert ok(pm.get(f"/api/games/{gid}/orders"))[-1]["votes"] == {"jp_cabinet": False}
    assert 'value="oppose" checked' in pm.get(f"/games/{gid}").text
    assert "jp_cabinet oppose" in fac.get(f"/games/{gid}").text  # the white cell sees it
    # the other team and the observer cannot see the vote before release
    assert all(o["actor"] != "jp" for o in ok(red.get(f"/api/games/{gid}/orders")))
    for path in (f"/api/games/{gid}/export.json", f"/games/{gid}", f"/api/games/{gid}"):
        assert "jp_cabinet" not in red.get(path).text, path
        assert "jp_cabinet" not in obs.get(path).text, path
    # the release decides with the hand vote: the formula (jp_support >= 0.4) no longer counts
    ok(fac.post(f"/api/games/{gid}/release", json={"turn": 1}))
    log = ok(fac.get(f"/api/games/{gid}/export.json"))
    events = log["events"] if isinstance(log, dict) else log
    taken = [e for e in events if e.get("kind") == "decision" and e["decision"] == "jp_cabinet"]
    assert taken and taken[0]["by_hand"] == ["jp"] and taken[0]["support"] == {"jp": False}
    assert not taken[0]["agreed"]
    assert "voted by hand: jp" in fac.get(f"/games/{gid}").text
    # (issue #19 item 9) the home page lists the game under its scenario's title, not its id
    home = fac.get("/").text
    assert "Tiny Strait crisis (test scenario)" in home
    assert ok(fac.get("/api/games"))[0]["scenario_title"] == "Tiny Strait crisis (test scenario)"
