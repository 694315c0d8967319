r"""The asymmetric Nash bargaining solution, with the status quo as disagreement point.

Nash (1950), "The bargaining problem", Econometrica 18(2) p. 155-162; the asymmetric
(weighted) form with bargaining weights ``c_i`` as in Roth (1979), *Axiomatic Models of
Bargaining*, Springer, and Kalai (1977); applied to EU decisions by Achen (2006), *The European
Union Decides*, ch. 4 and 10. The outcome maximises the weighted Nash product

.. math:: x^* = \arg\max_{x \in F} \prod_i \big(u_i(x) - u_i(SQ)\big)^{c_i}
          = \arg\max_{x \in F} \sum_i c_i \log\big(u_i(x) - u_i(SQ)\big),
          \quad F = \{x : u_i(x) \ge u_i(SQ)\ \forall i\}

with capability ``c_i`` as the bargaining weight and, per parameter ``utility``,

* ``"quadratic"`` (default): :math:`u_i(x) = -\sum_k s_{ik} (x_k - x_{ik})^2`;
* ``"linear"``: :math:`u_i(x) = -\sum_k s_{ik} |x_k - x_{ik}|`.

Both utilities are concave, so ``F`` (the consensus winset of ``SQ``) is convex and the log-Nash
product is concave on it: a convex problem with a unique maximiser in the quadratic case.
Actors with ``c_i = 0`` do not enter the product but still must not lose (individual
rationality); actors with zero salience on every dimension gain nothing anywhere and are left
out. The optimum lies inside the issue's box ``[lo, hi]`` whenever the ideal points do
(clipping a coordinate towards the box brings it nearer every ideal point, so every gain
grows), so no box constraint is imposed.

**Solving it.** Gains are normalised, :math:`h_i(x) = 1 - D_i(x)/D_i(SQ)` with
:math:`D_i` the weighted squared (or absolute) distance, which changes each log term by a
constant only.

* One dimension: ``F`` is an interval ``[L, R]``; the derivative of the concave objective,
  :math:`\sum_i c_i h_i'(x)/h_i(x)`, is decreasing on ``(L, R)`` (with jumps at kinks for linear
  utility), and its sign change is found with :func:`scipy.optimize.brentq` to ``1e-13`` of the
  scale (``method = "brentq"``).
* Several dimensions: a primal barrier (interior-point) method with damped Newton steps (Boyd &
  Vandenberghe 2004, *Convex Optimization*, sections 9.5 and 11.3), written with NumPy since
  every function involved is a separable quadratic with exact gradient and Hessian. Phase 1
  finds a strictly interior point by maximising :math:`\tau` subject to
  :math:`h_i(x) > \tau`; if :math:`\tau^* \le 10^{-9}` the interior is empty (see below).
  Phase 2 minimises :math:`-\sum_i c_i \log h_i(x)`, which is its own barrier for every actor
  with ``c_i > 0``; actors with ``c_i = 0`` (individual rationality only) and, for linear
  utility, the epigraph constraints :math:`t_{ik} \ge |x_k - x_{ik}|` (which make the problem
  smooth) enter as a log barrier with weight :math:`\mu = 10^{-1}, \dots, 10^{-12}`
  (``method = "barrier-newton"``). SciPy's SLSQP was tried first and stopped early, well short
  of the optimum, on about 1.5 % of random badly scaled cases; the barrier method had none.

**Degenerate cases**: if an actor with ``c_i > 0`` has its ideal point at the status quo, or
``F`` has no interior (e.g. two actors on opposite sides of ``SQ`` in one dimension), every
feasible point gives a zero Nash product; the solution is then ``SQ``, with
``diagnostics["degenerate"]`` saying why.

**No status quo.** With no disagreement point we maximise the weighted utilitarian form
:math:`\sum_i c_i u_i(x)` instead. Under quadratic utility the first-order condition
:math:`\partial/\partial x_k = -2\sum_i c_i s_{ik} (x_k - x_{ik}) = 0` gives

.. math:: x^*_k = \frac{\sum_i c_i s_{ik} x_{ik}}{\sum_i c_i s_{ik}},

exactly the compromise model (:mod:`accord.models.compromise`; Achen's first-order result).
Under linear utility the same form is minimised by the ``c s``-weighted median of each dimension
(midpoint of the median interval on an exact tie; :mod:`accord.models.median`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from accord.errors import UsageError
from accord.models.base import (
    FloatArray,
    IssueArrays,
    IssueBatch,
    ModelParams,
    ModelRun,
    ModelSpec,
)
from accord.models.compromise import compromise
from accord.models.median import weighted_median

UTILITIES = ("quadratic", "linear")
INTERIOR_TOL = 1e-9
"""An interior point with normalised slack ``tau`` below this counts as none (``F = {SQ}``)."""

_MU_SCHEDULE = tuple(10.0**-j for j in range(1, 13))
_PHASE1_ENOUGH = 1e-3
_NEWTON_MAX_STEPS = 200


def _distances(utility: str, x: FloatArray, s: FloatArray, points: FloatArray) -> FloatArray:
    """``D_i(p)`` for each point ``(..., m)`` and actor: weighted squared or absolute distance."""
    diff = points[..., None, :] - x
    if utility == "quadratic":
        return np.asarray(np.sum(s * diff**2, axis=-1))
    return np.asarray(np.sum(s * np.abs(diff), axis=-1))


def _solve_1d(
    utility: str, x: FloatArray, s: FloatArray, c: FloatArray, d_sq: FloatArray, sq: float
) -> tuple[float, dict[str, Any]]:
    """Maximise ``sum c_i log h_i`` on the interval ``F`` in one dimension."""
    xs, ss = x[:, 0], s[:, 0]
    reflection = 2.0 * xs - sq
    left = float(np.max(np.minimum(sq, reflection)))
    right = float(np.min(np.maximum(sq, reflection)))
    if right - left <= INTERIOR_TOL * max(1.0, float(np.max(np.abs(xs - sq)))):
        return sq, {"degenerate": "the feasible set F is the status quo alone"}
    span = right - left
    obj = c > 0
    xo, so, co, do = xs[obj], ss[obj], c[obj], d_sq[obj]

    def slope(p: float) -> float:
        diff = p - xo
        dd = 2.0 * so * diff if utility == "quadratic" else so * np.sign(diff)
        d = so * diff**2 if utility == "quadratic" else so * np.abs(diff)
        h = 1.0 - d / do
        return float(np.sum(co * (-dd / do) / h))

    eps = 1e-10 * span
    a, b = left + eps, right - eps
    if slope(a) <= 0:
        return a, {"boundary": "left"}
    if slope(b) >= 0:
        return b, {"boundary": "right"}
    from scipy.optimize import brentq  # loaded on first use: a fast start for the CLI

    root = brentq(slope, a, b, xtol=1e-13 * span, rtol=4 * np.finfo(float).eps, maxiter=500)
    return float(root), {}


@dataclass(frozen=True)
class _Terms:
    """Separable quadratic functions ``f_j(v) = const_j + lin_j . v + quad_j . v**2`` (rows j)."""

    const: FloatArray
    lin: FloatArray
    quad: FloatArray

    def values(self, v: FloatArray) -> FloatArray:
        return np.asarray(self.const + self.lin @ v + self.quad @ (v * v))

    def stack(self, other: _Terms) -> _Terms:
        return _Terms(
            np.concatenate([self.const, other.const]),
            np.vstack([self.lin, other.lin]),
            np.vstack([self.quad, other.quad]),
        )


def _barrier_newton(
    v: FloatArray,
    terms: _Terms,
    weights: FloatArray,
    linear_cost: FloatArray,
    stop: float | None = None,
) -> tuple[FloatArray, int]:
    """Minimise a log-barrier objective by damped Newton steps.

    Minimise ``linear_cost . v - sum_j w_j log f_j(v)`` by damped Newton from a strictly
    feasible ``v`` (all ``f_j > 0``), with a backtracking (Armijo) line search that keeps every
    ``f_j`` positive (Boyd & Vandenberghe 2004, *Convex Optimization*, algorithm 9.5).
    ``stop``: return as soon as ``v[-1]`` exceeds it (phase 1).
    """

    def phi(point: FloatArray) -> float:
        f = terms.values(point)
        if np.any(f <= 0):
            return np.inf
        return float(linear_cost @ point - weights @ np.log(f))

    steps = 0
    value = phi(v)
    for _ in range(_NEWTON_MAX_STEPS):
        if stop is not None and v[-1] > stop:
            break
        f = terms.values(v)
        grad_f = terms.lin + 2.0 * terms.quad * v  # (J, nv)
        wf = weights / f
        grad = linear_cost - wf @ grad_f
        hess = (grad_f * (wf / f)[:, None]).T @ grad_f - np.diag(wf @ (2.0 * terms.quad))
        try:
            step = np.linalg.solve(hess, -grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, -grad, rcond=None)[0]
        decrement = float(-grad @ step)
        if not decrement > 2e-15 * max(1.0, abs(value)):
            break
        t = 1.0
        for _ in range(80):
            trial = phi(v + t * step)
            if trial <= value - 0.25 * t * decrement:
                break
            t *= 0.5
        else:
            break
        v = v + t * step
        value = trial
        steps += 1
    return v, steps


def _solve_md(
    utility: str,
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    d_sq: FloatArray,
    sq: FloatArray,
    scale: FloatArray,
) -> tuple[FloatArray, dict[str, Any]]:
    """Maximise ``sum c_i log h_i`` over ``F`` in several dimensions (barrier method).

    Variables ``v = [z, t]``: the point is ``SQ + z * scale``; for linear utility ``t`` (``n*m``)
    are the epigraph variables with ``t_ik >= |x_k - x_ik|``. Every function involved is a
    separable quadratic in ``v``, so gradients and Hessians are exact.
    """
    n, m = x.shape
    linear = utility == "linear"
    nt = n * m if linear else 0
    nv = m + nt
    e = sq - x  # (n, m)
    if linear:
        lin = np.zeros((n, nv))
        lin[np.repeat(np.arange(n), m), m + np.arange(nt)] = -(s / d_sq[:, None]).reshape(-1)
        gains = _Terms(np.ones(n), lin, np.zeros((n, nv)))
        tile = np.tile(np.diag(scale), (n, 1))  # row i*m+k holds scale_k at column k
        eye = np.eye(nt)
        epi = _Terms(
            np.concatenate([-e.reshape(-1), e.reshape(-1)]),
            np.vstack([np.hstack([-tile, eye]), np.hstack([tile, eye])]),
            np.zeros((2 * nt, nv)),
        )
    else:
        # h_i(z) = 1 - sum_k s_ik (e_ik + L_k z_k)^2 / D_i, and sum_k s_ik e_ik^2 = D_i
        lin = np.zeros((n, nv))
        quad = np.zeros((n, nv))
        lin[:, :m] = -2.0 * s * e * scale / d_sq[:, None]
        quad[:, :m] = -s * scale**2 / d_sq[:, None]
        gains = _Terms(np.zeros(n), lin, quad)
        epi = _Terms(np.zeros(0), np.zeros((0, nv)), np.zeros((0, nv)))

    # phase 1: a strictly interior point: maximise tau with h_i(v) - tau > 0 (and epigraph > 0)
    with_tau = _Terms(
        np.concatenate([gains.const, epi.const]),
        np.hstack(
            [
                np.vstack([gains.lin, epi.lin]),
                np.concatenate([-np.ones(n), np.zeros(2 * nt)])[:, None],
            ]
        ),
        np.hstack([np.vstack([gains.quad, epi.quad]), np.zeros((n + 2 * nt, 1))]),
    )
    v1 = np.concatenate(
        [np.zeros(m), (np.abs(e) + 1.0).reshape(-1) if linear else np.zeros(0), [0.0]]
    )
    v1[-1] = float(np.min(gains.values(v1[:-1]))) - 1.0
    cost = np.zeros(nv + 1)
    cost[-1] = -1.0
    steps = 0
    for mu in _MU_SCHEDULE:
        v1, k = _barrier_newton(
            v1, with_tau, np.ones(with_tau.const.shape[0]), cost / mu, stop=_PHASE1_ENOUGH
        )
        steps += k
        if v1[-1] > _PHASE1_ENOUGH:
            break
    tau = float(v1[-1])
    if not tau > INTERIOR_TOL:
        return sq.copy(), {
            "degenerate": "the feasible set F has no interior: only the status quo gives "
            "every actor a gain",
            "interior_slack": tau,
        }

    # phase 2: maximise sum c_i log h_i; actors with c_i = 0 and the epigraph enter as a
    # barrier with weight mu -> 0
    weights_c = c / c.sum()
    objective = c > 0
    terms = _Terms(gains.const[objective], gains.lin[objective], gains.quad[objective])
    extra = _Terms(gains.const[~objective], gains.lin[~objective], gains.quad[~objective]).stack(
        epi
    )
    all_terms = terms.stack(extra)
    v2 = v1[:-1]
    zero_cost = np.zeros(nv)
    n_extra = extra.const.shape[0]
    schedule = _MU_SCHEDULE if n_extra else (0.0,)
    for mu in schedule:
        w = np.concatenate([weights_c[objective], np.full(n_extra, mu)])
        v2, k = _barrier_newton(v2, all_terms, w, zero_cost)
        steps += k
    return sq + v2[:m] * scale, {"newton_steps": steps, "interior_slack": tau}


def nash_bargaining(
    positions: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    status_quo: FloatArray | None,
    lo: FloatArray,
    hi: FloatArray,
    utility: str = "quadratic",
) -> tuple[FloatArray, dict[str, Any]]:
    """The asymmetric Nash bargaining solution (see the module docstring).

    Args:
        positions: ``(n, m)`` ideal points.
        saliences: ``(n, m)`` saliences >= 0.
        capabilities: ``(n,)`` bargaining weights ``c_i`` >= 0.
        status_quo: ``(m,)`` disagreement point, or ``None``.
        lo: ``(m,)`` lower ends of the scales (used to normalise the search).
        hi: ``(m,)`` upper ends of the scales.
        utility: ``"quadratic"`` or ``"linear"``.

    Returns:
        The ``(m,)`` outcome and JSON-serialisable diagnostics (``method``, ``degenerate`` ...).
    """
    if utility not in UTILITIES:
        raise UsageError(
            f"unknown utility '{utility}'",
            field="utility",
            expected="one of " + ", ".join(UTILITIES),
        )
    x = np.asarray(positions, dtype=np.float64)
    s = np.asarray(saliences, dtype=np.float64)
    c = np.asarray(capabilities, dtype=np.float64).reshape(-1)
    lo_v = np.asarray(lo, dtype=np.float64).reshape(-1)
    hi_v = np.asarray(hi, dtype=np.float64).reshape(-1)
    span = hi_v - lo_v
    scale = np.where(np.isfinite(span) & (span > 0), span, 1.0)

    if status_quo is None:
        if utility == "quadratic":
            out, zero = compromise(x, c[:, None] * s)
            return out, {
                "method": "closed-form (no status quo: weighted utilitarian = compromise)",
                "zero_weight_dimensions": zero,
            }
        out, zero = weighted_median(x, c[:, None] * s, ties="midpoint")
        return out, {
            "method": "closed-form (no status quo: weighted utilitarian = weighted median)",
            "zero_weight_dimensions": zero,
        }

    sq = np.asarray(status_quo, dtype=np.float64).reshape(-1)
    d_sq = _distances(utility, x, s, sq)  # (n,)
    salient = np.any(s > 0, axis=1)
    gainers = salient & (c > 0)
    if not gainers.any():
        return sq.copy(), {
            "method": "none",
            "degenerate": "no actor with positive capability and salience",
        }
    if np.any(gainers & (d_sq <= 0)):
        at_sq = [int(i) for i in np.flatnonzero(gainers & (d_sq <= 0))]
        return sq.copy(), {
            "method": "none",
            "degenerate": "an actor with positive capability has its ideal point at the status quo",
            "actors_at_status_quo": at_sq,
        }

    # actors at SQ with c = 0 pin their salient dimensions at SQ; the rest is solved on free dims
    pinned = np.any((s > 0) & (salient & (d_sq <= 0))[:, None], axis=0)
    free = np.flatnonzero(~pinned)
    keep = salient & (d_sq > 0)
    if free.size == 0:
        return sq.copy(), {
            "method": "none",
            "degenerate": "every dimension is pinned at the status quo",
        }
    xf, sf, cf, dq = x[keep][:, free], s[keep][:, free], c[keep], d_sq[keep]
    outcome = sq.copy()
    if free.size == 1:
        value, info = _solve_1d(utility, xf, sf, cf, dq, float(sq[free[0]]))
        outcome[free[0]] = value
        info = {"method": "brentq", **info}
    else:
        point, info = _solve_md(utility, xf, sf, cf, dq, sq[free], scale[free])
        outcome[free] = point
        info = {"method": "barrier-newton", **info}
    if pinned.any():
        info["pinned_dimensions"] = [int(d) for d in np.flatnonzero(pinned)]
    gains = d_sq - _distances(utility, x, s, outcome)
    info["min_gain"] = float(np.min(gains[salient])) if salient.any() else 0.0
    return outcome, info


@dataclass(frozen=True)
class NashParams(ModelParams):
    """Parameters of the Nash bargaining solution: ``utility``, ``"quadratic"`` or ``"linear"``."""

    model: ClassVar[str] = "nash"

    utility: str = "quadratic"

    def __post_init__(self) -> None:
        if self.utility not in UTILITIES:
            raise UsageError(
                f"unknown utility '{self.utility}'",
                field="utility",
                expected="one of " + ", ".join(UTILITIES),
            )


DEFAULTS: dict[str, Any] = NashParams.defaults()


def run(issue: IssueArrays, params: Mapping[str, Any], rng: np.random.Generator) -> ModelRun:
    """Registry adapter: the Nash bargaining solution on one issue (deterministic)."""
    p = NashParams.from_mapping(params)
    outcome, info = nash_bargaining(
        issue.positions,
        issue.saliences,
        issue.capabilities,
        issue.status_quo,
        issue.lo,
        issue.hi,
        utility=p.utility,
    )
    return ModelRun(
        model="nash",
        positions=issue.positions[None, :, :].copy(),
        outcome=outcome,
        series={},
        diagnostics={
            "utility": p.utility,
            "status_quo": issue.status_quo is not None,
            **info,
        },
    )


def batch_kernel(
    batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator
) -> FloatArray:
    """The batch kernel (deterministic; ``rng`` unused).

    Without a status quo the solution has a closed form per dimension (the weighted utilitarian
    optimum): the ``c s``-weighted mean under quadratic utility (Achen 2006's first-order result)
    and the ``c s``-weighted median under linear utility. Both run on all draws at once, as
    columns of one ``(n, B m)`` problem. With a status quo the solution is an iterative convex
    optimisation whose path differs per draw; the kernel then calls :func:`nash_bargaining` per
    draw, which skips only the adapter's overhead.
    """
    from accord.models.compromise import as_columns, compromise_batch

    del rng
    utility = NashParams.from_mapping(params).utility
    b, _, m = batch.positions.shape
    w = batch.capabilities[:, :, None] * batch.saliences
    if batch.status_quo is None:
        if utility == "quadratic":
            return compromise_batch(batch.positions, w)
        out, _ = weighted_median(as_columns(batch.positions), as_columns(w), ties="midpoint")
        return out.reshape(b, m)
    outcomes = np.empty((b, m))
    for d in range(b):
        outcomes[d], _ = nash_bargaining(
            batch.positions[d],
            batch.saliences[d],
            batch.capabilities[d],
            batch.status_quo[d],
            batch.lo,
            batch.hi,
            utility=utility,
        )
    return outcomes


SPEC = ModelSpec(
    name="nash",
    summary="Asymmetric Nash bargaining solution with the status quo as disagreement point.",
    citation="Nash1950; Roth1979; Achen2006",
    run=run,
    params=NashParams,
    batch_kernel=batch_kernel,
    uses_status_quo=True,
)
