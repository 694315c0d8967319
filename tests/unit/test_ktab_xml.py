"""KTAB XML importer and exporter (smpExample.xml)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.errors import ScenarioError, UsageError
from accord.scenario import io
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import ktab_xml

DATA = Path(__file__).parents[1] / "data"
UPSTREAM = DATA / "ktab" / "smpExample.xml"
FIXED = DATA / "scenarios" / "smpExample-fixed.xml"


def upstream_text() -> str:
    return UPSTREAM.read_text(encoding="utf-8-sig")


def line_of(text: str, needle: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)


def read_error(text: str, name: str = "smpExample.xml") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        ktab_xml.read(text, name)
    return info.value


def test_blank_first_coordinate_is_reported_exactly() -> None:
    text = upstream_text()
    err = read_error(text)
    line = line_of(text, "<dCoord></dCoord>")
    assert str(err) == (
        f"smpExample.xml:{line}, field 'Actors/Actor[1] (Alice)/Position/dCoord[1]': "
        "empty coordinate (expected a number in 0..100)"
    )
    with pytest.raises(ScenarioError) as info:  # the same through io.load, from the file
        io.load(UPSTREAM)
    assert str(info.value) == str(err)


def test_fixed_copy_reads_every_value() -> None:
    scenario = io.load(FIXED)
    text = FIXED.read_text(encoding="utf-8-sig")
    assert scenario.id == "DummyData_3Dim"
    assert scenario.title == "DummyData_3Dim"
    assert scenario.description == "A very simple test of multi-dim SMP, using psuedonyms"
    assert [a.name for a in scenario.actors] == ["Alice", "Bob", "Carol", "David", "Ellie"]
    issue = scenario.issues[0]
    assert [d.id for d in issue.dimensions] == ["FirstDim", "SecondDim", "YADN"]
    assert all((d.lo, d.hi) == (0.0, 100.0) for d in issue.dimensions)
    assert issue.salience_scale == 100.0
    assert issue.status_quo is None and issue.body is None
    arrays = issue_arrays(scenario, issue.id)
    np.testing.assert_array_equal(arrays.positions[0], [52.8, 39.8, 39.6])
    np.testing.assert_array_equal(arrays.positions[4], [73.3, 61.1, 26.3])
    np.testing.assert_allclose(arrays.saliences[1], [0.252, 0.345, 0.265])
    np.testing.assert_array_equal(arrays.capabilities, [117.7, 93.2, 61.4, 135.4, 63.8])
    alice = scenario.actors[0]
    assert alice.capability.source == f"smpExample-fixed.xml, line {line_of(text, '117.7')}"
    assert alice.capability.assumed is False
    assert issue.stances[0].position.source.startswith("smpExample-fixed.xml, lines ")


def test_model_parameters_are_kept_and_mapped_to_smp() -> None:
    scenario = io.load(FIXED)
    recorded = ktab_xml.model_parameters(scenario)
    assert recorded["PCEModel"] == "MarkovIncentive"
    assert recorded["prngSeed"] == "03507583219545544127"
    assert ktab_xml.smp_params(scenario) == {
        "victory_model": "Linear",
        "pce": "MarkovIncentive",
        "state_transitions": "Stochastic",
        "voting_rule": "PropCbc",
        "big_r_adjust": "OneThird",
        "big_r_range": "Mid",
        "third_party_commit": "SemiCommit",
        "bargain_interpolation": "S2P2",
        "bargain_model": "InitOnlyInterp",
    }
    assert scenario.sources[ktab_xml.IDEAL_ADJUSTMENT_KEY].startswith("Alice<-Alice 0.87; Bob<-Bob")


def test_sniff() -> None:
    assert ktab_xml.sniff(upstream_text())
    assert ktab_xml.sniff("\ufeff" + upstream_text())
    assert not ktab_xml.sniff("<html><body/></html>")
    assert not ktab_xml.sniff("Actor,Capability,Position,Salience\n")


def test_write_read_round_trip_keeps_arrays_and_parameters() -> None:
    scenario = io.load(FIXED)
    text = ktab_xml.write(scenario)
    again = ktab_xml.read(text, "again.xml")[0]
    a, b = issue_arrays(scenario, scenario.issues[0].id), issue_arrays(again, again.issues[0].id)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.saliences, b.saliences)
    np.testing.assert_array_equal(a.capabilities, b.capabilities)
    assert ktab_xml.model_parameters(again) == ktab_xml.model_parameters(scenario)
    assert (
        again.sources[ktab_xml.IDEAL_ADJUSTMENT_KEY]
        == scenario.sources[ktab_xml.IDEAL_ADJUSTMENT_KEY]
    )


def test_write_rescales_other_scales_onto_0_100() -> None:
    scenario = io.load(DATA / "scenarios" / "small.yaml")
    text = ktab_xml.write(scenario, "cooperation")
    again = ktab_xml.read(text, "c.xml")[0]
    arrays = issue_arrays(again, again.issues[0].id)
    np.testing.assert_allclose(arrays.positions[0], [80.0, 70.0])  # 8 and 7 on 0..10
    np.testing.assert_allclose(arrays.saliences[0], [0.6, 0.3])
    with pytest.raises(UsageError, match="has 2 issues"):
        ktab_xml.write(scenario)
    with pytest.raises(UsageError, match="no issue 'nope'"):
        ktab_xml.write(scenario, "nope")


def fixed_text() -> str:
    return FIXED.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("old", "new", "field", "message", "expected"),
    [
        (
            "<dCoord>61.4</dCoord>",
            "<dCoord>sixty</dCoord>",
            "Actors/Actor[2] (Bob)/Position/dCoord[2]",
            "coordinate 'sixty' is not a number",
            "a number in 0..100",
        ),
        (
            "<dSal>28.6</dSal>",
            "<dSal>128.6</dSal>",
            "Actors/Actor[3] (Carol)/Salience/dSal[2]",
            "salience 128.6 is outside 0..100",
            "a number in 0..100",
        ),
        (
            "<capability>135.4</capability>",
            "<capability>-1</capability>",
            "Actors/Actor[4] (David)/capability",
            "capability -1 is outside 0..100000000",
            "a number in 0..100000000",
        ),
        (
            "<dCoord>73.3</dCoord>",
            "",
            "Actors/Actor[5] (Ellie)/Position",
            "2 <dCoord> values for 3 dimensions",
            "one <dCoord> per <dName> (3)",
        ),
        (
            "<name>Bob</name>",
            "<name>Alice</name>",
            "Actors/Actor[2] (Alice)/name",
            "duplicate actor 'Alice' (first is Actor[1])",
            "each actor once",
        ),
    ],
)
def test_value_errors_name_line_and_element(
    old: str, new: str, field: str, message: str, expected: str | None
) -> None:
    text = fixed_text()
    assert old in text
    text = text.replace(old, new, 1)
    err = read_error(text, "x.xml")
    assert err.location.field == field
    assert err.message == message
    assert err.location.file == "x.xml" and err.location.line is not None
    if expected is not None:
        assert err.expected == expected


def test_salience_sum_over_100() -> None:
    text = fixed_text().replace("<dSal>32.3</dSal>", "<dSal>92.3</dSal>", 1)
    err = read_error(text)
    assert err.message == "saliences sum to 128.1"
    assert err.expected == "saliences that sum to at most 100"


def test_structural_errors() -> None:
    err = read_error("<Scenario><name>x</name></Scenario>")
    assert err.message == "<Dimensions> is missing" and err.location.line == 1
    err = read_error(fixed_text().replace("<Dimensions>", "<Dimensions>\n<oops>"))
    assert err.message.startswith("XML syntax error")
    assert err.location.line is not None and err.location.line > 1
    err = read_error("<Other/>")
    assert "root element is <Other>" in err.message


def test_entities_and_dtds_are_refused() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>\n<Scenario><name>&lol2;</name></Scenario>'
    )
    err = read_error(bomb)
    assert "forbidden construct" in err.message
    external = (
        '<?xml version="1.0"?>\n<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "\n<Scenario><name>&x;</name></Scenario>"
    )
    assert "forbidden construct" in read_error(external).message


def test_other_declared_encoding_is_read_as_the_decoded_text() -> None:
    text = fixed_text().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    text = text.replace("One of the SMP actors", "Él est un acteur")
    scenario = ktab_xml.read(text, "enc.xml")[0]
    assert scenario.actors[0].description == "Él est un acteur"
