"""Batched kernels against a Python loop of single runs, on the same draws, in one run.

Usage: ``python benchmarks/bench_batch.py [--quick]``

For each model, ``--draws`` draws (default 10,000; ``--quick``: 200) of one synthetic
32-actor, one-dimensional issue (positions uniform on 0-100, saliences on [0.05, 1],
capabilities on [0.1, 10], seed 2026) run through :func:`accord.scale.batch.run_batch` (the
batched kernel) and :func:`accord.scale.batch.run_batch_loop` (one single run per draw: the
reference). ``smp`` runs on the same kind of issue with saliences halved (rows must stay below
1 as KTAB requires).

The compiled kernels (bdm, smp) run their draws on all of Numba's threads; they are timed
with all threads and with one thread, after one untimed call that loads them from Numba's cache.
The loop is the model's single run: for bdm the NumPy implementation, for smp the NumPy engine
(``engine="numpy"``, the reference the compiled engine is tested against bit for bit); smp is
also timed as a loop of compiled single runs (``engine="compiled"``), which shows how much of
the gain is batching rather than compilation. Reports draws per second, the ratios, the largest
difference of the outcomes and the process's peak resident memory; results go to
``reports/bench/batch.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import Any

import numba
import numpy as np

from _common import ROOT, environment, peak_rss_mb, write_report
from accord.scale.batch import IssueBatch, batch_kernel, run_batch, run_batch_loop

OUT = ROOT / "reports" / "bench" / "batch.json"
#: The loop's parameters per model (the reference single run).
LOOP_PARAMS: dict[str, dict[str, Any]] = {"smp": {"engine": "numpy"}}
COMPILED = ("bdm", "smp")


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


def bench(model: str, batch: IssueBatch) -> dict[str, Any]:
    threads = numba.get_num_threads()
    run_batch(model, batch.take(slice(0, 2)))  # load the compiled kernels
    fast, t_fast = timed(run_batch, model, batch, {})
    row: dict[str, Any] = {
        "model": model,
        "draws": batch.size,
        "actors": len(batch.actor_ids),
        "vectorised": batch_kernel(model) is not None,
        "threads": threads if model in COMPILED else 1,
        "batch_seconds": t_fast,
        "batch_draws_per_s": batch.size / t_fast,
    }
    if model in COMPILED:
        numba.set_num_threads(1)
        try:
            one, t_one = timed(run_batch, model, batch, {})
        finally:
            numba.set_num_threads(threads)
        assert np.array_equal(one, fast), "thread count changed the results"
        row["batch_one_thread_draws_per_s"] = batch.size / t_one
    ref, t_loop = timed(run_batch_loop, model, batch, LOOP_PARAMS.get(model, {}))
    row.update(
        {
            "loop_params": LOOP_PARAMS.get(model, {}),
            "loop_seconds": t_loop,
            "loop_draws_per_s": batch.size / t_loop,
            "ratio": t_loop / t_fast,
            "max_abs_difference": float(np.max(np.abs(fast - ref))),
        }
    )
    if model in COMPILED:
        row["ratio_one_thread"] = row["batch_one_thread_draws_per_s"] / row["loop_draws_per_s"]
    if model == "smp":
        same, t_compiled_loop = timed(run_batch_loop, model, batch, {})
        assert np.array_equal(same, fast)
        row["compiled_loop_draws_per_s"] = batch.size / t_compiled_loop
        row["ratio_vs_compiled_loop"] = t_compiled_loop / t_fast
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 draws, smp on 50 draws")
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--actors", type=int, default=32)
    parser.add_argument("--smp-draws", type=int, default=10_000)
    parser.add_argument(
        "--models", default="compromise,nash,bdm,smp", help="comma-separated subset to run"
    )
    args = parser.parse_args(argv)
    draws = 200 if args.quick else args.draws
    smp_draws = 50 if args.quick else args.smp_draws
    batch = make_batch(draws, args.actors)
    models = args.models.split(",")
    rows = [bench(model, batch) for model in ("compromise", "nash", "bdm") if model in models]
    unit = make_batch(smp_draws, args.actors)
    unit = dataclasses.replace(unit, saliences=unit.saliences / 2.0)
    if "smp" in models:
        rows.append(bench("smp", unit))
    max_rss_mb = peak_rss_mb()
    print(
        f"{'model':<11}{'draws':>7}{'thr':>4}{'batch/s':>11}{'1 thr/s':>10}{'loop/s':>10}"
        f"{'ratio':>8}{'1 thr':>8}{'max diff':>10}"
    )
    for r in rows:
        one = r.get("batch_one_thread_draws_per_s")
        one_ratio = r.get("ratio_one_thread")
        print(
            f"{r['model']:<11}{r['draws']:>7}{r['threads']:>4}{r['batch_draws_per_s']:>11.1f}"
            f"{'' if one is None else f'{one:.1f}':>10}{r['loop_draws_per_s']:>10.1f}"
            f"{r['ratio']:>7.1f}x{'' if one_ratio is None else f'{one_ratio:.1f}x':>8}"
            f"{r['max_abs_difference']:>10.1e}"
        )
    for row in rows:
        if row["model"] == "smp":
            print(
                f"smp as a loop of compiled single runs: {row['compiled_loop_draws_per_s']:.1f} "
                f"draws/s; batched is {row['ratio_vs_compiled_loop']:.1f}x that"
            )
    print(f"process max RSS: {max_rss_mb:.0f} MB")
    report = {
        "benchmark": "batch",
        "quick": args.quick,
        **environment(),
        "numba": numba.__version__,
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": numba.threading_layer(),
        "max_rss_mb": max_rss_mb,
        "rows": rows,
    }
    write_report(OUT, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
