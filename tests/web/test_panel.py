"""Expert panels over the API: a facilitator, three experts, two rounds; each expert sees only
their own answers until a round closes, then the anonymised group median and spread; the merged
scenario is saved to the library; every panel route checks the role (expert included)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from accord.web.auth import PUBLIC
from tests.web.conftest import PASSWORD, ROOT, new_client, ok, refresh_csrf
from tests.web.test_access import _path, api_routes, declared_roles

SMALL = ROOT / "tests" / "data" / "scenarios" / "small.yaml"
FRA = "fr|office|scope"


def _facilitator(app: FastAPI) -> TestClient:
    fac = new_client(app)
    ok(fac.post("/api/setup", json={"username": "fac", "password": PASSWORD}))
    refresh_csrf(fac)
    return fac


def _expert(app: FastAPI, fac: TestClient, panel_id: int, label: str) -> TestClient:
    link = ok(fac.post(f"/api/panels/{panel_id}/experts", json={"label": label}), 201)
    token = link["invite_url"].rsplit("/", 1)[1]
    client = new_client(app)
    r = client.post(f"/api/panel-join/{token}", json={"username": label, "password": PASSWORD})
    assert r.status_code == 200, r.text
    refresh_csrf(client)
    # the link is one-time
    other = new_client(app)
    r = other.post(f"/api/panel-join/{token}", json={"username": "x" + label, "password": PASSWORD})
    assert r.status_code == 409
    return client


def _open_panel(fac: TestClient) -> int:
    """A panel on the office issue of the small test scenario, saved to the library first."""
    text = SMALL.read_text(encoding="utf-8")
    saved = ok(fac.post("/api/library", json={"name": "small.yaml", "text": text}), 201)
    body = {"scenario": saved["refs"][0], "title": "Office panel", "issues": "office"}
    return int(ok(fac.post("/api/panels", json=body), 201)["id"])


def test_two_rounds_blind_then_group_summary_then_saved(app: FastAPI) -> None:
    fac = _facilitator(app)
    pid = _open_panel(fac)
    experts = {label: _expert(app, fac, pid, label) for label in ("exp-a", "exp-b", "exp-c")}
    for label, value in (("exp-a", "0"), ("exp-b", "10"), ("exp-c", "30")):
        body = {f"position|{FRA}": value, f"salience|{FRA}": "0.8", f"note|{FRA}": f"{label}-why"}
        assert ok(experts[label].post(f"/api/panels/{pid}/answers", json=body), 201)["stored"] == 1
    # blind while the round is open: exp-b sees only its own answer, no group summary
    state = ok(experts["exp-b"].get(f"/api/panels/{pid}"))
    row = next(r for r in state["rows"] if r["key"] == FRA)
    assert row["mine"]["position"] == 10 and row["group"] is None and "answers" not in row
    for path in (f"/api/panels/{pid}", f"/panels/{pid}"):
        text = experts["exp-b"].get(path).text
        assert "exp-a-why" not in text and "exp-c-why" not in text and "exp-a" not in text
    # experts cannot close rounds, save or invite; the facilitator sees everyone
    assert experts["exp-a"].post(f"/api/panels/{pid}/close").status_code == 403
    assert experts["exp-a"].post(f"/api/panels/{pid}/save", json={}).status_code == 403
    assert fac.post(f"/api/panels/{pid}/answers", json={}).status_code == 403
    answers = next(r for r in ok(fac.get(f"/api/panels/{pid}"))["rows"] if r["key"] == FRA)
    assert {k: v["position"] for k, v in answers["answers"].items()} == {
        "exp-a": 0,
        "exp-b": 10,
        "exp-c": 30,
    }
    agreement = ok(fac.get(f"/api/panels/{pid}"))["agreement"]
    assert agreement["largest"][0]["actor"] == "fr" and agreement["largest"][0]["range"] == 30
    assert "Krippendorff" in fac.get(f"/panels/{pid}").text
    assert "agreement" not in ok(experts["exp-a"].get(f"/api/panels/{pid}"))
    # close round 1: the group median and spread appear, still anonymised
    ok(fac.post(f"/api/panels/{pid}/close"))
    r = experts["exp-a"].post(f"/api/panels/{pid}/answers", json={f"position|{FRA}": "5"})
    assert r.status_code == 400 and "closed" in r.json()["detail"]
    row = next(r for r in ok(experts["exp-b"].get(f"/api/panels/{pid}"))["rows"] if r["key"] == FRA)
    assert row["group"]["position"] == {"n": 3, "median": 10, "iqr": 15, "min": 0, "max": 30}
    assert "exp-a-why" not in experts["exp-b"].get(f"/panels/{pid}").text
    # round 2: exp-c revises with a note; the others keep their round-1 answers
    ok(fac.post(f"/api/panels/{pid}/next-round"))
    body = {f"position|{FRA}": "20", f"note|{FRA}": "moved towards the group"}
    ok(experts["exp-c"].post(f"/api/panels/{pid}/answers", json=body), 201)
    ok(fac.post(f"/api/panels/{pid}/close"))
    saved = ok(fac.post(f"/api/panels/{pid}/save", json={"aggregate": "median"}), 201)
    item = app.state.store.library_item(saved["library_id"])
    assert item is not None and item[1] == "scenario"
    from accord.scenario.io import loads

    merged = loads(item[2], "merged.yaml")[0]
    fra = next(s for s in merged.issue("office").stances if s.actor == "fr")
    assert fra.position.value == 10 and fra.position.range == (0, 20)
    assert fra.position.elicited == {"exp-a": 0, "exp-b": 10, "exp-c": 20}
    assert fra.position.source == "panel: exp-a, exp-b, exp-c"
    assert ok(fac.get(f"/api/panels/{pid}"))["library"] == saved["ref"]


def test_bad_answers_are_refused_with_the_row(app: FastAPI) -> None:
    fac = _facilitator(app)
    pid = _open_panel(fac)
    expert = _expert(app, fac, pid, "exp-a")
    r = expert.post(f"/api/panels/{pid}/answers", json={f"position|{FRA}": "130"})
    assert r.status_code == 400
    assert "field 'position': 130 is outside the scale" in r.json()["detail"]
    r = expert.post(f"/api/panels/{pid}/answers", json={"position|xx|office|scope": "1"})
    assert r.status_code == 400 and "unknown form field" in r.json()["detail"]
    r = expert.post(f"/api/panels/{pid}/answers", json={f"salience|{FRA}": "2"})
    assert r.status_code == 400 and "outside 0..1" in r.json()["detail"]


def test_an_expert_sees_only_their_panels(app: FastAPI) -> None:
    fac = _facilitator(app)
    first, second = _open_panel(fac), _open_panel(fac)
    expert = _expert(app, fac, first, "exp-a")
    assert [p["id"] for p in ok(expert.get("/api/panels"))] == [first]
    assert expert.get(f"/api/panels/{second}").status_code == 403
    assert expert.get(f"/panels/{second}").status_code == 403
    r = expert.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/panels"
    # war-game and analyst routes are closed to experts
    for path in ("/api/games", "/library", "/runs", "/api/analyses"):
        assert expert.get(path, follow_redirects=False).status_code == 403, path


def test_every_route_checks_the_expert_role(app: FastAPI) -> None:
    fac = _facilitator(app)
    pid = _open_panel(fac)
    expert = _expert(app, fac, pid, "exp-a")
    checked = 0
    for route in api_routes(app):
        roles = declared_roles(route)
        for method in sorted(route.methods - {"HEAD"}):
            path = _path(route, 1)
            if path in ("/api/logout",):
                continue
            kwargs: dict[str, Any] = {} if method == "GET" else {"json": {}}
            r = expert.request(method, path, follow_redirects=False, **kwargs)
            if PUBLIC in roles or "expert" in roles:
                assert r.status_code not in (401, 403), (method, path, r.text)
            else:
                assert r.status_code == 403, (method, path, r.status_code)
            checked += 1
    assert checked >= 40
    by_route = {(r.path, m): declared_roles(r) for r in api_routes(app) for m in r.methods}
    assert by_route[("/api/panels/{panel_id}/answers", "POST")] == ("expert",)
    for action in ("close", "next-round", "save", "experts"):
        assert by_route[(f"/api/panels/{{panel_id}}/{action}", "POST")] == ("facilitator",)


def test_observers_cannot_use_panels(app: FastAPI) -> None:
    fac = _facilitator(app)
    pid = _open_panel(fac)
    ok(
        fac.post("/api/users", json={"username": "u", "password": PASSWORD, "role": "observer"}),
        201,
    )
    client = new_client(app)
    r = client.post("/api/login", json={"username": "u", "password": PASSWORD})
    assert r.status_code == 200
    refresh_csrf(client)
    for path in ("/api/panels", f"/api/panels/{pid}", f"/panels/{pid}"):
        assert client.get(path, follow_redirects=False).status_code == 403
