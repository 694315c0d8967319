r"""The weighted median (median-voter) model.

Per dimension, the actors are sorted by position and their weights ``w_ik = c_i s_ik``
accumulated; the forecast is the position at which the cumulative weight first reaches half of
the total (Black 1948 on the median voter; the weighted median as a baseline in Achen 2006,
*The European Union Decides*, ch. 10, and in models.md section 1):

.. math:: x^*_k = x_{(j^*)k}, \qquad j^* = \min\{j : \textstyle\sum_{l \le j} w_{(l)k}
          \ge \tfrac12 \sum_l w_{lk}\}

where :math:`x_{(1)k} \le x_{(2)k} \le \dots` are the positions in increasing order.

Parameters:

* ``weights``: as in :mod:`accord.models.compromise` (``"capability*salience"`` default,
  ``"salience"``, ``"capability"``, ``"equal"``).
* ``ties``: what to do when the cumulative weight equals exactly half the total at ``x_(j*)``
  (an even split, where every point between ``x_(j*)`` and the next weighted position is a
  median): ``"lower"`` (default) returns ``x_(j*)`` as in the formula; ``"midpoint"`` returns the
  midpoint of ``x_(j*)`` and the next position with positive weight. "Exactly" means to within
  a relative ``1e-12`` of the total.

Actors with zero weight never determine the median. A dimension whose weights all vanish falls
back to equal weights (listed in ``diagnostics["zero_weight_dimensions"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray, IssueArrays, ModelParams, ModelRun, ModelSpec
from accord.models.compromise import actor_weights, check_weighting

TIES = ("lower", "midpoint")
_TIE_RTOL = 1e-12


def weighted_median(
    positions: FloatArray, weights: FloatArray, ties: str = "lower"
) -> tuple[FloatArray, list[int]]:
    """Weighted median of ``positions`` (``(n, m)``) under ``weights`` (``(n, m)``), per dimension.

    Returns:
        The ``(m,)`` outcome and the dimensions whose weights all vanished (equal weights used).
    """
    if ties not in TIES:
        raise UsageError(
            f"unknown tie rule '{ties}'", field="ties", expected="one of " + ", ".join(TIES)
        )
    x = np.asarray(positions, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    n, m = x.shape
    zero = w.sum(axis=0) <= 0
    w = np.where(zero[None, :], 1.0, w)
    order = np.argsort(x, axis=0, kind="stable")
    xs = np.take_along_axis(x, order, axis=0)
    ws = np.take_along_axis(w, order, axis=0)
    cum = np.cumsum(ws, axis=0)
    total = cum[-1]
    half = 0.5 * total
    tol = _TIE_RTOL * total
    reached = cum >= half - tol
    first = np.argmax(reached, axis=0)  # (m,)
    cols = np.arange(m)
    outcome = xs[first, cols].copy()
    if ties == "midpoint":
        exact = np.abs(cum[first, cols] - half) <= tol
        rows = np.arange(n)[:, None]
        later = (rows > first[None, :]) & (ws > 0)
        has_next = later.any(axis=0)
        nxt = np.argmax(later, axis=0)
        split = exact & has_next
        outcome = np.where(split, 0.5 * (outcome + xs[nxt, cols]), outcome)
    return np.asarray(outcome, dtype=np.float64), [int(d) for d in np.flatnonzero(zero)]


@dataclass(frozen=True)
class MedianParams(ModelParams):
    """Parameters of the weighted median: ``weights`` (as compromise) and ``ties``."""

    model: ClassVar[str] = "median"

    weights: str = "capability*salience"
    ties: str = "lower"

    def __post_init__(self) -> None:
        check_weighting(self.weights)
        if self.ties not in TIES:
            raise UsageError(
                f"unknown tie rule '{self.ties}'",
                field="ties",
                expected="one of " + ", ".join(TIES),
            )


DEFAULTS: dict[str, Any] = MedianParams.defaults()


def run(issue: IssueArrays, params: Mapping[str, Any], rng: np.random.Generator) -> ModelRun:
    """Registry adapter: the weighted median on one issue (deterministic; ``rng`` unused)."""
    p = MedianParams.from_mapping(params)
    w = actor_weights(issue.capabilities, issue.saliences, p.weights)
    outcome, zero = weighted_median(issue.positions, w, p.ties)
    return ModelRun(
        model="median",
        positions=issue.positions[None, :, :].copy(),
        outcome=outcome,
        series={},
        diagnostics={
            "weights": p.weights,
            "ties": p.ties,
            "zero_weight_dimensions": zero,
        },
    )


SPEC = ModelSpec(
    name="median",
    summary="Weighted median of positions (capability x salience), per dimension.",
    citation="Achen2006; Black1948",
    run=run,
    params=MedianParams,
    uses_status_quo=False,
)
