"""Analysts' pages: library, editor validation with line numbers, save only when valid, import,
analyses with progress, run history, comparison and downloads."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.web.conftest import Game, ok

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"


def _wait(client: TestClient, analysis_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        data = ok(client.get(f"/api/analyses/{analysis_id}"))
        if data["status"] != "running":
            return dict(data)
        time.sleep(0.1)
    raise AssertionError("the analysis did not finish")


def test_library_lists_shipped_scenarios(game: Game) -> None:
    page = game.facilitator.get("/library").text
    assert "wargame-tiny.yaml" in page and "taiwan-strait/scenario.yaml" in page
    view = game.facilitator.get("/library/view", params={"ref": "shipped:ktab-d3.yaml"})
    assert view.status_code == 200 and 'id="editor"' in view.text and "valid" in view.text


def test_editor_shows_line_numbers_and_refuses_to_save_until_valid(game: Game) -> None:
    fac = game.facilitator
    good = SMALL.read_text(encoding="utf-8")
    lines = good.splitlines()
    broken = "\n".join([*lines[:3], "  - {id: [unclosed", *lines[3:]])
    check = ok(fac.post("/api/library/validate", json={"text": broken}))
    assert not check["valid"] and check["problems"][0]["line"] is not None
    r = fac.post("/api/library", json={"name": "bad.yaml", "text": broken})
    assert r.status_code == 422 and r.json()["problems"]
    assert "bad.yaml" not in fac.get("/library").text
    assert ok(fac.post("/api/library/validate", json={"text": good}))["valid"]
    saved = ok(fac.post("/api/library", json={"name": "small.yaml", "text": good}), 201)
    ref = saved["refs"][0]
    item = ref.split(":")[1]
    r = fac.put(f"/api/library/{item}", json={"text": broken})
    assert r.status_code == 422
    ok(fac.put(f"/api/library/{item}", json={"text": good + "\n# edited\n"}))
    page = fac.get("/library/view", params={"ref": ref}).text
    assert "# edited" in page
    # observers read, but may not save
    r = game.observer.post("/api/library", json={"name": "o.yaml", "text": good})
    assert r.status_code == 403


def test_import_a_ktab_csv(game: Game) -> None:
    path = DATA / "ktab" / "dummyData_3Dim.csv"
    r = game.facilitator.post(
        "/api/library/import", files={"file": (path.name, path.read_bytes(), "text/csv")}
    )
    saved = ok(r, 201)
    assert saved["refs"] and saved["refs"][0].startswith("lib:")
    page = game.facilitator.get(saved["redirect"]).text
    assert "dummyData_3Dim.csv" in page


def test_forecast_runs_in_the_background_with_history_compare_and_downloads(
    game: Game,
) -> None:
    fac = game.facilitator
    first = ok(
        fac.post(
            "/api/analyses",
            json={"kind": "forecast", "scenario": "shipped:ktab-d3.yaml", "model": "compromise"},
        ),
        202,
    )
    assert first["status"] in ("running", "done")
    done = _wait(fac, first["id"])
    assert done["status"] == "done" and done["progress"] == 1.0
    assert done["result"]["issues"] and done["result"]["table"]
    second = ok(
        fac.post(
            "/api/analyses",
            json={"kind": "forecast", "scenario": "shipped:ktab-d3.yaml", "model": "median"},
        ),
        202,
    )
    _wait(fac, second["id"])
    history = ok(fac.get("/api/analyses"))
    assert [h["id"] for h in history][:2] == [second["id"], first["id"]]
    compare = fac.get("/runs/compare", params={"a": first["id"], "b": second["id"]})
    assert compare.status_code == 200 and "compromise" in compare.text and "median" in compare.text
    js = fac.get(f"/api/analyses/{first['id']}/download.json")
    assert js.status_code == 200 and js.json()["result"]["scenario"]
    csv_text = fac.get(f"/api/analyses/{first['id']}/download.csv").text
    header = csv_text.splitlines()[0].split(",")
    assert {"issue", "model", "dimension", "outcome"} <= set(header)
    assert len(csv_text.splitlines()) == len(done["result"]["table"]) + 1
    report = fac.get(f"/api/analyses/{first['id']}/report.html").text
    assert "<svg" in report and "<script" not in report
    page = fac.get(f"/runs/{first['id']}").text
    assert 'id="result"' in page
    # an analysis that does not apply fails with a message instead of crashing
    bad = ok(
        fac.post("/api/analyses", json={"kind": "gaps", "scenario": "shipped:ktab-d3.yaml"}), 202
    )
    failed = _wait(fac, bad["id"])
    assert failed["status"] == "failed" and failed["error"]
    assert (
        game.observer.post(
            "/api/analyses", json={"kind": "forecast", "scenario": "shipped:ktab-d3.yaml"}
        ).status_code
        == 403
    )
