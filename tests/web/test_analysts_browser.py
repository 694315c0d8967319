"""Playwright + Debian Chromium on the analysts' pages (issue 19): a forecast run from the form
shows the issue chart, not JSON; two Monte Carlo runs are compared with the differences-only
filter (and not with a deadlock analysis); the editor numbers its lines and says that Run uses the saved file; and every page fits
1,280 px and a 768 px tablet without horizontal scrolling. Screenshots go to
reports/screenshots/analysts-*.png. (A Monte Carlo and a deadlock analysis run from the form, with
their charts, are in test_full_game_browser.py.)

Needs Chromium (``ACCORD_CHROMIUM``); skipped without it, except under ``CI=true`` (fails).
"""

from __future__ import annotations

import time
from typing import Any

from tests.web.browser import FETCH, ROOT, SHOTS, create_first_account, new_page
from tests.web.server import Server

SMALL = ROOT / "tests" / "data" / "scenarios" / "small.yaml"
WIDTHS = {"desktop": 1280, "tablet": 768}


def _run_by_api(page: Any, base: str, body: dict[str, Any]) -> str:
    """Start an analysis through the API and wait until it is done; returns its page's URL.

    (Running one from the form, and its charts, is checked by test_full_game_browser.py.)
    """
    status, run = page.evaluate(FETCH, ["POST", "/api/analyses", body])
    assert status == 202, run
    deadline = time.monotonic() + 120
    while run["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        run = page.evaluate(FETCH, ["GET", f"/api/analyses/{run['id']}", None])[1]
    assert run["status"] == "done", run
    return f"{base}/runs/{run['id']}"


def _no_json(page: Any) -> None:
    text = page.locator("main").inner_text()
    assert '{"' not in text and '":' not in text
    assert page.locator("pre.result").count() == 0


def test_analysts_pages_in_chromium(live_server: Server, chromium: Any) -> None:
    server = live_server
    problems: list[str] = []
    page = new_page(chromium, problems, http=False)
    create_first_account(page, server.base, "facilitator")
    status, saved = page.evaluate(
        FETCH,
        ["POST", "/api/library", {"name": "small.yaml", "text": SMALL.read_text()}],
    )
    assert status == 201, saved
    view = server.base + saved["redirect"]
    status, game = page.evaluate(
        FETCH,
        [
            "POST",
            "/api/games",
            {"scenario": "shipped:wargame-tiny.yaml", "title": "Tiny", "seed": 1},
        ],
    )
    assert status == 201, game
    status, strait = page.evaluate(
        FETCH,
        [
            "POST",
            "/api/games",
            {
                "scenario": "shipped:taiwan-strait/scenario.yaml",
                "title": "Strait",
                "seed": 1,
            },
        ],
    )
    assert status == 201, strait

    # seats: the controls show the current assignment, the link has a copy button,
    # and assigning a person again asks before making a new link
    page.goto(f"{server.base}/games/{game['id']}")
    row = page.locator('tr[data-team="red"]')
    assert row.locator('select[name="kind"]').input_value() == "open"
    row.locator('select[name="kind"]').select_option("human")
    row.locator("button").click()
    page.wait_for_function(
        "() => document.getElementById('invite-red').textContent.includes('/join/')"
    )
    assert row.locator("a.copy-invite").is_visible()
    link = page.locator("#invite-red").text_content()
    page.reload()
    assert row.locator('select[name="kind"]').input_value() == "human"
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    row.locator("button").click()
    page.wait_for_timeout(300)
    assert asked and "new link" in asked[0]
    assert page.locator("#invite-red").text_content() in ("", link)
    page.screenshot(path=str(SHOTS / "analysts-seats.png"), full_page=True)

    # the form: registry models, line numbers, and it says Run uses the saved file
    page.goto(view)
    models = page.locator("#analysis-model option").all_inner_texts()
    assert models[0] == "all models" and "bdm" in models
    assert page.locator("#gutter").inner_text().splitlines()[:3] == ["1", "2", "3"]
    assert page.locator(".dirty-note").is_hidden()
    page.locator("#editor").press("End")
    page.locator("#editor").type("\n# a comment")
    assert page.locator(".dirty-note").is_visible()
    page.screenshot(path=str(SHOTS / "analysts-form.png"), full_page=True)
    page.goto(view)

    # a forecast from the form on a shipped scenario: the issue chart from the report
    page.goto(server.base + "/library")
    page.click("text=KTAB dummy data: 7 actors on 3 dimensions (d3)")
    page.select_option("#analysis-kind", "forecast")
    page.select_option("#analysis-model", "compromise")
    page.click("#run-analysis")
    page.wait_for_url("**/runs/*")
    page.wait_for_selector("#run-done", timeout=60_000)
    assert page.locator("#result tr").count() > 1
    assert page.locator("#result svg").count() > 0
    _no_json(page)
    page.screenshot(path=str(SHOTS / "analysts-forecast.png"), full_page=True)

    # two Monte Carlo runs (two seeds) and a deadlock analysis, compared
    ref = saved["refs"][0]
    run = {"scenario": ref, "model": "compromise"}
    mc = _run_by_api(page, server.base, {**run, "kind": "montecarlo", "draws": 30})
    mc2 = _run_by_api(page, server.base, {**run, "kind": "montecarlo", "draws": 30, "seed": 7})
    deadlock = _run_by_api(page, server.base, {**run, "kind": "deadlock"})
    a, b = mc.rsplit("/", 1)[1], mc2.rsplit("/", 1)[1]
    page.goto(f"{server.base}/runs/compare?a={a}&b={b}")
    rows = page.locator("#compare-table tr")
    shown_only_differences = sum(r.is_visible() for r in rows.all())
    page.uncheck("#only-differences")
    shown_all = sum(r.is_visible() for r in rows.all())
    assert shown_all > shown_only_differences >= 1
    page.screenshot(path=str(SHOTS / "analysts-compare.png"), full_page=True)
    d = deadlock.rsplit("/", 1)[1]
    response = page.goto(f"{server.base}/runs/compare?a={a}&b={d}")
    assert response is not None and response.status == 422
    assert "only runs of the same analysis" in page.content()

    # every page at 1,280 px and on a tablet: no horizontal overflow
    pages = {
        "home": "/",
        "library": "/library",
        "scenario": saved["redirect"],
        "wargame": "/library/view?ref=shipped:wargame-tiny.yaml",
        "runs": "/runs",
        "run-montecarlo": mc.replace(server.base, ""),
        "run-deadlock": deadlock.replace(server.base, ""),
        "compare": f"/runs/compare?a={a}&b={b}",
        "review": f"/games/{game['id']}/review",
        "debrief": f"/games/{game['id']}/review/debrief/red",
        "map": f"/games/{strait['id']}/map",
    }
    for device, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(server.base + path)
            over = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert over <= 0, f"{name} at {width} px overflows by {over} px"
            assert page.locator("header .brand").count() == 1, name
            if name == "map":
                assert page.locator("#theatre-map svg path.land").count() > 5
            page.screenshot(path=str(SHOTS / f"analysts-{device}-{name}.png"), full_page=True)
    assert problems == [], problems
