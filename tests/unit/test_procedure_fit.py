"""Fitting the procedure's parameters: grid search, leave-one-out and grouped cross-validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.analysis import procedure_fit as pf
from accord.analysis.record_backtest import summary
from accord.rules.base import Unanimity
from accord.rules.procedure import ProcedureParams

RECORDS = Path(__file__).parents[1] / "data" / "records"


def synthetic_cases(true: ProcedureParams, n: int, seed: int) -> list[pf.FitCase]:
    """Value cases whose recorded outcome is what the procedure gives under ``true``."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(n):
        k = 5
        rule = Unanimity([f"m{j}" for j in range(k)])
        x = rng.uniform(0, 100, size=(k, 1))
        s = rng.uniform(0.2, 1.0, size=(k, 1))
        q = rng.uniform(0, 100, size=1)
        p = rng.uniform(0, 100, size=1)
        case = pf.FitCase(f"c{i}", f"g{i // 2}", rule, x, s, q, p)
        value = float(case.run(true).value[0])
        cases.append(pf.FitCase(f"c{i}", f"g{i // 2}", rule, x, s, q, p, outcome_value=value))
    return cases


def test_value_fit_recovers_the_cost_that_generated_the_outcomes() -> None:
    true = ProcedureParams(20.0, 0.0, 0.5)
    cases = synthetic_cases(true, 60, seed=3)
    cands = pf.grid(costs=(0.0, 10.0, 20.0, 30.0, 60.0), taus=(0.0,), dilutions=(0.5,))
    result = pf.fit_values(cases, cands, kind="unanimity", folds=5)
    assert result.params.cost == 20.0
    assert result.in_sample["mae"] == pytest.approx(0.0, abs=1e-6)
    assert result.cv["mae"] <= result.cv["mae_free"]
    assert len(result.chosen_per_fold) == 5


def test_folds_keep_a_proposal_together() -> None:
    groups = ["a", "a", "b", "c", "b", "d", "a"]
    folds = pf.fold_of(groups, 3)
    assert folds == [0, 0, 1, 2, 1, 0, 0]


def test_record_fit_is_best_in_sample_and_leave_one_out_refits() -> None:
    cases = pf.nato_cases(RECORDS)
    assert len(cases) == 5
    cands = pf.grid(costs=(0.0, 5.0, 10.0, 30.0), taus=(0.0, 2.0), dilutions=(0.5,))
    result = pf.fit_record(cases, cands, rule="best")
    hits = [summary(pf.record_rows(cases, c))["outcome_hit_rate"] for c in cands]
    assert hits[cands.index(result.params)] == max(hits)
    assert result.best == result.params
    # the held-out case 0 is predicted with the parameters fitted on the other four
    others = pf.fit_record(cases[1:], cands, rule="best")
    assert result.chosen_per_fold[0] == others.params
    assert result.cv["n"] == 5
    assert 0.0 <= result.cv["outcome_hit_rate"] <= result.in_sample["outcome_hit_rate"] + 1e-12


def test_one_standard_error_rule_prefers_the_prior_among_near_ties() -> None:
    cands = [
        ProcedureParams(2.5, 0.0, 0.5),
        ProcedureParams(10.0, 2.0, 0.5),
        ProcedureParams(40.0, 2.0, 0.5),
    ]
    groups = [f"c{i}" for i in range(10)]
    scores = np.array(
        [
            [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],  # 0.7
            [1, 1, 1, 1, 1, 1, 0, 0, 0, 0],  # 0.6: within one SE (0.145) of 0.7
            [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],  # 0.3: not
        ],
        dtype=float,
    )
    assert pf.select(scores, groups, cands, rule="best") == 0
    assert pf.select(scores, groups, cands, rule="one-se") == 1
    prior_far = ProcedureParams(40.0, 2.0, 0.5)
    assert pf.select(scores, groups, cands, rule="one-se", prior=prior_far) == 1  # 40 not eligible
    with pytest.raises(ValueError):
        pf.select(scores, groups, cands, rule="median")


def test_clustered_standard_error() -> None:
    v = np.array([1.0, 0.0, 1.0, 0.0])
    # one case per group: sqrt(sum (v - mean)^2) / n = sqrt(4 * 0.25) / 4
    assert pf.clustered_se(v, ["a", "b", "c", "d"]) == pytest.approx(0.25)
    # two groups of two: deviations cancel within each group
    assert pf.clustered_se(v, ["a", "a", "b", "b"]) == pytest.approx(0.0)
    assert pf.PRIOR.cost == 10.0 and pf.PRIOR.source


def test_grid_keeps_tau_within_the_cost() -> None:
    for params in pf.grid():
        assert params.reservation_threshold <= params.cost
    assert len(pf.grid(costs=(0.0, 4.0), taus=(0.0, 2.0, 8.0), dilutions=(0.5,))) == 3


def test_fit_all_on_records_reports_both_selection_rules() -> None:
    out = pf.fit_all(RECORDS, None, costs=(0.0, 5.0, 10.0, 20.0))
    assert set(out) == {"consensus", "consensus_rule_best"}
    for key in out:
        assert out[key]["n"] == 5
        assert 0.0 <= out[key]["cv"]["outcome_hit_rate"] <= 1.0
        assert out[key]["params"]["reservation_threshold"] <= out[key]["params"]["cost"]
