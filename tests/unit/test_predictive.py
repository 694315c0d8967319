"""Predictive distributions with end masses (accord.intervals.predictive): CRPS and pinball."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.intervals import predictive as pr


def _crps_numeric(dist: pr.EndMixture, y: float) -> float:
    z = np.linspace(dist.lo, dist.hi, 200_001)
    f = dist.cdf(z)
    h = (z >= y).astype(float)
    return float(np.trapezoid((f - h) ** 2, z))


def test_crps_of_a_uniform_matches_the_closed_form() -> None:
    # U(0, 100): CRPS(y) = y^2/100 - y + 100/3 (Gneiting & Raftery 2007, for U(a, b))
    dist = pr.EndMixture.of(0.0, 0.0, np.array([]))
    for y in (0.0, 10.0, 50.0, 73.0, 100.0):
        assert abs(dist.crps(y) - (y * y / 100 - y + 100 / 3)) < 1e-9


def test_crps_of_a_point_mass_is_the_absolute_error() -> None:
    assert pr.crps_sample(np.array([30.0]), 42.0) == 12.0
    dist = pr.EndMixture.of(1.0, 0.0, np.array([]))
    assert abs(dist.crps(42.0) - 42.0) < 1e-9


@settings(max_examples=20, deadline=None)
@given(
    st.floats(0.0, 0.4),
    st.floats(0.0, 0.4),
    st.lists(st.floats(0.5, 99.5), min_size=0, max_size=30),
    st.floats(0.0, 100.0),
)
def test_exact_crps_matches_numerical_integration(
    p_lo: float, p_hi: float, sample: list[float], y: float
) -> None:
    dist = pr.EndMixture.of(p_lo, p_hi, np.array(sample))
    assert abs(dist.crps(y) - _crps_numeric(dist, y)) < 2e-3


def test_crps_sample_matches_the_kernel_form() -> None:
    rng = np.random.default_rng(0)
    x, w = rng.uniform(0, 100, 25), rng.uniform(0.1, 1, 25)
    w /= w.sum()
    y = 37.0
    expected = np.sum(w * np.abs(x - y)) - 0.5 * np.sum(
        w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])
    )
    assert abs(pr.crps_sample(x, y, w) - expected) < 1e-9


def test_quantiles_respect_the_end_masses() -> None:
    dist = pr.EndMixture.of(0.2, 0.1, np.array([40.0, 50.0, 60.0]))
    assert dist.quantile(0.1) == 0.0
    assert dist.quantile(0.95) == 100.0
    assert 0.0 < dist.quantile(0.5) < 100.0
    assert abs(float(dist.cdf(dist.quantile(0.5))) - 0.5) < 1e-9


def test_pinball_twice_averaged_approaches_crps() -> None:
    """CRPS = 2 * integral of the pinball loss over tau (Laio & Tamea 2007)."""
    dist = pr.EndMixture.of(0.15, 0.1, np.linspace(10, 90, 17))
    y = 64.0
    taus = (np.arange(20_000) + 0.5) / 20_000
    q = dist.quantile(taus)
    approx = 2 * float(np.mean(pr.pinball_loss(q, y, taus)))
    assert abs(approx - dist.crps(y)) < 1e-2


def test_end_probabilities_follow_the_forecast() -> None:
    rng = np.random.default_rng(1)
    f = rng.uniform(0, 100, 400)
    u = rng.uniform(0, 1, 400)
    y = np.where(u < (1 - f / 100) * 0.5, 0.0, np.where(u > 1 - (f / 100) * 0.5, 100.0, 50.0))
    coef = pr.fit_end_probabilities(f, y)
    p_lo, p_hi = pr.end_probabilities(coef, np.array([10.0, 90.0]))
    assert p_lo[0] > p_lo[1] and p_hi[1] > p_hi[0]
    np.testing.assert_array_equal(coef, pr.fit_end_probabilities(f, y))
