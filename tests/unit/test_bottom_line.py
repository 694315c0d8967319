"""The decision-maker page: ICD 203 terms, the confidence rule, signposts, options, the record
beside the forecast and no machine path anywhere in the output."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from accord.analysis.bottom_line import (
    ICD203,
    confidence,
    count_numbers,
    icd203,
    record_agrees,
)
from accord.analysis.case import analyse_case
from accord.report.case_report import CaseReport, render_case_report
from accord.report.html import display_path, scrub_paths
from accord.scenario.io import load

SMALL = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "small.yaml"


@pytest.mark.parametrize(
    ("p", "term"),
    [
        (0.0, "almost no chance"),
        (0.049, "almost no chance"),
        (0.05, "very unlikely"),
        (0.19, "very unlikely"),
        (0.2, "unlikely"),
        (0.5, "roughly even chance"),
        (0.55, "likely"),
        (0.8, "very likely"),
        (0.949, "very likely"),
        (0.95, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_icd203_terms(p: float, term: str) -> None:
    found, lo, hi = icd203(p)
    assert found == term
    assert (found, lo, hi) in ICD203


def test_icd203_ranges_tile_1_to_99() -> None:
    for (_, _, hi), (_, lo, _) in itertools.pairwise(ICD203):
        assert hi == lo
    assert ICD203[0][1] == 1 and ICD203[-1][2] == 99


def test_confidence_rule() -> None:
    assert confidence(0.9, 0.05) == "high"
    assert confidence(0.9, 0.3) == "moderate"  # sourced, but the models disagree
    assert confidence(0.5, 0.0) == "moderate"
    assert confidence(0.2, 0.0) == "low"  # mostly assumed
    assert confidence(0.9, 0.5) == "low"  # models far apart


def test_record_agrees() -> None:
    assert record_agrees("blocked", 0.1)
    assert not record_agrees("blocked", 0.9)
    assert record_agrees("passes_with_reservations", 0.7)


def test_count_numbers_kinds() -> None:
    scenario = load(SMALL)
    numbers = count_numbers(scenario)
    kinds = {n.kind for n in numbers}
    assert "sourced" in kinds and "assumed" in kinds
    assumed = sum(
        int(s.position.assumed) + int(s.salience.assumed)
        for i in scenario.issues
        for s in i.stances
    )
    assert sum(n.kind == "assumed" for n in numbers) >= assumed


def test_scrub_paths_removes_absolute_paths_only() -> None:
    text = "see /work/shared/brief/README.md and https://example.org/a/b and 12/07/2023 </td>"
    clean = scrub_paths(text)
    assert "/work/shared" not in clean
    assert "brief/README.md" in clean
    assert "https://example.org/a/b" in clean and "12/07/2023" in clean and "</td>" in clean
    inline = 'href="data:image/png;base64,iVBO+/9k/Rw==/x+/abc/def"'
    assert scrub_paths(inline) == inline  # an inline PNG is left alone
    assert display_path("scenarios/x.yaml") == "scenarios/x.yaml"
    assert not display_path(Path.cwd() / "scenarios" / "x.yaml").startswith("/")


@pytest.fixture(scope="module")
def report() -> CaseReport:
    return analyse_case(
        load(SMALL),
        source=SMALL.resolve(),
        models="compromise,median",
        mc_models="compromise,median",
        draws=60,
    )


def test_bottom_line_comes_first_with_icd_terms(report: CaseReport) -> None:
    html = render_case_report(report)
    top = html.index('id="bottom-line"')
    assert top < html.index('id="summary"') < html.index('id="issue-office"')
    page = html[top : html.index('id="summary"')]
    line = report.bottom_lines["office"]
    assert line.probability is not None and line.term is not None
    lo, hi = line.range_percent or (0, 0)
    assert f"{line.term} ({lo}\u2013{hi} %)" in page
    # the probability is the Monte Carlo's adoption share under the procedure
    mc = report.montecarlo
    assert not hasattr(mc, "reason")
    shares = [
        sum(o in ("passes", "passes_with_reservations", "passes_with_opt_outs") for o in outs)
        / len(outs)
        for outs in (mu.procedure.outcomes for mu in mc.issue("office").models if mu.procedure)  # type: ignore[union-attr]
    ]
    assert line.probability == pytest.approx(sum(shares) / len(shares))
    assert f"Confidence: <b>{line.confidence}</b>" in page
    assert "The numbers behind this report" in page and 'href="#numbers"' in page
    assert 'id="numbers"' in html
    assert "France" in page  # who would object, by name


def test_no_absolute_path_in_outputs(report: CaseReport, tmp_path: Path) -> None:
    from accord.report.case_report import write_case_report

    path = write_case_report(report, tmp_path / "out")
    for file in (path, path.with_name("report.json")):
        text = file.read_text(encoding="utf-8")
        assert str(SMALL.resolve().parent) not in text
        assert not re.search(r"(?<![\w.:/~-])/(?:work|home|tmp|root|Users)/", text), file


def test_japan_nato_bottom_line_has_record_and_options() -> None:
    root = Path(__file__).resolve().parents[2]
    source = root / "scenarios" / "japan-nato" / "scenario.yaml"
    if not source.is_file():
        pytest.skip("scenarios/japan-nato is absent")
    from accord.analysis.bottom_line import bottom_line
    from accord.analysis.montecarlo import monte_carlo

    scenario = load(source)
    mc = monte_carlo(scenario, "compromise", issues=["tokyo-office"], draws=30, seed=0)
    line = bottom_line(scenario, "tokyo-office", mc.issue("tokyo-office"))
    assert line.term is not None and line.procedure == "practised"
    labels = [o.label for o in line.options]
    assert "liaison officer" in labels  # the anchor named in the unit
    officer = next(o for o in line.options if o.label == "liaison officer")
    # reached from halfway between the next weaker named point and the anchor, not at it
    assert officer.value is not None and officer.threshold is not None
    assert officer.threshold < officer.value
    outcome = mc.issue("tokyo-office").models[0]
    from accord.analysis.bottom_line import adoption

    threshold = officer.threshold
    allowed, outcomes = outcome.allowed[:, 0], outcome.outcomes[:, 0]
    expected = (allowed >= threshold) | (adoption(outcome) & (outcomes >= threshold))
    assert officer.p_reached == pytest.approx(float(expected.mean()))
    assert any(o.issue == "japan-mission" for o in line.options)  # the lesser format
    assert "fra" in line.objectors
    assert scenario.issue("tokyo-office").record is not None


def test_reach_threshold_is_the_midpoint_to_the_next_weaker_point() -> None:
    from accord.analysis.bottom_line import reach_threshold

    assert reach_threshold(60, [0, 30, 60], up=True) == 45
    assert reach_threshold(30, [0, 30, 60], up=True) == 15
    assert reach_threshold(40, [100, 70, 40], up=False) == 55
    assert reach_threshold(10, [10], up=True) == 10  # nothing weaker: the anchor itself


def test_forecast_tables_show_the_80_percent_interval(report: CaseReport) -> None:
    """Outside the calibration domain the report says so and shows the Monte Carlo 10%-90%
    range of each model's forecast, marked uncalibrated (issue 18)."""
    html = render_case_report(report)
    assert "80% interval</th>" in html
    mc = report.montecarlo
    q = mc.issue("office").models[0].outcome_summary[0].quantiles  # type: ignore[union-attr]
    assert q["q10"] <= q["q50"] <= q["q90"]
    assert f"{q['q10']:.3g}-{q['q90']:.3g} (uncalibrated)" in html
    assert "outside that domain" in html
