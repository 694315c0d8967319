"""The case analyses (analysis/case.py) and the report's rendering speed-ups (issue 13)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from accord.analysis.case import analyse_case
from accord.analysis.montecarlo import average_ranks
from accord.report.case_report import render_case_report
from accord.scenario.io import load

SMALL = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "small.yaml"


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 4)),
        elements=st.sampled_from([0.0, 1.0, 2.5, -3.0, 7.0, float("nan")]) | st.floats(-5, 5),
    )
)
def test_average_ranks_are_scipys(values: np.ndarray) -> None:
    from scipy.stats import rankdata

    expected = rankdata(values, axis=0)
    assert np.array_equal(average_ranks(values), expected, equal_nan=True)


def test_sections_drawn_in_worker_processes_give_the_same_html(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import accord.report.case_report as case_report

    pools: list[object] = []
    real = case_report.ProcessPoolExecutor

    def counted(*args: object, **kwargs: object) -> object:
        pools.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(case_report, "ProcessPoolExecutor", counted)
    report = analyse_case(
        load(SMALL), models="compromise,median", mc_models="compromise", draws=30, source=SMALL
    )
    one = render_case_report(report, jobs=1)
    assert pools == []
    assert render_case_report(report, jobs=2) == one
    assert len(pools) == 1  # the worker processes really drew the sections
    assert one.count('<section class="page">') == len(report.forecast.issues) + 4


def test_analyse_case_rejects_bad_arguments_at_once() -> None:
    from accord.errors import AccordError

    with pytest.raises(AccordError):
        analyse_case(load(SMALL), models="no-such-model", draws=5)


def test_shared_one_dimension_winsets_give_constrains_allowed_outcomes() -> None:
    """The Monte Carlo computes each draw's 1-D winset once for all models; the allowed
    outcomes equal :func:`accord.rules.constrain.constrain`'s, draw by draw."""
    from accord.analysis.montecarlo import (
        _issue_rule,
        apply_draws,
        draw_values,
        pass_and_allowed,
        uncertain_inputs,
    )
    from accord.scale.batch import run_batch

    root = Path(__file__).resolve().parents[2]
    scenario = load(root / "scenarios" / "japan-nato" / "scenario.yaml")
    issue = "tokyo-office"
    inputs = uncertain_inputs(scenario, issue)
    batch = apply_draws(
        scenario, issue, inputs, draw_values(inputs, 60, np.random.default_rng(3), "uniform")
    )
    rule = _issue_rule(scenario, issue, None)
    cache: dict[int, object] = {}
    failing = 0
    for model in ("compromise", "median"):
        outcomes = run_batch(model, batch, {}, 1, None)
        plain = pass_and_allowed(rule, batch, outcomes)
        shared = pass_and_allowed(rule, batch, outcomes, None, cache)
        assert np.array_equal(plain[0], shared[0])
        assert np.array_equal(plain[1], shared[1], equal_nan=True)
        failing += int((~plain[0]).sum())
    assert failing > 0  # the shared path was exercised
