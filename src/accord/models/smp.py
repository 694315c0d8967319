"""KTAB's Spatial Model of Politics (SMP): bargaining over positions on one or more dimensions.

Source: KAPSARC KTAB (fork lsyaseen/KTAB @3b5b063): ``examples/smp/libsrc/smp.cpp``,
``smpbcn.cpp``, ``smpread.cpp`` and ``KTAB/kmodel/libsrc/*.cpp``, as written out step by step in
the project brief ``ktab-smp.md`` (section numbers below refer to it). Method: Wise, Lester &
Efird (2015) [Wise2015]; application: Efird, Lester & Wise (2016) [Efird2016], J. East Asian
Studies 16:117-145. Keys resolve in ``docs/bibliography.md``.

All values lie on [0, 1] (KTAB's 0-100 inputs divided by 100). One turn:

1. Distances ``d(i, y) = sqrt(sum_k ((ideal_ik - y_k) s_ik)^2 / sum_k s_ik^2)`` and utilities
   ``U(d, R) = (1 - d)(1 + d R)`` (§4).
2. Risk attitudes: a PCE among all actor positions with risk-neutral utilities and capability
   weights gives p; ``R_i = (3 p_i - (p_max + 2 p_min)) / (2 (p_max - p_min))`` (Mid); actor h
   estimates ``r_hi = (2 R_h + R_i) / 3`` (OneThird) and ``A_h[i, j] = U(D[i, j], r_hi)`` (§4-5).
3. Challenges: i's expected gain from challenging j, with j's resistance ``S_j`` and third
   parties voting under SemiCommit, ``edu_ij = Chlg - SQ`` (§6). i targets the j with the largest
   ``edu_ij > 1e-5`` (lowest j on ties).
4. Bargains: ``b = r4(((w_i + 1e-6) x_i + w_j x_j) / (w_i + 1e-6 + w_j))`` with
   ``w = s^2 p^2`` and ``r4`` rounding to the 1e-4 grid (§7).
5. Queues: each actor's queue holds its status quo, its own bargain and the bargains aimed at
   it; a capability-weighted PCE over the actors' mean utilities picks one (argmax), and the actor
   takes its side of it (§8). All queues are resolved on the old state at once.
6. Stop when ``sum_i ||x_i(t) - x_i(t-1)|| / (sum_i ||x_i(1) - x_i(0)|| + 1e-4) < 0.02``
   (t >= 2) or at ``max_turns`` (§9).

Reporting (§10): positions closer than 1e-3 are one unique position (greedy, in actor order);
each state's PCE over the unique positions, with each actor's own utilities, gives the
probability of each actor's position. accord's outcome is the PCE-weighted mean of the unique
final positions (``outcome="mean"``) or the most probable one (``outcome="mode"``).

The nine KTAB switches are all supported (see :class:`SMPSwitches` and ``docs/models/smp.md``).
Under the defaults this implementation follows the brief's order of operations exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.models import smp_compiled as compiled
from accord.models.base import FloatArray, IssueArrays, ModelRun, ModelSpec, check_params
from accord.models.smp_pce import (
    COALITION_SEED,
    BigRAdjust,
    BigRRange,
    PCEModel,
    VictoryModel,
    VotingRule,
    big_r_from_prob,
    estimated_risk,
    pce_sum_error,
    scalar_pce,
    seq_sum,
    utility,
    victory,
    vote,
)

IntArray = NDArray[np.intp]

#: Seed of the principals' coalitions in a challenge (§6).
CHALLENGE_SEED = 1e-10
#: A target needs an expected gain above this (§6).
MIN_EDU = 1e-5
#: Extra pull of each side toward its own position in a bargain (§7).
BARGAIN_FLOOR = 1e-6
#: Bargain coordinates are rounded to this grid (§7).
GRID = 10000.0
#: Positions closer than this (Euclidean, [0, 1]) are the same position (§10).
EQUIV_TOL = 1e-3
#: Stop test: added to the first turn's movement, and the ratio threshold (§9).
STOP_FLOOR = 1e-4
STOP_RATIO = 0.02
#: Sanity check of the risk attitudes (§4.6): utilities must move by more than this.
SANITY_TOL = 1e-6
#: Elements per chunk of the (pairs, third parties) challenge arrays (about 8 MB each).
CHUNK_ELEMENTS = 1_000_000


class StateTransition(StrEnum):
    """KTAB ``StateTransMode``: how an actor's queue choice is made."""

    DETERMINISTIC = "Deterministic"
    STOCHASTIC = "Stochastic"


class ThirdPartyCommit(StrEnum):
    """KTAB ``ThirdPartyCommit``: what a third party expects to happen to its own position."""

    NO_COMMIT = "NoCommit"
    SEMI_COMMIT = "SemiCommit"
    FULL_COMMIT = "FullCommit"


class BargainInterpolation(StrEnum):
    """KTAB ``InterVecBrgn``: how a bargain interpolates between the two positions."""

    S1P1 = "S1P1"
    S2P2 = "S2P2"
    S2PMAX = "S2PMax"


class BargainModel(StrEnum):
    """KTAB ``SMPBargnModel``: whose view of the challenge shapes the bargain."""

    INIT_ONLY = "InitOnlyInterp"
    INIT_RCVR = "InitRcvrInterp"
    PW_COMP = "PWCompInterp"


_E = TypeVar("_E", bound=StrEnum)

#: KTAB's C++ enumerator names accepted as aliases of the brief's names.
_ALIASES = {
    "conditionalpcm": "Conditional",
    "markovipcm": "MarkovIncentive",
    "markovupcm": "MarkovUniform",
    "proportional": "Prop",
}


def _parse(enum: type[_E], name: str, value: object) -> _E:
    if isinstance(value, enum):
        return value
    text = str(value).strip()
    text = _ALIASES.get(text.lower(), text)
    for member in enum:
        if member.value.lower() == text.lower():
            return member
    raise UsageError(
        f"smp switch '{name}' has no value {value!r}",
        field=name,
        expected="one of " + ", ".join(m.value for m in enum),
    )


@dataclass(frozen=True)
class SMPSwitches:
    """KTAB's nine SMP switches; the defaults are KTAB's defaults."""

    victory_model: VictoryModel = VictoryModel.LINEAR
    pce: PCEModel = PCEModel.CONDITIONAL
    state_transitions: StateTransition = StateTransition.DETERMINISTIC
    voting_rule: VotingRule = VotingRule.PROP
    big_r_adjust: BigRAdjust = BigRAdjust.ONE_THIRD
    big_r_range: BigRRange = BigRRange.MID
    third_party_commit: ThirdPartyCommit = ThirdPartyCommit.SEMI_COMMIT
    bargain_interpolation: BargainInterpolation = BargainInterpolation.S2P2
    bargain_model: BargainModel = BargainModel.INIT_ONLY

    @classmethod
    def from_names(cls, **names: object) -> SMPSwitches:
        """Build from KTAB value names (case-insensitive); unknown names raise UsageError."""
        kinds: dict[str, type[StrEnum]] = {
            "victory_model": VictoryModel,
            "pce": PCEModel,
            "state_transitions": StateTransition,
            "voting_rule": VotingRule,
            "big_r_adjust": BigRAdjust,
            "big_r_range": BigRRange,
            "third_party_commit": ThirdPartyCommit,
            "bargain_interpolation": BargainInterpolation,
            "bargain_model": BargainModel,
        }
        unknown = sorted(set(names) - set(kinds))
        if unknown:
            raise UsageError(f"unknown smp switch {unknown[0]!r}", expected=", ".join(kinds))
        parsed = {key: _parse(kinds[key], key, value) for key, value in names.items()}
        return cls(**parsed)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, str]:
        """The switches as ``{name: KTAB value name}``."""
        return {key: str(getattr(self, key).value) for key in self.__dataclass_fields__}


# --------------------------------------------------------------------------------------------
# Errors shared by the step functions and both engines


def degenerate_start_error() -> UsageError:
    """KTAB aborts when the risk attitudes leave the utilities unchanged (§4.6)."""
    return UsageError(
        "SMP risk attitudes do not change the utilities (e.g. all positions coincide)",
        expected="actors at distinct positions",
    )


def bargain_utility_error() -> UsageError:
    """A bargain's mean utility left (0, 1] (§8): the input is degenerate."""
    return UsageError(
        "SMP bargain utilities left (0, 1]: the input is degenerate",
        expected="positions and saliences on [0, 1]",
    )


# --------------------------------------------------------------------------------------------
# Per-state quantities (§4, §10)


def distances(ideals: FloatArray, saliences: FloatArray, points: FloatArray) -> FloatArray:
    """KTAB ``bvDiff``: ``d[a, p] = sqrt(sum_k ((ideal_ak - y_pk) s_ak)^2 / sum_k s_ak^2)``.

    Both sums run over k in order.
    """
    n, m = ideals.shape
    num = np.zeros((n, points.shape[0]))
    den = np.zeros(n)
    for k in range(m):
        t = (ideals[:, None, k] - points[None, :, k]) * saliences[:, None, k]
        num = num + t * t
        den = den + saliences[:, k] * saliences[:, k]
    out: FloatArray = np.sqrt(num / den[:, None])
    return out


def _euclid(a: FloatArray, b: FloatArray) -> FloatArray:
    """Plain Euclidean distance over the last axis, summed over dimensions in order."""
    acc = np.zeros(np.broadcast_shapes(a.shape, b.shape)[:-1])
    for k in range(a.shape[-1]):
        t = a[..., k] - b[..., k]
        acc = acc + t * t
    out: FloatArray = np.sqrt(acc)
    return out


@dataclass(frozen=True)
class SMPState:
    """Everything ``setup(s)`` computes for one state (§4 and §10).

    Attributes:
        positions, ideals: ``(n, m)``.
        dist: ``D[i, j] = d(i, x_j)``.
        p_neutral: risk-neutral PCE probability of each actor position (duplicates included).
        big_r: ``R_i`` (the state's own attitudes, used by ``posUtil``).
        r_est: ``r[h, i]``, h's estimate of i's attitude.
        own_util: ``A_a[a, j] = U(D[a, j], r_aa)``.
        reps: indices of the unique representative positions (greedy, actor order).
        rep_prob: PCE probability of each representative (``pDist(-1)``).
        actor_prob: probability of each actor's position (last equivalent representative).
        expected, modal: PCE-weighted mean and most probable of the unique positions.
        degenerate: see :func:`setup_state`.
    """

    positions: FloatArray
    ideals: FloatArray
    dist: FloatArray
    p_neutral: FloatArray
    big_r: FloatArray
    r_est: FloatArray
    own_util: FloatArray
    reps: IntArray
    rep_prob: FloatArray
    actor_prob: FloatArray
    expected: FloatArray
    modal: FloatArray
    degenerate: bool = False


def perspective_util(state: SMPState, h: int) -> FloatArray:
    """``A_h[i, j] = U(D[i, j], r_hi)``: actor h's estimate of everyone's utilities."""
    return utility(state.dist, state.r_est[h][:, None])


def unique_positions(positions: FloatArray) -> tuple[IntArray, IntArray]:
    """Greedy classes of positions within 1e-3 (``ueIndices``) and each actor's report index.

    Returns:
        ``reps``: representative actor indices, in order; ``last``: for each actor, the index
        into ``reps`` of the last representative equivalent to it (``posProb``).
    """
    n = positions.shape[0]
    equiv = _euclid(positions[:, None, :], positions[None, :, :]) < EQUIV_TOL
    is_rep = np.zeros(n, dtype=bool)
    for i in range(n):
        is_rep[i] = not bool(np.any(equiv[i] & is_rep))
    reps = np.flatnonzero(is_rep)
    last = (equiv[:, reps] * np.arange(1, reps.size + 1)[None, :]).argmax(axis=1)
    return reps.astype(np.intp), last.astype(np.intp)


def setup_state(
    positions: FloatArray,
    ideals: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    switches: SMPSwitches,
    strict: bool = True,
) -> SMPState:
    """KTAB ``SMPState::setAllAUtil`` plus ``setUENdx`` and ``pDist(-1)`` for one state.

    A degenerate state (every position equally likely, or risk attitudes that leave the
    utilities unchanged, e.g. all actors at one position) makes KTAB abort or divide 0 by 0.
    With ``strict`` it raises :class:`UsageError`; otherwise the state is marked ``degenerate``
    and gets risk-neutral attitudes (``R = 0``), which :func:`smp` uses to end the run.
    """
    sw = switches
    dist = distances(ideals, saliences, positions)
    neutral = utility(dist, 0.0)
    p_neutral = scalar_pce(capabilities, neutral, sw.voting_rule, sw.victory_model, sw.pce)
    degenerate = False
    try:
        big_r = big_r_from_prob(p_neutral, sw.big_r_range)
        r_est = estimated_risk(big_r, sw.big_r_adjust)
        _sanity_check(dist, neutral, big_r, r_est, sw.big_r_adjust)
    except UsageError:
        if strict:
            raise
        degenerate = True
        big_r = np.zeros(positions.shape[0])
        r_est = np.zeros((positions.shape[0], positions.shape[0]))
    own_util = utility(dist, np.diagonal(r_est)[:, None])
    reps, last = unique_positions(positions)
    rep_prob = scalar_pce(capabilities, own_util[:, reps], sw.voting_rule, sw.victory_model, sw.pce)
    rep_pos = positions[reps]
    expected = seq_sum(rep_prob[:, None] * rep_pos, axis=0)
    modal = rep_pos[int(np.argmax(rep_prob))]
    return SMPState(
        positions=positions,
        ideals=ideals,
        dist=dist,
        p_neutral=p_neutral,
        big_r=big_r,
        r_est=r_est,
        own_util=own_util,
        reps=reps,
        rep_prob=rep_prob,
        actor_prob=rep_prob[last],
        expected=expected,
        modal=modal,
        degenerate=degenerate,
    )


def _sanity_check(
    dist: FloatArray, neutral: FloatArray, big_r: FloatArray, r_est: FloatArray, adj: BigRAdjust
) -> None:
    """§4.6: KTAB aborts when risk attitudes leave the utilities (almost) unchanged.

    ``||V - U(D, R_row)||`` must exceed 1e-6 (Frobenius). The same test for each ``A_h`` uses
    ``U(D, r) - U(D, R) = (1 - D) D (r - R)``, so ``||A_h - U(D, R_row)||^2 = sum_i (r_hi - R_i)^2
    g_i`` with ``g_i = sum_j ((1 - D_ij) D_ij)^2``. It is skipped for BigRAdjust=Full, where
    ``r_hi = R_i`` by construction and KTAB's check could never pass.
    """
    own = utility(dist, big_r[:, None])
    if not float(np.linalg.norm(neutral - own)) > SANITY_TOL:
        raise degenerate_start_error()
    if adj is BigRAdjust.FULL:
        return
    g = np.sum(((1.0 - dist) * dist) ** 2, axis=1)
    per_h = np.sqrt(np.sum((r_est - big_r[None, :]) ** 2 * g[None, :], axis=1))
    if not bool(np.all(per_h > SANITY_TOL)):
        raise degenerate_start_error()


# --------------------------------------------------------------------------------------------
# Challenges (§6)


@dataclass(frozen=True)
class Challenge:
    """``probEduChlg(h, k, i, j)`` for a batch of (h, k, i, j); all arrays ``(P,)``.

    ``util_*`` are on KTAB's x2 scale; ``prob`` is ``pi_ij`` and ``edu = util_chlg - util_sq``.
    ``third_party_p`` is ``(P, n)``: ``p_in`` of each third party's little contest (0 where n is
    i or j), kept only on request.
    """

    prob: FloatArray
    util_sq: FloatArray
    util_vict: FloatArray
    util_cntst: FloatArray
    util_chlg: FloatArray
    edu: FloatArray
    third_party_p: FloatArray | None = None


def prob_edu_challenge(
    state: SMPState,
    weights: FloatArray,
    resist: FloatArray,
    idx: tuple[IntArray, IntArray, IntArray, IntArray],
    switches: SMPSwitches,
    keep_third_party: bool = False,
) -> Challenge:
    """KTAB ``SMPState::probEduChlg(h, k, i, j)``, vectorised over a batch of quadruples.

    Args:
        state: the current state.
        weights: ``W_x = S_x c_x`` (salience sum times capability).
        resist: ``S_x`` (salience sums): the probability that the target resists.
        idx: arrays ``(h, k, i, j)`` of equal length: estimator, affected actor, initiator,
            target. Utilities come from ``A_h``; the values are those of actor k.
        switches: vote rule, victory model and third-party commitment are used.
        keep_third_party: also return each third party's ``p_in``.

    Formulas (§6): principals ``a_i = v(W_i, A[i,i] - A[i,j])``, ``a_j = v(W_j, A[j,i] - A[j,j])``
    seeded with 1e-10; third parties n (ascending) vote
    ``v(W_n, U_V - U_L)`` after a little contest with the principals only; ``pi_ij`` from the
    victory model; ``SQ = A[k,i] + A[k,j]``, ``Vict = 2 A[k,i]``,
    ``Cntst = pi_ij Vict + pi_ji 2 A[k,j]``, ``Chlg = (1 - S_j) Vict + S_j Cntst``.
    """
    sw = switches
    h, k, i, j = idx
    dist, r_est = state.dist, state.r_est
    n = dist.shape[0]

    def a(x: IntArray, y: IntArray) -> FloatArray:
        return utility(dist[x, y], r_est[h, x])

    # Principals, seeded with 1e-10: a positive share to C_ij, a negative one (negated) to C_ji.
    c_ij = np.full(h.shape, CHALLENGE_SEED)
    c_ji = np.full(h.shape, CHALLENGE_SEED)
    for share in (
        vote(sw.voting_rule, weights[i], a(i, i) - a(i, j)),
        vote(sw.voting_rule, weights[j], a(j, i) - a(j, j)),
    ):
        c_ij = c_ij + np.where(share > 0.0, share, 0.0)
        c_ji = c_ji + np.where(share < 0.0, -share, 0.0)

    # Third parties, in ascending order, each against the principals' coalitions only.
    tp_p = np.zeros((h.size, n)) if keep_third_party else None
    chunk = max(1, CHUNK_ELEMENTS // n)
    for s0 in range(0, h.size, chunk):
        sl = slice(s0, min(h.size, s0 + chunk))
        hh, ii, jj = h[sl], i[sl], j[sl]
        r_hn = r_est[hh]  # (p, n): h's estimate of each third party's attitude
        u_i = utility(dist[:, ii].T, r_hn)
        u_j = utility(dist[:, jj].T, r_hn)
        u_n = utility(np.diagonal(dist)[None, :], r_hn)
        w_n = weights[None, :]
        e = vote(sw.voting_rule, w_n, u_i - u_j)
        p_in, _ = victory(
            sw.victory_model,
            c_ij[sl, None] + np.where(e > 0.0, e, 0.0),
            c_ji[sl, None] + np.where(e < 0.0, -e, 0.0),
        )
        p_jn = 1.0 - p_in
        if sw.third_party_commit is ThirdPartyCommit.SEMI_COMMIT:
            u_v = p_in * (u_i + u_i + u_n) + p_jn * (u_j + u_j + u_j)
            u_l = p_in * (u_i + u_i + u_i) + p_jn * (u_j + u_j + u_n)
        elif sw.third_party_commit is ThirdPartyCommit.NO_COMMIT:
            u_v = p_in * (u_i + u_i + u_n) + p_jn * (u_j + u_j + u_n)
            u_l = u_v
        else:
            u_v = p_in * (u_i + u_i + u_i) + p_jn * (u_j + u_j + u_j)
            u_l = u_v
        v = vote(sw.voting_rule, w_n, u_v - u_l)
        cols = np.arange(n)[None, :]
        principal = (cols == ii[:, None]) | (cols == jj[:, None])
        v = np.where(principal, 0.0, v)
        c_ij[sl] = seq_sum(np.where(v > 0.0, v, 0.0), axis=1, initial=c_ij[sl, None])
        c_ji[sl] = seq_sum(np.where(v < 0.0, -v, 0.0), axis=1, initial=c_ji[sl, None])
        if tp_p is not None:
            tp_p[sl] = np.where(principal, 0.0, p_in)

    pi_ij, pi_ji = victory(sw.victory_model, c_ij, c_ji)
    u_ki, u_kj = a(k, i), a(k, j)
    util_sq = u_ki + u_kj
    util_vict = u_ki + u_ki
    util_cntst = pi_ij * util_vict + pi_ji * (u_kj + u_kj)
    util_chlg = (1.0 - resist[j]) * util_vict + resist[j] * util_cntst
    return Challenge(
        prob=pi_ij,
        util_sq=util_sq,
        util_vict=util_vict,
        util_cntst=util_cntst,
        util_chlg=util_chlg,
        edu=util_chlg - util_sq,
        third_party_p=tp_p,
    )


def all_challenges(
    state: SMPState, weights: FloatArray, resist: FloatArray, switches: SMPSwitches
) -> Challenge:
    """Every initiator's own view ``probEduChlg(i, i, i, j)``: ``(n, n)`` arrays, diagonal NaN."""
    n = state.positions.shape[0]
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    ch = prob_edu_challenge(state, weights, resist, (ii, ii, ii, jj), switches)

    def square(values: FloatArray) -> FloatArray:
        out = np.full((n, n), np.nan)
        out[ii, jj] = values
        return out

    return Challenge(
        prob=square(ch.prob),
        util_sq=square(ch.util_sq),
        util_vict=square(ch.util_vict),
        util_cntst=square(ch.util_cntst),
        util_chlg=square(ch.util_chlg),
        edu=square(ch.edu),
    )


def choose_targets(edu: FloatArray) -> IntArray:
    """§6.5: each actor's target, the first j with the largest ``edu_ij > 1e-5``; -1 for none."""
    masked = np.where(np.isnan(edu), -np.inf, edu)
    best = np.argmax(masked, axis=1)
    ok = masked[np.arange(edu.shape[0]), best] > MIN_EDU
    return np.where(ok, best, -1).astype(np.intp)


# --------------------------------------------------------------------------------------------
# Bargains (§7)


def _r4(y: FloatArray) -> FloatArray:
    """``r4(y) = trunc(0.5 + y * 10000) / 10000`` (C ``(int)`` cast; y >= 0)."""
    out: FloatArray = np.trunc(0.5 + y * GRID) / GRID
    return out


def interpolate(
    mode: BargainInterpolation,
    x_i: FloatArray,
    x_j: FloatArray,
    s_i: FloatArray,
    s_j: FloatArray,
    p_i: FloatArray,
    p_j: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """KTAB ``SMPActor::interpolateBrgn``: the proposed new positions of i and j.

    Arrays are ``(P, m)`` (positions, per-dimension saliences) and ``(P, 1)`` (probabilities).
    S2P2: ``w = s^2 p^2``; S1P1: ``w = s p``; both rounded to the 1e-4 grid. S2PMax:
    ``b_i = x_i + delta_i (x_j - x_i)`` with ``delta_i = d_i s_j^2 / (d_i s_j^2 + 1e-6 +
    (1 - d_i) s_i^2)``, ``d_i = max(0, p_j - p_i)``, unrounded (§7, §13).
    """
    if mode is BargainInterpolation.S2PMAX:
        d_i = np.maximum(0.0, p_j - p_i)
        d_j = np.maximum(0.0, p_i - p_j)
        si2, sj2 = s_i * s_i, s_j * s_j
        delta_i = d_i * sj2 / (d_i * sj2 + BARGAIN_FLOOR + (1.0 - d_i) * si2)
        delta_j = d_j * si2 / (d_j * si2 + BARGAIN_FLOOR + (1.0 - d_j) * sj2)
        return x_i + delta_i * (x_j - x_i), x_j + delta_j * (x_i - x_j)
    if mode is BargainInterpolation.S2P2:
        w_i = (s_i * s_i) * (p_i * p_i)
        w_j = (s_j * s_j) * (p_j * p_j)
    else:
        w_i = s_i * p_i
        w_j = s_j * p_j
    den = w_i + BARGAIN_FLOOR + w_j
    b_i = _r4(((w_i + BARGAIN_FLOOR) * x_i + w_j * x_j) / den)
    b_j = _r4((w_i * x_i + (BARGAIN_FLOOR + w_j) * x_j) / den)
    return b_i, b_j


@dataclass(frozen=True)
class Bargains:
    """The turn's bargains: ``init``/``rcvr`` ``(B,)`` and the proposed positions ``(B, m)``."""

    init: IntArray
    rcvr: IntArray
    pos_init: FloatArray
    pos_rcvr: FloatArray


def make_bargains(
    state: SMPState,
    saliences: FloatArray,
    capabilities: FloatArray,
    weights: FloatArray,
    resist: FloatArray,
    targets: IntArray,
    prob: FloatArray,
    switches: SMPSwitches,
) -> Bargains:
    """§7: the bargain each initiator proposes to its target (bargain order = initiator order).

    InitOnlyInterp uses i's view (``p_I = pi_ij``). The j-view uses ``p_I`` := the second
    element (edu) of ``probEduChlg(j, i, i, j)``, KTAB's quirk; InitRcvrInterp adds it as a
    second bargain (I-view then J-view per initiator), and PWCompInterp replaces both by their
    unrounded mean with weights ``c_i S_i`` and ``c_i S_j`` (§13).
    """
    ii = np.flatnonzero(targets >= 0).astype(np.intp)
    jj = targets[ii]
    x = state.positions
    p_i = prob[ii, jj][:, None]
    b_i, b_j = interpolate(
        switches.bargain_interpolation, x[ii], x[jj], saliences[ii], saliences[jj], p_i, 1.0 - p_i
    )
    if switches.bargain_model is BargainModel.INIT_ONLY:
        return Bargains(init=ii, rcvr=jj, pos_init=b_i, pos_rcvr=b_j)
    jv = prob_edu_challenge(state, weights, resist, (jj, ii, ii, jj), switches)
    q = jv.edu[:, None]
    c_i, c_j = interpolate(
        switches.bargain_interpolation, x[ii], x[jj], saliences[ii], saliences[jj], q, 1.0 - q
    )
    if switches.bargain_model is BargainModel.PW_COMP:
        w_i = (capabilities[ii] * resist[ii])[:, None]
        w_j = (capabilities[ii] * resist[jj])[:, None]
        tot = w_i + w_j
        return Bargains(
            init=ii,
            rcvr=jj,
            pos_init=(w_i * b_i + w_j * c_i) / tot,
            pos_rcvr=(w_i * b_j + w_j * c_j) / tot,
        )
    order = np.argsort(np.concatenate([2 * ii, 2 * ii + 1]), kind="stable")
    return Bargains(
        init=np.concatenate([ii, ii])[order],
        rcvr=np.concatenate([jj, jj])[order],
        pos_init=np.concatenate([b_i, c_i])[order],
        pos_rcvr=np.concatenate([b_j, c_j])[order],
    )


# --------------------------------------------------------------------------------------------
# Queues (§8)


@dataclass(frozen=True)
class QueueResult:
    """Resolution of every actor's queue.

    Attributes:
        new_positions: ``(n, m)`` positions after the turn.
        queues: per actor, bargain indices in queue order (-1 = its status quo).
        probs: per actor, the PCE probability of each queue entry.
        chosen: per actor, the position in its queue of the chosen entry.
        util: ``(n, B)`` mean utility of each bargain to each actor; ``util_sq`` ``(n,)``.
    """

    new_positions: FloatArray
    queues: list[IntArray]
    probs: list[FloatArray]
    chosen: IntArray
    util: FloatArray
    util_sq: FloatArray = field(default_factory=lambda: np.zeros(0))


def bargain_utilities(
    state: SMPState, saliences: FloatArray, bargains: Bargains
) -> tuple[FloatArray, FloatArray]:
    """§8: ``Ubar[a, b]`` and ``Ubar_SQ[a]``: a's mean utility over all n positions.

    Bargain I->J: ``(U(d(a, b_I), R_a) + U(d(a, b_J), R_a) + sum_{n not in {I, J}} A_a[a, n]) / n``
    summed in that order; status quo ``sum_n A_a[a, n] / n``.
    """
    n = state.positions.shape[0]
    own = state.own_util
    r = state.big_r[:, None]
    acc = utility(distances(state.ideals, saliences, bargains.pos_init), r)
    acc = acc + utility(distances(state.ideals, saliences, bargains.pos_rcvr), r)
    sq = np.zeros(n)
    for col in range(n):
        keep = (bargains.init != col) & (bargains.rcvr != col)
        acc = acc + np.where(keep[None, :], own[:, col : col + 1], 0.0)
        sq = sq + own[:, col]
    util = acc / n
    util_sq = sq / n
    if not (bool(np.all(util > 0.0)) and bool(np.all(util <= 1.0)) and bool(np.all(util_sq > 0))):
        raise bargain_utility_error()
    return util, util_sq


def resolve_queues(
    state: SMPState,
    saliences: FloatArray,
    capabilities: FloatArray,
    bargains: Bargains,
    switches: SMPSwitches,
    rng: np.random.Generator | None,
) -> QueueResult:
    """§8: each actor's queue [SQ, own bargain(s), received bargains by initiator], a PCE with
    capability weights, and the first maximum (or a draw under STM=Stochastic)."""
    sw = switches
    n = state.positions.shape[0]
    util, util_sq = bargain_utilities(state, saliences, bargains)
    new = state.positions.copy()
    queues: list[IntArray] = []
    probs: list[FloatArray] = []
    chosen = np.zeros(n, dtype=np.intp)
    b_index = np.arange(bargains.init.size)
    for k in range(n):
        own = b_index[bargains.init == k]
        recv = b_index[bargains.rcvr == k]
        recv = recv[np.argsort(bargains.init[recv], kind="stable")]
        queue = np.concatenate([[-1], own, recv]).astype(np.intp)
        u = np.concatenate([util_sq[:, None], util[:, queue[1:]]], axis=1)
        p = scalar_pce(capabilities, u, sw.voting_rule, sw.victory_model, sw.pce)
        if sw.state_transitions is StateTransition.STOCHASTIC:
            if rng is None:
                raise UsageError("STM=Stochastic needs a random generator", field="rng")
            pick = int(rng.choice(p.size, p=p / p.sum()))
        else:
            pick = int(np.argmax(p))
        b = int(queue[pick])
        if b >= 0:
            new[k] = bargains.pos_init[b] if bargains.init[b] == k else bargains.pos_rcvr[b]
        queues.append(queue)
        probs.append(p)
        chosen[k] = pick
    return QueueResult(new, queues, probs, chosen, util, util_sq)


# --------------------------------------------------------------------------------------------
# The run (§3, §9)


@dataclass(frozen=True)
class SMPResult:
    """What :func:`smp` returns. Positions are on [0, 1].

    Attributes:
        positions: ``(T + 1, n, m)`` positions per state.
        probabilities: ``(T + 1, n)`` PCE probability of each actor's position per state.
        expected: ``(T + 1, m)`` PCE-weighted mean of the unique positions per state.
        modal: ``(T + 1, m)`` the most probable unique position per state.
        final_reps: representative actors of the unique final positions.
        final_rep_prob: their PCE probabilities.
        turns: T, the number of turns.
        converged: whether the run stopped on its own (False if ``max_turns`` was reached).
        stop_reason: ``"ratio"`` (KTAB's stop test), ``"max_turns"``, or ``"degenerate"``: the
            last state is degenerate (e.g. every actor at one position), where KTAB aborts and
            accord stops.
    """

    positions: FloatArray
    probabilities: FloatArray
    expected: FloatArray
    modal: FloatArray
    final_reps: IntArray
    final_rep_prob: FloatArray
    turns: int
    converged: bool
    stop_reason: str


def _check_inputs(x: FloatArray, s: FloatArray, c: FloatArray) -> None:
    if x.ndim != 2 or s.shape != x.shape or c.shape != (x.shape[0],):
        raise UsageError(
            "smp needs positions and saliences of shape (n, m) and capabilities of shape (n,)",
            expected=f"shapes (n, m), (n, m), (n,); got {x.shape}, {s.shape}, {c.shape}",
        )
    if x.shape[0] < 2 or x.shape[1] < 1:
        raise UsageError("smp needs at least 2 actors and 1 dimension", field="positions")
    for name, arr in (("positions", x), ("saliences", s)):
        if not (np.all(np.isfinite(arr)) and np.all(arr >= 0.0) and np.all(arr <= 1.0)):
            raise UsageError(f"smp {name} must lie on [0, 1]", field=name, expected="[0, 1]")
    if not np.all(s.sum(axis=1) > 0.0):
        raise UsageError("every actor needs a positive salience", field="saliences")
    if not (np.all(np.isfinite(c)) and np.all(c > 0.0)):
        raise UsageError("smp capabilities must be positive", field="capabilities", expected="> 0")


def smp(
    positions: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    switches: SMPSwitches | None = None,
    max_turns: int = 100,
    rng: np.random.Generator | None = None,
    strict_start: bool = True,
    engine: str = "compiled",
) -> SMPResult:
    """Run KTAB's Spatial Model of Politics to convergence (see the module docstring).

    Args:
        positions: ``(n, m)`` on [0, 1] (KTAB's 0-100 divided by 100).
        saliences: ``(n, m)`` on [0, 1]; an actor's row should sum to at most 1 (not
            renormalised: ``S_i`` is the probability that i resists a challenge).
        capabilities: ``(n,)``, > 0, used raw.
        switches: KTAB's switches (defaults: KTAB's defaults).
        max_turns: the turn limit (KTAB: 100).
        rng: used only by ``state_transitions=Stochastic``.
        strict_start: abort, as KTAB does, when the initial state is degenerate (risk
            attitudes leave every utility unchanged, e.g. all actors at the two ends of a 1-D
            scale); otherwise start from risk-neutral attitudes (``R = 0``) and go on.
        engine: for the switches the engines cover (:func:`engine_supports`), ``"compiled"``
            (:mod:`accord.models.smp_compiled`, the default) or ``"numpy"`` (:func:`smp_batch`);
            both equal the step functions bit for bit. Other switches use the step functions.

    Returns:
        An :class:`SMPResult`.
    """
    sw = switches if switches is not None else SMPSwitches()
    x = np.array(positions, dtype=np.float64)
    s = np.array(saliences, dtype=np.float64)
    c = np.array(capabilities, dtype=np.float64)
    _check_inputs(x, s, c)
    if max_turns < 1:
        raise UsageError("max_turns must be at least 1", field="max_turns", expected=">= 1")
    if engine not in ENGINES:
        raise UsageError(f"smp engine {engine!r}", field="engine", expected=" or ".join(ENGINES))
    if engine_supports(sw):
        if engine == "compiled":
            return _smp_compiled(x, s, c, sw, max_turns, strict_start)
        return _smp_engine(x, s, c, sw, max_turns, strict_start)
    resist = seq_sum(s, axis=1)
    weights = resist * c
    states = [setup_state(x, x, s, c, sw, strict=strict_start)]
    history = [x]
    converged = False
    stop_reason = ""
    while True:
        st = states[-1]
        ch = all_challenges(st, weights, resist, sw)
        targets = choose_targets(ch.edu)
        bargains = make_bargains(st, s, c, weights, resist, targets, ch.prob, sw)
        queue = resolve_queues(st, s, c, bargains, sw, rng)
        new = queue.new_positions
        history.append(new)
        # Identity accommodation (CSV input): the new ideals are the new positions (§9).
        states.append(setup_state(new, new, s, c, sw, strict=False))
        t = len(history) - 1
        if states[-1].degenerate:
            stop_reason = "degenerate"
            converged = True
            break
        first = float(seq_sum(_euclid(history[1], history[0]), axis=0))
        last = float(seq_sum(_euclid(history[t], history[t - 1]), axis=0))
        ratio = last / (first + STOP_FLOOR)
        if t >= 2 and ratio < STOP_RATIO:
            stop_reason = "ratio"
            converged = True
            break
        if t >= max_turns:
            stop_reason = "max_turns"
            break
    return SMPResult(
        positions=np.stack(history),
        probabilities=np.stack([state.actor_prob for state in states]),
        expected=np.stack([state.expected for state in states]),
        modal=np.stack([state.modal for state in states]),
        final_reps=states[-1].reps,
        final_rep_prob=states[-1].rep_prob,
        turns=len(history) - 1,
        converged=converged,
        stop_reason=stop_reason,
    )


# --------------------------------------------------------------------------------------------
# Batched engine: B independent runs at once (the default path of :func:`smp`)
#
# The same formulas as the step functions above, on arrays with a leading batch axis and with
# no Python loop over actors. Every "in order" sum of the brief is a reduction over the *first*
# axis of a C-contiguous buffer (:func:`_sum_rows`), which NumPy computes row after row, i.e. as
# KTAB's left-to-right loop; the products run through ``np.multiply.accumulate``. Options that
# differ in number between draws or queues (unique positions, queue entries) are padded and
# masked: a padded option gets victory probability 1.0 (an exact no-op in the product) and
# probability 0.0 (an exact no-op in the sums). The engine is therefore bit-identical to the
# step functions (``tests/unit/test_smp_batch.py`` checks it on the reference data and on
# random inputs). It covers PCE=Conditional, STM=Deterministic and BargnModel=InitOnlyInterp
# with every value of the other six switches; :func:`smp` falls back to the step functions
# otherwise.

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


def engine_supports(switches: SMPSwitches) -> bool:
    """Whether :func:`smp_batch` covers these switches (else :func:`smp` uses the step path)."""
    return (
        switches.pce is PCEModel.CONDITIONAL
        and switches.state_transitions is StateTransition.DETERMINISTIC
        and switches.bargain_model is BargainModel.INIT_ONLY
    )


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
    """:func:`unique_positions` per draw: representative mask ``(B, n)`` and, for each actor,
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
    """:func:`all_challenges` for a batch: ``pi_ij`` and ``edu_ij``, ``(B, n, n)`` (diagonal
    unused). The third-party sums are ``(n, B, i, j)`` buffers summed over the first axis."""
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
    for lw in np.unique(flat_len).tolist():
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
        positions, saliences: ``(B, n, m)`` on [0, 1]; capabilities ``(B, n)`` (> 0). Inputs
            are not checked here (:func:`smp` and the batch kernel check them).
        switches: must satisfy :func:`engine_supports`.
        max_turns, strict_start: as :func:`smp`.
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


def _smp_engine(
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


# --------------------------------------------------------------------------------------------
# The compiled engine (accord.models.smp_compiled): the same runs as explicit Numba loops

#: Engines for the covered switches: compiled loops (default) and the NumPy batched engine.
ENGINES = ("compiled", "numpy")


def _codes(sw: SMPSwitches) -> NDArray[np.intp]:
    return compiled.switch_codes(
        sw.voting_rule,
        sw.victory_model,
        sw.big_r_range,
        sw.big_r_adjust,
        sw.third_party_commit is ThirdPartyCommit.SEMI_COMMIT,
        str(sw.bargain_interpolation.value),
    )


def _raise_engine_error(error: int, check: float) -> None:
    if error == compiled.ERR_DEGENERATE_START:
        raise degenerate_start_error()
    if error == compiled.ERR_BARGAIN_UTILITY:
        raise bargain_utility_error()
    if error == compiled.ERR_PCE_SUM:
        raise pce_sum_error(check)


def _smp_compiled(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    sw: SMPSwitches,
    max_turns: int,
    strict_start: bool,
) -> SMPResult:
    """:func:`smp` through the compiled engine (every state recorded)."""
    res = compiled.run_one(x, s, c, _codes(sw), max_turns, strict_start)
    _raise_engine_error(res.error, res.check)
    reps = np.flatnonzero(res.final_is_rep).astype(np.intp)
    return SMPResult(
        positions=res.positions,
        probabilities=res.probabilities,
        expected=res.expected,
        modal=res.modal,
        final_reps=reps,
        final_rep_prob=res.final_rep_prob[reps],
        turns=res.turns,
        converged=res.stop != compiled.STOP_MAX_TURNS,
        stop_reason=compiled.STOP_NAMES[res.stop],
    )


def smp_batch_compiled(
    positions: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    switches: SMPSwitches | None = None,
    max_turns: int = 100,
) -> SMPBatchResult:
    """:func:`smp_batch` (``strict_start=False``, nothing recorded) through the compiled engine,
    the draws in parallel over Numba's threads; equal to :func:`smp_batch` bit for bit.

    Raises the first failing draw's :class:`UsageError` (degenerate input).
    """
    sw = switches if switches is not None else SMPSwitches()
    if not engine_supports(sw):
        raise UsageError(
            "the compiled engine covers PCE=Conditional, STM=Deterministic, InitOnlyInterp"
        )
    res = compiled.run_many(positions, saliences, capabilities, _codes(sw), max_turns)
    failed = np.flatnonzero(res.errors)
    if failed.size:
        _raise_engine_error(int(res.errors[failed[0]]), float(res.checks[failed[0]]))
    return SMPBatchResult(
        expected=res.expected,
        modal=res.modal,
        turns=res.turns,
        converged=res.stops != compiled.STOP_MAX_TURNS,
        stop_reason=[compiled.STOP_NAMES[int(code)] for code in res.stops],
    )


# --------------------------------------------------------------------------------------------
# Adapter

DEFAULTS: dict[str, Any] = {
    **SMPSwitches().as_dict(),
    "max_turns": 100,
    "outcome": "mean",
    "abort_on_degenerate": False,
    "engine": "compiled",
}
#: Salience rows summing to more than 1 + this are divided by their sum (rounding slack).
SALIENCE_SUM_TOL = 1e-9


def run(issue: IssueArrays, params: Mapping[str, Any], rng: np.random.Generator) -> ModelRun:
    """Run :func:`smp` on one issue; positions go through ``issue.to_unit``/``from_unit``.

    Parameters: the nine switches by lower-case name with KTAB's value names, ``max_turns``, and
    ``outcome``: ``"mean"`` (PCE-weighted mean of the unique final positions) or ``"mode"`` (the
    most probable unique final position); ``engine``: ``"compiled"`` or ``"numpy"`` (the same
    results bit for bit; see :func:`smp`).
    """
    p = check_params("smp", DEFAULTS, params)
    switches = SMPSwitches.from_names(**{key: p[key] for key in SMPSwitches().as_dict()})
    max_turns = p["max_turns"]
    if isinstance(max_turns, bool) or not isinstance(max_turns, int | np.integer) or max_turns < 1:
        raise UsageError(f"smp max_turns {max_turns!r}", field="max_turns", expected="int >= 1")
    outcome = str(p["outcome"])
    if outcome not in ("mean", "mode"):
        raise UsageError(f"smp outcome {outcome!r}", field="outcome", expected="'mean' or 'mode'")
    x = issue.to_unit(issue.positions)
    sal = np.array(issue.saliences, dtype=np.float64)
    totals = sal.sum(axis=1)
    over = totals > 1.0 + SALIENCE_SUM_TOL
    sal[over] = sal[over] / totals[over, None]
    # KTAB refuses actors with no salience or no capability (their vote weight is 0). They have
    # no stake and no power, so accord leaves them out of the bargaining and holds them still.
    active = (sal.sum(axis=1) > 0.0) & (issue.capabilities > 0.0)
    if int(active.sum()) < 2:
        raise UsageError(
            "smp needs at least 2 actors with positive salience and capability",
            field="saliences",
            expected="2 or more actors who care about the issue",
        )
    res = smp(
        x[active],
        sal[active],
        issue.capabilities[active],
        switches,
        int(max_turns),
        rng,
        strict_start=bool(p["abort_on_degenerate"]),
        engine=str(p["engine"]),
    )
    final_unit = res.modal[-1] if outcome == "mode" else res.expected[-1]
    ids = issue.actor_ids
    unit_positions = np.repeat(x[None, :, :], res.positions.shape[0], axis=0)
    unit_positions[:, active, :] = res.positions
    positions = issue.from_unit(unit_positions)
    # Round 0 and the actors held still keep their exact input values (no unit-scale round trip).
    positions[0] = issue.positions
    positions[:, ~active, :] = issue.positions[~active]
    active_ids = [a for a, keep in zip(ids, active, strict=True) if keep]
    return ModelRun(
        model="smp",
        positions=positions,
        outcome=issue.from_unit(final_unit),
        series={"expected": issue.from_unit(res.expected)},
        diagnostics={
            "turns": res.turns,
            "converged": res.converged,
            "stop_reason": res.stop_reason,
            "switches": switches.as_dict(),
            "outcome": outcome,
            "final_probabilities": {
                a: float(v) for a, v in zip(active_ids, res.probabilities[-1], strict=True)
            },
            "modal_position": [float(v) for v in issue.from_unit(res.modal[-1])],
            "unique_final_positions": [
                {
                    "actor": active_ids[int(r)],
                    "position": [float(v) for v in issue.from_unit(res.positions[-1][int(r)])],
                    "probability": float(q),
                }
                for r, q in zip(res.final_reps, res.final_rep_prob, strict=True)
            ],
            "salience_rows_normalised": [a for a, o in zip(ids, over, strict=True) if o],
            "inactive_actors": [a for a, keep in zip(ids, active, strict=True) if not keep],
        },
    )


SPEC = ModelSpec(
    name="smp",
    summary="KTAB's Spatial Model of Politics: challenges, bargains and PCE queues (KAPSARC)",
    citation="KTAB; Wise2015",
    run=run,
    defaults=DEFAULTS,
    stochastic=False,
    uses_status_quo=False,
)
