"""The white cell's adjudication of a turn.

Rulings on single orders, overrides stamped with the turn they change, and what each change does to
the proposal.

* :class:`RulingGame` is the engine (:class:`~accord.wargame.engine.Game`) with the white
  cell's rulings: an order the white cell rejected is refused where the engine would execute
  it, with an ``order-rejected`` event carrying the ruling's reason; every other order goes
  through the engine's own checks unchanged.
* :func:`stamped_overrides` checks overrides with :meth:`Game.override` (same validation, same
  event) and stamps each with the turn it is made for (the next turn), so the log, the review
  and a rollback to "the start of turn t" all place it in turn *t*, not in the turn before.
* :func:`proposal_diff` compares two proposals for the same turn: which outcomes changed
  (actions executed or refused, draws, decisions, injects, gates, the game's end) and which
  variables end the turn at another value. The white cell sees every side effect of one
  override, not only the value it set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.wargame.display import variable_label
from accord.wargame.engine import Game
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import (
    ActionExecuted,
    DecisionTaken,
    Draw,
    Event,
    GameEnded,
    GateDeclared,
    GateOpened,
    InjectFired,
    OrderRejected,
    Override,
)
from accord.wargame.view import Order, Player

WHITE_CELL_REJECTION = "rejected by the white cell"
"""How a ruling's rejection starts in the log (its private reason follows after a colon)."""


class RulingGame(Game):
    """The engine, with orders the white cell rejected refused at execution.

    Args:
        scenario: the compiled scenario.
        players: actor id -> automated player.
        events: the log to resume from (as :class:`Game`).
        vetoes: (actor, action) -> the reason logged with the rejection.
    """

    def __init__(
        self,
        scenario: CompiledScenario,
        players: Mapping[str, Player] | None = None,
        *,
        events: Sequence[Event],
        vetoes: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        """Resume ``events`` with the given players and vetoes."""
        super().__init__(scenario, players=players, events=events)
        self.vetoes = dict(vetoes or {})

    def _execute(self, actor: str, order: Order) -> None:
        reason = self.vetoes.get((actor, order.action))
        if reason is not None and order.actor == actor:
            self._reject(actor, order.action, reason)
            return
        super()._execute(actor, order)


@dataclass(frozen=True)
class OverrideSpec:
    """One pending override: its reason and what it sets or forces."""

    reason: str
    values: Mapping[str, float]
    gates: Mapping[str, str]
    force: Mapping[str, bool]


def stamped_overrides(
    scenario: CompiledScenario, events: Sequence[Event], overrides: Sequence[OverrideSpec]
) -> list[Event]:
    """The events of ``overrides`` made after ``events``, stamped with the next turn.

    Each is checked by :meth:`Game.override` (unknown variables, out-of-range values, unknown
    gates or draws are :class:`~accord.errors.UsageError`).
    """
    game = Game(scenario, events=events)
    turn = game.state.turn + 1
    out: list[Event] = []
    for spec in overrides:
        event = game.override(
            spec.reason, values=spec.values, gates=dict(spec.gates), force=spec.force
        )
        out.append(event.model_copy(update={"turn": turn}))
    return out


def _outcomes(events: Sequence[Event]) -> dict[str, str]:
    """Subject -> what happened to it in a proposal (one entry per outcome that can flip)."""
    out: dict[str, str] = {}
    for e in events:
        if isinstance(e, ActionExecuted):
            out[f"{e.actor}: {e.action}"] = "executed"
        elif isinstance(e, OrderRejected):
            out[f"{e.actor}: {e.action}"] = f"refused ({e.reason})"
        elif isinstance(e, Draw):
            out[f"draw {e.subject}"] = "success" if e.success else "failure"
        elif isinstance(e, DecisionTaken):
            out[f"decision {e.decision}"] = "agreed" if e.agreed else "blocked"
        elif isinstance(e, InjectFired):
            out[f"inject {e.inject}"] = "fires"
        elif isinstance(e, GateDeclared):
            out[f"gate {e.gate}"] = f"declared (opens at turn {e.opens_at})"
        elif isinstance(e, GateOpened):
            out[f"gate {e.gate} opens"] = "yes"
        elif isinstance(e, GameEnded):
            out["game end"] = e.outcome
        elif isinstance(e, Override):
            out[f"override: {e.reason}"] = "logged"
    return out


def _final(events: Sequence[Event]) -> dict[str, float]:
    values: dict[str, float] = {}
    for e in events:
        values.update(e.changes)
    return values


def proposal_diff(
    scenario: CompiledScenario,
    start: Mapping[str, float],
    before: Sequence[Event],
    after: Sequence[Event],
) -> list[dict[str, Any]]:
    """What changed between two proposals of one turn.

    Args:
        scenario: the compiled scenario (for variable labels).
        start: the variables' values before the turn (what unchanged variables hold).
        before: the proposal's events before the change.
        after: the proposal's events after it.

    Returns:
        One row per changed outcome (``what``, ``before``, ``after``; ``None`` where it did not
        happen), then one per variable whose end-of-turn value changed.
    """
    rows: list[dict[str, Any]] = []
    a, b = _outcomes(before), _outcomes(after)
    for key in [*a, *(k for k in b if k not in a)]:
        if a.get(key) != b.get(key):
            rows.append({"what": key, "before": a.get(key), "after": b.get(key)})
    va, vb = _final(before), _final(after)
    for name in scenario.variables:
        x, y = va.get(name, start.get(name)), vb.get(name, start.get(name))
        if x != y and x is not None and y is not None:
            rows.append(
                {
                    "what": f"{variable_label(scenario, name)} ({name}) at the end of the turn",
                    "before": f"{x:.3g}",
                    "after": f"{y:.3g}",
                }
            )
    return rows
