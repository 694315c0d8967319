"""Playwright + Debian Chromium on the analysts' pages (issue 19): a Monte Carlo and a deadlock
run from the form show charts, not JSON; two runs are compared with the differences-only
filter; the editor numbers its lines and says that Run uses the saved file; and every page fits
1,280 px and a 768 px tablet without horizontal scrolling. Screenshots go to
reports/screenshots/analysts-*.png.

Needs Chromium (``ACCORD_CHROMIUM``); skipped without it, except under ``CI=true`` (fails).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import chromium_path, launch_chromium
from tests.web.server import Server

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "reports" / "screenshots"
PASSWORD = "correct horse battery"
SMALL = ROOT / "tests" / "data" / "scenarios" / "small.yaml"
FETCH = """async ([method, url, body]) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const r = await fetch(url, {method, headers: {"Content-Type": "application/json",
    "X-CSRF-Token": token}, body: body === null ? undefined : JSON.stringify(body)});
  return [r.status, await r.json()];
}"""
WIDTHS = {"desktop": 1280, "tablet": 768}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(f"sqlite:///{tmp_path / 'analysts.db'}")
    srv.start()
    yield srv
    srv.stop()


def _run_from_form(page: Any, kind: str, model: str, draws: int | None = None) -> str:
    page.select_option("#analysis-kind", kind)
    page.select_option("#analysis-model", model)
    if draws is not None:
        page.fill('input[name="draws"]', str(draws))
    page.click("#run-analysis")
    page.wait_for_url("**/runs/*")
    page.wait_for_selector("#run-done", timeout=120_000)
    return str(page.url)


def _no_json(page: Any) -> None:
    text = page.locator("main").inner_text()
    assert '{"' not in text and '":' not in text
    assert page.locator("pre.result").count() == 0


def test_analysts_pages_in_chromium(server: Server) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path("/usr/bin/chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p, executable)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
            page.goto(server.base + "/")
            page.fill("#username", "facilitator")
            page.fill("#password", PASSWORD)
            page.click("#create")
            page.wait_for_selector("#new-game")
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

            # Monte Carlo: pass probability, histogram and drivers as charts
            mc = _run_from_form(page, "montecarlo", "compromise", draws=30)
            assert page.locator("#result svg").count() >= 3
            assert page.locator("#result table[id^=pass-]").count() >= 1
            _no_json(page)
            page.screenshot(path=str(SHOTS / "analysts-montecarlo.png"), full_page=True)

            # deadlock: the blocker table and package deals
            page.goto(view)
            deadlock = _run_from_form(page, "deadlock", "compromise")
            assert page.locator("#deadlock-verdict").count() == 1
            assert page.get_by_text("Package deals", exact=True).count() == 1
            assert page.locator("#blockers, #no-deals, #package-deals").count() >= 1
            _no_json(page)
            page.screenshot(path=str(SHOTS / "analysts-deadlock.png"), full_page=True)

            # a second Monte Carlo (another seed), compared with the first
            page.goto(view)
            page.fill('input[name="seed"]', "7")
            mc2 = _run_from_form(page, "montecarlo", "compromise", draws=30)
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
                    over = page.evaluate(
                        "() => document.documentElement.scrollWidth - window.innerWidth"
                    )
                    assert over <= 0, f"{name} at {width} px overflows by {over} px"
                    assert page.locator("header .brand").count() == 1, name
                    if name == "map":
                        assert page.locator("#theatre-map svg path.land").count() > 5
                    page.screenshot(
                        path=str(SHOTS / f"analysts-{device}-{name}.png"), full_page=True
                    )
        finally:
            browser.close()
    assert problems == [], problems
