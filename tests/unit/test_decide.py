"""The decide (exchange model) importer and exporter: tests/data/stokman."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from accord.errors import ScenarioError, UsageError
from accord.scenario import io
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import decide
from accord.scenario.validate import check

STOKMAN = Path(__file__).parents[1] / "data" / "stokman"
FILES = sorted([*STOKMAN.glob("*.csv"), *STOKMAN.glob("*.txt")])


def records(path: Path, tag: str) -> list[list[str]]:
    """The file's rows of one tag, read independently of the importer (csv, tab, quote ')."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quotechar="'"))
    return [row[1:] for row in rows if row and row[0] == tag]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shipped_file_matches_its_rows(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert decide.sniff(text)
    (scenario,) = decide.read(text, path.name)
    assert check(scenario) == []
    actors, issues, data = records(path, "#A"), records(path, "#P"), records(path, "#D")
    assert [a.name for a in scenario.actors] == [row[1] for row in actors]
    assert [i.name for i in scenario.issues] == [row[1] for row in issues]
    assert sum(len(i.stances) for i in scenario.issues) == len(data)
    assert {i.salience_scale for i in scenario.issues} == {1.0}
    by_name = {a.name: a for a in scenario.actors}
    for issue_row, issue in zip(issues, scenario.issues, strict=True):
        rows = [r for r in data if r[1] == issue_row[0]]
        arrays = issue_arrays(scenario, issue.id)
        np.testing.assert_array_equal(arrays.positions[:, 0], [float(r[2]) for r in rows])
        np.testing.assert_array_equal(arrays.saliences[:, 0], [float(r[3]) for r in rows])
        points = [float(r[1]) for r in records(path, "#M") if r[0] == issue_row[0]]
        assert (issue.dimensions[0].lo, issue.dimensions[0].hi) == (min(points), max(points))
        for row in rows:  # power is constant per actor in these files: it is the capability
            assert by_name[row[0]].capability.value == float(row[4])
    assert all(not a.attributes and not a.capability.assumed for a in scenario.actors)


def test_sample_data_details() -> None:
    scenario = io.load(STOKMAN / "sample_data.txt")
    tol = scenario.issue("tol-hoogte")
    assert (tol.dimensions[0].lo, tol.dimensions[0].hi) == (0.5, 7.0)
    assert scenario.issue("wanneer-tol").description == "Wat is dit voor onzin?"
    assert scenario.actor("Willems").description == "Test"
    assert scenario.id == "sample_data"
    first = tol.stances[0]
    assert first.position.source == "sample_data.txt, line 30"
    assert first.position.value == 3.0 and first.salience.value == 0.7


def test_copenhagen_ids_are_sanitised() -> None:
    scenario = io.load(STOKMAN / "copenhagen.csv")
    eu = next(a for a in scenario.actors if a.name == "EU (incl Norway)")
    assert eu.id == "EU-incl-Norway"
    assert scenario.issues[0].stances[1].actor == "EU-incl-Norway"


VARYING = """'#A';'a';'Alpha';''
'#A';'b';'Beta';''
'#P';'x';'X';''
'#M';'x';0;'none'
'#M';'x';10;'all'
'#P';'y';'Y';''
'#M';'y';0
'#M';'y';100
'#D';'a';'x';2;0.5;0.2
'#D';'a';'y';80;0.9;0.6
'#D';'b';'x';9;0.4;0.3
'#D';'b';'y';10;0.2;0.3
"""


def test_power_varying_per_issue_becomes_mean_with_range_and_attributes() -> None:
    (scenario,) = decide.read(VARYING, "varying.csv")
    alpha = scenario.actor("a")
    assert alpha.capability.value == pytest.approx(0.4)
    assert alpha.capability.assumed is True
    assert alpha.capability.range == (0.2, 0.6)
    assert {k: v.value for k, v in alpha.attributes.items()} == {"power_x": 0.2, "power_y": 0.6}
    beta = scenario.actor("b")
    assert beta.capability.value == 0.3 and not beta.capability.assumed and not beta.attributes
    dim = scenario.issue("x").dimensions[0]
    assert (dim.lo, dim.hi, dim.lo_label, dim.hi_label) == (0.0, 10.0, "none", "all")


def test_write_read_round_trip() -> None:
    for path in [*FILES]:
        (scenario,) = decide.read(path.read_text(encoding="utf-8"), path.name)
        (again,) = decide.read(decide.write(scenario), path.name)
        for issue in scenario.issues:
            a, b = issue_arrays(scenario, issue.id), issue_arrays(again, issue.id)
            np.testing.assert_array_equal(a.positions, b.positions)
            np.testing.assert_array_equal(a.saliences, b.saliences)
            np.testing.assert_array_equal(a.capabilities, b.capabilities)
            np.testing.assert_array_equal(a.lo, b.lo)
            np.testing.assert_array_equal(a.hi, b.hi)
    (scenario,) = decide.read(VARYING, "v.csv")
    (again,) = decide.read(decide.write(scenario), "v.csv")
    assert again.actor("a").attributes["power_y"].value == 0.6
    assert decide.write(scenario, "y").count("'#D'") == 2


def test_write_refuses_multidimensional_issues() -> None:
    scenario = io.load(Path(__file__).parents[1] / "data" / "scenarios" / "small.yaml")
    with pytest.raises(UsageError, match="'cooperation' has 2 dimensions"):
        decide.write(scenario)
    assert "'#D'\t'us'\t'office'\t80\t0.6\t100" in decide.write(scenario, "office")


def test_double_quotes_and_semicolons() -> None:
    text = VARYING.replace("'", '"')
    (scenario,) = decide.read(text, "dq.csv")
    assert [a.name for a in scenario.actors] == ["Alpha", "Beta"]
    assert decide.sniff(text)
    assert not decide.sniff("Actor,Capability,Position,Salience\n")
    assert not decide.sniff("id: x\n")


@pytest.mark.parametrize(
    ("old", "new", "line", "message", "expected"),
    [
        ("'#D';'b';'x';9", "'#D';'c';'x';9", 11, "data row for unknown actor 'c'", "#A"),
        ("'#D';'b';'x';9", "'#D';'b';'z';9", 11, "unknown issue 'z'", "#P"),
        ("'#D';'b';'x';9", "'#D';'b';'x';nine", 11, "'nine' is not a number", "a number"),
        ("'#D';'b';'x';9", "'#D';'b';'x';11", 11, "position 11 is outside the scale", "0..10"),
        ("'#D';'b';'x';9;0.4", "'#D';'b';'x';9;-0.4", 11, "salience -0.4 is negative", "0..1"),
        ("'#D';'b';'x';9;0.4;0.3", "'#D';'b';'x';9;0.4", 11, "power is missing", "power"),
        ("'#D';'b';'y';10", "'#D';'a';'y';10", 12, "second data row for actor 'a'", "one '#D'"),
        ("'#A';'b'", "'#X';'b'", 2, "unknown record '#X'", "'#A', '#P', '#M' or '#D'"),
        ("'#A';'b'", "'#A';'a'", 2, "duplicate actor 'a' (first on line 1)", "each actor once"),
    ],
)
def test_errors_name_file_line_and_expectation(
    old: str, new: str, line: int, message: str, expected: str
) -> None:
    assert old in VARYING
    with pytest.raises(ScenarioError) as info:
        decide.read(VARYING.replace(old, new, 1), "bad.csv")
    err = info.value
    assert err.location.file == "bad.csv"
    assert err.location.line == line
    assert message in err.message
    assert err.expected is not None and expected in err.expected


def test_issue_without_data_and_without_scale() -> None:
    text = VARYING + "'#P';'z';'Z';''\n"
    with pytest.raises(ScenarioError, match="issue 'z' has no data rows"):
        decide.read(text, "nodata.csv")
    text = VARYING.replace("'#M';'y';0\n'#M';'y';100\n", "")
    (scenario,) = decide.read(text, "noscale.csv")
    y = scenario.issue("y")
    assert (y.dimensions[0].lo, y.dimensions[0].hi) == (0.0, 100.0)
    assert y.description is not None and "0..100 is assumed" in y.description
