"""Monte Carlo: many seeded automated games over the scenario's uncertain inputs.

Run ``i`` gets the seed ``SeedSequence(seed).generate_state(n)[i]``; with ``sample_uncertain``
each variable with a ``range`` starts at a uniform draw from it. The result holds the outcome
frequencies, how often and when each group decision was agreed and each legal gate opened, the
distribution of the final values, and, as a first look at which inputs drive the outcomes, the
Pearson correlation between each sampled input and each outcome's indicator over the runs
(``nan`` where either is constant).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.wargame.engine import Game
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import GameStarted, GateOpened
from accord.wargame.players import default_players
from accord.wargame.view import Player

PlayersFactory = Callable[[CompiledScenario], Mapping[str, Player]]


@dataclass
class MonteCarloResult:
    """What ``n`` runs gave (see the module docstring)."""

    n: int
    seeds: list[int]
    outcomes: list[str]
    outcome_share: dict[str, float]
    decision_share: dict[str, float]
    decision_mean_turn: dict[str, float]
    gate_share: dict[str, float]
    gate_mean_turn: dict[str, float]
    final: dict[str, np.ndarray]
    inputs: dict[str, np.ndarray]
    drivers: dict[str, dict[str, float]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable summary (shares, mean turns, final-value quantiles, drivers)."""
        q = {
            k: {
                "mean": float(v.mean()),
                "p05": float(np.quantile(v, 0.05)),
                "p50": float(np.quantile(v, 0.5)),
                "p95": float(np.quantile(v, 0.95)),
            }
            for k, v in self.final.items()
        }
        return {
            "n": self.n,
            "outcome_share": self.outcome_share,
            "decision_share": self.decision_share,
            "decision_mean_turn": self.decision_mean_turn,
            "gate_share": self.gate_share,
            "gate_mean_turn": self.gate_mean_turn,
            "final": q,
            "drivers": self.drivers,
        }


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    if x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def run_monte_carlo(
    scenario: CompiledScenario,
    n: int,
    seed: int = 0,
    players: PlayersFactory | None = None,
    *,
    sample_uncertain: bool = True,
) -> MonteCarloResult:
    """Play ``n`` automated games (players from ``players(scenario)``, default
    :func:`~accord.wargame.players.default_players`) and tally them."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n = {n!r} runs", field="n", expected="a positive integer")
    factory = players or default_players
    seeds = [int(s) for s in np.random.SeedSequence(seed).generate_state(n)]
    outcomes: list[str] = []
    decided: dict[str, list[float]] = {d.id: [] for d in scenario.spec.decisions}
    opened: dict[str, list[float]] = {g: [] for g in scenario.gates}
    finals: dict[str, list[float]] = {v: [] for v in scenario.variables}
    uncertain = [v.id for v in scenario.spec.variables if v.range is not None]
    inputs: dict[str, list[float]] = {v: [] for v in uncertain}
    for s in seeds:
        game = Game(scenario, s, factory(scenario), sample_uncertain=sample_uncertain).run()
        state = game.state
        outcomes.append(state.outcome or "undecided")
        for d in decided:
            decided[d].append(float(state.agreed[d]) if d in state.agreed else np.nan)
        opened_at = {e.gate: e.turn for e in game.events if isinstance(e, GateOpened)}
        for g in opened:
            opened[g].append(float(opened_at[g]) if g in opened_at else np.nan)
        for v in finals:
            finals[v].append(state.values[v])
        first = game.events[0]
        start = first.values if isinstance(first, GameStarted) else {}
        for v in uncertain:
            inputs[v].append(float(start[v]))

    def share_and_turn(d: dict[str, list[float]]) -> tuple[dict[str, float], dict[str, float]]:
        arrays = {k: np.asarray(v) for k, v in d.items()}
        share = {k: float(np.mean(~np.isnan(a))) for k, a in arrays.items()}
        mean = {
            k: float(np.nanmean(a)) if np.any(~np.isnan(a)) else float("nan")
            for k, a in arrays.items()
        }
        return share, mean

    labels = sorted(set(outcomes))
    out_arr = np.asarray(outcomes)
    inputs_arr = {k: np.asarray(v) for k, v in inputs.items()}
    drivers = {
        label: {k: _corr(x, (out_arr == label).astype(float)) for k, x in inputs_arr.items()}
        for label in labels
    }
    d_share, d_turn = share_and_turn(decided)
    g_share, g_turn = share_and_turn(opened)
    return MonteCarloResult(
        n=n,
        seeds=seeds,
        outcomes=outcomes,
        outcome_share={k: outcomes.count(k) / n for k in labels},
        decision_share=d_share,
        decision_mean_turn=d_turn,
        gate_share=g_share,
        gate_mean_turn=g_turn,
        final={k: np.asarray(v) for k, v in finals.items()},
        inputs=inputs_arr,
        drivers=drivers,
    )
