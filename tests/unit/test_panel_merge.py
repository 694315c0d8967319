"""``accord panel template`` then ``accord panel merge``: aggregates, ranges, elicited values,
blank cells, weights; the merged file validates and runs."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.panel.merge import aggregate
from tests.conftest import DATA, CliResult

SMALL = DATA / "scenarios" / "small.yaml"


def edit_csv(path: Path, changes: dict[tuple[str, str, str], dict[str, str]]) -> None:
    """Set cells of a CSV sheet: (actor, issue, dimension) -> {column: text}."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = list(csv.reader(lines[1:]))
    header = rows[0]
    for row in rows[1:]:
        key = (row[1], row[2], row[3])
        for column, text in changes.get(key, {}).items():
            row[header.index(column)] = text
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(lines[0])
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.fixture
def three_sheets(tmp_path: Path, run_cli: Callable[..., CliResult]) -> list[Path]:
    """Sheets of experts a, b, c from the template; France's office position 0, 10 and 30."""
    r = run_cli("panel", "template", SMALL, "-o", tmp_path, "-e", "a", "-e", "b", "-e", "c")
    assert r.code == 0, r.stderr
    office = ("fr", "office", "scope")
    edit_csv(tmp_path / "a.csv", {office: {"position": "0"}})
    edit_csv(tmp_path / "b.csv", {office: {"position": "10"}})
    edit_csv(tmp_path / "c.csv", {office: {"position": "30"}})
    return [tmp_path / f"{e}.csv" for e in "abc"]


def test_template_then_merge_keeps_the_spread(
    tmp_path: Path, three_sheets: list[Path], run_cli: Callable[..., CliResult]
) -> None:
    from accord.scenario.io import load

    out = tmp_path / "merged.yaml"
    r = run_cli("panel", "merge", SMALL, *three_sheets, "-o", out)
    assert r.code == 0, r.stderr
    merged = load(out)
    fr = next(s for s in merged.issue("office").stances if s.actor == "fr")
    assert fr.position.value == 10
    assert fr.position.range == (0, 30)
    assert fr.position.source == "panel: a, b, c"
    assert fr.position.elicited == {"a": 0, "b": 10, "c": 30}
    assert fr.position.assumed is False
    # the merged file validates and runs
    assert run_cli("validate", out).code == 0
    r = run_cli("forecast", out, "-m", "compromise,median", "-f", "json")
    assert r.code == 0, r.stderr


def test_blank_cells_keep_the_scenario_value(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    from accord.scenario.io import load

    r = run_cli("panel", "template", SMALL, "-o", tmp_path, "-e", "a", "-e", "b", "--format", "csv")
    assert r.code == 0
    blank = {"position": "", "salience": "", "capability": ""}
    for e in "ab":
        edit_csv(tmp_path / f"{e}.csv", {("us", "office", "scope"): blank})
    edit_csv(tmp_path / "a.csv", {("de", "office", "scope"): {"position": "40"}})
    edit_csv(tmp_path / "b.csv", {("de", "office", "scope"): {"position": ""}})
    out = tmp_path / "m.yaml"
    r = run_cli("panel", "merge", SMALL, tmp_path / "a.csv", tmp_path / "b.csv", "-o", out)
    assert r.code == 0, r.stderr
    before, after = load(SMALL), load(out)
    us_before = before.issue("office").stances[0]
    us_after = after.issue("office").stances[0]
    assert us_after.position == us_before.position  # nobody answered: unchanged
    assert us_after.salience == us_before.salience
    de = after.issue("office").stances[2]
    assert de.position.value == 40 and de.position.elicited == {"a": 40}
    assert de.position.source == "panel: a"


def test_several_dimensions_and_salience_scale(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    from accord.scenario.io import load

    run_cli("panel", "template", SMALL, "-o", tmp_path, "-e", "a", "-e", "b", "--format", "csv")
    edit_csv(tmp_path / "a.csv", {("fr", "office", "scope"): {"salience": "0.5"}})
    edit_csv(tmp_path / "b.csv", {("fr", "office", "scope"): {"salience": "0.9"}})
    edit_csv(tmp_path / "a.csv", {("fr", "cooperation", "space"): {"position": "1"}})
    edit_csv(tmp_path / "b.csv", {("fr", "cooperation", "space"): {"position": ""}})
    out = tmp_path / "m.yaml"
    r = run_cli("panel", "merge", SMALL, tmp_path / "a.csv", tmp_path / "b.csv", "-o", out)
    assert r.code == 0, r.stderr
    merged = load(out)
    fr = merged.issue("office").stances[1]
    # salience_scale 100: the sheets' 0..1 answers are scaled back
    assert fr.salience.value == 70 and fr.salience.range == (50, 90)
    assert fr.salience.elicited == {"a": 50, "b": 90}
    coop = merged.issue("cooperation").stances[1]
    assert coop.position.value == [4, 1]
    assert coop.position.elicited == {"a": [4, 1], "b": [4, None]}


def test_aggregates_and_confidence_weights() -> None:
    assert aggregate([0, 10, 30], [1, 1, 1], "median") == 10
    assert aggregate([0, 10, 30, 40], [1, 1, 1, 1], "median") == 20
    assert aggregate([0, 10, 30], [1, 1, 1], "mean") == pytest.approx(40 / 3)
    # trimmed: one dropped from each end for n < 10 -> the median of three
    assert aggregate([0, 10, 30], [1, 1, 1], "trimmed") == 10
    assert aggregate([0, 10, 20, 30, 100], [1, 1, 1, 1, 1], "trimmed") == 20
    # weighted median: 30 carries more than half the weight
    assert aggregate([0, 10, 30], [0.1, 0.1, 1.0], "median") == 30
    assert aggregate([0, 30], [0.5, 1.0], "mean") == pytest.approx(20)


def test_merge_with_confidence_weights(
    tmp_path: Path, three_sheets: list[Path], run_cli: Callable[..., CliResult]
) -> None:
    from accord.scenario.io import load

    edit_csv(three_sheets[2], {("fr", "office", "scope"): {"confidence": "1"}})
    for p in three_sheets[:2]:
        edit_csv(p, {("fr", "office", "scope"): {"confidence": "0.2"}})
    out = tmp_path / "w.yaml"
    r = run_cli(
        "panel", "merge", SMALL, *three_sheets, "-o", out, "-a", "mean", "--weights", "confidence"
    )
    assert r.code == 0, r.stderr
    fr = load(out).issue("office").stances[1]
    assert fr.position.value == pytest.approx((0 * 0.2 + 10 * 0.2 + 30) / 1.4, abs=1e-6)
    r = run_cli("panel", "merge", SMALL, *three_sheets, "-o", out, "-a", "mode")
    assert r.code == 2
    assert "expected median | mean | trimmed" in " ".join(r.stderr.split())


def test_xlsx_template_round_trips(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    from openpyxl import load_workbook

    from accord.panel.sheets import read_sheet
    from accord.scenario.io import load

    r = run_cli("panel", "template", SMALL, "-o", tmp_path, "-e", "a", "--format", "xlsx")
    assert r.code == 0
    wb = load_workbook(tmp_path / "a.xlsx")
    ws = wb["answers"]
    assert [c.value for c in ws[1]][:4] == ["expert", "actor", "issue", "dimension"]
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "decimal"} <= kinds
    assert any("lists!$A$1" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    scales = {
        (dv.formula1, dv.formula2)
        for dv in ws.data_validations.dataValidation
        if dv.type == "decimal"
    }
    assert ("0", "100") in scales and ("0", "10") in scales
    assert wb["README"]["A1"].value == "# accord panel sheet for scenario small-alliance"
    header = [c.value for c in wb["README"]["A"] if c.value]
    assert "Issue 'office': Open a liaison office. Status quo: 0." in header
    assert "  dimension 'scope': 0 = no office .. 100 = full office (points)" in header
    readme = (tmp_path / "README-panel.md").read_text(encoding="utf-8")
    assert "Status quo: 2, 1." in readme and "0 = low .. 10 = high" in readme
    assert ws.cell(row=3, column=5).fill.start_color.rgb.endswith("DDDDDD")  # pre-filled, marked
    assert str(ws.cell(row=3, column=9).value).startswith("pre-filled from the scenario")
    ws.cell(row=3, column=5, value=25)  # France's office position
    wb.save(tmp_path / "a.xlsx")
    answers = read_sheet(tmp_path / "a.xlsx", load(SMALL))
    fr = next(a for a in answers if a.actor == "fr" and a.issue == "office")
    assert fr.position == 25 and fr.line == 3 and fr.salience == pytest.approx(0.7)


def test_the_shipped_illustrative_panel_reads_and_merges() -> None:
    from accord.panel.merge import merge_panel
    from accord.panel.sheets import read_panel
    from accord.scenario.io import load
    from tests.conftest import SCENARIOS

    folder = SCENARIOS / "japan-nato" / "panel-example"
    sheets = sorted(folder.glob("illustrative-*.csv"))
    assert len(sheets) == 3
    for sheet in sheets:
        text = sheet.read_text(encoding="utf-8")
        answered = [r for r in text.splitlines()[2:] if ",,,,ILLUSTRATIVE" not in r]
        assert answered and all("ILLUSTRATIVE" in r for r in answered)
    assert "not from real experts" in (folder / "README.md").read_text(encoding="utf-8")
    scenario = load(SCENARIOS / "japan-nato" / "scenario.yaml")
    panel = read_panel(sheets, scenario)
    merged = merge_panel(scenario, panel)
    fra = next(s for s in merged.issue("tokyo-office").stances if s.actor == "fra")
    assert fra.position.value == 10 and fra.position.range == (0, 30)
    assert fra.position.source == "panel: illustrative-1, illustrative-2, illustrative-3"
    # rows nobody answered keep the scenario's value, and capabilities stay sourced
    bel = next(s for s in merged.issue("tokyo-office").stances if s.actor == "bel")
    assert bel == next(s for s in scenario.issue("tokyo-office").stances if s.actor == "bel")
    assert merged.actor("fra").capability == scenario.actor("fra").capability


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=12),
    st.sampled_from(["median", "mean", "trimmed"]),
)
def test_aggregates_stay_within_the_answers(values: list[float], method: str) -> None:
    import numpy as np

    got = aggregate(values, [1.0] * len(values), method)
    assert min(values) - 1e-9 <= got <= max(values) + 1e-9
    if method == "median":
        assert got == pytest.approx(float(np.median(values)), abs=1e-9)
    # the same answers in another order give the same aggregate
    assert aggregate(values[::-1], [1.0] * len(values), method) == pytest.approx(got, abs=1e-9)
