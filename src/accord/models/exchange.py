r"""Stokman's exchange model with equal gain: actors trade position shifts across pairs of issues.

Sources: Stokman, F.N. & Van Oosten, R. (1994), "The exchange of voting positions: an
object-oriented model of policy networks", in Bueno de Mesquita & Stokman (eds.), *European
Community Decision Making*, Yale UP, ch. 5, p. 105-127; Stokman, F.N. & Thomson, R. (2015),
"Winners and losers in the European Union", and Stokman, Van Oosten & Thomson's "Exchange Model"
as implemented in the ``decide-exchange-model`` package (version 2022.1.28,
``decide/model/equalgain.py``, ``base.py``, ``calculations.py``, ``utils.py``), which this module
follows formula by formula and rule by rule (it is the test oracle, see ``docs/models/exchange.md``).

Everything runs on decide's internal scale: positions are mapped to ``0..100`` per issue,
:math:`u = (x - lo) \cdot 100 / (hi - lo)`, and back at the end. Per issue ``d``, with power
``c_{id}`` and salience ``s_{id}``, the outcome is the Nash bargaining solution (NBS) of decide:

.. math:: O_d = \frac{\sum_i c_{id} s_{id} x_{id}}{\sum_i c_{id} s_{id}}, \qquad
          D_d = \sum_i c_{id} s_{id}.

**One round** (``ModelLoop.loop``):

1. Compute :math:`O_d` and mark actor ``i`` *left* on ``d`` when :math:`x_{id} \le O_d`.
2. For every issue pair ``(p, q)`` (file order, ``p`` before ``q``), split the actors holding a
   position on both into groups A (right on both), B (left on ``p`` only), C (left on ``q``
   only), D (left on both). Candidate exchanges are every pair A x D and B x C (actor order).
3. Roles: of the two actors, the one with the larger :math:`s_p / s_q` (the first actor on a tie)
   is ``I``: ``I`` *supplies* (moves on) ``q`` and *demands* ``p``; ``J`` supplies ``p`` and
   demands ``q``.
4. Equal gain (``EqualGainExchange.calculate``). ``J`` first moves all the way to ``I``'s
   position on ``p``: :math:`\Delta_p = |x_{Ip} - x_{Jp}|\, c_{Jp} s_{Jp} / D_p` (the NBS
   shift), and equal gain, :math:`\Delta_p s_{Ip} - \Delta_q s_{Iq} = \Delta_q s_{Jq} -
   \Delta_p s_{Jp}`, gives

   .. math:: \Delta_q = \Delta_p \frac{s_{Ip} + s_{Jp}}{s_{Iq} + s_{Jq}}, \qquad
             m_I = \Delta_q D_q / (c_{Iq} s_{Iq}).

   If :math:`|m_I| > |x_{Jq} - x_{Iq}|` the roles flip: ``I`` moves all the way,
   :math:`\Delta_q = |x_{Jq} - x_{Iq}|\, c_{Iq} s_{Iq} / D_q`,
   :math:`\Delta_p = \Delta_q (s_{Iq} + s_{Jq}) / (s_{Ip} + s_{Jp})`,
   :math:`m_J = \Delta_p D_p / (c_{Jp} s_{Jp})`. Each move points towards the other actor; the
   voting positions are :math:`y = x + m`; the gain of both is
   :math:`|\Delta_p s_{Ip} - \Delta_q s_{Iq}|`.
5. Validity (``is_move_valid``): :math:`10^{-10} < |m| \le 100`, ``x + m`` in ``[0, 100]``, the
   sum of the actor's moves in this exchange's history at most 100, all those moves of one sign;
   and the gain at least :math:`10^{-10}`.
6. NBS check (``check_nbs``, first for ``I``, then for ``J``): if the supplier's move carries the
   NBS of its supply issue past the demander's position ``x``, the supplier moves only as far as
   puts the NBS on ``x``: :math:`\delta = |x D - N| / (c s)` with ``N`` the NBS numerator at the
   current positions, its NBS shift :math:`r = \delta c s / D`, the partner's by equal gain
   (as in 4), and both moves and the gain are recomputed. When the NBS already sits on ``x``
   (an earlier NBS-limited exchange put it there), decide's branch depends on ``Decimal``
   rounding noise; here an NBS within ``NBS_EPS`` (1e-9) of ``x`` counts as on it, and the check
   is read as in exact arithmetic (``x >= nbs_0`` holds, so the move is not limited).
7. Carry out the valid candidate with the highest gain (``highest_gain``; ties: the first in the
   list, which is re-sorted stably by gain after every exchange). Every other candidate that
   shares a supplier and supply issue with it starts from the new position (its own previous
   move stays in its history); a candidate whose actor demands an issue that the exchange moved
   records the new position of the mover (``update_updates``) for its NBS checks; those
   candidates are recomputed (4-6) and dropped when invalid. Repeat until none is left.
8. The voting positions ``y`` give the round's NBS. Then every mover's next start position is
   :math:`x' = ((1 - s) w_s + w_f) y + (1 - (1 - s) w_s - w_f) x` (``new_start_position``;
   :math:`w_s = 0.4`, :math:`w_f = 0.1`), with ``x`` the round's start position.

The outcome after ``rounds`` rounds is the NBS at the final start positions (decide's
``model.calc_nbs()`` after the last loop).

**Ties and decide's randomness.** decide breaks exact ties between the two highest gains with
Python's global ``random`` unless ``EqualGainModel.ALLOW_RANDOM`` is false, and even then gains
that are equal in exact arithmetic differ by rounding noise in the 27th digit of its ``Decimal``
arithmetic. This module compares gains rounded to ``tie_decimals`` (12) decimals and takes the
first of equal ones in list order (the candidates' construction order, re-sorted stably after
every exchange): decide with ``ALLOW_RANDOM = False`` and the same rounding in its sort. Actors with zero power or salience on either issue of a pair take no part
in that pair's exchanges (decide would divide by zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.models.base import (
    FloatArray,
    IssueArrays,
    ModelParams,
    ModelRun,
    ModelSpec,
    ScenarioArrays,
    ScenarioModel,
    ScenarioRun,
)

IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

SCALE = 100.0
"""decide's internal scale: every issue runs from 0 to 100."""
MOVE_EPS = 1e-10
"""Moves at or below this (on 0..100) are no move (``is_move_valid``)."""
GAIN_EPS = 1e-10
"""Exchanges with a gain below this are invalid (``EqualGainExchange.calculate``)."""
NBS_EPS = 1e-9
"""In the NBS check, an NBS this close to the demander's position counts as on it (see the
module docstring, step 6)."""


@dataclass(frozen=True)
class ExchangeResult:
    """The result of :func:`run_scenario`, on the issues' own scales.

    Attributes:
        positions: ``(T + 1, n, p)`` start positions per round (NaN where an actor has none);
            index ``T`` is the final state.
        voting: ``(T, n, p)`` voting positions at the end of each round.
        nbs: ``(T + 1, p)`` NBS at the start positions (index ``T``: the outcome).
        nbs_voting: ``(T, p)`` NBS at each round's voting positions.
        exchanges: per round, the exchanges in the order carried out (actor and issue indices,
            positions on the issue scale, gain on decide's 0..100 scale).
        ties: per round, how often the two best gains were tied.
    """

    positions: FloatArray
    voting: FloatArray
    nbs: FloatArray
    nbs_voting: FloatArray
    exchanges: list[list[dict[str, Any]]] = field(default_factory=list)
    ties: list[int] = field(default_factory=list)

    @property
    def outcome(self) -> FloatArray:
        """The final NBS per issue."""
        return np.asarray(self.nbs[-1])


def nbs(positions: FloatArray, saliences: FloatArray, power: FloatArray) -> FloatArray:
    r"""Decide's NBS per issue, :math:`\sum_i c s x / \sum_i c s` (0 where the sum is 0).

    Missing actor-issue pairs are NaN in ``positions`` and count with weight 0.
    """
    x = np.asarray(positions, dtype=np.float64)
    w = np.where(np.isnan(x), 0.0, np.asarray(saliences, dtype=np.float64) * power)
    den = w.sum(axis=0)
    num = (w * np.nan_to_num(x)).sum(axis=0)
    return np.asarray(np.divide(num, den, out=np.zeros_like(num), where=den != 0))


def new_start_position(
    salience: FloatArray, x: FloatArray, y: FloatArray, salience_weight: float, fixed_weight: float
) -> FloatArray:
    """Decide's ``new_start_position``: :math:`((1-s) w_s + w_f) y + (1 - (1-s) w_s - w_f) x`."""
    a = (1.0 - salience) * salience_weight
    return np.asarray(a * y + fixed_weight * y + (1.0 - a - fixed_weight) * x)


class _Round:
    """State of every candidate exchange of one round (arrays over candidates ``k``)."""

    def __init__(self, x0: FloatArray, s: FloatArray, c: FloatArray, tie_decimals: int) -> None:
        n, n_issues = x0.shape
        self.quantum = 10.0**tie_decimals
        present = ~np.isnan(x0)
        self.xf = np.nan_to_num(x0)  # (n, P) positions, 0 where missing
        self.cs = np.where(present, c * s, 0.0)  # (n, P)
        self.den = self.cs.sum(axis=0)  # D_d
        self.num0 = (self.cs * self.xf).sum(axis=0)  # N_d at the start
        self.nbs0 = np.divide(self.num0, self.den, out=np.zeros(n_issues), where=self.den != 0)
        left = self.xf <= self.nbs0
        able = present & (self.cs > 0)

        # step 2: candidates in decide's order (issue pair, A x D then B x C, actor i, actor j)
        p_all, q_all = np.triu_indices(n_issues, 1)
        group = left[:, p_all].astype(np.int8) + 2 * left[:, q_all].astype(np.int8)  # (n, pairs)
        both = able[:, p_all] & able[:, q_all]
        first = np.stack([both & (group == 0), both & (group == 1)], axis=1)  # (n, 2, pairs)
        second = np.stack([both & (group == 3), both & (group == 2)], axis=1)
        cand = first.transpose(2, 1, 0)[:, :, :, None] & second.transpose(2, 1, 0)[:, :, None, :]
        pair, _kind, a, b = np.nonzero(cand)
        p, q = p_all[pair], q_all[pair]

        # step 3: roles (I supplies q, demands p)
        swap = s[a, p] / s[a, q] < s[b, p] / s[b, q]
        ai, aj = np.where(swap, b, a), np.where(swap, a, b)
        self.ai, self.aj, self.p, self.q = ai, aj, p, q
        self.sip, self.siq, self.sjp, self.sjq = s[ai, p], s[ai, q], s[aj, p], s[aj, q]
        self.csi, self.csj = self.cs[ai, q], self.cs[aj, p]  # c s of each on its supply issue
        self.dp, self.dq = self.den[p], self.den[q]
        self.xid, self.xjd = self.xf[ai, p], self.xf[aj, q]  # demand-issue positions (fixed)
        self.start_i, self.start_j = self.xf[ai, q], self.xf[aj, p]
        k = ai.size
        self.xis, self.xjs = self.start_i.copy(), self.start_j.copy()
        self.mi, self.mj = np.zeros(k), np.zeros(k)
        self.yi, self.yj = self.xis.copy(), self.xjs.copy()
        self.gain = np.zeros(k)
        self.valid = np.zeros(k, dtype=bool)
        inf = np.full(k, np.inf)
        # history of earlier moves per side (decide's ``moves`` list minus its last entry)
        self.hsum_i, self.hmin_i, self.hmax_i = np.zeros(k), inf.copy(), -inf
        self.hsum_j, self.hmin_j, self.hmax_j = np.zeros(k), inf.copy(), -inf.copy()
        # ``updates``: positions of other movers on issue p / q recorded for the NBS checks
        self.upd_p = np.full((k, n), np.nan)
        self.upd_q = np.full((k, n), np.nan)

    # -- helpers ------------------------------------------------------------------------------

    def _numerator(self, idx: IntArray, on_q: bool) -> tuple[FloatArray, FloatArray]:
        """NBS numerator of the supply issue with a candidate's updates.

        NBS numerator of the supply issue with the candidate's updates, and the supplier's
        position as counted in it (its update if it has one, else its start position).
        """
        issue = self.q[idx] if on_q else self.p[idx]
        actor = self.ai[idx] if on_q else self.aj[idx]
        upd = (self.upd_q if on_q else self.upd_p)[idx]
        base = self.xf.T[issue]  # (k, n)
        pos = np.where(np.isnan(upd), base, upd)
        num = (self.cs.T[issue] * pos).sum(axis=1)
        rows = np.arange(idx.size)
        return num, pos[rows, actor]

    @staticmethod
    def _move_ok(
        m: FloatArray, x: FloatArray, hsum: FloatArray, hmin: FloatArray, hmax: FloatArray
    ) -> BoolArray:
        """Decide's ``is_move_valid`` (the history plus the current move ``m``)."""
        lo, hi = np.minimum(hmin, m), np.maximum(hmax, m)
        return np.asarray(
            (np.abs(m) <= SCALE)
            & (np.abs(m) > MOVE_EPS)
            & (x + m >= 0.0)
            & (x + m <= SCALE)
            & (hsum + m <= SCALE)
            & (((lo < 0) & (hi < 0)) | ((lo > 0) & (hi > 0)))
        )

    def _valid(self, idx: IntArray) -> BoolArray:
        ok_i = self._move_ok(
            self.mi[idx], self.xis[idx], self.hsum_i[idx], self.hmin_i[idx], self.hmax_i[idx]
        )
        ok_j = self._move_ok(
            self.mj[idx], self.xjs[idx], self.hsum_j[idx], self.hmin_j[idx], self.hmax_j[idx]
        )
        return ok_i & ok_j

    # -- step 4-6 -----------------------------------------------------------------------------

    def calculate(self, idx: IntArray) -> None:
        """``EqualGainExchange.calculate`` for the candidates ``idx``."""
        if idx.size == 0:
            return
        sip, siq, sjp, sjq = self.sip[idx], self.siq[idx], self.sjp[idx], self.sjq[idx]
        csi, csj, dp_, dq_ = self.csi[idx], self.csj[idx], self.dp[idx], self.dq[idx]
        xis, xjs, xid, xjd = self.xis[idx], self.xjs[idx], self.xid[idx], self.xjd[idx]
        dist_p, dist_q = np.abs(xid - xjs), np.abs(xjd - xis)
        r_p = dist_p * csj / dp_
        r_q = (sjp + sip) / (sjq + siq) * r_p
        mi = r_q * dq_ / csi
        mj = dist_p.copy()
        flip = np.abs(mi) > dist_q
        r_q = np.where(flip, dist_q * csi / dq_, r_q)
        r_p = np.where(flip, (siq + sjq) / (sip + sjp) * r_q, r_p)
        mi = np.where(flip, dist_q, mi)
        mj = np.where(flip, r_p * dp_ / csj, mj)
        mi = np.where(xis > xjd, -mi, mi)
        mj = np.where(xjs > xid, -mj, mj)
        self.mi[idx], self.mj[idx] = mi, mj
        self.yi[idx], self.yj[idx] = xis + mi, xjs + mj
        self.gain[idx] = np.abs(r_q * siq - r_p * sip)
        ok = self._valid(idx) & (self.gain[idx] >= GAIN_EPS)
        self.valid[idx] = ok
        checked = idx[ok]
        self._check_nbs(checked, supplier_i=True)
        self._check_nbs(checked, supplier_i=False)
        self.valid[checked] = self._valid(checked)

    def _check_nbs(self, idx: IntArray, supplier_i: bool) -> None:
        """``AbstractExchangeActor.check_nbs`` for the supplier ``I`` (or ``J``) of ``idx``."""
        if idx.size == 0:
            return
        num, counted = self._numerator(idx, on_q=supplier_i)
        if supplier_i:
            cs_a, den, x_sup, y, target = (
                self.csi[idx],
                self.dq[idx],
                self.xis[idx],
                self.yi[idx],
                self.xjd[idx],
            )
        else:
            cs_a, den, x_sup, y, target = (
                self.csj[idx],
                self.dp[idx],
                self.xjs[idx],
                self.yj[idx],
                self.xid[idx],
            )
        rest = num - cs_a * counted
        nbs_0 = (rest + cs_a * x_sup) / den
        nbs_1 = (rest + cs_a * y) / den
        # an NBS on the demander's position (to NBS_EPS) reads as in exact arithmetic: no limit
        above = (target >= nbs_0 - NBS_EPS) & (target >= nbs_1)
        below = (target <= nbs_0 + NBS_EPS) & (target <= nbs_1)
        crossed = ~(above | below)
        sub = idx[crossed]
        if sub.size == 0:
            return
        # adjusted_nbs_by_position: supplier at its supply position, then the updates on top
        upd = (self.upd_q if supplier_i else self.upd_p)[sub]
        actor = (self.ai if supplier_i else self.aj)[sub]
        own = upd[np.arange(sub.size), actor]
        x_in = np.where(np.isnan(own), (self.xis if supplier_i else self.xjs)[sub], own)
        rest_c, cs_c, den_c = rest[crossed], cs_a[crossed], den[crossed]
        delta = np.abs((target[crossed] * den_c - (rest_c + cs_c * x_in)) / cs_c)
        r_a = delta * cs_c / den_c
        sip, siq, sjp, sjq = self.sip[sub], self.siq[sub], self.sjp[sub], self.sjq[sub]
        if supplier_i:
            r_i, r_j = r_a, (siq + sjq) / (sip + sjp) * r_a
            mi, mj = delta, np.abs(r_j * self.dp[sub] / self.csj[sub])
            self.gain[sub] = np.abs(r_j * sjp - r_i * sjq)
        else:
            r_j, r_i = r_a, (sjp + sip) / (sjq + siq) * r_a
            mj, mi = delta, np.abs(r_i * self.dq[sub] / self.csi[sub])
            self.gain[sub] = np.abs(r_i * siq - r_j * sip)
        mi = np.where(self.xis[sub] > self.xjd[sub], -mi, mi)
        mj = np.where(self.xjs[sub] > self.xid[sub], -mj, mj)
        self.mi[sub], self.mj[sub] = mi, mj
        self.yi[sub], self.yj[sub] = self.xis[sub] + mi, self.xjs[sub] + mj

    # -- step 7 -------------------------------------------------------------------------------

    def best(self, order: IntArray) -> IntArray:
        """Stable sort of ``order`` by gain rounded to ``tie_decimals`` decimals, highest first."""
        return order[np.argsort(-self.key(order), kind="stable")]

    def key(self, order: IntArray) -> FloatArray:
        """The gain rounded to ``tie_decimals`` decimals (half to even), in units of the last."""
        return np.asarray(np.rint(self.gain[order] * self.quantum))

    def recalculate(self, idx: IntArray, e: int) -> None:
        """``AbstractExchange.recalculate`` of the candidates ``idx`` after carrying out ``e``."""
        ai, aj, p, q = self.ai[idx], self.aj[idx], self.p[idx], self.q[idx]
        ei, ej, ep, eq = self.ai[e], self.aj[e], self.p[e], self.q[e]
        # same supplier and supply issue: start from the new position
        i_as_i = (ai == ei) & (q == eq)
        i_as_j = ~i_as_i & (ai == ej) & (q == ep)
        j_as_i = (aj == ei) & (p == eq)
        j_as_j = ~j_as_i & (aj == ej) & (p == ep)
        hit_i, hit_j = i_as_i | i_as_j, j_as_i | j_as_j
        self.xis[idx] = np.where(i_as_i, self.yi[e], np.where(i_as_j, self.yj[e], self.xis[idx]))
        self.xjs[idx] = np.where(j_as_i, self.yi[e], np.where(j_as_j, self.yj[e], self.xjs[idx]))
        # the previous move of a matched side stays in its history
        for hit, m, hs, hmn, hmx in (
            (hit_i, self.mi, self.hsum_i, self.hmin_i, self.hmax_i),
            (hit_j, self.mj, self.hsum_j, self.hmin_j, self.hmax_j),
        ):
            rows = idx[hit]
            hs[rows] += m[rows]
            hmn[rows] = np.minimum(hmn[rows], m[rows])
            hmx[rows] = np.maximum(hmx[rows], m[rows])
        recalc = hit_i | hit_j
        # demanders of an issue the exchange moved record the mover's new position
        for mover, issue, y, start, other in (
            (ei, eq, self.yi[e], self.start_i[e], ej),
            (ej, ep, self.yj[e], self.start_j[e], ei),
        ):
            on_q = (other == aj) & (issue == q)  # the other E actor demands q like X's J
            on_p = (other == ai) & (issue == p)  # ... or demands p like X's I
            for mask, upd in ((on_q, self.upd_q), (on_p, self.upd_p)):
                rows = idx[mask]
                old = upd[rows, mover]
                keep = np.where(start <= old, np.where(old < y, old, y), np.where(old > y, old, y))
                upd[rows, mover] = np.where(np.isnan(old), y, keep)
            recalc |= on_q | on_p
        self.calculate(idx[recalc])


def run_scenario(
    positions: FloatArray,
    saliences: FloatArray,
    power: FloatArray,
    lo: FloatArray | None = None,
    hi: FloatArray | None = None,
    rounds: int = 10,
    salience_weight: float = 0.4,
    fixed_weight: float = 0.1,
    tie_decimals: int = 12,
) -> ExchangeResult:
    """Run the equal-gain exchange model on a whole scenario (see the module docstring).

    Args:
        positions: ``(n, p)`` positions on each issue's scale; NaN where an actor has none.
        saliences: ``(n, p)`` saliences on [0, 1].
        power: ``(n, p)`` power per actor and issue, or ``(n,)`` capabilities (same on every
            issue).
        lo: ``(p,)`` lower ends of the issue scales (default 0).
        hi: ``(p,)`` upper ends (default 100).
        rounds: number of rounds (decide's iterations), >= 0.
        salience_weight: :math:`w_s` of the new start position (decide: 0.4).
        fixed_weight: :math:`w_f` of the new start position (decide: 0.1).
        tie_decimals: gains (on the 0..100 scale) are compared rounded to this many decimals;
            of equal ones the earlier candidate wins (see "Ties" in the module docstring).

    Returns:
        An :class:`ExchangeResult`; its ``outcome`` is the final NBS per issue.
    """
    x = np.asarray(positions, dtype=np.float64)
    if x.ndim != 2:
        raise UsageError("positions must be an (actors, issues) matrix", field="positions")
    n, n_issues = x.shape
    s = np.asarray(saliences, dtype=np.float64)
    c = np.asarray(power, dtype=np.float64)
    if c.ndim == 1:
        c = np.repeat(c[:, None], n_issues, axis=1)
    if s.shape != x.shape or c.shape != x.shape:
        raise UsageError(
            "saliences and power must match positions",
            field="saliences/power",
            expected=f"shape ({n}, {n_issues}) (power may be ({n},))",
        )
    lo_v = np.zeros(n_issues) if lo is None else np.asarray(lo, dtype=np.float64).reshape(-1)
    hi_v = np.full(n_issues, SCALE) if hi is None else np.asarray(hi, dtype=np.float64).reshape(-1)
    if not np.all(hi_v > lo_v):
        raise UsageError("every issue needs hi > lo", field="lo/hi", expected="hi > lo")
    if rounds < 0:
        raise UsageError(f"rounds = {rounds}", field="rounds", expected="an integer >= 0")
    if np.any(s[~np.isnan(x)] < 0) or np.any(c[~np.isnan(x)] < 0):
        raise UsageError("negative salience or power", field="saliences/power", expected=">= 0")
    step = SCALE / (hi_v - lo_v)
    u = (x - lo_v) * step  # decide's Issue.normalize

    def back(v: FloatArray) -> FloatArray:
        return np.asarray(v / step + lo_v)

    starts = [u.copy()]
    voting: list[FloatArray] = []
    nbs_start = [nbs(u, s, c)]
    nbs_vote: list[FloatArray] = []
    all_exchanges: list[list[dict[str, Any]]] = []
    ties: list[int] = []
    for _ in range(rounds):
        state = _Round(u, s, c, tie_decimals)
        state.calculate(np.arange(state.ai.size))
        order = np.flatnonzero(state.valid)
        done: list[int] = []
        tie_count = 0
        while order.size:
            order = state.best(order)
            if order.size > 1:
                top = state.key(order[:2])
                tie_count += int(top[0] == top[1])
            e, order = int(order[0]), order[1:]
            done.append(e)
            state.recalculate(order, e)
            order = order[state.valid[order]]
        idx = np.asarray(done, dtype=np.intp)
        vote = u.copy()
        nxt = u.copy()
        # later exchanges overwrite earlier ones, as decide's loops over ``realized`` do
        for e in done:
            ai, aj, p, q = state.ai[e], state.aj[e], state.p[e], state.q[e]
            vote[ai, q], vote[aj, p] = state.yi[e], state.yj[e]
            nxt[ai, q] = new_start_position(
                s[ai, q], state.start_i[e], state.yi[e], salience_weight, fixed_weight
            )
            nxt[aj, p] = new_start_position(
                s[aj, p], state.start_j[e], state.yj[e], salience_weight, fixed_weight
            )
        voting.append(vote)
        nbs_vote.append(nbs(vote, s, c))
        all_exchanges.append(
            [
                {
                    "i": int(state.ai[e]),
                    "i_supply": int(state.q[e]),
                    "i_from": float(state.xis[e] / step[state.q[e]] + lo_v[state.q[e]]),
                    "i_y": float(state.yi[e] / step[state.q[e]] + lo_v[state.q[e]]),
                    "j": int(state.aj[e]),
                    "j_supply": int(state.p[e]),
                    "j_from": float(state.xjs[e] / step[state.p[e]] + lo_v[state.p[e]]),
                    "j_y": float(state.yj[e] / step[state.p[e]] + lo_v[state.p[e]]),
                    "gain": float(state.gain[e]),
                }
                for e in idx
            ]
        )
        ties.append(tie_count)
        u = nxt
        starts.append(u.copy())
        nbs_start.append(nbs(u, s, c))
    return ExchangeResult(
        positions=np.stack([back(v) for v in starts]),
        voting=np.stack([back(v) for v in voting]) if voting else np.zeros((0, n, n_issues)),
        nbs=np.stack([back(v) for v in nbs_start]),
        nbs_voting=np.stack([back(v) for v in nbs_vote]) if nbs_vote else np.zeros((0, n_issues)),
        exchanges=all_exchanges,
        ties=ties,
    )


@dataclass(frozen=True)
class ExchangeParams(ModelParams):
    """Parameters of the exchange model (decide's defaults).

    Attributes:
        rounds: number of rounds (decide's iterations), >= 0.
        salience_weight: :math:`w_s` of the new start position (decide: 0.4).
        fixed_weight: :math:`w_f` of the new start position (decide: 0.1).
        tie_decimals: gains are compared rounded to this many decimals (see "Ties").
    """

    model: ClassVar[str] = "exchange"

    rounds: int = 10
    salience_weight: float = 0.4
    fixed_weight: float = 0.1
    tie_decimals: int = 12

    def __post_init__(self) -> None:
        for name in ("rounds", "tie_decimals"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise UsageError(
                    f"exchange: {name} is {value!r}", field=name, expected="an integer >= 0"
                )
        for name in ("salience_weight", "fixed_weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise UsageError(
                    f"exchange: {name} is {value!r}", field=name, expected="a number in [0, 1]"
                )


def run_scenario_model(arrays: ScenarioArrays, params: Mapping[str, Any]) -> ScenarioRun:
    """The scenario-model adapter: :func:`run_scenario` across all of ``arrays``' issues.

    Each issue's :class:`ModelRun` holds the start positions per round of the actors with a
    stance on it (in ``arrays.actor_ids`` order; ``diagnostics["actor_ids"]``), the final NBS as
    outcome and the NBS per round as the series ``nbs``.
    """
    p = ExchangeParams.from_mapping(params)
    if len(arrays.issue_ids) < SCENARIO.min_issues:
        raise needs_two_issues(len(arrays.issue_ids))
    result = run_scenario(
        arrays.positions,
        arrays.saliences,
        arrays.power,
        arrays.lo,
        arrays.hi,
        rounds=p.rounds,
        salience_weight=p.salience_weight,
        fixed_weight=p.fixed_weight,
        tie_decimals=p.tie_decimals,
    )
    runs: dict[str, ModelRun] = {}
    for d, issue_id in enumerate(arrays.issue_ids):
        rows = np.flatnonzero(~np.isnan(arrays.positions[:, d]))
        moves = [e for rnd in result.exchanges for e in rnd if d in (e["i_supply"], e["j_supply"])]
        runs[issue_id] = ModelRun(
            model="exchange",
            positions=result.positions[:, rows, d][:, :, None].copy(),
            outcome=np.array([result.outcome[d]]),
            series={"nbs": result.nbs[:, d][:, None].copy()},
            diagnostics={
                "actor_ids": [arrays.actor_ids[int(r)] for r in rows],
                "issues": list(arrays.issue_ids),
                "exchanges": len(moves),
                "gain": float(sum(e["gain"] for e in moves)),
                "params": p.as_dict(),
            },
        )
    diagnostics = {
        "exchanges_per_round": [len(rnd) for rnd in result.exchanges],
        "ties_per_round": list(result.ties),
        "params": p.as_dict(),
    }
    return ScenarioRun("exchange", arrays.issue_ids, runs, diagnostics)


def needs_two_issues(count: int) -> UsageError:
    """The error for a scenario with too few one-dimensional issues to trade between."""
    return UsageError(
        f"the exchange model trades positions across issues and needs at least two "
        f"one-dimensional issues; this scenario has {count}",
        field="--model",
        expected="a scenario with two or more one-dimensional issues, or another model",
    )


def run(issue: IssueArrays, params: Mapping[str, Any], rng: np.random.Generator) -> ModelRun:
    r"""Registry adapter for one issue: decide's NBS, with no exchange.

    Registry adapter for one issue: exchanges need two issues, so this returns decide's NBS,
    :math:`\sum_i c_i s_i x_i / \sum_i c_i s_i` per dimension (the exchange model's outcome
    without exchanges), and says so in ``diagnostics``. :func:`accord.forecast.forecast` runs
    :data:`SCENARIO` across all of a scenario's issues instead; the per-issue form serves callers
    that work one issue at a time (Monte Carlo draws of one issue).
    """
    ExchangeParams.from_mapping(params)
    x = np.asarray(issue.positions, dtype=np.float64)
    w = issue.capabilities[:, None] * issue.saliences
    den = w.sum(axis=0)
    zero = den <= 0
    outcome = np.where(zero, x.mean(axis=0), (w * x).sum(axis=0) / np.where(zero, 1.0, den))
    return ModelRun(
        model="exchange",
        positions=x[None, :, :].copy(),
        outcome=outcome,
        series={},
        diagnostics={
            "exchanges": 0,
            "fallback": "nbs",
            "note": "the exchange model trades across issues and needs at least two; on one "
            "issue it returns the NBS (power*salience weighted mean), the outcome before any "
            "exchange. accord.forecast runs it across all of a scenario's issues.",
            "zero_weight_dimensions": [int(k) for k in np.flatnonzero(zero)],
        },
    )


SPEC = ModelSpec(
    name="exchange",
    summary="Stokman's exchange model (equal gain) across a scenario's issues.",
    citation="stokman1994; stokman2015",
    run=run,
    params=ExchangeParams,
    uses_status_quo=False,
)

#: The cross-issue contract: :func:`accord.forecast.forecast` runs this on the whole scenario.
SCENARIO = ScenarioModel(name="exchange", min_issues=2, run=run_scenario_model)
