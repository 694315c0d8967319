"""Compiled BDM batch kernel for reading S1 (Numba; Scholz, Calbert and Smith 2011).

Source: J. B. Scholz, G. J. Calbert and G. A. Smith, "Unravelling Bueno de Mesquita's group
decision model", J. Theoretical Politics 23(4), 2011 [Scholz2011], as settled by the project spec
``bdm-scholz.md``. This is :func:`accord.models.bdm.bdm` with the S1 switches (the
:class:`~accord.models.bdm.BDMParams` defaults) written as explicit loops over problems, rounds
and actors and compiled with ``numba.njit`` (``cache=True``, no ``fastmath``; ``error_model=
"numpy"`` so that divisions carry no zero check and the loops vectorise). Each problem is one
(draw, dimension) pair and one iteration of ``numba.prange``: the problems run on all of
Numba's threads, and each is computed by one thread alone, so the results do not depend on the
number of threads. Per round:

- §3: mu = the w-weighted Condorcet median, F(y) = sum_i w_i |x_i - y| minimised over the actor
  positions, ties (|F - min F| / (ptp(x) sum w) < 1e-12) broken by ``median_tie`` [A15];
- §4-6: U_s = 2 - 4 (0.5 - 0.5 d)^rho, U_f = 2 - 4 (0.5 + 0.5 d)^rho, U_sq = 2 - 4 0.5^rho,
  U_b, U_w with m + d [A13], E(i -> j) = s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s - Q U_sq
  - (1 - Q) [T U_b + (1 - T) U_w] (eq. 25, responder's salience [A1]);
- §5: P(i, j) = sum_k max(0, w_k (d_kj^e_k - d_ki^e_k)) / (2 sum over all pairs) (eq. 31 with
  the global denominator [A2], all voters [A4], voter exponents e = r in pass 2 [A3]); P = 0
  where x_i = x_j;
- §7: two passes with r reset to 1 each round [A8]; Sec_i = sum_{j != i} E1(j -> i) (column,
  BDM 1985 eq. 34 [A7]), R_i = (2 Sec_i - max - min) / (max - min), r_i = (1 - R_i/3) /
  (1 + R_i/3);
- §8-9: A[a, b] = E(a -> b; r_a), B[a, b] = E(b -> a; r_a) (viewer's exponent [A5], mover's
  view [A6]); confrontation (B > A > 0) and compel (A < 0 < B <= |A|, full [A9]) offer x_b,
  compromise (A < 0 < B > |A|) offers x_a + (x_b - x_a) |A / B| (eq. 36, ratio [A10]); Scholz
  selection [A11]: conflict by least movement, else compromise by the lowest
  K = (|A| x_a + |B| x_b) / (|A| + |B|), else compel by least movement, first proposer on ties;
- §10: simultaneous update [A12]; R = the initial range [A14] (or the current range or the
  declared scale).

The vote supports are the direct sum over voters in voter order, as in the single run, so the
outcomes equal the loop of single runs up to the rounding of library ``pow`` and BLAS sums.
Actors often share a position (a confrontation offers x_b itself; about 15 distinct positions
among 33 actors per round in the Japan-NATO Monte Carlo), and the distances, their logarithms
and the supports P(i, j) depend on i and j only through their positions: they are computed
once per pair of distinct positions and copied, the same operations in the same order, so
the results are bit for bit those of computing every pair (checked on the Japan-NATO draws).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from accord.jit import compile_module
from accord.jit import prange as _prange
from accord.models.base import FloatArray

IntArray = NDArray[np.intp]

#: Same tolerances as :mod:`accord.models.bdm` (spec §3 and §7), written here again because
#: Numba's cache is invalidated only by edits to this file (tests/unit/test_batch.py checks them).
_MEDIAN_TIE_TOL = 1e-12
_SECURITY_TIE_TOL = 1e-12

#: ``median_tie`` codes for :func:`bdm_s1_batch`.
TIE_CODES = {"lowest": 0, "highest": 1, "first": 2}
#: ``range`` codes for :func:`bdm_s1_batch`.
RANGE_CODES = {"initial": 0, "current": 1, "scale": 2}


def _median(x: FloatArray, w: FloatArray, tie: int) -> float:
    """The w-weighted Condorcet median of ``x`` (spec §3), ``tie``: 0 lowest, 1 highest, 2 first."""
    n = x.shape[0]
    F = np.empty(n)
    lo = x[0]
    hi = x[0]
    wsum = 0.0
    for i in range(n):
        lo = min(lo, x[i])
        hi = max(hi, x[i])
        wsum += w[i]
    fmin = np.inf
    for j in range(n):
        acc = 0.0
        for i in range(n):
            acc += abs(x[i] - x[j]) * w[i]
        F[j] = acc
        fmin = min(fmin, acc)
    scale = (hi - lo) * wsum
    best = np.nan
    for j in range(n):
        gap = (F[j] - fmin) / scale if scale > 0 else 0.0
        if gap < _MEDIAN_TIE_TOL:
            if tie == 2:
                return float(x[j])
            if best != best or (tie == 0 and x[j] < best) or (tie == 1 and x[j] > best):
                best = x[j]
    return float(best)


def _pow(base: float, log_base: float, rho: float) -> float:
    """``base ** rho`` from a precomputed logarithm.

    ``base ** rho`` as ``exp(rho log(base))`` from a precomputed log (equal to ``pow`` to a few
    ulp; exact for rho = 1, and ``pow`` itself for base <= 0).
    """
    if rho == 1.0:
        return base
    if base > 0.0:
        return float(np.exp(rho * log_base))
    return float(base**rho)


def _support_probabilities(
    d: FloatArray,
    log_d: FloatArray,
    w: FloatArray,
    e: FloatArray,
    x: FloatArray,
    cols: IntArray,
    slot: IntArray,
    u: int,
    De: FloatArray,
    Pc: FloatArray,
    P: FloatArray,
) -> None:
    """P[i, j] of spec §5 (global denominator, all voters), voter exponents ``e``, into ``P``.

    Each support is summed over the voters k in order, as in the single run. P[i, j] depends
    on i and j only through their positions, so it is summed once per pair of distinct
    positions (``cols``: the first actor at each of the ``u`` positions; ``slot[i]``: the
    position of actor i) into ``Pc`` and copied: the same sums in the same order, so the same
    bits, at (u / n)^2 of the cost.
    """
    n = x.shape[0]
    for k in range(n):
        ek = e[k]
        for t in range(u):
            a = cols[t]
            De[k, t] = _pow(d[k, a], log_d[k, a], ek)
    for ti in range(u):
        for tj in range(u):
            Pc[ti, tj] = 0.0
    for k in range(n):  # contiguous inner loop: vectorised by LLVM
        wk = w[k]
        for ti in range(u):
            dki = De[k, ti]
            for tj in range(u):
                v = wk * (De[k, tj] - dki)
                Pc[ti, tj] += v if v > 0.0 else 0.0
    total = 0.0
    for i in range(n):
        si = slot[i]
        for j in range(n):
            total += Pc[si, slot[j]]
    total *= 2.0
    for i in range(n):
        si = slot[i]
        for j in range(n):
            if x[i] == x[j] or not total > 0:
                P[i, j] = 0.0
            else:
                P[i, j] = Pc[si, slot[j]] / total


def _utility(
    s_resp: float,
    p: float,
    u_s: float,
    u_f: float,
    u_sq: float,
    q: float,
    rho: float,
    spread: float,
    t: bool,
) -> float:
    """E(i -> j) of spec §6 from its parts (the (1 - Q) term is exactly 0 when Q = 1)."""
    contest = s_resp * (p * u_s + (1.0 - p) * u_f) + (1.0 - s_resp) * u_s
    if q == 1.0:
        return contest - u_sq
    base = 0.5 - 0.25 * spread if t else 0.5 + 0.25 * spread
    u_bw: float = 2.0 - 4.0 * float(base**rho)
    return contest - q * u_sq - (1.0 - q) * u_bw


def _solve_one(
    positions: FloatArray,
    capabilities: FloatArray,
    saliences: FloatArray,
    span: FloatArray,
    p_i: int,
    q: float,
    rounds: int,
    tie: int,
    range_code: int,
    medians: FloatArray,
    means: FloatArray,
) -> None:
    """Run S1 on problem ``p_i`` (row of ``positions`` ``(P, n)``) with its own scratch arrays."""
    n = positions.shape[1]
    x = np.empty(n)
    new = np.empty(n)
    w = np.empty(n)
    s = np.empty(n)
    m = np.empty(n)
    r = np.empty(n)
    ones = np.ones(n)
    sec = np.empty(n)
    d = np.empty((n, n))
    De = np.empty((n, n))
    P = np.empty((n, n))
    u_s = np.empty((n, n))
    u_f = np.empty((n, n))
    log_d = np.empty((n, n))
    log_s = np.empty((n, n))
    log_f = np.empty((n, n))
    rep = np.empty(n, dtype=np.intp)
    cols = np.empty(n, dtype=np.intp)
    slot = np.empty(n, dtype=np.intp)
    Pc = np.empty((n, n))
    for i in range(n):
        x[i] = positions[p_i, i]
        s[i] = saliences[p_i, i]
        w[i] = capabilities[p_i, i] * s[i]
    fixed = span[p_i] if range_code == 2 else x.max() - x.min()
    if n >= 2:
        for _ in range(rounds):
            R = x.max() - x.min() if range_code == 1 else fixed
            if R <= 0.0:
                continue
            u = 0
            for i in range(n):  # rep[i]: the first actor at x_i; slot[i]: its position's index
                rep[i] = i
                for j in range(i):
                    if x[j] == x[i]:
                        rep[i] = j
                        break
                if rep[i] == i:
                    cols[u] = i
                    slot[i] = u
                    u += 1
                else:
                    slot[i] = slot[rep[i]]
            for i in range(n):  # d and the logs of the bases of spec §4-5 (symmetric)
                d[i, i] = 0.0
                log_d[i, i] = -np.inf
                log_s[i, i] = np.log(0.5)
                log_f[i, i] = np.log(0.5)
                for j in range(i + 1, n):
                    dij = abs(x[i] - x[j]) / R
                    d[i, j] = d[j, i] = dij
                    ri = rep[i]
                    rj = rep[j]
                    if ri < i or rj < j:  # the same positions as an earlier pair: same logs
                        log_d[i, j] = log_d[j, i] = log_d[ri, rj]
                        log_s[i, j] = log_s[j, i] = log_s[ri, rj]
                        log_f[i, j] = log_f[j, i] = log_f[ri, rj]
                        continue
                    log_d[i, j] = log_d[j, i] = np.log(dij) if dij > 0.0 else -np.inf
                    bs = 0.5 - 0.5 * dij
                    log_s[i, j] = log_s[j, i] = np.log(bs) if bs > 0.0 else -np.inf
                    log_f[i, j] = log_f[j, i] = np.log(0.5 + 0.5 * dij)
            mu = _median(x, w, tie)
            for i in range(n):
                m[i] = abs(x[i] - mu) / R
            # pass 1: r = 1 (spec §7); rho = 1 makes every power its base
            _support_probabilities(d, log_d, w, ones, x, cols, slot, u, De, Pc, P)
            u_sq1 = 2.0 - 4.0 * 0.5
            for i in range(n):
                sec[i] = 0.0
            for j in range(n):  # Sec_i = sum_{j != i} E1(j -> i), summed in j order
                for i in range(n):
                    if i == j:
                        continue
                    dji = d[j, i]
                    e1 = _utility(
                        s[i],
                        P[j, i],
                        2.0 - 4.0 * (0.5 - 0.5 * dji),
                        2.0 - 4.0 * (0.5 + 0.5 * dji),
                        u_sq1,
                        q,
                        1.0,
                        m[j] + dji,
                        m[j] < dji,
                    )
                    sec[i] += e1
            hi = sec.max()
            lo = sec.min()
            if hi - lo <= _SECURITY_TIE_TOL * max(1.0, abs(hi), abs(lo)):
                for i in range(n):
                    r[i] = (1.0 - 0.0 / 3.0) / (1.0 + 0.0 / 3.0)
            else:
                for i in range(n):
                    big_r = (2.0 * sec[i] - hi - lo) / (hi - lo)
                    r[i] = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
            # pass 2: voter exponents r (A3), the mover's own r_a in A and B (A5)
            _support_probabilities(d, log_d, w, r, x, cols, slot, u, De, Pc, P)
            for a in range(n):
                ra = r[a]
                for b in range(n):
                    if rep[b] < b:  # an earlier actor at the same position
                        u_s[a, b] = u_s[a, rep[b]]
                        u_f[a, b] = u_f[a, rep[b]]
                    elif x[b] != x[a]:
                        u_s[a, b] = 2.0 - 4.0 * _pow(0.5 - 0.5 * d[a, b], log_s[a, b], ra)
                        u_f[a, b] = 2.0 - 4.0 * _pow(0.5 + 0.5 * d[a, b], log_f[a, b], ra)
            for a in range(n):
                ra = r[a]
                xa = x[a]
                u_sq = 2.0 - 4.0 * 0.5**ra
                # best offer per category: (index, key); -1 = none
                best_conf = -1
                key_conf = np.inf
                best_comp = -1
                key_comp = np.inf
                best_compel = -1
                key_compel = np.inf
                off_comp = 0.0
                for b in range(n):
                    if x[b] == xa:
                        continue
                    dab = d[a, b]
                    A = _utility(
                        s[b],
                        P[a, b],
                        u_s[a, b],
                        u_f[a, b],
                        u_sq,
                        q,
                        ra,
                        m[a] + dab,
                        m[a] < dab,
                    )
                    B = _utility(
                        s[a],
                        P[b, a],
                        u_s[a, b],
                        u_f[a, b],
                        u_sq,
                        q,
                        ra,
                        m[b] + dab,
                        m[b] < dab,
                    )
                    xb = x[b]
                    if A > 0 and B > A:
                        move = abs(xb - xa)
                        if move < key_conf:
                            key_conf = move
                            best_conf = b
                    elif A < 0 and B > 0:
                        absA = abs(A)
                        absB = abs(B)
                        if B > -A:
                            key = (absA * xa + absB * xb) / (absA + absB)
                            if key < key_comp:
                                key_comp = key
                                best_comp = b
                                off_comp = xa + (xb - xa) * (absA / B)
                        else:
                            move = abs(xb - xa)
                            if move < key_compel:
                                key_compel = move
                                best_compel = b
                if best_conf >= 0:
                    new[a] = x[best_conf]
                elif best_comp >= 0:
                    new[a] = off_comp
                elif best_compel >= 0:
                    new[a] = x[best_compel]
                else:
                    new[a] = xa
            for i in range(n):
                x[i] = new[i]
    medians[p_i] = _median(x, w, tie)
    wx = 0.0
    ws = 0.0
    for i in range(n):
        wx += w[i] * x[i]
        ws += w[i]
    means[p_i] = wx / ws


def _run_s1(
    positions: FloatArray,
    capabilities: FloatArray,
    saliences: FloatArray,
    span: FloatArray,
    q: float,
    rounds: int,
    tie: int,
    range_code: int,
    medians: FloatArray,
    means: FloatArray,
) -> None:
    """Run S1 on every row of ``positions`` ``(P, n)``; final medians and means into the outputs.

    The problems are independent: one per iteration of ``numba.prange`` (threads), so the
    results do not depend on the number of threads.
    """
    for p_i in _prange(positions.shape[0]):
        _solve_one(
            positions, capabilities, saliences, span, p_i, q, rounds, tie, range_code,
            medians, means,
        )  # fmt: skip


_compiled: dict[str, Callable[..., Any]] = {}


def _kernel() -> Callable[..., None]:
    """The compiled :func:`_run_s1` (compiled, or loaded from Numba's cache, on first use)."""
    if not _compiled:
        helpers = (_median, _pow, _support_probabilities, _utility, _solve_one)
        _compiled.update(compile_module(globals(), helpers, parallel=(_run_s1,)))
    return cast(Callable[..., None], _compiled["_run_s1"])


def bdm_s1_batch(
    positions: FloatArray,
    capabilities: FloatArray,
    saliences: FloatArray,
    span: FloatArray,
    *,
    q: float = 1.0,
    rounds: int = 8,
    median_tie: str = "lowest",
    range_mode: str = "initial",
) -> tuple[FloatArray, FloatArray]:
    """Run reading S1 on ``P`` problems ``(P, n)``: ``(P,)`` final medians and weighted means.

    ``span`` ``(P,)`` is the declared range hi - lo (used only by ``range_mode="scale"``).
    Inputs must already be validated (finite, c >= 0, s in [0, 1], some w > 0).
    """
    x = np.ascontiguousarray(positions, dtype=np.float64)
    c = np.ascontiguousarray(capabilities, dtype=np.float64)
    s = np.ascontiguousarray(saliences, dtype=np.float64)
    sp = np.ascontiguousarray(span, dtype=np.float64)
    medians = np.empty(x.shape[0])
    means = np.empty(x.shape[0])
    _kernel()(
        x,
        c,
        s,
        sp,
        float(q),
        int(rounds),
        TIE_CODES[median_tie],
        RANGE_CODES[range_mode],
        medians,
        means,
    )
    return medians, means
