"""Open the case report in headless Debian Chromium: every chart renders, no console errors.

Needs Chromium (``ACCORD_CHROMIUM``, set by scripts/test-services.sh and exported by CI). Without
it the test is skipped, except under CI (``CI=true``), where a missing browser is a failure.
The screenshot goes to ``reports/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.browser_support import chromium_path, launch_chromium

ROOT = Path(__file__).resolve().parents[2]
JAPAN_NATO = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"
SMALL = ROOT / "tests" / "data" / "scenarios" / "small.yaml"
SCREENSHOTS = ROOT / "reports" / "screenshots"


def make_report(source: Path, folder: Path, draws: int, **options: object) -> Path:
    from accord.report.case_report import build_report, write_case_report
    from accord.scenario.io import load

    scenario = load(source)
    report = build_report(scenario, draws=draws, seed=0, source=source, **options)  # type: ignore[arg-type]
    return write_case_report(report, folder)


def check_in_browser(html_path: Path, screenshot: Path) -> dict[str, object]:
    playwright = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    messages: list[str] = []
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p, executable)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on(
                "console",
                lambda msg: (
                    messages.append(f"{msg.type}: {msg.text}")
                    if msg.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
            page.on(
                "request",
                lambda req: requests.append(req.url) if not req.url.startswith("file:") else None,
            )
            page.goto(html_path.resolve().as_uri(), wait_until="load")
            sizes = page.evaluate(
                """() => Array.from(document.querySelectorAll('svg')).map(s => {
                    const r = s.getBoundingClientRect();
                    return [r.width, r.height, s.querySelectorAll('path,text,use').length];
                })"""
            )
            sections = page.evaluate("() => document.querySelectorAll('h2').length")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"messages": messages, "requests": requests, "sizes": sizes, "sections": sections}


def assert_renders(result: dict[str, object], min_charts: int) -> None:
    sizes = result["sizes"]
    assert isinstance(sizes, list)
    assert len(sizes) >= min_charts, f"only {len(sizes)} charts in the report"
    empty = [i for i, (w, h, n) in enumerate(sizes) if not (w > 0 and h > 0 and n > 0)]
    assert not empty, f"charts {empty} have no size or no content: {[sizes[i] for i in empty]}"
    assert result["messages"] == [], result["messages"]
    assert result["requests"] == [], f"the report fetched {result['requests']}"


def test_small_report_renders_in_chromium(tmp_path: Path) -> None:
    html_path = make_report(SMALL, tmp_path / "small", draws=100)
    result = check_in_browser(html_path, SCREENSHOTS / "report-small.png")
    # two issues: positions, shifts (office), Monte Carlo histogram and drivers, plus deals
    assert_renders(result, min_charts=5)
    assert (SCREENSHOTS / "report-small.png").stat().st_size > 10_000


@pytest.mark.skipif(not JAPAN_NATO.is_file(), reason="scenarios/japan-nato/scenario.yaml is absent")
def test_japan_nato_report_renders_in_chromium(tmp_path: Path) -> None:
    # the fast models keep the suite quick; `make demo` runs them all
    html_path = make_report(
        JAPAN_NATO,
        tmp_path / "japan-nato",
        draws=40,
        models="compromise,median,bdm",
        mc_models="compromise,median",
        allowed_draws=3,
    )
    text = html_path.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    result = check_in_browser(html_path, SCREENSHOTS / "report-japan-nato.png")
    assert_renders(result, min_charts=8)
