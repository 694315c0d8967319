"""Statistics of a backtest: hit rates, splits, and bootstrap intervals resampled by proposal.

All functions are pure functions over NumPy arrays (or the errors table of
:class:`accord.analysis.backtest.BacktestResult`). Definitions, for the absolute errors
``e_j = |forecast_j - outcome_j|`` of the ``n`` scored issues of one model:

* ``mae = (1/n) sum_j e_j``; ``rmse = sqrt((1/n) sum_j e_j^2)``;
* ``hit5`` and ``hit10``: the share of issues with ``e_j <= 5`` and ``e_j <= 10`` (points on the
  0-100 scale; the thresholds are :data:`HIT_THRESHOLDS`).

**Bootstrap by proposal** (a cluster bootstrap; Davison & Hinkley 1997, *Bootstrap Methods and
their Application*, section 3.8; Field & Welsh 2007, JRSS B 69(3), "Bootstrapping clustered
data"). The issues of one proposal share actors, positions and a negotiation, so they are not
independent: each replicate draws ``G`` proposals with replacement from the ``G`` proposals of
the table (a multinomial count ``k_g`` per proposal), and a statistic is recomputed on all the
issues of the drawn proposals, e.g. ``mae* = sum_g k_g E_g / sum_g k_g n_g`` with ``E_g`` the sum
of the errors and ``n_g`` the issue count of proposal ``g``. The interval is the percentile
interval of the replicates (``level`` 0.95: the 2.5th and 97.5th percentiles). The replicates
are drawn by :func:`accord.rng.make_rng` from ``seed``, so the same data and seed give the same
interval.

**Paired comparison** of models A and B: on the issues both scored, the difference
``d = mae_A - mae_B`` and its paired bootstrap (the same proposal draws for both models, so the
correlation between the models' errors is kept). ``p`` is the two-sided bootstrap share
``2 min(P*(d* <= 0), P*(d* >= 0))`` (capped at 1): a rough check that the interval excludes 0,
not an exact test.

**Splits**: by Council rule (``qmv``, ``unanimity``), by legislative procedure (DEU ``proc``:
``COD`` codecision, ``CNS`` consultation) and by the number of actors with a stance, in the bins
of :data:`N_ACTOR_BINS` (up to 10; 11-17, the EU-15 era's maximum of 15 states plus Commission
and Parliament; 18 and more, after the 2004 enlargement).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from accord.rng import make_rng

FloatArray = NDArray[np.float64]

HIT_THRESHOLDS: tuple[float, ...] = (5.0, 10.0)
"""An issue is a hit at threshold ``t`` when its absolute error is at most ``t`` points."""

N_ACTOR_BINS: tuple[tuple[str, int, int], ...] = (
    ("3-10", 3, 10),
    ("11-17", 11, 17),
    ("18+", 18, 10_000),
)
"""(label, smallest, largest) number of actors with a stance, for the split by actors."""

DEFAULT_REPLICATES = 2000
DEFAULT_LEVEL = 0.95

SPLITS: tuple[str, ...] = ("rule", "procedure", "actors")


def hit_rate(errors: FloatArray, threshold: float) -> float | None:
    """Share of ``errors`` at most ``threshold`` (``None`` for no errors)."""
    e = np.asarray(errors, dtype=np.float64)
    return None if e.size == 0 else float(np.mean(e <= threshold))


def summary(errors: FloatArray) -> dict[str, float | int | None]:
    """``{"n", "mae", "rmse", "hit5", "hit10"}`` of absolute errors (``None`` when empty)."""
    e = np.asarray(errors, dtype=np.float64)
    empty = e.size == 0
    out: dict[str, float | int | None] = {
        "n": int(e.size),
        "mae": None if empty else float(np.mean(e)),
        "rmse": None if empty else math.sqrt(float(np.mean(e**2))),
    }
    for t in HIT_THRESHOLDS:
        out[f"hit{t:g}"] = hit_rate(e, t)
    return out


def actor_bin(n_actors: int) -> str:
    """The label of :data:`N_ACTOR_BINS` that holds ``n_actors``."""
    for label, lo, hi in N_ACTOR_BINS:
        if lo <= n_actors <= hi:
            return label
    return f"<{N_ACTOR_BINS[0][1]}"


def group_codes(groups: Sequence[Any] | NDArray[Any]) -> tuple[NDArray[np.intp], int]:
    """Integer codes ``0..G-1`` of ``groups`` in order of first appearance, and ``G``."""
    codes, uniques = pd.factorize(pd.Series(list(groups)), sort=False)
    return np.asarray(codes, dtype=np.intp), len(uniques)


def group_counts(n_groups: int, replicates: int, seed: int) -> FloatArray:
    """``(replicates, G)`` multinomial draw counts: ``G`` groups drawn with replacement per row."""
    rng = make_rng(seed)
    if n_groups == 0:
        return np.zeros((replicates, 0))
    counts = rng.multinomial(n_groups, np.full(n_groups, 1.0 / n_groups), size=replicates)
    return np.asarray(counts, dtype=np.float64)


def _group_sums(values: FloatArray, codes: NDArray[np.intp], n_groups: int) -> FloatArray:
    return np.asarray(np.bincount(codes, weights=values, minlength=n_groups), dtype=np.float64)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    return np.asarray(np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0))


def _interval(replicates: FloatArray, level: float) -> list[float] | None:
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0:
        return None
    tail = (1.0 - level) / 2.0 * 100.0
    lo, hi = np.percentile(finite, [tail, 100.0 - tail])
    return [float(lo), float(hi)]


def mae_replicates(
    errors: FloatArray,
    groups: Sequence[Any] | NDArray[Any],
    *,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
) -> FloatArray:
    """The ``(replicates,)`` bootstrap replicates of the MAE, resampling whole ``groups``."""
    e = np.asarray(errors, dtype=np.float64)
    codes, g = group_codes(groups)
    k = group_counts(g, replicates, seed)
    return _ratio(k @ _group_sums(e, codes, g), k @ _group_sums(np.ones_like(e), codes, g))


def bootstrap_metrics(
    errors: FloatArray,
    groups: Sequence[Any] | NDArray[Any],
    *,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> dict[str, list[float] | None]:
    """Percentile intervals of ``mae``, ``rmse``, ``hit5``, ``hit10``, resampling ``groups``.

    Args:
        errors: ``(n,)`` absolute errors.
        groups: ``(n,)`` the proposal of each error (the resampling unit).
        replicates: number of bootstrap replicates.
        seed: seed of the draws (:func:`accord.rng.make_rng`).
        level: coverage of the intervals.

    Returns:
        ``{"mae": [lo, hi], "rmse": ..., "hit5": ..., "hit10": ...}`` (``None`` when empty).
    """
    e = np.asarray(errors, dtype=np.float64)
    codes, g = group_codes(groups)
    if e.size == 0:
        return {k: None for k in ("mae", "rmse", *(f"hit{t:g}" for t in HIT_THRESHOLDS))}
    k = group_counts(g, replicates, seed)
    n = k @ _group_sums(np.ones_like(e), codes, g)
    out: dict[str, list[float] | None] = {
        "mae": _interval(_ratio(k @ _group_sums(e, codes, g), n), level),
        "rmse": _interval(np.sqrt(_ratio(k @ _group_sums(e**2, codes, g), n)), level),
    }
    for t in HIT_THRESHOLDS:
        hits = (e <= t).astype(np.float64)
        out[f"hit{t:g}"] = _interval(_ratio(k @ _group_sums(hits, codes, g), n), level)
    return out


@dataclass(frozen=True)
class PairedComparison:
    """Model ``a`` against model ``b`` on the issues both scored.

    Attributes:
        a, b: model names.
        n: issues both scored.
        mae_a, mae_b: their MAE on those issues.
        diff: ``mae_a - mae_b`` (negative: ``a`` is better).
        ci: percentile interval of the paired bootstrap of ``diff`` by proposal.
        p: two-sided bootstrap share (see the module docstring).
        replicates, seed, level: how the interval was drawn.
    """

    a: str
    b: str
    n: int
    mae_a: float
    mae_b: float
    diff: float
    ci: tuple[float, float]
    p: float
    replicates: int
    seed: int
    level: float

    @property
    def relative(self) -> float:
        """``diff / mae_b``: the relative change of ``a`` against ``b`` (-0.1 is 10% better)."""
        return self.diff / self.mae_b if self.mae_b > 0 else math.nan

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "a": self.a,
            "b": self.b,
            "n": self.n,
            "mae_a": self.mae_a,
            "mae_b": self.mae_b,
            "mae_diff": self.diff,
            "relative": self.relative,
            "ci": list(self.ci),
            "p": self.p,
            "level": self.level,
        }


def paired_bootstrap(
    errors_a: FloatArray,
    errors_b: FloatArray,
    groups: Sequence[Any] | NDArray[Any],
    *,
    names: tuple[str, str] = ("a", "b"),
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> PairedComparison:
    """Paired bootstrap by group of the MAE difference of two models on the same issues.

    Args:
        errors_a: ``(n,)`` absolute errors of the first model, issue by issue.
        errors_b: ``(n,)`` absolute errors of the second model, issue by issue.
        groups: ``(n,)`` the proposal of each issue.
        names: the two model names (for the result).
        replicates: as in :func:`bootstrap_metrics`.
        seed: as in :func:`bootstrap_metrics`.
        level: as in :func:`bootstrap_metrics`.

    Raises:
        ValueError: when the arrays differ in length or are empty (a programming error).
    """
    a = np.asarray(errors_a, dtype=np.float64)
    b = np.asarray(errors_b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError("paired_bootstrap needs two non-empty error vectors of equal length")
    codes, g = group_codes(groups)
    k = group_counts(g, replicates, seed)
    n = k @ _group_sums(np.ones_like(a), codes, g)
    d_star = _ratio(k @ _group_sums(a - b, codes, g), n)
    diff = float(np.mean(a) - np.mean(b))
    interval = _interval(d_star, level) or [math.nan, math.nan]
    finite = d_star[np.isfinite(d_star)]
    p = min(1.0, 2.0 * min(float(np.mean(finite <= 0)), float(np.mean(finite >= 0))))
    return PairedComparison(
        a=names[0],
        b=names[1],
        n=int(a.size),
        mae_a=float(np.mean(a)),
        mae_b=float(np.mean(b)),
        diff=diff,
        ci=(interval[0], interval[1]),
        p=p,
        replicates=replicates,
        seed=seed,
        level=level,
    )


def scored(errors: pd.DataFrame, model: str) -> pd.DataFrame:
    """The rows of ``errors`` for ``model`` whose run did not fail."""
    rows = errors[errors["model"] == model]
    return rows[rows["failure"] == ""]


def split_column(rows: pd.DataFrame, split: str) -> pd.Series:
    """The group label of each row for a split name of :data:`SPLITS`."""
    if split == "rule":
        return rows["rule"].astype(str)
    if split == "procedure":
        return rows["procedure"].astype(str).replace("", "unknown")
    if split == "actors":
        return rows["n_actors"].map(lambda v: actor_bin(int(v)))
    raise ValueError(f"unknown split '{split}'")


def split_metrics(
    errors: pd.DataFrame, models: Sequence[str]
) -> dict[str, dict[str, dict[str, dict[str, float | int | None]]]]:
    """``{split: {model: {group: summary}}}`` for every split of :data:`SPLITS`.

    Groups are listed in a fixed order (sorted, with actor bins in bin order).
    """
    order = {label: i for i, (label, _, _) in enumerate(N_ACTOR_BINS)}
    out: dict[str, dict[str, dict[str, dict[str, float | int | None]]]] = {}
    for split in SPLITS:
        per_model: dict[str, dict[str, dict[str, float | int | None]]] = {}
        for model in models:
            rows = scored(errors, model)
            labels = split_column(rows, split)
            keys = sorted(set(labels), key=lambda x: (order.get(x, len(order)), x))
            err = rows["error"].to_numpy(dtype=np.float64)
            lab = labels.to_numpy()
            per_model[model] = {key: summary(err[lab == key]) for key in keys}
        out[split] = per_model
    return out


def pairwise(
    errors: pd.DataFrame,
    models: Sequence[str],
    *,
    reference: str | None = None,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> list[PairedComparison]:
    """Paired comparisons on the issues both models scored.

    With ``reference`` every other model is compared with it (``a`` = the model, ``b`` =
    ``reference``); without, every pair ``(a, b)`` with ``a`` before ``b`` in ``models``. Pairs
    with no issue in common are left out.
    """
    pairs: list[tuple[str, str]]
    if reference is not None:
        pairs = [(m, reference) for m in models if m != reference]
    else:
        pairs = [(a, b) for i, a in enumerate(models) for b in models[i + 1 :]]
    result: list[PairedComparison] = []
    for a, b in pairs:
        ra = scored(errors, a).set_index("issue")
        rb = scored(errors, b).set_index("issue")
        common = [i for i in ra.index if i in rb.index]
        if not common:
            continue
        result.append(
            paired_bootstrap(
                ra.loc[common, "error"].to_numpy(dtype=np.float64),
                rb.loc[common, "error"].to_numpy(dtype=np.float64),
                ra.loc[common, "proposal"].to_numpy(),
                names=(a, b),
                replicates=replicates,
                seed=seed,
                level=level,
            )
        )
    return result
