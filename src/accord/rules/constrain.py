r"""A forecast under a decision rule: what the rule allows, and who blocks.

A model forecasts an outcome ``x*``; the body can adopt it only if a winning coalition weakly
prefers it to the status quo, i.e. only if ``x*`` lies in the winset ``W(SQ)``
(:mod:`accord.rules.winset`). :func:`constrain` returns

* ``passes``: whether ``x*`` is in ``W``;
* ``allowed``: ``x*`` itself when it passes, otherwise the point of ``W`` nearest to ``x*``
  (``SQ`` when ``W = {SQ}``, and ``SQ`` when nothing at all can pass);
* ``blockers``: when ``x*`` fails, the members who strictly prefer ``SQ`` to ``x*``, and
  ``minimal_blocking``, a smallest subset of them whose opposition alone defeats ``x*``;
* ``winset`` (one dimension: the exact union of intervals) and ``veto_players``.

"Nearest" is measured on the issue's scales normalised to [0, 1] per dimension,
:math:`\|(y - x^*)/(hi - lo)\|_2`, so that dimensions in different units weigh alike.

How the nearest point is found:

* **One dimension**: exactly, by clipping ``x*`` to ``W``, which in one dimension is a single
  closed interval through ``SQ`` (every member's acceptable interval contains ``SQ``).
* **Several dimensions**: ``W`` is the union, over the winning coalitions ``C``, of the convex sets
  :math:`W_C = \bigcap_{i \in C} E_i` (``E_i`` the ellipsoid of points ``i`` weakly prefers to
  ``SQ``), and only minimal winning coalitions matter. For each candidate ``C`` the nearest point
  of :math:`W_C \cap [lo, hi]` is a convex quadratically constrained problem, solved with SciPy's
  SLSQP from a feasible start; the answer is then pulled back onto :math:`W_C` by bisection along
  the segment from ``SQ`` (``W_C`` is convex and contains ``SQ``, so the point returned is always
  in ``W``; that it is the nearest rests on SLSQP's convergence, which the tests check against
  fine grids). The candidates are

  - two greedy coalitions first (members ordered by the distance from ``x*`` to their
    ellipsoid, and by the distance of their ideal point from ``x*``; the shortest winning
    prefix, then members dropped while it still wins), which give an early upper bound;
  - then every minimal winning coalition when there are at most ``max_exact_members`` members,
    in increasing order of a lower bound on their distance (the largest exact distance from
    ``x*`` to a member's ellipsoid), stopping once the bound reaches the best distance found
    (branch and bound): ``method = "exact"``, unless more than ``max_solves`` coalitions had
    to be solved, when the best found so far is returned as ``"heuristic"``;
  - the grand coalition alone when every member is a veto player (consensus), exact for any
    ``k``: ``method = "exact"``;
  - for larger bodies, the greedy coalitions only: ``method = "heuristic"``, an upper bound on
    the true distance.

  Bisection along the segment from ``SQ`` to ``x*`` alone would give a point of ``W`` but in
  general not the nearest one, even under consensus: the nearest point of a convex set to ``x*``
  need not lie on that segment. It is used only as the starting point.

With no status quo the rule cannot constrain anything: ``allowed = x*`` and ``passes = True``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

from accord.rules.base import BoolArray, DecisionRule, FloatArray
from accord.rules.veto import veto_players
from accord.rules.winset import (
    Interval,
    as_point,
    member_arrays,
    nearest_in_intervals,
    prefers,
    winset_1d,
)

MAX_BLOCKING_COMBINATIONS = 20_000
"""Largest number of blocker subsets of one size tested when searching a minimal blocking set."""

_BISECT_STEPS = 60


@dataclass(frozen=True)
class RuleOutcome:
    """What a decision rule does to one forecast.

    Attributes:
        allowed: ``(m,)`` the outcome the rule allows (see the module docstring).
        passes: whether the unconstrained outcome is in the winset of the status quo.
        blockers: member indices who strictly prefer the status quo to the outcome (empty when
            it passes).
        minimal_blocking: a smallest subset of ``blockers`` whose opposition alone defeats the
            outcome (``None`` when it passes).
        winset: in one dimension the winset as closed intervals within ``[lo, hi]``; else
            ``None``.
        veto_players: member indices of the rule's veto players.
        status_quo: ``(m,)`` or ``None``.
        method: ``no-status-quo``, ``passes``, ``interval`` (1-D), ``exact`` or ``heuristic``
            (m-D), or ``nothing-passes``.
        distance: normalised distance between the outcome and ``allowed``.
    """

    allowed: FloatArray
    passes: bool
    blockers: list[int]
    minimal_blocking: list[int] | None
    winset: list[Interval] | None
    veto_players: list[int]
    status_quo: FloatArray | None
    method: str
    distance: float

    def as_dict(self, member_ids: tuple[str, ...] | None = None) -> dict[str, Any]:
        """JSON-serialisable form; member indices become ids when ``member_ids`` is given."""

        def names(idx: list[int] | None) -> list[Any] | None:
            if idx is None:
                return None
            return [member_ids[i] for i in idx] if member_ids is not None else list(idx)

        return {
            "allowed": [float(v) for v in self.allowed],
            "passes": self.passes,
            "blockers": names(self.blockers),
            "minimal_blocking": names(self.minimal_blocking),
            "winset": None
            if self.winset is None
            else [[float(a), float(b)] for a, b in self.winset],
            "veto_players": names(self.veto_players),
            "status_quo": None if self.status_quo is None else [float(v) for v in self.status_quo],
            "method": self.method,
            "distance": self.distance,
        }


def _scale(lo: FloatArray, hi: FloatArray) -> FloatArray:
    span = hi - lo
    return np.where(np.isfinite(span) & (span > 0), span, 1.0)


def minimal_blocking_set(rule: DecisionRule, blockers: list[int]) -> list[int]:
    """A smallest subset ``B`` of ``blockers`` such that the members outside ``B`` do not win.

    Sizes are tried in increasing order, all subsets of one size in one vectorised call; among
    equally small sets the first in lexicographic order of member indices is returned. When a size has more than
    ``MAX_BLOCKING_COMBINATIONS`` subsets the search turns greedy: start from all blockers and
    drop members (heaviest weight last, when the rule has weights) while the rest still blocks;
    the result is then minimal by inclusion, not necessarily smallest.
    """
    k = rule.k
    if not blockers:
        return []
    b = np.unique(np.asarray(blockers, dtype=np.intp))
    for size in range(1, b.size + 1):
        if math.comb(b.size, size) > MAX_BLOCKING_COMBINATIONS:
            break
        combos = np.array(list(itertools.combinations(b.tolist(), size)), dtype=np.intp)
        support = np.ones((combos.shape[0], k), dtype=np.bool_)
        support[np.arange(combos.shape[0])[:, None], combos] = False
        blocked = ~rule.is_winning(support)
        if blocked.any():
            return [int(i) for i in combos[int(np.argmax(blocked))]]
    weights = rule.weights
    order = b[np.argsort(weights[b], kind="stable")] if weights is not None else b
    keep = set(int(i) for i in b)
    for i in order.tolist():
        trial = keep - {i}
        others = np.ones(k, dtype=np.bool_)
        others[list(trial)] = False
        if trial and not bool(rule.is_winning(others)):
            keep = trial
    return sorted(keep)


# ---------------------------------------------------------------------------------------------
# nearest point of the winset in several dimensions


def _feasible(
    x: FloatArray, s: FloatArray, sq: FloatArray, members: NDArray[np.intp], points: FloatArray
) -> BoolArray:
    return np.asarray(np.all(prefers(x[members], s[members], sq, points), axis=-1))


def _bisect(
    x: FloatArray, s: FloatArray, sq: FloatArray, members: NDArray[np.intp], end: FloatArray
) -> FloatArray:
    """The point farthest from ``SQ`` on the segment ``SQ -> end`` inside ``W_C`` (convex)."""
    if bool(_feasible(x, s, sq, members, end)):
        return end.copy()
    lo_t, hi_t = 0.0, 1.0
    for _ in range(_BISECT_STEPS):
        mid = 0.5 * (lo_t + hi_t)
        if bool(_feasible(x, s, sq, members, sq + mid * (end - sq))):
            lo_t = mid
        else:
            hi_t = mid
    return np.asarray(sq + lo_t * (end - sq))


def _nearest_in_coalition(
    x: FloatArray,
    s: FloatArray,
    sq: FloatArray,
    target: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    members: NDArray[np.intp],
) -> FloatArray:
    """Nearest point to ``target`` (normalised metric) of ``W_C`` within ``[lo, hi]``."""
    scale = _scale(lo, hi)
    xc, sc = x[members], s[members]
    r2 = np.sum(sc * (sq - xc) ** 2, axis=1)
    # a member whose ideal point equals SQ on its salient dimensions pins those dimensions at SQ
    pinned = np.any((sc > 0) & (r2[:, None] <= 0), axis=0)
    free = np.flatnonzero(~pinned)
    active = r2 > 0
    start = _bisect(x, s, sq, members, np.clip(target, np.minimum(lo, sq), np.maximum(hi, sq)))
    if free.size == 0:
        return sq.copy()

    def full(z: FloatArray) -> FloatArray:
        point = sq.copy()
        point[free] = z
        return point

    def objective(z: FloatArray) -> tuple[float, FloatArray]:
        diff = (full(z) - target) / scale
        return float(diff @ diff), (2.0 * diff / scale)[free]

    def cons(z: FloatArray) -> FloatArray:
        d2 = np.sum(sc[active] * (full(z) - xc[active]) ** 2, axis=1)
        return np.asarray(1.0 - d2 / r2[active])

    def cons_jac(z: FloatArray) -> FloatArray:
        grad = -2.0 * sc[active] * (full(z) - xc[active]) / r2[active][:, None]
        return np.asarray(grad[:, free])

    bounds = [(min(lo[d], sq[d]), max(hi[d], sq[d])) for d in free.tolist()]
    constraints = [{"type": "ineq", "fun": cons, "jac": cons_jac}] if active.any() else []
    result = minimize(
        objective,
        start[free],
        jac=True,
        method="SLSQP",
        bounds=bounds,
        constraints=constraints,
        options={"ftol": 1e-14, "maxiter": 500},
    )
    candidate = _bisect(x, s, sq, members, full(np.asarray(result.x, dtype=np.float64)))
    d_candidate = np.linalg.norm((candidate - target) / scale)
    d_start = np.linalg.norm((start - target) / scale)
    return candidate if d_candidate <= d_start else start


def _lower_bounds(
    x: FloatArray, s: FloatArray, sq: FloatArray, target: FloatArray, scale: FloatArray
) -> FloatArray:
    r"""Per member, the normalised distance from ``target`` to its ellipsoid ``E_i`` (exact).

    The nearest point of :math:`E_i = \{y : \sum_k s_{ik}(y_k - x_{ik})^2 \le r_i^2\}` to ``t``
    in the metric :math:`\|(y - t)/L\|` is, by the Lagrange conditions,
    :math:`y_k(\lambda) = (t_k/L_k^2 + \lambda s_{ik} x_{ik}) / (1/L_k^2 + \lambda s_{ik})`
    with the multiplier :math:`\lambda \ge 0` at which ``y`` reaches the boundary; the
    constraint value falls monotonically in :math:`\lambda`, so it is found by bisection (on
    :math:`\log \lambda`, vectorised over members). Any coalition's convex set ``W_C`` lies
    inside each member's ellipsoid, so :math:`\max_{i \in C}` of these distances bounds the
    distance to ``W_C`` from below.
    """
    r2 = np.sum(s * (sq - x) ** 2, axis=1)
    inside = np.sum(s * (target - x) ** 2, axis=1) <= r2
    inv = 1.0 / scale**2

    def g(lam: FloatArray) -> FloatArray:
        y = (target * inv + lam[:, None] * s * x) / (inv + lam[:, None] * s)
        return np.asarray(np.sum(s * (y - x) ** 2, axis=1) - r2)

    lo_l = np.full(x.shape[0], -30.0)
    hi_l = np.full(x.shape[0], 30.0)
    for _ in range(_BISECT_STEPS):
        mid = 0.5 * (lo_l + hi_l)
        above = g(np.exp(mid)) > 0
        lo_l = np.where(above, mid, lo_l)
        hi_l = np.where(above, hi_l, mid)
    # y(lambda) for lambda below the root lies outside E_i on the path from t to the nearest
    # point, so its distance to t is a lower bound (a feasible y would give an upper bound)
    lam = np.exp(lo_l)
    y = (target * inv + lam[:, None] * s * x) / (inv + lam[:, None] * s)
    dist = np.linalg.norm((y - target) / scale, axis=1)
    return np.asarray(np.where(inside, 0.0, dist * (1.0 - 1e-9)))


def _minimal_winning(rule: DecisionRule) -> list[NDArray[np.intp]]:
    k = rule.k
    masks = np.arange(1 << k, dtype=np.int64)
    bits = np.arange(k, dtype=np.int64)
    support = ((masks[:, None] >> bits[None, :]) & 1).astype(np.bool_)
    wins = rule.is_winning(support)
    minimal = wins.copy()
    for j in range(k):
        has_j = ((masks >> j) & 1).astype(np.bool_)
        minimal &= ~has_j | ~wins[masks ^ (1 << j)]
    return [np.flatnonzero(support[i]) for i in np.flatnonzero(minimal)]


def _greedy_coalition(
    rule: DecisionRule, order: NDArray[np.intp], key: FloatArray
) -> NDArray[np.intp] | None:
    k = rule.k
    prefix = np.zeros((k + 1, k), dtype=np.bool_)
    for j in range(1, k + 1):
        prefix[j, order[:j]] = True
    wins = rule.is_winning(prefix)
    if not wins.any():
        return None
    chosen = set(order[: int(np.argmax(wins))].tolist())
    for i in sorted(chosen, key=lambda i: -key[i]):
        support = np.zeros(k, dtype=np.bool_)
        support[list(chosen - {i})] = True
        if bool(rule.is_winning(support)):
            chosen.discard(i)
    return np.asarray(sorted(chosen), dtype=np.intp)


def _nearest_md(
    rule: DecisionRule,
    x: FloatArray,
    s: FloatArray,
    sq: FloatArray,
    target: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    vetoes: list[int],
    max_exact_members: int,
    max_solves: int,
) -> tuple[FloatArray, str]:
    k = rule.k
    scale = _scale(lo, hi)
    bounds = _lower_bounds(x, s, sq, target, scale)
    by_bound = np.lexsort((np.arange(k), bounds)).astype(np.intp)
    by_ideal = np.argsort(np.linalg.norm((x - target) / scale, axis=1), kind="stable")
    greedy = [
        _greedy_coalition(rule, order, bounds) for order in (by_bound, by_ideal.astype(np.intp))
    ]
    coalitions = [c for c in greedy if c is not None]
    if len(vetoes) == k:
        coalitions = [np.arange(k, dtype=np.intp)]
        method = "exact"
    elif k <= max_exact_members:
        coalitions += _minimal_winning(rule)
        method = "exact"
    else:
        method = "heuristic"
    best = sq.copy()
    best_dist = float(np.linalg.norm((sq - target) / scale))
    # the greedy coalitions first (a good upper bound early), then by increasing lower bound
    n_greedy = 0 if len(vetoes) == k else sum(c is not None for c in greedy)
    rest = coalitions[n_greedy:]
    rest_bounds = np.array([bounds[c].max() if c.size else 0.0 for c in rest])
    order = list(range(n_greedy)) + [n_greedy + i for i in np.argsort(rest_bounds, kind="stable")]
    solved = 0
    for idx in order:
        members = coalitions[idx]
        if (bounds[members].max() if members.size else 0.0) >= best_dist - 1e-12:
            if idx >= n_greedy:
                break
            continue
        if solved >= max_solves:
            method = "heuristic"
            break
        solved += 1
        point = _nearest_in_coalition(x, s, sq, target, lo, hi, members)
        dist = float(np.linalg.norm((point - target) / scale))
        if dist < best_dist:
            best, best_dist = point, dist
    return best, method


# ---------------------------------------------------------------------------------------------
# entry point


def constrain(
    rule: DecisionRule,
    member_positions: ArrayLike,
    member_saliences: ArrayLike | None,
    status_quo: ArrayLike | None,
    outcome: ArrayLike,
    lo: ArrayLike,
    hi: ArrayLike,
    *,
    max_exact_members: int = 12,
    max_solves: int = 300,
) -> RuleOutcome:
    """Apply ``rule`` to a forecast ``outcome``: does it pass, and if not, what is allowed.

    Args:
        rule: the decision rule over the body's ``k`` members.
        member_positions: ``(k, m)`` the members' positions (ideal points), on the issue scale.
        member_saliences: ``(k, m)`` saliences (only relative sizes within a member matter), or
            ``None`` for equal saliences.
        status_quo: ``(m,)`` the status quo, or ``None`` when the issue has none.
        outcome: ``(m,)`` the unconstrained forecast.
        lo: ``(m,)`` lower ends of the scales.
        hi: ``(m,)`` upper ends of the scales.
        max_exact_members: in several dimensions, the largest body whose minimal winning
            coalitions are all searched (``2^k`` coalitions are enumerated).
        max_solves: in several dimensions, the most coalitions whose nearest point is computed;
            a search cut short by it reports ``method = "heuristic"``.

    Returns:
        A :class:`RuleOutcome`.
    """
    x, s = member_arrays(rule, member_positions, member_saliences)
    m = x.shape[1]
    target = as_point(outcome, m, "outcome")
    lo_v, hi_v = as_point(lo, m, "lo"), as_point(hi, m, "hi")
    vetoes = veto_players(rule)
    if status_quo is None:
        return RuleOutcome(target.copy(), True, [], None, None, vetoes, None, "no-status-quo", 0.0)
    sq = as_point(status_quo, m, "status_quo")
    scale = _scale(lo_v, hi_v)

    support = prefers(x, s, sq, target)
    passes = bool(rule.is_winning(support))
    winset = (
        winset_1d(rule, x, float(sq[0]), member_saliences=s, lo=float(lo_v[0]), hi=float(hi_v[0]))
        if m == 1
        else None
    )

    if passes:
        return RuleOutcome(target.copy(), True, [], None, winset, vetoes, sq, "passes", 0.0)

    blockers = [int(i) for i in np.flatnonzero(~support)]
    minimal = minimal_blocking_set(rule, blockers)
    if not bool(rule.is_winning(np.ones(rule.k, dtype=np.bool_))):
        allowed, method = sq.copy(), "nothing-passes"
    elif m == 1:
        assert winset is not None
        nearest = nearest_in_intervals(winset, float(target[0]), float(sq[0]))
        allowed = sq.copy() if nearest is None else np.array([nearest])
        method = "interval"
    else:
        allowed, method = _nearest_md(
            rule, x, s, sq, target, lo_v, hi_v, vetoes, max_exact_members, max_solves
        )
    distance = float(np.linalg.norm((allowed - target) / scale))
    return RuleOutcome(allowed, False, blockers, minimal, winset, vetoes, sq, method, distance)
