"""Which actions an actor may order, and why not: the engine's own checks, explained.

:func:`action_statuses` runs, for each action of an actor, the checks that
:meth:`accord.wargame.engine.Game.step` applies when the order executes (``_execute``), in the
same order, and reports each as a :class:`Check` with the values it reads now:

1. every legal gate in ``requires_gates`` is open;
2. the action's ``precondition`` holds;
3. for an action that declares a gate: the gate is still closed, its ``requires`` holds, and each
   of its legal ``conditions`` holds (the first that fails is the reason, as in the engine's
   rejection); a gate's group ``decision`` is taken when the order runs, so it is listed as a
   condition that cannot be known in advance, never as a reason to refuse.

An action is *available* when every check that can be decided now holds. The checks are made on
the state the next turn's orders will meet (:func:`orders_phase`): the engine itself starts the
next turn on a copy of the game (turn number, gates that open, injects), and what a viewer may
know in advance is kept: scripted and triggered injects without a ``probability`` that the
viewer's audience sees. Injects drawn at random, or hidden from the viewer, are left out (the
dice and other teams' news stay secret), so the engine remains the final word: an order it
refuses is logged with its reason.

Values an audience may not see are never printed: a check that reads a hidden variable shows
"(hidden)" in place of its value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from accord.wargame.display import variable_label, variable_unit
from accord.wargame.effects import environment
from accord.wargame.engine import Game
from accord.wargame.expr import HISTORY
from accord.wargame.loader import ChangeSet, CompiledScenario
from accord.wargame.log import (
    ActionExecuted,
    DecisionTaken,
    Draw,
    Event,
    GameEnded,
    InjectFired,
    OrderRejected,
)
from accord.wargame.schema import Action
from accord.wargame.state import GameState, fold
from accord.wargame.view import sees_audience


@dataclass(frozen=True)
class Check:
    """One gate or precondition of an action, as the engine will test it.

    Attributes:
        kind: ``gate`` (a legal gate that must be open), ``precondition``, ``declares`` (the
            declared gate must still be closed), ``requires`` or ``condition`` (of the declared
            gate), or ``decision`` (a group decision taken when the order runs).
        text: what is needed, in words.
        holds: whether it holds now (``None``: cannot be known before the order runs).
        now: the current values it reads, as text (hidden values withheld).
    """

    kind: str
    text: str
    holds: bool | None
    now: str


@dataclass(frozen=True)
class ActionStatus:
    """An action of the catalogue as a team sees it before ordering.

    Attributes:
        id: the action id (what an order names).
        label: its name for people (the scenario's ``label``, else the id).
        description: what it does, in words (:func:`describe_action`).
        checks: every gate and precondition, with current values.
        available: every decidable check holds (the engine would not refuse it now).
        why: the first failing check in the engine's order, as text (``None`` when available).
    """

    id: str
    label: str
    description: str
    checks: tuple[Check, ...]
    available: bool
    why: str | None


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _name_now(
    scenario: CompiledScenario,
    name: str,
    env: dict[str, float],
    shown: set[str] | None,
) -> str | None:
    """``Label = value unit`` for one name an expression reads (``None`` for tables' internals)."""
    if name == "turn":
        return f"turn = {int(env['turn'])}"
    head, sep, tail = name.partition(":")
    if sep and head in HISTORY:
        return f"{head}({tail}) = {int(env.get(name, 0.0))}"
    if name in scenario.gates:
        return f"gate {name} {'open' if env.get(name, 0.0) else 'not open'}"
    if name in scenario.lo:
        label = variable_label(scenario, name)
        if shown is not None and name not in shown:
            return f"{label} (hidden)"
        unit = variable_unit(scenario, name)
        return f"{label} = {_fmt(env[name])}{' ' + unit if unit else ''}"
    if name in env:  # a table
        return f"{name} = {_fmt(env[name])}"
    return None


def _now_text(
    scenario: CompiledScenario,
    names: Iterable[str],
    env: dict[str, float],
    shown: set[str] | None,
) -> str:
    parts = [_name_now(scenario, n, env, shown) for n in sorted(names)]
    return "; ".join(p for p in parts if p) or "(reads no state)"


def _changes_text(
    scenario: CompiledScenario, changes: ChangeSet, shown: set[str] | None, sign: str
) -> list[str]:
    out = []
    for name, expr in changes.sets.items():
        if shown is None or name in shown:
            out.append(f"sets {variable_label(scenario, name)} to {expr.text}")
    for name, expr in changes.deltas.items():
        if shown is None or name in shown:
            text = expr.text if expr.text.startswith("-") else f"{sign}{expr.text}"
            out.append(f"{variable_label(scenario, name)} {text}")
    return out


def describe_action(
    scenario: CompiledScenario, action: Action, shown: set[str] | None = None
) -> str:
    """What an action does, in words.

    From its scenario entry (effects on variables hidden from
    the viewer are left out; a draw's probability is not shown: the dice stay with the white
    cell).
    """
    parts: list[str] = []
    gates = {g.id: g for g in scenario.spec.gates}
    if action.declares_gate is not None:
        gate = gates[action.declares_gate]
        parts.append(f"Declares the legal situation '{gate.label or gate.id}'.")
        if gate.permits:
            parts.append(f"It permits: {gate.permits}.")
        if gate.who_decides:
            parts.append(f"Who decides: {gate.who_decides}.")
    effects = _changes_text(scenario, scenario.action_changes[action.id], shown, "+")
    if effects:
        parts.append("Effects: " + ", ".join(effects) + ".")
    costs = _changes_text(scenario, scenario.action_costs[action.id], shown, "+")
    if costs:
        parts.append("Costs: " + ", ".join(costs) + ".")
    if action.adjudication is not None:
        parts.append("Its outcome is adjudicated (success or failure by a seeded draw).")
    if action.proposes is not None:
        decision = next(d for d in scenario.spec.decisions if d.id == action.proposes)
        parts.append(f"Puts '{decision.label or decision.id}' to its members.")
    if action.covert:
        parts.append("Covert: only your team sees it.")
    if action.source:
        parts.append(f"Source: {action.source}.")
    return " ".join(parts) or "No effect on the state you can see."


def _gate_state(state: GameState, gate: str) -> str:
    g = state.gates.get(gate)
    if g is None or g.status == "closed":
        return "closed"
    if g.status == "pending":
        return f"pending (opens at turn {g.opens_at})"
    return "open"


def orders_phase(
    scenario: CompiledScenario, events: Sequence[Event], who: frozenset[str] | None = None
) -> GameState:
    """The state the next turn's orders will meet, as far as ``who`` may know it in advance.

    The engine plays the start of the next turn on a copy of the game (every actor passes):
    the turn starts, gates due open, and injects fire. Kept are the turn's start, the gates and
    the injects without a ``probability`` whose audience includes ``who`` (``None``: the white
    cell, who sees every audience); draws and random injects are left out. After the game's
    end, the state as it is.
    """
    trial = Game(scenario, events=events)
    if trial.ended:
        return trial.state
    trial.step(orders={actor: [] for actor in scenario.teams})
    random = {i.id for i in scenario.spec.injects if i.probability is not None}
    kept: list[Event] = []
    for event in trial.events[len(events) :]:
        if isinstance(event, DecisionTaken | GameEnded | ActionExecuted | OrderRejected):
            break
        if isinstance(event, Draw):
            continue
        if isinstance(event, InjectFired) and (
            event.inject in random or not sees_audience(event.audience, who)
        ):
            continue
        kept.append(event)
    return fold([*events, *kept])


def action_statuses(
    scenario: CompiledScenario,
    state: GameState,
    actor: str,
    shown: Iterable[str] | None = None,
) -> list[ActionStatus]:
    """Every action of ``actor`` with its checks (see the module docstring).

    Args:
        scenario: the compiled scenario.
        state: the state the orders will meet (:func:`orders_phase`).
        actor: the actor whose catalogue to explain.
        shown: the variables the viewer may see (``None``: all, the white cell).
    """
    visible = None if shown is None else set(shown)
    opened = {g: st.status == "open" for g, st in state.gates.items()}
    env = environment(scenario, state.values, opened, state.turn, state.history)
    gates = {g.id: g for g in scenario.spec.gates}
    out: list[ActionStatus] = []
    for action in scenario.spec.actions:
        if action.actor != actor:
            continue
        checks: list[Check] = []
        for gate in action.requires_gates:
            label = gates[gate].label or gate
            checks.append(
                Check(
                    "gate",
                    f"legal gate '{label}' ({gate}) open",
                    bool(env.get(gate, 0.0)),
                    f"{gate}: {_gate_state(state, gate)}",
                )
            )
        pre = scenario.preconditions[action.id]
        if pre.text not in ("true", "True", "1", "1.0"):
            checks.append(
                Check(
                    "precondition",
                    f"precondition {pre.text}",
                    pre.truth(env),
                    _now_text(scenario, pre.names, env, visible),
                )
            )
        if action.declares_gate is not None:
            declared = gates[action.declares_gate]
            status = _gate_state(state, declared.id)
            checks.append(
                Check(
                    "declares", f"gate '{declared.id}' not yet declared", status == "closed", status
                )
            )
            req = scenario.gate_requires[declared.id]
            if req.text not in ("true", "True", "1", "1.0"):
                checks.append(
                    Check(
                        "requires",
                        f"gate '{declared.id}' requires {req.text}",
                        req.truth(env),
                        _now_text(scenario, req.names, env, visible),
                    )
                )
            for text, cond in scenario.gate_conditions.get(declared.id, ()):
                checks.append(
                    Check(
                        "condition",
                        f"legal condition: {text} ({cond.text})",
                        cond.truth(env),
                        _now_text(scenario, cond.names, env, visible),
                    )
                )
            if declared.decision is not None:
                decision = next(d for d in scenario.spec.decisions if d.id == declared.decision)
                checks.append(
                    Check(
                        "decision",
                        f"'{decision.label or decision.id}' agreed when the order runs "
                        f"({decision.rule.kind} of {', '.join(decision.members)})",
                        None,
                        "decided the same turn",
                    )
                )
        failed = next((c for c in checks if c.holds is False), None)
        if state.ended:
            why: str | None = "the game has ended"
        elif failed is None:
            why = None
        else:
            why = f"needs {failed.text}; now: {failed.now}"
        out.append(
            ActionStatus(
                id=action.id,
                label=action.label or action.id,
                description=describe_action(scenario, action, visible),
                checks=tuple(checks),
                available=why is None,
                why=why,
            )
        )
    return out
