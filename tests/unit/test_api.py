"""The notebook API: accord.load, accord.forecast, results as pandas and HTML."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import accord
from tests.conftest import SCENARIOS


def test_load_forecast_frame_and_html() -> None:
    scenario = accord.load(SCENARIOS / "eu-company-tax.yaml")
    result = accord.forecast(scenario, model=["compromise", "bdm"], seed=3)
    frame = result.to_frame()
    assert list(frame["model"]) == ["compromise", "bdm"]
    assert {"issue", "dimension", "outcome", "allowed_outcome", "passes", "blockers"} <= set(
        frame.columns
    )
    compromise = frame.iloc[0]
    # Under unanimity with the status quo at 0, the UK vetoes the compromise position.
    assert not compromise["passes"] and compromise["blockers"] == "uk"
    assert compromise["allowed_outcome"] == pytest.approx(0.0)
    html = result._repr_html_()
    assert "<table" in html and "eu-company-tax" in html
    issue = result.issues[0]
    bdm = issue.forecast_of("bdm")
    assert set(bdm.run.series) == {"median", "mean"}
    assert bdm.run.positions.shape[1:] == (len(issue.actor_ids), 1)


def test_forecast_is_reproducible_and_json_safe() -> None:
    import json

    scenario = accord.load(SCENARIOS / "ktab-d3.yaml")
    first = accord.forecast(
        scenario, model="smp", seed=11, params={"smp": {"state_transitions": "Stochastic"}}
    )
    second = accord.forecast(
        scenario, model="smp", seed=11, params={"smp": {"state_transitions": "Stochastic"}}
    )
    assert json.dumps(first.to_json_dict()) == json.dumps(second.to_json_dict())
    other = accord.forecast(
        scenario, model="smp", seed=12, params={"smp": {"state_transitions": "Stochastic"}}
    )
    a = first.issues[0].forecasts[0].run.positions
    b = other.issues[0].forecasts[0].run.positions
    assert a.shape != b.shape or not np.array_equal(a, b)


def test_save_round_trip(tmp_path: Path) -> None:
    scenario = accord.load(SCENARIOS / "emission-standards.yaml")
    accord.save(scenario, tmp_path / "copy.yaml")
    assert accord.load(tmp_path / "copy.yaml") == scenario


def test_api_errors_are_accord_errors() -> None:
    scenario = accord.load(SCENARIOS / "emission-standards.yaml")
    with pytest.raises(accord.UsageError, match="unknown model"):
        accord.forecast(scenario, model="oracle")
    with pytest.raises(accord.AccordError):
        accord.load(SCENARIOS / "missing.yaml")
