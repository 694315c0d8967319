"""What a team sees (fog of war), what it orders, and the player interface.

Every player, automated or human, implements :class:`Player`: ``orders(view) -> list[Order]``.
A :class:`View` holds only what the actor's role may see: the variables whose ``visible_to`` is
absent or names the actor or its team, the gates' states (legal declarations are public), the
actions it may order now, and a start-of-turn debrief: the previous turn's events and this turn's
injects that its audience includes, with changes to hidden variables removed.

Audience rules (:func:`redact`, :func:`audience_log`; docs/security.md). A team or an observer
sees outcomes and what its role may see; the facilitator (``who=None``) and the after-action
review see everything:

* an event whose ``audience`` excludes the viewer is gone, and the remaining events are
  renumbered ``0..n-1`` (:func:`audience_log`), so gaps in ``seq`` reveal nothing;
* changes and initial values of variables hidden from the viewer are removed;
* derived numbers are shown only to an audience that may see all of their inputs. A draw's
  random number ``u`` comes from the seed, which stays server-side, so no team sees it (nor the
  seed in ``game-started``); a draw's probability is withheld from every team and observer
  (issue #12 item 9, "debriefs without the dice": stricter than "all inputs visible", which it
  implies); the draw's result is shown;
* an override keeps only the values, gates and forced draws the viewer may see (a forced draw
  is visible to the audience of the draw it forces: a covert action's own team only); an
  override with nothing left is gone, and one with anything removed shows a neutral reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from accord.wargame.effects import environment
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import Draw, Event, GameStarted, Override
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
    return sees_audience(event.audience, who)


WITHHELD_REASON = "facilitator adjustment"
"""The reason a viewer sees on an override of which something was withheld from it."""


def _subject_audience(scenario: CompiledScenario, subject: str) -> list[str] | None:
    """The audience of a draw on ``subject`` (as the engine logs it).

    A covert action's actor and team, an inject's ``visible_to``; ``None`` (everyone) otherwise.
    """
    if subject.startswith("inject:"):
        inject = next((i for i in scenario.spec.injects if f"inject:{i.id}" == subject), None)
        return None if inject is None else inject.visible_to
    action = next((a for a in scenario.spec.actions if a.id == subject), None)
    if action is None or not action.covert:
        return None
    return sorted({action.actor, scenario.teams.get(action.actor, action.actor)})


def redact(scenario: CompiledScenario, event: Event, who: frozenset[str] | None) -> Event | None:
    """``event`` as ``who`` may see it (the module docstring's rules), or ``None`` when hidden.

    ``who``: actor and team ids of a team, the empty set for an observer, ``None`` for the
    facilitator (everything, unchanged).
    """
    if who is None:
        return event
    if not sees(event, who):
        return None
    shown = set(visible_variables(scenario, who))
    update: dict[str, object] = {}
    changes = {k: v for k, v in event.changes.items() if k in shown}
    if changes != event.changes:
        update["changes"] = changes
    if isinstance(event, GameStarted):
        update["seed"] = None
        update["values"] = {k: v for k, v in event.values.items() if k in shown}
        update["sampled"] = {k: v for k, v in event.sampled.items() if k in shown}
    elif isinstance(event, Draw):
        update["probability"] = None
        update["u"] = None
    elif isinstance(event, Override):
        force = {
            s: ok
            for s, ok in event.force.items()
            if sees_audience(_subject_audience(scenario, s), who)
        }
        if not (changes or event.gates or force):
            return None
        if force != event.force:
            update["force"] = force
        if update:
            update["reason"] = WITHHELD_REASON
    return event.model_copy(update=update) if update else event


def sees_audience(audience: list[str] | None, who: frozenset[str] | None) -> bool:
    """Whether ``who`` belongs to ``audience``.

    Whether ``who`` belongs to ``audience`` (``None``: everyone; ``who=None``: the
    facilitator, who belongs to every audience).
    """
    return who is None or audience is None or bool(who.intersection(audience))


def audience_log(
    scenario: CompiledScenario, events: Sequence[Event], who: frozenset[str] | None
) -> list[Event]:
    """The log as ``who`` may see it.

    Hidden events gone, the rest redacted (:func:`redact`) and renumbered ``0..n-1`` so that gaps in
    ``seq`` reveal nothing. The facilitator (``None``) gets the log unchanged.
    """
    if who is None:
        return list(events)
    out: list[Event] = []
    for event in events:
        seen = redact(scenario, event, who)
        if seen is not None:
            out.append(seen.model_copy(update={"seq": len(out)}))
    return out


def debrief(
    scenario: CompiledScenario,
    events: Sequence[Event],
    turn: int,
    who: frozenset[str] | None = None,
) -> tuple[Event, ...]:
    """Events of ``turn`` that ``who`` may see, redacted for ``who`` (:func:`redact`)."""
    out = []
    # events are logged in turn order: start at the first event of ``turn``
    start = len(events)
    while start > 0 and events[start - 1].turn >= turn:
        start -= 1
    for event in events[start:]:
        if event.turn != turn:
            continue
        seen = redact(scenario, event, who)
        if seen is not None:
            out.append(seen)
    return tuple(out)


def available_actions(
    scenario: CompiledScenario, state: GameState, actor: str, turn: int
) -> tuple[str, ...]:
    """The actor's actions that are available now.

    The actor's actions whose gates are open and whose precondition holds now (an action that
    declares a gate only while the gate is still closed).
    """
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
