"""The asymmetric Nash bargaining solution: special cases, optimality against grids, properties."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.models import nash as nash_mod
from accord.models.base import IssueArrays
from accord.models.compromise import compromise
from accord.models.median import weighted_median
from accord.models.nash import nash_bargaining
from tests.strategies import issue_arrays

RNG = np.random.default_rng(0)


def log_nash(
    x: np.ndarray, s: np.ndarray, c: np.ndarray, sq: np.ndarray, points: np.ndarray, utility: str
) -> np.ndarray:
    """sum_i c_i log(u_i(p) - u_i(SQ)) for each point (-inf outside F)."""
    diff = points[:, None, :] - x
    dq = sq - x
    if utility == "quadratic":
        gain = np.sum(s * dq**2, axis=-1) - np.sum(s * diff**2, axis=-1)
    else:
        gain = np.sum(s * np.abs(dq), axis=-1) - np.sum(s * np.abs(diff), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.sum(c * np.log(np.where(gain > 0, gain, np.nan)), axis=-1)
    return np.where(np.all(gain > 0, axis=-1), value, -np.inf)


# --- no status quo: the compromise model and the weighted median --------------------------------


@settings(max_examples=60, deadline=None)
@given(a=issue_arrays(status_quo=False))
def test_quadratic_nash_without_sq_is_the_compromise_model(a: IssueArrays) -> None:
    out = nash_mod.run(a, {}, RNG).outcome
    expected, _ = compromise(a.positions, a.capabilities[:, None] * a.saliences)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-6)


def test_linear_nash_without_sq_is_the_weighted_median() -> None:
    x = np.array([[10.0], [20.0], [60.0], [90.0]])
    s = np.ones((4, 1))
    c = np.array([1.0, 1.0, 1.0, 1.0])
    out, info = nash_bargaining(x, s, c, None, np.array([0.0]), np.array([100.0]), utility="linear")
    assert out[0] == pytest.approx(40.0)  # midpoint of the median interval [20, 60]
    assert "weighted median" in info["method"]
    expected, _ = weighted_median(x, c[:, None] * s, ties="midpoint")
    assert out[0] == expected[0]


# --- with a status quo ----------------------------------------------------------------------------


def test_one_dimension_closed_form() -> None:
    # Two equal actors at 60 and 80, SQ 0, quadratic, equal saliences: maximise
    # log(3600 - (x-60)^2) + log(6400 - (x-80)^2). The first-order condition
    # -(x-60)/(3600-(x-60)^2) - (x-80)/(6400-(x-80)^2) = 0 has its root in (60, 80).
    x = np.array([[60.0], [80.0]])
    out, info = nash_bargaining(
        x, np.ones((2, 1)), np.ones(2), np.array([0.0]), np.array([0.0]), np.array([100.0])
    )
    p = out[0]
    foc = -(p - 60) / (3600 - (p - 60) ** 2) - (p - 80) / (6400 - (p - 80) ** 2)
    assert abs(foc) < 1e-10 and 60 < p < 80
    assert info["method"] == "brentq"


@pytest.mark.parametrize("utility", ["quadratic", "linear"])
def test_one_dimension_beats_a_fine_grid(utility: str) -> None:
    rng = np.random.default_rng(4)
    for _ in range(5):
        x = rng.uniform(0, 100, (6, 1))
        s = rng.uniform(0.1, 1, (6, 1))
        c = rng.uniform(0.1, 1, 6)
        sq = np.array([rng.choice([0.0, 100.0])])
        out, _ = nash_bargaining(x, s, c, sq, np.array([0.0]), np.array([100.0]), utility=utility)
        grid = np.linspace(0, 100, 20001)[:, None]
        best = np.max(log_nash(x, s, c, sq, grid, utility))
        assert log_nash(x, s, c, sq, out[None, :], utility)[0] >= best - 1e-9


@pytest.mark.parametrize("utility", ["quadratic", "linear"])
def test_two_dimensions_beat_a_fine_grid(utility: str) -> None:
    rng = np.random.default_rng(9)
    for _ in range(3):
        x = rng.uniform(0, 100, (5, 2))
        s = rng.uniform(0.1, 1, (5, 2))
        c = rng.uniform(0.1, 1, 5)
        sq = np.array([0.0, 100.0])
        out, info = nash_bargaining(x, s, c, sq, np.zeros(2), np.full(2, 100.0), utility=utility)
        assert info["method"] == "barrier-newton"
        axis = np.linspace(0, 100, 401)
        grid = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
        best = np.max(log_nash(x, s, c, sq, grid, utility))
        assert log_nash(x, s, c, sq, out[None, :], utility)[0] >= best - 1e-7


def test_symmetric_actors_split_symmetrically() -> None:
    x = np.array([[40.0, 80.0], [80.0, 40.0]])
    out, _ = nash_bargaining(
        x, np.ones((2, 2)), np.ones(2), np.array([0.0, 0.0]), np.zeros(2), np.full(2, 100.0)
    )
    assert out[0] == pytest.approx(out[1], abs=1e-6)
    # on the diagonal the two gains are equal, and the product is maximised at (60, 60)
    np.testing.assert_allclose(out, [60.0, 60.0], atol=1e-5)


def test_sq_between_actors_is_degenerate() -> None:
    x = np.array([[20.0], [80.0]])
    out, info = nash_bargaining(
        x, np.ones((2, 1)), np.ones(2), np.array([50.0]), np.array([0.0]), np.array([100.0])
    )
    assert out[0] == 50.0 and "degenerate" in info
    # in two dimensions: opposite sides on both axes
    x2 = np.array([[20.0, 20.0], [80.0, 80.0]])
    out2, info2 = nash_bargaining(
        x2, np.ones((2, 2)), np.ones(2), np.array([50.0, 50.0]), np.zeros(2), np.full(2, 100.0)
    )
    np.testing.assert_allclose(out2, [50.0, 50.0])
    assert "degenerate" in info2


def test_actor_at_the_status_quo() -> None:
    x = np.array([[30.0], [80.0], [90.0]])
    out, info = nash_bargaining(
        x,
        np.ones((3, 1)),
        np.array([1.0, 1.0, 1.0]),
        np.array([30.0]),
        np.array([0.0]),
        np.array([100.0]),
    )
    assert out[0] == 30.0 and info["actors_at_status_quo"] == [0]
    # with no capability the same actor only pins the outcome (it may not lose): F = {SQ}
    out, info = nash_bargaining(
        x,
        np.ones((3, 1)),
        np.array([0.0, 1.0, 1.0]),
        np.array([30.0]),
        np.array([0.0]),
        np.array([100.0]),
    )
    assert out[0] == 30.0


def test_zero_capability_actor_still_constrains() -> None:
    # actor 0 at 35 with no capability: F = [30, 40]; the others alone would pick about 80
    x = np.array([[35.0], [80.0], [85.0]])
    c = np.array([0.0, 1.0, 1.0])
    out, _ = nash_bargaining(
        x, np.ones((3, 1)), c, np.array([30.0]), np.array([0.0]), np.array([100.0])
    )
    assert out[0] == pytest.approx(40.0, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(a=issue_arrays(status_quo=True), utility=st.sampled_from(["quadratic", "linear"]))
def test_nash_is_individually_rational_and_inside_the_positions(
    a: IssueArrays, utility: str
) -> None:
    run = nash_mod.run(a, {"utility": utility}, RNG)
    out = run.outcome
    assert a.status_quo is not None
    diff_sq, diff_out = a.status_quo - a.positions, out - a.positions
    if utility == "quadratic":
        gains = np.sum(a.saliences * diff_sq**2, axis=1) - np.sum(a.saliences * diff_out**2, axis=1)
        scale = np.sum(a.saliences * (a.hi - a.lo) ** 2, axis=1)
    else:
        gains = np.sum(a.saliences * np.abs(diff_sq), axis=1) - np.sum(
            a.saliences * np.abs(diff_out), axis=1
        )
        scale = np.sum(a.saliences * (a.hi - a.lo), axis=1)
    assert np.all(gains >= -1e-7 * scale)
    # clipping towards the box of the ideal points raises every gain, so the solution is inside
    # it (or it is the status quo, when no point gives everyone a gain)
    span = a.hi - a.lo
    inside = np.all(out >= a.positions.min(axis=0) - 1e-6 * span) and np.all(
        out <= a.positions.max(axis=0) + 1e-6 * span
    )
    assert inside or (np.array_equal(out, a.status_quo) and "degenerate" in run.diagnostics)
    json.dumps(run.diagnostics)


@settings(max_examples=25, deadline=None)
@given(a=issue_arrays(status_quo=True, n_dims=st.just(1)))
def test_nash_is_invariant_to_relabelling(a: IssueArrays) -> None:
    perm = np.random.default_rng(a.n_actors).permutation(a.n_actors)
    b = IssueArrays(
        tuple(a.actor_ids[i] for i in perm),
        a.positions[perm],
        a.saliences[perm],
        a.capabilities[perm],
        a.lo,
        a.hi,
        a.status_quo,
    )
    span = float(a.hi[0] - a.lo[0])
    np.testing.assert_allclose(
        nash_mod.run(a, {}, RNG).outcome, nash_mod.run(b, {}, RNG).outcome, atol=1e-8 * span
    )


def test_run_contract_and_parameters() -> None:
    a = IssueArrays(
        actor_ids=("a", "b", "c"),
        positions=np.array([[60.0], [80.0], [70.0]]),
        saliences=np.ones((3, 1)),
        capabilities=np.array([1.0, 2.0, 1.0]),
        lo=np.array([0.0]),
        hi=np.array([100.0]),
        status_quo=np.array([10.0]),
    )
    run = nash_mod.run(a, {"utility": "linear"}, RNG)
    assert run.model == "nash" and run.positions.shape == (1, 3, 1)
    assert run.diagnostics["utility"] == "linear" and run.diagnostics["status_quo"] is True
    assert nash_mod.SPEC.uses_status_quo and not nash_mod.SPEC.is_stochastic()
    with pytest.raises(UsageError, match="utility"):
        nash_mod.run(a, {"utility": "cubic"}, RNG)
    with pytest.raises(UsageError, match="no parameter"):
        nash_mod.run(a, {"risk": 1}, RNG)
