"""The case report: one self-contained, escaped, reproducible HTML file with every section."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accord.analysis.case import analyse_case
from accord.report.case_report import (
    CaseReport,
    Unavailable,
    render_case_report,
    write_case_report,
)
from accord.scenario.io import load
from accord.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
SMALL = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "small.yaml"
FAST = {"models": "compromise,median", "mc_models": "compromise", "draws": 40}


@pytest.fixture(scope="module")
def small_report() -> CaseReport:
    return analyse_case(load(SMALL), source=SMALL, **FAST)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def small_html(small_report: CaseReport) -> str:
    return render_case_report(small_report)


def test_report_is_self_contained(small_html: str) -> None:
    assert small_html.startswith("<!doctype html>")
    assert "<script" not in small_html.lower()
    assert "<link" not in small_html.lower()
    assert "<img" not in small_html.lower()
    # nothing is fetched: every src/href is a fragment (namespace URIs are not fetched)
    for attr, value in re.findall(r'\b(src|href)="([^"]*)"', small_html):
        assert value.startswith("#"), f"{attr}={value}"
    assert "url(http" not in small_html and "@import" not in small_html


def test_every_section_is_there(small_html: str) -> None:
    for anchor in ("summary", "issue-office", "issue-cooperation", "deals", "gaps", "programmes"):
        assert f'id="{anchor}"' in small_html
    assert "Blockers and what it would take" in small_html
    assert "Uncertainty (Monte Carlo)" in small_html
    assert "distribution of the forecast" in small_html  # the 1-D histogram
    assert "spread of the forecast" in small_html  # the 2-D spread chart
    assert "which assumptions drive" in small_html
    # small.yaml has no threat data and no programmes file: said so, not hidden
    gaps = small_html.split('id="gaps"')[1].split("<h2")[0]
    assert "Not available" in gaps
    programmes = small_html.split('id="programmes"')[1].split("<h2")[0]
    assert "Not available" in programmes


def test_charts_are_inline_svg_with_labelled_scales(small_html: str) -> None:
    svgs = re.findall(r"<svg\b[^>]*>", small_html)
    assert len(svgs) >= 6
    for tag in svgs:
        assert re.search(r'width="[\d.]+pt"', tag) and re.search(r'height="[\d.]+pt"', tag)
    # the office scale's labelled ends and unit appear in the chart text
    assert "no office" in small_html and "full office" in small_html
    assert "scope (points)" in small_html


def test_office_blocker_and_what_it_would_take(small_report: CaseReport, small_html: str) -> None:
    analysis = small_report.deadlocks["office"]
    assert not isinstance(analysis, Unavailable)
    data = analysis.to_json_dict()
    assert data["blockers"] == ["fr"]
    office = small_html.split('id="issue-office"')[1].split("<h2")[0]
    assert "France" in office and "would accept from" in office


def test_rendering_is_reproducible(small_report: CaseReport) -> None:
    again = analyse_case(load(SMALL), source=SMALL, **FAST)  # type: ignore[arg-type]
    assert render_case_report(again) == render_case_report(small_report)


def test_user_text_is_escaped() -> None:
    data = load(SMALL).model_dump()
    data["title"] = "Evil <script>alert(1)</script> & co"
    data["issues"][0]["name"] = "Office <b>bold</b>"
    data["actors"][1]["name"] = 'France "<i>"'
    scenario = Scenario.model_validate(data)
    text = render_case_report(analyse_case(scenario, **FAST))  # type: ignore[arg-type]
    assert "<script>" not in text and "<b>bold</b>" not in text and '"<i>"' not in text
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    assert "Office &lt;b&gt;bold&lt;/b&gt;" in text


def test_a_failing_analysis_does_not_lose_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    import accord.analysis.package_deals as deals

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(deals, "find_package_deals", broken)
    report = analyse_case(load(SMALL), **FAST)  # type: ignore[arg-type]
    assert isinstance(report.deals, Unavailable)
    assert any("boom" in p for p in report.problems)
    html = render_case_report(report)
    assert "boom" in html and 'id="issue-office"' in html


def test_write_case_report_writes_html_and_json(small_report: CaseReport, tmp_path: Path) -> None:
    path = write_case_report(small_report, tmp_path / "out")
    assert path == tmp_path / "out" / "report.html"
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert data["scenario"] == "small-alliance"
    assert data["montecarlo"]["draws"] == 40
    assert data["perception_gaps"]["available"] is False


def test_cli_report(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "rep"
    result = run_cli(
        "report", SMALL, "-o", out, "--draws", "20", "--model", "compromise",
        "--mc-model", "compromise",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert (out / "report.html").is_file() and "report.html" in result.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--draws", "0"), "--draws"),
        (("--rule", "eu-nice"), "council_votes"),
        (("--rule", "nope"), "unknown rule"),
        (("--model", "nope"), "unknown model"),
    ],
)
def test_cli_report_bad_arguments(
    run_cli: Callable[..., Any], tmp_path: Path, extra: tuple[str, ...], message: str
) -> None:
    result = run_cli("report", SMALL, "-o", tmp_path / "r", "--draws", "10", *extra)
    assert result.code == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r" / "report.html").exists()


def test_cli_report_unwritable_output(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli("report", SMALL, "-o", blocker / "sub", "--draws", "10")
    assert result.code == 2
    assert "cannot write" in result.stderr
    result = run_cli("report", SMALL, "-o", blocker, "--draws", "10")
    assert result.code == 2
    assert "is a file" in result.stderr


def test_cli_report_missing_file(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    result = run_cli("report", tmp_path / "nope.yaml", "-o", tmp_path / "r")
    assert result.code == 2
    assert "nope.yaml" in result.stderr


def test_body_helpers_merge_collapse_and_drop_dull_columns() -> None:
    import numpy as np

    from accord.report.case_issue import (
        _collapse_rows,
        _informative,
        _merge_coinciding,
        _merge_coinciding_arrays,
    )

    merged = _merge_coinciding({"compromise": 60.0, "median": 60.0, "bdm": 31.0})
    assert merged == {"compromise = median": 60.0, "bdm": 31.0}
    arrays = _merge_coinciding_arrays({"a": np.array([1.0, 2.0]), "b": np.array([1.0, 2.0])})
    assert list(arrays) == ["a = b"]
    rows = [["a1", "1", "2"], ["a2", "1", "2"], ["a3", "5", "2"]]
    assert _collapse_rows(rows) == [["2 dimensions: a1, a2", "1", "2"], ["a3", "5", "2"]]
    head = ["blocker", "salience"]
    dull = [["France", "no salience change suffices"], ["Germany", "no salience change suffices"]]
    assert _informative(head, dull, {1: "no salience change suffices"}) == [0]
    mixed = [*dull, ["Italy", "0.2"]]
    assert _informative(head, mixed, {1: "no salience change suffices"}) == [0, 1]


def test_the_report_renders_and_does_not_analyse() -> None:
    """Issue 17: analyses are computed in analysis/ and rendered in report/."""
    import ast

    report_dir = ROOT / "src" / "accord" / "report"
    computing = {
        "forecast",
        "monte_carlo",
        "analyse_deadlock",
        "find_package_deals",
        "bottom_line",
        "analyse_case",
        "perception_gaps",
        "diff_programmes",
    }
    for path in report_dir.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        called = {
            node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
        }
        assert not called & computing, (path.name, called & computing)
