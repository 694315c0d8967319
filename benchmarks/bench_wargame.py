"""Time 1,000 automated runs of the taiwan-strait war game with 1 and with 2 worker processes.

Usage: ``python benchmarks/bench_wargame.py [--quick] [--runs N]``

Each configuration plays the same ``N`` seeded runs (default 1,000; ``--quick``: 200) through
:func:`accord.wargame.run_monte_carlo` with uncertain inputs sampled, timed end to end (for
``--jobs 2`` this includes starting the two ``spawn`` worker processes). It checks that both
give the same summary, and reports the time per run, the speed-up (time with 1 job / time with
2) and the parallel efficiency (speed-up / 2). The aim is 1,000 runs in under a minute on a
2-core machine. Results go to ``reports/bench/wargame.json``; the machine's load average is
recorded because other work on the same cores slows every wall-clock figure down; the CPU
seconds (this process plus its finished workers, from ``getrusage``) are much less sensitive to
it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from typing import Any

from _common import ROOT, environment, write_report
from accord.wargame import load_wargame, run_monte_carlo

SCENARIO = ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml"
OUT = ROOT / "reports" / "bench" / "wargame.json"


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bench(runs: int, jobs: int, seed: int) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of this process and its finished workers, summary JSON)."""
    scenario = load_wargame(SCENARIO)
    cpu = _cpu()
    start = time.perf_counter()
    result = run_monte_carlo(scenario, runs, seed, jobs=jobs)
    elapsed = time.perf_counter() - start
    return elapsed, _cpu() - cpu, json.dumps(result.summary(), sort_keys=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 runs instead of 1,000")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    runs = args.runs or (200 if args.quick else 1000)
    load_before = os.getloadavg()
    t1, c1, s1 = bench(runs, 1, args.seed)
    t2, c2, s2 = bench(runs, 2, args.seed)
    load_after = os.getloadavg()
    speedup = t1 / t2
    report: dict[str, Any] = {
        "scenario": "taiwan-strait",
        "runs": runs,
        "seed": args.seed,
        "jobs_1_seconds": round(t1, 3),
        "jobs_2_seconds": round(t2, 3),
        "ms_per_run_jobs_1": round(1000 * t1 / runs, 3),
        "ms_per_run_jobs_2": round(1000 * t2 / runs, 3),
        "cpu_seconds_jobs_1": round(c1, 3),
        "cpu_seconds_jobs_2_incl_workers": round(c2, 3),
        "cpu_ms_per_run_jobs_1": round(1000 * c1 / runs, 3),
        "speedup_2_jobs": round(speedup, 3),
        "parallel_efficiency": round(speedup / 2, 3),
        "identical_results": s1 == s2,
        "under_a_minute_per_1000_runs_jobs_2": (t2 / runs * 1000) < 60,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        **environment(),
    }
    print(f"{'jobs':>4} {'seconds':>9} {'ms/run':>8}")
    print(f"{1:>4} {t1:>9.2f} {1000 * t1 / runs:>8.2f}")
    print(f"{2:>4} {t2:>9.2f} {1000 * t2 / runs:>8.2f}")
    print(f"CPU seconds: jobs 1 {c1:.2f}, jobs 2 (with workers) {c2:.2f}")
    print(f"speed-up {speedup:.2f} (efficiency {speedup / 2:.2f}); identical: {s1 == s2}")
    print(f"load average before/after: {load_before} / {load_after}")
    write_report(OUT, report)
    return 0 if s1 == s2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
