"""Stored results drawn again (issue 19): the forecast report's issue section from a run's JSON
is the one drawn from the forecast itself, and comparison matches by name, not by rank."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord.errors import UsageError
from accord.forecast import forecast
from accord.report.forecast_report import issue_section
from accord.report.run_views import forecast_from_json, result_html, share_chart
from accord.scenario.io import load
from accord.web.run_compare import compare

SMALL = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "small.yaml"


def test_the_report_section_from_stored_json_is_the_report_section() -> None:
    loaded = load(SMALL)
    scenario = loaded[0] if isinstance(loaded, list) else loaded
    fc = forecast(scenario, "compromise,median", seed=0)
    stored = json.loads(json.dumps(fc.to_json_dict()))
    again = forecast_from_json(stored)
    for original, rebuilt in zip(fc.issues, again.issues, strict=True):
        assert issue_section(scenario, rebuilt) == issue_section(scenario, original)
    page = result_html("forecast", stored, scenario)
    assert 'aria-label="positions on' in page and "{" not in page.split("<svg")[0]


def _mc(drivers: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "draws": 10,
        "issues": [
            {
                "id": "i",
                "dimensions": ["d"],
                "models": [
                    {
                        "model": "m",
                        "pass_probability": 0.5,
                        "change_probability": None,
                        "outcome": [{"quantiles": {"q05": 1.0, "q50": 2.0, "q95": 3.0}}],
                        "drivers": [{"input": n, "rho": [r]} for n, r in drivers],
                    }
                ],
            }
        ],
    }


def test_drivers_are_matched_by_input_not_by_rank() -> None:
    a = _mc([("position usa", 0.9), ("salience fra", -0.3)])
    b = _mc([("salience fra", -0.8), ("position usa", 0.9)])  # the ranking changed
    rows = {(r.section, r.quantity): r for r in compare("montecarlo", a, "montecarlo", b)}
    assert not rows[("drivers", "position usa")].differs
    assert rows[("drivers", "salience fra")].left == "-0.3"
    assert rows[("drivers", "salience fra")].right == "-0.8"
    with pytest.raises(UsageError, match="cannot compare a Monte Carlo analysis with a forecast"):
        compare("montecarlo", a, "forecast", {})


def test_share_chart_runs_from_0_to_100_percent() -> None:
    svg = share_chart(title="t", labels=["a", "b"], shares=[0.0, 1.0], axis_label="share")
    assert svg.startswith("<svg") and "0%" in svg and "100%" in svg
