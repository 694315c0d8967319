"""Sobol and Morris sensitivity over the assumed ranges (SALib), seeded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.errors import UsageError
from accord.report.charts import sensitivity_chart
from accord.scale.sensitivity import sensitivity
from accord.scale.uncertainty import (
    apply_draws,
    draw_values,
    uncertain_inputs,
    unit_to_values,
    with_ranges,
)
from accord.scenario.arrays import issue_arrays
from accord.scenario.io import load_all
from accord.scenario.schema import Scenario

SCENARIO = Path(__file__).parents[2] / "scenarios" / "emission-standards.yaml"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return with_ranges(load_all(SCENARIO)[0], position=0.1, salience=0.1, capability=0.2)


def test_factors_cover_every_range(scenario: Scenario) -> None:
    issue = scenario.issues[0]
    fs = uncertain_inputs(scenario, issue.id)
    n_pos = sum(1 for s in issue.stances if s.position.range is not None)
    assert sum(f.kind == "position" for f in fs) == n_pos > 0
    lo = apply_draws(scenario, issue.id, fs, unit_to_values(fs, np.zeros((1, len(fs)))))
    hi = apply_draws(scenario, issue.id, fs, unit_to_values(fs, np.ones((1, len(fs)))))
    for f in fs:
        if f.kind == "position":
            assert lo.positions[0, f.row, f.cols[0]] == f.lo
            assert hi.positions[0, f.row, f.cols[0]] == f.hi


def test_sobol_is_seeded_and_sensible(scenario: Scenario) -> None:
    issue = scenario.issues[0].id
    a = sensitivity(scenario, issue, "compromise", "sobol", n=64, seed=3)
    b = sensitivity(scenario, issue, "compromise", "sobol", n=64, seed=3)
    assert a.indices == b.indices
    assert a.runs == 64 * (len(a.factors) + 2)
    st = np.array(a.indices["ST"])
    assert np.all(st >= -0.05)
    # a weighted mean: mostly additive, so first-order indices explain most of the variance
    s1 = float(np.sum(a.indices["S1"]))
    assert 0.5 < s1 <= 1.1
    assert float(np.sum(st)) >= s1 - 0.1


def test_morris_ranks_the_heaviest_actor_first(scenario: Scenario) -> None:
    issue = scenario.issues[0].id
    res = sensitivity(scenario, issue, "compromise", "morris", n=10, seed=1)
    mu = np.array(res.indices["mu_star"])
    assert mu.max() > 0
    base = issue_arrays(scenario, issue)
    fs = [f for f in uncertain_inputs(scenario, issue) if f.hi > f.lo]
    assert res.factors == [f.name for f in fs]
    w = base.capabilities[:, None] * base.saliences
    # the effect of a position on the weighted mean is w_i / sum w times its range
    expected = np.array(
        [
            w[f.row, f.cols[0]] / w[:, f.cols[0]].sum() * (f.hi - f.lo)
            if f.kind == "position"
            else 0
            for f in fs
        ]
    )
    positions = [i for i, f in enumerate(fs) if f.kind == "position"]
    assert int(np.argmax(mu[positions])) == int(np.argmax(expected[positions]))


def test_chart_is_svg(scenario: Scenario) -> None:
    res = sensitivity(scenario, scenario.issues[0].id, "compromise", "morris", n=4, seed=0)
    svg = sensitivity_chart(res)
    assert svg.startswith("<svg") and "mu*" in svg


def test_bad_method_is_a_usage_error(scenario: Scenario) -> None:
    with pytest.raises(UsageError):
        sensitivity(scenario, scenario.issues[0].id, method="fast")


def test_cli_sensitivity_and_sweep(run_cli: Any, tmp_path: Path, scenario: Scenario) -> None:
    from accord.scenario.io import export_text

    path = tmp_path / "s.yaml"
    path.write_text(export_text(scenario))
    res = run_cli("sensitivity", path, "--method", "morris", "--n", "4", "--format", "json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["method"] == "morris" and data["factors"]
    res = run_cli(
        "sweep",
        path,
        "--vary",
        "model=compromise,median",
        "--draws",
        "3",
        "--scheduler",
        "sync",
        "--out",
        tmp_path / "out",
    )
    assert res.code == 0, res.stderr
    assert len(list((tmp_path / "out").glob("part-*.parquet"))) == 2
    assert run_cli("sweep", path, "--vary", "q", "--scheduler", "sync").code == 2


def test_one_pipeline_for_monte_carlo_and_sensitivity(scenario: Scenario) -> None:
    """Monte Carlo's draws are this module's draws, bit for bit, under both distributions."""
    from accord.analysis import montecarlo

    issue = scenario.issues[0].id
    fs = uncertain_inputs(scenario, issue)
    assert [f.to_json_dict() for f in fs] == [
        f.to_json_dict() for f in montecarlo.uncertain_inputs(scenario, issue)
    ]
    for distribution in ("uniform", "triangular"):
        ours = draw_values(fs, 50, np.random.default_rng(4), distribution)
        theirs = montecarlo.draw_values(fs, 50, np.random.default_rng(4), distribution)
        np.testing.assert_array_equal(ours, theirs)
        a = apply_draws(scenario, issue, fs, ours)
        b = montecarlo.apply_draws(scenario, issue, fs, theirs)
        np.testing.assert_array_equal(a.positions, b.positions)
        np.testing.assert_array_equal(a.saliences, b.saliences)


def test_triangular_draws_pile_up_at_the_stated_value(scenario: Scenario) -> None:
    issue = scenario.issues[0].id
    fs = [f for f in uncertain_inputs(scenario, issue) if f.hi > f.lo]
    u = np.random.default_rng(0).random((4000, len(fs)))
    uniform = unit_to_values(fs, u, "uniform")
    tri = unit_to_values(fs, u, "triangular")
    values = np.array([f.value for f in fs])
    lo, hi = np.array([f.lo for f in fs]), np.array([f.hi for f in fs])
    assert np.all((tri >= lo - 1e-12) & (tri <= hi + 1e-12))
    # the triangular mean is (lo + mode + hi) / 3, the uniform one (lo + hi) / 2
    np.testing.assert_allclose(
        tri.mean(axis=0), (lo + values + hi) / 3, atol=0.05 * (hi - lo).max()
    )
    np.testing.assert_allclose(uniform.mean(axis=0), (lo + hi) / 2, atol=0.05 * (hi - lo).max())


def test_status_quo_draws_reach_the_batch() -> None:
    """A status-quo input writes its draws into ``IssueBatch.status_quo`` (the schema's status
    quo has no ``range`` field yet, so the input is built here as ``uncertain_inputs`` would)."""
    from accord.scale.uncertainty import UncertainInput

    tax = load_all(SCENARIO.parent / "eu-company-tax.yaml")[0]
    issue = tax.issues[0]
    base = issue_arrays(tax, issue.id)
    assert base.status_quo is not None
    sq = float(base.status_quo[0])
    inp = UncertainInput(
        "status quo", "status_quo", None, issue.dimensions[0].id, sq, sq - 5, sq + 5, -1, (0,)
    )
    values = draw_values([inp], 200, np.random.default_rng(1), "triangular")
    batch = apply_draws(tax, issue.id, [inp], values)
    assert batch.status_quo is not None
    np.testing.assert_array_equal(batch.status_quo[:, 0], values[:, 0])
    assert np.all(np.abs(batch.status_quo[:, 0] - sq) <= 5)
    np.testing.assert_array_equal(batch.positions, np.repeat(base.positions[None], 200, axis=0))


def test_sensitivity_with_triangular_draws(scenario: Scenario) -> None:
    issue = scenario.issues[0].id
    tri = sensitivity(
        scenario, issue, "compromise", "morris", n=4, seed=0, distribution="triangular"
    )
    uni = sensitivity(scenario, issue, "compromise", "morris", n=4, seed=0)
    assert tri.factors == uni.factors and tri.indices != uni.indices
