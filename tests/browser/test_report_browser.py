"""Open the case report and the war-game review in headless Debian Chromium at 1,400 px: every
chart renders and fills the column, nothing overflows sideways, no text is under 11 px, no
console error, no network request; and the report prints to a PDF of several pages.

Needs Chromium (``ACCORD_CHROMIUM``, set by scripts/test-services.sh and exported by CI). Without
it the test is skipped, except under CI (``CI=true``), where a missing browser is a failure.
Full-page screenshots go to ``reports/screenshots/`` (git-ignored; CI keeps them as artefacts).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.browser_support import chromium_path, launch_chromium

ROOT = Path(__file__).resolve().parents[2]
JAPAN_NATO = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"
TAIWAN = ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml"
SMALL = ROOT / "tests" / "data" / "scenarios" / "small.yaml"
SCREENSHOTS = ROOT / "reports" / "screenshots"
WIDTH = 1400

# Measured in the page: overflow, each chart's width against its column, the smallest font of
# any element holding text, and whether every image and SVG has a size and content.
MEASURE = """() => {
  const doc = document.documentElement;
  const charts = Array.from(document.querySelectorAll('figure svg, figure img')).map(s => {
    const r = s.getBoundingClientRect();
    const column = s.closest('figure').parentElement.getBoundingClientRect().width;
    return [r.width, column];
  });
  const svgs = Array.from(document.querySelectorAll('svg')).map(s => {
    const r = s.getBoundingClientRect();
    return [r.width, r.height, s.querySelectorAll('path,text,use').length];
  });
  const imgs = Array.from(document.querySelectorAll('img')).map(i => [i.naturalWidth, i.complete]);
  let smallest = 100, where = '';
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg')) continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest) { smallest = size; where = el.tagName + ': ' + el.textContent.slice(0, 40); }
  }
  return {overflow: doc.scrollWidth - doc.clientWidth, charts, svgs, imgs, smallest, where,
          sections: document.querySelectorAll('h2').length};
}"""


def make_report(source: Path, folder: Path, draws: int, **options: object) -> Path:
    from accord.analysis.case import analyse_case
    from accord.report.case_report import write_case_report
    from accord.scenario.io import load

    scenario = load(source)
    report = analyse_case(scenario, draws=draws, seed=0, source=source, **options)  # type: ignore[arg-type]
    return write_case_report(report, folder)


def check_in_browser(html_path: Path, screenshot: Path) -> dict[str, Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    messages: list[str] = []
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p, executable)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
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
            result: dict[str, Any] = page.evaluate(MEASURE)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    result["messages"] = messages
    result["requests"] = requests
    return result


def assert_readable(result: dict[str, Any], min_charts: int) -> None:
    svgs = result["svgs"]
    assert len(svgs) >= min_charts, f"only {len(svgs)} charts"
    empty = [i for i, (w, h, n) in enumerate(svgs) if not (w > 0 and h > 0 and n > 0)]
    assert not empty, f"SVGs {empty} have no size or no content"
    assert all(w > 0 and done for w, done in result["imgs"]), result["imgs"]
    assert result["overflow"] <= 0, f"the page scrolls sideways by {result['overflow']} px"
    narrow = [(round(w), round(c)) for w, c in result["charts"] if w < 0.8 * c]
    assert not narrow, f"charts under 80 % of their column (width, column): {narrow}"
    assert result["smallest"] >= 11, f"text of {result['smallest']} px: {result['where']}"
    assert result["messages"] == [], result["messages"]
    assert result["requests"] == [], f"the page fetched {result['requests']}"


def pdf_pages(path: Path) -> int:
    """Pages of a PDF that Chromium wrote (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


def test_small_report_renders_in_chromium(tmp_path: Path) -> None:
    html_path = make_report(SMALL, tmp_path / "small", draws=100)
    result = check_in_browser(html_path, SCREENSHOTS / "report-small.png")
    # two issues: positions, shifts (office), Monte Carlo histogram and drivers, plus deals
    assert_readable(result, min_charts=5)
    assert (SCREENSHOTS / "report-small.png").stat().st_size > 10_000


def test_cli_report_pdf(run_cli: Any, tmp_path: Path) -> None:
    chromium_path()  # skip (or fail under CI) without a browser
    pytest.importorskip("playwright.sync_api")
    out = tmp_path / "pdf"
    result = run_cli("report", SMALL, "-o", out, "--draws", "30", "--model", "compromise", "--pdf")
    assert result.code == 0, result.stderr
    assert (out / "report.html").is_file()
    assert pdf_pages(out / "report.pdf") >= 3
    assert not list(out.glob("*.part"))


@pytest.mark.skipif(not JAPAN_NATO.is_file(), reason="scenarios/japan-nato/scenario.yaml is absent")
def test_japan_nato_report_renders_in_chromium(tmp_path: Path) -> None:
    # the fast models keep the suite quick; `make demo` runs them all
    from accord.analysis.case import analyse_case
    from accord.report.case_report import write_case_report
    from accord.scenario.io import load

    chromium_path()
    report = analyse_case(
        load(JAPAN_NATO),
        draws=40,
        seed=0,
        source=JAPAN_NATO,
        models="compromise,median,bdm",
        mc_models="compromise,median",
        allowed_draws=3,
    )
    html_path = write_case_report(report, tmp_path / "japan-nato", pdf=True)
    text = html_path.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    top = text[: text.index('id="summary"')]
    assert "Bottom line" in top and "The record:" in top
    assert re.search(
        r"(almost no chance|very unlikely|unlikely|roughly even chance|likely|"
        r"very likely|almost certain) \(\d+\u2013\d+ %\)",
        top,
    )
    assert not re.search(r"(?<![\w.:/~-])/(?:work|home|root|tmp|Users)/", text)
    assert pdf_pages(html_path.with_suffix(".pdf")) >= 3
    result = check_in_browser(html_path, SCREENSHOTS / "report-japan-nato.png")
    assert_readable(result, min_charts=8)


@pytest.mark.skipif(not TAIWAN.is_file(), reason="scenarios/taiwan-strait is absent")
def test_taiwan_review_renders_in_chromium(tmp_path: Path) -> None:
    from accord.wargame import Game, default_players, load_wargame
    from accord.wargame.review import write_review

    chromium_path()
    scenario = load_wargame(TAIWAN)
    game = Game(scenario, 3, default_players(scenario)).run()
    # two continuations per alternative: the consequences list is on the page, kept short
    write_review(scenario, game.events, tmp_path / "review", runs=2, seed=0)
    page = tmp_path / "review" / "index.html"
    assert "seeded continuations" in page.read_text(encoding="utf-8")
    result = check_in_browser(page, SCREENSHOTS / "review-taiwan.png")
    assert_readable(result, min_charts=3)
    debrief = tmp_path / "review" / "debrief-jp_nsc.html"
    result = check_in_browser(debrief, SCREENSHOTS / "debrief-taiwan-jp_nsc.png")
    assert result["overflow"] <= 0 and result["smallest"] >= 11
