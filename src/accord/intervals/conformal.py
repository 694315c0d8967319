r"""Split-conformal prediction sets grouped by proposal, on a bounded scale with piled-up ends.

**Split conformal** (Vovk, Gammerman & Shafer 2005; Lei, G'Sell, Rinaldo, Tibshirani &
Wasserman 2018, JASA 113(523), "Distribution-free predictive inference for regression"): with a
fixed point forecast :math:`\hat y(x)` (accord's models have no parameters fitted on the
outcomes), nonconformity scores :math:`s_i = s(x_i, y_i)` of calibration issues, and the
quantile :math:`\hat q` below, the set :math:`C(x) = \{y: s(x, y) \le \hat q\}` covers a new
exchangeable outcome with probability at least the level :math:`1 - \alpha`.

**Grouped by proposal.** The issues of one proposal are not exchangeable with each other, but
proposals are. Following the pooled-CDF method of Dunn, Wasserman & Ramdas (2023, JASA 118,
"Distribution-free prediction sets for two-layer hierarchical models"), each proposal :math:`g`
(of :math:`G`) weighs :math:`1/G`, shared among its :math:`n_g` issues:
:math:`\hat F(t) = \frac1G \sum_g \frac1{n_g} \sum_{i \in g} \mathbb 1[s_i \le t]`, and
:math:`\hat q = \inf\{t: \hat F(t) \ge \min(1, (1 - \alpha)(1 + 1/G))\}`
(:func:`grouped_quantile`). The :math:`(1 + 1/G)` inflation is the usual finite-sample
correction with proposals as the unit; for unequal :math:`n_g` the guarantee is approximate
(Dunn et al. give bounds for their pooled-CDF sets), so the coverage is checked out of fold. With one issue per proposal this is the usual split-conformal
quantile, the :math:`\lceil (1-\alpha)(n+1) \rceil`-th smallest score (the tests check it
against the ``crepes`` package, Boström 2022).

Scores (:func:`scores`):

* ``absolute``: :math:`s = |y - \hat y|` (Lei et al. 2018), sets :math:`\hat y \pm \hat q`;
* ``normalised``: :math:`s = |y - \hat y| / \sigma(x)` with a difficulty :math:`\sigma(x)`
  (Papadopoulos, Gammerman & Vovk 2008, "Normalized nonconformity measures for regression
  conformal prediction", Proc. IASTED AIA; Papadopoulos, Vovk & Gammerman 2011, JAIR 40), sets
  :math:`\hat y \pm \hat q \sigma(x)`. :math:`\sigma(x) = \max(\sigma_{min}, z^\top \beta)`,
  :math:`z = (1, \text{spread}, n_{actors}, \text{unanimity}, \text{disagreement})` and
  :math:`\beta` the least-squares fit of :math:`|y - \hat y|` on :math:`z` in the training
  issues (:func:`fit_difficulty`).

**Point masses at the ends** (``ends=True``): the set is :math:`\{lo, hi\} \cup
[\hat y - \hat q\sigma, \hat y + \hat q\sigma]`, from the score
:math:`s = 0` when :math:`y \in \{lo, hi\}` and the score above otherwise. It is a
nonconformity score like any other, so the coverage guarantee holds unchanged; it spends no
width on the 28% of outcomes that sit at an end. Every set is clipped onto :math:`[lo, hi]`;
its **width** is the length of its interval part (the points have length 0).

Conformalised quantile regression (Romano, Patterson & Candès 2019, NeurIPS) was not tried: with
99 proposals a quantile regression of the 5% and 95% quantiles has about five proposals in each
tail to learn from (docs/calibration.md).

Out-of-fold evaluation (:func:`out_of_fold`): folds of whole proposals (scikit-learn
``GroupKFold``, deterministic); each fold's sets come from the scores of the other folds.
Coverage intervals resample proposals
(:func:`accord.analysis.interval_calibration.coverage_interval`, the cluster bootstrap of
:mod:`accord.analysis.backtest_stats`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Score = Literal["absolute", "normalised"]

LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9)
"""Nominal coverage levels of the shipped sets."""

SIGMA_FLOOR = 2.0
"""Smallest difficulty :math:`\\sigma` (points), so a near-zero fitted difficulty cannot
shrink a set to nothing."""

FEATURES: tuple[str, ...] = ("spread", "n_actors", "unanimity", "disagreement")
"""Difficulty features of the normalised score, in the order of the columns of ``Z``."""


def grouped_quantile(
    scores: FloatArray, groups: Sequence[Any] | NDArray[Any], level: float
) -> float:
    """The conformal quantile with each group weighing ``1/G`` (module docstring).

    Returns ``inf`` when ``level (1 + 1/G)`` exceeds 1 (too few groups for the level).
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.size == 0:
        return float("inf")
    _, inverse, counts = np.unique(
        np.asarray(list(groups)), return_inverse=True, return_counts=True
    )
    n_groups = counts.size
    target = level * (1.0 + 1.0 / n_groups)
    if target > 1.0 + 1e-12:
        return float("inf")
    weights = 1.0 / (n_groups * counts[inverse])
    order = np.argsort(s, kind="stable")
    cumulative = np.cumsum(weights[order])
    # tolerance: sums of 1/(G n_g) do not hit the target exactly in floating point
    k = int(np.searchsorted(cumulative, min(target, 1.0) - 1e-12))
    return float(s[order][min(k, s.size - 1)])


def scores(
    outcome: FloatArray,
    forecast: FloatArray,
    sigma: FloatArray | float = 1.0,
    *,
    ends: bool = False,
    lo: float = 0.0,
    hi: float = 100.0,
) -> FloatArray:
    """Nonconformity scores ``|y - forecast| / sigma``; 0 for outcomes at an end when ``ends``."""
    y = np.asarray(outcome, dtype=np.float64)
    s = np.abs(y - np.asarray(forecast, dtype=np.float64)) / np.asarray(sigma, dtype=np.float64)
    if ends:
        s = np.where((y <= lo) | (y >= hi), 0.0, s)
    return np.asarray(s, dtype=np.float64)


def prediction_set(
    forecast: FloatArray,
    q: float,
    sigma: FloatArray | float = 1.0,
    lo: float = 0.0,
    hi: float = 100.0,
) -> tuple[FloatArray, FloatArray]:
    """The interval part ``clip(forecast -+ q sigma, lo, hi)`` of the sets."""
    f = np.asarray(forecast, dtype=np.float64)
    half = q * np.asarray(sigma, dtype=np.float64)
    return (
        np.asarray(np.clip(f - half, lo, hi), dtype=np.float64),
        np.asarray(np.clip(f + half, lo, hi), dtype=np.float64),
    )


def covered(
    outcome: FloatArray,
    set_lo: FloatArray,
    set_hi: FloatArray,
    *,
    ends: bool = False,
    lo: float = 0.0,
    hi: float = 100.0,
) -> NDArray[np.bool_]:
    """Whether each outcome lies in its set (the interval, plus the ends when ``ends``)."""
    y = np.asarray(outcome, dtype=np.float64)
    inside = (y >= set_lo) & (y <= set_hi)
    if ends:
        inside |= (y <= lo) | (y >= hi)
    return np.asarray(inside, dtype=np.bool_)


def fit_difficulty(Z: FloatArray, abs_residuals: FloatArray) -> FloatArray:
    r"""Least-squares :math:`\beta` of ``|residual| ~ [1, Z]`` (deterministic ``lstsq``)."""
    A = np.column_stack([np.ones(Z.shape[0]), Z])
    beta, *_ = np.linalg.lstsq(A, np.asarray(abs_residuals, np.float64), rcond=None)
    return np.asarray(beta, dtype=np.float64)


def difficulty(Z: FloatArray, beta: FloatArray | None) -> FloatArray:
    r""":math:`\sigma = \max(\sigma_{min}, [1, Z] \beta)`; all ones when ``beta`` is ``None``."""
    if beta is None:
        return np.ones(Z.shape[0], dtype=np.float64)
    A = np.column_stack([np.ones(Z.shape[0]), Z])
    return np.asarray(np.maximum(A @ beta, SIGMA_FLOOR), dtype=np.float64)


@dataclass(frozen=True)
class Calibration:
    """A fitted set rule: the score, whether the ends are point masses, ``q`` per level."""

    score: Score
    ends: bool
    q: Mapping[float, float]
    beta: FloatArray | None = None
    lo: float = 0.0
    hi: float = 100.0

    def predict(
        self, forecast: FloatArray, Z: FloatArray | None = None
    ) -> dict[float, tuple[FloatArray, FloatArray]]:
        """``{level: (set_lo, set_hi)}`` for each forecast (``Z`` needed for ``normalised``)."""
        f = np.asarray(forecast, dtype=np.float64)
        sigma: FloatArray | float = 1.0
        if self.score == "normalised":
            if Z is None:
                raise ValueError("the normalised score needs the difficulty features Z")
            sigma = difficulty(Z, self.beta)
        return {level: prediction_set(f, q, sigma, self.lo, self.hi) for level, q in self.q.items()}


def fit(
    outcome: FloatArray,
    forecast: FloatArray,
    groups: Sequence[Any] | NDArray[Any],
    *,
    score: Score = "absolute",
    ends: bool = False,
    Z: FloatArray | None = None,
    levels: Sequence[float] = LEVELS,
    lo: float = 0.0,
    hi: float = 100.0,
) -> Calibration:
    """Fit a :class:`Calibration` on calibration issues (module docstring).

    For ``normalised`` the difficulty is fitted on the same issues (on the interior outcomes
    only when ``ends``, since end outcomes score 0 whatever their residual).
    """
    y = np.asarray(outcome, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    beta = None
    sigma: FloatArray | float = 1.0
    if score == "normalised":
        if Z is None:
            raise ValueError("the normalised score needs the difficulty features Z")
        keep = ~((y <= lo) | (y >= hi)) if ends else np.ones(y.size, dtype=bool)
        beta = fit_difficulty(Z[keep], np.abs(y - f)[keep])
        sigma = difficulty(Z, beta)
    s = scores(y, f, sigma, ends=ends, lo=lo, hi=hi)
    q = {float(level): grouped_quantile(s, groups, float(level)) for level in levels}
    return Calibration(score, ends, q, beta, lo, hi)


def group_folds(
    groups: Sequence[Any] | NDArray[Any], folds: int = 10
) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """``(train, test)`` index pairs of scikit-learn's ``GroupKFold`` (deterministic)."""
    from sklearn.model_selection import GroupKFold

    g = np.asarray(list(groups))
    splitter = GroupKFold(n_splits=min(folds, np.unique(g).size))
    return [
        (np.asarray(tr, dtype=np.intp), np.asarray(te, dtype=np.intp))
        for tr, te in splitter.split(np.zeros(g.size), groups=g)
    ]


@dataclass(frozen=True)
class OutOfFold:
    """Out-of-fold sets per level: interval parts, coverage and width per issue."""

    lo: dict[float, FloatArray]
    hi: dict[float, FloatArray]
    covered: dict[float, NDArray[np.bool_]]

    def coverage(self, level: float) -> float:
        """Share of issues whose set at ``level`` covers the outcome."""
        return float(np.mean(self.covered[level]))

    def width(self, level: float) -> float:
        """Mean width of the sets at ``level``."""
        return float(np.mean(self.hi[level] - self.lo[level]))


def out_of_fold(
    outcome: FloatArray,
    forecast: FloatArray,
    groups: Sequence[Any] | NDArray[Any],
    *,
    score: Score = "absolute",
    ends: bool = False,
    Z: FloatArray | None = None,
    levels: Sequence[float] = LEVELS,
    folds: int = 10,
    lo: float = 0.0,
    hi: float = 100.0,
) -> OutOfFold:
    """Sets for every issue from a calibration fitted on the other folds (whole proposals)."""
    y = np.asarray(outcome, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    g = np.asarray(list(groups))
    out_lo = {float(L): np.full(y.size, np.nan) for L in levels}
    out_hi = {float(L): np.full(y.size, np.nan) for L in levels}
    for train, test in group_folds(g, folds):
        cal = fit(
            y[train],
            f[train],
            g[train],
            score=score,
            ends=ends,
            Z=None if Z is None else Z[train],
            levels=levels,
            lo=lo,
            hi=hi,
        )
        sets = cal.predict(f[test], None if Z is None else Z[test])
        for level, (a, b) in sets.items():
            out_lo[level][test] = a
            out_hi[level][test] = b
    cov = {L: covered(y, out_lo[L], out_hi[L], ends=ends, lo=lo, hi=hi) for L in out_lo}
    return OutOfFold(out_lo, out_hi, cov)
