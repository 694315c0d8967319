"""The CLI end to end: the JSON contract, formats, parameters, seeds and clear errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from accord.models.registry import model_names
from tests.conftest import DATA, SCENARIOS

EMISSION = SCENARIOS / "emission-standards.yaml"
ACTORS = {
    "Netherlands",
    "Belgium",
    "Luxembourg",
    "Germany",
    "France",
    "Italy",
    "UK",
    "Ireland",
    "Denmark",
    "Greece",
}


def test_validate_reports_what_the_file_holds(run_cli):
    result = run_cli("validate", EMISSION)
    assert result.code == 0, result.stderr
    assert "OK" in result.stdout and "10 actors" in result.stdout


def test_forecast_json_follows_the_contract(run_cli):
    result = run_cli("forecast", EMISSION, "--format", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    (issue,) = data["issues"]
    assert set(issue) >= {"id", "dimensions", "status_quo", "rule", "forecasts"}
    models = [f["model"] for f in issue["forecasts"]]
    assert models == model_names()
    for fc in issue["forecasts"]:
        assert set(fc) >= {"model", "outcome", "allowed_outcome", "blockers", "rounds"}
        assert len(fc["outcome"]) == len(issue["dimensions"]) == len(fc["allowed_outcome"])
        assert fc["rounds"][0]["round"] == 0
        assert set(fc["rounds"][0]["positions"]) == ACTORS
    bdm = issue["forecasts"][models.index("bdm")]
    assert len(bdm["rounds"]) == 9
    assert all("median" in r and "mean" in r for r in bdm["rounds"])
    assert bdm["rounds"][1]["median"][0] == pytest.approx(8.416, abs=1e-3)


def test_forecast_under_unanimity_names_the_blockers(run_cli):
    # EU company tax: status quo 0, unanimity; the compromise (27.8) is vetoed by the UK, whose
    # ideal lies on the status quo's side, so the rule allows only the status quo.
    tax = SCENARIOS / "eu-company-tax.yaml"
    data = json.loads(run_cli("forecast", tax, "-m", "compromise", "-f", "json").stdout)
    issue = data["issues"][0]
    fc = issue["forecasts"][0]
    assert issue["rule"] == "unanimity" and issue["status_quo"] == [0.0]
    assert fc["outcome"][0] == pytest.approx(27.798, abs=1e-3)
    assert not fc["passes"]
    assert fc["allowed_outcome"] == issue["status_quo"]
    assert fc["blockers"] == ["uk"]
    # with no status quo (emission standards) there is nothing to block: the forecast passes
    data = json.loads(run_cli("forecast", EMISSION, "-m", "compromise", "-f", "json").stdout)
    fc = data["issues"][0]["forecasts"][0]
    assert fc["passes"] and fc["blockers"] == [] and fc["allowed_outcome"] == fc["outcome"]


def test_same_seed_same_json_and_rule_override(run_cli):
    first = run_cli("forecast", EMISSION, "-f", "json", "--seed", "7").stdout
    second = run_cli("forecast", EMISSION, "-f", "json", "--seed", "7").stdout
    assert first == second
    majority = json.loads(
        run_cli("forecast", EMISSION, "-f", "json", "--rule", "simple-majority").stdout
    )
    assert majority["issues"][0]["rule"] == "simple-majority"


def test_forecast_csv_has_one_row_per_model_and_dimension(run_cli):
    result = run_cli("forecast", EMISSION, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(model_names())
    assert {"issue", "model", "dimension", "outcome", "allowed_outcome", "blockers"} <= set(rows[0])


def test_model_parameters_reach_the_model(run_cli):
    base = json.loads(run_cli("forecast", EMISSION, "-m", "bdm", "-f", "json").stdout)
    longer = json.loads(
        run_cli("forecast", EMISSION, "-m", "bdm", "-f", "json", "-p", "bdm.rounds=3").stdout
    )
    assert len(base["issues"][0]["forecasts"][0]["rounds"]) == 9
    assert len(longer["issues"][0]["forecasts"][0]["rounds"]) == 4


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("forecast", EMISSION, "-m", "oracle"), "unknown model 'oracle'"),
        (("forecast", EMISSION, "--rule", "dictatorship"), "unknown rule 'dictatorship'"),
        (
            ("forecast", EMISSION, "--rule", "qualified-majority:lots"),
            "quota 'lots' is not a number",
        ),
        (("forecast", EMISSION, "-p", "bdm"), "MODEL.NAME=VALUE"),
        (("forecast", EMISSION, "-p", "bdm.nonsense=1"), "no parameter 'nonsense'"),
        (("forecast", EMISSION, "--issue", "nope"), "no issue 'nope'"),
        (("forecast", DATA / "does-not-exist.yaml"), "does-not-exist.yaml"),
    ],
)
def test_bad_arguments_fail_clearly(run_cli, args, expected):
    result = run_cli(*args)
    assert result.code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_import_then_forecast_matches_the_original(run_cli, tmp_path: Path):
    out = tmp_path / "d3.yaml"
    result = run_cli("import", DATA / "ktab" / "dummyData_3Dim.csv", "-o", out)
    assert result.code == 0, result.stderr
    direct = json.loads(
        run_cli("forecast", DATA / "ktab" / "dummyData_3Dim.csv", "-m", "smp", "-f", "json").stdout
    )
    via_yaml = json.loads(run_cli("forecast", out, "-m", "smp", "-f", "json").stdout)
    assert (
        direct["issues"][0]["forecasts"][0]["outcome"]
        == via_yaml["issues"][0]["forecasts"][0]["outcome"]
    )


def test_import_deu_writes_one_file_per_issue(run_cli, tmp_path: Path):
    lines = (DATA / "deu" / "deu3_dev.tsv").read_text(encoding="utf-8").splitlines()[:6]
    small = tmp_path / "slice.tsv"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import", small, "-o", tmp_path / "deu.yaml")
    assert result.code == 0, result.stderr
    written = sorted((tmp_path / "deu").glob("*.yaml"))
    assert 1 <= len(written) <= 5
    assert run_cli("validate", written[0]).code == 0


def test_export_round_trip(run_cli, tmp_path: Path):
    out = tmp_path / "emission.csv"
    assert run_cli("export", EMISSION, "--to", "bdm-csv", "-o", out).code == 0
    assert out.read_text(encoding="utf-8").startswith("Actor,Capability,Position,Salience")
    assert run_cli("validate", out).code == 0


def test_models_lists_the_registry(run_cli):
    result = run_cli("models")
    for name in ("compromise", "median", "nash", "bdm", "smp"):
        assert name in result.stdout


def test_rules_command_reports_veto_players_and_power(run_cli):
    weighted = json.loads(run_cli("rules", EMISSION, "--issue", "delay", "-f", "json").stdout)
    assert weighted["rule"] == "weighted" and weighted["veto_players"] == []
    assert sum(weighted["shapley_shubik"]) == pytest.approx(1.0)
    ss = dict(zip(weighted["members"], weighted["shapley_shubik"], strict=True))
    assert (
        ss["Germany"] == pytest.approx(ss["UK"])
        and ss["Germany"] > ss["Belgium"] > ss["Luxembourg"]
    )
    unanimity = run_cli("rules", EMISSION, "--issue", "delay", "--rule", "unanimity", "-f", "json")
    data = json.loads(unanimity.stdout)
    assert data["veto_players"] == data["members"]
    assert data["shapley_shubik"] == pytest.approx([0.1] * 10)


def test_backtest_on_a_slice(run_cli, tmp_path: Path):
    lines = (DATA / "deu" / "deu3_dev.tsv").read_text(encoding="utf-8").splitlines()[:21]
    small = tmp_path / "slice.tsv"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("backtest", "deu", small, "-m", "compromise,median", "-f", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"mean", "median", "salience_weighted_mean", "compromise", "weighted_median"} <= set(
        data["models"]
    )
    for row in data["models"].values():
        assert set(row) >= {"mae", "rmse", "n", "mae_qmv", "mae_unanimity"}
    assert isinstance(data["cleaning"], str) and data["cleaning"]


def test_demo_writes_a_self_contained_report(run_cli, tmp_path: Path):
    result = run_cli("demo", EMISSION, "--out", tmp_path)
    assert result.code == 0, result.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert json.loads((tmp_path / "forecast.json").read_text(encoding="utf-8"))["scenarios"]


def test_broken_file_in_a_real_process_prints_one_line_and_no_traceback(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    text = EMISSION.read_text(encoding="utf-8").replace("value: 0.8", "value: high", 1)
    broken.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "accord.cli", "forecast", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "broken.yaml:" in proc.stderr and "not a number" in proc.stderr


def test_piped_tables_fit_120_columns_and_shorten_cells(run_cli):
    # not a terminal under pytest: 120 columns; each row of the table stays one line
    result = run_cli("models")
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120
    rows = [line for line in lines if line.startswith("│")]
    assert any("\u2026" in line for line in rows)  # a long summary is shortened...
    names = [line.split("│")[1].strip() for line in rows]
    assert "compromise" in names and "" not in names  # ...not wrapped onto a second line
