r"""How far must the perception gap close?

The rise in an objector's threat perception at which it would acquiesce.

The article behind the Japan-NATO case ends: NATO "needs to form a consensus first by filling
the perception gap toward a China threat". Under the practised procedure
(:mod:`accord.rules.procedure`) a member objects to a text ``p`` when its net loss
``Delta_i(p)`` exceeds its cost of objecting ``c_i``. This module asks, for each objector, how
much its threat perception ``T_i`` (the attribute ``threat_china``, 0-100; in the Japan-NATO case
the Pew share unfavourable to China) would have to rise before ``Delta_i(p) <= c_i``. Two
routes, one per kind of input (``--inputs``):

* **record** (the stances as the file codes them): a stated **elasticity of salience** ``e``.
  A rise of ``dT`` points scales the objector's salience on the issue by
  ``max(0, 1 - e dT)``; its position stays. ``Delta_i`` is linear in a common factor on the
  saliences, so the smallest rise is closed-form:

  .. math:: dT^* = \frac{1 - c_i / \Delta_i(p)}{e}

  The default :data:`ELASTICITY` is an assumption, not an estimate: salience of opposition falls
  to zero across the spread of threat perception observed among the allies (Pew 2022/23: lowest
  Hungary 50, highest Sweden 84, ``tests/data/facts/pew_china_unfavorable_2022_2023.csv``), so
  ``e = 1/34`` per point, range half to double (:data:`ELASTICITY_RANGE`).
* **formulas**: the position formula of the issue (``position_formulas``, the
  ``--inputs formulas`` sensitivity) moves the objector's position and salience by the formula's
  marginal effect of the threat input, ``(hi - lo) w_threat / (in_hi - in_lo)`` per point
  (and ``salience_scale · sw_threat / (in_hi - in_lo)`` for the salience), clipped to the
  scales; the smallest rise is found on a grid of :data:`STEP` points up to a perception of 100.

A rise of ``None`` means no rise up to a perception of 100 suffices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.forecast import forecast_issue, issue_rule
from accord.rules.build_procedure import resolve_procedure
from accord.rules.procedure import net_losses
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import PositionFormula, Scenario

FloatArray = NDArray[np.float64]

ELASTICITY = 1.0 / 34.0
"""Share of an objector's salience lost per point of threat perception (assumed; module doc)."""
ELASTICITY_RANGE = (1.0 / 68.0, 1.0 / 17.0)
ELASTICITY_SOURCE = (
    "assumed: the salience of opposition falls to zero across the spread of threat perception "
    "among the allies surveyed by Pew (Hungary 50 to Sweden 84, "
    "tests/data/facts/pew_china_unfavorable_2022_2023.csv), e = 1/34 per point; range 1/68-1/17"
)
STEP = 0.1
"""Grid step (points of threat perception) of the formula route."""
ATTRIBUTE = "threat_china"


@dataclass(frozen=True)
class AcquiescenceRise:
    """One objector: its perception now, the rise at which it would acquiesce, and why."""

    actor: str
    issue: str
    threat_now: float | None
    loss_now: float
    cost: float
    rise: float | None
    method: str
    source: str

    @property
    def threat_needed(self) -> float | None:
        """The threat perception at which the member acquiesces (``None`` if it never does)."""
        if self.rise is None or self.threat_now is None:
            return None
        return self.threat_now + self.rise

    def to_json_dict(self) -> dict[str, Any]:
        """The acquiescence rise as a JSON-serialisable dict."""
        return {
            "actor": self.actor,
            "issue": self.issue,
            "threat_now": self.threat_now,
            "loss_now": self.loss_now,
            "cost": self.cost,
            "rise": self.rise,
            "threat_needed": self.threat_needed,
            "method": self.method,
            "source": self.source,
        }


def rise_by_elasticity(loss: float, cost: float, elasticity: float) -> float:
    """``(1 - cost / loss) / elasticity`` (0 when the loss is within the cost already)."""
    if elasticity <= 0:
        raise UsageError("the elasticity must be positive", field="--elasticity")
    if loss <= cost:
        return 0.0
    return (1.0 - cost / loss) / elasticity


def rise_by_formula(
    position: FloatArray,
    salience: FloatArray,
    status_quo: FloatArray,
    proposal: FloatArray,
    cost: float,
    position_slope: FloatArray,
    salience_slope: float,
    lo: FloatArray,
    hi: FloatArray,
    salience_top: float,
    headroom: float,
) -> float | None:
    """The smallest rise in threat perception that ends an objection.

    The smallest rise on a grid of :data:`STEP` (up to ``headroom``) at which the moved
    position and salience give a net loss within ``cost``; ``None`` if none does.
    """
    rises = np.arange(0.0, headroom + STEP / 2, STEP)
    x = np.clip(position[None, :] + rises[:, None] * position_slope[None, :], lo, hi)
    s = np.clip(salience[None, :] + rises[:, None] * salience_slope, 0.0, salience_top)
    # net_losses' formula, vectorised over the rises (one member, its stance moving)
    m = x.shape[1]
    d_q = np.sqrt(np.sum(s * (status_quo[None, :] - x) ** 2, axis=1))
    d_y = np.sqrt(np.sum(s * (proposal[None, :] - x) ** 2, axis=1))
    losses = np.sqrt(s.mean(axis=1) / m) * (d_y - d_q)
    ok = np.flatnonzero(losses <= cost)
    return None if ok.size == 0 else float(rises[ok[0]])


def _threat(scenario: Scenario, actor: str) -> float | None:
    attr = scenario.actor(actor).attributes.get(ATTRIBUTE)
    value = None if attr is None else attr.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _formula_of(scenario: Scenario, issue_id: str) -> PositionFormula:
    for f in scenario.position_formulas:
        if f.issue == issue_id and any(s.attribute == ATTRIBUTE for s in f.inputs.values()):
            return f
    raise UsageError(
        f"no position formula of issue '{issue_id}' reads '{ATTRIBUTE}'",
        field="--inputs",
        expected="--inputs record (the elasticity route), or such a formula in the file",
    )


def acquiescence_rises(
    scenario: Scenario,
    issue_id: str,
    *,
    model: str = "compromise",
    proposal: FloatArray | None = None,
    inputs: str = "record",
    elasticity: float = ELASTICITY,
    seed: int | None = 0,
) -> list[AcquiescenceRise]:
    """The rise in threat perception at which each objector acquiesces.

    For each member that objects to ``proposal`` (default: ``model``'s forecast) under the
    practised procedure, the rise in its threat perception at which it would acquiesce.

    ``scenario`` must already be under ``inputs`` (:func:`accord.scenario.derive.apply_inputs`);
    ``inputs`` picks the route (module docstring).
    """
    issue = scenario.issue(issue_id)
    arrays = issue_arrays(scenario, issue_id)
    spec, members = issue_rule(scenario, issue, None)
    if spec is None or arrays.status_quo is None or not members:
        raise UsageError(
            f"issue '{issue_id}' has no rule, status quo or voting members",
            field="--issue",
            expected="an issue decided by a body",
        )
    from accord.rules.build import build_rule

    rule = build_rule(spec, members)
    row = {a: k for k, a in enumerate(arrays.actor_ids)}
    rows = np.array([row[m.id] for m in members], dtype=np.intp)
    if proposal is None:
        fc = forecast_issue(scenario, issue_id, [model], seed=seed)
        proposal = np.clip(
            np.asarray(fc.forecasts[0].outcome, dtype=np.float64), arrays.lo, arrays.hi
        )
    settings = resolve_procedure(scenario, issue, spec.kind, "practised")
    x, s, q = arrays.positions[rows], arrays.saliences[rows], arrays.status_quo
    result = settings.run(rule, x, s, q, proposal)
    ids = [m.id for m in members]
    costs = settings.costs(ids)
    losses = net_losses(x, s, q, proposal)
    formula = _formula_of(scenario, issue_id) if inputs == "formulas" else None
    out: list[AcquiescenceRise] = []
    for i in result.objectors:
        actor = ids[i]
        now = _threat(scenario, actor)
        loss, cost = float(losses[i]), float(costs[i])
        if formula is None:
            rise: float | None = rise_by_elasticity(loss, cost, elasticity)
            if rise is not None and now is not None and now + rise > 100.0:
                rise = None  # beyond the 0-100 scale: no rise suffices
            method = f"elasticity of salience {elasticity:.4g} per point"
            source = ELASTICITY_SOURCE if elasticity == ELASTICITY else "stated by --elasticity"
        else:
            spec_in = next(v for v in formula.inputs.values() if v.attribute == ATTRIBUTE)
            name = next(k for k, v in formula.inputs.items() if v.attribute == ATTRIBUTE)
            per = 1.0 / (spec_in.hi - spec_in.lo)
            span = arrays.hi - arrays.lo
            pos_slope = span * formula.weights.get(name, 0.0) * per
            sal_slope = issue.salience_scale * formula.salience_weights.get(name, 0.0) * per
            rise = rise_by_formula(
                x[i],
                s[i],
                q,
                proposal,
                cost,
                pos_slope,
                sal_slope,
                arrays.lo,
                arrays.hi,
                issue.salience_scale,
                100.0 - (now if now is not None else 0.0),
            )
            method = f"position formula '{formula.id}' (marginal effect of {ATTRIBUTE})"
            source = formula.source
        out.append(AcquiescenceRise(actor, issue_id, now, loss, cost, rise, method, source))
    return out


__all__ = [
    "ELASTICITY",
    "ELASTICITY_RANGE",
    "AcquiescenceRise",
    "acquiescence_rises",
    "rise_by_elasticity",
    "rise_by_formula",
]
