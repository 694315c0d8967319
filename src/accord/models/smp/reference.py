"""SMP's reference step functions: one state, one turn, one actor's queue at a time (§4-§10).

The formulas as the brief ``ktab-smp.md`` writes them, with NumPy over one problem. They cover
every switch value (the engines cover PCE=Conditional, STM=Deterministic, InitOnlyInterp), and
both engines are tested against them bit for bit. :func:`run_reference` is
``smp(..., engine="reference")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.models.smp.pce import (
    BigRAdjust,
    big_r_from_prob,
    estimated_risk,
    scalar_pce,
    seq_sum,
    utility,
    victory,
    vote,
)
from accord.models.smp.switches import (
    BARGAIN_FLOOR,
    CHALLENGE_SEED,
    CHUNK_ELEMENTS,
    EQUIV_TOL,
    GRID,
    MIN_EDU,
    SANITY_TOL,
    STOP_FLOOR,
    STOP_RATIO,
    BargainInterpolation,
    BargainModel,
    IntArray,
    SMPSwitches,
    StateTransition,
    ThirdPartyCommit,
    bargain_utility_error,
    degenerate_start_error,
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
    """Resolve each actor's queue of bargains (section 8).

    §8: each actor's queue [SQ, own bargain(s), received bargains by initiator], a PCE with
    capability weights, and the first maximum (or a draw under STM=Stochastic).
    """
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


def run_reference(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    sw: SMPSwitches,
    max_turns: int,
    rng: np.random.Generator | None,
    strict_start: bool,
) -> SMPResult:
    """:func:`accord.models.smp.smp` through the step functions (inputs already checked)."""
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
