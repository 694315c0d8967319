"""Time ``accord report`` on the Japan-NATO case with its default draws and models.

Usage: ``python benchmarks/bench_report.py [--draws N] [--models M] [--mc-models M]``

Runs :func:`accord.analysis.case.analyse_case` and :func:`write_case_report` (the HTML and
JSON; no PDF) the way ``accord report scenarios/japan-nato/scenario.yaml -o DIR`` does, timing
each stage: the forecasts, the Monte Carlo (with the practised procedure on every draw), the
deadlock, package-deal, gap and programme analyses and the bottom line, and the rendering.
The aim (issue 13) is under 8 s on 2 cores. Results go to ``reports/bench/report.json`` with
the wall and CPU seconds and the machine's load average (other work on the same cores slows the
wall clock; the CPU seconds are much less sensitive to it).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, environment, write_report
from accord.analysis.case import analyse_case
from accord.report.case_report import write_case_report
from accord.scenario.io import load

SCENARIO = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"
OUT = ROOT / "reports" / "bench" / "report.json"


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the forked chart workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--models", default="all")
    parser.add_argument("--mc-models", default="compromise,median,bdm")
    parser.add_argument("--jobs", type=int, default=None, help="chart processes (default: cores)")
    args = parser.parse_args()
    stages: dict[str, float] = {}
    stages_cpu: dict[str, float] = {}
    last = [time.perf_counter()]
    last_cpu = [cpu_seconds()]

    def stage(name: str) -> None:
        stages[name] = time.perf_counter() - last[0]
        stages_cpu[name] = cpu_seconds() - last_cpu[0]
        last[0], last_cpu[0] = time.perf_counter(), cpu_seconds()

    def progress(done: int, total: int) -> None:
        del done, total

    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    scenario = load(SCENARIO)
    stage("load")
    report = analyse_case(
        scenario,
        models=args.models,
        mc_models=args.mc_models,
        draws=args.draws,
        seed=0,
        source=SCENARIO,
        progress=progress,
    )
    stage("analyses")
    with tempfile.TemporaryDirectory() as folder:
        write_case_report(report, Path(folder), jobs=args.jobs)
    stage("render")
    result: dict[str, Any] = {
        "scenario": "japan-nato",
        "draws": args.draws,
        "models": args.models,
        "mc_models": args.mc_models,
        "jobs": args.jobs,
        "wall_s": round(time.perf_counter() - wall0, 2),
        "cpu_s": round(cpu_seconds() - cpu0, 2),
        "stages_s": {k: round(v, 2) for k, v in stages.items()},
        "stages_cpu_s": {k: round(v, 2) for k, v in stages_cpu.items()},
        "environment": environment(),
    }
    print(result)
    write_report(OUT, result)


if __name__ == "__main__":
    main()
