"""Cold start of the command line: ``accord --help`` and ``accord forecast`` as whole processes.

Usage: ``python benchmarks/bench_cli.py [--quick] [--repeat N] [--case FILE] [--realtime]
[--baseline PYTHONPATH]``

Each command runs ``N`` times (default 7; ``--quick``: 3) as a fresh ``python -m accord.cli``
process, pinned to 2 cores where ``taskset`` exists, with this checkout's ``src`` first on the
path and bytecode caching on (``PYTHONDONTWRITEBYTECODE`` is dropped from the environment, as an
installed package has its ``.pyc`` files; an untimed warm-up run of each command writes them).
The first table gives the median and the fastest wall time and the fastest CPU time (user +
system: the steadier figure on a loaded machine), beside the floor of a bare ``python -c pass``.
On a machine shared with other jobs, ``--realtime`` (root only) runs every process under the
FIFO real-time policy so that no other job preempts it: its wall time then equals its CPU time,
though caches and memory stay shared, so it is still slower than on an idle machine.

The second table explains the figures: three ``python -X importtime`` runs of each command, each
module's self time taken as its fastest, with the total time spent importing and the top-level packages that cost
most. It also lists any heavy library the command loaded (pandas, SciPy, matplotlib, SQLAlchemy,
FastAPI, Numba, ...): none should appear for these commands.

``--baseline PYTHONPATH`` also times another checkout (its ``src``, with any packages it needs
first, e.g. ``/tmp/typer-0.29:../main/src``) in the same session, its runs interleaved with
this checkout's so that both see the same load, and gives the ratio of the fastest CPU times
(this checkout / the baseline): on a machine shared with other jobs, the steadiest comparison.

Targets (issue 17): ``--help`` under 0.2 s, ``forecast`` of the 7-actor
``scenarios/ktab-d3.yaml`` (KTAB's dummyData_3Dim, the case KTAB's own ``smpc`` runs) under
0.4 s with any model that applies to it (the exchange needs two issues; ``-m all`` includes its
refusal). smp's small problems run on the NumPy engine, so no Numba cache is read.
Writes ``reports/bench/cli.json``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any

from _common import ROOT, environment, write_report

OUT = ROOT / "reports" / "bench" / "cli.json"
CASE = "scenarios/ktab-d3.yaml"
MODELS = ("compromise", "median", "nash", "bdm", "smp", "agenda_pull", "all")
#: Libraries that none of the benchmarked commands needs (tests/unit/test_fast_start.py).
HEAVY = ("pandas", "scipy", "matplotlib", "sqlalchemy", "fastapi", "numba", "SALib", "dask")


def commands(case: str) -> list[tuple[str, list[str]]]:
    """The benchmarked commands: a label and the arguments after ``accord``."""
    return [
        ("--help", ["--help"]),
        *[(f"forecast -m {model}", ["forecast", case, "-m", model]) for model in MODELS],
    ]


def child_env(pythonpath: str | None = None) -> dict[str, str]:
    """The environment of a timed process: this checkout first (or ``pythonpath``), bytecode
    cached."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = pythonpath or str(ROOT / "src")
    return env


#: ``--realtime``: the command prefix that runs each process under the FIFO real-time policy.
REALTIME: list[str] = []


def _argv(args: list[str], module: bool) -> list[str]:
    prefix = (
        ["taskset", "-c", "0,1"] if shutil.which("taskset") and (os.cpu_count() or 1) >= 2 else []
    )
    return [*REALTIME, *prefix, sys.executable, *(["-m", "accord.cli"] if module else []), *args]


def timed(
    args: list[str], module: bool = True, pythonpath: str | None = None
) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process running ``accord ARGS``.

    The output is discarded. On a loaded machine the CPU time is the steadier figure: it is
    close to the wall time the same process takes on an idle one.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        _argv(args, module),
        check=False,  # the exchange's refusal in `-m all` is a note, not a failure
        env=child_env(pythonpath),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def parse_importtime(text: str) -> list[tuple[str, int, int]]:
    """``(module, self µs, cumulative µs)`` for each line of ``python -X importtime`` output."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|")
        rows.append((name.strip(), int(self_us), int(cumulative_us)))
    return rows


def import_profile(args: list[str], runs: int = 3, top: int = 6) -> dict[str, Any]:
    """``runs`` ``-X importtime`` runs of ``accord ARGS``, each module's self time taken as its
    fastest over the runs (other load on the machine only adds time): the total import time,
    the top-level packages that cost most (self times summed), and the heavy libraries loaded."""
    fastest: dict[str, int] = {}
    for _ in range(runs):
        done = subprocess.run(
            [*_argv(["-X", "importtime"], module=False), "-m", "accord.cli", *args],
            check=False,
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for name, self_us, _ in parse_importtime(done.stderr):
            fastest[name] = min(fastest.get(name, self_us), self_us)
    by_package: dict[str, int] = defaultdict(int)
    for name, self_us in fastest.items():
        by_package[name.split(".")[0]] += self_us
    ranked = sorted(by_package.items(), key=lambda kv: -kv[1])[:top]
    return {
        "imports_s": sum(fastest.values()) / 1e6,
        "modules": len(fastest),
        "top_packages_s": {name: us / 1e6 for name, us in ranked},
        "heavy_loaded": sorted({n.split(".")[0] for n in fastest} & set(HEAVY)),
    }


def main() -> int:
    """Run the benchmark, print both tables and write the JSON report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--repeat", type=int, default=None, help="runs per command")
    parser.add_argument("--case", default=CASE, help=f"scenario to forecast (default {CASE})")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run each process under `chrt -f 20` (root only): on a machine shared with other "
        "jobs it then has a core whenever it can run, so no other job preempts it",
    )
    parser.add_argument(
        "--baseline",
        metavar="PYTHONPATH",
        default=None,
        help="also time this PYTHONPATH (another checkout's src) in the same session, "
        "interleaved, and give the CPU ratio against it",
    )
    args = parser.parse_args()
    if args.realtime:
        REALTIME[:] = ["chrt", "-f", "20"]
    repeat = args.repeat or (3 if args.quick else 7)
    cmds = commands(args.case)
    base = args.baseline
    for _, argv in cmds:  # warm the OS file cache and write the bytecode caches
        timed(argv)
        if base:
            timed(argv, pythonpath=base)
    rows = []
    extra = f" {'base med':>8} {'base cpu':>8} {'cpu ratio':>9}" if base else ""
    print(f"{'command':<28} {'median':>8} {'fastest':>8} {'cpu min':>8}{extra}")
    for label, argv in [("python -c pass (floor)", ["-c", "pass"]), *cmds]:
        module = not label.startswith("python")
        runs, base_runs = [], []
        for _ in range(repeat):
            runs.append(timed(argv, module=module))
            if base:
                base_runs.append(timed(argv, module=module, pythonpath=base))
        walls = [w for w, _ in runs]
        row: dict[str, Any] = {
            "command": label,
            "median_s": statistics.median(walls),
            "fastest_s": min(walls),
            "cpu_fastest_s": min(c for _, c in runs),
        }
        line = (
            f"{label:<28} {row['median_s']:>8.3f} {row['fastest_s']:>8.3f} "
            f"{row['cpu_fastest_s']:>8.3f}"
        )
        if base:
            row["baseline_median_s"] = statistics.median(w for w, _ in base_runs)
            row["baseline_cpu_fastest_s"] = min(c for _, c in base_runs)
            row["cpu_ratio"] = row["cpu_fastest_s"] / row["baseline_cpu_fastest_s"]
            line += (
                f" {row['baseline_median_s']:>8.3f} {row['baseline_cpu_fastest_s']:>8.3f}"
                f" {row['cpu_ratio']:>9.2f}"
            )
        rows.append(row)
        print(line, flush=True)
    print("\nwhere the time goes (python -X importtime, 3 runs, each module's fastest; seconds)")
    for row, (label, argv) in zip(rows[1:], cmds, strict=True):
        profile = import_profile(argv)
        row["importtime"] = profile
        top = ", ".join(f"{name} {s:.3f}" for name, s in profile["top_packages_s"].items())
        heavy = ", ".join(profile["heavy_loaded"]) or "none"
        print(f"{label:<28} {profile['imports_s']:>6.3f}  {top}  [heavy loaded: {heavy}]")
    write_report(
        OUT,
        {
            "environment": environment(),
            "case": args.case,
            "repeat": repeat,
            "realtime": args.realtime,
            "baseline": base,
            "rows": rows,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
