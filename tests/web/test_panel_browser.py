"""Playwright + Debian Chromium through a two-round Delphi panel on a real server: a
facilitator opens a panel on the Japan-NATO office issue and invites three experts by one-time
link; each answers France's position in the browser; an expert cannot see another's answers
before the round closes; after it closes the group median and spread appear; one expert
revises in round 2; the facilitator closes it and saves the merged scenario to the library.
Screenshots go to reports/screenshots/panel-*.png.

Needs Chromium (``ACCORD_CHROMIUM``); skipped without it, except under ``CI=true`` (fails).
"""

from __future__ import annotations

from typing import Any

from tests.web.browser import PASSWORD, SHOTS, create_first_account, new_page
from tests.web.server import Server

FRA = "fra|tokyo-office|office"
ROUND_1 = {"exp-a": "0", "exp-b": "10", "exp-c": "30"}


def _answer(page: Any, position: str, note: str) -> None:
    page.fill(f'input[name="position|{FRA}"]', position)
    page.fill(f'input[name="note|{FRA}"]', note)
    page.click("#submit-answers")
    page.wait_for_function("() => document.getElementById('saved').textContent === 'saved'")


def _click_and_reload(page: Any, selector: str, state: str) -> None:
    page.click(selector)
    page.wait_for_selector(f'#panel-status[data-state="{state}"]')


def test_two_round_panel_in_chromium(live_server: Server, chromium: Any) -> None:
    server, browser = live_server, chromium
    problems: list[str] = []
    fac = new_page(browser, problems, 1200)
    create_first_account(fac, server.base, "facilitator")
    fac.goto(server.base + "/panels")
    fac.select_option("#panel-scenario", "shipped:japan-nato/scenario.yaml")
    fac.fill("#panel-title", "Tokyo office panel")
    fac.fill("#panel-issues", "tokyo-office")
    fac.click("#create-panel")
    fac.wait_for_url("**/panels/*")
    panel_url = fac.url
    links: dict[str, str] = {}
    for label in ROUND_1:
        fac.evaluate("() => { document.getElementById('invite-out').textContent = ''; }")
        fac.fill("#expert-label", label)
        fac.click("#invite-expert")
        fac.wait_for_function(
            "() => document.getElementById('invite-out').textContent.includes('/panel-join/')",
            timeout=15000,
        )
        links[label] = fac.locator("#invite-out").text_content() or ""
    assert len(set(links.values())) == 3
    experts: dict[str, Any] = {}
    for label, link in links.items():
        page = new_page(browser, problems, 1200)
        page.goto(link)
        page.fill("#username", label)
        page.fill("#password", PASSWORD)
        page.click("#join-panel")
        page.wait_for_url("**/panels/*")
        assert page.url == panel_url
        experts[label] = page
    # round 1: each expert answers France's position, with a note
    for label, value in ROUND_1.items():
        _answer(experts[label], value, f"note-from-{label}")
    # blind: before the round closes, nobody sees another's answers
    for label, page in experts.items():
        page.reload()
        html = page.content()
        for other in ROUND_1:
            if other != label:
                assert f"note-from-{other}" not in html, (label, other)
                assert other not in html, (label, other)
        assert page.input_value(f'input[name="position|{FRA}"]') == ROUND_1[label]
        assert page.locator("td.group").count() == 0
    experts["exp-b"].screenshot(path=str(SHOTS / "panel-expert-round1.png"))
    # the facilitator sees every answer and closes round 1
    fac.goto(panel_url)
    assert "note-from-exp-a" in fac.content()
    _click_and_reload(fac, "#close-round", "closed")
    fac.screenshot(path=str(SHOTS / "panel-facilitator-closed.png"))
    # after the close: the anonymised group median and spread
    page = experts["exp-c"]
    page.reload()
    group = page.locator(f'tr[data-key="{FRA}"] td.group').text_content() or ""
    assert "position median 10" in group and "range 0.0–30.0" in group
    assert "note-from-exp-a" not in page.content() and "exp-a" not in page.content()
    # round 2: exp-c revises towards the group
    _click_and_reload(fac, "#next-round", "open")
    page.reload()
    _answer(page, "20", "revised after round 1")
    page.screenshot(path=str(SHOTS / "panel-expert-round2.png"))
    experts["exp-a"].reload()
    assert "revised after round 1" not in experts["exp-a"].content()
    # close round 2 and save the merged scenario to the library
    fac.reload()
    _click_and_reload(fac, "#close-round", "closed")
    fac.select_option("#aggregate", "median")
    fac.click("#save-merged")
    fac.wait_for_url("**/library/view?ref=lib*")
    text = fac.input_value("#editor")
    assert "source: 'panel: exp-a, exp-b, exp-c'" in text
    assert "exp-c: 20" in text
    fac.screenshot(path=str(SHOTS / "panel-merged.png"))
    fac.goto(panel_url)
    assert fac.locator("#saved-ref").count() == 1
    assert not problems, problems
