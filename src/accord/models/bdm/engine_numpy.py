"""BDM's NumPy engine: many problems at once (Scholz et al. 2011 reading, :mod:`accord.models.bdm`).

Every function here is the single-run function of :mod:`accord.models.bdm` with a leading axis
of independent problems: each (draw, dimension) pair is one problem (BDM's model is
one-dimensional and the adapter runs dimensions independently). The formulas, their sources and
the switches are those of :mod:`accord.models.bdm` and :class:`~accord.models.bdm.BDMParams`;
every switch is supported except ``update="sequential"`` (each mover reads the positions after
the earlier moves: a loop over actors), for which the kernel returns ``None`` and the caller
falls back to the loop of single runs.

Memory: no ``n^3`` array is allocated (the vote sums use sorted prefix sums, see
:func:`vote_support`); the largest temporaries are ``(P, n, n)``, and problems are processed in
chunks of about ``10^6 / (16 n^2)`` problems, so each stays near 10^6 elements (8 MB).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.models.bdm.params import MEDIAN_TIE_TOL, SECURITY_TIE_TOL, BDMParams
from accord.models.bdm.reference import perceived_offers, select_positions

BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]


def condorcet_median(x: FloatArray, w: FloatArray, tie: str = "lowest") -> FloatArray:
    """``(P,)`` w-weighted Condorcet medians of ``x`` ``(P, n)`` (see the single-run function)."""
    F = np.einsum("pji,pi->pj", np.abs(x[:, None, :] - x[:, :, None]), w)
    scale = np.ptp(x, axis=1) * w.sum(axis=1)
    safe = np.where(scale > 0, scale, 1.0)
    gap = np.where(scale[:, None] > 0, (F - F.min(axis=1, keepdims=True)) / safe[:, None], 0.0)
    tied = gap < MEDIAN_TIE_TOL
    if tie == "highest":
        out: FloatArray = np.where(tied, x, -np.inf).max(axis=1)
        return out
    if tie == "first":
        out = np.take_along_axis(x, np.argmax(tied, axis=1)[:, None], axis=1)[:, 0]
        return out
    out = np.where(tied, x, np.inf).min(axis=1)
    return out


def vote_support(x: FloatArray, d: FloatArray, w: FloatArray, e: FloatArray) -> FloatArray:
    """``S[p, i, j] = sum_k max(0, v_k(i, j))`` in ``O(n^2 log n)`` per problem instead of ``n^3``.

    With ``a_kx = d(k, x)^{e_k}`` (``e_k > 0``), voter k supports i over j
    (``v_k(i, j) = w_k (a_kj - a_ki) > 0``) exactly when it is nearer to i than to j, i.e. when
    ``x_k`` lies on i's side of the midpoint ``(x_i + x_j) / 2``. So, with the actors sorted by
    position and ``C[t, x] = sum`` of ``w_k a_kx`` over the ``t`` leftmost actors,
    ``S_ij = C[t_ij, j] - C[t_ij, i]`` for ``x_i < x_j`` (``t_ij`` = number of actors left of
    the midpoint) and ``S_ij = (C[n, j] - C[t_ij, j]) - (C[n, i] - C[t_ij, i])`` for
    ``x_i > x_j``; a voter exactly at the midpoint is indifferent and adds 0. The result equals
    the direct triple sum up to floating-point rounding (the sums run in another order).
    """
    p_count, n = x.shape
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    De = d if bool(np.all(e == 1.0)) else d ** e[:, :, None]  # De[p, k, a] = d(k, a)^{e_k}
    M = w[:, :, None] * De
    Ms = np.take_along_axis(M, order[:, :, None], axis=1)
    C = np.zeros((p_count, n + 1, n))
    np.cumsum(Ms, axis=1, out=C[:, 1:, :])
    mid = 0.5 * (x[:, :, None] + x[:, None, :])
    t = np.empty((p_count, n, n), dtype=np.intp)
    for q in range(p_count):
        t[q] = np.searchsorted(xs[q], mid[q], side="left")
    c_tj = np.take_along_axis(C, t, axis=1)  # C[p, t_ij, j]: column j of row t_ij
    # C[p, t_ij, i]: pick column i; t is symmetric, so this is c_tj transposed
    c_ti = c_tj.transpose(0, 2, 1)
    total = C[:, n, :]  # (P, n): column totals
    left = x[:, :, None] < x[:, None, :]
    support = np.where(
        left,
        c_tj - c_ti,
        (total[:, None, :] - c_tj) - (total[:, :, None] - c_ti),
    )
    out: FloatArray = np.maximum(support, 0.0)
    return out


def win_probabilities(
    x: FloatArray,
    d: FloatArray,
    w: FloatArray,
    e: FloatArray,
    same: BoolArray,
    probability: str,
    voters: str,
) -> FloatArray:
    """``(P, n, n)`` probabilities that i prevails over j (Scholz eq. 31, spec §5 [A2-A4]).

    The supports come from :func:`vote_support`. ``voters="third-parties"`` removes the votes of
    i and j: i always supports itself with ``w_i d(i, j)^{e_i}`` and j never supports i.
    """
    support = vote_support(x, d, w, e)
    if voters == "third-parties":
        own = w[:, :, None] * (d if bool(np.all(e == 1.0)) else d ** e[:, :, None])
        support = np.maximum(support - own, 0.0)
    if probability == "dyadic":
        den = support + support.transpose(0, 2, 1)
        P = np.full_like(support, 0.5)
        np.divide(support, den, out=P, where=den > 0)
    else:
        total = 2.0 * support.reshape(support.shape[0], -1).sum(axis=1)
        safe = np.where(total > 0, total, 1.0)
        P = np.where(total[:, None, None] > 0, support / safe[:, None, None], 0.0)
    out: FloatArray = np.where(same, 0.0, P)
    return out


def contest_utilities(d: FloatArray, rho: FloatArray | float) -> tuple[FloatArray, FloatArray]:
    """``U_s = 2 - 4 (0.5 - 0.5 d)^rho`` and ``U_f = 2 - 4 (0.5 + 0.5 d)^rho`` (spec §4)."""
    u_s: FloatArray = 2.0 - 4.0 * (0.5 - 0.5 * d) ** rho
    u_f: FloatArray = 2.0 - 4.0 * (0.5 + 0.5 * d) ** rho
    return u_s, u_f


def expected_utilities(
    d: FloatArray,
    m: FloatArray,
    s: FloatArray,
    P: FloatArray,
    rho: FloatArray | float,
    q: float,
    salience: str,
    bw_distance: str,
    contest_terms: tuple[FloatArray, FloatArray] | None = None,
) -> FloatArray:
    """``(P, n, n)`` expected utilities E(i -> j; rho) (Scholz eq. 25, spec §4 and §6).

    ``contest_terms``: ``(U_s, U_f)`` for these ``d`` and ``rho`` when already computed (the
    mover's view B reuses the transposed terms of A: ``d`` is symmetric).
    """
    u_s, u_f = contest_utilities(d, rho) if contest_terms is None else contest_terms
    u_sq = 2.0 - 4.0 * 0.5**rho
    sal = s[:, None, :] if salience == "responder" else s[:, :, None]
    contest = sal * (P * u_s + (1.0 - P) * u_f) + (1.0 - sal) * u_s
    if q == 1.0:  # the (1 - Q) term is exactly 0 (U_b, U_w are finite: spread <= 2)
        result: FloatArray = contest - u_sq
        return result
    mi = m[:, :, None]
    spread = mi + d if bw_distance == "sum" else np.abs(mi - d)
    u_b = 2.0 - 4.0 * (0.5 - 0.25 * spread) ** rho
    u_w = 2.0 - 4.0 * (0.5 + 0.25 * spread) ** rho
    T = mi < d
    result = contest - q * u_sq - (1.0 - q) * np.where(T, u_b, u_w)
    return result


def risk_exponents(E1: FloatArray, security: str) -> FloatArray:
    """``(P, n)`` risk exponents from the pass-1 utilities (BDM 1985 eq. 34, spec §7 [A7])."""
    n = E1.shape[1]
    off = np.where(np.eye(n, dtype=bool)[None], 0.0, E1)
    sec = off.sum(axis=1) if security == "column" else off.sum(axis=2)
    hi = sec.max(axis=1, keepdims=True)
    lo = sec.min(axis=1, keepdims=True)
    tie = hi - lo <= SECURITY_TIE_TOL * np.maximum(1.0, np.maximum(np.abs(hi), np.abs(lo)))
    safe = np.where(tie, 1.0, hi - lo)
    big_r = np.where(tie, 0.0, (2.0 * sec - hi - lo) / safe)
    r: FloatArray = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    return r


def _decide(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    R: FloatArray,
    r_prev: FloatArray | None,
    p: BDMParams,
) -> tuple[FloatArray, FloatArray | None]:
    """One round's simultaneous decisions for every problem (see ``accord.models.bdm.reference._decide``).

    Problems with ``R <= 0`` (all actors at one position) do not move.
    """
    ones = np.ones_like(x)
    moving = R > 0.0
    Rs = np.where(moving, R, 1.0)[:, None, None]
    d = np.abs(x[:, :, None] - x[:, None, :]) / Rs
    mu = condorcet_median(x, w, p.median_tie)
    m = np.abs(x - mu[:, None]) / Rs[:, :, 0]
    same = x[:, :, None] == x[:, None, :]

    def eu(
        P: FloatArray,
        rho: FloatArray | float,
        terms: tuple[FloatArray, FloatArray] | None = None,
    ) -> FloatArray:
        return expected_utilities(d, m, s, P, rho, p.q, p.salience, p.bw_distance, terms)

    def probabilities(e: FloatArray) -> FloatArray:
        return win_probabilities(
            x, d, w, e if p.vote_exponent == "risk" else ones, same, p.probability, p.voters
        )

    r_next: FloatArray | None = None
    if p.risk == "off":
        r = ones
    elif p.risk == "carry":
        r = ones if r_prev is None else r_prev
        r_next = risk_exponents(eu(probabilities(r), r[:, :, None]), p.security)
    elif p.risk == "once" and r_prev is not None:
        r = r_next = r_prev
    else:
        r = risk_exponents(eu(probabilities(ones), 1.0), p.security)
        r_next = r if p.risk == "once" else None
    P2 = probabilities(r)
    u_s, u_f = contest_utilities(d, r[:, :, None])
    A = eu(P2, r[:, :, None], (u_s, u_f))
    if p.opponent_exponent == "viewer":  # U(d_ij, r_j) is U(d_ji, r_j) transposed
        terms = (u_s.transpose(0, 2, 1), u_f.transpose(0, 2, 1))
        B = eu(P2, r[:, None, :], terms).transpose(0, 2, 1)
    else:
        B = A.transpose(0, 2, 1)
    new = select_positions(x, perceived_offers(x, A, B, ~same, p), p)
    if r_prev is not None and r_next is not None and p.risk == "carry":
        r_next = np.where(moving[:, None], r_next, r_prev)
    return np.where(moving[:, None], new, x), r_next


def bdm_batch(
    positions: FloatArray,
    capabilities: FloatArray,
    saliences: FloatArray,
    params: BDMParams,
    scale: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Run BDM on ``P`` independent one-dimensional problems at once.

    Args:
        positions: ``(P, n)`` positions.
        capabilities: ``(P, n)`` capabilities.
        saliences: ``(P, n)`` saliences.
        params: the switches (``update="sequential"`` is not vectorised: UsageError).
        scale: ``(P,)`` declared range ``hi - lo`` per problem, for ``range="scale"``.

    Returns:
        ``(P,)`` final Condorcet medians and ``(P,)`` final c s-weighted means.
    """
    if params.update != "simultaneous":
        raise UsageError("bdm_batch: update='sequential' is not vectorised", field="update")
    x = np.array(positions, dtype=np.float64)
    c = np.asarray(capabilities, dtype=np.float64)
    s = np.asarray(saliences, dtype=np.float64)
    w = c * s
    if params.range == "scale":
        if scale is None:
            raise UsageError("bdm: range='scale' needs the scale", expected="scale=(lo, hi)")
        fixed = np.asarray(scale, dtype=np.float64)
    else:
        fixed = np.ptp(x, axis=1) if x.shape[1] else np.zeros(x.shape[0])
    r_carry: FloatArray | None = None
    if x.shape[1] >= 2:
        for _ in range(params.rounds):
            R = np.ptp(x, axis=1) if params.range == "current" else fixed
            x, r_carry = _decide(x, s, w, R, r_carry, params)
    median = condorcet_median(x, w, params.median_tie)
    mean: FloatArray = np.einsum("pi,pi->p", w, x) / w.sum(axis=1)
    return median, mean
