"""``accord wargame check``: play automated games and test the scenario's invariants and labels.

Each of ``runs`` games is played with the Monte Carlo seeds
(:func:`accord.wargame.montecarlo.run_seeds`), the default players and the uncertain inputs
sampled, exactly as ``accord wargame run`` plays them. The check then works on the event log
alone, not on the engine's live state:

* **Invariants.** The log is folded event by event (:meth:`accord.wargame.state.GameState.apply`)
  and every invariant is evaluated on the state after each event, with the event history
  counters (``done(...)``, ``declared(...)``, ...). Checking after every event, not only at the
  end of a turn, makes "X happened before Y" testable as "whenever Y has happened, X has". A
  violation is counted once per game; the first violating game (its index) and turn are kept.
* **Labels.** For every game the outcome label the engine gave is re-derived from the folded
  final state: the label is *consistent* in that game when its own condition holds there and no
  outcome listed before it holds (the engine takes the first that holds); the fallback
  :data:`~accord.wargame.engine.NO_DECISIVE_OUTCOME` is consistent when no outcome holds. A label
  is consistent when it is so in every game that carries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accord.errors import UsageError
from accord.wargame.effects import environment
from accord.wargame.engine import NO_DECISIVE_OUTCOME, Game
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import Event
from accord.wargame.montecarlo import run_seeds
from accord.wargame.players import default_players
from accord.wargame.state import GameState


@dataclass
class InvariantResult:
    """One invariant over all games: its violations and the first of them."""

    id: str
    expression: str
    violations: int = 0
    first: dict[str, int] | None = None
    """``{"game": index, "turn": t}`` of the first violation, or None."""


@dataclass
class LabelResult:
    """One outcome label over all games: how often it came and whether it always agreed."""

    label: str
    runs: int = 0
    consistent: bool = True
    first_inconsistent: int | None = None


@dataclass
class CheckResult:
    """What ``accord wargame check`` found over ``runs`` games played from ``seed``."""

    runs: int
    seed: int
    invariants: list[InvariantResult] = field(default_factory=list)
    labels: list[LabelResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no invariant was violated and every label agreed with its games."""
        return all(i.violations == 0 for i in self.invariants) and all(
            lab.consistent for lab in self.labels
        )

    def to_json(self) -> dict[str, Any]:
        """``{"runs", "seed", "ok", "invariants": [...], "labels": [...]}``."""
        return {
            "runs": self.runs,
            "seed": self.seed,
            "ok": self.ok,
            "invariants": [
                {
                    "id": i.id,
                    "expression": i.expression,
                    "violations": i.violations,
                    "first": i.first,
                }
                for i in self.invariants
            ],
            "labels": [
                {"label": lab.label, "runs": lab.runs, "consistent": lab.consistent}
                for lab in self.labels
            ],
        }


def _env(scenario: CompiledScenario, state: GameState) -> dict[str, float]:
    opened = {g: s.status == "open" for g, s in state.gates.items()}
    return environment(scenario, state.values, opened, state.turn, state.history)


def label_of(scenario: CompiledScenario, env: dict[str, float]) -> str:
    """The label the outcome rules give on ``env`` (first that holds, else the fallback)."""
    return next((o for o, e in scenario.outcomes if e.truth(env)), NO_DECISIVE_OUTCOME)


def check_log(
    scenario: CompiledScenario, events: list[Event]
) -> tuple[dict[str, int], str | None, bool]:
    """Check one game's log against the invariants and its outcome label.

    One game's log: (invariant id -> turn of its first violation, for those violated; the
    label the log carries; whether that label agrees with the folded final state).
    """
    state = GameState()
    violated: dict[str, int] = {}
    for event in events:
        state.apply(event)
        pending = [(i, e) for i, e in scenario.invariants if i not in violated]
        if not pending:
            continue
        env = _env(scenario, state)
        for inv_id, expr in pending:
            if not expr.truth(env):
                violated[inv_id] = state.turn
    label = state.outcome
    if label is None:
        return violated, None, False
    return violated, label, label_of(scenario, _env(scenario, state)) == label


def check_scenario(
    scenario: CompiledScenario,
    runs: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> CheckResult:
    """Play ``runs`` automated games and check them (see the module docstring)."""
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise UsageError(f"--runs {runs!r}", field="--runs", expected="a positive integer")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed {seed!r}", field="--seed", expected="a non-negative integer")
    inv = {i: InvariantResult(i, e.text) for i, e in scenario.invariants}
    labels = {o: LabelResult(o) for o, _ in scenario.outcomes}
    labels.setdefault(NO_DECISIVE_OUTCOME, LabelResult(NO_DECISIVE_OUTCOME))
    for index, game_seed in enumerate(run_seeds(seed, runs)):
        game = Game(scenario, game_seed, default_players(scenario), sample_uncertain=True).run()
        violated, label, consistent = check_log(scenario, game.events)
        for inv_id, turn in violated.items():
            res = inv[inv_id]
            res.violations += 1
            if res.first is None:
                res.first = {"game": index, "turn": turn}
        lab = labels.setdefault(label or "?", LabelResult(label or "?"))
        lab.runs += 1
        if not consistent and lab.consistent:
            lab.consistent = False
            lab.first_inconsistent = index
        if progress is not None:
            progress(index + 1, runs)
    return CheckResult(runs, seed, list(inv.values()), list(labels.values()))
