"""Time the other models: bdm, exchange, power indices, nash, the DEU backtest and a war game.

Usage: ``python benchmarks/bench_models.py [--quick] [--repeats N]``

Every row runs once untimed (a warm-up: compiled kernels load from Numba's cache, imports and
caches fill), then ``--repeats`` timed runs (default 5; ``--quick``: 1) with
``time.perf_counter``; the table gives the minimum. A row whose first timed run takes over 60 s
(in practice only the backtest could) is timed once. Only the model work is timed: loading the
input files and building the arrays happens before the clock starts. Rows:

* ``bdm`` (Scholz reading S1, 8 rounds) on ``scenarios/emission-standards.yaml``, every issue
  through the registry adapter, and on a synthetic 100-actor one-dimensional issue (positions
  uniform on 0-100, saliences on [0.05, 1], capabilities on [0.1, 10], seed 7).
* ``exchange`` (equal-gain, 10 rounds) on the decide COP21 and COP15 (Copenhagen) data in
  ``tests/data/stokman/``, accord only (decide-exchange-model is not installed here, so there is
  no same-run comparison).
* Power indices of a 20-member weighted-majority game (integer weights 1-100 drawn with seed 7,
  quota half the total weight plus 1): exact enumeration of the 2^20 coalitions (forced: ``auto``
  would pick the generating function for integer weights) and Monte Carlo with 20,000 samples.
* ``nash`` with 12 actors on 2 and 3 dimensions, quadratic and linear utility (positions uniform
  on 20-100, saliences on [0.1, 1], capabilities on [0.1, 10], status quo at 0 on every
  dimension so that every actor gains from moving and the barrier method runs; seed 7).
* The DEU backtest of every registered model on ``tests/data/deu/deu3_dev.tsv`` in-process, as
  ``accord backtest deu`` runs it: :func:`accord.analysis.backtest.run_backtest` with the default
  capability and seed 0, then the JSON with 2,000 bootstrap replicates.
* The war-game Monte Carlo of ``scenarios/wargame-tiny.yaml``: 500 games, 1 job, seed 0.

The process's peak resident memory and the load average (other work on the shared cores slows
every wall-clock figure) are printed and stored. Results go to ``reports/bench/models.json``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from _common import ROOT, environment, peak_rss_mb, write_report
from accord.models.base import IssueArrays
from accord.models.registry import get_model

OUT = ROOT / "reports" / "bench" / "models.json"
EMISSION = ROOT / "scenarios" / "emission-standards.yaml"
STOKMAN = ROOT / "tests" / "data" / "stokman"
DEU = ROOT / "tests" / "data" / "deu" / "deu3_dev.tsv"
WARGAME = ROOT / "scenarios" / "wargame-tiny.yaml"

SEED = 7
ONCE_OVER_SECONDS = 60.0
"""A row whose first timed run takes longer than this is not repeated."""

Row = dict[str, Any]


def timed(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """One untimed warm-up call of ``fn``, then up to ``repeats`` timed calls (seconds, result)."""
    result = fn()
    times: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if times[-1] > ONCE_OVER_SECONDS:
            break
    return times, result


def row(
    what: str, size: str, times: list[float], units: float | None, unit: str, **extra: Any
) -> Row:
    """A table row: minimum seconds, and milliseconds per ``unit`` when ``units`` is given."""
    best = min(times)
    return {
        "what": what,
        "size": size,
        "seconds": best,
        "all_seconds": times,
        "repeats": len(times),
        "unit": unit if units else "",
        "ms_per_unit": 1000 * best / units if units else None,
        **extra,
    }


# ---------------------------------------------------------------------------------------------
# bdm


def bdm_emission(repeats: int) -> Row:
    """``bdm`` (S1, 8 rounds) on every issue of the emission-standards case."""
    from accord import load
    from accord.scenario.arrays import issue_arrays

    scenario = load(EMISSION)
    issues = [issue_arrays(scenario, issue.id) for issue in scenario.issues]
    spec = get_model("bdm")
    rounds = int(spec.defaults["rounds"])

    def go() -> list[Any]:
        return [spec.run(a, {}, np.random.default_rng(0)) for a in issues]

    times, runs = timed(go, repeats)
    actors = max(a.n_actors for a in issues)
    dims = sum(a.n_dims for a in issues)
    return row(
        "bdm S1, 8 rounds (emission standards)",
        f"{actors} actors, {len(issues)} issue(s)",
        times,
        rounds * dims,
        "round",
        actors=actors,
        issues=len(issues),
        rounds=rounds,
        outcomes=[r.outcome.tolist() for r in runs],
    )


def synthetic_issue(n: int, seed: int = SEED) -> IssueArrays:
    """A one-dimensional issue with ``n`` actors (as in bench_scaling, saliences on [0.05, 1])."""
    rng = np.random.default_rng(seed)
    return IssueArrays(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=rng.uniform(0.0, 100.0, (n, 1)),
        saliences=rng.uniform(0.05, 1.0, (n, 1)),
        capabilities=rng.uniform(0.1, 10.0, n),
        lo=np.zeros(1),
        hi=np.full(1, 100.0),
        status_quo=None,
    )


def bdm_synthetic(repeats: int, n: int = 100) -> Row:
    """``bdm`` (S1, 8 rounds) on a synthetic ``n``-actor one-dimensional issue."""
    spec = get_model("bdm")
    arrays = synthetic_issue(n)
    rounds = int(spec.defaults["rounds"])
    times, _ = timed(lambda: spec.run(arrays, {}, np.random.default_rng(0)), repeats)
    return row(
        "bdm S1, 8 rounds (synthetic)",
        f"{n} actors, 1 dimension",
        times,
        rounds,
        "round",
        actors=n,
        rounds=rounds,
    )


# ---------------------------------------------------------------------------------------------
# exchange


def exchange(repeats: int, case: str, label: str, rounds: int = 10) -> Row:
    """The equal-gain exchange model on a decide CSV of ``tests/data/stokman`` (accord only)."""
    from accord.models.exchange import run_scenario
    from accord.scenario.arrays import scenario_arrays
    from accord.scenario.importers import decide

    path = STOKMAN / f"{case}.csv"
    scenario = decide.read(path.read_text(encoding="utf-8"), path.name)[0]
    a = scenario_arrays(scenario)
    actors, issues = a.actor_ids, a.issue_ids
    times, res = timed(
        lambda: run_scenario(a.positions, a.saliences, a.power, a.lo, a.hi, rounds=rounds), repeats
    )
    return row(
        f"exchange, {rounds} rounds ({label})",
        f"{len(actors)} actors x {len(issues)} issues",
        times,
        rounds,
        "round",
        actors=len(actors),
        issues=len(issues),
        rounds=rounds,
        exchanges=sum(len(r) for r in res.exchanges),
    )


# ---------------------------------------------------------------------------------------------
# power indices


def weighted_game(k: int = 20, seed: int = SEED) -> Any:
    """A ``k``-member weighted majority: integer weights 1-100, quota sum // 2 + 1."""
    from accord.rules.base import WeightedThreshold

    weights = np.random.default_rng(seed).integers(1, 101, k)
    quota = int(weights.sum()) // 2 + 1
    return WeightedThreshold([f"m{i}" for i in range(k)], weights.tolist(), quota)


def power_exact(repeats: int, k: int = 20) -> Row:
    """Shapley-Shubik and Banzhaf indices by enumerating all ``2^k`` coalitions."""
    from accord.rules.power import power_indices

    rule = weighted_game(k)
    times, res = timed(lambda: power_indices(rule, method="enumeration"), repeats)
    return row(
        "power indices, exact enumeration",
        f"{k} members (2^{k} coalitions)",
        times,
        None,
        "",
        members=k,
        method=res.method,
    )


def power_monte_carlo(repeats: int, k: int = 20, samples: int = 20_000) -> Row:
    """Shapley-Shubik and Banzhaf indices by Monte Carlo with ``samples`` samples."""
    from accord.rules.power import power_indices

    rule = weighted_game(k)
    times, res = timed(
        lambda: power_indices(rule, method="monte-carlo", seed=SEED, samples=samples), repeats
    )
    return row(
        "power indices, Monte Carlo",
        f"{k} members, {samples:,} samples",
        times,
        samples / 1000,
        "1000 samples",
        members=k,
        samples=samples,
        method=res.method,
    )


# ---------------------------------------------------------------------------------------------
# nash


def nash_issue(n: int, m: int, seed: int = SEED) -> IssueArrays:
    """``n`` actors on ``m`` dimensions with the status quo at the corner 0 (all gain)."""
    rng = np.random.default_rng(seed)
    return IssueArrays(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=rng.uniform(20.0, 100.0, (n, m)),
        saliences=rng.uniform(0.1, 1.0, (n, m)),
        capabilities=rng.uniform(0.1, 10.0, n),
        lo=np.zeros(m),
        hi=np.full(m, 100.0),
        status_quo=np.zeros(m),
    )


def nash(repeats: int, m: int, utility: str, n: int = 12) -> Row:
    """The Nash bargaining solution for ``n`` actors on ``m`` dimensions."""
    spec = get_model("nash")
    arrays = nash_issue(n, m)
    params = {"utility": utility}
    times, res = timed(lambda: spec.run(arrays, params, np.random.default_rng(0)), repeats)
    return row(
        f"nash, {utility} utility",
        f"{n} actors, {m} dimensions",
        times,
        None,
        "",
        actors=n,
        dimensions=m,
        utility=utility,
        method=res.diagnostics.get("method"),
        degenerate=res.diagnostics.get("degenerate"),
    )


# ---------------------------------------------------------------------------------------------
# DEU backtest


def backtest(repeats: int, replicates: int = 2000) -> Row:
    """``accord backtest deu tests/data/deu/deu3_dev.tsv`` in-process (all models)."""
    from accord.analysis.backtest import run_backtest
    from accord.forecast import resolve_models

    names = resolve_models("all")
    parts: dict[str, float] = {}

    def go() -> Any:
        start = time.perf_counter()
        result = run_backtest(DEU, names, seed=0)
        parts["run_backtest"] = time.perf_counter() - start
        result.to_json_dict(replicates=replicates)
        return result

    times, result = timed(go, repeats)
    issues = int(result.errors[["proposal", "issue"]].drop_duplicates().shape[0])
    return row(
        "DEU backtest, all models",
        f"{issues} issues, {len(result.models)} models",
        times,
        issues,
        "issue",
        issues=issues,
        models=list(result.models),
        bootstrap_replicates=replicates,
        last_run_backtest_seconds=parts["run_backtest"],
    )


# ---------------------------------------------------------------------------------------------
# war game


def wargame(repeats: int, games: int = 500) -> Row:
    """The war-game Monte Carlo of the tiny scenario, ``games`` games in this process."""
    from accord.wargame import load_wargame, run_monte_carlo

    scenario = load_wargame(WARGAME)
    times, _ = timed(lambda: run_monte_carlo(scenario, games, 0, jobs=1), repeats)
    return row(
        "war game Monte Carlo (wargame-tiny)",
        f"{games} games, 1 job",
        times,
        games,
        "game",
        games=games,
        jobs=1,
    )


def plan() -> list[Callable[[int], Row]]:
    """The rows in table order, each a function of the number of timed repeats."""
    return [
        bdm_emission,
        bdm_synthetic,
        lambda r: exchange(r, "cop21", "COP21"),
        lambda r: exchange(r, "copenhagen", "COP15"),
        power_exact,
        power_monte_carlo,
        lambda r: nash(r, 2, "quadratic"),
        lambda r: nash(r, 3, "quadratic"),
        lambda r: nash(r, 2, "linear"),
        lambda r: nash(r, 3, "linear"),
        backtest,
        wargame,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timed run per row")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    load_before = os.getloadavg()
    print(f"{'what':<40}{'size':<28}{'seconds':>10}{'ms per unit':>22}{'repeats':>8}")
    rows: list[Row] = []
    for build in plan():
        r = build(repeats)
        rows.append(r)
        per = "-" if r["ms_per_unit"] is None else f"{r['ms_per_unit']:.3f}/{r['unit']}"
        print(
            f"{r['what']:<40}{r['size']:<28}{r['seconds']:>10.4f}{per:>22}{r['repeats']:>8}",
            flush=True,
        )
    load_after = os.getloadavg()
    max_rss_mb = peak_rss_mb()
    print(f"process max RSS: {max_rss_mb:.0f} MB")
    print(f"load average before/after: {load_before} / {load_after}")
    report = {
        "benchmark": "models",
        "quick": args.quick,
        **environment(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "max_rss_mb": max_rss_mb,
        "rows": rows,
    }
    write_report(OUT, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
