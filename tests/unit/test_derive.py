"""Formula-derived positions and attributes (accord.scenario.derive) and their calibration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from accord.analysis.calibration import calibrate, fit, predict
from accord.errors import ScenarioError, UsageError
from accord.scenario import derive
from accord.scenario.io import load
from accord.scenario.schema import Scenario
from accord.scenario.yaml_io import loads

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "japan-nato" / "scenario.yaml"

SMALL = """
accord: 1
id: small
title: two known, two derived
actors:
- {id: a, name: A, capability: {value: 1, source: s}, attributes: {t: {value: 90, source: s}}}
- {id: b, name: B, capability: {value: 1, source: s}, attributes: {t: {value: 10, source: s}}}
- {id: c, name: C, capability: {value: 1, source: s}, attributes: {t: {value: 50, source: s}}}
- {id: d, name: D, capability: {value: 1, source: s}, attributes: {t: {value: 70, source: s}}}
issues:
- id: x
  name: X
  dimensions: [{id: x, lo: 0, hi: 100}]
  stances:
  - {actor: a, position: {value: 90, source: record}, salience: {value: 0.5, source: s}}
  - {actor: b, position: {value: 10, source: record}, salience: {value: 0.5, source: s}}
position_formulas:
- id: f
  source: a judgement
  actors: [c, d]
  issue: x
  inputs: {t: {attribute: t, lo: 0, hi: 100}}
  weights: {t: 1.0}
  intercept: 0.0
  half_width: 0.1
  salience_intercept: 0.4
"""


def small() -> Scenario:
    return loads(SMALL, "small.yaml")


def test_linear_score_clips_to_unit_interval() -> None:
    z = np.array([[0.0, 1.0], [1.0, 1.0]])
    score = derive.linear_score(z, np.array([0.8, 0.5]), -0.2)
    assert score.tolist() == pytest.approx([0.3, 1.0])


@settings(max_examples=50, deadline=None)
@given(
    arrays(np.float64, (6, 3), elements=st.floats(-1e3, 1e3)),
    arrays(np.float64, (3,), elements=st.floats(-5, 5)),
    st.floats(-2, 2),
)
def test_score_stays_in_range_and_is_row_wise(z: Any, w: Any, b: float) -> None:
    zn = derive.normalise(z, np.full(3, -10.0), np.full(3, 10.0))
    score = derive.linear_score(zn, w, b)
    assert np.all((score >= 0) & (score <= 1))
    row = derive.linear_score(zn[2:3], w, b)
    assert row[0] == pytest.approx(score[2])


def test_derive_writes_assumed_values_with_ranges() -> None:
    scenario = derive.apply(small())
    stances = {s.actor: s for s in scenario.issue("x").stances}
    assert stances["c"].position.values() == [50.0]
    assert stances["d"].position.values() == [70.0]
    assert stances["d"].position.assumed and stances["d"].position.range == (60.0, 80.0)
    assert stances["c"].salience.values(1) == [0.4]
    assert "formula 'f'" in stances["c"].position.source
    assert derive.check(scenario) == []


def test_check_reports_a_changed_value() -> None:
    scenario = derive.apply(small())
    data = scenario.model_dump(mode="python")
    data["issues"][0]["stances"][3]["position"]["value"] = 71.0
    problems = derive.check(Scenario.model_validate(data))
    assert len(problems) == 1 and "'d'" in str(problems[0])


def test_missing_attribute_is_a_clear_error() -> None:
    text = SMALL.replace("attributes: {t: {value: 70, source: s}}", "attributes: {}")
    with pytest.raises(ScenarioError) as info:
        derive.derive(loads(text, "small.yaml"))
    assert "'d' lacks" in str(info.value) and "position_formulas[0].inputs.t" in str(info.value)


def test_weights_must_name_inputs() -> None:
    with pytest.raises(ScenarioError) as info:
        loads(SMALL.replace("weights: {t: 1.0}", "weights: {q: 1.0}"), "small.yaml")
    assert "not among the inputs" in str(info.value)


def test_calibration_recovers_a_formula_that_fits() -> None:
    cal = calibrate(small(), "f", ridge=1e-6)
    assert cal.known == ("a", "b")
    assert cal.mae_stated == pytest.approx(0.0, abs=1e-9)
    assert cal.mae_loo is not None


def test_calibration_fit_moves_towards_the_data() -> None:
    z = np.array([[0.0], [1.0], [0.5]])
    y = np.array([[0.2], [0.8], [0.5]])
    theta = fit(z, y, np.zeros(1), np.array([0.0, 0.1]), ridge=1e-6)
    assert predict(z, theta, np.zeros(1))[:, 0] == pytest.approx([0.2, 0.8, 0.5], abs=1e-3)
    signed = fit(z, 1 - y, np.zeros(1), np.array([0.0, 0.1]), ridge=1e-6)
    assert signed[1] >= 0  # the weight keeps its prior's sign


def test_unknown_formula_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        calibrate(small(), "nope")


def test_japan_nato_file_states_what_its_formulas_give() -> None:
    scenario = load(SCENARIO)
    assert derive.check(scenario, keep_record=True) == []
    office = calibrate(scenario, "office-support")
    assert set(office.known) == {"jpn", "usa", "fra", "deu"}
    assert office.mae_stated is not None and office.mae_loo is not None
    assert office.mae_loo >= office.mae_fitted  # holding out is never easier here


def test_derive_cli(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    result = run_cli("derive", SCENARIO, "--check", "--format", "json")
    assert result.code == 0, result.stderr
    assert '"mismatches": []' in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SCENARIO.read_text(encoding="utf-8").replace("value: 26.96", "value: 27.96", 1),
        encoding="utf-8",
    )
    result = run_cli("derive", bad, "--check")
    assert result.code == 2 and "differ from their formula" in result.stderr
    fixed = tmp_path / "small.yaml"
    fixed.write_text(SMALL, encoding="utf-8")
    assert run_cli("derive", fixed, "--check").code == 2
    assert run_cli("derive", fixed, "--write").code == 0
    assert run_cli("derive", fixed, "--check").code == 0
    assert run_cli("derive", fixed, "--calibrate").code == 2
