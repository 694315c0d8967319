"""Evaluating a scenario's expressions on a state: the environment, and changes with bounds.

The environment of an expression holds every variable's value, each legal gate as 1.0 (open) or
0.0, ``turn``, and each table's value (:class:`~accord.wargame.loader.CompiledTable`, computed
from its input on the same state).

:func:`resolve` evaluates the right-hand sides of one or more change sets on one environment
(deltas add up; a ``set`` replaces the value and then the deltas apply on top), then applies the
scenario's ``bounds`` policy: ``clamp`` clips each value to ``[lo, hi]``; ``error`` raises a
:class:`~accord.errors.ScenarioError` naming the variable, the value and the source of the change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from accord.errors import ScenarioError
from accord.wargame.loader import ChangeSet, CompiledScenario


def environment(
    scenario: CompiledScenario,
    values: Mapping[str, float],
    open_gates: Mapping[str, bool] | None = None,
    turn: int = 0,
    history: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Names -> values for expressions.

    Variables, gates (0/1), ``turn``, tables and the event counters of ``history``
    (:attr:`accord.wargame.state.GameState.history`).
    """
    env = dict(values)
    if history:
        env.update(history)
    gates = open_gates or {}
    for gate in scenario.gates:
        env[gate] = 1.0 if gates.get(gate, False) else 0.0
    env["turn"] = float(turn)
    for table in scenario.tables:
        env[table.id] = table.value(env)
    return env


def resolve(
    scenario: CompiledScenario,
    env: Mapping[str, float],
    changes: Sequence[ChangeSet],
    where: str,
) -> dict[str, float]:
    """New values of every variable the change sets touch (see the module docstring)."""
    new: dict[str, float] = {}
    for change in changes:
        for name, expr in change.sets.items():
            new[name] = expr.value(env)
    for change in changes:
        for name, expr in change.deltas.items():
            new[name] = new.get(name, env[name]) + expr.value(env)
    for name, value in new.items():
        lo, hi = scenario.lo[name], scenario.hi[name]
        if lo <= value <= hi:
            continue
        if scenario.spec.bounds == "error":
            raise ScenarioError(
                f"{where} sends '{name}' to {value:g}, outside its range [{lo:g}, {hi:g}]",
                file=scenario.source,
                field=where,
                expected="changes that keep variables in range (or 'bounds: clamp')",
            )
        new[name] = min(max(value, lo), hi)
    return new
