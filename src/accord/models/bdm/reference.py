"""BDM's single-run functions (one problem: one dimension of one issue), spec ``bdm-scholz.md``.

The reference implementation of every reading; :mod:`accord.models.bdm.engine_numpy` runs the
same functions over many problems at once and :mod:`accord.models.bdm.engine_numba` compiles
reading S1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.models.bdm.params import MEDIAN_TIE_TOL, SECURITY_TIE_TOL, BDMParams, BoolArray


@dataclass(frozen=True)
class BDMResult:
    """The output of :func:`bdm` for one dimension.

    Attributes:
        positions: ``(rounds + 1, n)`` positions per round; row 0 is the input.
        median: ``(rounds + 1,)`` the c s-weighted Condorcet median of each row (BDM's forecast).
        mean: ``(rounds + 1,)`` the c s-weighted mean sum w_i x_i / sum w_i of each row.
        risk: ``(rounds, n)`` the risk exponents r used in pass 2 of each round (for
            ``update="sequential"``, those the first mover of the round computed).
        status: ``"settled"`` (the last round repeats the one before), ``"cycle"`` (it repeats an
            earlier round), or ``"moving"``.
        period: the cycle length for ``"cycle"``, 1 for ``"settled"``, else ``None``.
    """

    positions: FloatArray
    median: FloatArray
    mean: FloatArray
    risk: FloatArray
    status: str
    period: int | None


def condorcet_median(x: FloatArray, w: FloatArray, tie: str = "lowest") -> float:
    """Return the w-weighted Condorcet median of the positions ``x`` (spec §3).

    The pairwise vote of Scholz et al. (2011) for candidate y_j over y_k is
    v(j, k) = sum_i w_i (|x_i - y_k| - |x_i - y_j|) / R = F(y_k) - F(y_j) with
    F(y) = sum_i w_i |x_i - y|, so the Condorcet winner is the actor position minimising F.
    Candidates whose normalised F(y) / (R sum w) is within :data:`MEDIAN_TIE_TOL` of the minimum
    tie; ``tie`` picks the lowest, the highest, or the first in data order [A15].

    Args:
        x: ``(n,)`` positions (the candidates are these positions).
        w: ``(n,)`` voting weights c_i s_i, >= 0.
        tie: ``"lowest"``, ``"highest"`` or ``"first"``.

    Returns:
        The winning position.
    """
    F = np.abs(x[None, :] - x[:, None]) @ w  # F[j] = sum_i w_i |x_i - x_j|
    scale = float(np.ptp(x)) * float(w.sum())
    gap = (F - F.min()) / scale if scale > 0 else np.zeros_like(F)
    tied = gap < MEDIAN_TIE_TOL
    if tie == "highest":
        return float(x[tied].max())
    if tie == "first":
        return float(x[int(np.argmax(tied))])
    return float(x[tied].min())


def weighted_mean(x: FloatArray, w: FloatArray) -> float:
    """Return the compromise position sum_i w_i x_i / sum_i w_i (Scholz Table 2's "mean")."""
    return float(np.dot(w, x) / w.sum())


#: Values of v_k(i, j) held at once by :func:`win_probabilities` (4M: 32 MB).
VOTE_BLOCK = 4 * 1024 * 1024


def win_probabilities(
    d: FloatArray,
    w: FloatArray,
    e: FloatArray,
    same: BoolArray,
    probability: str = "global",
    voters: str = "all",
) -> FloatArray:
    """Return P[i, j], the probability that i prevails over j (Scholz eq. 31 and spec §5 [A2-A4]).

    Voter k's vote for i over j is v_k(i, j) = w_k [d(k, j)^{e_k} - d(k, i)^{e_k}] (positive when k
    is closer to i), summed over voters in blocks (memory O(n^2), time O(n^3)).

    - ``"global"``: P(i, j) = sum_k max(0, v_k(i, j)) / sum_k sum_a sum_b |v_k(a, b)|, one
      normaliser over all ordered pairs (the reading that reproduces Scholz's Figs 7-10).
    - ``"dyadic"``: P(i, j) = sum_k max(0, v_k(i, j)) / sum_k |v_k(i, j)| (eq. 31 as printed); a
      dyad on which no voter has a preference gets 0.5.

    ``voters="third-parties"`` drops the votes of i and j themselves. P = 0 where x_i = x_j.

    Args:
        d: ``(n, n)`` normalised distances |x_a - x_b| / R.
        w: ``(n,)`` voting weights c_k s_k.
        e: ``(n,)`` the voters' exponents (1 in pass 1, r_k in pass 2 [A3]).
        same: ``(n, n)`` True where x_i = x_j.
        probability: ``"global"`` or ``"dyadic"``.
        voters: ``"all"`` or ``"third-parties"``.

    Returns:
        ``(n, n)`` probabilities.
    """
    n = d.shape[0]
    De = d ** e[:, None]  # De[k, a] = d(k, a)^{e_k}
    # sum_k max(0, v_k(i, j)), accumulated over blocks of voters k: the whole (n, n, n) array
    # would need 8 n^3 bytes (64 GB at 2,000 actors); a block holds about VOTE_BLOCK values.
    support = np.zeros((n, n))
    block = max(1, VOTE_BLOCK // max(1, n * n))
    for start in range(0, n, block):
        ks = np.arange(start, min(n, start + block))
        v = w[ks, None, None] * (De[ks, None, :] - De[ks, :, None])  # v[k, i, j]
        if voters == "third-parties":
            rows = np.arange(len(ks))
            v[rows, ks, :] = 0.0
            v[rows, :, ks] = 0.0
        support += np.maximum(v, 0.0, out=v).sum(axis=0)
    # v_k(j, i) = -v_k(i, j), so sum_k |v_k(i, j)| = support[i, j] + support[j, i].
    if probability == "dyadic":
        den = support + support.T
        P = np.full_like(support, 0.5)
        np.divide(support, den, out=P, where=den > 0)
    else:
        total = 2.0 * float(support.sum())
        P = support / total if total > 0 else np.zeros_like(support)
    return np.where(same, 0.0, P)


def expected_utilities(
    d: FloatArray,
    m: FloatArray,
    s: FloatArray,
    P: FloatArray,
    rho: FloatArray | float,
    q: float = 1.0,
    salience: str = "responder",
    bw_distance: str = "sum",
) -> FloatArray:
    """Return E[i, j] = E(i -> j; rho[i, j]), i's expected utility of challenging j (spec §4, §6).

    With delta = d(i, j), m_i = |x_i - mu| / R and exponent rho (spec §4; U_b and U_w are
    Scholz's eqs. 22-23):

    - U_s = 2 - 4 (0.5 - 0.5 delta)^rho,   U_f = 2 - 4 (0.5 + 0.5 delta)^rho
    - U_b = 2 - 4 (0.5 - 0.25 (m_i + delta))^rho,   U_w = 2 - 4 (0.5 + 0.25 (m_i + delta))^rho
    - U_sq = 2 - 4 (0.5)^rho

    and (eq. 25, responder's salience [A1]):
    E = s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s - Q U_sq - (1 - Q) [T U_b + (1 - T) U_w], with
    T = 1 if |x_i - mu| < |x_i - x_j| else 0 [A13].

    Args:
        d: ``(n, n)`` normalised distances.
        m: ``(n,)`` normalised distances of each actor from the median mu.
        s: ``(n,)`` saliences on [0, 1].
        P: ``(n, n)`` win probabilities P(i, j).
        rho: exponents, broadcastable to ``(n, n)`` (``r[:, None]`` for the challenger's own).
        q: Q, the probability that j does not respond.
        salience: ``"responder"`` (s_j) or ``"challenger"`` (s_i) [A1].
        bw_distance: ``"sum"`` (m + delta) or ``"difference"`` (|m - delta|) in U_b, U_w [A13].

    Returns:
        ``(n, n)`` expected utilities.
    """
    u_s = 2.0 - 4.0 * (0.5 - 0.5 * d) ** rho
    u_f = 2.0 - 4.0 * (0.5 + 0.5 * d) ** rho
    u_sq = 2.0 - 4.0 * 0.5**rho
    mi = m[:, None]
    spread = mi + d if bw_distance == "sum" else np.abs(mi - d)
    u_b = 2.0 - 4.0 * (0.5 - 0.25 * spread) ** rho
    u_w = 2.0 - 4.0 * (0.5 + 0.25 * spread) ** rho
    T = mi < d
    sal = s[None, :] if salience == "responder" else s[:, None]
    contest = sal * (P * u_s + (1.0 - P) * u_f) + (1.0 - sal) * u_s
    result: FloatArray = contest - q * u_sq - (1.0 - q) * np.where(T, u_b, u_w)
    return result


def risk_exponents(E1: FloatArray, security: str = "column") -> FloatArray:
    """Return the risk exponents r from the pass-1 utilities (spec §7, BDM 1985 eq. 34 [A7]).

    Sec_i = sum_{j != i} E1(j -> i) (``"column"``; ``"row"``: sum_{j != i} E1(i -> j)),
    R_i = (2 Sec_i - max_k Sec_k - min_k Sec_k) / (max_k Sec_k - min_k Sec_k) (0 when all Sec are
    equal within :data:`SECURITY_TIE_TOL`), r_i = (1 - R_i / 3) / (1 + R_i / 3) in [0.5, 2].

    Args:
        E1: ``(n, n)`` pass-1 utilities E1[i, j] = E(i -> j).
        security: ``"column"`` or ``"row"``.

    Returns:
        ``(n,)`` exponents.
    """
    off = np.where(np.eye(E1.shape[0], dtype=bool), 0.0, E1)
    sec = off.sum(axis=0) if security == "column" else off.sum(axis=1)
    hi, lo = float(sec.max()), float(sec.min())
    if hi - lo <= SECURITY_TIE_TOL * max(1.0, abs(hi), abs(lo)):
        big_r = np.zeros_like(sec)
    else:
        big_r = (2.0 * sec - hi - lo) / (hi - lo)
    r: FloatArray = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    return r


@dataclass(frozen=True)
class Offers:
    """The offers to each mover a from each proposer b, as ``(..., n, n)`` arrays (row = mover).

    Leading axes are independent problems (none in a single run; the batch kernel
    :mod:`accord.models.bdm.engine_numpy` passes ``(P, n, n)``).
    """

    conflict: BoolArray
    compromise: BoolArray
    compel: BoolArray
    offer: FloatArray  # the position a would move to (nan where no offer)
    K: FloatArray  # Scholz's compromise key (|A| x_a + |B| x_b) / (|A| + |B|)
    B: FloatArray  # the proposer's utility in the view that set the amount


def _offers(x: FloatArray, A: FloatArray, B: FloatArray, valid: BoolArray, p: BDMParams) -> Offers:
    """Classify every dyad from the view (A, B) and compute the offers (Fig. 6, spec §8)."""
    conflict = valid & (A > 0) & (B > A)
    upper = valid & (A < 0) & (B > 0)
    compromise = upper & (B > -A)
    compel = upper & (B <= -A) if p.compel == "full" else np.zeros_like(upper)
    xa = np.broadcast_to(x[..., :, None], A.shape)
    xb = np.broadcast_to(x[..., None, :], A.shape)
    absA, absB = np.abs(A), np.abs(B)
    ratio = np.zeros_like(A)
    np.divide(absA, B, out=ratio, where=upper)
    K = np.full_like(A, np.nan)
    np.divide(absA * xa + absB * xb, absA + absB, out=K, where=upper)
    amount = xa + (xb - xa) * ratio if p.compromise == "ratio" else K
    offer = np.where(conflict | compel, xb, np.where(compromise, amount, np.nan))
    return Offers(conflict, compromise, compel, offer, K, B)


def perceived_offers(
    x: FloatArray, A: FloatArray, B: FloatArray, valid: BoolArray, p: BDMParams
) -> Offers:
    """The offers under ``p.perception``, from A[a, b] = E(a -> b) and B[a, b] = E(b -> a).

    Works over leading problem axes (the last two are mover and proposer).
    """
    At, Bt = np.swapaxes(A, -1, -2), np.swapaxes(B, -1, -2)
    if p.perception == "mover":
        return _offers(x, A, B, valid, p)
    if p.perception == "proposer":  # b's view of the dyad: A_b = E(a -> b; b), B_b = E(b -> a; b)
        return _offers(x, Bt, At, valid, p)
    mine, theirs = _offers(x, A, B, valid, p), _offers(x, Bt, At, valid, p)
    return Offers(
        mine.conflict & theirs.conflict,
        mine.compromise & theirs.compromise,
        mine.compel & theirs.compel,
        mine.offer,
        mine.K,
        mine.B,
    )


def select_positions(x: FloatArray, o: Offers, p: BDMParams) -> FloatArray:
    """Return each actor's new position from its offers [A11]; ties go to the first proposer.

    ``x`` is ``(..., n)`` with the offers ``(..., n, n)``: leading axes are independent problems.
    """
    move = np.abs(o.offer - x[..., None])
    any_offer = o.conflict | o.compromise | o.compel
    stages: list[tuple[BoolArray, FloatArray]]
    if p.selection == "scholz":
        stages = [(o.conflict, move), (o.compromise, o.K), (o.compel, move)]
    elif p.selection == "category-least-movement":
        stages = [(o.conflict, move), (o.compromise, move), (o.compel, move)]
    elif p.selection == "least-movement":
        stages = [(any_offer, move)]
    else:  # most-enforceable: Scholz's category order, then the proposer with the largest B
        stages = [(o.conflict, -o.B), (o.compromise, -o.B), (o.compel, -o.B)]
    new = x.copy()
    decided = np.zeros(x.shape, dtype=bool)
    for mask, key in stages:
        # per row, the first column minimising ``key`` among ``mask``, where any is allowed
        idx = np.argmin(np.where(mask, key, np.inf), axis=-1)
        take = mask.any(axis=-1) & ~decided
        chosen = np.take_along_axis(o.offer, idx[..., None], axis=-1)[..., 0]
        new = np.where(take, chosen, new)
        decided |= take
    return new


def _decide(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    R: float,
    r_prev: FloatArray | None,
    p: BDMParams,
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """One round's decisions, all reading ``x`` [A8].

    Returns each actor's choice, the exponents r of the decisive pass, and the exponents to carry
    into the next round (``None`` for ``risk="two-pass-reset"``, which resets them to 1).
    """
    n = x.size
    ones = np.ones(n)
    if R <= 0.0 or n < 2:
        return x.copy(), ones, r_prev
    d = np.abs(x[:, None] - x[None, :]) / R
    mu = condorcet_median(x, w, p.median_tie)
    m = np.abs(x - mu) / R
    same = x[:, None] == x[None, :]

    def eu(P: FloatArray, rho: FloatArray | float) -> FloatArray:
        return expected_utilities(d, m, s, P, rho, p.q, p.salience, p.bw_distance)

    def probabilities(e: FloatArray) -> FloatArray:
        return win_probabilities(
            d, w, e if p.vote_exponent == "risk" else ones, same, p.probability, p.voters
        )

    r_next: FloatArray | None = None
    if p.risk == "off":
        r = ones
    elif p.risk == "carry":
        # One pass with the exponents of the previous round (1 in round 1); its utilities
        # E(j -> i; r_j) give the security levels and hence the exponents of the next round.
        r = ones if r_prev is None else r_prev
        r_next = risk_exponents(eu(probabilities(r), r[:, None]), p.security)
    elif p.risk == "once" and r_prev is not None:
        r = r_next = r_prev
    else:  # two passes: r = 1, then the exponents the pass-1 security levels give (spec §7)
        r = risk_exponents(eu(probabilities(ones), 1.0), p.security)
        r_next = r if p.risk == "once" else None
    P2 = probabilities(r)
    A = eu(P2, r[:, None])  # A[a, b] = E(a -> b; r_a)
    # B[a, b] = E(b -> a) in a's view: with r_a [A5 "viewer"] or with b's own r_b ["opponent"].
    B = eu(P2, r[None, :]).T if p.opponent_exponent == "viewer" else A.T
    return select_positions(x, perceived_offers(x, A, B, ~same, p), p), r, r_next


def _status(history: FloatArray, tol: float) -> tuple[str, int | None]:
    """Whether the last row repeats the one before (settled) or an earlier one (cycle)."""
    T = history.shape[0] - 1
    for back in range(1, T + 1):
        if np.allclose(history[T], history[T - back], rtol=0.0, atol=tol):
            return ("settled", 1) if back == 1 else ("cycle", back)
    return "moving", None


def bdm(
    positions: FloatArray,
    capabilities: FloatArray,
    saliences: FloatArray,
    params: BDMParams | None = None,
    *,
    scale: tuple[float, float] | None = None,
) -> BDMResult:
    """Run Bueno de Mesquita's expected-utility model on one dimension (Scholz et al. 2011).

    Each round (spec §2): the median mu (§3); pass 1 with r = 1 gives P1 and E1 (§5-6); the
    security levels give the risk exponents r (§7); pass 2 gives, for each mover a,
    A[a, b] = E(a -> b; r_a) and B[a, b] = E(b -> a; r_a); the offers to a are classified in a's
    view (Fig. 6, §8), a accepts one (§9), and all actors move together (§10). See
    :class:`BDMParams` for the ambiguities and their switches, and the module docstring for the
    formulas.

    Args:
        positions: ``(n,)`` initial positions x_i.
        capabilities: ``(n,)`` capabilities c_i >= 0 (only their ratios matter).
        saliences: ``(n,)`` saliences s_i on [0, 1].
        params: the switches; ``None`` means S1 (:class:`BDMParams` defaults).
        scale: ``(lo, hi)`` of the declared scale, needed only for ``range="scale"``.

    Returns:
        A :class:`BDMResult` with positions, median and mean per round.

    Raises:
        UsageError: on inconsistent shapes, values outside their domain, or all w = c s zero.
    """
    p = params if params is not None else BDMParams()
    x0 = np.asarray(positions, dtype=np.float64)
    c = np.asarray(capabilities, dtype=np.float64)
    s = np.asarray(saliences, dtype=np.float64)
    if x0.ndim != 1 or c.shape != x0.shape or s.shape != x0.shape:
        raise UsageError(
            f"bdm: positions {x0.shape}, capabilities {c.shape}, saliences {s.shape}",
            expected="three arrays of shape (n,)",
        )
    if not (np.isfinite(x0).all() and np.isfinite(c).all() and np.isfinite(s).all()):
        raise UsageError("bdm: an input is not finite", expected="finite numbers")
    if (c < 0).any():
        raise UsageError("bdm: a capability is negative", expected="capabilities >= 0")
    if ((s < 0) | (s > 1)).any():
        raise UsageError("bdm: a salience lies outside [0, 1]", expected="saliences in [0, 1]")
    w = c * s
    if not w.sum() > 0:
        raise UsageError("bdm: every actor has capability x salience 0", expected="some w > 0")
    if p.range == "scale":
        if scale is None or not scale[1] > scale[0]:
            raise UsageError("bdm: range='scale' needs the scale", expected="scale=(lo, hi)")
        fixed_range = float(scale[1] - scale[0])
    else:
        fixed_range = float(np.ptp(x0)) if x0.size else 0.0

    def range_of(x: FloatArray) -> float:
        return float(np.ptp(x)) if p.range == "current" else fixed_range

    n = x0.size
    history = np.empty((p.rounds + 1, n))
    history[0] = x0
    risk = np.ones((p.rounds, n))
    r_carry: FloatArray | None = None
    x = x0.copy()
    for t in range(p.rounds):
        if p.update == "simultaneous":
            x, risk[t], r_carry = _decide(x, s, w, range_of(x), r_carry, p)
        else:  # each mover in data order decides on the positions after the earlier moves
            r_start = r_carry
            for a in range(n):
                choice, r_used, r_next = _decide(x, s, w, range_of(x), r_start, p)
                if a == 0:
                    risk[t], r_carry = r_used, r_next
                x = x.copy()
                x[a] = choice[a]
        history[t + 1] = x
    median = np.array([condorcet_median(row, w, p.median_tie) for row in history])
    mean = np.array([weighted_mean(row, w) for row in history])
    status, period = _status(history, 1e-9 * max(1.0, fixed_range))
    return BDMResult(history, median, mean, risk, status, period)
