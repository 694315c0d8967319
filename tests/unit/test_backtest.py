"""The DEU backtest: the dev-split baselines of models.md section 6, and the JSON contract."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from accord.analysis.backtest import (
    ERROR_COLUMNS,
    BacktestResult,
    mean_position,
    median_position,
    run_backtest,
    salience_weighted_mean,
)
from accord.errors import UsageError
from accord.scenario.importers import deu

DEV = Path(__file__).parents[1] / "data" / "deu" / "deu3_dev.tsv"
BASELINE_NAMES = ["mean", "median", "salience_weighted_mean"]
METRIC_KEYS = {"mae", "rmse", "n", "mae_qmv", "mae_unanimity"}

# models.md section 6, MAE on the 0-100 scale on this dev split.
BRIEF_MAE = {"mean": 24.04, "median": 29.48, "salience_weighted_mean": 23.63}
BRIEF_COMPROMISE_MAE = 22.40


@cache
def slice_text(rows: int = 20) -> str:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[: rows + 1]) + "\n"


@cache
def dev_baselines() -> BacktestResult:
    return run_backtest(DEV, [])


def test_baselines_reproduce_the_brief() -> None:
    models = dev_baselines().to_json_dict()["models"]
    assert list(models) == BASELINE_NAMES
    for name, expected in BRIEF_MAE.items():
        assert models[name]["mae"] == pytest.approx(expected, abs=0.01), name
        assert models[name]["n"] == 244


def test_compromise_with_council_votes_reproduces_the_brief() -> None:
    data = run_backtest(DEV, ["compromise"]).to_json_dict()["models"]
    assert data["compromise"]["mae"] == pytest.approx(BRIEF_COMPROMISE_MAE, abs=0.01)
    assert data["compromise"]["n"] == 244


def test_errors_table() -> None:
    result = dev_baselines()
    table = result.errors
    assert list(table.columns) == list(ERROR_COLUMNS)
    assert len(table) == 244 * 3
    assert np.allclose(table["error"], (table["forecast"] - table["outcome"]).abs())
    assert set(table["rule"]) == {"qmv", "unanimity"}
    assert set(table["procedure"]) == {"COD", "CNS"}
    assert (table["n_actors"] >= 3).all()
    first = table[(table["issue"] == "d00032i1") & (table["model"] == "mean")].iloc[0]
    assert first["proposal"] == "d00032" and first["outcome"] == 100


def test_split_by_rule_is_consistent() -> None:
    result = dev_baselines()
    for name, row in result.to_json_dict()["models"].items():
        errors = result.errors[result.errors["model"] == name]
        n_qmv = int((errors["rule"] == "qmv").sum())
        n_unan = int((errors["rule"] == "unanimity").sum())
        assert n_qmv + n_unan == row["n"]
        pooled = (row["mae_qmv"] * n_qmv + row["mae_unanimity"] * n_unan) / row["n"]
        assert pooled == pytest.approx(row["mae"])
        assert row["rmse"] >= row["mae"]


def independent_counts(text: str) -> tuple[int, int, int, int]:
    """(rows, scored, no outcome, few actors) recomputed here from the raw cells."""

    def valid(cell: str) -> bool:
        try:
            value = float(cell)
        except ValueError:
            return False
        return value != 999 and 0 <= value <= 100

    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    rows = scored = no_out = few = 0
    for record in reader:
        rows += 1
        codes = [k[1:] for k in record if k.startswith("s") and "p" + k[1:] in record]
        n = sum(valid(record["p" + c]) and valid(record["s" + c]) for c in codes)
        bad_out, bad_n = not valid(record["out"]), n < 3
        no_out += bad_out
        few += bad_n
        scored += not (bad_out or bad_n)
    return rows, scored, no_out, few


@pytest.mark.parametrize("rows", [20, 60])
def test_slice_json_contract_and_cleaning_counts(rows: int) -> None:
    text = slice_text(rows)
    result = run_backtest(text, [])
    data = result.to_json_dict(replicates=50)
    assert {"models", "cleaning"} <= set(data)
    assert set(result.to_json_dict(statistics=False)) == {"models", "cleaning"}
    json.dumps(data)  # serialisable
    n_rows, scored, no_out, few = independent_counts(text)
    for name in BASELINE_NAMES:
        assert set(data["models"][name]) >= METRIC_KEYS
        assert data["models"][name]["n"] == scored
    assert result.cleaning.rows_read == n_rows
    assert result.cleaning.scored == scored
    reasons = result.cleaning.skipped_by_reason()
    assert reasons.get("no valid outcome", 0) == no_out
    assert reasons.get("fewer than 3 actors with position and salience", 0) == few
    assert isinstance(data["cleaning"], str) and "\n" not in data["cleaning"]
    assert f"{n_rows} rows read, {scored} scored" in data["cleaning"]


def test_dev_counts_match_the_independent_count() -> None:
    rows, scored, no_out, few = independent_counts(DEV.read_text(encoding="utf-8"))
    assert (rows, scored, no_out, few) == (256, 244, 10, 2)
    assert dev_baselines().cleaning.scored == scored


def test_slice_without_a_unanimity_issue_reports_none() -> None:
    data = run_backtest(slice_text(6), []).to_json_dict()["models"]
    assert data["mean"]["mae_unanimity"] is None
    assert data["mean"]["mae_qmv"] == pytest.approx(data["mean"]["mae"])


def test_deterministic_and_path_equals_text(tmp_path: Path) -> None:
    models = ["compromise"]
    first = run_backtest(slice_text(), models, seed=3).to_json_dict()
    second = run_backtest(slice_text(), models, seed=3).to_json_dict()
    assert first == second
    path = tmp_path / "slice.tsv"
    path.write_text(slice_text(), encoding="utf-8")
    from_path = run_backtest(path, models, seed=3)
    assert from_path.to_json_dict()["models"] == first["models"]
    assert from_path.cleaning.source == "slice.tsv"
    assert run_backtest(str(path), models, seed=3).to_json_dict() == from_path.to_json_dict()


def test_progress_reaches_the_total() -> None:
    calls: list[tuple[int, int]] = []
    run_backtest(slice_text(), [], progress=lambda done, total: calls.append((done, total)))
    scored = independent_counts(slice_text())[1]
    assert calls[-1] == (scored * 3, scored * 3)
    assert [d for d, _ in calls] == list(range(1, scored * 3 + 1))


def test_registered_median_is_listed_as_weighted_median() -> None:
    for asked in ("median", "weighted_median"):
        data = run_backtest(slice_text(), [asked]).to_json_dict()["models"]
        assert list(data) == [*BASELINE_NAMES, "weighted_median"]


def test_capability_option_leaves_the_baselines_alone() -> None:
    base = run_backtest(slice_text(), [], capability="equal").to_json_dict()["models"]
    assert base == run_backtest(slice_text(), []).to_json_dict()["models"]


def test_capability_option_reaches_the_models() -> None:
    equal = run_backtest(slice_text(), ["compromise"], capability="equal")
    votes = run_backtest(slice_text(), ["compromise"])
    swm = equal.errors[equal.errors["model"] == "salience_weighted_mean"]["forecast"].to_numpy()
    comp = equal.errors[equal.errors["model"] == "compromise"]["forecast"].to_numpy()
    assert np.allclose(comp, swm)  # equal capabilities: compromise = salience-weighted mean
    assert not np.allclose(comp, votes.errors[votes.errors["model"] == "compromise"]["forecast"])


def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown model"):
        run_backtest(slice_text(), ["no-such-model"])
    with pytest.raises(UsageError, match="capability"):
        run_backtest(slice_text(), [], capability="gdp")
    with pytest.raises(UsageError, match="no such file"):
        run_backtest(tmp_path / "missing.tsv", [])


def test_rule_aware_keeps_unanimity_forecasts_in_the_winset() -> None:
    """Under unanimity in 1-D the winset is the intersection over members of the intervals
    between SQ and 2 x_i - SQ (models.md section 4); recomputed here from the scenarios."""
    text = slice_text(60)
    free = run_backtest(text, [])
    ruled = run_backtest(text, [], rule_aware=True)
    assert list(ruled.errors["unconstrained"]) == list(free.errors["forecast"])
    scenarios, _ = deu.read_with_report(text, "slice.tsv")
    checked = 0
    for scenario in scenarios:
        issue = scenario.issues[0]
        rows = ruled.errors[ruled.errors["issue"] == issue.id]
        if issue.status_quo is None:
            assert list(rows["forecast"]) == list(rows["unconstrained"])
            continue
        if scenario.bodies[0].rule.kind != "unanimity":
            continue
        sq = issue.status_quo.values()[0]
        members = {a.id for a in scenario.actors if "council" in a.member_of}
        xs = np.array([st.position.values()[0] for st in issue.stances if st.actor in members])
        lo = np.max(np.minimum(sq, 2 * xs - sq))
        hi = np.min(np.maximum(sq, 2 * xs - sq))
        for forecast, raw in zip(rows["forecast"], rows["unconstrained"], strict=True):
            assert lo - 1e-6 <= forecast <= hi + 1e-6
            if lo <= raw <= hi:
                assert forecast == pytest.approx(raw)
            checked += 1
    assert checked >= 20


def test_baseline_formulas() -> None:
    x = np.array([[0.0], [10.0], [40.0], [100.0]])
    s = np.array([[1.0], [0.0], [1.0], [0.0]])
    assert mean_position(x)[0] == 37.5
    assert median_position(x)[0] == 25.0
    assert salience_weighted_mean(x, s)[0] == 20.0
    assert salience_weighted_mean(x, np.zeros_like(s))[0] == 37.5


def test_a_model_that_refuses_an_issue_is_counted_not_fatal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accord.models import registry
    from accord.models.base import IssueArrays, ModelParams, ModelRun, ModelSpec

    def run(issue: IssueArrays, params: object, rng: np.random.Generator) -> ModelRun:
        if issue.n_actors > 16:
            raise UsageError("too many actors for this fake")
        x = issue.positions.mean(axis=0)
        return ModelRun("fake", issue.positions[None], x)

    fake = ModelSpec("fake", "test double", "none", run, ModelParams)
    real = registry.get_model
    monkeypatch.setattr(registry, "get_model", lambda name: fake if name == "fake" else real(name))
    result = run_backtest(slice_text(), ["fake"])
    rows = result.errors[result.errors["model"] == "fake"]
    failed = rows["failure"] != ""
    assert failed.any() and (~failed).any()
    assert rows.loc[failed, "error"].isna().all()
    assert rows.loc[failed, "failure"].str.contains("too many actors").all()
    data = result.to_json_dict()
    assert data["models"]["fake"]["n"] == int((~failed).sum())
    assert data["models"]["mean"]["n"] == len(rows)
    assert data["cleaning"].endswith(f"model runs that failed: fake {int(failed.sum())}")
    ok = rows[~failed]
    mean = result.errors[
        (result.errors["model"] == "mean") & result.errors["issue"].isin(ok["issue"])
    ]
    assert np.allclose(ok["forecast"], mean["forecast"])
