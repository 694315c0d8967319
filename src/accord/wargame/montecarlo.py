"""Monte Carlo: many seeded automated games over the scenario's uncertain inputs.

Run ``i`` gets the seed ``SeedSequence(seed).generate_state(n)[i]``; with ``sample_uncertain``
each variable with a ``range`` starts at a uniform draw from it. Each game gives a
:class:`RunRecord` (outcome, the turn each group decision was first agreed and each legal gate
opened, final and peak values, sampled inputs, and, per group decision, the members' support and
the blockers at its last vote). :func:`aggregate` tallies them:

* outcome, decision and gate frequencies with 95 % Wilson score intervals
  (Wilson 1927, *JASA* 22:209-212: centre ``(p + z²/2n) / (1 + z²/n)``, half-width
  ``z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)``);
* the distribution over turns of when each decision is agreed and each gate opens (``never``
  counts the runs where it did not happen);
* blockers: per decision, how many runs ended with each member withholding support (among runs
  where the decision was never agreed);
* alliance cohesion per run: the mean share of members supporting at each decision's last vote;
* drivers: Spearman's rank correlation (Pearson's r of the average ranks) between each sampled
  input and each outcome's indicator and each decision's "agreed" indicator (``nan`` where
  either is constant).

``jobs > 1`` plays the runs in worker processes (``concurrent.futures`` with the ``spawn``
start method; each worker recompiles the scenario once). Runs keep their seeds and are
collected in index order, so the result is identical to ``jobs = 1`` for the same seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.wargame.engine import NO_DECISIVE_OUTCOME, Game
from accord.wargame.loader import CompiledScenario, compile_scenario
from accord.wargame.log import DecisionTaken, GameStarted, GateOpened
from accord.wargame.players import default_players
from accord.wargame.schema import WargameScenario
from accord.wargame.view import Player

PlayersFactory = Callable[[CompiledScenario], Mapping[str, Player]]
Progress = Callable[[int, int], None]

#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class RunRecord:
    """What one automated game gave (JSON-serialisable through :meth:`to_json`)."""

    index: int
    seed: int
    outcome: str
    turns: int
    decided: dict[str, int | None]
    """decision id -> the turn it was first agreed (None: never)."""
    opened: dict[str, int | None]
    """gate id -> the turn it opened (None: never)."""
    final: dict[str, float]
    peak: dict[str, float]
    inputs: dict[str, float]
    support: dict[str, float | None]
    """decision id -> share of members supporting at its last vote (None: never put)."""
    blockers: dict[str, list[str]]
    """decision id -> members withholding support at its last vote, if it was never agreed."""
    cohesion: float | None
    """mean of ``support`` over the decisions put to a vote (None: none was)."""

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-serialisable dict."""
        return asdict(self)


def play_run(
    scenario: CompiledScenario,
    index: int,
    seed: int,
    players: PlayersFactory | None = None,
    sample_uncertain: bool = True,
) -> RunRecord:
    """Play one automated game and summarise it as a :class:`RunRecord`."""
    factory = players or default_players
    game = Game(scenario, seed, factory(scenario), sample_uncertain=sample_uncertain).run()
    state = game.state
    first = game.events[0]
    start = first.values if isinstance(first, GameStarted) else {}
    peak = dict(start)
    last_vote: dict[str, DecisionTaken] = {}
    opened: dict[str, int | None] = {g: None for g in scenario.gates}
    for ev in game.events:
        for k, v in ev.changes.items():
            if v > peak[k]:
                peak[k] = v
        if isinstance(ev, DecisionTaken):
            last_vote[ev.decision] = ev
        elif isinstance(ev, GateOpened) and opened.get(ev.gate) is None:
            opened[ev.gate] = ev.turn
    support: dict[str, float | None] = {}
    blockers: dict[str, list[str]] = {}
    for d in scenario.spec.decisions:
        vote = last_vote.get(d.id)
        support[d.id] = None if vote is None else sum(vote.support.values()) / len(vote.support)
        if vote is not None and d.id not in state.agreed:
            blockers[d.id] = list(vote.blockers)
    shares = [s for s in support.values() if s is not None]
    return RunRecord(
        index=index,
        seed=int(seed),
        outcome=state.outcome or NO_DECISIVE_OUTCOME,
        turns=state.turn,
        decided={d.id: state.agreed.get(d.id) for d in scenario.spec.decisions},
        opened=opened,
        final=dict(state.values),
        peak=peak,
        inputs={
            k: float(v)
            for k, v in (first.sampled if isinstance(first, GameStarted) else {}).items()
        },
        support=support,
        blockers=blockers,
        cohesion=float(np.mean(shares)) if shares else None,
    )


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (see the module docstring)."""
    if n <= 0:
        return (float("nan"), float("nan"))
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return (lo, hi)


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties); ``nan`` if either is constant."""
    from scipy.stats import rankdata

    if x.size < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    rx, ry = rankdata(x), rankdata(y)
    return float(np.corrcoef(rx, ry)[0, 1])


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
    records: list[RunRecord] = field(default_factory=list)
    outcome_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    decision_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    gate_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    decision_turns: dict[str, dict[str, int]] = field(default_factory=dict)
    gate_turns: dict[str, dict[str, int]] = field(default_factory=dict)
    blockers: dict[str, dict[str, int]] = field(default_factory=dict)
    decision_drivers: dict[str, dict[str, float]] = field(default_factory=dict)
    cohesion: dict[str, float] = field(default_factory=dict)
    peak: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable summary (``nan`` written as ``None``)."""

        def q(values: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
            return {
                k: {
                    "mean": float(v.mean()),
                    "p05": float(np.quantile(v, 0.05)),
                    "p50": float(np.quantile(v, 0.5)),
                    "p95": float(np.quantile(v, 0.95)),
                }
                for k, v in values.items()
            }

        data = {
            "n": self.n,
            "outcome_share": self.outcome_share,
            "outcome_ci95": {k: list(v) for k, v in self.outcome_ci.items()},
            "decision_share": self.decision_share,
            "decision_ci95": {k: list(v) for k, v in self.decision_ci.items()},
            "decision_mean_turn": self.decision_mean_turn,
            "decision_turns": self.decision_turns,
            "gate_share": self.gate_share,
            "gate_ci95": {k: list(v) for k, v in self.gate_ci.items()},
            "gate_mean_turn": self.gate_mean_turn,
            "gate_turns": self.gate_turns,
            "blockers": self.blockers,
            "cohesion": self.cohesion,
            "final": q(self.final),
            "peak": q(self.peak),
            "drivers": self.drivers,
            "decision_drivers": self.decision_drivers,
        }
        cleaned: dict[str, Any] = _clean(data)
        return cleaned


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _turn_histogram(turns: Sequence[int | None], last: int) -> dict[str, int]:
    hist = {str(t): 0 for t in range(1, last + 1)}
    hist["never"] = 0
    for t in turns:
        key = "never" if t is None else str(t)
        hist[key] = hist.get(key, 0) + 1
    return hist


def aggregate(scenario: CompiledScenario, records: Sequence[RunRecord]) -> MonteCarloResult:
    """Tally run records (in index order) into a :class:`MonteCarloResult`."""
    n = len(records)
    last = scenario.spec.clock.turns
    outcomes = [r.outcome for r in records]
    labels = sorted(set(outcomes))
    out_arr = np.asarray(outcomes)

    def tally(
        key: Callable[[RunRecord], Mapping[str, int | None]], ids: Sequence[str]
    ) -> tuple[
        dict[str, float],
        dict[str, float],
        dict[str, tuple[float, float]],
        dict[str, dict[str, int]],
    ]:
        share, mean, ci, hist = {}, {}, {}, {}
        for i in ids:
            turns = [key(r)[i] for r in records]
            done = [t for t in turns if t is not None]
            share[i] = len(done) / n
            mean[i] = float(np.mean(done)) if done else float("nan")
            ci[i] = wilson(len(done), n)
            hist[i] = _turn_histogram(turns, last)
        return share, mean, ci, hist

    dec_ids = [d.id for d in scenario.spec.decisions]
    d_share, d_turn, d_ci, d_hist = tally(lambda r: r.decided, dec_ids)
    g_share, g_turn, g_ci, g_hist = tally(lambda r: r.opened, list(scenario.gates))
    uncertain = [v.id for v in scenario.spec.variables if v.range is not None]
    inputs = {
        v: np.asarray([r.inputs.get(v, np.nan) for r in records], dtype=np.float64)
        for v in uncertain
        if all(v in r.inputs for r in records)
    }
    drivers = {
        label: {k: spearman(x, (out_arr == label).astype(float)) for k, x in inputs.items()}
        for label in labels
    }
    decision_drivers = {
        d: {
            k: spearman(x, np.asarray([r.decided[d] is not None for r in records], dtype=float))
            for k, x in inputs.items()
        }
        for d in dec_ids
    }
    blockers: dict[str, dict[str, int]] = {}
    for d in dec_ids:
        counts: dict[str, int] = {}
        for r in records:
            for m in r.blockers.get(d, []):
                counts[m] = counts.get(m, 0) + 1
        blockers[d] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    coh = np.asarray([r.cohesion for r in records if r.cohesion is not None], dtype=np.float64)
    cohesion = (
        {
            "mean": float(coh.mean()),
            "p05": float(np.quantile(coh, 0.05)),
            "p50": float(np.quantile(coh, 0.5)),
            "p95": float(np.quantile(coh, 0.95)),
        }
        if coh.size
        else {}
    )
    return MonteCarloResult(
        n=n,
        seeds=[r.seed for r in records],
        outcomes=outcomes,
        outcome_share={k: outcomes.count(k) / n for k in labels},
        outcome_ci={k: wilson(outcomes.count(k), n) for k in labels},
        decision_share=d_share,
        decision_mean_turn=d_turn,
        decision_ci=d_ci,
        decision_turns=d_hist,
        gate_share=g_share,
        gate_mean_turn=g_turn,
        gate_ci=g_ci,
        gate_turns=g_hist,
        final={v: np.asarray([r.final[v] for r in records]) for v in scenario.variables},
        peak={v: np.asarray([r.peak[v] for r in records]) for v in scenario.variables},
        inputs=inputs,
        drivers=drivers,
        decision_drivers=decision_drivers,
        blockers=blockers,
        cohesion=cohesion,
        records=list(records),
    )


# ---------------------------------------------------------------------- worker processes

_WORKER: dict[str, CompiledScenario] = {}


def _init_worker(spec: WargameScenario, source: str) -> None:
    _WORKER["scenario"] = compile_scenario(spec, source)


def _play_chunk(chunk: Sequence[tuple[int, int]], sample_uncertain: bool) -> list[RunRecord]:
    scenario = _WORKER["scenario"]
    return [play_run(scenario, i, s, None, sample_uncertain) for i, s in chunk]


def run_seeds(seed: int, n: int) -> list[int]:
    """The per-run seeds of a Monte Carlo run."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(n)]


def run_monte_carlo(
    scenario: CompiledScenario,
    n: int,
    seed: int = 0,
    players: PlayersFactory | None = None,
    *,
    sample_uncertain: bool = True,
    jobs: int = 1,
    progress: Progress | None = None,
    on_records: Callable[[list[RunRecord]], None] | None = None,
) -> MonteCarloResult:
    """Play ``n`` automated games and tally them (see the module docstring).

    Args:
        scenario: the compiled scenario.
        n: the number of games.
        seed: the master seed; each game's seed derives from it (:func:`run_seeds`).
        players: a factory of players (default :func:`~accord.wargame.players.default_players`);
            only the default can be used with ``jobs > 1``.
        sample_uncertain: draw each game's uncertain values in their ranges.
        jobs: worker processes (1: play in this process).
        progress: called with (runs done, n) as runs finish.
        on_records: called with each finished batch of records, in index order (e.g. to store
            them).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n = {n!r} runs", field="n", expected="a positive integer")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"jobs = {jobs!r}", field="jobs", expected="a positive integer")
    if jobs > 1 and players is not None:
        raise UsageError(
            "custom players run in one process only", field="jobs", expected="jobs = 1"
        )
    seeds = run_seeds(seed, n)
    indexed = list(enumerate(seeds))
    records: list[RunRecord] = []
    step = max(1, min(250, math.ceil(n / (max(jobs, 1) * 8))))
    chunks = [indexed[i : i + step] for i in range(0, n, step)]

    def collect(batch: list[RunRecord]) -> None:
        records.extend(batch)
        if on_records is not None:
            on_records(batch)
        if progress is not None:
            progress(len(records), n)

    if jobs == 1:
        for chunk in chunks:
            collect([play_run(scenario, i, s, players, sample_uncertain) for i, s in chunk])
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_init_worker,
            initargs=(scenario.spec, scenario.source),
        ) as pool:
            for batch in pool.map(_play_chunk, chunks, [sample_uncertain] * len(chunks)):
                collect(batch)
    return aggregate(scenario, records)
