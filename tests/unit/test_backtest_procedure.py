"""``accord backtest deu --rule-aware``: the practised procedure with the fitted EU defaults."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.analysis.backtest import run_backtest
from accord.errors import UsageError
from accord.rules.procedure import EU_QMV, EU_UNANIMITY, defaults_for
from accord.scenario.importers import deu

DEV = Path(__file__).parents[1] / "data" / "deu" / "deu3_dev.tsv"


def slice_text(rows: int = 60) -> str:
    lines = DEV.read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[: rows + 1]) + "\n"


def test_practised_rule_aware_moves_forecasts_only_towards_the_reference_point() -> None:
    text = slice_text()
    ruled = run_backtest(text, ["compromise"], rule_aware=True)
    assert ruled.procedure == "practised"
    scenarios, _ = deu.read_with_report(text, "slice.tsv")
    rp = {s.issues[0].id: s.issues[0].status_quo for s in scenarios}
    moved = 0
    for row in ruled.errors.itertuples():
        sq = rp[row.issue]
        if sq is None:
            assert row.forecast == row.unconstrained
            continue
        q = sq.values()[0]
        lo, hi = min(q, row.unconstrained), max(q, row.unconstrained)
        assert lo - 1e-6 <= row.forecast <= hi + 1e-6
        moved += not np.isclose(row.forecast, row.unconstrained)
    # and at most max_dilution of the way (beyond it the text is blocked: the forecast is rp)
    for row in ruled.errors.itertuples():
        sq = rp[row.issue]
        if sq is None or np.isclose(row.forecast, sq.values()[0]):
            continue
        share = abs(row.forecast - row.unconstrained) / max(
            abs(sq.values()[0] - row.unconstrained), 1e-12
        )
        assert share <= max(EU_QMV.max_dilution, EU_UNANIMITY.max_dilution) + 1e-6


def test_rule_aware_json_reports_the_paired_comparison_with_free() -> None:
    text = slice_text(40)
    ruled = run_backtest(text, ["compromise"], rule_aware=True)
    data = ruled.to_json_dict(replicates=50)
    assert data["procedure"] == "practised"
    row = data["rule_aware_vs_free"]["compromise"]
    assert row["a"] == "compromise rule-aware" and row["b"] == "compromise free"
    free = run_backtest(text, ["compromise"]).metrics()["compromise"]["mae"]
    assert row["mae_b"] == pytest.approx(free)
    assert row["mae_a"] == pytest.approx(ruled.metrics()["compromise"]["mae"])
    assert row["ci"][0] <= row["mae_diff"] <= row["ci"][1]
    assert "rule_aware_vs_free" not in run_backtest(text, []).to_json_dict(replicates=20)


def test_strict_and_practised_differ_and_bad_procedure_is_refused() -> None:
    text = slice_text(40)
    strict = run_backtest(text, ["compromise"], rule_aware=True, procedure="strict")
    practised = run_backtest(text, ["compromise"], rule_aware=True)
    assert strict.metrics()["compromise"]["mae"] != practised.metrics()["compromise"]["mae"]
    with pytest.raises(UsageError, match="unknown procedure"):
        run_backtest(text, [], rule_aware=True, procedure="lenient")


def test_eu_defaults_by_rule_kind() -> None:
    assert defaults_for("unanimity") is EU_UNANIMITY
    assert defaults_for("eu-nice") is EU_QMV and defaults_for("qualified-majority") is EU_QMV
    assert EU_UNANIMITY.source and EU_QMV.source
