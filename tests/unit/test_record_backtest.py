"""``accord backtest record``: the procedure's outcome against recorded decisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from accord.analysis.record_backtest import run_record_backtest, summary
from accord.errors import UsageError

RECORDS = Path(__file__).parents[1] / "data" / "records"
CONTRACT = {
    "id",
    "predicted",
    "recorded",
    "hit",
    "value_error",
    "objectors_predicted",
    "objectors_recorded",
}


def test_folder_of_records_against_hand_worked_outcomes() -> None:
    data = run_record_backtest(RECORDS)
    by_id = {row["id"]: row for row in data["cases"]}
    assert set(by_id) == {"quiet", "veto", "later", "early", "mission"}
    for row in data["cases"]:
        assert set(row) >= CONTRACT
    # worked out in the fixture's comments
    assert by_id["quiet"]["predicted"] == "passes_with_reservations"
    assert by_id["veto"]["predicted"] == "blocked"
    assert by_id["veto"]["objectors_predicted"] == ["e"]
    assert by_id["later"]["predicted"] == "delayed"  # the same text, with a next window
    assert by_id["early"]["predicted"] == "passes"  # e had not joined yet
    assert by_id["mission"]["predicted"] == "passes_with_opt_outs"
    assert by_id["mission"]["opt_outs_predicted"] == ["d"]
    assert by_id["veto"]["value_error"] == pytest.approx(0.0)
    assert by_id["mission"]["value_error"] is None  # no recorded value
    assert data["outcome_hit_rate"] == pytest.approx(4 / 5)
    assert data["naive_hit_rate"] == pytest.approx(2 / 5)
    assert data["objector_precision"] == pytest.approx(1 / 2)  # e in veto (right), later (wrong)
    assert data["objector_recall"] == pytest.approx(1.0)
    assert data["coarse_hit_rate"] == pytest.approx(4 / 5)
    assert data["naive_coarse_hit_rate"] == pytest.approx(4 / 5)
    assert data["balanced_accuracy"] == pytest.approx((1 + 1 + 0.5 + 1) / 4)
    assert data["confusion"]["passes"] == {"delayed": 1, "passes": 1}


def test_strict_procedure_blocks_more() -> None:
    strict = run_record_backtest(RECORDS, procedure="strict")
    by_id = {row["id"]: row["predicted"] for row in strict["cases"]}
    # under the strict reading e objects to the quiet text too (it prefers the status quo)
    assert by_id["quiet"] != "passes_with_reservations"
    assert strict["procedure"] == "strict"


def test_summary_pools_objectors_over_cases() -> None:
    rows = [
        {
            "predicted": "blocked",
            "recorded": "blocked",
            "hit": True,
            "value_error": 2.0,
            "objectors_predicted": ["a", "b"],
            "objectors_recorded": ["a"],
        },
        {
            "predicted": "passes",
            "recorded": "diluted",
            "hit": False,
            "value_error": None,
            "objectors_predicted": [],
            "objectors_recorded": ["c"],
        },
    ]
    result = summary(rows)
    assert result["objector_precision"] == pytest.approx(1 / 2)
    assert result["objector_recall"] == pytest.approx(1 / 2)
    assert result["value_mae"] == pytest.approx(2.0)
    assert result["naive_hit_rate"] == 0.0
    assert result["coarse_hit_rate"] == pytest.approx(1.0)  # passes and diluted are both adopted
    empty = summary([])
    assert empty["outcome_hit_rate"] is None and empty["objector_precision"] is None


def test_cli_json_and_table(run_cli: Any) -> None:
    result = run_cli("backtest", "record", RECORDS / "council.yaml", "-f", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["cases"]) == 4
    assert {"outcome_hit_rate", "objector_precision", "objector_recall", "naive_hit_rate"} <= set(
        data
    )
    table = run_cli("backtest", "record", RECORDS)
    assert table.code == 0, table.stderr
    assert "outcome hit rate 0.80" in table.stdout and "everything passes: 0.40" in table.stdout


def test_cli_bad_path_and_bad_model(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("backtest", "record", tmp_path / "missing")
    assert result.code == 2
    assert "no such file or folder" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("backtest", "record", RECORDS, "--model", "all")
    assert result.code == 2
    with pytest.raises(UsageError, match="unknown procedure"):
        run_record_backtest(RECORDS, procedure="lenient")


def test_forecast_table_shows_the_procedure_and_the_record(run_cli: Any) -> None:
    result = run_cli("forecast", RECORDS / "council.yaml", "-m", "compromise", "-i", "veto")
    assert result.code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "record: blocked at 0.000; objectors: e" in text
    assert "procedure" in text and "blocked" in text
    csv_out = run_cli("forecast", RECORDS / "council.yaml", "-m", "compromise", "-f", "csv")
    header = csv_out.stdout.splitlines()[0].split(",")
    at = header.index("procedure")  # the procedure's columns, then the 80% set's
    assert header[at : at + 4] == ["procedure", "procedure_outcome", "procedure_value", "objectors"]
    assert header[at + 4 :] == [
        "interval80_lo",
        "interval80_hi",
        "interval80_ends",
        "interval80_calibrated",
    ]
