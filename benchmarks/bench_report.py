"""Time ``accord report`` on the Japan-NATO case with its default draws and models.

Usage: ``python benchmarks/bench_report.py [--draws N] [--models M] [--mc-models M]``
or ``python benchmarks/bench_report.py --cli [--against CHECKOUT] [--rounds K]``.

By default runs :func:`accord.analysis.case.analyse_case` and :func:`write_case_report` (the
HTML and JSON; no PDF) the way ``accord report scenarios/japan-nato/scenario.yaml -o DIR``
does, timing each stage: the forecasts, the Monte Carlo (with the practised procedure on every
draw), the deadlock, package-deal, gap and programme analyses and the bottom line, and the
rendering. Results go to ``reports/bench/report.json`` with the wall and CPU seconds and the
machine's load average (other work on the same cores slows the wall clock; the CPU seconds are
much less sensitive to it).

``--cli`` times the command itself, ``python -m accord.cli report ... -o DIR`` in a fresh
process (start-up and imports included), ``--rounds`` times, and reports the fastest wall and
CPU (``reports/bench/report-cli.json``). With ``--against CHECKOUT`` each round also runs that
checkout's code (``PYTHONPATH=CHECKOUT/src``, e.g. ``/work/main``), alternating with this one,
so that both see the same load, and reports the ratio. One untimed run of each first compiles
the Numba kernels into their cache (about 18 s on a fresh checkout): the figures are warm.
The aim (issue 13) is under 8 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
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
OUT_CLI = ROOT / "reports" / "bench" / "report-cli.json"


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (forked section workers, if any)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def run_cli(src: Path, draws: int) -> tuple[float, float]:
    """Wall and CPU seconds of one ``accord report`` of the Japan-NATO case, code from ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src))
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "accord.cli", "report", str(SCENARIO), "-o", folder]
        command += ["--draws", str(draws)]
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"accord report failed with code {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime


def cli_main(args: argparse.Namespace) -> None:
    """``--cli``: the command in fresh processes, fastest of ``--rounds``, optionally against
    another checkout."""
    codes = {"this": ROOT / "src"}
    if args.against:
        codes["against"] = Path(args.against).resolve() / "src"
    for src in codes.values():
        run_cli(src, args.draws)  # compile the kernels into Numba's cache: warm figures
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in codes}
    for _ in range(args.rounds):
        for name, src in codes.items():
            runs[name].append(run_cli(src, args.draws))
    result: dict[str, Any] = {"scenario": "japan-nato", "draws": args.draws, "warm": True}
    for name, src in codes.items():
        result[name] = {
            "src": str(src),
            "wall_s": round(min(w for w, _ in runs[name]), 2),
            "cpu_s": round(min(c for _, c in runs[name]), 2),
            "runs": [[round(w, 2), round(c, 2)] for w, c in runs[name]],
        }
    if "against" in result:
        for key in ("wall_s", "cpu_s"):
            result[f"speedup_{key[:-2]}"] = round(result["against"][key] / result["this"][key], 2)
    result["environment"] = environment()
    print(result)
    write_report(OUT_CLI, result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--models", default="all")
    parser.add_argument("--mc-models", default="compromise,median,bdm")
    parser.add_argument("--jobs", type=int, default=None, help="section processes (default: 1)")
    parser.add_argument("--cli", action="store_true", help="time the command in fresh processes")
    parser.add_argument("--against", default=None, help="with --cli: another checkout to compare")
    parser.add_argument("--rounds", type=int, default=3, help="with --cli: timed runs of each")
    args = parser.parse_args()
    if args.cli:
        cli_main(args)
        return
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
