"""The compiled SMP engine's loops (Numba).

:mod:`accord.models.smp.engine_numpy` as explicit loops over actors, one draw at a time.

Every line below is one formula of the NumPy engine with the same operands in the same order;
IEEE ``+`` and ``*`` are commutative, so only the order of accumulation matters, and that is
always ascending actor (or voter, or dimension) index. There is no ``fastmath`` and no
transcendental function (only ``+ - * /`` and ``sqrt``, all correctly rounded), so the compiled
code is exact to the bit on any x86-64 or ARM machine. The functions are plain Python until
:mod:`accord.models.smp.engine_numba` compiles them (through :mod:`accord.jit`, ``cache=True``);
every function Numba compiles lives in this one file, so that Numba's cache, which watches only
the compiled function's own file, never goes stale.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from accord.jit import prange as _prange
from accord.models.base import FloatArray

IntArray = NDArray[np.intp]

#: Stop codes of a draw.
STOP_NONE, STOP_RATIO, STOP_MAX_TURNS, STOP_DEGENERATE = 0, 1, 2, 3
#: Error codes of a draw (0: none): the same conditions as the NumPy engine's UsageErrors.
ERR_DEGENERATE_START, ERR_BARGAIN_UTILITY, ERR_PCE_SUM = 1, 2, 3

# The constants of accord.models.smp.switches and .pce, written here again on purpose: Numba freezes
# globals into the compiled code and its on-disk cache is invalidated only by edits to *this*
# file, so constants imported from another module could go stale in the cache.
# tests/unit/test_smp_compiled.py checks that the two copies agree.
_COALITION_SEED = 1e-8
_CHALLENGE_SEED = 1e-10
_MIN_EDU = 1e-5
_BARGAIN_FLOOR = 1e-6
_GRID = 10000.0
_EQUIV_TOL = 1e-3
_STOP_FLOOR = 1e-4
_STOP_RATIO = 0.02
_SANITY_TOL = 1e-6
_BINARY_VOTE_SCALE = 1e-8
_BINARY_VICTORY_RATIO = 1.1
_BINARY_VICTORY_FLOOR = 1e-6


# --------------------------------------------------------------------------------------------
# Scalar formulas (smp_pce.utility, vote, victory; smp._r4)


def _util(d: float, r: float) -> float:
    """``U(d, R) = (1 - d)(1 + d R)`` for d <= 1, else ``(1 - d)(1 + R)``."""
    if d <= 1.0:
        return (1.0 - d) * (1.0 + d * r)
    return (1.0 - d) * (1.0 + r)


def _clip_unit(v: float) -> float:
    if v < -1.0:
        return -1.0
    if v > 1.0:
        return 1.0
    return v


def _vote(rule: int, w: float, delta: float) -> float:
    """KTAB ``Model::vote`` (see :func:`accord.models.smp_pce.vote`)."""
    if rule == 2:
        return w * delta
    if rule == 0:
        return w * _clip_unit(delta / _BINARY_VOTE_SCALE)
    if rule == 1:
        return w * (0.8 * delta + 0.2 * _clip_unit(delta / _BINARY_VOTE_SCALE))
    if rule == 3:
        return w * (0.5 * delta + 0.5 * (delta * delta * delta))
    if rule == 4:
        return w * (delta * delta * delta)
    if delta < 0.0:
        return w * delta
    return (2.0 / 3.0) * (w * delta)


def _victory(model: int, s_a: float, s_b: float) -> float:
    """KTAB ``Model::vProb``: the probability that a beats b (the first of the pair)."""
    if model == 4:
        if s_a >= _BINARY_VICTORY_RATIO * s_b:
            return 1.0 / (1.0 + _BINARY_VICTORY_FLOOR)
        if s_b >= _BINARY_VICTORY_RATIO * s_a:
            return _BINARY_VICTORY_FLOOR / (1.0 + _BINARY_VICTORY_FLOOR)
        return (2.1 * s_a / (s_a + s_b) - 1.0) / 0.1
    x_a = s_a
    x_b = s_b
    if model >= 1:
        x_a = x_a * x_a
        x_b = x_b * x_b
    if model >= 2:
        x_a = x_a * x_a
        x_b = x_b * x_b
    if model == 3:
        x_a = x_a * x_a
        x_b = x_b * x_b
    return x_a / (x_a + x_b)


def _r4(y: float) -> float:
    """``trunc(0.5 + y 10^4) / 10^4`` (C ``(int)`` cast)."""
    return float(np.trunc(0.5 + y * _GRID)) / _GRID


# --------------------------------------------------------------------------------------------
# PCE (smp._pce_b for one problem)


def _pce(
    w: FloatArray,
    u: FloatArray,
    opts: IntArray,
    n_opts: int,
    rule: int,
    model: int,
    coal: FloatArray,
    gathered: FloatArray,
    q: FloatArray,
    p: FloatArray,
) -> float:
    """Conditional PCE over the options ``u[:, opts[:n_opts]]`` with voter weights ``w``.

    Writes the probabilities to ``p[:n_opts]`` and returns their sum (in order), which the
    caller checks against 1. ``coal`` ``(>= n_opts, >= n_opts)``, ``gathered``
    ``(voters, >= n_opts)`` and ``q`` are scratch.
    """
    n_voters = w.shape[0]
    for v in range(n_voters):  # the options' columns, contiguous
        for a in range(n_opts):
            gathered[v, a] = u[v, opts[a]]
    for a in range(n_opts):
        for b in range(n_opts):
            coal[a, b] = _COALITION_SEED
    for v in range(n_voters):  # each coalition sums its voters in order
        wv = w[v]
        row = gathered[v]
        for a in range(n_opts):
            ua = row[a]
            if rule == 2:  # Prop, written out so that the loop over b vectorises
                for b in range(n_opts):
                    vote = wv * (ua - row[b])
                    coal[a, b] += vote if vote > 0.0 else 0.0
            else:
                for b in range(n_opts):
                    vote = _vote(rule, wv, ua - row[b])
                    coal[a, b] += vote if vote > 0.0 else 0.0
    for a in range(n_opts):
        coal[a, a] = _COALITION_SEED
    total = 0.0
    for a in range(n_opts):
        prod = 0.5 if a == 0 else _victory(model, coal[a, 0], coal[0, a])
        for b in range(1, n_opts):
            prod *= 0.5 if a == b else _victory(model, coal[a, b], coal[b, a])
        q[a] = prod
        total = prod if a == 0 else total + prod
    check = 0.0
    for a in range(n_opts):
        p[a] = q[a] / total
        check = p[a] if a == 0 else check + p[a]
    return check


# --------------------------------------------------------------------------------------------
# One state (smp._setup_b for one draw)


def _distances(ideals: FloatArray, s: FloatArray, points: FloatArray, dist: FloatArray) -> None:
    """``dist[a, p] = sqrt(sum_k ((ideal_ak - y_pk) s_ak)^2 / sum_k s_ak^2)`` for every point p.

    Both sums run over k in order; the loops over p inside keep the points independent, so
    they vectorise.
    """
    n, m = ideals.shape
    n_points = points.shape[0]
    coords = np.empty((m, n_points))  # the points dimension by dimension, contiguous
    for p in range(n_points):
        for k in range(m):
            coords[k, p] = points[p, k]
    num = np.empty(n_points)
    for a in range(n):
        den = 0.0
        for k in range(m):
            den = den + s[a, k] * s[a, k]
        for p in range(n_points):
            num[p] = 0.0
        for k in range(m):
            ideal = ideals[a, k]
            sal = s[a, k]
            for p in range(n_points):
                t = (ideal - coords[k, p]) * sal
                num[p] = num[p] + t * t
        for p in range(n_points):
            dist[a, p] = np.sqrt(num[p] / den)


def _setup(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    codes: IntArray,
    dist: FloatArray,
    big_r: FloatArray,
    r_est: FloatArray,
    own: FloatArray,
    is_rep: NDArray[np.bool_],
    rep_prob: FloatArray,
    actor_prob: FloatArray,
    expected: FloatArray,
    modal: FloatArray,
    scratch: FloatArray,
    opts: IntArray,
    coal: FloatArray,
    gathered: FloatArray,
    q: FloatArray,
    p: FloatArray,
) -> tuple[bool, float]:
    """KTAB ``setAllAUtil`` + ``setUENdx`` + ``pDist(-1)``: fills the state arrays.

    Returns ``(degenerate, pce_check)``: whether the risk attitudes are undefined (then R = 0),
    and the smallest-fit PCE sum (1 unless the input is degenerate; the caller checks it).
    """
    n, m = x.shape
    rule, model, rng_mode, adjust = codes[0], codes[1], codes[2], codes[3]
    _distances(x, s, x, dist)
    neutral = scratch  # (n, n): U(D, 0)
    for a in range(n):
        for b in range(n):
            neutral[a, b] = _util(dist[a, b], 0.0)
        opts[a] = a
    check = _pce(c, neutral, opts, n, rule, model, coal, gathered, q, p)
    if not abs(check - 1.0) < _COALITION_SEED:
        return False, check
    p_max = p[0]
    p_min = p[0]
    for a in range(1, n):
        p_max = max(p_max, p[a])
        p_min = min(p_min, p[a])
    bad = not p_max > p_min
    if not bad:
        for a in range(n):
            if rng_mode == 0:
                big_r[a] = (p[a] - p_min) / (p_max - p_min)
            elif rng_mode == 1:
                big_r[a] = (3.0 * p[a] - (p_max + 2.0 * p_min)) / (2.0 * (p_max - p_min))
            else:
                big_r[a] = (2.0 * p[a] - p_max - p_min) / (p_max - p_min)
        for h in range(n):
            rh = big_r[h]
            for i in range(n):
                ri = big_r[i]
                if adjust == 0:
                    r_est[h, i] = rh
                elif adjust == 1:
                    r_est[h, i] = ((2.0 * rh) + ri) / 3.0
                elif adjust == 2:
                    r_est[h, i] = (rh + ri) / 2.0
                elif adjust == 3:
                    r_est[h, i] = (rh + (2.0 * ri)) / 3.0
                else:
                    r_est[h, i] = ri
        # §4.6: the risk attitudes must change the utilities (only a threshold test, so the
        # order of these sums does not matter).
        norm2 = 0.0
        for a in range(n):
            for b in range(n):
                diff = neutral[a, b] - _util(dist[a, b], big_r[a])
                norm2 += diff * diff
        bad = not np.sqrt(norm2) > _SANITY_TOL
        if adjust != 4 and not bad:
            g = np.empty(n)
            for i in range(n):
                acc = 0.0
                for b in range(n):
                    t = (1.0 - dist[i, b]) * dist[i, b]
                    acc += t * t
                g[i] = acc
            for h in range(n):
                acc = 0.0
                for i in range(n):
                    e = r_est[h, i] - big_r[i]
                    acc += e * e * g[i]
                if not np.sqrt(acc) > _SANITY_TOL:
                    bad = True
                    break
    if bad:
        for a in range(n):
            big_r[a] = 0.0
            for b in range(n):
                r_est[a, b] = 0.0
    for a in range(n):
        for b in range(n):
            own[a, b] = _util(dist[a, b], r_est[a, a])
    # Unique positions: greedy classes within 1e-3, in actor order (ueIndices).
    equiv = np.empty((n, n), dtype=np.bool_)
    _equivalent(x, equiv)
    n_reps = 0
    for i in range(n):
        rep = True
        for j in range(i):
            if is_rep[j] and equiv[i, j]:
                rep = False
                break
        is_rep[i] = rep
        if rep:
            opts[n_reps] = i
            n_reps += 1
    check = _pce(c, own, opts, n_reps, rule, model, coal, gathered, q, p)
    if not abs(check - 1.0) < _COALITION_SEED:
        return bad, check
    for a in range(n):
        rep_prob[a] = 0.0
    best = 0
    for r in range(n_reps):
        rep_prob[opts[r]] = p[r]
        if p[r] > p[best]:
            best = r
    for k in range(m):
        acc = rep_prob[0] * x[0, k]
        for a in range(1, n):
            acc = acc + rep_prob[a] * x[a, k]
        expected[k] = acc
        modal[k] = x[opts[best], k]
    for a in range(n):
        last = a
        for j in range(n):
            if is_rep[j] and equiv[a, j]:
                last = j
        actor_prob[a] = rep_prob[last]
    return bad, 1.0


def _equivalent(x: FloatArray, equiv: NDArray[np.bool_]) -> None:
    """``equiv[i, j]``: positions i and j closer than 1e-3 (Euclidean, summed over k in order)."""
    n, m = x.shape
    coords = np.empty((m, n))
    for p in range(n):
        for k in range(m):
            coords[k, p] = x[p, k]
    acc = np.empty(n)
    for i in range(n):
        for j in range(n):
            acc[j] = 0.0
        for k in range(m):
            xi = x[i, k]
            for j in range(n):
                t = xi - coords[k, j]
                acc[j] = acc[j] + t * t
        for j in range(n):
            equiv[i, j] = np.sqrt(acc[j]) < _EQUIV_TOL


# --------------------------------------------------------------------------------------------
# Challenges (smp._challenges_b and _third_parties_b for one draw)


def _challenges(
    dist: FloatArray,
    r_est: FloatArray,
    weights: FloatArray,
    resist: FloatArray,
    codes: IntArray,
    c0_ij: FloatArray,
    c0_ji: FloatArray,
    acc_ij: FloatArray,
    acc_ji: FloatArray,
    prob: FloatArray,
    targets: IntArray,
) -> None:
    """§6: ``pi_ij`` into ``prob`` and each initiator's target (-1 for none) into ``targets``."""
    n = dist.shape[0]
    rule, model, semi_commit = codes[0], codes[1], codes[4] == 1
    for i in range(n):
        r_ii = r_est[i, i]
        a_ii = _util(dist[i, i], r_ii)
        for j in range(n):
            r_ij = r_est[i, j]
            a_ij = _util(dist[i, j], r_ii)
            cij = _CHALLENGE_SEED
            cji = _CHALLENGE_SEED
            share = _vote(rule, weights[i], a_ii - a_ij)
            if share > 0.0:
                cij = cij + share
            if share < 0.0:
                cji = cji + -share
            share = _vote(rule, weights[j], _util(dist[j, i], r_ij) - _util(dist[j, j], r_ij))
            if share > 0.0:
                cij = cij + share
            if share < 0.0:
                cji = cji + -share
            c0_ij[j] = cij
            c0_ji[j] = cji
            acc_ij[j] = cij
            acc_ji[j] = cji
        if semi_commit:
            # Third parties t in ascending order, each against the principals' coalitions.
            for t in range(n):
                if t == i:
                    continue
                r = r_est[i, t]
                w = weights[t]
                u_i = _util(dist[t, i], r)
                u_t = _util(dist[t, t], r)
                if rule == 2 and model == 0:
                    # KTAB's defaults (Prop votes, Linear victory): the loop below with _vote
                    # and _victory written out and no branch left, so that LLVM vectorises it
                    # over j (same operations in the same order, so the same bits).
                    two_ui_ut = u_i + u_i + u_t
                    three_ui = u_i + u_i + u_i
                    for j in range(n):
                        d = dist[t, j]
                        u_j = (1.0 - d) * (1.0 + d * r) if d <= 1.0 else (1.0 - d) * (1.0 + r)
                        e = w * (u_i - u_j)
                        ca = (e if e > 0.0 else 0.0) + c0_ij[j]
                        cb = c0_ji[j] - (e if e < 0.0 else 0.0)
                        p_in = ca / (ca + cb)
                        p_jn = 1.0 - p_in
                        u_v = p_in * two_ui_ut + (u_j * 3.0) * p_jn
                        u_l = p_in * three_ui + p_jn * ((u_j + u_j) + u_t)
                        v = w * (u_v - u_l)
                        v = 0.0 if j == t else v
                        acc_ij[j] += v if v > 0.0 else 0.0
                        acc_ji[j] += -v if v < 0.0 else 0.0
                    continue
                for j in range(n):
                    u_j = _util(dist[t, j], r)
                    e = _vote(rule, w, u_i - u_j)
                    ca = (e if e > 0.0 else 0.0) + c0_ij[j]
                    cb = c0_ji[j] - (e if e < 0.0 else 0.0)
                    p_in = _victory(model, ca, cb)
                    p_jn = 1.0 - p_in
                    u_v = p_in * (u_i + u_i + u_t) + (u_j * 3.0) * p_jn
                    u_l = p_in * (u_i + u_i + u_i) + p_jn * ((u_j + u_j) + u_t)
                    v = _vote(rule, w, u_v - u_l)
                    if j == t:
                        v = 0.0
                    # Adding an exact 0.0 to a positive sum changes nothing (branch-free).
                    acc_ij[j] += v if v > 0.0 else 0.0
                    acc_ji[j] += -v if v < 0.0 else 0.0
        best = -1
        best_edu = -np.inf
        util_vict = a_ii + a_ii
        for j in range(n):
            if j == i:
                continue
            a_ij = _util(dist[i, j], r_ii)
            pi_ij = _victory(model, acc_ij[j], acc_ji[j])
            pi_ji = _victory(model, acc_ji[j], acc_ij[j])
            util_sq = a_ii + a_ij
            util_cntst = pi_ij * util_vict + pi_ji * (a_ij + a_ij)
            s_j = resist[j]
            edu = ((1.0 - s_j) * util_vict + s_j * util_cntst) - util_sq
            prob[i, j] = pi_ij
            if edu != edu:  # np.argmax stops at the first NaN
                if best_edu == best_edu:
                    best = j
                    best_edu = edu
            elif edu > best_edu:
                best = j
                best_edu = edu
        targets[i] = best if best >= 0 and best_edu > _MIN_EDU else -1


# --------------------------------------------------------------------------------------------
# Bargains and queues (smp.interpolate and smp._queues_b for one draw)


def _bargains(
    x: FloatArray,
    s: FloatArray,
    prob: FloatArray,
    targets: IntArray,
    interp: int,
    b_i: FloatArray,
    b_j: FloatArray,
) -> None:
    """§7: the positions proposed to initiator i and to its target, for each i with a target."""
    n, m = x.shape
    for i in range(n):
        j = targets[i]
        if j < 0:
            continue
        p_i = prob[i, j]
        p_j = 1.0 - p_i
        for k in range(m):
            x_i = x[i, k]
            x_j = x[j, k]
            s_i = s[i, k]
            s_j = s[j, k]
            if interp == 2:
                d_i = max(0.0, p_j - p_i)
                d_j = max(0.0, p_i - p_j)
                si2 = s_i * s_i
                sj2 = s_j * s_j
                delta_i = d_i * sj2 / (d_i * sj2 + _BARGAIN_FLOOR + (1.0 - d_i) * si2)
                delta_j = d_j * si2 / (d_j * si2 + _BARGAIN_FLOOR + (1.0 - d_j) * sj2)
                b_i[i, k] = x_i + delta_i * (x_j - x_i)
                b_j[i, k] = x_j + delta_j * (x_i - x_j)
                continue
            if interp == 0:
                w_i = (s_i * s_i) * (p_i * p_i)
                w_j = (s_j * s_j) * (p_j * p_j)
            else:
                w_i = s_i * p_i
                w_j = s_j * p_j
            den = w_i + _BARGAIN_FLOOR + w_j
            b_i[i, k] = _r4(((w_i + _BARGAIN_FLOOR) * x_i + w_j * x_j) / den)
            b_j[i, k] = _r4((w_i * x_i + (_BARGAIN_FLOOR + w_j) * x_j) / den)


def _queues(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    codes: IntArray,
    big_r: FloatArray,
    own: FloatArray,
    targets: IntArray,
    b_i: FloatArray,
    b_j: FloatArray,
    movers: IntArray,
    d_init: FloatArray,
    d_rcvr: FloatArray,
    table: FloatArray,
    opts: IntArray,
    coal: FloatArray,
    gathered: FloatArray,
    q: FloatArray,
    p: FloatArray,
    new: FloatArray,
) -> tuple[int, float]:
    """§8: every queue's PCE on the old state; the new positions into ``new``.

    Returns ``(error code, PCE sum)``.
    """
    n, m = x.shape
    rule, model = codes[0], codes[1]
    n_movers = 0
    for i in range(n):
        if targets[i] >= 0:
            movers[n_movers] = i
            n_movers += 1
    rows = movers[:n_movers]
    _distances(x, s, b_i, d_init)
    _distances(x, s, b_j, d_rcvr)
    nf = float(n)
    row_tgt = np.empty(n_movers, dtype=np.intp)
    acc = np.empty(n_movers)
    for idx in range(n_movers):
        row_tgt[idx] = targets[rows[idx]]
    for a in range(n):
        r_a = big_r[a]
        sq = own[a, 0]
        for col in range(1, n):
            sq = sq + own[a, col]
        table[a, n] = sq / nf
        if not table[a, n] > 0.0:
            return ERR_BARGAIN_UTILITY, 1.0
        for idx in range(n_movers):
            i = rows[idx]
            acc[idx] = _util(d_init[a, i], r_a) + _util(d_rcvr[a, i], r_a)
        # Each bargain's sum runs over the columns in order; the loop over bargains inside
        # keeps them independent (vectorised). Columns i and target(i) add an exact 0.0.
        for col in range(n):
            own_col = own[a, col]
            for idx in range(n_movers):
                keep = col != rows[idx] and col != row_tgt[idx]
                acc[idx] += own_col if keep else 0.0
        for idx in range(n_movers):
            val = acc[idx] / nf
            if not (val > 0.0 and val <= 1.0):
                return ERR_BARGAIN_UTILITY, 1.0
            table[a, rows[idx]] = val
    for k in range(n):
        # Queue of k: status quo, k's own bargain, then the bargains aimed at k by initiator.
        opts[0] = n
        length = 1
        if targets[k] >= 0:
            opts[1] = k
            length = 2
        for i in range(n):
            if targets[i] == k:
                opts[length] = i
                length += 1
        for d in range(m):
            new[k, d] = x[k, d]
        if length == 1:
            continue
        check = _pce(c, table, opts, length, rule, model, coal, gathered, q, p)
        if not abs(check - 1.0) < _COALITION_SEED:
            return ERR_PCE_SUM, check
        pick = 0
        for o in range(1, length):
            if p[o] > p[pick]:
                pick = o
        chosen = opts[pick]
        if chosen < n:
            for d in range(m):
                new[k, d] = b_i[chosen, d] if chosen == k else b_j[chosen, d]
    return 0, 1.0


# --------------------------------------------------------------------------------------------
# One run (smp.smp_batch for one draw)


def _run_one(
    x0: FloatArray,
    s: FloatArray,
    c: FloatArray,
    codes: IntArray,
    max_turns: int,
    strict: bool,
    record: bool,
    hist_pos: FloatArray,
    hist_prob: FloatArray,
    hist_expected: FloatArray,
    hist_modal: FloatArray,
    final_is_rep: NDArray[np.bool_],
    final_rep_prob: FloatArray,
    expected: FloatArray,
    modal: FloatArray,
) -> tuple[int, int, int, float]:
    """One run to its stop; returns ``(turns, stop code, error code, PCE sum on error)``.

    With ``record`` every state goes to the ``hist_*`` arrays; if they fill up before the run
    stops, it returns ``STOP_NONE`` without an error.
    """
    n, m = x0.shape
    resist = np.empty(n)
    weights = np.empty(n)
    for a in range(n):
        acc = s[a, 0]
        for k in range(1, m):
            acc = acc + s[a, k]
        resist[a] = acc
        weights[a] = acc * c[a]
    x = x0.copy()
    new = np.empty((n, m))
    dist = np.empty((n, n))
    big_r = np.empty(n)
    r_est = np.empty((n, n))
    own = np.empty((n, n))
    is_rep = np.empty(n, dtype=np.bool_)
    rep_prob = np.empty(n)
    actor_prob = np.empty(n)
    scratch = np.empty((n, n))
    coal = np.empty((n + 1, n + 1))
    gathered = np.empty((n, n + 1))
    q = np.empty(n + 1)
    p = np.empty(n + 1)
    opts = np.empty(n + 1, dtype=np.intp)
    movers = np.empty(n, dtype=np.intp)
    c0_ij = np.empty(n)
    c0_ji = np.empty(n)
    acc_ij = np.empty(n)
    acc_ji = np.empty(n)
    prob = np.empty((n, n))
    targets = np.empty(n, dtype=np.intp)
    b_i = np.empty((n, m))
    b_j = np.empty((n, m))
    d_init = np.empty((n, n))
    d_rcvr = np.empty((n, n))
    table = np.empty((n, n + 1))

    degenerate, check = _setup(
        x, s, c, codes, dist, big_r, r_est, own, is_rep, rep_prob, actor_prob,
        expected, modal, scratch, opts, coal, gathered, q, p,
    )  # fmt: skip
    if check != 1.0:
        return 0, STOP_NONE, ERR_PCE_SUM, check
    if degenerate and strict:
        return 0, STOP_NONE, ERR_DEGENERATE_START, 1.0
    if record:
        hist_pos[0] = x
        hist_prob[0] = actor_prob
        hist_expected[0] = expected
        hist_modal[0] = modal
    first = 0.0
    t = 0
    while True:
        t += 1
        _challenges(
            dist, r_est, weights, resist, codes, c0_ij, c0_ji, acc_ij, acc_ji, prob, targets
        )
        _bargains(x, s, prob, targets, codes[5], b_i, b_j)
        err, check = _queues(
            x, s, c, codes, big_r, own, targets, b_i, b_j, movers, d_init, d_rcvr, table,
            opts, coal, gathered, q, p, new,
        )  # fmt: skip
        if err != 0:
            return t, STOP_NONE, err, check
        step = 0.0
        for a in range(n):
            dd = 0.0
            for k in range(m):
                diff = new[a, k] - x[a, k]
                dd = dd + diff * diff
            step = np.sqrt(dd) if a == 0 else step + np.sqrt(dd)
        for a in range(n):
            for k in range(m):
                x[a, k] = new[a, k]
        degenerate, check = _setup(
            x, s, c, codes, dist, big_r, r_est, own, is_rep, rep_prob, actor_prob,
            expected, modal, scratch, opts, coal, gathered, q, p,
        )  # fmt: skip
        if check != 1.0:
            return t, STOP_NONE, ERR_PCE_SUM, check
        if record:
            hist_pos[t] = x
            hist_prob[t] = actor_prob
            hist_expected[t] = expected
            hist_modal[t] = modal
        if t == 1:
            first = step
        stop = STOP_NONE
        if degenerate:
            stop = STOP_DEGENERATE
        elif t >= 2 and step / (first + _STOP_FLOOR) < _STOP_RATIO:
            stop = STOP_RATIO
        elif t >= max_turns:
            stop = STOP_MAX_TURNS
        if stop != STOP_NONE:
            for a in range(n):
                final_is_rep[a] = is_rep[a]
                final_rep_prob[a] = rep_prob[a]
            return t, stop, 0, 1.0
        if record and t + 1 >= hist_pos.shape[0]:
            return t, STOP_NONE, 0, 1.0  # history full: the caller reruns with more room


def _run_many(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    codes: IntArray,
    max_turns: int,
    expected: FloatArray,
    modal: FloatArray,
    turns: IntArray,
    stops: IntArray,
    errors: IntArray,
    checks: FloatArray,
) -> None:
    """Every draw of ``x`` ``(B, n, m)`` (not strict, nothing recorded), one per iteration."""
    b, n, _ = x.shape
    for d in _prange(b):
        empty = np.empty((1, 1, 1))
        empty2 = np.empty((1, 1))
        is_rep = np.empty(n, dtype=np.bool_)
        rep_prob = np.empty(n)
        t, stop, err, check = _run_one(
            x[d], s[d], c[d], codes, max_turns, False, False, empty, empty2, empty2, empty2,
            is_rep, rep_prob, expected[d], modal[d],
        )  # fmt: skip
        turns[d] = t
        stops[d] = stop
        errors[d] = err
        checks[d] = check


#: The serial helpers, in call order (compiled by :mod:`accord.models.smp.engine_numba`).
HELPERS = (
    _util,
    _clip_unit,
    _vote,
    _victory,
    _r4,
    _pce,
    _distances,
    _equivalent,
    _setup,
    _challenges,
    _bargains,
    _queues,
    _run_one,
)
