"""What a team sees (fog of war), what it orders, and the player interface.

Every player, automated or human, implements :class:`Player`: ``orders(view) -> list[Order]``.
A :class:`View` holds only what the actor's role may see: the variables whose ``visible_to`` is
absent or names the actor or its team, the gates' states (legal declarations are public), the
actions it may order now, and a start-of-turn debrief: the previous turn's events and this turn's
injects that its audience includes, with changes to hidden variables removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from accord.wargame.effects import environment
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import Event
from accord.wargame.state import GameState


@dataclass(frozen=True)
class Order:
    """An actor's order to take one action from its catalogue this turn."""

    actor: str
    action: str


@dataclass(frozen=True)
class View:
    """One actor's picture of the game at the start of a turn's orders phase."""

    actor: str
    team: str
    turn: int
    turn_length: str
    values: dict[str, float]
    hidden: tuple[str, ...]
    gates: dict[str, str]
    available: tuple[str, ...]
    agreed: dict[str, int]
    debrief: tuple[Event, ...]


class Player(Protocol):
    """Anything that turns a view into orders: a doctrine, a utility maximiser, a human team.

    A player may set a class attribute ``needs_debrief = False`` to be handed views without the
    debrief (cheaper); players without the attribute get it.
    """

    def orders(self, view: View) -> list[Order]:
        """The orders for ``view.actor`` this turn (an empty list passes)."""
        ...


def audience_of(scenario: CompiledScenario, actor: str) -> frozenset[str]:
    """The ids that count as 'this actor' for visibility: the actor and its team."""
    return frozenset((actor, scenario.teams.get(actor, actor)))


_VISIBLE: dict[tuple[int, frozenset[str]], tuple[CompiledScenario, tuple[str, ...]]] = {}


def visible_variables(scenario: CompiledScenario, who: frozenset[str]) -> tuple[str, ...]:
    """Variables that ``who`` (actor and team ids) may see (memoised per scenario object)."""
    key = (id(scenario), who)
    hit = _VISIBLE.get(key)
    if hit is not None and hit[0] is scenario:
        return hit[1]
    shown = tuple(
        v.id
        for v in scenario.spec.variables
        if v.visible_to is None or who.intersection(v.visible_to)
    )
    if len(_VISIBLE) > 4096:
        _VISIBLE.clear()
    _VISIBLE[key] = (scenario, shown)
    return shown


def sees(event: Event, who: frozenset[str] | None) -> bool:
    """Whether an event's audience includes ``who`` (``None``: the facilitator, sees all)."""
    return who is None or event.audience is None or bool(who.intersection(event.audience))


def debrief(
    scenario: CompiledScenario,
    events: Sequence[Event],
    turn: int,
    who: frozenset[str] | None = None,
) -> tuple[Event, ...]:
    """Events of ``turn`` that ``who`` may see, changes to hidden variables removed."""
    allowed = set(scenario.variables if who is None else visible_variables(scenario, who))
    out = []
    # events are logged in turn order: start at the first event of ``turn``
    start = len(events)
    while start > 0 and events[start - 1].turn >= turn:
        start -= 1
    for event in events[start:]:
        if event.turn != turn or not sees(event, who):
            continue
        kept = {k: v for k, v in event.changes.items() if k in allowed}
        out.append(event if kept == event.changes else event.model_copy(update={"changes": kept}))
    return tuple(out)


def available_actions(
    scenario: CompiledScenario, state: GameState, actor: str, turn: int
) -> tuple[str, ...]:
    """The actor's actions whose gates are open and whose precondition holds now (an action that
    declares a gate only while the gate is still closed)."""
    env = environment(scenario, state.values, _open(state), turn)
    return tuple(
        a.id
        for a in scenario.spec.actions
        if a.actor == actor
        and all(state.gate_open(g) for g in a.requires_gates)
        and (a.declares_gate is None or a.declares_gate not in state.gates)
        and scenario.preconditions[a.id].truth(env)
    )


def _open(state: GameState) -> dict[str, bool]:
    return {g: s.status == "open" for g, s in state.gates.items()}


def make_view(
    scenario: CompiledScenario,
    state: GameState,
    events: Sequence[Event],
    actor: str,
    *,
    with_debrief: bool = True,
) -> View:
    """The view of ``actor`` at the current point of the game (see the module docstring).

    ``with_debrief=False`` leaves the debrief empty: the engine asks so for players whose
    ``needs_debrief`` attribute is false (the automated ones, which never read it).
    """
    who = audience_of(scenario, actor)
    shown = visible_variables(scenario, who)
    shown_set = set(shown)
    turn = state.turn
    return View(
        actor=actor,
        team=scenario.teams.get(actor, actor),
        turn=turn,
        turn_length=scenario.spec.clock.turn_length,
        values={k: state.values[k] for k in shown},
        hidden=tuple(v for v in scenario.variables if v not in shown_set),
        gates={g: state.gates[g].status if g in state.gates else "closed" for g in scenario.gates},
        available=available_actions(scenario, state, actor, turn),
        agreed=dict(state.agreed),
        debrief=(
            debrief(scenario, events, turn - 1, who) + debrief(scenario, events, turn, who)
            if with_debrief
            else ()
        ),
    )
