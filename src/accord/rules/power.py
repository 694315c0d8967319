r"""Power indices of a decision rule: Shapley-Shubik and Banzhaf (normalised and absolute).

Definitions, for a monotone simple game on the members ``N`` (``k = |N|``) with winning
coalitions ``W``. Member ``i`` is *critical* (a swing) in a coalition ``S`` not containing ``i``
when ``S + i`` wins and ``S`` loses.

* Shapley-Shubik (Shapley & Shubik 1954, APSR 48(3) p. 787-792): the share of the ``k!`` orderings
  in which ``i`` is pivotal,

  .. math:: \phi_i = \sum_{S \subseteq N\setminus i,\ S+i\in W,\ S\notin W}
            \frac{|S|!\,(k-|S|-1)!}{k!}

* Absolute Banzhaf (Banzhaf 1965, Rutgers Law Review 19 p. 317-343; Dubey & Shapley 1979,
  Math. Oper. Res. 4(2)): the probability that ``i`` is critical when every other member joins
  with probability 1/2, :math:`\beta'_i = \eta_i / 2^{k-1}` where :math:`\eta_i` counts swings.
* Normalised Banzhaf: :math:`\beta_i = \eta_i / \sum_j \eta_j` (the shares sum to 1).

How they are computed (``method="auto"`` picks the first that applies; the result says which):

1. ``analytic``: unanimity (every index is ``1/k``; :math:`\beta'_i = 2^{-(k-1)}`) and simple
   majority (``1/k`` by symmetry; :math:`\beta'_i = \binom{k-1}{q-1} / 2^{k-1}` with
   ``q = floor(k/2) + 1``).
2. ``powerindex``: a :class:`~accord.rules.base.WeightedThreshold` whose weights become integers
   after scaling by ``10^d`` (``d <= 6``), with no single member reaching the quota alone and a
   small enough quota, goes to the ``powerindex`` package (generating functions, Bilbao et al.
   2000), which wants integer weights and an integer quota ``w(S) >= q``. The absolute Banzhaf
   index, which ``powerindex`` does not give, comes from the generating function of step 3.
3. ``generating-function``: other integer-weight games, counted exactly by dynamic programming
   over (coalition size, weight) for each member (Brams & Affuso 1976), vectorised with NumPy.
4. ``enumeration``: any rule with ``k <= max_exact`` (default 20): all ``2^k`` coalitions are
   tested with ``rule.is_winning`` in chunks, then swings are read off pairwise.
5. ``monte-carlo``: otherwise, ``samples`` random orderings (Shapley-Shubik: the pivot of each) and
   ``samples`` random coalitions (Banzhaf: who is critical), seeded through
   :func:`accord.rng.make_rng`; each index comes with its standard error (for the normalised
   Banzhaf index by the delta method for a ratio of means).

If even the grand coalition loses (nothing can pass), every index is 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.rng import SeedLike, make_rng
from accord.rules.base import (
    DecisionRule,
    FloatArray,
    SimpleMajority,
    Unanimity,
    WeightedThreshold,
)

METHODS = ("auto", "analytic", "powerindex", "generating-function", "enumeration", "monte-carlo")

POWERINDEX_MAX_COST = 3_000_000
"""Largest ``k^2 * quota`` handed to ``powerindex`` (its Shapley-Shubik loop is pure Python)."""

GENERATING_FUNCTION_MAX_COST = 300_000_000
"""Largest ``k^3 * quota`` counted by the NumPy generating function."""

_CHUNK = 1 << 15


@dataclass(frozen=True)
class PowerIndices:
    r"""Power indices of a rule's members, in member order.

    Attributes:
        member_ids: the members' actor ids.
        shapley_shubik: Shapley-Shubik index (sums to 1 unless nothing can pass).
        banzhaf: normalised Banzhaf index (sums to 1 unless nothing can pass).
        banzhaf_absolute: probability of being critical, :math:`\eta_i / 2^{k-1}`.
        method: how the indices were computed (see the module docstring).
        exact: ``False`` only for Monte Carlo.
        samples: Monte Carlo sample size (orderings, and coalitions), else ``None``.
        seed: the seed given for Monte Carlo, when it was an ``int``.
        se_shapley_shubik, se_banzhaf, se_banzhaf_absolute: Monte Carlo standard errors, else
            ``None``.
    """

    member_ids: tuple[str, ...]
    shapley_shubik: FloatArray
    banzhaf: FloatArray
    banzhaf_absolute: FloatArray
    method: str
    exact: bool = True
    samples: int | None = None
    seed: int | None = None
    se_shapley_shubik: FloatArray | None = None
    se_banzhaf: FloatArray | None = None
    se_banzhaf_absolute: FloatArray | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, one entry per member."""

        def arr(a: FloatArray | None) -> list[float] | None:
            return None if a is None else [float(v) for v in a]

        return {
            "members": list(self.member_ids),
            "shapley_shubik": arr(self.shapley_shubik),
            "banzhaf": arr(self.banzhaf),
            "banzhaf_absolute": arr(self.banzhaf_absolute),
            "method": self.method,
            "exact": self.exact,
            "samples": self.samples,
            "seed": self.seed,
            "se_shapley_shubik": arr(self.se_shapley_shubik),
            "se_banzhaf": arr(self.se_banzhaf),
            "se_banzhaf_absolute": arr(self.se_banzhaf_absolute),
        }


def _normalise(swings: FloatArray) -> FloatArray:
    total = float(swings.sum())
    return swings / total if total > 0 else np.zeros_like(swings)


def _result(rule: DecisionRule, ss: FloatArray, swings: FloatArray, method: str) -> PowerIndices:
    k = rule.k
    return PowerIndices(
        member_ids=rule.member_ids,
        shapley_shubik=np.asarray(ss, dtype=np.float64),
        banzhaf=_normalise(np.asarray(swings, dtype=np.float64)),
        banzhaf_absolute=np.asarray(swings, dtype=np.float64) / 2.0 ** (k - 1),
        method=method,
    )


# ---------------------------------------------------------------------------------------------
# analytic


def _analytic(rule: DecisionRule) -> PowerIndices | None:
    k = rule.k
    equal = np.full(k, 1.0 / k)
    if isinstance(rule, Unanimity):
        return _result(rule, equal, np.ones(k), "analytic")
    if isinstance(rule, SimpleMajority):
        swings = np.full(k, float(math.comb(k - 1, rule.quota - 1)))
        return _result(rule, equal, swings, "analytic")
    return None


# ---------------------------------------------------------------------------------------------
# integer weighted games


def integer_game(rule: WeightedThreshold, max_decimals: int = 6) -> tuple[list[int], int] | None:
    """Integer weights and quota equivalent to ``rule`` (win iff ``sum >= quota``), or ``None``.

    Weights are scaled by the smallest ``10^d`` (``d <= max_decimals``) that makes every weight an
    integer to within ``1e-9`` (relative); the quota becomes ``ceil(q - tol)`` for a weak
    threshold and ``floor(q + tol) + 1`` for a strict one, with ``tol`` the rule's own tolerance,
    so that the integer game has exactly the rule's winning coalitions.
    """
    w = rule.weights
    for d in range(max_decimals + 1):
        scale = 10.0**d
        scaled = w * scale
        rounded = np.round(scaled)
        if np.all(np.abs(scaled - rounded) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            q = rule.quota * scale
            tol = rule.tolerance * scale
            quota = math.floor(q + tol) + 1 if rule.strict else math.ceil(q - tol)
            return [int(v) for v in rounded], max(int(quota), 1)
    return None


def _shapley_factors(k: int) -> FloatArray:
    """Shapley-Shubik weight ``s! (k - 1 - s)! / k!`` of a swing into a coalition of ``s`` others."""
    return np.array(
        [math.factorial(s) * math.factorial(k - 1 - s) / math.factorial(k) for s in range(k)],
        dtype=np.float64,
    )


def _swings_gf(weights: list[int], quota: int) -> tuple[FloatArray, FloatArray]:
    """Shapley-Shubik index and swing counts of the integer game ``[quota; weights]``.

    For each member ``i``, ``C[s, t]`` counts coalitions of the others with ``s`` members and
    weight ``t < quota`` (heavier ones can never be swings for ``i`` and are dropped). ``i`` is a
    swing exactly for ``t`` in ``[quota - w_i, quota - 1]``.
    """
    k = len(weights)
    w = np.asarray(weights, dtype=np.int64)
    factor = _shapley_factors(k)
    ss = np.zeros(k)
    swings = np.zeros(k)
    for i in range(k):
        counts = np.zeros((k, quota), dtype=np.float64)
        counts[0, 0] = 1.0
        for j in range(k):
            if j == i:
                continue
            wj = int(w[j])
            if wj == 0:
                counts[1:, :] += counts[:-1, :]
            elif wj < quota:
                counts[1:, wj:] += counts[:-1, :-wj]
        lo = max(quota - int(w[i]), 0)
        window = counts[:, lo:quota].sum(axis=1)
        swings[i] = window.sum()
        ss[i] = float(window @ factor)
    return ss, swings


def _powerindex(weights: list[int], quota: int) -> tuple[FloatArray, FloatArray]:
    """Shapley-Shubik and normalised Banzhaf from ``powerindex`` 0.3.5.

    Two of its conventions are worked around: ``Game.calc()`` gives all power to members whose
    weight alone reaches the quota (wrong unless the game is proper; callers exclude that case
    and the two algorithms are called directly), and its Banzhaf generating function divides by
    ``(1 + x^w)`` with a recursion that is wrong for ``w = 0``. Zero-weight members are null
    players (index 0 under both indices, and removing them changes no one else's index), so
    they are left out of the game.
    """
    import powerindex

    w = np.asarray(weights, dtype=np.int64)
    active = np.flatnonzero(w > 0)
    game = powerindex.Game(quota=quota, weights=[int(v) for v in w[active]])
    game.calc_banzhaf()
    game.calc_shapley_shubik()
    ss = np.zeros(w.shape[0])
    banzhaf = np.zeros(w.shape[0])
    ss[active] = np.asarray(game.shapley_shubik, dtype=np.float64)
    banzhaf[active] = np.asarray(game.banzhaf, dtype=np.float64)
    return ss, banzhaf


def _powerindex_applies(weights: list[int], quota: int) -> bool:
    k = len(weights)
    return max(weights) < quota and sum(weights) >= quota and k * k * quota <= POWERINDEX_MAX_COST


# ---------------------------------------------------------------------------------------------
# enumeration and Monte Carlo (any monotone rule)


def _all_wins(rule: DecisionRule) -> NDArray[np.bool_]:
    k = rule.k
    n = 1 << k
    bits = np.arange(k, dtype=np.int64)
    wins = np.empty(n, dtype=np.bool_)
    for start in range(0, n, _CHUNK):
        masks = np.arange(start, min(start + _CHUNK, n), dtype=np.int64)
        support = ((masks[:, None] >> bits[None, :]) & 1).astype(np.bool_)
        wins[start : start + masks.shape[0]] = rule.is_winning(support)
    return wins


def _enumerate(rule: DecisionRule) -> tuple[FloatArray, FloatArray]:
    k = rule.k
    wins = _all_wins(rule)
    masks = np.arange(1 << k, dtype=np.int64)
    popcount = np.zeros(1 << k, dtype=np.int64)
    for b in range(k):
        popcount += (masks >> b) & 1
    factor = _shapley_factors(k)
    ss = np.zeros(k)
    swings = np.zeros(k)
    for i in range(k):
        without = masks[((masks >> i) & 1) == 0]
        critical = wins[without | (1 << i)] & ~wins[without]
        swings[i] = float(np.count_nonzero(critical))
        ss[i] = float(factor[popcount[without[critical]]].sum())
    return ss, swings


def _monte_carlo(
    rule: DecisionRule, samples: int, rng: np.random.Generator
) -> dict[str, FloatArray]:
    k = rule.k
    eye = np.eye(k, dtype=np.bool_)
    prefix = np.arange(k + 1)
    chunk = max(1, _CHUNK // (k + 1))

    pivots = np.zeros((samples, k), dtype=np.float64)
    for start in range(0, samples, chunk):
        c = min(chunk, samples - start)
        order = np.argsort(rng.random((c, k)), axis=1)  # random orderings of the members
        rank = np.argsort(order, axis=1)  # rank[p, i] = where member i stands in ordering p
        support = rank[:, None, :] < prefix[None, :, None]  # (c, k+1, k): the first j members
        wins = rule.is_winning(support)  # (c, k+1)
        first = np.argmax(wins, axis=1)
        has_pivot = wins[np.arange(c), first] & (first > 0)
        rows = np.flatnonzero(has_pivot)
        pivots[start + rows, order[rows, first[rows] - 1]] = 1.0

    critical = np.zeros((samples, k), dtype=np.float64)
    for start in range(0, samples, chunk):
        c = min(chunk, samples - start)
        coalition = rng.random((c, k)) < 0.5
        with_i = coalition[:, None, :] | eye[None, :, :]
        without_i = coalition[:, None, :] & ~eye[None, :, :]
        critical[start : start + c] = rule.is_winning(with_i) & ~rule.is_winning(without_i)

    root = math.sqrt(samples)
    ss = pivots.mean(axis=0)
    absolute = critical.mean(axis=0)
    total = float(absolute.sum())
    if total > 0:
        banzhaf = absolute / total
        # delta method for b_i = a_i / sum(a): influence g_i = z_i / A - a_i * sum(z) / A^2
        influence = (
            critical / total - absolute[None, :] * critical.sum(axis=1, keepdims=True) / total**2
        )
        se_banzhaf = influence.std(axis=0, ddof=1) / root
    else:
        banzhaf = np.zeros(k)
        se_banzhaf = np.zeros(k)
    return {
        "ss": ss,
        "se_ss": pivots.std(axis=0, ddof=1) / root,
        "banzhaf": banzhaf,
        "se_banzhaf": se_banzhaf,
        "absolute": absolute,
        "se_absolute": critical.std(axis=0, ddof=1) / root,
    }


# ---------------------------------------------------------------------------------------------
# entry point


def power_indices(
    rule: DecisionRule,
    *,
    method: str = "auto",
    seed: SeedLike = None,
    samples: int = 20_000,
    max_exact: int = 20,
) -> PowerIndices:
    """Shapley-Shubik and Banzhaf indices of ``rule``'s members.

    Args:
        rule: any monotone decision rule.
        method: ``auto`` (see the module docstring for the order), or one of ``analytic``,
            ``powerindex``, ``generating-function``, ``enumeration``, ``monte-carlo`` to force it.
        seed: seed for Monte Carlo (ignored by exact methods).
        samples: Monte Carlo sample size, for orderings and for coalitions alike.
        max_exact: largest ``k`` that ``auto`` enumerates (``2^k`` coalitions).

    Returns:
        The indices, the method used and, for Monte Carlo, standard errors.

    Raises:
        UsageError: an unknown method, or a forced method that does not apply to this rule.
    """
    if method not in METHODS:
        raise UsageError(
            f"unknown power-index method '{method}'",
            field="method",
            expected="one of " + ", ".join(METHODS),
        )
    k = rule.k
    if not bool(rule.is_winning(np.ones(k, dtype=np.bool_))):
        zeros = np.zeros(k)
        return PowerIndices(
            rule.member_ids, zeros, zeros.copy(), zeros.copy(), method="nothing-passes"
        )

    if method in ("auto", "analytic"):
        found = _analytic(rule)
        if found is not None:
            return found
        if method == "analytic":
            raise UsageError(
                f"no closed form for rule '{rule.name}'",
                field="method",
                expected="auto, enumeration or monte-carlo",
            )

    if method in ("auto", "powerindex", "generating-function") and isinstance(
        rule, WeightedThreshold
    ):
        game = integer_game(rule)
        if game is not None:
            weights, quota = game
            gf_ok = k**3 * quota <= GENERATING_FUNCTION_MAX_COST
            if method in ("auto", "powerindex") and _powerindex_applies(weights, quota) and gf_ok:
                ss, banzhaf = _powerindex(weights, quota)
                _, swings = _swings_gf(weights, quota)
                return PowerIndices(
                    member_ids=rule.member_ids,
                    shapley_shubik=ss,
                    banzhaf=banzhaf,
                    banzhaf_absolute=swings / 2.0 ** (k - 1),
                    method="powerindex",
                )
            if method in ("auto", "generating-function") and gf_ok:
                ss, swings = _swings_gf(weights, quota)
                return _result(rule, ss, swings, "generating-function")
    if method in ("powerindex", "generating-function"):
        raise UsageError(
            f"method '{method}' needs a weighted rule with integer (or decimal) weights, "
            f"{'no member reaching the quota alone, ' if method == 'powerindex' else ''}"
            "and a modest quota",
            field="method",
            expected="auto, enumeration or monte-carlo",
        )

    if method == "enumeration" or (method == "auto" and k <= max_exact):
        if k > 30:
            raise UsageError(
                f"cannot enumerate 2^{k} coalitions",
                field="method",
                expected="monte-carlo for more than 30 members",
            )
        ss, swings = _enumerate(rule)
        return _result(rule, ss, swings, "enumeration")

    if samples < 2:
        raise UsageError(
            f"samples={samples} is too small", field="samples", expected="an integer >= 2"
        )
    mc = _monte_carlo(rule, int(samples), make_rng(seed))
    return PowerIndices(
        member_ids=rule.member_ids,
        shapley_shubik=mc["ss"],
        banzhaf=mc["banzhaf"],
        banzhaf_absolute=mc["absolute"],
        method="monte-carlo",
        exact=False,
        samples=int(samples),
        seed=seed if isinstance(seed, int) else None,
        se_shapley_shubik=mc["se_ss"],
        se_banzhaf=mc["se_banzhaf"],
        se_banzhaf_absolute=mc["se_absolute"],
    )


__all__ = ["METHODS", "PowerIndices", "integer_game", "power_indices"]
