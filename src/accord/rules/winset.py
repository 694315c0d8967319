r"""The winset of the status quo: the points some winning coalition weakly prefers to it.

.. math:: W(SQ) = \{x : \{i : u_i(x) \ge u_i(SQ)\} \in \mathcal{W}\}

Preferences are spatial: member ``i`` with ideal point ``x_i`` and saliences ``s_i`` has the
salience-weighted Euclidean distance

.. math:: d_i(y) = \sqrt{\textstyle\sum_k s_{ik} (y_k - x_{ik})^2}

and weakly prefers ``y`` to the status quo iff :math:`d_i(y) \le d_i(SQ)` (Tsebelis 2002,
*Veto Players*, ch. 1; Achen 2006, ch. 10 for the EU Council). Each member's acceptable set is an
axis-aligned ellipsoid through ``SQ`` centred on its ideal point; a member with zero salience on
every dimension is indifferent, so it weakly prefers (accepts) every point. ``SQ`` itself is
always in ``W`` whenever the grand coalition wins.

* **One dimension** (exact). Salience does not matter (when positive): ``i`` accepts exactly the
  closed interval between ``SQ`` and its reflection ``2 x_i - SQ``. Support is constant between
  the breakpoints ``{SQ} U {2 x_i - SQ}``, so testing every breakpoint and one point inside every
  gap gives ``W`` exactly, as a union of closed intervals (:func:`winset_1d`). Under consensus it
  is the intersection of all members' intervals (models.md, section 4).
* **Several dimensions.** :func:`in_winset` is exact pointwise; :func:`winset_grid` samples ``W``
  on a grid for display. Under consensus ``W`` is an intersection of ellipsoids, hence convex;
  under other rules it is a union of such intersections, one per minimal winning coalition.

Weak preference is tested as :math:`d_i(y)^2 \le d_i(SQ)^2 (1 + 10^{-9})` so that points computed
in floating point on the boundary (a reflection ``2 x_i - SQ``) count as accepted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from accord.errors import UsageError
from accord.rules.base import BoolArray, DecisionRule, FloatArray

PREF_RTOL = 1e-9
"""Relative tolerance of the weak-preference test (on squared distances)."""

Interval = tuple[float, float]


def member_arrays(
    rule: DecisionRule, positions: ArrayLike, saliences: ArrayLike | None
) -> tuple[FloatArray, FloatArray]:
    """Members' positions and saliences as ``(k, m)`` arrays, checked against the rule.

    One-dimensional positions become a column; saliences broadcast to the positions' shape
    and default to ones.

    Raises:
        UsageError: on shapes that do not match the rule's members, non-finite values or
            negative saliences.
    """
    x = np.asarray(positions, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] != rule.k:
        raise UsageError(
            f"member positions have shape {x.shape}, but the rule has {rule.k} members",
            field="member_positions",
            expected=f"an array of shape ({rule.k}, m)",
        )
    if saliences is None:
        s = np.ones_like(x)
    else:
        s = np.asarray(saliences, dtype=np.float64)
        if s.ndim == 1:
            s = s[:, None]
        try:
            s = np.broadcast_to(s, x.shape).copy()
        except ValueError:
            raise UsageError(
                f"member saliences have shape {s.shape}, positions {x.shape}",
                field="member_saliences",
                expected=f"an array of shape {x.shape}",
            ) from None
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(s))) or np.any(s < 0):
        raise UsageError(
            "member positions and saliences must be finite, saliences >= 0",
            field="member_saliences",
        )
    return x, s


def as_point(value: ArrayLike, m: int, what: str) -> FloatArray:
    """``value`` as a point of ``m`` coordinates.

    Raises:
        UsageError: naming ``what`` when the number of coordinates is not ``m``.
    """
    p = np.atleast_1d(np.asarray(value, dtype=np.float64)).reshape(-1)
    if p.shape != (m,):
        raise UsageError(
            f"{what} has {p.shape[0]} coordinates for {m} dimensions",
            field=what,
            expected=f"{m} numbers",
        )
    return p


def prefers(
    positions: ArrayLike, saliences: ArrayLike, status_quo: ArrayLike, points: ArrayLike
) -> BoolArray:
    """Whether each member weakly prefers each point to the status quo.

    Args:
        positions: ``(k, m)`` ideal points.
        saliences: ``(k, m)`` saliences (>= 0).
        status_quo: ``(m,)``.
        points: ``(..., m)``.

    Returns:
        Booleans of shape ``(..., k)``.
    """
    x = np.asarray(positions, dtype=np.float64)
    s = np.asarray(saliences, dtype=np.float64)
    q = np.asarray(status_quo, dtype=np.float64)
    p = np.asarray(points, dtype=np.float64)
    d_sq = np.sum(s * (q[None, :] - x) ** 2, axis=-1)  # (k,)
    d_p = np.sum(s * (p[..., None, :] - x) ** 2, axis=-1)  # (..., k)
    return np.asarray(d_p <= d_sq * (1.0 + PREF_RTOL))


def strictly_prefers_sq(
    positions: ArrayLike, saliences: ArrayLike, status_quo: ArrayLike, points: ArrayLike
) -> BoolArray:
    """Whether each member strictly prefers the status quo to each point.

    Whether each member strictly prefers the status quo to each point (the negation of
    :func:`prefers`), shape ``(..., k)``.
    """
    return ~prefers(positions, saliences, status_quo, points)


def in_winset(
    rule: DecisionRule,
    member_positions: ArrayLike,
    member_saliences: ArrayLike | None,
    status_quo: ArrayLike,
    points: ArrayLike,
) -> BoolArray:
    """Whether each point is in the winset of the status quo (exact, any dimension).

    Args:
        rule: the decision rule over ``k`` members.
        member_positions: ``(k, m)`` (or ``(k,)`` in one dimension).
        member_saliences: ``(k, m)``, or ``None`` for equal saliences.
        status_quo: ``(m,)``.
        points: ``(m,)`` or ``(p, m)`` (any ``(..., m)``).

    Returns:
        Booleans of shape ``points.shape[:-1]`` (a 0-d array for one point).
    """
    x, s = member_arrays(rule, member_positions, member_saliences)
    m = x.shape[1]
    q = as_point(status_quo, m, "status_quo")
    p = np.asarray(points, dtype=np.float64)
    if m == 1 and (p.ndim == 0 or p.shape[-1] != 1):
        p = p[..., None]
    if p.shape[-1] != m:
        raise UsageError(
            f"points have {p.shape[-1]} coordinates for {m} dimensions",
            field="points",
            expected=f"(..., {m})",
        )
    return rule.is_winning(prefers(x, s, q, p))


def acceptance_intervals(
    positions: ArrayLike, saliences: ArrayLike | None, status_quo: float
) -> tuple[FloatArray, FloatArray]:
    """Each member's acceptable interval in one dimension: between ``SQ`` and ``2 x_i - SQ``.

    Members with zero salience accept everything, ``(-inf, inf)``.
    """
    x = np.asarray(positions, dtype=np.float64).reshape(-1)
    reflection = 2.0 * x - status_quo
    a = np.minimum(status_quo, reflection)
    b = np.maximum(status_quo, reflection)
    if saliences is not None:
        indifferent = np.asarray(saliences, dtype=np.float64).reshape(-1) <= 0
        a = np.where(indifferent, -np.inf, a)
        b = np.where(indifferent, np.inf, b)
    return a, b


def winset_1d(
    rule: DecisionRule,
    member_positions: ArrayLike,
    status_quo: float,
    *,
    member_saliences: ArrayLike | None = None,
    lo: float = -np.inf,
    hi: float = np.inf,
) -> list[Interval]:
    """The exact winset of ``status_quo`` in one dimension, as sorted disjoint closed intervals.

    ``[lo, hi]`` clips the result to the issue's scale. A degenerate interval ``(SQ, SQ)`` means
    that nothing but the status quo can pass. An empty list means that even the status quo is not
    winning (the grand coalition loses, or ``SQ`` lies outside ``[lo, hi]`` with nothing else
    winning there).
    """
    x, s = member_arrays(rule, member_positions, member_saliences)
    if x.shape[1] != 1:
        raise UsageError(
            "winset_1d needs one dimension",
            field="member_positions",
            expected=f"shape ({rule.k},) or ({rule.k}, 1)",
        )
    sq = float(status_quo)
    a, b = acceptance_intervals(x[:, 0], s[:, 0], sq)
    breaks = np.concatenate([a, b, [sq, lo, hi]])
    breaks = np.unique(breaks[np.isfinite(breaks)])
    breaks = breaks[(breaks >= lo) & (breaks <= hi)]
    if breaks.size == 0:
        return []
    # the sequence: (left region), b0, (b0, b1), b1, ..., b_last, (right region)
    gaps = (breaks[:-1] + breaks[1:]) / 2.0
    points = np.empty(2 * breaks.size - 1)
    points[0::2] = breaks
    points[1::2] = gaps
    left = np.isinf(lo) and breaks[0] > lo
    right = np.isinf(hi) and breaks[-1] < hi
    if left:
        points = np.concatenate([[breaks[0] - 1.0], points])
    if right:
        points = np.concatenate([points, [breaks[-1] + 1.0]])
    support = (points[:, None] >= a[None, :]) & (points[:, None] <= b[None, :])
    wins = rule.is_winning(support)

    starts = points.copy()
    ends = points.copy()
    if left:
        starts[0], ends[0] = -np.inf, breaks[0]
    if right:
        starts[-1], ends[-1] = breaks[-1], np.inf
    offset = 1 if left else 0
    for j in range(breaks.size - 1):  # gap j spans (b_j, b_{j+1})
        starts[offset + 2 * j + 1] = breaks[j]
        ends[offset + 2 * j + 1] = breaks[j + 1]

    intervals: list[Interval] = []
    current: list[float] | None = None
    for start, end, win in zip(starts, ends, wins, strict=True):
        if win:
            if current is None:
                current = [float(start), float(end)]
            else:
                current[1] = float(end)
        elif current is not None:
            intervals.append((current[0], current[1]))
            current = None
    if current is not None:
        intervals.append((current[0], current[1]))
    return intervals


def nearest_in_intervals(
    intervals: Sequence[Interval], target: float, status_quo: float | None = None
) -> float | None:
    """The point of a union of closed intervals nearest to ``target`` (``None`` if empty).

    Ties (``target`` exactly half-way between two intervals) go to the point nearer to
    ``status_quo`` when given, else to the lower one.
    """
    if not intervals:
        return None
    arr = np.asarray(intervals, dtype=np.float64)
    cand = np.clip(target, arr[:, 0], arr[:, 1])
    dist = np.abs(cand - target)
    best = np.flatnonzero(dist <= dist.min())
    if best.size > 1 and status_quo is not None:
        best = best[np.argsort(np.abs(cand[best] - status_quo), kind="stable")]
    return float(cand[best[0]])


def winset_grid(
    rule: DecisionRule,
    member_positions: ArrayLike,
    member_saliences: ArrayLike | None,
    status_quo: ArrayLike,
    lo: ArrayLike,
    hi: ArrayLike,
    resolution: int = 101,
) -> tuple[list[FloatArray], BoolArray]:
    """Sample the winset on a regular grid over ``[lo, hi]`` (for display, any dimension).

    Returns:
        ``(axes, mask)``: one coordinate array of ``resolution`` points per dimension, and a
        boolean array of shape ``(resolution,) * m`` (index order ``ij``), ``True`` inside ``W``.
    """
    x, s = member_arrays(rule, member_positions, member_saliences)
    m = x.shape[1]
    q = as_point(status_quo, m, "status_quo")
    lo_v, hi_v = as_point(lo, m, "lo"), as_point(hi, m, "hi")
    if resolution < 2 or resolution**m > 4_000_000:
        raise UsageError(
            f"resolution {resolution} in {m} dimensions",
            field="resolution",
            expected="2 <= resolution, resolution^m <= 4e6",
        )
    axes = [np.linspace(lo_v[d], hi_v[d], resolution) for d in range(m)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)  # (r,)*m + (m,)
    mask = rule.is_winning(prefers(x, s, q, grid))
    return axes, mask
