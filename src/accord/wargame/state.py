"""The game state, and the fold that rebuilds it from the event log.

:func:`fold` starts from an empty :class:`GameState` and applies every event with
:meth:`GameState.apply`; the engine applies each event the moment it logs it, so the live state
and the replayed state are the same by construction (a test checks it).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from accord.wargame.log import (
    ActionExecuted,
    DecisionTaken,
    Draw,
    Event,
    GameEnded,
    GameStarted,
    GateDeclared,
    GateOpened,
    InjectFired,
    Override,
    TurnStarted,
)

GateStatus = Literal["closed", "pending", "open"]


@dataclass
class Gate:
    """A gate's state: ``closed``, ``pending`` (declared, opening at ``opens_at``) or ``open``."""

    status: GateStatus = "closed"
    declared_at: int | None = None
    opens_at: int | None = None


@dataclass
class GameState:
    """Where the game stands: turn, variable values, gates, fired injects, agreed decisions."""

    scenario: str = ""
    seed: int = 0
    turn: int = 0
    values: dict[str, float] = field(default_factory=dict)
    gates: dict[str, Gate] = field(default_factory=dict)
    fired: dict[str, int] = field(default_factory=dict)
    """inject id -> how many times it fired."""
    agreed: dict[str, int] = field(default_factory=dict)
    """decision id -> the turn it was first agreed."""
    forced: dict[str, bool] = field(default_factory=dict)
    """pending facilitator-forced adjudications: subject -> success."""
    outcome: str | None = None
    events: int = 0
    history: dict[str, float] = field(default_factory=dict)
    """event counters read by the history functions of :mod:`accord.wargame.expr`:
    ``done:<action>``, ``succeeded:<subject>``, ``failed:<subject>``, ``fired:<inject>``,
    ``agreed:<decision>``, ``declared:<gate>``."""

    def _count(self, key: str) -> None:
        self.history[key] = self.history.get(key, 0.0) + 1.0

    @property
    def ended(self) -> bool:
        """Whether the game has an outcome."""
        return self.outcome is not None

    def gate_open(self, gate: str) -> bool:
        """Whether gate ``gate`` is open."""
        g = self.gates.get(gate)
        return g is not None and g.status == "open"

    def copy(self) -> GameState:
        """A deep copy of the state."""
        return copy.deepcopy(self)

    def apply(self, event: Event) -> None:
        """Fold one event into the state (in place)."""
        self.events += 1
        if isinstance(event, GameStarted):
            self.scenario, self.seed = event.scenario, event.seed or 0
            self.values = dict(event.values)
        self.values.update(event.changes)
        if isinstance(event, TurnStarted):
            self.turn = event.turn
        elif isinstance(event, ActionExecuted):
            self._count(f"done:{event.action}")
        elif isinstance(event, InjectFired):
            self.fired[event.inject] = self.fired.get(event.inject, 0) + 1
            self._count(f"fired:{event.inject}")
        elif isinstance(event, GateDeclared):
            self.gates[event.gate] = Gate("pending", event.turn, event.opens_at)
            self._count(f"declared:{event.gate}")
        elif isinstance(event, GateOpened):
            g = self.gates.setdefault(event.gate, Gate())
            g.status = "open"
        elif isinstance(event, DecisionTaken):
            if event.agreed:
                self._count(f"agreed:{event.decision}")
                self.agreed.setdefault(event.decision, event.turn)
        elif isinstance(event, Override):
            for gate, status in event.gates.items():
                g = self.gates.setdefault(gate, Gate())
                g.status = status
            self.forced.update(event.force)
        elif isinstance(event, GameEnded):
            self.outcome = event.outcome
        elif isinstance(event, Draw):
            self._count(f"{'succeeded' if event.success else 'failed'}:{event.subject}")
            if event.forced:
                self.forced.pop(event.subject, None)


def fold(events: Iterable[Event]) -> GameState:
    """The state after ``events`` (from an empty state)."""
    state = GameState()
    for event in events:
        state.apply(event)
    return state
