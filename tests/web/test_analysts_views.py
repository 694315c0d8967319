"""Analysts' results as pictures (issue 19): Monte Carlo, deadlock and forecast runs show
charts and tables, never raw JSON; the HTML report is the real report; comparison is matched
by issue, model and actor, only for runs of the same analysis; the form offers registry models
and an unknown model is refused before a run exists; war-game Monte Carlo from the web gives
the CLI's summary; the review and debriefs are pages of the app."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accord.models.registry import model_names
from tests.web.conftest import Database, Game, ok

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"
ROOT = Path(__file__).resolve().parents[2]
JSON_DUMP = re.compile(r'\{\s*&#34;|\{\s*"[a-z_]+":|<pre class="result"')


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """SQLite only: these tests are about the pages, not the database."""
    yield Database(f"sqlite:///{tmp_path / 'web.db'}", None, "sqlite")


def _wait(client: TestClient, analysis_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        data = ok(client.get(f"/api/analyses/{analysis_id}"))
        if data["status"] != "running":
            return dict(data)
        time.sleep(0.1)
    raise AssertionError("the analysis did not finish")


def _run(client: TestClient, **body: Any) -> dict[str, Any]:
    started = ok(client.post("/api/analyses", json=body), 202)
    done = _wait(client, started["id"])
    assert done["status"] == "done", done["error"]
    return done


def _small(client: TestClient) -> str:
    text = SMALL.read_text(encoding="utf-8")
    return str(
        ok(client.post("/api/library", json={"name": "s.yaml", "text": text}), 201)["refs"][0]
    )


def test_results_are_charts_and_tables_not_json(game: Game) -> None:
    fac = game.facilitator
    ref = _small(fac)
    mc = _run(fac, kind="montecarlo", scenario=ref, model="compromise,median", draws=40)
    issue = mc["result"]["issues"][0]["id"]
    page = fac.get(f"/runs/{mc['id']}").text
    assert not JSON_DUMP.search(page)
    # pass probability per model (table and chart), histogram and driver chart
    table = re.search(rf'<table id="pass-{issue}">(.*?)</table>', page, re.DOTALL)
    assert table and "compromise" in table.group(1) and "median" in table.group(1)
    share = mc["result"]["issues"][0]["models"][0]["pass_probability"]
    assert f"{100 * share:.0f}%" in table.group(1)
    assert "probability that the forecast passes" in page
    assert "distribution of the forecast over 40 draws" in page or "spread of the forecast" in page
    assert "which assumptions drive" in page
    assert page.count("<svg") >= 3

    dl = _run(fac, kind="deadlock", scenario=ref, model="compromise")
    assert set(dl["result"]) == {"deadlock", "package_deals"}
    page = fac.get(f"/runs/{dl['id']}").text
    assert not JSON_DUMP.search(page)
    assert 'id="deadlock-verdict"' in page and "Package deals" in page
    blockers = dl["result"]["deadlock"]["blockers"]
    if blockers:
        assert 'id="blockers"' in page and all(f"<td>{b}</td>" in page for b in blockers)
    deals = dl["result"]["package_deals"]["deals"]
    assert ('id="package-deals"' in page) == bool(deals)

    fc = _run(fac, kind="forecast", scenario=ref, model="compromise")
    page = fac.get(f"/runs/{fc['id']}").text
    assert not JSON_DUMP.search(page)
    assert 'aria-label="positions on' in page  # the forecast report's strip chart
    # the HTML report is the real report: the same charts, no flattened key/value table
    report = fac.get(f"/api/analyses/{fc['id']}/report.html").text
    assert 'aria-label="positions on' in report and "<script" not in report
    assert "<th>quantity</th><th>value</th>" not in report
    report = fac.get(f"/api/analyses/{mc['id']}/report.html").text
    assert report.count("<svg") >= 3 and not JSON_DUMP.search(report)


def test_comparison_is_matched_and_only_for_the_same_analysis(game: Game) -> None:
    fac = game.facilitator
    ref = _small(fac)
    a = _run(fac, kind="montecarlo", scenario=ref, model="compromise", draws=30, seed=1)
    b = _run(fac, kind="montecarlo", scenario=ref, model="compromise", draws=30, seed=2)
    page = fac.get("/runs/compare", params={"a": a["id"], "b": b["id"]}).text
    assert 'id="only-differences"' in page and 'id="compare-summary"' in page
    # drivers matched by input (actor), not by rank
    left = {d["input"]: d for d in a["result"]["issues"][0]["models"][0]["drivers"]}
    right = {d["input"]: d for d in b["result"]["issues"][0]["models"][0]["drivers"]}
    name = next(iter(set(left) & set(right)))
    row = re.search(
        rf"<td>drivers</td><td>[^<]*</td><td>{re.escape(name)}</td>"
        r"<td>([^<]*)</td><td>([^<]*)</td>",
        page,
    )
    assert row is not None
    assert row.group(1) == f"{max(left[name]['rho'], key=abs):.4g}"
    assert row.group(2) == f"{max(right[name]['rho'], key=abs):.4g}"
    dl = _run(fac, kind="deadlock", scenario=ref, model="compromise")
    refused = fac.get(
        "/runs/compare", params={"a": a["id"], "b": dl["id"]}, headers={"accept": "text/html"}
    )
    assert refused.status_code == 422
    assert "only runs of the same analysis can be compared" in refused.text


def test_form_offers_registry_models_and_refuses_unknown_ones(game: Game) -> None:
    fac = game.facilitator
    ref = _small(fac)
    page = fac.get("/library/view", params={"ref": ref}).text
    select = re.search(r'<select name="model" id="analysis-model">(.*?)</select>', page, re.S)
    assert select is not None
    assert re.findall(r'<option value="([^"]+)"', select.group(1)) == ["all", *model_names()]
    assert 'name="model" value=' not in page  # no free text
    assert "Runs the scenario as last saved" in page and 'class="gutter"' in page
    before = len(ok(fac.get("/api/analyses")))
    for body in (
        {"kind": "forecast", "model": "bdmx"},
        {"kind": "montecarlo", "model": "compromise,nope"},
        {"kind": "deadlock", "model": "compromise,median"},
    ):
        r = fac.post("/api/analyses", json={"scenario": ref, **body})
        assert r.status_code == 422, r.text
        assert "model" in r.json()["detail"]
    assert (
        "unknown model 'bdmx'"
        in fac.post(
            "/api/analyses", json={"scenario": ref, "kind": "forecast", "model": "bdmx"}
        ).json()["detail"]
    )
    assert len(ok(fac.get("/api/analyses"))) == before  # no failed run was created


def test_wargame_monte_carlo_from_the_web_matches_the_cli(
    game: Game, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.wargame import loads_wargame
    from accord.wargame.montecarlo import run_monte_carlo

    fac = game.facilitator
    view = fac.get("/library/view", params={"ref": "shipped:wargame-tiny.yaml"}).text
    assert 'id="wargame-form"' in view
    started = ok(
        fac.post("/api/wargame-runs", json={"scenario": "shipped:wargame-tiny.yaml", "runs": 25}),
        202,
    )
    done = _wait(fac, started["id"])
    assert (
        done["status"] == "done"
        and done["progress"] == 1.0
        and done["kind"] == "wargame_montecarlo"
    )
    path = ROOT / "scenarios" / "wargame-tiny.yaml"
    compiled = loads_wargame(path.read_text(encoding="utf-8"), path.name)
    expected = run_monte_carlo(compiled, 25, 0).summary()
    assert done["result"]["summary"] == json.loads(json.dumps(expected))
    page = fac.get(f"/runs/{started['id']}").text
    assert not JSON_DUMP.search(page)
    assert 'id="headline"' in page and 'id="outcomes"' in page and "<svg" in page
    top = max(expected["outcome_share"].items(), key=lambda kv: (kv[1], kv[0]))[0]
    assert f"<b>{top}</b>" in page
    # bounded by ACCORD_MAX_RUNS; a negotiation scenario is refused; observers may not start
    monkeypatch.setenv("ACCORD_MAX_RUNS", "10")
    r = fac.post("/api/wargame-runs", json={"scenario": "shipped:wargame-tiny.yaml", "runs": 11})
    assert r.status_code == 400 and "above the limit of 10" in r.json()["detail"]
    r = fac.post("/api/wargame-runs", json={"scenario": "shipped:ktab-d3.yaml", "runs": 5})
    assert r.status_code == 400 and "not a war game" in r.json()["detail"]
    r = game.observer.post(
        "/api/wargame-runs", json={"scenario": "shipped:wargame-tiny.yaml", "runs": 5}
    )
    assert r.status_code == 403


def test_titles_review_and_debriefs_in_the_app_layout(game: Game) -> None:
    fac = game.facilitator
    library = fac.get("/library").text
    assert "Tiny Strait crisis (test scenario)" in library
    assert "Reform of China's upstream oil and gas sector" in library.replace("&#39;", "'")
    home = fac.get("/").text
    assert "Tiny Strait crisis (test scenario)</option>" in home
    review = fac.get(f"/games/{game.id}/review").text
    assert 'class="brand"' in review and 'id="review"' in review  # the app header
    links = re.findall(r"href='(/games/\d+/review/debrief/\w+)'", review)
    assert links
    debrief = fac.get(links[0])
    assert debrief.status_code == 200 and 'class="brand"' in debrief.text
    back = re.search(r'<a href="([^"]+)" id="back">Back to the review</a>', debrief.text)
    assert back is not None and fac.get(back.group(1)).status_code == 200
    team = game.teams["red"].get(f"/games/{game.id}/debrief").text
    assert 'class="brand"' in team and "Back to the game" in team


def test_debriefs_show_the_last_turn_and_keep_override_reasons_private(game: Game) -> None:
    gid = game.id
    red = game.teams["red"]
    ok(red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": ["cn_drills"]}), 201)
    reason = "white cell secret: public rallies"
    ok(
        game.facilitator.post(
            f"/api/games/{gid}/override", json={"reason": reason, "values": {"jp_support": 0.9}}
        ),
        201,
    )
    ok(game.facilitator.post(f"/api/games/{gid}/release", json={"turn": 1}))
    mine = red.get(f"/games/{gid}/debrief").text
    # the turn just released is there (no lag): its heading and the team's own action
    assert "Start of turn 2" in mine and "China&#39;s drills" in mine
    blue = game.teams["blue"].get(f"/games/{gid}/debrief").text
    for page in (mine, blue):
        assert reason not in page
    assert "facilitator adjustment" in blue  # blue sees the override's effect, not its reason
    white = game.facilitator.get(f"/games/{gid}/review/debrief/blue").text
    assert reason in white and "Back to the review" in white


def test_theatre_map_page_shows_what_each_audience_may_see(game: Game) -> None:
    fac = game.facilitator
    # the tiny scenario has no map: the page says so, the image is a 404
    page = fac.get(f"/games/{game.id}/map")
    assert page.status_code == 200 and 'id="no-map"' in page.text
    assert fac.get(f"/api/games/{game.id}/map.svg").status_code == 404
    created = ok(
        fac.post(
            "/api/games",
            json={"scenario": "shipped:taiwan-strait/scenario.yaml", "title": "Strait", "seed": 1},
        ),
        201,
    )
    gid = created["id"]
    svg = fac.get(f"/api/games/{gid}/map.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert '<path class="land"' in svg.text and 'data-place="china_resolve"' in svg.text
    assert 'data-place="sakishima"' in svg.text and 'data-place="blockade_zone"' in svg.text
    observer = game.observer.get(f"/games/{gid}/map").text
    assert 'id="theatre-map"' in observer and 'class="brand"' in observer
    assert "china_resolve" not in observer  # China's place is China's alone
    assert "Sakishima evacuation" in observer
    # a team without a seat in the game gets a 404, as for the game itself
    assert game.teams["red"].get(f"/games/{gid}/map").status_code == 404
