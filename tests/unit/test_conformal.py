"""Grouped split-conformal sets (accord.intervals.conformal): against crepes, and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analysis.interval_calibration import coverage_interval
from accord.intervals import conformal

crepes = pytest.importorskip("crepes")


def _data(seed: int, n: int = 120, groups: int = 40) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    f = rng.uniform(0, 100, n)
    y = np.clip(f + rng.normal(0, 20, n), 0, 100)
    g = rng.integers(0, groups, n)
    return y, f, g


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ungrouped_quantile_matches_crepes(level: float, seed: int) -> None:
    """One issue per group: the grouped quantile is crepes' split-conformal interval."""
    y, f, _ = _data(seed)
    g = np.arange(y.size)
    cal = conformal.fit(y, f, g, levels=(level,))
    ref = crepes.ConformalRegressor().fit(y - f)
    test = np.linspace(5, 95, 7)
    lo, hi = cal.predict(test)[level]
    expected = ref.predict_int(test, confidence=level, y_min=0, y_max=100)
    np.testing.assert_allclose(lo, expected[:, 0], atol=1e-12)
    np.testing.assert_allclose(hi, expected[:, 1], atol=1e-12)


def test_ungrouped_normalised_matches_crepes() -> None:
    y, f, _ = _data(3)
    rng = np.random.default_rng(9)
    sigma = rng.uniform(5, 20, y.size)
    s = conformal.scores(y, f, sigma)
    q = conformal.grouped_quantile(s, np.arange(y.size), 0.8)
    ref = crepes.ConformalRegressor().fit(y - f, sigmas=sigma)
    test_sigma = np.array([6.0, 12.0])
    lo, hi = conformal.prediction_set(np.array([40.0, 60.0]), q, test_sigma)
    expected = ref.predict_int(
        np.array([40.0, 60.0]), sigmas=test_sigma, confidence=0.8, y_min=0, y_max=100
    )
    np.testing.assert_allclose(np.column_stack([lo, hi]), expected, atol=1e-12)


def test_grouped_quantile_weighs_each_group_once() -> None:
    """A group of 9 equal scores counts as much as a group of 1."""
    scores = np.array([1.0] * 9 + [2.0, 3.0, 4.0])
    groups = np.array(["a"] * 9 + ["b", "c", "d"])
    # F(1) = 1/4, F(2) = 1/2, F(3) = 3/4, F(4) = 1; target 0.5 * 5/4 = 0.625 -> 3
    assert conformal.grouped_quantile(scores, groups, 0.5) == 3.0
    # pooled over issues it would be 1 (9 of 12 scores are 1)
    assert conformal.grouped_quantile(scores, np.arange(12), 0.5) == 1.0
    assert conformal.grouped_quantile(scores, groups, 0.9) == float("inf")


def test_ends_are_point_masses() -> None:
    y = np.array([0.0, 100.0, 50.0])
    f = np.array([60.0, 10.0, 45.0])
    s = conformal.scores(y, f, ends=True)
    np.testing.assert_array_equal(s, [0.0, 0.0, 5.0])
    hits = conformal.covered(y, np.full(3, 40.0), np.full(3, 46.0), ends=True)
    assert hits.tolist() == [True, True, False]


def test_out_of_fold_never_calibrates_on_its_own_proposal() -> None:
    """A proposal's sets depend on the other proposals' outcomes only."""
    y, f, g = _data(5)
    own = g == g[0]
    before = conformal.out_of_fold(y, f, g, folds=5)
    mine = conformal.out_of_fold(np.where(own, 100.0 - y, y), f, g, folds=5)
    np.testing.assert_array_equal(before.lo[0.8][own], mine.lo[0.8][own])
    others = conformal.out_of_fold(np.where(own, y, f), f, g, folds=5)
    assert not np.array_equal(before.lo[0.8][own], others.lo[0.8][own])


@st.composite
def calibration_sets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, str]:
    seed = draw(st.integers(0, 10_000))
    n = draw(st.integers(30, 150))
    y, f, g = _data(seed, n, draw(st.integers(12, 60)))
    return y, f, g, draw(st.booleans()), draw(st.sampled_from(["absolute", "normalised"]))


def _features(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 30, (n, len(conformal.FEATURES)))


@settings(max_examples=40, deadline=None)
@given(calibration_sets(), st.floats(0.0, 100.0))
def test_higher_levels_give_wider_sets_that_hold_the_forecast(
    case: tuple[np.ndarray, np.ndarray, np.ndarray, bool, str], point: float
) -> None:
    y, f, g, ends, score = case
    Z = _features(y.size)
    cal = conformal.fit(y, f, g, score=score, ends=ends, Z=Z)  # type: ignore[arg-type]
    sets = cal.predict(np.array([point]), Z[:1])
    widths = [float(sets[L][1][0] - sets[L][0][0]) for L in (0.5, 0.8, 0.9)]
    assert widths[0] <= widths[1] <= widths[2]
    for L in (0.5, 0.8, 0.9):
        assert sets[L][0][0] <= point <= sets[L][1][0]


@settings(max_examples=15, deadline=None)
@given(calibration_sets(), st.integers(0, 2**31 - 1))
def test_deterministic_for_a_seed(
    case: tuple[np.ndarray, np.ndarray, np.ndarray, bool, str], seed: int
) -> None:
    y, f, g, ends, score = case
    Z = _features(y.size)
    runs = [
        conformal.out_of_fold(y, f, g, score=score, ends=ends, Z=Z, folds=5)  # type: ignore[arg-type]
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].lo[0.8], runs[1].lo[0.8])
    hits = runs[0].covered[0.8]
    a = coverage_interval(hits, g, replicates=200, seed=seed)
    b = coverage_interval(hits, g, replicates=200, seed=seed)
    assert a == b and a is not None and a[0] <= float(np.mean(hits)) <= a[1] + 1e-12
