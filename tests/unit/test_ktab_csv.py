"""The KTAB CSV importer and exporter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import ScenarioError, UsageError
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import ktab_csv
from accord.scenario.schema import (
    Actor,
    Dimension,
    Issue,
    Position,
    Quantity,
    Salience,
    Scenario,
    Stance,
)

DATA = Path(__file__).parents[1] / "data"
KTAB = DATA / "ktab"
SHAPES = {
    "dummyData_3Dim.csv": (7, 3),
    "dummyData_3Dim-no-final-comma.csv": (7, 3),
    "SOE-Pol-Comp.csv": (13, 2),
    "SOE-Policy.csv": (26, 1),
    "SOE-Competitive.csv": (34, 1),
    "dummyData_6Dim.csv": (27, 6),
    "dummyData-a040.csv": (40, 1),
    "dummyData-a080.csv": (80, 1),
    "dummyData-a160.csv": (160, 1),
}


def read(name: str) -> Scenario:
    scenarios = ktab_csv.read((KTAB / name).read_text(), name)
    assert len(scenarios) == 1
    return scenarios[0]


def arrays(scenario: Scenario) -> dict[str, np.ndarray]:
    ia = issue_arrays(scenario, scenario.issues[0].id)
    return {
        "positions": ia.positions,
        "saliences": ia.saliences,
        "capabilities": ia.capabilities,
        "lo": ia.lo,
        "hi": ia.hi,
    }


@pytest.mark.parametrize(("name", "shape"), sorted(SHAPES.items()))
def test_reads_every_sample(name: str, shape: tuple[int, int]) -> None:
    text = (KTAB / name).read_text()
    assert ktab_csv.sniff(text)
    scenario = read(name)
    issue = scenario.issues[0]
    ia = issue_arrays(scenario, issue.id)
    assert ia.positions.shape == shape
    assert issue.salience_scale == 100
    assert issue.status_quo is None and issue.body is None and issue.rule is None
    assert all(d.lo == 0 and d.hi == 100 for d in issue.dimensions)
    assert scenario.bodies == []
    assert np.all(ia.saliences.sum(axis=1) <= 1.0 + 1e-12)
    for actor in scenario.actors:
        assert actor.capability.source.startswith(f"{name}, line ")
        assert actor.capability.assumed is False
    for stance in issue.stances:
        assert stance.position.source == stance.salience.source
        assert not stance.position.assumed and not stance.salience.assumed


def test_d3_values_and_provenance() -> None:
    scenario = read("dummyData_3Dim.csv")
    assert scenario.title == "DummyData_3Dim"
    assert scenario.description == "Dummy scenario to test reading format"
    issue = scenario.issues[0]
    assert [d.id for d in issue.dimensions] == ["Pstn1", "Pstn2", "Pstn3"]
    first = scenario.actors[0]
    assert (first.id, first.name, first.description) == (
        "SActor-00",
        "SActor-00",
        "Random Spatial Actor",
    )
    assert first.capability.value == 102.543
    assert first.capability.source == "dummyData_3Dim.csv, line 3"
    assert issue.stances[6].position.values() == [70.96, 33.46, 90.36]
    assert issue.stances[6].salience.values(3) == [31.75, 27.93, 26.03]
    assert issue.stances[6].position.source == "dummyData_3Dim.csv, line 9"


def test_trailing_comma_and_crlf_make_no_difference() -> None:
    a = arrays(read("dummyData_3Dim.csv"))
    b = arrays(read("dummyData_3Dim-no-final-comma.csv"))
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    text = (KTAB / "dummyData_3Dim.csv").read_text().replace("\n", "\r\n")
    c = arrays(ktab_csv.read(text, "crlf.csv")[0])
    np.testing.assert_array_equal(a["positions"], c["positions"])


def test_dimension_ids_from_header_names() -> None:
    issue = read("SOE-Pol-Comp.csv").issues[0]
    assert [d.id for d in issue.dimensions] == ["Policy_Position", "Competitive_Position"]
    assert [d.name for d in issue.dimensions] == ["Policy Position", "Competitive Position"]
    assert issue.name == "China Policy/Competitive; scen 2"


QUOTED = """\
"My Scenario", "a description, with a comma", "3", "2"
"Actor","Description","Power","Pos A","Sal A","Pos B","Sal B"
"A 1","first",10,20,30,40,50
"A 1","second",20,60,20,10,30,extra,fields
C,"third",30,80,40,90,10,
"""


def test_quoted_header_and_fields() -> None:
    assert ktab_csv.sniff(QUOTED)
    scenario = ktab_csv.read(QUOTED, "quoted.csv")[0]
    assert scenario.title == "My Scenario"
    assert scenario.description == "a description, with a comma"
    assert [a.id for a in scenario.actors] == ["A_1", "A_1-2", "C"]
    assert [d.id for d in scenario.issues[0].dimensions] == ["Pos_A", "Pos_B"]
    ia = issue_arrays(scenario, scenario.issues[0].id)
    np.testing.assert_array_equal(ia.positions, [[20, 40], [60, 10], [80, 90]])
    np.testing.assert_allclose(ia.saliences, [[0.3, 0.5], [0.2, 0.3], [0.4, 0.1]])


def body(rows: list[str], n: int = 3, m: int = 1) -> str:
    return "\n".join([f"S,desc,{n},{m}", "Actor,Desc,Power,P,S", *rows]) + "\n"


GOOD = ["a,x,1,10,50", "b,x,2,20,50", "c,x,3,30,50"]


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (body(GOOD[:2], n=2), 1, "nActors"),
        (body(GOOD, n=251), 1, "nActors"),
        (body(GOOD, n=3, m=0), 1, "nDims"),
        (body(GOOD, n=3).replace("S,desc,3,1", "S,desc,three,1"), 1, "nActors"),
        (body(["a,x,abc,10,50", *GOOD[1:]]), 3, "capability"),
        (body(["a,x,-1,10,50", *GOOD[1:]]), 3, "capability"),
        (body(["a,x,2e8,10,50", *GOOD[1:]]), 3, "capability"),
        (body([*GOOD[:2], "c,x,3,101,50"]), 5, "position.P"),
        (body([*GOOD[:2], "c,x,3,nan,50"]), 5, "position.P"),
        (body([*GOOD[:2], "c,x,3,10,-5"]), 5, "salience.P"),
        (body(["a,x,1,10,50,20,60", *[g + ",1,1" for g in GOOD[1:]]], m=2), 3, "salience.Pstn2"),
        (body([*GOOD[:2], "c,x,3,10"]), 5, None),
        (body(GOOD[:2]), 4, None),
        (body([*GOOD, "d,x,4,40,50"]), 6, "nActors"),
        (body([",x,1,10,50", *GOOD[1:]]), 3, "name"),
    ],
)
def test_violations_name_file_line_and_field(text: str, line: int, field: str | None) -> None:
    with pytest.raises(ScenarioError) as err:
        ktab_csv.read(text, "bad.csv")
    loc = err.value.location
    assert loc.file == "bad.csv"
    assert loc.line == line
    assert loc.field == field
    assert str(err.value).startswith("bad.csv:")


def test_salience_total_over_100_is_rejected() -> None:
    text = "\n".join(["S,d,3,2", "A,D,P,P1,S1,P2,S2", "a,x,1,10,60,20,41", *["b,x,1,1,1,1,1"] * 2])
    with pytest.raises(ScenarioError) as err:
        ktab_csv.read(text, "sal.csv")
    assert (err.value.location.line, err.value.location.field) == (3, "salience.P2")
    assert "100" in str(err.value)


def test_empty_and_headerless_files() -> None:
    with pytest.raises(ScenarioError):
        ktab_csv.read("", "empty.csv")
    with pytest.raises(ScenarioError):
        ktab_csv.read("S,d,3,1\n", "short.csv")
    with pytest.raises(ScenarioError):
        ktab_csv.read("just,three,fields\n", "short.csv")


@pytest.mark.parametrize(
    "path",
    [
        "bdm/emission_standards.csv",
        "bdm/sultan.csv",
        "bdm/china_democratization.csv",
        "deu/deu3_dev.tsv",
        "stokman/cop21.csv",
        "stokman/sample_data.txt",
    ],
)
def test_sniff_rejects_other_formats(path: str) -> None:
    assert not ktab_csv.sniff((DATA / path).read_text())


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_round_trip(name: str) -> None:
    first = read(name)
    text = ktab_csv.write(first)
    assert ktab_csv.sniff(text)
    second = ktab_csv.read(text, "again.csv")[0]
    a, b = arrays(first), arrays(second)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert [x.id for x in first.actors] == [x.id for x in second.actors]
    assert [d.id for d in first.issues[0].dimensions] == [d.id for d in second.issues[0].dimensions]
    assert second.title == first.title
    assert ktab_csv.write(second) == text


def scenario_on_scale(lo: float, hi: float, scale: float) -> Scenario:
    actors = [
        Actor(id=f"a{i}", name=f"A {i}", capability=Quantity(value=i + 1, source="t"))
        for i in range(3)
    ]
    stances = [
        Stance(
            actor=f"a{i}",
            position=Position(value=lo + (hi - lo) * i / 4, source="t"),
            salience=Salience(value=scale * 0.5, source="t"),
        )
        for i in range(3)
    ]
    issue = Issue(
        id="years",
        name="Years",
        dimensions=[Dimension(id="delay", lo=lo, hi=hi)],
        salience_scale=scale,
        stances=stances,
    )
    return Scenario(id="s", title="S", actors=actors, issues=[issue])


def test_write_rescales_to_0_100() -> None:
    text = ktab_csv.write(scenario_on_scale(4.0, 10.0, 1.0))
    back = ktab_csv.read(text, "w.csv")[0]
    ia = issue_arrays(back, back.issues[0].id)
    np.testing.assert_allclose(ia.positions[:, 0], [0.0, 25.0, 50.0])
    np.testing.assert_allclose(ia.saliences[:, 0], 0.5)


def test_write_needs_one_issue_and_ktab_limits() -> None:
    sc = scenario_on_scale(0.0, 100.0, 100.0)
    two = sc.model_copy(
        update={"issues": [sc.issues[0], sc.issues[0].model_copy(update={"id": "b"})]}
    )
    with pytest.raises(UsageError):
        ktab_csv.write(two)
    with pytest.raises(UsageError):
        ktab_csv.write(two, "nope")
    assert ktab_csv.write(two, "b").splitlines()[0] == "S,Years,3,1"
    small = sc.model_copy(
        update={"issues": [sc.issues[0].model_copy(update={"stances": sc.issues[0].stances[:2]})]}
    )
    with pytest.raises(UsageError):
        ktab_csv.write(small)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(3, 12),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
)
def test_random_tables_round_trip(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pos = np.round(rng.random((n, m)) * 100, int(rng.integers(0, 6)))
    sal = np.floor(rng.dirichlet(np.ones(m), size=n) * 100 * 100) / 100
    cap = np.round(rng.random(n) * 1000, 3)
    rows = [
        ",".join(
            [f"Actor {i}", "d", repr(float(cap[i]))]
            + [f"{float(pos[i, k])!r},{float(sal[i, k])!r}" for k in range(m)]
        )
        for i in range(n)
    ]
    header = ",".join(["Actor", "Desc", "Power"] + [f"P{k},S{k}" for k in range(m)])
    text = "\n".join([f"rand,random table,{n},{m},", header, *rows])
    first = ktab_csv.read(text, "rand.csv")[0]
    a = arrays(first)
    np.testing.assert_array_equal(a["positions"], pos)
    np.testing.assert_array_equal(a["capabilities"], cap)
    second = ktab_csv.read(ktab_csv.write(first), "again.csv")[0]
    b = arrays(second)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
