"""Shared fixtures and helpers of the Playwright + Debian Chromium tests of the web app.

``live_server`` is ``accord serve`` on a fresh SQLite file (a real subprocess), ``chromium`` a
headless Debian Chromium (``ACCORD_CHROMIUM``; skipped without it, except under ``CI=true``,
where it fails). Both are registered as fixtures by ``tests/web/conftest.py``. Screenshots go
to ``reports/screenshots/`` (git-ignored; CI keeps the folder as an artefact).
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
# fetch() from inside a signed-in page, with its CSRF token: [method, url, body] -> [status, json]
FETCH = """async ([method, url, body]) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const r = await fetch(url, {method, headers: {"Content-Type": "application/json",
    "X-CSRF-Token": token}, body: body === null ? undefined : JSON.stringify(body)});
  return [r.status, await r.json()];
}"""


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Server]:
    """``accord serve`` on a fresh SQLite database, stopped afterwards."""
    srv = Server(f"sqlite:///{tmp_path / 'browser.db'}")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (Playwright's sync API); the screenshot folder exists."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path("/usr/bin/chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p, executable)
        try:
            yield browser
        finally:
            browser.close()


def watch(page: Any, problems: list[str], http: bool = True) -> None:
    """Collect the page's script errors; with ``http``, console errors and 4xx/5xx responses."""
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    if http:
        page.on(
            "console",
            lambda msg: problems.append(f"{msg.type}: {msg.text}") if msg.type == "error" else None,
        )
        page.on(
            "response",
            lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )


def new_page(browser: Any, problems: list[str], width: int = 1280, http: bool = True) -> Any:
    """A page in a fresh browser context (its own cookies: a separate person)."""
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    watch(page, problems, http)
    return page


def create_first_account(page: Any, base: str, username: str) -> None:
    """The set-up page: the first account (a facilitator), signed in on the home page."""
    page.goto(base + "/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#create")
    page.wait_for_selector("#new-game")


def sign_in(page: Any, base: str, username: str, path: str) -> None:
    """Sign in through the login page and land on ``path``."""
    page.goto(base + "/login?next=" + path)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#signin")
    page.wait_for_url("**" + path)


def join(page: Any, link: str, name: str, username: str) -> None:
    """Join a game through an invitation link (a seat's or a member's)."""
    page.goto(link)
    page.fill("#team_name", name)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#join")
    page.wait_for_selector("#debrief")


def live(page: Any) -> None:
    """Wait until the page's event stream is open, and mark the document (see not_reloaded)."""
    page.wait_for_function("() => document.body.dataset.live === 'open'", timeout=10_000)
    page.evaluate("() => { window.__sameDocument = true; }")


def not_reloaded(page: Any) -> bool:
    """Whether the document marked by :func:`live` is still the one shown (no reload)."""
    return bool(page.evaluate("() => window.__sameDocument === true"))
