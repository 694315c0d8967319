"""The compromise and weighted-median models: hand cases, properties, and the DEU baselines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from accord.errors import UsageError
from accord.models import compromise as compromise_mod
from accord.models import median as median_mod
from accord.models.base import IssueArrays
from accord.models.compromise import actor_weights, compromise
from accord.models.median import weighted_median
from tests.strategies import issue_arrays

DATA = Path(__file__).parents[1] / "data"
RNG = np.random.default_rng(0)


def issue(
    positions: list[float],
    saliences: list[float],
    capabilities: list[float],
    sq: float | None = None,
) -> IssueArrays:
    n = len(positions)
    return IssueArrays(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=np.array(positions, dtype=float).reshape(n, 1),
        saliences=np.array(saliences, dtype=float).reshape(n, 1),
        capabilities=np.array(capabilities, dtype=float),
        lo=np.array([0.0]),
        hi=np.array([100.0]),
        status_quo=None if sq is None else np.array([sq]),
    )


# --- compromise ----------------------------------------------------------------------------------


def test_compromise_by_hand() -> None:
    a = issue([0, 100], [1.0, 0.5], [1, 2])
    # weights c*s = 1 and 1 -> 50
    assert compromise_mod.run(a, {}, RNG).outcome[0] == pytest.approx(50.0)
    # salience only: (0 * 1 + 100 * 0.5) / 1.5
    assert compromise_mod.run(a, {"weights": "salience"}, RNG).outcome[0] == pytest.approx(100 / 3)
    # capability only: 200 / 3
    assert compromise_mod.run(a, {"weights": "capability"}, RNG).outcome[0] == pytest.approx(
        200 / 3
    )
    assert compromise_mod.run(a, {"weights": "equal"}, RNG).outcome[0] == pytest.approx(50.0)


def test_compromise_per_dimension_saliences() -> None:
    x = np.array([[0.0, 0.0], [10.0, 10.0]])
    w = actor_weights(np.array([1.0, 1.0]), np.array([[1.0, 0.25], [1.0, 0.75]]))
    out, zero = compromise(x, w)
    np.testing.assert_allclose(out, [5.0, 7.5])
    assert zero == []


def test_compromise_zero_weights_fall_back_to_the_mean() -> None:
    out, zero = compromise(np.array([[0.0], [30.0]]), np.zeros((2, 1)))
    assert out[0] == 15.0 and zero == [0]


def test_compromise_run_contract() -> None:
    a = issue([0, 40, 100], [1, 1, 1], [1, 1, 1])
    run = compromise_mod.run(a, {}, RNG)
    assert run.model == "compromise" and run.positions.shape == (1, 3, 1) and run.n_rounds == 0
    assert compromise_mod.SPEC.name == "compromise" and not compromise_mod.SPEC.uses_status_quo
    with pytest.raises(UsageError, match="no parameter"):
        compromise_mod.run(a, {"bogus": 1}, RNG)
    with pytest.raises(UsageError, match="weighting"):
        compromise_mod.run(a, {"weights": "votes"}, RNG)


# --- median --------------------------------------------------------------------------------------


def test_weighted_median_by_hand() -> None:
    x = np.array([[10.0], [20.0], [30.0], [40.0]])
    # weights 1, 1, 3, 1 (total 6, half 3): cumulative 1, 2, 5 -> 30
    out, _ = weighted_median(x, np.array([[1.0], [1.0], [3.0], [1.0]]))
    assert out[0] == 30.0
    # a heavy actor at the end: 1, 1, 1, 5 -> cumulative reaches 4 at 40
    out, _ = weighted_median(x, np.array([[1.0], [1.0], [1.0], [5.0]]))
    assert out[0] == 40.0


def test_weighted_median_ties() -> None:
    x = np.array([[10.0], [20.0], [30.0], [40.0]])
    w = np.ones((4, 1))
    assert weighted_median(x, w, "lower")[0][0] == 20.0
    assert weighted_median(x, w, "midpoint")[0][0] == 25.0
    # zero-weight actors never decide: the next weighted position after 20 is 40
    w2 = np.array([[1.0], [1.0], [0.0], [2.0]])
    assert weighted_median(x, w2, "midpoint")[0][0] == 30.0
    with pytest.raises(UsageError):
        weighted_median(x, w, "upper")


def test_weighted_median_unsorted_input_and_dimensions() -> None:
    x = np.array([[30.0, 1.0], [10.0, 3.0], [20.0, 2.0]])
    w = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 5.0]])
    out, _ = weighted_median(x, w)
    np.testing.assert_allclose(out, [20.0, 2.0])


def test_median_run_contract() -> None:
    a = issue([0, 40, 100], [1, 1, 1], [1, 1, 1])
    run = median_mod.run(a, {"ties": "midpoint"}, RNG)
    assert run.outcome[0] == 40.0 and run.diagnostics["ties"] == "midpoint"
    assert median_mod.SPEC.name == "median"


# --- properties ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(a=issue_arrays())
def test_baselines_lie_within_the_range_of_positions(a: IssueArrays) -> None:
    for module in (compromise_mod, median_mod):
        out = module.run(a, {}, RNG).outcome
        assert np.all(out >= a.positions.min(axis=0) - 1e-9)
        assert np.all(out <= a.positions.max(axis=0) + 1e-9)


@settings(max_examples=40, deadline=None)
@given(a=issue_arrays())
def test_baselines_are_invariant_to_relabelling_actors(a: IssueArrays) -> None:
    perm = np.random.default_rng(a.n_actors).permutation(a.n_actors)
    b = IssueArrays(
        actor_ids=tuple(a.actor_ids[i] for i in perm),
        positions=a.positions[perm],
        saliences=a.saliences[perm],
        capabilities=a.capabilities[perm],
        lo=a.lo,
        hi=a.hi,
        status_quo=a.status_quo,
    )
    for module in (compromise_mod, median_mod):
        for ties in ("lower", "midpoint"):
            params = {"ties": ties} if module is median_mod else {}
            np.testing.assert_allclose(
                module.run(a, params, RNG).outcome,
                module.run(b, params, RNG).outcome,
                rtol=1e-12,
                atol=1e-9,
            )


@settings(max_examples=40, deadline=None)
@given(a=issue_arrays())
def test_scaling_all_capabilities_changes_nothing(a: IssueArrays) -> None:
    b = IssueArrays(
        a.actor_ids, a.positions, a.saliences, a.capabilities * 7.5, a.lo, a.hi, a.status_quo
    )
    for module in (compromise_mod, median_mod):
        np.testing.assert_allclose(
            module.run(a, {}, RNG).outcome, module.run(b, {}, RNG).outcome, rtol=1e-9, atol=1e-9
        )


# --- DEU reference baselines (models.md section 6) ---------------------------------------------


def _deu_issues() -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Positions, saliences and outcome of every scorable DEU dev issue, cleaned per models.md:
    999 and values outside 0-100 are missing; an issue needs a valid outcome and at least three
    actors with both a position and a salience."""
    df = pd.read_csv(DATA / "deu" / "deu3_dev.tsv", sep="\t", dtype=str)
    actors = [c[1:] for c in df.columns if c.startswith("p") and "s" + c[1:] in df.columns]

    def clean(frame: pd.DataFrame) -> np.ndarray:
        values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        return np.where((values >= 0) & (values <= 100), values, np.nan)

    pos = clean(df[["p" + a for a in actors]])
    sal = clean(df[["s" + a for a in actors]])
    out = clean(df[["out"]])[:, 0]
    issues = []
    for r in range(len(df)):
        ok = ~np.isnan(pos[r]) & ~np.isnan(sal[r])
        if np.isnan(out[r]) or ok.sum() < 3:
            continue
        issues.append((pos[r, ok][:, None], sal[r, ok][:, None], float(out[r])))
    return issues


def test_deu_dev_baselines_match_models_md() -> None:
    issues = _deu_issues()
    errors: dict[str, list[float]] = {"mean": [], "median": [], "salience": []}
    for x, s, out in issues:
        errors["mean"].append(abs(compromise(x, np.ones_like(x))[0][0] - out))
        errors["salience"].append(abs(compromise(x, s)[0][0] - out))
        errors["median"].append(abs(weighted_median(x, np.ones_like(x), "midpoint")[0][0] - out))
    mae = {k: float(np.mean(v)) for k, v in errors.items()}
    # models.md section 6, dev split: unweighted mean 24.04, median 29.48, salience mean 23.63
    assert mae["mean"] == pytest.approx(24.04, abs=0.005)
    assert mae["median"] == pytest.approx(29.48, abs=0.005)
    assert mae["salience"] == pytest.approx(23.63, abs=0.005)
