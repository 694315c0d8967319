r"""Predictive distributions on a bounded scale, and how to score them (CRPS, pinball loss).

Outcomes of EU legislative issues pile up at the ends of the 0-100 scale (28% of the DEU dev
outcomes are 0 or 100), so a predictive distribution here is a **mixture of two point masses at
the scale's ends and a continuous interior part**:

.. math:: F(z) = p_{lo}\,\mathbb 1[z \ge lo] + p_{hi}\,\mathbb 1[z \ge hi]
          + (1 - p_{lo} - p_{hi})\,G(z),

with :math:`G` a continuous CDF on :math:`[lo, hi]`. :class:`EndMixture` builds :math:`G` from a
sample :math:`v_1 \le \dots \le v_m` of interior values (e.g. the point forecast plus the
signed residuals of training issues whose outcome was interior) by linear interpolation through
the plotting positions :math:`G(v_{(j)}) = j/(m+1)`, with :math:`G(lo) = 0` and
:math:`G(hi) = 1` (Weibull plotting positions; the linearly interpolated empirical CDF). With no
interior value, :math:`G` is uniform on :math:`[lo, hi]`.

**CRPS** (continuous ranked probability score; Matheson & Winkler 1976; Gneiting & Raftery 2007,
JASA 102(477), eq. 20):

.. math:: \mathrm{CRPS}(F, y) = \int_{-\infty}^{\infty} (F(z) - \mathbb 1[y \le z])^2\,dz.

For :math:`y \in [lo, hi]` the integrand is 0 outside :math:`[lo, hi]`; inside, :math:`F` is
piecewise linear between knots, so on a segment :math:`[a, b]` with :math:`F` going linearly from
:math:`F_a` to :math:`F_b` and the step constant at :math:`h`,
:math:`\int_a^b (F - h)^2 = (b - a)\,[(F_a - h)^2 + (F_a - h)(F_b - h) + (F_b - h)^2] / 3`
(exact; :func:`crps_piecewise_linear`, with :math:`y` inserted as a knot). The CRPS of a point
forecast :math:`x` is :math:`|x - y|`, so a distribution's CRPS and a point forecast's absolute
error are on the same scale and directly comparable. For a weighted sample (a discrete
distribution) :func:`crps_sample` uses the kernel form :math:`E|X - y| - \tfrac12 E|X - X'|`
(Gneiting & Raftery 2007, eq. 21), exactly.

**Pinball loss** of the :math:`\tau`-quantile :math:`q` (Koenker & Bassett 1978):
:math:`\rho_\tau(y - q) = (y - q)(\tau - \mathbb 1[y < q])`; the CRPS equals twice the
integral of the pinball loss of the quantiles over :math:`\tau \in (0, 1)` (Laio & Tamea 2007,
HESS 11; Gneiting & Ranjan 2011).

**Conditional end masses** (:func:`fit_end_probabilities`): :math:`(p_{lo}, p_{hi})` given the
point forecast :math:`x` by a multinomial logit on :math:`u = (x - lo)/(hi - lo)`:
:math:`p_k \propto \exp(a_k + b_k u)` for the classes lo, hi and interior (interior
:math:`a = b = 0`), fitted by maximum likelihood with a small ridge (:data:`END_RIDGE`) so that
a training set without any end outcome still gives finite coefficients; solved with SciPy's
BFGS from zero (deterministic).

All functions are pure functions of NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

END_RIDGE = 1e-2
"""Ridge penalty on the end-mass logit coefficients (keeps them finite; negligible otherwise)."""

PINBALL_LEVELS: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(1, 20))
"""Quantile levels 0.05, 0.10, ..., 0.95 over which the mean pinball loss is taken."""


def pinball_loss(
    quantile: FloatArray | float, outcome: FloatArray | float, tau: FloatArray | float
) -> FloatArray:
    r""":math:`\rho_\tau(y - q) = (y - q)(\tau - 1[y < q])` elementwise (Koenker & Bassett 1978)."""
    q = np.asarray(quantile, dtype=np.float64)
    y = np.asarray(outcome, dtype=np.float64)
    d = y - q
    return np.asarray(d * (tau - (d < 0).astype(np.float64)), dtype=np.float64)


def crps_sample(values: FloatArray, outcome: float, weights: FloatArray | None = None) -> float:
    r"""CRPS of the discrete distribution on ``values`` (``weights``, default equal) at ``outcome``.

    :math:`E|X - y| - \tfrac12 E|X - X'|` (Gneiting & Raftery 2007, eq. 21), computed exactly in
    :math:`O(m \log m)`: for sorted values with weights :math:`w` and cumulative weights
    :math:`W`, :math:`E|X - X'| = 2 \sum_j w_j x_j (2 W_{j-1} + w_j - 1)`.
    """
    x = np.asarray(values, dtype=np.float64)
    w = np.full(x.size, 1.0 / x.size) if weights is None else np.asarray(weights, np.float64)
    w = w / w.sum()
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    before = np.cumsum(w) - w
    spread = 2.0 * float(np.sum(w * x * (2.0 * before + w - 1.0)))
    return float(np.sum(w * np.abs(x - outcome)) - 0.5 * spread)


def crps_piecewise_linear(knots: FloatArray, cdf: FloatArray, outcome: float) -> float:
    """Exact CRPS of a CDF that is linear between ``knots`` (increasing), at ``outcome``.

    ``cdf[k]`` is :math:`F` just right of ``knots[k]`` (and, by continuity inside, just left of
    ``knots[k+1]`` is ``cdf[k+1]`` except at the last knot); the CDF is 0 left of ``knots[0]``
    and 1 from ``knots[-1]`` on, and ``outcome`` lies in ``[knots[0], knots[-1]]``. Mass below
    ``cdf[0]`` sits at ``knots[0]`` and mass above ``cdf[-1]`` at ``knots[-1]``.
    """
    z = np.asarray(knots, dtype=np.float64)
    f = np.asarray(cdf, dtype=np.float64)
    y = float(np.clip(outcome, z[0], z[-1]))
    # insert y as a knot so that the step 1[y <= z] is constant on every segment
    k = int(np.searchsorted(z, y))
    if z[k] != y:  # y is not a knot yet (k < len(z) since y <= z[-1])
        fy = float(f[k - 1] + (f[k] - f[k - 1]) * (y - z[k - 1]) / (z[k] - z[k - 1]))
        z = np.concatenate([z[:k], [y], z[k:]])
        f = np.concatenate([f[:k], [fy], f[k:]])
    a, b = z[:-1], z[1:]
    fa, fb = f[:-1], f[1:]
    h = (a >= y).astype(np.float64)
    da, db = fa - h, fb - h
    return float(np.sum((b - a) * (da * da + da * db + db * db) / 3.0))


@dataclass(frozen=True)
class EndMixture:
    """Point masses ``p_lo`` at ``lo`` and ``p_hi`` at ``hi`` plus a continuous interior part.

    The interior CDF :math:`G` interpolates linearly through ``(v_(j), j/(m+1))`` between
    ``(lo, 0)`` and ``(hi, 1)`` for the sorted ``interior`` sample (module docstring).
    """

    p_lo: float
    p_hi: float
    interior: FloatArray
    lo: float = 0.0
    hi: float = 100.0

    @classmethod
    def of(
        cls, p_lo: float, p_hi: float, interior: FloatArray, lo: float = 0.0, hi: float = 100.0
    ) -> EndMixture:
        """Keep the interior values strictly inside ``(lo, hi)``, sorted."""
        v = np.sort(np.asarray(interior, dtype=np.float64))
        v = v[(v > lo) & (v < hi)]
        return cls(float(p_lo), float(p_hi), v, float(lo), float(hi))

    @property
    def p_interior(self) -> float:
        """The mass strictly inside the scale, ``1 - p_lo - p_hi``."""
        return max(0.0, 1.0 - self.p_lo - self.p_hi)

    def _knots(self) -> tuple[FloatArray, FloatArray]:
        m = self.interior.size
        z = np.concatenate([[self.lo], self.interior, [self.hi]])
        g = np.concatenate([[0.0], np.arange(1, m + 1) / (m + 1.0), [1.0]])
        return z, g

    def cdf(self, z: FloatArray | float) -> FloatArray:
        """:math:`F(z)`, right-continuous, for any ``z``."""
        zz = np.asarray(z, dtype=np.float64)
        knots, g = self._knots()
        inner = self.p_lo + self.p_interior * np.interp(zz, knots, g)
        out = np.where(zz < self.lo, 0.0, np.where(zz >= self.hi, 1.0, inner))
        return np.asarray(out, dtype=np.float64)

    def quantile(self, tau: FloatArray | float) -> FloatArray:
        r"""The generalised inverse :math:`\inf\{z: F(z) \ge \tau\}` for ``tau`` in (0, 1)."""
        t = np.asarray(tau, dtype=np.float64)
        knots, g = self._knots()
        if self.p_interior > 0.0:
            u = np.clip((t - self.p_lo) / self.p_interior, 0.0, 1.0)
            # np.interp needs increasing x: g is non-decreasing; ties give the leftmost knot's
            # neighbour, which is fine for a continuous part
            inner = np.interp(u, g, knots)
        else:
            inner = np.full_like(t, self.hi)
        out = np.where(t <= self.p_lo, self.lo, np.where(t > 1.0 - self.p_hi, self.hi, inner))
        return np.asarray(out, dtype=np.float64)

    def crps(self, outcome: float) -> float:
        """Exact CRPS at ``outcome`` (in ``[lo, hi]``; clipped onto it otherwise)."""
        knots, g = self._knots()
        f = self.p_lo + self.p_interior * g
        f[-1] = 1.0 - self.p_hi  # just left of hi; the jump to 1 at hi has zero width
        return crps_piecewise_linear(knots, f, outcome)

    def median(self) -> float:
        """The median of the distribution."""
        return float(self.quantile(0.5))


def fit_end_probabilities(
    forecast: FloatArray, outcome: FloatArray, lo: float = 0.0, hi: float = 100.0
) -> FloatArray:
    """Coefficients ``[[a_lo, b_lo], [a_hi, b_hi]]`` of the end-mass logit (module docstring)."""
    from scipy.optimize import minimize

    u = (np.asarray(forecast, np.float64) - lo) / (hi - lo)
    y = np.asarray(outcome, np.float64)
    cls = np.where(y <= lo, 0, np.where(y >= hi, 1, 2))
    X = np.column_stack([np.ones_like(u), u])

    def loss(theta: FloatArray) -> tuple[float, FloatArray]:
        beta = theta.reshape(2, 2)
        eta = np.column_stack([X @ beta[0], X @ beta[1], np.zeros_like(u)])
        eta -= eta.max(axis=1, keepdims=True)
        logp = eta - np.log(np.exp(eta).sum(axis=1, keepdims=True))
        nll = -float(np.sum(logp[np.arange(u.size), cls])) + END_RIDGE * float(theta @ theta)
        p = np.exp(logp)
        onehot = np.eye(3)[cls]
        grad = (X.T @ (p - onehot)[:, :2]).T.ravel() + 2.0 * END_RIDGE * theta
        return nll, grad

    res = minimize(loss, np.zeros(4), jac=True, method="BFGS", options={"gtol": 1e-10})
    return np.asarray(res.x, dtype=np.float64).reshape(2, 2)


def end_probabilities(
    coef: FloatArray | Sequence[Sequence[float]],
    forecast: FloatArray,
    lo: float = 0.0,
    hi: float = 100.0,
) -> tuple[FloatArray, FloatArray]:
    """``(p_lo, p_hi)`` for each forecast from the coefficients of :func:`fit_end_probabilities`."""
    c = np.asarray(coef, dtype=np.float64)
    u = (np.asarray(forecast, np.float64) - lo) / (hi - lo)
    eta = np.column_stack([c[0, 0] + c[0, 1] * u, c[1, 0] + c[1, 1] * u, np.zeros_like(u)])
    eta -= eta.max(axis=1, keepdims=True)
    p = np.exp(eta)
    p /= p.sum(axis=1, keepdims=True)
    return p[:, 0], p[:, 1]


def residual_mixture(
    forecast: float,
    train_forecast: FloatArray,
    train_outcome: FloatArray,
    coef: FloatArray | None,
    lo: float = 0.0,
    hi: float = 100.0,
) -> EndMixture:
    """The predictive distribution of one forecast from training pairs (forecast, outcome).

    End masses from the logit ``coef`` (or the training shares when ``coef`` is ``None``); the
    interior part from ``forecast`` plus the signed residuals ``y - x`` of the training issues
    with an interior outcome (values that leave ``(lo, hi)`` are dropped).
    """
    y = np.asarray(train_outcome, np.float64)
    x = np.asarray(train_forecast, np.float64)
    inner = (y > lo) & (y < hi)
    if coef is None:
        p_lo, p_hi = float(np.mean(y <= lo)), float(np.mean(y >= hi))
    else:
        a, b = end_probabilities(coef, np.array([forecast]), lo, hi)
        p_lo, p_hi = float(a[0]), float(b[0])
    return EndMixture.of(p_lo, p_hi, forecast + (y[inner] - x[inner]), lo, hi)


def climatology(train_outcome: FloatArray, lo: float = 0.0, hi: float = 100.0) -> EndMixture:
    """The unconditional distribution of training outcomes (the naive forecast)."""
    y = np.asarray(train_outcome, np.float64)
    return EndMixture.of(float(np.mean(y <= lo)), float(np.mean(y >= hi)), y, lo, hi)


def mean_pinball(
    dist: EndMixture, outcome: float, levels: Sequence[float] = PINBALL_LEVELS
) -> float:
    """Mean pinball loss of ``dist``'s quantiles at ``levels`` for one outcome."""
    taus = np.asarray(levels, dtype=np.float64)
    q = dist.quantile(taus)
    return float(np.mean(pinball_loss(q, outcome, taus)))
