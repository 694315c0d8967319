"""Cold start of the command line: ``accord --help`` and ``accord forecast`` as whole processes.

Usage: ``python benchmarks/bench_cli.py [--quick] [--repeat N]``

Each command runs ``N`` times (default 7; ``--quick``: 3) as a fresh ``python -m accord.cli``
process, pinned to 2 cores where ``taskset`` exists, with this checkout's ``src`` first on the
path; the table gives the fastest and the median wall time (the fastest is the least disturbed
by other load on the machine) and the fastest CPU time (user + system, the steadier figure on a
loaded machine), beside the floor of a bare ``python -c pass``. Targets (issue 17): ``--help`` under 0.2 s, ``forecast`` of the
7-actor ``scenarios/ktab-d3.yaml`` under 0.4 s with any model. Numba's on-disk cache is warmed
once first (an untimed ``forecast -m smp`` on a 30-actor case would load it; here smp's small
problems run on the NumPy engine, so no cache is read). Writes ``reports/bench/cli.json``.
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

from _common import ROOT, environment, write_report

OUT = ROOT / "reports" / "bench" / "cli.json"
CASE = "scenarios/ktab-d3.yaml"
COMMANDS: list[tuple[str, list[str]]] = [
    ("--help", ["--help"]),
    *[
        (f"forecast -m {model}", ["forecast", CASE, "-m", model])
        for model in ("compromise", "median", "nash", "bdm", "smp", "agenda_pull", "all")
    ],
]


def timed(args: list[str], module: bool = True) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process running ``accord ARGS``
    (output discarded). On a loaded machine the CPU time is the steadier figure: it is close to
    the wall time the same process takes on an idle one."""
    prefix = (
        ["taskset", "-c", "0,1"] if shutil.which("taskset") and (os.cpu_count() or 1) >= 2 else []
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [*prefix, sys.executable, *(["-m", "accord.cli"] if module else []), *args],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--repeat", type=int, default=None, help="runs per command")
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.quick else 7)
    timed(["forecast", CASE, "-m", "all"])  # warm the OS file cache and Python's bytecode
    rows = []
    print(f"{'command':<28} {'fastest':>8} {'median':>8} {'cpu min':>8}")
    for label, argv in [("python -c pass (floor)", ["-c", "pass"]), *COMMANDS]:
        runs = [timed(argv, module=not label.startswith("python")) for _ in range(repeat)]
        walls = [w for w, _ in runs]
        row = {
            "command": label,
            "fastest_s": min(walls),
            "median_s": statistics.median(walls),
            "cpu_fastest_s": min(c for _, c in runs),
        }
        rows.append(row)
        print(
            f"{label:<28} {row['fastest_s']:>8.3f} {row['median_s']:>8.3f} "
            f"{row['cpu_fastest_s']:>8.3f}",
            flush=True,
        )
    write_report(OUT, {"environment": environment(), "repeat": repeat, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
