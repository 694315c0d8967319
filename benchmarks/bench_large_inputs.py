"""Large inputs (issue 15): time and peak memory of ``accord forecast -m all`` on BDM CSV files
of 100 to 2,000 actors, and of ``-m compromise`` on 200,000 actors (importer included).

Each run is a fresh ``python -m accord.cli`` process; its wall time, CPU time (user + system)
and peak resident memory (``wait4``'s ru_utime, ru_stime and ru_maxrss) are measured from
outside, so start-up and imports are included. CPU time is the steadier figure on a shared,
loaded machine. The actors are random (seeded): capability and salience in (0, 1), position in
[0, 100]. The 200,000-actor file runs with compromise and median (the models whose cost is
linear; there is no separate "mean" model: compromise is the weighted mean).

``--baseline TREE`` also runs every case on another checkout's ``src`` (e.g. ``/work/main``),
alternating with this tree's runs, and gives the ratio of their CPU times: a comparison made in
the same run, under the same load. ``--only-big`` skips the 100 to 2,000-actor ``-m all`` runs.
Figures go to ``reports/bench/bench_large_inputs.json``; docs/performance.md quotes them.

    python benchmarks/bench_large_inputs.py            # 100, 500, 1000, 2000 and 200,000
    python benchmarks/bench_large_inputs.py --quick    # 100 and 20,000
    python benchmarks/bench_large_inputs.py --only-big --baseline /work/main
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 900


def write_csv(path: Path, n: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    cap, pos, sal = rng.random(n), rng.random(n) * 100, rng.random(n)
    lines = ["Actor,Capability,Position,Salience"]
    lines += [f"actor{i},{cap[i]:.4f},{pos[i]:.3f},{sal[i]:.3f}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(
    path: Path,
    model: str,
    extra_env: dict[str, str] | None = None,
    limit_s: float = LIMIT_S,
    tree: Path = ROOT,
) -> dict[str, object]:
    """Run ``accord forecast PATH -m MODEL -f json`` on ``tree``'s sources.

    Wall and CPU seconds, peak MiB and which models answered or failed (killed after
    ``limit_s``: exit -9).
    """
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), **(extra_env or {}))
    cmd = [sys.executable, "-m", "accord.cli", "forecast", str(path), "-m", model, "-f", "json"]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        while True:  # wait4 (not Popen.wait) to read the child's own peak memory
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > limit_s:
                proc.kill()
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    code = proc.returncode
    peak = usage.ru_maxrss / 1024  # Linux: KiB
    answered: list[str] = []
    failed: dict[str, str] = {}
    if code == 0:
        for item in json.loads(stdout)["issues"][0]["forecasts"]:
            if "error" in item:
                failed[item["model"]] = item["error"]
            else:
                answered.append(item["model"])
    return {
        "exit": code,
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mib": round(peak, 0),
        "answered": answered,
        "failed": failed,
        "stderr": stderr.strip()[:300],
    }


def _pair(path: Path, model: str, baseline: Path | None, **kwargs: Any) -> list[dict[str, object]]:
    """This tree's run and, with a baseline, the baseline's run right after it."""
    rows = [{"tree": "this", **measure(path, model, **kwargs)}]
    if baseline is not None:
        rows.append({"tree": str(baseline), **measure(path, model, tree=baseline, **kwargs)})
        ours, theirs = rows[0]["cpu_seconds"], rows[1]["cpu_seconds"]
        if isinstance(ours, float) and isinstance(theirs, float) and ours > 0:
            rows[0]["baseline_cpu_ratio"] = round(theirs / ours, 2)
    return rows


def main() -> int:
    quick = "--quick" in sys.argv
    only_big = "--only-big" in sys.argv
    baseline = (
        Path(sys.argv[sys.argv.index("--baseline") + 1]) if "--baseline" in sys.argv else None
    )
    sizes = [] if only_big else [100] if quick else [100, 500, 1000, 2000]
    big = 20_000 if quick else 200_000
    rows: list[dict[str, object]] = []

    def record(actors: int, models: str, found: list[dict[str, object]]) -> None:
        for row in found:
            rows.append({"actors": actors, "models": models, **row})
            print(rows[-1], flush=True)

    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            path = Path(folder) / f"actors{n}.csv"
            write_csv(path, n)
            record(n, "all", _pair(path, "all", baseline))
            if n > 500 and not quick:
                # the cubic models over their default limit (500): each alone with the limit
                # raised, killed after 90 s (issue 15's bound for a run)
                for model in ("bdm", "smp"):
                    raised = {"ACCORD_MAX_CUBIC_ACTORS": str(n)}
                    row = measure(path, model, raised, limit_s=90.0)
                    record(n, f"{model} (limit raised)", [{"tree": "this", **row}])
        path = Path(folder) / f"actors{big}.csv"
        write_csv(path, big)
        for model in ("compromise", "median"):
            record(big, model, _pair(path, model, baseline))
    print(
        f"{'actors':>8} {'models':>18} {'tree':>12} {'exit':>4} {'wall s':>7} {'CPU s':>7} "
        f"{'peak MiB':>9} {'ratio':>6}  failed"
    )
    for row in rows:
        failed = ", ".join(row["failed"]) if isinstance(row["failed"], dict) else ""
        print(
            f"{row['actors']:>8} {row['models']:>18} {str(row['tree'])[-12:]:>12} "
            f"{row['exit']:>4} {row['seconds']:>7} {row['cpu_seconds']:>7} "
            f"{row['peak_mib']:>9} {row.get('baseline_cpu_ratio', ''):>6}  {failed}"
        )
    target = ROOT / "reports" / "bench" / "bench_large_inputs.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    report = {"cpus": os.cpu_count(), "load_average": load, "rows": rows}
    target.write_text(json.dumps(report, indent=1) + "\n")
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
