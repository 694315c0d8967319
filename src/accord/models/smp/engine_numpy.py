"""SMP's NumPy engine: B independent runs at once, bit-identical to the step functions.

The same formulas as :mod:`accord.models.smp.reference`, on arrays with a leading batch axis and
with no Python loop over actors. Every "in order" sum of the brief is a reduction over the
*first* axis of a C-contiguous buffer (:func:`_sum_rows`), which NumPy computes row after row,
i.e. as KTAB's left-to-right loop; the products run through ``np.multiply.accumulate``. Options
that differ in number between draws or queues (unique positions, queue entries) are padded and
masked: a padded option gets victory probability 1.0 (an exact no-op in the product) and
probability 0.0 (an exact no-op in the sums). The engine is therefore bit-identical to the step
functions (``tests/unit/test_smp_batch.py`` checks it on the reference data and on random
inputs). It covers PCE=Conditional, STM=Deterministic and BargnModel=InitOnlyInterp with every
value of the other six switches (:func:`~accord.models.smp.switches.engine_supports`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.models.smp.pce import (
    COALITION_SEED,
    BigRAdjust,
    BigRRange,
    VictoryModel,
    VotingRule,
    pce_sum_error,
    utility,
    victory,
    vote,
)
from accord.models.smp.reference import SMPResult, _euclid, interpolate
from accord.models.smp.switches import (
    CHALLENGE_SEED,
    EQUIV_TOL,
    MIN_EDU,
    SANITY_TOL,
    STOP_FLOOR,
    STOP_RATIO,
    IntArray,
    SMPSwitches,
    ThirdPartyCommit,
    bargain_utility_error,
    degenerate_start_error,
    engine_supports,
)

#: Elements per chunk of the engine's O(n^3) temporaries (2^15 float64 = 256 kB, cache-sized).
ENGINE_CHUNK = 1 << 15

#: Largest buffer (elements) that :func:`_scratch` keeps for reuse (4 MB).
SCRATCH_MAX = 16 * ENGINE_CHUNK
_WORKSPACE = threading.local()


def _scratch(key: str, shape: tuple[int, ...]) -> FloatArray:
    """A reusable uninitialised float64 buffer of ``shape`` (one per ``key`` and thread).

    The engine's chunk-sized temporaries are rewritten every turn; reusing their memory avoids
    fresh page faults on every allocation (they are larger than malloc's mmap threshold). Each
    buffer is at most a few chunks in size. Callers must not hold two views of the same key.
    Buffers over :data:`SCRATCH_MAX` elements (single problems too big to chunk, e.g. a160's
    PCE) are allocated afresh, so that the pool never holds more than a few MB per thread.
    """
    pool: dict[str, FloatArray] | None = getattr(_WORKSPACE, "pool", None)
    if pool is None:
        pool = {}
        _WORKSPACE.pool = pool
    size = 1
    for dim in shape:
        size *= dim
    if size > SCRATCH_MAX:
        return np.empty(shape)
    flat = pool.get(key)
    if flat is None or flat.size < size:
        flat = np.empty(max(size, 1))
        pool[key] = flat
    out: FloatArray = flat[:size].reshape(shape)
    return out


def _sum_rows(buf: FloatArray) -> FloatArray:
    """``buf[0] + buf[1] + ...`` left to right over the first axis of a C-contiguous array.

    NumPy reduces a non-innermost axis row after row (pairwise summation applies only along the
    innermost, contiguous axis); ``tests/unit/test_smp_batch.py`` checks this against a loop.
    When the rows are tiny (one element: the axis would become the innermost one) the
    sequential ``np.add.accumulate`` is used instead.
    """
    if not buf.flags.c_contiguous:
        buf = np.ascontiguousarray(buf)
    if buf[0].size <= 8:
        acc: FloatArray = np.add.accumulate(buf, axis=0)[-1]
        return acc
    out: FloatArray = np.add.reduce(buf, axis=0)
    return out


def _util_fast(d: FloatArray, r: FloatArray | float, near_only: bool) -> FloatArray:
    """:func:`utility`, skipping the ``d > 1`` branch when no distance exceeds 1."""
    if not near_only:
        return utility(d, r)
    out: FloatArray = (1.0 - d) * (1.0 + d * r)
    return out


def _distances_b(ideals: FloatArray, saliences: FloatArray, points: FloatArray) -> FloatArray:
    """:func:`distances` per draw: ``(B, n, m)``, ``(B, n, m)``, ``(B, P, m)`` -> ``(B, n, P)``."""
    b, n, m = ideals.shape
    num = np.zeros((b, n, points.shape[1]))
    den = np.zeros((b, n))
    for k in range(m):
        t = (ideals[:, :, None, k] - points[:, None, :, k]) * saliences[:, :, None, k]
        num = num + t * t
        den = den + saliences[:, :, k] * saliences[:, :, k]
    out: FloatArray = np.sqrt(num / den[:, :, None])
    return out


def _vote_into(rule: VotingRule, w: FloatArray, delta: FloatArray) -> FloatArray:
    """:func:`vote`, in place for the default Prop rule (``w * delta``)."""
    if rule is VotingRule.PROP:
        out: FloatArray = np.multiply(delta, w, out=delta)
        return out
    return vote(rule, w, delta)


def _pce_b(
    w: FloatArray,
    u: FloatArray,
    valid: NDArray[np.bool_] | None,
    sw: SMPSwitches,
) -> FloatArray:
    """:func:`scalar_pce` (Conditional) for G problems at once.

    Args:
        w: ``(G, N)`` voter weights.
        u: ``(G, N, M)`` utilities.
        valid: ``(G, M)`` which options take part (None: all); the others get probability 0.
        sw: vote rule and victory model.

    Returns:
        ``(G, M)`` probabilities.
    """
    g, n_voters, n_opts = u.shape
    out = np.empty((g, n_opts))
    ut = u.transpose(1, 0, 2)
    step = max(1, ENGINE_CHUNK // ((n_voters + 1) * n_opts * n_opts))
    diag = np.arange(n_opts)
    for g0 in range(0, g, step):
        sl = slice(g0, min(g, g0 + step))
        gg = sl.stop - sl.start
        buf = _scratch("pce", (n_voters + 1, gg, n_opts, n_opts))
        buf[0] = COALITION_SEED
        rows = buf[1:]
        np.subtract(ut[:, sl, :, None], ut[:, sl, None, :], out=rows)
        v = _vote_into(sw.voting_rule, w[sl].T[:, :, None, None], rows)
        np.maximum(v, 0.0, out=rows)
        c = _sum_rows(buf)
        c[:, diag, diag] = COALITION_SEED
        pv, _ = victory(sw.victory_model, c, c.transpose(0, 2, 1))
        pv[:, diag, diag] = 0.5
        if valid is not None:
            pv = np.where(valid[sl, None, :], pv, 1.0)
        q = np.multiply.accumulate(pv, axis=2)[:, :, -1]
        if valid is not None:
            q = np.where(valid[sl], q, 0.0)
        total = np.add.accumulate(q, axis=1)[:, -1]
        out[sl] = q / total[:, None]
    check = np.add.accumulate(out, axis=1)[:, -1]
    if not bool(np.all(np.abs(check - 1.0) < COALITION_SEED)):
        raise pce_sum_error(float(check[~(np.abs(check - 1.0) < COALITION_SEED)][0]))
    return out


def _big_r_b(p: FloatArray, mode: BigRRange) -> tuple[FloatArray, NDArray[np.bool_]]:
    """:func:`big_r_from_prob` per draw; also returns which draws are undefined (p all equal)."""
    p_max = np.max(p, axis=1, keepdims=True)
    p_min = np.min(p, axis=1, keepdims=True)
    bad = ~(p_max[:, 0] > p_min[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode is BigRRange.MIN:
            out: FloatArray = (p - p_min) / (p_max - p_min)
        elif mode is BigRRange.MID:
            out = (3.0 * p - (p_max + 2.0 * p_min)) / (2.0 * (p_max - p_min))
        else:
            out = (2.0 * p - p_max - p_min) / (p_max - p_min)
    return out, bad


def _estimated_risk_b(big_r: FloatArray, adjust: BigRAdjust) -> FloatArray:
    """:func:`estimated_risk` per draw: ``(B, n)`` -> ``(B, n, n)``."""
    rh = big_r[:, :, None]
    ri = big_r[:, None, :]
    shape = (big_r.shape[0], big_r.shape[1], big_r.shape[1])
    if adjust is BigRAdjust.NONE:
        return np.broadcast_to(rh, shape).copy()
    if adjust is BigRAdjust.ONE_THIRD:
        out: FloatArray = ((2.0 * rh) + ri) / 3.0
        return out
    if adjust is BigRAdjust.HALF:
        out = (rh + ri) / 2.0
        return out
    if adjust is BigRAdjust.TWO_THIRDS:
        out = (rh + (2.0 * ri)) / 3.0
        return out
    return np.broadcast_to(ri, shape).copy()


def _unique_b(positions: FloatArray) -> tuple[NDArray[np.bool_], IntArray]:
    """:func:`unique_positions` per draw of a batch.

    :func:`unique_positions` per draw: representative mask ``(B, n)`` and, for each actor,
    the actor index of the last representative equivalent to it ``(B, n)``.

    The greedy rule makes i a representative iff no earlier *representative* is equivalent.
    A candidate ("no earlier actor at all is equivalent") is a representative, and an actor
    equivalent to an earlier candidate is not; the greedy loop (vectorised over draws) then runs
    only over the remaining actors, in ascending order, so every earlier status it reads is final.
    """
    n = positions.shape[1]
    equiv = _euclid(positions[:, :, None, :], positions[:, None, :, :]) < EQUIV_TOL
    lower = np.tri(n, n, -1, dtype=bool)[None]
    is_rep = ~np.any(equiv & lower, axis=2)
    covered = np.any(equiv & lower & is_rep[:, None, :], axis=2)
    unsure = ~(is_rep | covered)
    if bool(np.any(unsure)):
        for i in np.flatnonzero(np.any(unsure, axis=0)).tolist():
            is_rep[:, i] = ~np.any(equiv[:, i, :i] & is_rep[:, :i], axis=1)
    last = np.argmax(equiv * (is_rep * np.arange(1, n + 1))[:, None, :], axis=2)
    return is_rep, last.astype(np.intp)


@dataclass(frozen=True)
class _BatchState:
    """:class:`SMPState` for a batch (``reps`` as a mask; ``rep_prob`` is 0 off the reps)."""

    positions: FloatArray
    dist: FloatArray
    big_r: FloatArray
    r_est: FloatArray
    own_util: FloatArray
    is_rep: NDArray[np.bool_]
    rep_prob: FloatArray
    actor_prob: FloatArray
    expected: FloatArray
    modal: FloatArray
    degenerate: NDArray[np.bool_]
    near_only: bool


def _setup_b(
    x: FloatArray, s: FloatArray, c: FloatArray, sw: SMPSwitches, strict: bool
) -> _BatchState:
    """:func:`setup_state` for a batch (ideals = positions, the identity accommodation)."""
    b, n, _ = x.shape
    dist = _distances_b(x, s, x)
    near_only = bool(np.all(dist <= 1.0))
    neutral = utility(dist, 0.0)
    p_neutral = _pce_b(c, neutral, None, sw)
    big_r, bad = _big_r_b(p_neutral, sw.big_r_range)
    r_est = _estimated_risk_b(big_r, sw.big_r_adjust)
    with np.errstate(invalid="ignore"):
        own = utility(dist, big_r[:, :, None])
        diff = neutral - own
        bad |= ~(np.sqrt(np.sum(diff * diff, axis=(1, 2))) > SANITY_TOL)
        if sw.big_r_adjust is not BigRAdjust.FULL:
            g = np.sum(((1.0 - dist) * dist) ** 2, axis=2)
            per_h = np.sqrt(np.sum((r_est - big_r[:, None, :]) ** 2 * g[:, None, :], axis=2))
            bad |= ~np.all(per_h > SANITY_TOL, axis=1)
    if bool(np.any(bad)):
        if strict:
            raise degenerate_start_error()
        big_r[bad] = 0.0
        r_est[bad] = 0.0
    own_util = _util_fast(dist, np.diagonal(r_est, axis1=1, axis2=2)[:, :, None], near_only)
    is_rep, last = _unique_b(x)
    # Options that are no draw's representative are exact no-ops of the masked PCE (victory
    # probability 1.0 in the products, probability 0.0 in the sums): leave them out.
    cols = np.flatnonzero(np.any(is_rep, axis=0))
    if cols.size < n:
        sub_valid = is_rep[:, cols]
        sub = _pce_b(c, own_util[:, :, cols], None if bool(np.all(sub_valid)) else sub_valid, sw)
        rep_prob = np.zeros((b, n))
        rep_prob[:, cols] = sub
    else:
        rep_prob = _pce_b(c, own_util, is_rep, sw)
    expected = _sum_rows((rep_prob[:, :, None] * x).transpose(1, 0, 2))
    modal = x[np.arange(b), np.argmax(rep_prob, axis=1)]
    return _BatchState(
        positions=x,
        dist=dist,
        big_r=big_r,
        r_est=r_est,
        own_util=own_util,
        is_rep=is_rep,
        rep_prob=rep_prob,
        actor_prob=np.take_along_axis(rep_prob, last, axis=1),
        expected=expected,
        modal=modal,
        degenerate=bad,
        near_only=near_only,
    )


def _challenges_b(
    st: _BatchState, weights: FloatArray, resist: FloatArray, sw: SMPSwitches
) -> tuple[FloatArray, FloatArray]:
    """:func:`all_challenges` for a batch.

    ``pi_ij`` and ``edu_ij``, ``(B, n, n)`` (diagonal unused). The third-party sums are ``(n, B, i,
    j)`` buffers summed over the first axis.
    """
    dist, r_est = st.dist, st.r_est
    b, n, _ = dist.shape
    near = st.near_only
    ar = np.arange(n)
    # Principals: A_i[i, i], A_i[i, j], A_i[j, i], A_i[j, j] with r = r_est[i, .].
    r_ii = r_est[:, ar, ar][:, :, None]
    d_ii = dist[:, ar, ar][:, :, None]
    d_jj = dist[:, ar, ar][:, None, :]
    a_ii = _util_fast(d_ii, r_ii, near)
    a_ij = _util_fast(dist, r_ii, near)
    a_ji = _util_fast(dist.transpose(0, 2, 1), r_est, near)
    a_jj = _util_fast(d_jj, r_est, near)
    c_ij = np.full((b, n, n), CHALLENGE_SEED)
    c_ji = np.full((b, n, n), CHALLENGE_SEED)
    for share in (
        vote(sw.voting_rule, weights[:, :, None], a_ii - a_ij),
        vote(sw.voting_rule, weights[:, None, :], a_ji - a_jj),
    ):
        c_ij = c_ij + np.where(share > 0.0, share, 0.0)
        c_ji = c_ji + np.where(share < 0.0, -share, 0.0)
    if sw.third_party_commit is ThirdPartyCommit.SEMI_COMMIT:
        # NoCommit and FullCommit give U_V == U_L, so third parties add exactly 0 (§13).
        c_ij, c_ji = _third_parties_b(st, weights, c_ij, c_ji, sw)
    pi_ij, pi_ji = victory(sw.victory_model, c_ij, c_ji)
    util_sq = a_ii + a_ij
    util_vict = a_ii + a_ii
    util_cntst = pi_ij * util_vict + pi_ji * (a_ij + a_ij)
    s_j = resist[:, None, :]
    util_chlg = (1.0 - s_j) * util_vict + s_j * util_cntst
    return pi_ij, util_chlg - util_sq


def _third_parties_b(
    st: _BatchState, weights: FloatArray, c0_ij: FloatArray, c0_ji: FloatArray, sw: SMPSwitches
) -> tuple[FloatArray, FloatArray]:
    """§6.2 under SemiCommit: ``C_ij`` and ``C_ji`` after every third party, in ascending order.

    Index order of the temporaries: (third party t, draw, initiator i, target j). With
    ``u_i = A_i[t, i]``, ``u_j = A_i[t, j]``, ``u_t = A_i[t, t]``: ``e = v(W_t, u_i - u_j)``,
    ``p = (C0_ij + e+) / (C0_ij + e+ + C0_ji + e-)``, ``U_V = p (u_i + u_i + u_t) + (1 - p)
    (u_j + u_j + u_j)``, ``U_L = p (u_i + u_i + u_i) + (1 - p) (u_j + u_j + u_t)`` and the vote
    ``v(W_t, U_V - U_L)``. ``u_j + u_j + u_j`` is computed as ``3 u_j`` (equal bit for bit:
    ``u_j + u_j`` is exact, so both round 3 u_j once).
    """
    dist, r_est = st.dist, st.r_est
    b, n, _ = dist.shape
    near = st.near_only
    ar = np.arange(n)
    d_t = np.ascontiguousarray(dist.transpose(1, 0, 2))  # (t, B, j): D[t, j]
    om_t = 1.0 - d_t
    r_t = np.ascontiguousarray(r_est.transpose(2, 0, 1))  # (t, B, i): r_est[i, t]
    w_t = np.ascontiguousarray(weights.T)[:, :, None, None]  # (t, B, 1, 1)
    # u_i[t, B, i] = U(D[t, i], r[i, t]); u_t[t, B, i] = U(D[t, t], r[i, t]).
    u_i = _util_fast(d_t, r_t, near)[:, :, :, None]
    u_t = _util_fast(d_t[ar, :, ar][:, :, None], r_t, near)[:, :, :, None]
    two_ui_ut = u_i + u_i + u_t
    three_ui = u_i + u_i + u_i
    out_ij = np.empty_like(c0_ij)
    out_ji = np.empty_like(c0_ji)
    step = max(1, ENGINE_CHUNK // max(1, (n + 1) * b * n))
    for i0 in range(0, n, step):
        sl = slice(i0, min(n, i0 + step))
        ni = sl.stop - sl.start
        shape = (n, b, ni, n)
        if near:
            u_j = np.multiply(d_t[:, :, None, :], r_t[:, :, sl, None], out=_scratch("tp_u", shape))
            u_j += 1.0
            u_j *= om_t[:, :, None, :]
        else:
            u_j = utility(d_t[:, :, None, :], r_t[:, :, sl, None])
        # In-place arithmetic on reused buffers; each line is the brief's formula (operands of a
        # single + or * may swap: IEEE addition and multiplication are commutative).
        e = _vote_into(
            sw.voting_rule, w_t, np.subtract(u_i[:, :, sl], u_j, out=_scratch("tp_e", shape))
        )
        ca = np.maximum(e, 0.0, out=_scratch("tp_a", shape))
        ca += c0_ij[None, :, sl, :]
        cb = np.subtract(c0_ji[None, :, sl, :], np.minimum(e, 0.0, out=e), out=e)
        if sw.victory_model is VictoryModel.LINEAR:
            cb += ca
            p_in = np.divide(ca, cb, out=ca)
            p_jn = np.subtract(1.0, p_in, out=cb)
        else:
            p_in, _ = victory(sw.victory_model, ca, cb)
            p_jn = np.subtract(1.0, p_in, out=cb)
        u_v = np.multiply(p_in, two_ui_ut[:, :, sl], out=_scratch("tp_v", shape))
        tmp = np.multiply(u_j, 3.0, out=_scratch("tp_t", shape))
        tmp *= p_jn
        u_v += tmp
        u_j += u_j
        u_j += u_t[:, :, sl]
        u_l = np.multiply(p_in, three_ui[:, :, sl], out=tmp)
        u_l += np.multiply(p_jn, u_j, out=u_j)
        u_v -= u_l
        v = _vote_into(sw.voting_rule, w_t, u_v)
        # Principals do not vote as third parties: t == i or t == j.
        local = np.arange(ni)
        v[sl.start + local, :, local, :] = 0.0
        v[ar, :, :, ar] = 0.0
        buf = _scratch("tp_sum", (n + 1, b, ni, n))
        buf[0] = c0_ij[:, sl, :]
        np.maximum(v, 0.0, out=buf[1:])
        out_ij[:, sl, :] = _sum_rows(buf)
        buf[0] = -c0_ji[:, sl, :]
        np.minimum(v, 0.0, out=buf[1:])
        out_ji[:, sl, :] = -_sum_rows(buf)
    return out_ij, out_ji


def _queues_b(
    st: _BatchState,
    s: FloatArray,
    c: FloatArray,
    targets: IntArray,
    pos_init: FloatArray,
    pos_rcvr: FloatArray,
    sw: SMPSwitches,
) -> FloatArray:
    """§8 for a batch under InitOnlyInterp (bargain = initiator index): the new positions.

    Queue of k: [SQ, k's own bargain, bargains aimed at k by initiator]; every queue's PCE runs
    at once, queues padded to the longest one in their chunk (sorted by length).
    """
    b, n, _ = st.positions.shape
    has = targets >= 0
    ar = np.arange(n)
    r = st.big_r[:, :, None]
    d_init = _distances_b(st.positions, s, pos_init)
    d_rcvr = _distances_b(st.positions, s, pos_rcvr)
    near = bool(np.all(d_init <= 1.0)) and bool(np.all(d_rcvr <= 1.0)) and st.near_only
    own = st.own_util  # (B, a, col)
    # Ubar[B, a, i] for the bargain initiated by i: init term, rcvr term, then the other
    # columns in order (columns i and target(i) add an exact 0).
    util = np.empty((b, n, n))
    own_t = np.ascontiguousarray(own.transpose(2, 0, 1))  # (col, B, a)
    tgt = np.where(has, targets, -1)
    step = max(1, ENGINE_CHUNK // max(1, (n + 1) * b * n))
    for i0 in range(0, n, step):
        sl = slice(i0, min(n, i0 + step))
        buf = _scratch("queue", (n + 1, b, n, sl.stop - sl.start))
        buf[0] = _util_fast(d_init[:, :, sl], r, near)
        buf[0] += _util_fast(d_rcvr[:, :, sl], r, near)
        keep = (ar[:, None, None] != ar[None, None, sl]) & (ar[:, None, None] != tgt[None, :, sl])
        np.multiply(own_t[:, :, :, None], keep[:, :, None, :], out=buf[1:])
        util[:, :, sl] = _sum_rows(buf)
    util /= n
    util_sq = _sum_rows(own_t) / n
    valid_util = np.where(has[:, None, :], util, 0.5)
    if not (
        bool(np.all(valid_util > 0.0))
        and bool(np.all(valid_util <= 1.0))
        and bool(np.all(util_sq > 0))
    ):
        raise bargain_utility_error()
    # Options table per draw: columns 0..n-1 = bargains by initiator, column n = status quo.
    table = np.concatenate([util, util_sq[:, :, None]], axis=2)  # (B, a, n + 1)
    recv = has[:, None, :] & (targets[:, None, :] == ar[None, :, None])  # (B, k, i)
    n_recv = recv.sum(axis=2)
    length = 1 + has.astype(np.intp) + n_recv  # (B, k)
    width = max(2, int(length.max()))
    opts = np.full((b, n, width), n, dtype=np.intp)
    opts[:, :, 1] = np.where(has, ar[None, :], n)
    bb, kk, ii = np.nonzero(recv)
    rank = np.cumsum(recv, axis=2)[bb, kk, ii] - 1
    opts[bb, kk, 1 + has[bb, kk].astype(np.intp) + rank] = ii
    flat_b = np.repeat(np.arange(b), n)
    flat_len = length.reshape(-1)
    flat_opts = opts.reshape(b * n, width)
    pick = np.zeros(b * n, dtype=np.intp)
    if (n + 1) * b * n * width * width <= 4 * ENGINE_CHUNK:
        # Small turn: one PCE over all queues, padded to the longest (masked options).
        u = table[flat_b[:, None], :, flat_opts]
        valid = np.arange(width)[None, :] < flat_len[:, None]
        p = _pce_b(c[flat_b], u.transpose(0, 2, 1), valid, sw)
        pick[:] = np.argmax(p, axis=1)
        flat_len = flat_len[:0]
    # sorted(set()) rather than np.unique, whose first call imports numpy.ma (20 ms at start)
    for lw in sorted(set(flat_len.tolist())):
        group = np.flatnonzero(flat_len == lw)
        step = max(1, ENGINE_CHUNK // ((n + 1) * lw * lw))
        for g0 in range(0, group.size, step):
            sel = group[g0 : g0 + step]
            qb = flat_b[sel]
            u = table[qb[:, None], :, flat_opts[sel, :lw]]  # (Q, lw, voters)
            p = _pce_b(c[qb], u.transpose(0, 2, 1), None, sw)
            pick[sel] = np.argmax(p, axis=1)
    chosen = flat_opts[np.arange(b * n), pick].reshape(b, n)  # initiator index, n = SQ
    new = st.positions.copy()
    moved = chosen < n
    if bool(np.any(moved)):
        mb, mk = np.nonzero(moved)
        bi = chosen[mb, mk]
        new[mb, mk] = np.where((bi == mk)[:, None], pos_init[mb, bi], pos_rcvr[mb, bi])
    return new


@dataclass(frozen=True)
class SMPBatchResult:
    """What :func:`smp_batch` returns for B runs (positions on [0, 1]).

    Attributes:
        expected, modal: ``(B, m)`` of the final state.
        turns: ``(B,)``; converged ``(B,)``; stop_reason: per run, as :class:`SMPResult`.
        states: only with ``record=True`` and B = 1: every state, for :func:`smp`.
    """

    expected: FloatArray
    modal: FloatArray
    turns: IntArray
    converged: NDArray[np.bool_]
    stop_reason: list[str]
    states: list[_BatchState] = field(default_factory=list)


def _movement(a: FloatArray, b: FloatArray) -> FloatArray:
    """``sum_i ||a_i - b_i||`` per draw, actors summed in order: ``(B, n, m)`` -> ``(B,)``."""
    return _sum_rows(_euclid(a, b).T)


def smp_batch(
    positions: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    switches: SMPSwitches | None = None,
    max_turns: int = 100,
    strict_start: bool = True,
    record: bool = False,
) -> SMPBatchResult:
    """B independent runs of :func:`smp` at once (the batched engine; see the section note).

    Args:
        positions: ``(B, n, m)`` on [0, 1]. Inputs are not checked here (:func:`smp` and the
            batch kernel check them).
        saliences: ``(B, n, m)`` on [0, 1].
        capabilities: ``(B, n)`` (> 0).
        switches: must satisfy :func:`engine_supports`.
        max_turns: as :func:`smp`.
        strict_start: as :func:`smp`.
        record: keep every state (single runs only).

    Runs that stop early leave the working set, so each run does exactly its own turns.
    Memory: the O(n^3) temporaries are chunked to about :data:`ENGINE_CHUNK` elements per
    array; callers chunk the batch (the kernel uses about ``2^21 / n^3`` draws per chunk).
    """
    sw = switches if switches is not None else SMPSwitches()
    if not engine_supports(sw):
        raise UsageError("smp_batch covers PCE=Conditional, STM=Deterministic, InitOnlyInterp")
    x0 = np.array(positions, dtype=np.float64)
    s_all = np.array(saliences, dtype=np.float64)
    c_all = np.array(capabilities, dtype=np.float64)
    b, n, m = x0.shape
    resist_all = np.add.accumulate(s_all, axis=2)[:, :, -1]
    weights_all = resist_all * c_all
    expected = np.empty((b, m))
    modal = np.empty((b, m))
    turns = np.zeros(b, dtype=np.intp)
    converged = np.zeros(b, dtype=bool)
    reasons = [""] * b
    st = _setup_b(x0, s_all, c_all, sw, strict_start)
    states = [st] if record else []
    live = np.arange(b)
    first = np.zeros(b)
    t = 0
    while live.size:
        t += 1
        s, c = s_all[live], c_all[live]
        prob, edu = _challenges_b(st, weights_all[live], resist_all[live], sw)
        diag = np.arange(n)
        edu[:, diag, diag] = -np.inf
        best = np.argmax(edu, axis=2)
        ok = np.take_along_axis(edu, best[:, :, None], axis=2)[:, :, 0] > MIN_EDU
        targets = np.where(ok, best, -1).astype(np.intp)
        tj = np.where(ok, best, diag[None, :])
        x = st.positions
        bl = np.arange(live.size)[:, None]
        p_i = np.take_along_axis(prob, tj[:, :, None], axis=2)
        b_i, b_j = interpolate(sw.bargain_interpolation, x, x[bl, tj], s, s[bl, tj], p_i, 1.0 - p_i)
        new = _queues_b(st, s, c, targets, b_i, b_j, sw)
        nst = _setup_b(new, s, c, sw, strict=False)
        if record:
            states.append(nst)
        step = _movement(new, x)
        if t == 1:
            first[live] = step
        ratio = step / (first[live] + STOP_FLOOR)
        done = np.zeros(live.size, dtype=bool)
        for pos, run_id in enumerate(live):
            reason = ""
            if nst.degenerate[pos]:
                reason = "degenerate"
            elif t >= 2 and ratio[pos] < STOP_RATIO:
                reason = "ratio"
            elif t >= max_turns:
                reason = "max_turns"
            if reason:
                done[pos] = True
                reasons[run_id] = reason
                converged[run_id] = reason != "max_turns"
                turns[run_id] = t
                expected[run_id] = nst.expected[pos]
                modal[run_id] = nst.modal[pos]
        keep = ~done
        live = live[keep]
        if live.size and not bool(np.all(keep)):
            nst = _subset(nst, keep)
        st = nst
    return SMPBatchResult(expected, modal, turns, converged, reasons, states)


def _subset(st: _BatchState, keep: NDArray[np.bool_]) -> _BatchState:
    return _BatchState(
        positions=st.positions[keep],
        dist=st.dist[keep],
        big_r=st.big_r[keep],
        r_est=st.r_est[keep],
        own_util=st.own_util[keep],
        is_rep=st.is_rep[keep],
        rep_prob=st.rep_prob[keep],
        actor_prob=st.actor_prob[keep],
        expected=st.expected[keep],
        modal=st.modal[keep],
        degenerate=st.degenerate[keep],
        near_only=st.near_only,
    )


def run_recorded(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    sw: SMPSwitches,
    max_turns: int,
    strict_start: bool,
) -> SMPResult:
    """:func:`smp` through the batched engine (one draw, every state recorded)."""
    res = smp_batch(x[None], s[None], c[None], sw, max_turns, strict_start, record=True)
    states = res.states
    last = states[-1]
    reps = np.flatnonzero(last.is_rep[0]).astype(np.intp)
    return SMPResult(
        positions=np.stack([st.positions[0] for st in states]),
        probabilities=np.stack([st.actor_prob[0] for st in states]),
        expected=np.stack([st.expected[0] for st in states]),
        modal=np.stack([st.modal[0] for st in states]),
        final_reps=reps,
        final_rep_prob=last.rep_prob[0][reps],
        turns=int(res.turns[0]),
        converged=bool(res.converged[0]),
        stop_reason=res.stop_reason[0],
    )
