"""Bueno de Mesquita's expected-utility group decision model, as unravelled by Scholz et al. (2011).

Sources: J. B. Scholz, G. J. Calbert and G. A. Smith, "Unravelling Bueno de Mesquita's group
decision model", J. Theoretical Politics 23(4), 2011 (ICAART 2011, pp. 18-30) [Scholz2011], which
reconstructs B. Bueno de Mesquita's model of 1985, 1994 and 1997 [BuenoDeMesquita1994]. The
implementation follows the project spec ``bdm-scholz.md``, which settles the 16 ambiguities of the
paper against its own Figs 7-10 and Table 2; its recommended reading S1 is the default here, and
every other candidate reading is a named switch of :class:`BDMParams`.

One round on one dimension (positions x, capabilities c, saliences s on [0, 1], w = c s,
R = range of the initial positions, d(a, b) = |x_a - x_b| / R):

1. mu = the c s-weighted Condorcet median of the current positions (the pairwise vote
   v_jk = sum_i w_i (|x_i - x_k| - |x_i - x_j|) / R; the winner minimises
   F(y) = sum_i w_i |x_i - y| over the actor positions).
2. Pass 1: risk exponents r = 1; win probabilities P1 (eq. 31, read with a global denominator);
   expected utilities E1(i -> j) (eq. 25; the basic utilities U_s, U_f, U_b, U_w (eqs. 22-23),
   U_sq).
3. Security levels Sec_i = sum_{j != i} E1(j -> i) (BDM 1985, eq. 34) give
   R_i = (2 Sec_i - max Sec - min Sec) / (max Sec - min Sec) and r_i = (1 - R_i/3) / (1 + R_i/3).
4. Pass 2: P2 with voter exponents r, and for each mover a, A[a, b] = E(a -> b; r_a) and
   B[a, b] = E(b -> a; r_a) (a's view of the dyad, Fig. 6).
5. Offers to a (Fig. 6): confrontation (B > A > 0) and compel (A < 0 < B <= |A|): move to x_b;
   compromise (A < 0 < B, B > |A|): x_a + (x_b - x_a) |A / B| (eq. 36). a accepts one offer
   (Scholz's code order), all actors move together, and the round reports the new median and the
   c s-weighted mean.

The package: :mod:`~accord.models.bdm.params` (:class:`BDMParams`, the readings),
:mod:`~accord.models.bdm.reference` (the single-run functions, :func:`bdm`),
:mod:`~accord.models.bdm.engine_numpy` (many problems at once) and
:mod:`~accord.models.bdm.engine_numba` (reading S1 compiled); this module holds the adapter
(:func:`run`, :func:`run_batch`) and ``SPEC``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray, IssueArrays, IssueBatch, ModelRun, ModelSpec
from accord.models.bdm.engine_numpy import bdm_batch
from accord.models.bdm.params import CHOICES, MEDIAN_TIE_TOL, SECURITY_TIE_TOL, BDMParams
from accord.models.bdm.reference import (
    BDMResult,
    Offers,
    bdm,
    condorcet_median,
    expected_utilities,
    perceived_offers,
    risk_exponents,
    select_positions,
    weighted_mean,
    win_probabilities,
)

__all__ = [
    "CHOICES",
    "DEFAULTS",
    "MEDIAN_TIE_TOL",
    "SECURITY_TIE_TOL",
    "SPEC",
    "BDMParams",
    "BDMResult",
    "Offers",
    "bdm",
    "bdm_batch",
    "compiled_reading",
    "condorcet_median",
    "expected_utilities",
    "params_from_mapping",
    "perceived_offers",
    "risk_exponents",
    "run",
    "run_batch",
    "select_positions",
    "weighted_mean",
    "win_probabilities",
]


DEFAULTS: dict[str, Any] = BDMParams.defaults()


def params_from_mapping(params: Mapping[str, Any]) -> tuple[BDMParams, str]:
    """:meth:`BDMParams.from_mapping` and the forecast choice (kept for callers)."""
    p = BDMParams.from_mapping(params)
    return p, p.forecast


def run(issue: IssueArrays, params: Mapping[str, Any], rng: np.random.Generator) -> ModelRun:
    """Adapt :func:`bdm` to an issue; each dimension is run independently.

    BDM's model is one-dimensional. For m > 1 dimensions each dimension k runs on its own with
    the positions x[:, k] and saliences s[:, k] of that dimension (and the common capabilities);
    the actors do not trade across dimensions. ``rng`` is unused (the model is deterministic).

    Parameters: the :class:`BDMParams` field names, plus ``forecast``: ``"median"`` (default,
    the final round's Condorcet median, BDM's forecast) or ``"mean"`` (the final weighted mean).
    """
    del rng
    p, forecast = params_from_mapping(params)
    n, m = issue.n_actors, issue.n_dims
    positions = np.empty((p.rounds + 1, n, m))
    median = np.empty((p.rounds + 1, m))
    mean = np.empty((p.rounds + 1, m))
    risk_round1: list[dict[str, float]] = []
    statuses: list[dict[str, Any]] = []
    for k in range(m):
        try:
            result = bdm(
                issue.positions[:, k],
                issue.capabilities,
                issue.saliences[:, k],
                p,
                scale=(float(issue.lo[k]), float(issue.hi[k])),
            )
        except UsageError as err:
            raise UsageError(
                f"dimension {k + 1}: {err.message}", field=err.location.field, expected=err.expected
            ) from None
        positions[:, :, k] = result.positions
        median[:, k] = result.median
        mean[:, k] = result.mean
        first = result.risk[0] if p.rounds > 0 else np.ones(n)
        risk_round1.append({a: float(v) for a, v in zip(issue.actor_ids, first, strict=True)})
        tail = result.median[(p.rounds + 1) // 2 :]
        statuses.append(
            {
                "status": result.status,
                "period": result.period,
                "median_range_last_half": [float(tail.min()), float(tail.max())],
            }
        )
    outcome = median[-1] if forecast == "median" else mean[-1]
    diagnostics: dict[str, Any] = {
        "params": p.as_dict(),
        "dimensions": "each dimension run independently with its own saliences",
        "risk_exponents_round1": risk_round1,
        "settled": [st["status"] == "settled" for st in statuses],
        "cycles": [st["status"] == "cycle" for st in statuses],
        "status": statuses,
    }
    return ModelRun(
        model="bdm",
        positions=positions,
        outcome=outcome.copy(),
        series={"median": median, "mean": mean},
        diagnostics=diagnostics,
    )


def _validate(x: FloatArray, c: FloatArray, s: FloatArray) -> None:
    """The checks of :func:`bdm`, on every draw ``(B, n, m)`` (first failure reported)."""
    problems = [
        (~np.isfinite(x).all(axis=(1, 2)), "an input is not finite", "finite numbers"),
        (~np.isfinite(c).all(axis=1), "an input is not finite", "finite numbers"),
        (~np.isfinite(s).all(axis=(1, 2)), "an input is not finite", "finite numbers"),
        ((c < 0).any(axis=1), "a capability is negative", "capabilities >= 0"),
        (((s < 0) | (s > 1)).any(axis=(1, 2)), "a salience lies outside [0, 1]", "[0, 1]"),
        (
            ~((c[:, :, None] * s).sum(axis=1) > 0).all(axis=1),
            "every actor has capability x salience 0 on a dimension",
            "some w > 0",
        ),
    ]
    for bad, message, expected in problems:
        if bad.any():
            raise UsageError(f"bdm: draw {int(np.argmax(bad))}: {message}", expected=expected)


#: The switches the compiled engine :mod:`accord.models.bdm.engine_numba` runs (reading S1);
#: ``q``, ``rounds``, ``median_tie`` and ``range`` may take any value.
_COMPILED_FIXED = (
    "probability",
    "vote_exponent",
    "voters",
    "opponent_exponent",
    "security",
    "risk",
    "compel",
    "selection",
    "update",
    "salience",
    "perception",
    "compromise",
    "bw_distance",
)

#: Problems per chunk of the NumPy engine: ``P * 16 n^2`` near this many elements (8 MB).
PROBLEM_CHUNK_ELEMENTS = 1_000_000


def compiled_reading(p: BDMParams) -> bool:
    """Whether ``p`` is S1 up to ``q``, ``rounds``, ``median_tie`` and ``range``."""
    s1 = BDMParams()
    return all(getattr(p, name) == getattr(s1, name) for name in _COMPILED_FIXED)


def run_batch(
    positions: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    params: Mapping[str, Any],
) -> FloatArray | None:
    """``(B, m)`` final medians (or means, ``forecast="mean"``) of ``B`` draws ``(B, n, m)``.

    Each (draw, dimension) pair is one problem. Reading S1 (up to ``q``, ``rounds``,
    ``median_tie`` and ``range``) runs on the compiled engine, other simultaneous readings on
    the NumPy engine in chunks; ``update="sequential"`` returns ``None`` (the caller runs the
    loop of single runs).
    """
    p, forecast = params_from_mapping(params)
    if p.update != "simultaneous":
        return None
    b, n, m = positions.shape
    _validate(positions, capabilities, saliences)
    if p.range == "scale" and not bool(np.all(hi > lo)):
        raise UsageError("bdm: range='scale' needs the scale", expected="hi > lo")
    # problems ordered (draw, dimension)
    x = positions.transpose(0, 2, 1).reshape(b * m, n)
    s = saliences.transpose(0, 2, 1).reshape(b * m, n)
    c = np.repeat(capabilities, m, axis=0)
    span = np.tile(hi - lo, b)
    if compiled_reading(p):
        from accord.models.bdm.engine_numba import bdm_s1_batch

        median, mean = bdm_s1_batch(
            x, c, s, span, q=p.q, rounds=p.rounds, median_tie=p.median_tie, range_mode=p.range
        )
        return (median if forecast == "median" else mean).reshape(b, m)
    out = np.empty(b * m)
    step = max(1, PROBLEM_CHUNK_ELEMENTS // max(1, n * n * 16))  # ~60 problems at n = 32
    for start in range(0, b * m, step):
        sl = slice(start, min(b * m, start + step))
        median, mean = bdm_batch(x[sl], c[sl], s[sl], p, span[sl])
        out[sl] = median if forecast == "median" else mean
    return out.reshape(b, m)


def batch_kernel(
    batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator
) -> FloatArray | None:
    """The batch kernel: :func:`run_batch` on the batch's arrays (deterministic; ``rng`` unused)."""
    del rng
    return run_batch(
        batch.positions, batch.saliences, batch.capabilities, batch.lo, batch.hi, params
    )


SPEC = ModelSpec(
    name="bdm",
    summary="Bueno de Mesquita's expected-utility challenge model (Scholz et al. 2011 reading S1)",
    citation="Scholz2011; BuenoDeMesquita1994",
    run=run,
    params=BDMParams,
    batch_kernel=batch_kernel,
    uses_status_quo=False,
)
