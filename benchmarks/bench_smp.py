"""Time accord's KTAB SMP on KTAB's synthetic a040, a080 and a160 inputs.

Usage: ``python benchmarks/bench_smp.py [--quick]``

Each case runs to convergence with KTAB's default switches (minimum of 3 repeats for a040 and
a080, 1 for a160; ``--quick`` runs a040 and a080 once and skips a160), on the compiled engine
(the default; one untimed warm-up run first loads it from Numba's cache or compiles it) and on
the NumPy engine, in the same run; the final positions of the two must be identical. The table compares with
KTAB's *published* figures from the project brief (about 4 s for a040 and 55 s for a080, with an
optimised build and logging off, and about 60 s per turn for a160); those were not measured in
this run or on this machine. Peak memory: ``tracemalloc`` peak of one traced run (NumPy reports
its allocations to it) and the process's maximum resident set size. Results go to
``reports/bench/smp.json``.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from typing import Any

import numpy as np

from _common import ROOT, environment, peak_rss_mb, write_report
from accord.models.smp import smp
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import ktab_csv

DATA = ROOT / "tests" / "data" / "ktab"
OUT = ROOT / "reports" / "bench" / "smp.json"

#: KTAB's published timings (project brief, models.md section 3): total seconds, or per turn.
KTAB_PUBLISHED: dict[str, tuple[float, str]] = {
    "a040": (4.0, "run"),
    "a080": (55.0, "run"),
    "a160": (60.0, "turn"),
}


def load(tag: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    name = f"dummyData-{tag}.csv"
    scenario = ktab_csv.read((DATA / name).read_text(), name)[0]
    issue = issue_arrays(scenario, scenario.issues[0].id)
    return issue.to_unit(issue.positions), issue.saliences, issue.capabilities


def timed_runs(
    x: np.ndarray, s: np.ndarray, c: np.ndarray, engine: str, repeats: int
) -> tuple[list[float], Any]:
    times = []
    res = None
    for _ in range(repeats):
        start = time.perf_counter()
        res = smp(x, s, c, engine=engine)
        times.append(time.perf_counter() - start)
    return times, res


def bench(tag: str, repeats: int) -> dict[str, Any]:
    x, s, c = load(tag)
    smp(x, s, c, max_turns=1)  # warm-up: load the compiled engine
    times, res = timed_runs(x, s, c, "compiled", repeats)
    numpy_times, numpy_res = timed_runs(x, s, c, "numpy", repeats)
    turns, converged = res.turns, res.converged
    tracemalloc.start()
    smp(x, s, c, max_turns=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    wall = min(times)
    ktab_seconds, ktab_per = KTAB_PUBLISHED[tag]
    ours = wall if ktab_per == "run" else wall / turns
    return {
        "case": tag,
        "actors": int(x.shape[0]),
        "dimensions": int(x.shape[1]),
        "turns": turns,
        "converged": converged,
        "repeats": repeats,
        "wall_seconds": wall,
        "all_wall_seconds": times,
        "seconds_per_turn": wall / turns,
        "ktab_published_seconds": ktab_seconds,
        "ktab_published_per": ktab_per,
        "speedup_vs_ktab_published": ktab_seconds / ours,
        "numpy_engine_wall_seconds": min(numpy_times),
        "compiled_vs_numpy_engine": min(numpy_times) / wall,
        "final_positions_identical": bool(
            np.array_equal(res.positions[-1], numpy_res.positions[-1])
            and res.turns == numpy_res.turns
        ),
        "tracemalloc_peak_mb_two_turns": peak / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a040 and a080 once, no a160")
    args = parser.parse_args(argv)
    plan = [("a040", 1), ("a080", 1)] if args.quick else [("a040", 3), ("a080", 3), ("a160", 1)]
    rows = [bench(tag, repeats) for tag, repeats in plan]
    max_rss_mb = peak_rss_mb()
    print(
        f"{'case':<6}{'actors':>7}{'turns':>7}{'wall s':>10}{'s/turn':>10}"
        f"{'KTAB (published)':>20}{'speed-up':>10}{'peak MB':>9}{'numpy s':>9}{'ratio':>7}"
        f"{'same':>6}"
    )
    for r in rows:
        ktab = f"{r['ktab_published_seconds']:.0f} s/{r['ktab_published_per']}"
        print(
            f"{r['case']:<6}{r['actors']:>7}{r['turns']:>7}{r['wall_seconds']:>10.3f}"
            f"{r['seconds_per_turn']:>10.4f}{ktab:>20}{r['speedup_vs_ktab_published']:>9.0f}x"
            f"{r['tracemalloc_peak_mb_two_turns']:>9.1f}{r['numpy_engine_wall_seconds']:>9.3f}"
            f"{r['compiled_vs_numpy_engine']:>6.1f}x{r['final_positions_identical']!s:>6}"
        )
    print(f"process max RSS: {max_rss_mb:.0f} MB")
    print("KTAB figures are KTAB's published timings (project brief), not measured in this run.")
    report = {
        "benchmark": "smp",
        "switches": "KTAB defaults",
        "quick": args.quick,
        **environment(),
        "max_rss_mb": max_rss_mb,
        "note": "ktab_published_* are KTAB's published figures, not same-run measurements",
        "cases": rows,
    }
    write_report(OUT, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
