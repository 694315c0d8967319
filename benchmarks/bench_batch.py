"""Batched kernels against a Python loop of single runs, on the same draws, in one run.

Usage: ``python benchmarks/bench_batch.py [--quick]``

For each model, ``--draws`` draws (default 10,000; ``--quick``: 200) of one synthetic
32-actor, one-dimensional issue (positions uniform on 0-100, saliences on [0.05, 1],
capabilities on [0.1, 10], seed 2026) run through :func:`accord.scale.batch.run_batch` (the
vectorised kernel) and :func:`accord.scale.batch.run_batch_loop` (one single run per draw).
Reports draws per second of each, their ratio, the largest difference of the outcomes, and the
process's peak resident memory. ``smp`` (whose single run takes tens of milliseconds) runs on
``--smp-draws`` draws (default 1,000; ``--quick``: 20) of the same kind of issue with saliences
halved (so that rows stay below 1 as KTAB requires), batched engine against the loop, on the
same draws. Results go to ``reports/bench/batch.json``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from typing import Any

import numpy as np

from _common import ROOT, peak_rss_mb, write_report
from accord.scale.batch import BATCH_KERNELS, IssueBatch, run_batch, run_batch_loop

OUT = ROOT / "reports" / "bench" / "batch.json"


def make_batch(draws: int, n: int, m: int = 1, seed: int = 2026) -> IssueBatch:
    rng = np.random.default_rng(seed)
    return IssueBatch(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=rng.uniform(0.0, 100.0, (draws, n, m)),
        saliences=rng.uniform(0.05, 1.0, (draws, n, m)),
        capabilities=rng.uniform(0.1, 10.0, (draws, n)),
        lo=np.zeros(m),
        hi=np.full(m, 100.0),
    )


def timed(func: Any, *args: Any) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    out = func(*args)
    return out, time.perf_counter() - start


def bench(model: str, batch: IssueBatch, params: dict[str, Any]) -> dict[str, Any]:
    fast, t_fast = timed(run_batch, model, batch, params)
    ref, t_loop = timed(run_batch_loop, model, batch, params)
    return {
        "model": model,
        "draws": batch.size,
        "actors": len(batch.actor_ids),
        "vectorised": model in BATCH_KERNELS,
        "batch_seconds": t_fast,
        "loop_seconds": t_loop,
        "batch_draws_per_s": batch.size / t_fast,
        "loop_draws_per_s": batch.size / t_loop,
        "ratio": t_loop / t_fast,
        "max_abs_difference": float(np.max(np.abs(fast - ref))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 draws, smp on 20 draws")
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--actors", type=int, default=32)
    parser.add_argument("--smp-draws", type=int, default=1_000)
    args = parser.parse_args(argv)
    draws = 200 if args.quick else args.draws
    smp_draws = 20 if args.quick else args.smp_draws
    batch = make_batch(draws, args.actors)
    rows = [bench("compromise", batch, {}), bench("nash", batch, {}), bench("bdm", batch, {})]
    unit = make_batch(smp_draws, args.actors)
    unit = IssueBatch(
        unit.actor_ids,
        unit.positions,
        unit.saliences / 2.0,
        unit.capabilities,
        unit.lo,
        unit.hi,
    )
    rows.append(bench("smp", unit, {}))
    max_rss_mb = peak_rss_mb()
    print(f"{'model':<11}{'draws':>7}{'batch/s':>11}{'loop/s':>10}{'ratio':>8}{'max diff':>11}")
    for r in rows:
        print(
            f"{r['model']:<11}{r['draws']:>7}{r['batch_draws_per_s']:>11.1f}"
            f"{r['loop_draws_per_s']:>10.1f}{r['ratio']:>7.1f}x{r['max_abs_difference']:>11.1e}"
        )
    print(f"process max RSS: {max_rss_mb:.0f} MB")
    report = {
        "benchmark": "batch",
        "quick": args.quick,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "max_rss_mb": max_rss_mb,
        "rows": rows,
    }
    write_report(OUT, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
