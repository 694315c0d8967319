"""Resolve an issue's decision procedure from a scenario, and who is a member on its date.

Precedence, field by field: a field set in the issue's ``procedure`` block, then in its body's,
then the fitted default of the kind of body (:func:`accord.rules.procedure.defaults_for`). The
procedure's name can be overridden as a whole (CLI ``--procedure``, API ``procedure=``).
``actor_costs`` of the body and the issue are merged (the issue's win).

Membership by date: an issue with a ``decision_date`` counts an actor as a member of its body
only when the actor's ``joined[body]`` is on or before that date; an actor with no joining date
for the body counts as a member (founders, and files that do not record dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.rules.base import DecisionRule
from accord.rules.procedure import (
    PROCEDURE_NAMES,
    ProcedureParams,
    ProcedureResult,
    allows_opt_out,
    defaults_for,
    run_procedure,
)
from accord.scenario.schema import Actor, Issue, Procedure, Scenario


def member_on(actor: Actor, body_id: str, date: dt.date | None) -> bool:
    """Whether ``actor`` counts as a member of ``body_id`` on ``date`` (``None``: any date)."""
    if body_id not in actor.member_of:
        return False
    joined = actor.joined.get(body_id)
    return date is None or joined is None or joined <= date


@dataclass(frozen=True)
class ProcedureSettings:
    """The resolved procedure of one issue, ready for :func:`run_procedure`."""

    name: str
    cost: float
    reservation_threshold: float
    max_dilution: float
    actor_costs: dict[str, float]
    opt_out: bool
    next_window: bool

    def costs(self, member_ids: Sequence[str]) -> NDArray[np.float64]:
        """Per-member costs in member order (``actor_costs`` where given, else ``cost``)."""
        return np.array([self.actor_costs.get(a, self.cost) for a in member_ids], dtype=float)

    def run(
        self,
        rule: DecisionRule,
        positions: NDArray[np.float64],
        saliences: NDArray[np.float64],
        status_quo: NDArray[np.float64],
        proposal: NDArray[np.float64],
    ) -> ProcedureResult:
        """:func:`run_procedure` with these settings."""
        return run_procedure(
            rule,
            positions,
            saliences,
            status_quo,
            proposal,
            name=self.name,
            cost=self.costs(rule.member_ids),
            reservation_threshold=self.reservation_threshold,
            max_dilution=self.max_dilution,
            opt_out=self.opt_out and allows_opt_out(rule.name),
            next_window=self.next_window,
        )


def _layers(scenario: Scenario, issue: Issue) -> list[Procedure]:
    layers: list[Procedure] = []
    if issue.body is not None:
        try:
            body = scenario.body(issue.body)
        except KeyError:
            body = None
        if body is not None and body.procedure is not None:
            layers.append(body.procedure)
    if issue.procedure is not None:
        layers.append(issue.procedure)
    return layers


def resolve_procedure(
    scenario: Scenario,
    issue: Issue,
    rule_kind: str,
    name: str | None = None,
    *,
    defaults: ProcedureParams | None = None,
) -> ProcedureSettings:
    """The procedure settings of ``issue`` decided under a rule of kind ``rule_kind``.

    Args:
        scenario: the scenario holding the issue.
        issue: the issue.
        rule_kind: the kind of the rule that decides it (after any ``--rule`` override).
        name: ``strict`` or ``practised`` to override the file; ``None`` keeps the file's
            (``practised`` when the file says nothing).
        defaults: the parameters a field falls back to when neither the issue nor the body sets
            it; :func:`defaults_for` of ``rule_kind`` when ``None`` (a fit passes its candidates).
    """
    if name is not None and name not in PROCEDURE_NAMES:
        raise UsageError(
            f"unknown procedure '{name}'", field="--procedure", expected="strict or practised"
        )
    default = defaults if defaults is not None else defaults_for(rule_kind)
    values: dict[str, object] = {
        "name": "practised",
        "cost_of_objecting": default.cost,
        "reservation_threshold": default.reservation_threshold,
        "max_dilution": default.max_dilution,
        "opt_out": False,
    }
    actor_costs: dict[str, float] = {}
    for layer in _layers(scenario, issue):
        for key in layer.model_fields_set & set(values):
            value = getattr(layer, key)
            if value is not None:
                values[key] = value
        actor_costs.update(layer.actor_costs)
    return ProcedureSettings(
        name=str(name if name is not None else values["name"]),
        cost=float(values["cost_of_objecting"]),  # type: ignore[arg-type]
        reservation_threshold=float(values["reservation_threshold"]),  # type: ignore[arg-type]
        max_dilution=float(values["max_dilution"]),  # type: ignore[arg-type]
        actor_costs=actor_costs,
        opt_out=bool(values["opt_out"]),
        next_window=issue.next_window is not None,
    )
