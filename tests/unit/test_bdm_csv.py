"""Tests of the BDM CSV importer and exporter (accord.scenario.importers.bdm_csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import ScenarioError, UsageError
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import bdm_csv
from accord.scenario.schema import Scenario

DATA = Path(__file__).parents[1] / "data"
BDM = DATA / "bdm"
FILES = sorted(p.name for p in BDM.glob("*.csv"))


def load(name: str) -> Scenario:
    path = BDM / name
    scenarios = bdm_csv.read(path.read_text(), path.name)
    assert len(scenarios) == 1
    return scenarios[0]


def test_all_four_files_present() -> None:
    assert FILES == [
        "china_democratization.csv",
        "emission_standards.csv",
        "honduras_crisis.csv",
        "sultan.csv",
    ]


def test_emission_standards() -> None:
    scenario = load("emission_standards.csv")
    assert scenario.id == "emission_standards"
    assert len(scenario.actors) == 10 and len(scenario.issues) == 1
    issue = scenario.issues[0]
    (dim,) = issue.dimensions
    assert (dim.lo, dim.hi) == (4.0, 10.0)
    assert issue.salience_scale == 1.0
    netherlands = scenario.actors[0]
    assert netherlands.id == "Netherlands" and netherlands.name == "Netherlands"
    assert netherlands.capability.value == 0.08
    assert netherlands.capability.source == "emission_standards.csv, line 2"
    assert netherlands.capability.assumed is False
    greece = issue.stances[-1]
    assert greece.actor == "Greece"
    assert greece.position.value == 7.0 and greece.salience.value == 0.7
    assert greece.position.source == "emission_standards.csv, line 11"
    assert not greece.position.assumed and not greece.salience.assumed
    arrays = issue_arrays(scenario, issue.id)
    np.testing.assert_allclose(arrays.positions[:, 0], [4, 7, 4, 4, 10, 10, 10, 7, 4, 7])
    np.testing.assert_allclose(arrays.saliences[:2, 0], [0.8, 0.4])


def test_china_uses_synonyms_and_percent_saliences() -> None:
    scenario = load("china_democratization.csv")
    issue = scenario.issues[0]
    assert issue.salience_scale == 100.0
    assert (issue.dimensions[0].lo, issue.dimensions[0].hi) == (0.0, 100.0)
    ids = [a.id for a in scenario.actors]
    assert "Hong-Kong" in ids and "STU-INTEL" in ids
    assert scenario.actor("Hong-Kong").name == "Hong Kong"
    arrays = issue_arrays(scenario, issue.id)
    assert arrays.saliences.max() <= 1.0
    assert arrays.saliences[0, 0] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("name", "scale"),
    [("honduras_crisis.csv", (0.0, 1.0)), ("sultan.csv", (12.85, 14.25))],
)
def test_scale_choice(name: str, scale: tuple[float, float]) -> None:
    dim = load(name).issues[0].dimensions[0]
    assert (dim.lo, dim.hi) == scale


@pytest.mark.parametrize("name", FILES)
def test_sniff_and_validate(name: str) -> None:
    assert bdm_csv.sniff((BDM / name).read_text())
    validate = pytest.importorskip("accord.scenario.validate")
    assert validate.check(load(name)) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "accord: 1\nid: x\n",
        "Actor,Capability,Position\nA,1,2\n",
        "Actor,Capability,Position,Salience,Extra\n",
        (DATA / "ktab" / "SOE-Policy.csv").read_text(),
    ],
)
def test_sniff_rejects_other_content(text: str) -> None:
    assert not bdm_csv.sniff(text)


def test_sniff_accepts_any_order_case_and_bom() -> None:
    assert bdm_csv.sniff("\ufeff salience , POSITION,resources,Stakeholder\n")


@pytest.mark.parametrize("name", FILES)
def test_round_trip_files(name: str) -> None:
    scenario = load(name)
    text = bdm_csv.write(scenario)
    assert text.splitlines()[0] == "Actor,Capability,Position,Salience"
    again = bdm_csv.read(text, name)[0]
    assert again == scenario


HEADER = "Actor,Capability,Position,Salience\n"


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        bdm_csv.read(text, "case.csv")
    err = info.value
    assert err.location.file == "case.csv"
    assert err.expected
    assert "Traceback" not in str(err)
    return err


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [
        ("A,1,2,0.5\nB,1,3,\n", 3, "Salience", "missing"),
        ("A,1,2,0.5\nB,1,3\n", 3, "Salience", "missing"),
        ("A,1,2,0.5\nB,1,three,0.5\n", 3, "Position", "'three' is not a number"),
        ("A,1,2,0.5\nB,-1,3,0.5\n", 3, "Capability", "negative"),
        ("A,1,2,0.5\nB,1,3,nan\n", 3, "Salience", "finite"),
        ("A,1,2,0.5\nB,1,3,150\n", 3, "Salience", "outside"),
        ("A,1,2,0.5\n", 2, "Actor", "1 actor"),
        ("A,1,2,0.5\nB,1,3,0.5\nA,2,4,0.1\n", 4, "Actor", "duplicate actor 'A'"),
        ("A,1,2,0.5\n,1,3,0.5\n", 3, "Actor", "missing"),
    ],
)
def test_errors_name_file_line_and_column(body: str, line: int, field: str, words: str) -> None:
    err = _error(HEADER + body)
    assert err.location.line == line
    assert err.location.field == field
    assert words in err.message
    assert f"case.csv:{line}" in str(err)


def test_error_uses_the_files_own_column_name() -> None:
    err = _error("Stakeholder,Resources,Position,Salience\nA,x,1,1\nB,1,1,1\n")
    assert err.location.field == "Resources" and err.location.line == 2


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("Actor,Capability,Position\nA,1,2\n", "missing column 'Salience'"),
        ("Actor,Capability,Position,Salience,Colour\n", "unknown column 'Colour'"),
        ("Actor,Power,Capability,Position,Salience\n", "twice"),
        (HEADER, "0 actor"),
        (HEADER + "A,1,2,0.5,9\nB,1,3,0.5\n", "5 values"),
    ],
)
def test_structural_errors(text: str, words: str) -> None:
    assert words in _error(text).message


def test_trailing_comma_and_blank_lines_are_fine() -> None:
    text = "Actor,Capability,Position,Salience,\n\nA,1,2,0.5,\n\nB,2,3,0.25,\n"
    scenario = bdm_csv.read(text, "ok.csv")[0]
    assert [a.id for a in scenario.actors] == ["A", "B"]
    assert scenario.issues[0].stances[1].position.source == "ok.csv, line 5"


def test_id_clashes_get_suffixes() -> None:
    text = HEADER + 'A B,1,2,0.5\nA/B,1,3,0.5\n"C, Ltd",1,4,0.5\n'
    scenario = bdm_csv.read(text, "dir/clash file.csv")[0]
    assert [a.id for a in scenario.actors] == ["A-B", "A-B-2", "C-Ltd"]
    assert scenario.actors[2].name == "C, Ltd"
    assert scenario.id == "clash-file"
    assert bdm_csv.read(bdm_csv.write(scenario), "dir/clash file.csv")[0] == scenario


def test_write_rejects_multi_dimensional_and_ambiguous_issues() -> None:
    scenario = load("emission_standards.csv")
    issue = scenario.issues[0]
    two_dims = issue.model_copy(
        update={
            "dimensions": [issue.dimensions[0], issue.dimensions[0].model_copy(update={"id": "b"})]
        }
    )
    with pytest.raises(UsageError, match="dimensions"):
        bdm_csv.write(scenario.model_copy(update={"issues": [two_dims]}))
    second = issue.model_copy(update={"id": "other"})
    both = scenario.model_copy(update={"issues": [issue, second]})
    with pytest.raises(UsageError, match="2 issues"):
        bdm_csv.write(both)
    assert bdm_csv.write(both, "other") == bdm_csv.write(scenario)
    with pytest.raises(UsageError, match="no issue"):
        bdm_csv.write(both, "missing")


def test_write_percent_scale_with_small_values_goes_to_unit_scale() -> None:
    scenario = load("emission_standards.csv")
    issue = scenario.issues[0].model_copy(update={"salience_scale": 100.0})
    scaled = scenario.model_copy(update={"issues": [issue]})
    again = bdm_csv.read(bdm_csv.write(scaled), "emission_standards.csv")[0]
    np.testing.assert_allclose(
        issue_arrays(again, again.issues[0].id).saliences,
        issue_arrays(scaled, issue.id).saliences,
    )


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\r\n\x00", exclude_categories=["Cs"]),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s != "")
numbers = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(names, numbers, st.floats(-1e6, 1e6), st.floats(0, 100)),
        min_size=2,
        max_size=8,
        unique_by=lambda row: row[0],
    )
)
def test_round_trip_property(rows: list[tuple[str, float, float, float]]) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Actor", "Capability", "Position", "Salience"])
    writer.writerows([[n, repr(c), repr(x), repr(s)] for n, c, x, s in rows])
    scenario = bdm_csv.read(out.getvalue(), "prop.csv")[0]
    assert [a.name for a in scenario.actors] == [r[0] for r in rows]
    assert len({a.id for a in scenario.actors}) == len(rows)
    again = bdm_csv.read(bdm_csv.write(scenario), "prop.csv")[0]
    assert again == scenario
    arrays = issue_arrays(scenario, scenario.issues[0].id)
    np.testing.assert_array_equal(arrays.positions[:, 0], [r[2] for r in rows])
    assert ((arrays.saliences >= 0) & (arrays.saliences <= 1)).all()
