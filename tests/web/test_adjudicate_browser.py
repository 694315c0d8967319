"""Playwright + Debian Chromium: the white cell's desk and the team view (issue #19 items 2, 3
and 7) on a real server with the Taiwan Strait scenario: Japan's team page at 1,400 px is
under 4,000 px tall and every action lists its gate; the white cell rejects an order with a
reason (diff shown, undo, reject again), writes an inject for one team, releases with
confirmation, sets a deadline that auto-releases the turn, rolls back to turn 2 and branches.
Screenshots go to reports/screenshots/web-white-cell-*.png.

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
REASON = "White cell: not before the cabinet has met"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(f"sqlite:///{tmp_path / 'white.db'}")
    srv.start()
    yield srv
    srv.stop()


def _watch(page: Any, problems: list[str]) -> None:
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(f"{msg.type}: {msg.text}") if msg.type == "error" else None,
    )


def _submit_first_available(page: Any) -> str:
    form = page.locator("form.orders-form:has(input[type=checkbox]:not([disabled]))").first
    box = form.locator("input[type=checkbox]:not([disabled])").first
    action = box.get_attribute("value")
    box.check()
    form.locator("button.submit-orders").click()
    page.wait_for_selector("form.orders-form .submitted")
    return str(action)


def _turn(page: Any) -> str:
    return str(page.locator("#turn").inner_text())


def test_white_cell_desk_and_team_view_in_chromium(server: Server) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path("/usr/bin/chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p, executable)
        try:
            fac = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            _watch(fac, problems)
            fac.goto(server.base + "/")
            fac.fill("#username", "white")
            fac.fill("#password", PASSWORD)
            fac.click("#create")
            fac.wait_for_selector("#new-game")
            fac.select_option("#scenario", "shipped:taiwan-strait/scenario.yaml")
            fac.fill("#title", "White cell exercise")
            fac.click("#create-game")
            fac.wait_for_url("**/games/*")
            game_url = fac.url
            invites = {}
            for team in ("jp_nsc", "us"):
                row = fac.locator(f'tr[data-team="{team}"]')
                row.locator('select[name="kind"]').select_option("human")
                row.locator("button").click()
                fac.wait_for_function(
                    "id => document.getElementById(id).textContent.includes('/join/')",
                    arg=f"invite-{team}",
                )
                invites[team] = fac.locator(f"#invite-{team}").text_content() or ""
            row = fac.locator('tr[data-team="china"]')
            row.locator('select[name="kind"]').select_option("auto")
            row.locator('select[name="player"]').select_option("doctrine")
            row.locator("button").click()
            fac.wait_for_function("() => document.getElementById('invite-china').textContent")
            teams: dict[str, Any] = {}
            for team, link in invites.items():
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                _watch(page, problems)
                page.goto(link)
                page.fill("#team_name", f"{team} cell")
                page.fill("#username", f"player_{team}")
                page.fill("#password", PASSWORD)
                page.click("#join")
                page.wait_for_selector("#debrief")
                teams[team] = page
            japan = teams["jp_nsc"]

            # Japan's team page: orders first, compact, every action with its gate
            japan.goto(game_url)
            height = japan.evaluate("() => document.documentElement.scrollHeight")
            japan.screenshot(path=str(SHOTS / "web-white-cell-team-japan.png"), full_page=True)
            assert height < 4000, height
            actions = japan.locator("li.action")
            assert actions.count() >= 10
            gates = japan.eval_on_selector_all(
                "li.action", "els => els.map(e => e.querySelector('.gate').innerText)"
            )
            assert all(g.startswith("Gate:") and len(g) > 8 for g in gates), gates
            unavailable = japan.locator("li.action[data-available='0']")
            assert unavailable.count() > 0
            assert unavailable.first.locator(".why").inner_text().startswith("Not available")
            assert unavailable.first.locator("input").is_disabled()
            assert japan.locator("#state-panel details.group").count() >= 1

            # turn 1: both teams order; the white cell rejects Japan's order with a reason
            ordered = _submit_first_available(japan)
            _submit_first_available(teams["us"])
            fac.goto(game_url)
            fac.wait_for_selector("#proposal[data-ready='1'] li")
            row = fac.locator(f'tr[data-order="{_actor_of(fac, ordered)}:{ordered}"]')
            row.locator(".ruling-reason").fill(REASON)
            row.locator("button.reject").click()
            fac.wait_for_selector("#pending li[data-kind='ruling']")
            fac.wait_for_selector("#diff-box:not([hidden]) tr.diff-row")
            assert ordered in fac.locator("#diff").inner_text()
            fac.wait_for_selector("#proposal[data-ready='1'] li")
            assert "rejected by the white cell" in fac.locator("#proposal").inner_text()
            fac.screenshot(path=str(SHOTS / "web-white-cell-ruling.png"), full_page=True)
            # undo, then reject again
            fac.locator("#pending li[data-kind='ruling'] button.undo").click()
            fac.wait_for_selector("#no-pending")
            row = fac.locator(f'tr[data-order="{_actor_of(fac, ordered)}:{ordered}"]')
            row.locator(".ruling-reason").fill(REASON)
            row.locator("button.reject").click()
            fac.wait_for_selector("#pending li[data-kind='ruling']")

            # an inject for Japan only
            fac.fill("#inject-text", "A Chinese coast guard cutter rams a Japanese patrol boat")
            fac.locator("#inject-form input[value='jp_nsc']").check()
            fac.click("#inject-submit")
            fac.wait_for_selector("#log li[data-kind='inject']")
            japan.goto(game_url)
            assert "coast guard cutter" in japan.locator("#injects").inner_text()
            teams["us"].goto(game_url)
            assert "coast guard cutter" not in teams["us"].content()

            # release asks for confirmation
            fac.click("#release")
            fac.wait_for_selector("#release-confirm-box:not([hidden])")
            assert "not submitted" not in fac.locator("#release-confirm-box").inner_text()
            fac.screenshot(path=str(SHOTS / "web-white-cell-release.png"), full_page=True)
            fac.click("#release-confirm")
            fac.wait_for_function("() => document.getElementById('turn').textContent === '1'")
            japan.goto(game_url)
            debrief = japan.locator("#debrief").inner_text()
            assert "rejected by the white cell" in debrief and REASON not in japan.content()

            # turn 2: a deadline, shown to all, flags who has not submitted, releases itself
            fac.fill("#clock-seconds", "4")
            fac.locator("#clock-auto").check()
            fac.click("#clock-set")
            fac.wait_for_selector("#deadline")
            assert "jp_nsc" in fac.locator("#waiting").inner_text()
            japan.goto(game_url)
            assert japan.locator("#deadline").count() == 1
            _submit_first_available(japan)
            fac.wait_for_function(
                "() => document.getElementById('turn').textContent === '2'", timeout=20_000
            )
            fac.screenshot(path=str(SHOTS / "web-white-cell-deadline.png"), full_page=True)

            # turn 3 released by hand, then roll back to the start of turn 2 and branch
            fac.click("#release")
            fac.click("#release-confirm")
            fac.wait_for_function("() => document.getElementById('turn').textContent === '3'")
            fac.fill("#timeline-turn", "2")
            fac.click("#rollback")
            assert fac.locator("#rollback").inner_text().startswith("Confirm")
            fac.click("#rollback")
            fac.wait_for_url(lambda url: url != game_url and "/games/" in url)
            rolled_url = fac.url
            fac.wait_for_selector("#turn")
            assert _turn(fac) == "1"
            japan.goto(game_url)  # the old game sends Japan on to the continuation
            japan.wait_for_url(rolled_url)
            fac.fill("#timeline-turn", "1")
            fac.click("#branch")
            fac.click("#branch")
            fac.wait_for_url(lambda url: url not in (game_url, rolled_url) and "/games/" in url)
            fac.wait_for_selector("#turn")
            assert _turn(fac) == "0"
            assert "branch from turn 1" in fac.locator("h1").inner_text()
            fac.screenshot(path=str(SHOTS / "web-white-cell-branch.png"), full_page=True)
        finally:
            browser.close()
    assert problems == [], problems


def _actor_of(page: Any, action: str) -> str:
    """The actor of an order row, read from the orders table."""
    row = page.locator(f"tr[data-order$=':{action}']").first
    return str(row.get_attribute("data-order")).split(":")[0]
