"""The shipped interval calibration: refit reproduces it, the issue's targets, the outputs."""

from __future__ import annotations

import importlib.util
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.analysis import interval_calibration as ic
from accord.analysis.backtest import BacktestResult, run_backtest

ROOT = Path(__file__).parents[2]
DEV = ROOT / "tests" / "data" / "deu" / "deu3_dev.tsv"
SCENARIOS = ROOT / "scenarios"


def _fit_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "fit_calibration", ROOT / "scripts" / "fit_calibration.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def dev_run() -> BacktestResult:
    return run_backtest(DEV, ["compromise", "median"])


@cache
def dev_json() -> dict[str, Any]:
    return dev_run().to_json_dict(replicates=100)


def test_refit_from_the_stored_inputs_reproduces_a_model_exactly() -> None:
    """Fitting one model's stored inputs again gives its stored entry, number for number (the
    whole file, all models, is the slow test below)."""
    data = ic.load()
    model = "compromise"
    refit = ic.fit_artefact(
        data["issues"],
        data["proposals"],
        data["outcomes"],
        {model: data["models"][model]["forecasts"]},
        data["features"]["values"],
        source=data["source"],
        sha256=data["sha256"],
    )
    assert refit["rule"] == data["rule"]
    assert json.loads(json.dumps(refit["models"][model])) == data["models"][model]
    assert (
        refit["comparison"][data["rule"]["name"]][model]
        == data["comparison"][data["rule"]["name"]][model]
    )


def test_stored_inputs_are_those_of_the_dev_split() -> None:
    """The stored forecasts of the closed-form models and the features are a fresh run's."""
    data = ic.load()
    assert data["source"] == "tests/data/deu/deu3_dev.tsv"
    assert data["sha256"] == ic.file_sha256(DEV.read_text(encoding="utf-8"))
    result = dev_run()
    for model in ("mean", "median", "salience_weighted_mean", "compromise", "weighted_median"):
        rows = result.errors[result.errors["model"] == model].set_index("issue")
        fresh = rows.loc[data["issues"], "forecast"].tolist()
        assert fresh == data["models"][model]["forecasts"], model
    assert rows.loc[data["issues"], "outcome"].tolist() == data["outcomes"]
    stored = np.asarray(data["features"]["values"])
    fresh_z = np.array([result.features[i] for i in data["issues"]])
    np.testing.assert_array_equal(stored, fresh_z)


@pytest.mark.slow
def test_fit_script_reproduces_the_artefact_byte_for_byte() -> None:
    """Re-fitting from the dev file (every model run again) reproduces the shipped file."""
    script = _fit_script()
    text = (ROOT / "src" / "accord" / "data" / "calibration.json").read_text(encoding="utf-8")
    assert script.dumps(script.build()) == text


def test_the_shipped_rule_is_the_narrowest_at_equal_coverage() -> None:
    data = ic.load()
    comparison = data["comparison"]
    eligible = {
        name: float(np.mean([w for _, w in per.values()]))
        for name, per in comparison.items()
        if all(abs(c - 0.8) <= ic.COVERAGE_TOLERANCE for c, _ in per.values())
    }
    assert data["rule"]["name"] == min(eligible, key=eligible.__getitem__)
    # the naive split-conformal interval (absolute residuals, no ends) is wider
    assert np.mean([w for _, w in comparison["absolute"].values()]) > 65.0


def test_issue_targets_out_of_fold_on_the_dev_split() -> None:
    """80% sets cover 75-85% for compromise and the best model, mean width80 under 70."""
    data = ic.load()
    oof = {m: e["out_of_fold"] for m, e in data["models"].items()}
    best = min(oof, key=lambda m: oof[m]["crps_point"])  # the point forecast's MAE
    for model in {"compromise", best}:
        assert 0.75 <= oof[model]["coverage80"] <= 0.85, model
        assert oof[model]["width80"] < 70.0, model
    assert float(np.mean([o["width80"] for o in oof.values()])) < 70.0
    # naive 80% quantile of |residual| of the compromise model: about +-37 points, 74 wide
    f = np.asarray(data["models"]["compromise"]["forecasts"], dtype=float)
    y = np.asarray(data["outcomes"])
    assert 70.0 < 2 * np.quantile(np.abs(y - f), 0.8) < 78.0


def test_backtest_json_scores_the_dev_split_out_of_fold() -> None:
    data = dev_json()
    note = data["calibration"]
    assert note["fitted_on"].startswith("tests/data/deu/deu3_dev.tsv")
    assert note["scored_out_of_fold"] == 244
    shipped = ic.load()["models"]
    for model in ("compromise", "weighted_median", "mean"):
        row = data["models"][model]
        for key in ("coverage50", "coverage80", "coverage90", "width80"):
            assert row[key] == pytest.approx(shipped[model]["out_of_fold"][key], abs=1e-12)
        assert row["crps"] == pytest.approx(shipped[model]["out_of_fold"]["crps_mixture"], abs=1e-9)
        lo, hi = row["ci"]["coverage80"]
        assert lo <= row["coverage80"] <= hi


def test_backtest_of_other_issues_uses_the_full_calibration() -> None:
    """Issues not in the calibration file get the sets fitted on the whole dev split."""
    result = dev_run()
    errors = result.errors.copy()
    errors["issue"] = errors["issue"] + "-other"
    features = {k + "-other": v for k, v in result.features.items()}
    columns, note = ic.backtest_columns(errors, result.models, features, replicates=50)
    assert note["scored_out_of_fold"] == 0
    # in sample the coverage can only be at least the out-of-fold nominal guarantee, roughly
    assert columns["mean"]["coverage80"] >= 0.78


def test_forecast_of_a_deu_issue_is_calibrated() -> None:
    from accord.forecast import forecast
    from accord.scenario.io import load

    result = forecast(load(SCENARIOS / "eu-company-tax.yaml"), "compromise,median").to_json_dict()
    for fc in result["issues"][0]["forecasts"]:
        interval = fc["interval"]
        assert interval["calibrated"] and interval["level"] == 0.8
        assert interval["calibrated_on"].startswith("tests/data/deu/deu3_dev.tsv")
        assert interval["ends"] == [0.0, 100.0]
        assert interval["lo"][0] <= fc["outcome"][0] <= interval["hi"][0]
        assert set(fc["intervals"]) == {"0.5", "0.8", "0.9"}
        widths = [
            fc["intervals"][k]["hi"][0] - fc["intervals"][k]["lo"][0] for k in ("0.5", "0.8", "0.9")
        ]
        assert widths == sorted(widths)
        assert fc["interval_note"] is None
        dist = fc["distribution"]
        assert 0.0 < dist["p_lo"] + dist["p_hi"] < 1.0
        q = list(dist["quantiles"].values())
        assert q == sorted(q) and q[0] >= 0.0 and q[-1] <= 100.0


def test_outside_the_domain_the_interval_says_so() -> None:
    from accord.forecast import forecast
    from accord.scenario.io import load

    no_ranges = forecast(load(SCENARIOS / "emission-standards.yaml"), "compromise").to_json_dict()
    fc = no_ranges["issues"][0]["forecasts"][0]
    assert fc["interval"] is None and "outside the calibration domain" in fc["interval_note"]
    assert fc["distribution"] is None

    scenario = load(SCENARIOS / "japan-nato" / "scenario.yaml")
    issue = scenario.issues[0].id
    runs = [
        forecast(scenario, "compromise", issues=[issue], interval_draws=50, seed=3).to_json_dict()
        for _ in range(2)
    ]
    fc = runs[0]["issues"][0]["forecasts"][0]
    assert fc == runs[1]["issues"][0]["forecasts"][0]  # deterministic for a seed
    assert fc["interval"]["calibrated"] is False and fc["interval"]["calibrated_on"] is None
    assert (
        "uncalibrated" in fc["interval_note"]
        and "not an EU legislative issue" in fc["interval_note"]
    )
    assert fc["interval"]["lo"][0] <= fc["interval"]["hi"][0]
    assert not math.isnan(fc["interval"]["lo"][0])


def test_forecast_table_shows_the_80_percent_interval(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("forecast", SCENARIOS / "eu-company-tax.yaml", "-m", "compromise")
    assert result.code == 0
    text = result.stdout.replace("\n", "")
    assert "80%" in text and "interval" in text and "(+0," in text


def test_html_report_shows_coverage_and_width() -> None:
    from accord.report.backtest_report import render

    data = dev_json()
    page = render(data, {}, "t")
    assert "Calibrated intervals" in page and "width80" in page
    assert f"{data['models']['mean']['coverage80']:.2f}" in page


def test_forecast_report_shows_the_80_percent_interval() -> None:
    from accord.forecast import forecast
    from accord.report.forecast_report import render
    from accord.scenario.io import load

    scenario = load(SCENARIOS / "eu-company-tax.yaml")
    page = render([(scenario, forecast(scenario, "compromise"))])
    assert "<th>80% interval</th>" in page and "(+0, 100)" in page


def test_the_frame_and_so_the_web_table_carry_the_80_percent_set() -> None:
    """``to_frame()`` (the notebook table, ``--format csv`` and the web workbench's run table)
    shows the 80% set next to every forecast, empty where there is none."""
    import accord

    scenario = accord.load(SCENARIOS / "eu-company-tax.yaml")
    frame = accord.forecast(scenario, "compromise").to_frame()
    row = frame.iloc[0]
    assert row["interval80_calibrated"] is True or row["interval80_calibrated"] == 1
    assert row["interval80_lo"] <= row["outcome"] <= row["interval80_hi"]
    assert row["interval80_ends"] == "0, 100"
    plain = accord.load(SCENARIOS / "ktab-d3.yaml")
    empty = accord.forecast(plain, "compromise").to_frame().iloc[0]
    assert empty["interval80_lo"] is None or empty["interval80_lo"] != empty["interval80_lo"]
