"""Generic probabilistic Condorcet election (PCE) machinery of KTAB's Spatial Model of Politics.

This module holds the parts of KTAB's ``kmodel`` library that :mod:`accord.models.smp` uses more
than once: the switch enums, the vote rules, the victory-probability models, coalitions and the
three PCE variants, plus the utility function and the risk-attitude mapping.

Source: KAPSARC KTAB, fork lsyaseen/KTAB @3b5b063, ``KTAB/kmodel/libsrc/kmodel.cpp``
(``Model::vote``, ``Model::coalitions``, ``Model::vProb``, ``Model::probCE2``, ``Model::condPCE``,
``Model::markovIncentivePCE``, ``Model::markovUniformPCE``, ``Model::bigRfromProb``,
``Model::estNRA``) and ``examples/smp/libsrc/smp.cpp`` (``SMPModel::bsUtil``), as written out step
by step in the project brief ``ktab-smp.md`` sections 4, 5 and 13. The method is described in
Wise, Lester & Efird (2015), KAPSARC discussion paper [Wise2015] (``docs/bibliography.md``).

Order of floating-point operations: KTAB sums and multiplies in plain left-to-right loops. Where
the brief says "in order", this module does the same with ``np.add.accumulate`` /
``np.multiply.accumulate`` (sequential by definition), never with NumPy's pairwise ``sum``.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray

#: Coalition seed in the PCE (``minC`` in ``Model::coalitions``); also the sum-to-one tolerance.
COALITION_SEED = 1e-8
#: Convergence tolerance of the MarkovIncentive PCE.
MARKOV_INCENTIVE_TOL = 1e-8
#: Convergence tolerance of the MarkovUniform PCE.
MARKOV_UNIFORM_TOL = 1e-6
#: Guard against a Markov PCE that never settles (KTAB loops without limit).
MARKOV_MAX_ITER = 100_000
#: Scale of the Binary vote rule: ``clip(delta / 1e-8, -1, 1)``.
BINARY_VOTE_SCALE = 1e-8
#: Binary victory model: a side wins outright once it is 1.1 times as strong.
BINARY_VICTORY_RATIO = 1.1
#: Binary victory model: the strength given to the outright loser.
BINARY_VICTORY_FLOOR = 1e-6


class VictoryModel(StrEnum):
    """KTAB ``VictoryProbModel``: how coalition strengths become a probability of victory."""

    LINEAR = "Linear"
    SQUARE = "Square"
    QUARTIC = "Quartic"
    OCTIC = "Octic"
    BINARY = "Binary"


class PCEModel(StrEnum):
    """KTAB ``PCEModel``: how pairwise victory probabilities become option probabilities."""

    CONDITIONAL = "Conditional"
    MARKOV_INCENTIVE = "MarkovIncentive"
    MARKOV_UNIFORM = "MarkovUniform"


class VotingRule(StrEnum):
    """KTAB ``VotingRule``: an actor's vote for option a over b, given weight w and utilities."""

    BINARY = "Binary"
    PROP_BIN = "PropBin"
    PROP = "Prop"
    PROP_CBC = "PropCbc"
    CUBIC = "Cubic"
    ASYM_PROSP = "ASymProsp"


class BigRRange(StrEnum):
    """KTAB ``BigRRange``: the interval that risk attitudes R are mapped onto."""

    MIN = "Min"
    MID = "Mid"
    MAX = "Max"


class BigRAdjust(StrEnum):
    """KTAB ``BigRAdjust``: how actor h estimates actor i's risk attitude."""

    NONE = "None"
    ONE_THIRD = "OneThird"
    HALF = "Half"
    TWO_THIRDS = "TwoThirds"
    FULL = "Full"


def seq_sum(a: FloatArray, axis: int = 0, initial: float | FloatArray | None = None) -> FloatArray:
    """Sum ``a`` along ``axis`` strictly left to right, starting from ``initial`` if given.

    ``np.sum`` uses pairwise summation along contiguous axes; KTAB uses a plain loop. The last
    element of ``np.add.accumulate`` is the plain loop's result bit for bit.
    """
    arr = np.asarray(a, dtype=np.float64)
    if initial is not None:
        shape = list(arr.shape)
        shape[axis] = 1
        head = np.broadcast_to(np.asarray(initial, dtype=np.float64), tuple(shape))
        arr = np.concatenate([head, arr], axis=axis)
    out: FloatArray = np.add.accumulate(arr, axis=axis).take(-1, axis=axis)
    return out


def seq_prod(a: FloatArray, axis: int = 0) -> FloatArray:
    """Multiply ``a`` along ``axis`` strictly left to right (KTAB's ``pi = pi * pv(i, j)``)."""
    out: FloatArray = np.multiply.accumulate(np.asarray(a, dtype=np.float64), axis=axis).take(
        -1, axis=axis
    )
    return out


def utility(d: FloatArray, r: FloatArray | float) -> FloatArray:
    """KTAB ``SMPModel::bsUtil``: ``U(d, R) = (1 - d)(1 + d R)`` (d <= 1), else ``(1 - d)(1 + R)``.

    ``d`` is a salience-weighted distance on [0, 1] and ``R`` a risk attitude; ``U(0, R) = 1``.
    """
    one_minus = 1.0 - d
    near = one_minus * (1.0 + d * r)
    far = one_minus * (1.0 + np.asarray(r))
    out: FloatArray = np.where(d <= 1.0, near, far)
    return out


def vote(rule: VotingRule, w: FloatArray, delta: FloatArray) -> FloatArray:
    """KTAB ``Model::vote``: the vote of a voter of weight ``w`` whose utility gain is ``delta``.

    ``delta = U_a - U_b``. Prop ``w * delta``; Binary ``w * clip(delta / 1e-8, -1, 1)``;
    PropBin ``w (0.8 delta + 0.2 bin)``; PropCbc ``w (0.5 delta + 0.5 delta^3)``; Cubic
    ``w delta^3``; ASymProsp ``w delta`` for losses and ``(2/3) w delta`` for gains (brief §13).
    """
    if rule is VotingRule.PROP:
        out: FloatArray = w * delta
        return out
    if rule is VotingRule.BINARY:
        out = w * np.clip(delta / BINARY_VOTE_SCALE, -1.0, 1.0)
        return out
    if rule is VotingRule.PROP_BIN:
        binary = np.clip(delta / BINARY_VOTE_SCALE, -1.0, 1.0)
        out = w * (0.8 * delta + 0.2 * binary)
        return out
    if rule is VotingRule.PROP_CBC:
        out = w * (0.5 * delta + 0.5 * (delta * delta * delta))
        return out
    if rule is VotingRule.CUBIC:
        out = w * (delta * delta * delta)
        return out
    if rule is VotingRule.ASYM_PROSP:
        out = np.where(delta < 0.0, w * delta, (2.0 / 3.0) * (w * delta))
        return out
    raise UsageError(f"voting rule {rule!r} is not supported", field="voting_rule")


def victory(model: VictoryModel, s_a: FloatArray, s_b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """KTAB ``Model::vProb``: probabilities that a beats b and b beats a, from strengths s_a, s_b.

    Power models use ``x = s^e`` (e = 1, 2, 4, 8) and ``P_a = x_a / (x_a + x_b)``, two separate
    divisions. Binary: if ``s_a >= 1.1 s_b`` then ``x_a = 1, x_b = 1e-6`` (and the mirror case);
    otherwise the linear ramp ``P_a = (2.1 s_a / (s_a + s_b) - 1) / 0.1`` (brief §13).
    """
    if model is VictoryModel.BINARY:
        total = s_a + s_b
        ramp_a = (2.1 * s_a / total - 1.0) / 0.1
        ramp_b = (2.1 * s_b / total - 1.0) / 0.1
        a_wins = s_a >= BINARY_VICTORY_RATIO * s_b
        b_wins = s_b >= BINARY_VICTORY_RATIO * s_a
        hi = 1.0 / (1.0 + BINARY_VICTORY_FLOOR)
        lo = BINARY_VICTORY_FLOOR / (1.0 + BINARY_VICTORY_FLOOR)
        p_a: FloatArray = np.where(a_wins, hi, np.where(b_wins, lo, ramp_a))
        p_b: FloatArray = np.where(a_wins, lo, np.where(b_wins, hi, ramp_b))
        return p_a, p_b
    x_a, x_b = s_a, s_b
    if model in (VictoryModel.SQUARE, VictoryModel.QUARTIC, VictoryModel.OCTIC):
        x_a, x_b = x_a * x_a, x_b * x_b
    if model in (VictoryModel.QUARTIC, VictoryModel.OCTIC):
        x_a, x_b = x_a * x_a, x_b * x_b
    if model is VictoryModel.OCTIC:
        x_a, x_b = x_a * x_a, x_b * x_b
    total = x_a + x_b
    return x_a / total, x_b / total


def coalitions(rule: VotingRule, w: FloatArray, u: FloatArray) -> FloatArray:
    """KTAB ``Model::coalitions``: ``C[a,b] = 1e-8 + sum_k max(0, v_k(a:b))``, k in order.

    Args:
        rule: the vote rule.
        w: ``(N,)`` voter weights.
        u: ``(N, M)`` each voter's utility for each option.

    Returns:
        ``(M, M)`` coalition strengths; the diagonal is exactly 1e-8.
    """
    n_voters, n_opts = u.shape
    c = np.full((n_opts, n_opts), COALITION_SEED)
    # Chunk over voters so that the (chunk, M, M) vote array stays near 16 MB.
    chunk = max(1, 2_000_000 // max(1, n_opts * n_opts))
    for start in range(0, n_voters, chunk):
        stop = min(n_voters, start + chunk)
        uu = u[start:stop]
        delta = uu[:, :, None] - uu[:, None, :]
        v = vote(rule, w[start:stop, None, None], delta)
        c = seq_sum(np.maximum(v, 0.0), axis=0, initial=c)
    np.fill_diagonal(c, COALITION_SEED)
    return c


def victory_matrix(model: VictoryModel, c: FloatArray) -> FloatArray:
    """``P[a,b]`` = probability that option a beats b given coalitions C (``Model::probCE2``).

    ``P[a,a] = 0.5``.
    """
    p, _ = victory(model, c, c.T)
    np.fill_diagonal(p, 0.5)
    return p


def _conditional(pv: FloatArray) -> FloatArray:
    """KTAB's conditional PCE (``Model::condPCE``).

    KTAB ``Model::condPCE``: ``q_a = prod_b P[a,b]`` (b in order, diagonal 0.5 included),
    ``p = q / sum(q)``.
    """
    q = seq_prod(pv, axis=1)
    total = seq_sum(q, axis=0)
    out: FloatArray = q / total
    return out


def _markov_incentive(c: FloatArray, pv: FloatArray) -> FloatArray:
    """KTAB ``Model::markovIncentivePCE`` (brief §13).

    ``N = C * P`` (+1e-10 on the diagonal), ``T[a,b] = N[a,b] / sum_r N[r,b]``; from p = 1/M
    iterate ``ct[a,b] = p_a T[b,a]``, ``q_a = sum_b P[a,b] (ct[a,b] + ct[b,a])``,
    ``p <- (p + q) / 2`` until ``max|q - p| <= 1e-8``.
    """
    n_opts = c.shape[0]
    nn = c * pv
    nn[np.diag_indices(n_opts)] += 1e-10
    t = nn / seq_sum(nn, axis=0)[None, :]
    p = np.full(n_opts, 1.0 / n_opts)
    for _ in range(MARKOV_MAX_ITER):
        ct = p[:, None] * t.T
        q = seq_sum(pv * (ct + ct.T), axis=1)
        done = float(np.max(np.abs(q - p))) <= MARKOV_INCENTIVE_TOL
        p = (p + q) / 2.0
        if done:
            break
    out: FloatArray = p / seq_sum(p, axis=0)
    return out


def _markov_uniform(pv: FloatArray) -> FloatArray:
    """KTAB ``Model::markovUniformPCE`` (brief §13).

    From p = 1/M iterate ``q_a = sum_b P[a,b] (p_a + p_b) / M``, ``p <- (p + q) / 2`` until
    ``max|q - p| <= 1e-6``.
    """
    n_opts = pv.shape[0]
    p = np.full(n_opts, 1.0 / n_opts)
    for _ in range(MARKOV_MAX_ITER):
        q = seq_sum(pv * (p[:, None] + p[None, :]), axis=1) / n_opts
        done = float(np.max(np.abs(q - p))) <= MARKOV_UNIFORM_TOL
        p = (p + q) / 2.0
        if done:
            break
    out: FloatArray = p / seq_sum(p, axis=0)
    return out


def scalar_pce(
    w: FloatArray,
    u: FloatArray,
    rule: VotingRule = VotingRule.PROP,
    model: VictoryModel = VictoryModel.LINEAR,
    pce: PCEModel = PCEModel.CONDITIONAL,
) -> FloatArray:
    """KTAB ``Model::scalarPCE``: probability that each option wins a PCE among the voters.

    Args:
        w: ``(N,)`` voter weights (> 0).
        u: ``(N, M)`` voter utilities for the M options.
        rule: the vote rule.
        model: the victory model.
        pce: the PCE variant.

    Returns:
        ``(M,)`` probabilities summing to 1.

    Raises:
        UsageError: if the probabilities do not sum to 1 within 1e-8 (degenerate input, e.g.
            NaN utilities).
    """
    c = coalitions(rule, w, u)
    pv = victory_matrix(model, c)
    if pce is PCEModel.CONDITIONAL:
        p = _conditional(pv)
    elif pce is PCEModel.MARKOV_INCENTIVE:
        p = _markov_incentive(c, pv)
    elif pce is PCEModel.MARKOV_UNIFORM:
        p = _markov_uniform(pv)
    else:
        raise UsageError(f"PCE model {pce!r} is not supported", field="pce")
    total = float(seq_sum(p, axis=0))
    if not abs(total - 1.0) < COALITION_SEED:
        raise pce_sum_error(total)
    return p


def pce_sum_error(total: float) -> UsageError:
    """The PCE probabilities do not sum to 1 within 1e-8 (degenerate input, e.g. NaN utilities)."""
    return UsageError(
        f"the PCE probabilities sum to {total}, not 1: the input is degenerate",
        expected="finite, distinct utilities",
    )


def big_r_from_prob(p: FloatArray, rng_mode: BigRRange) -> FloatArray:
    """KTAB ``Model::bigRfromProb``: risk attitudes from position probabilities.

    Min ``(p - p_min)/(p_max - p_min)`` in [0, 1]; Mid
    ``(3p - (p_max + 2 p_min)) / (2 (p_max - p_min))`` in [-0.5, 1]; Max
    ``(2p - p_max - p_min)/(p_max - p_min)`` in [-1, 1]. The most likely actor is risk-averse.

    Raises:
        UsageError: when all probabilities are equal (KTAB would divide 0 by 0).
    """
    p_max = float(np.max(p))
    p_min = float(np.min(p))
    if not p_max > p_min:
        raise UsageError(
            "risk attitudes are undefined: every position is equally likely",
            expected="actors whose positions differ in support",
        )
    if rng_mode is BigRRange.MIN:
        out: FloatArray = (p - p_min) / (p_max - p_min)
    elif rng_mode is BigRRange.MID:
        out = (3.0 * p - (p_max + 2.0 * p_min)) / (2.0 * (p_max - p_min))
    elif rng_mode is BigRRange.MAX:
        out = (2.0 * p - p_max - p_min) / (p_max - p_min)
    else:
        raise UsageError(f"BigRRange {rng_mode!r} is not supported", field="big_r_range")
    return out


def estimated_risk(big_r: FloatArray, adjust: BigRAdjust) -> FloatArray:
    """KTAB ``Model::estNRA``: ``r[h, i]``, actor h's estimate of actor i's risk attitude.

    None ``R_h``; OneThird ``(2 R_h + R_i) / 3``; Half ``(R_h + R_i) / 2``; TwoThirds
    ``(R_h + 2 R_i) / 3``; Full ``R_i``.
    """
    rh = big_r[:, None]
    ri = big_r[None, :]
    if adjust is BigRAdjust.NONE:
        out: FloatArray = np.broadcast_to(rh, (big_r.size, big_r.size)).copy()
    elif adjust is BigRAdjust.ONE_THIRD:
        out = ((2.0 * rh) + ri) / 3.0
    elif adjust is BigRAdjust.HALF:
        out = (rh + ri) / 2.0
    elif adjust is BigRAdjust.TWO_THIRDS:
        out = (rh + (2.0 * ri)) / 3.0
    elif adjust is BigRAdjust.FULL:
        out = np.broadcast_to(ri, (big_r.size, big_r.size)).copy()
    else:
        raise UsageError(f"BigRAdjust {adjust!r} is not supported", field="big_r_adjust")
    return out
