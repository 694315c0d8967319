"""The Monte Carlo consequences of the alternatives not taken at a decision point.

At a decision point (turn ``t``, actor *A* ordered action *X*), :func:`consequences` branches
the game at the start of turn ``t`` (the events of earlier turns kept) and plays it to the end
``runs`` times for each option: the orders *A* actually gave that turn (*as played*), and the
same orders with *X* replaced by each alternative *Y*. Every continuation is played by the
automated players of the war-game Monte Carlo (:func:`accord.wargame.players.default_players`)
from turn ``t`` on; continuation ``i`` re-rolls the dice with the seed
``SeedSequence(seed).generate_state(runs)[i]`` (:func:`accord.wargame.montecarlo.run_seeds`)
in place of the game's own. Every option uses the same ``runs`` seeds (common random numbers),
so the options differ only by the order, not by luck. The result is each option's distribution
of outcome labels (the scenario's event-defined ``outcomes``), with 95 % Wilson intervals.

It is bounded: at most :data:`MAX_ALTERNATIVES` alternatives per point and ``runs``
continuations each; the caller bounds the number of points.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.wargame.engine import NO_DECISIVE_OUTCOME, Game
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import ActionExecuted, Event, GameEnded, GameStarted, OrderRejected
from accord.wargame.montecarlo import run_seeds, wilson
from accord.wargame.players import default_players

MAX_ALTERNATIVES = 3
"""Alternatives played out per decision point (judgement: a review table stays readable)."""


@dataclass(frozen=True)
class OptionOutcomes:
    """Where the game ended over ``runs`` continuations of one option."""

    action: str
    """The action ordered in place of the one taken (the taken one for *as played*)."""
    as_played: bool
    runs: int
    outcomes: dict[str, int]
    """Outcome id -> number of continuations that ended with it (most frequent first)."""

    def share(self, outcome: str) -> float:
        """The share of continuations that ended with ``outcome``."""
        return self.outcomes.get(outcome, 0) / self.runs if self.runs else 0.0

    def interval(self, outcome: str) -> tuple[float, float]:
        """The 95 % Wilson score interval of :meth:`share`."""
        return wilson(self.outcomes.get(outcome, 0), self.runs)

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "action": self.action,
            "as_played": self.as_played,
            "runs": self.runs,
            "outcomes": dict(self.outcomes),
        }


def orders_of(events: Sequence[Event], actor: str, turn: int) -> list[str]:
    """The actions ``actor`` ordered in ``turn`` (executed or rejected), in log order."""
    return [
        e.action
        for e in events
        if e.turn == turn and isinstance(e, ActionExecuted | OrderRejected) and e.actor == actor
    ]


def continuation(
    scenario: CompiledScenario,
    events: Sequence[Event],
    *,
    turn: int,
    orders: Mapping[str, Sequence[str]],
    seed: int,
) -> Game:
    """The game branched at ``turn``, played to the end with other dice and these orders.

    The events of earlier turns are kept, the dice re-rolled from ``seed``, ``orders`` given
    for that turn and the automated players play from then on. With the game's own seed and the orders actually given, it replays the game's events
    (where the game was played by the automated players).
    """
    kept = [e for e in events if e.turn < turn and not isinstance(e, GameEnded)]
    if not kept or not isinstance(kept[0], GameStarted):
        raise ValueError("the log does not start with a game-started event")
    start = kept[0].model_copy(update={"seed": seed})
    game = Game(scenario, players=default_players(scenario), events=[start, *kept[1:]])
    if not game.ended:
        game.step(orders)
        game.run()
    return game


def consequences(
    scenario: CompiledScenario,
    events: Sequence[Event],
    *,
    turn: int,
    actor: str,
    chosen: str,
    alternatives: Sequence[str],
    runs: int = 20,
    seed: int = 0,
    seeds: Sequence[int] | None = None,
) -> list[OptionOutcomes]:
    """Play the game on from ``turn`` with the order taken and with each alternative.

    Returns *as played* first, then up to :data:`MAX_ALTERNATIVES` alternatives in the order
    given (module docstring). ``runs`` must be at least 1; ``seeds`` replaces the seeds drawn
    from ``seed`` (the game's own seed replays its dice).
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    kept = [e for e in events if e.turn < turn and not isinstance(e, GameEnded)]
    if not kept or not isinstance(kept[0], GameStarted):
        return []
    played = orders_of(events, actor, turn) or [chosen]
    if chosen not in played:
        played = [*played, chosen]
    seeds = list(seeds) if seeds is not None else run_seeds(seed, runs)
    options = [(chosen, True), *((a, False) for a in alternatives[:MAX_ALTERNATIVES])]
    found: list[OptionOutcomes] = []
    for action, as_played in options:
        orders = played if as_played else [action if o == chosen else o for o in played]
        tally: Counter[str] = Counter()
        for s in seeds:
            game = continuation(scenario, events, turn=turn, orders={actor: orders}, seed=s)
            tally[game.state.outcome or NO_DECISIVE_OUTCOME] += 1
        ordered = dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))
        found.append(OptionOutcomes(action, as_played, len(seeds), ordered))
    return found


def outcome_text(option: OptionOutcomes, label: Mapping[str, str]) -> str:
    """``"an invasion failed 12/20, no decisive outcome 8/20"``: outcomes by their labels."""
    return ", ".join(f"{label.get(o, o)} {n}/{option.runs}" for o, n in option.outcomes.items())


__all__ = [
    "MAX_ALTERNATIVES",
    "OptionOutcomes",
    "consequences",
    "continuation",
    "orders_of",
    "outcome_text",
]
