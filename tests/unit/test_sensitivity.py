"""Sobol and Morris sensitivity over the assumed ranges (SALib), seeded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.errors import UsageError
from accord.scale.sensitivity import sensitivity, sensitivity_chart
from accord.scale.uncertainty import batch_from_unit, factors, with_ranges
from accord.scenario.io import load_all
from accord.scenario.schema import Scenario

SCENARIO = Path(__file__).parents[2] / "scenarios" / "emission-standards.yaml"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return with_ranges(load_all(SCENARIO)[0], position=0.1, salience=0.1, capability=0.2)


def test_factors_cover_every_range(scenario: Scenario) -> None:
    issue = scenario.issues[0]
    base, fs = factors(scenario, issue.id)
    n_pos = sum(1 for s in issue.stances if s.position.range is not None)
    assert sum(f.kind == "position" for f in fs) == n_pos > 0
    lo = batch_from_unit(base, fs, np.zeros((1, len(fs))))
    hi = batch_from_unit(base, fs, np.ones((1, len(fs))))
    for f in fs:
        if f.kind == "position":
            assert lo.positions[0, f.actor, f.dim] == f.lo
            assert hi.positions[0, f.actor, f.dim] == f.hi


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
    base, fs = factors(scenario, issue)
    w = base.capabilities[:, None] * base.saliences
    # the effect of a position on the weighted mean is w_i / sum w times its range
    expected = np.array(
        [
            w[f.actor, f.dim] / w[:, f.dim].sum() * (f.hi - f.lo) if f.kind == "position" else 0
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
