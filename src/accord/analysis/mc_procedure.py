"""Monte Carlo over the decision procedure: how likely each outcome class is, and who objects.

:mod:`accord.analysis.montecarlo` draws every record-coded stance within its stated range. For
each draw and model this module applies the issue's decision procedure
(:mod:`accord.rules.procedure`, practised by default) to the model's outcome as the text tabled,
with that draw's positions and saliences and a **drawn cost of objecting**:

* the cost is drawn uniformly on ``[COST_FACTOR_RANGE[0] c, COST_FACTOR_RANGE[1] c]`` around the
  issue's cost ``c`` (the fitted default of its kind of body, or the file's
  ``cost_of_objecting``); per-actor costs and the reservation threshold are scaled by the same
  factor, so their ratios to the cost stay as stated. The range (half to double) is an
  assumption: no source gives the uncertainty of a cost of blocking, and the fit
  (:mod:`accord.analysis.procedure_fit`) reports a point value. A cost of 0 (the strict
  procedure) is not drawn.
* the cost draws come from their own seeded stream (``seed_for(seed, "montecarlo-cost",
  issue)``), so adding them leaves the draws of the stances, and every earlier result, unchanged.

Per model the result gives the share of draws ending in each outcome class (``passes``,
``passes_with_reservations``, ``passes_with_opt_outs``, ``diluted``, ``delayed``, ``blocked``),
the grouped ``P(passes)`` (the three ``passes`` classes), and how often each member objects,
reserves or opts out. **Drivers** are the Spearman correlations of every drawn input (the cost
included) with adoption (1 when the outcome is a passing class or ``diluted``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.models.base import FloatArray
from accord.rules.procedure import OUTCOMES, PASSING, run_procedure_batch

COST_FACTOR_RANGE = (0.5, 2.0)
"""The drawn cost of objecting lies between these multiples of the issue's cost (assumed)."""
COST_SOURCE = (
    "assumed: uniform from half to double the issue's cost of objecting (the fitted default of "
    "its kind of body, or the file's); no source gives the uncertainty of a cost of blocking"
)
PASSES = ("passes", "passes_with_reservations", "passes_with_opt_outs")


def cost_factors(draws: int, rng: np.random.Generator) -> FloatArray:
    """``(draws,)`` factors on the cost, uniform on :data:`COST_FACTOR_RANGE`."""
    lo, hi = COST_FACTOR_RANGE
    return np.asarray(rng.uniform(lo, hi, size=draws), dtype=np.float64)


@dataclass(frozen=True)
class ProcedureUncertainty:
    """The procedure's outcome over the draws of one issue and model."""

    name: str
    cost: float
    costs: FloatArray
    outcomes: tuple[str, ...]
    objectors: dict[str, float]
    reservations: dict[str, float]
    opt_outs: dict[str, float]
    drivers: tuple[tuple[str, float], ...]

    def probability(self, outcome: str, *, grouped: bool = True) -> float:
        """Share of draws ending in ``outcome``.

        With ``grouped``, ``passes`` means any of the three passing classes (``passes``, with
        reservations, with opt-outs).
        """
        wanted = PASSES if grouped and outcome == "passes" else (outcome,)
        return sum(o in wanted for o in self.outcomes) / max(len(self.outcomes), 1)

    def to_json_dict(self, top: int | None = None) -> dict[str, Any]:
        """The procedure's outcomes over the draws as a JSON-serialisable dict.

        Args:
            top: keep only the ``top`` drivers (all when ``None``).
        """
        drivers = self.drivers if top is None else self.drivers[:top]
        drawn = self.cost > 0
        return {
            "name": self.name,
            "cost_of_objecting": {
                "value": self.cost,
                "range": [self.cost * COST_FACTOR_RANGE[0], self.cost * COST_FACTOR_RANGE[1]]
                if drawn
                else [self.cost, self.cost],
                "source": COST_SOURCE if drawn else "not drawn (cost 0)",
            },
            "probabilities": {o: self.probability(o, grouped=False) for o in OUTCOMES},
            "p_passes": self.probability("passes"),
            "p_diluted": self.probability("diluted"),
            "p_delayed": self.probability("delayed"),
            "p_blocked": self.probability("blocked"),
            "objectors": self.objectors,
            "reservations": self.reservations,
            "opt_outs": self.opt_outs,
            "drivers": [{"input": name, "rho_adopted": rho} for name, rho in drivers],
        }


def _shares(counts: NDArray[np.int64], ids: Sequence[str], draws: int) -> dict[str, float]:
    order = np.argsort(-counts, kind="stable")
    return {ids[i]: float(counts[i]) / draws for i in order.tolist() if counts[i] > 0}


def procedure_over_draws(
    settings: Any,
    rules: Sequence[Any],
    member_ids: Sequence[str],
    positions: FloatArray,
    saliences: FloatArray,
    status_quo: FloatArray,
    proposals: FloatArray,
    factors: FloatArray,
    input_names: Sequence[str],
    input_values: FloatArray,
) -> ProcedureUncertainty:
    """Run the procedure on every draw (module docstring), vectorised over the draws.

    Args:
        settings: the issue's :class:`~accord.rules.build_procedure.ProcedureSettings`.
        rules: the decision rule of each draw (members in ``member_ids`` order).
        member_ids: the members.
        positions: ``(B, k, m)`` the members' drawn positions.
        saliences: ``(B, k, m)`` the members' drawn saliences.
        status_quo: ``(B, m)``.
        proposals: ``(B, m)`` the model's outcome in each draw (the text tabled).
        factors: ``(B,)`` cost factors (:func:`cost_factors`).
        input_names: the names of the drawn inputs, for the drivers.
        input_values: ``(B, p)`` the drawn inputs.
    """
    from accord.analysis.montecarlo import spearman

    draws = positions.shape[0]
    base = settings.costs(member_ids)
    drawn = settings.cost > 0
    f = factors if drawn else np.ones(draws)
    # all draws at once; equal to run_procedure draw by draw (tests/unit/test_procedure_batch.py)
    batch = run_procedure_batch(
        list(rules),
        positions,
        saliences,
        status_quo,
        proposals,
        name=settings.name,
        costs=base[None, :] * f[:, None],
        reservation_thresholds=settings.reservation_threshold * f,
        max_dilution=settings.max_dilution,
        opt_out=settings.opt_out,
        next_window=settings.next_window,
    )
    outcomes = batch.outcome_names()
    objects = batch.objectors.sum(axis=0, dtype=np.int64)
    reserves = batch.reservations.sum(axis=0, dtype=np.int64)
    opts = batch.opt_outs.sum(axis=0, dtype=np.int64)
    adopted = np.array([o in PASSING for o in outcomes], dtype=np.float64)
    names = [*input_names, "cost of objecting"] if drawn else list(input_names)
    values = np.column_stack([input_values, settings.cost * f]) if drawn else input_values
    drivers: list[tuple[str, float]] = []
    if values.shape[1] and 0.0 < adopted.mean() < 1.0:
        rho = spearman(values, adopted[:, None])[:, 0]
        order = np.argsort(-np.abs(rho), kind="stable")
        drivers = [(names[j], float(rho[j])) for j in order.tolist() if abs(rho[j]) > 0]
    return ProcedureUncertainty(
        name=settings.name,
        cost=float(settings.cost),
        costs=np.asarray(settings.cost * f, dtype=np.float64),
        outcomes=tuple(outcomes),
        objectors=_shares(objects, member_ids, draws),
        reservations=_shares(reserves, member_ids, draws),
        opt_outs=_shares(opts, member_ids, draws),
        drivers=tuple(drivers),
    )


__all__ = [
    "COST_FACTOR_RANGE",
    "ProcedureUncertainty",
    "cost_factors",
    "procedure_over_draws",
]
