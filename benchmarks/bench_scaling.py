"""Cost of one model run against the number of actors, per model, with the fitted exponent.

Usage: ``python benchmarks/bench_scaling.py [--quick]``

Synthetic one-dimensional issues (positions uniform on 0-100, saliences on [0.05, 0.5],
capabilities on [0.1, 10], a status quo at 50, seed 7) with n actors; each model runs once per
size after a warm-up, timing the minimum of ``--repeats`` runs. The exponent is the
least-squares slope of log(time) on log(n) over the sizes at or above 16 actors (smaller sizes
measure fixed overhead). Writes ``reports/bench/scaling.json`` and the chart
``docs/performance-scaling.svg`` (``--quick``: fewer sizes, no chart).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from _common import ROOT, peak_rss_mb, write_report
from accord.models.base import IssueArrays
from accord.models.registry import get_model

OUT = ROOT / "reports" / "bench" / "scaling.json"
CHART = ROOT / "docs" / "performance-scaling.svg"

FULL = {
    "compromise": [8, 16, 32, 64, 128, 256],
    "nash": [8, 16, 32, 64, 128, 256],
    "bdm": [8, 16, 32, 64, 128, 256],
    "smp": [8, 16, 32, 64, 128, 256],
}
QUICK = {"compromise": [8, 16, 32], "nash": [8, 16, 32], "bdm": [8, 16, 32], "smp": [8, 16]}


def issue(n: int, seed: int = 7) -> IssueArrays:
    rng = np.random.default_rng(seed)
    return IssueArrays(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=rng.uniform(0.0, 100.0, (n, 1)),
        saliences=rng.uniform(0.05, 0.5, (n, 1)),
        capabilities=rng.uniform(0.1, 10.0, n),
        lo=np.zeros(1),
        hi=np.full(1, 100.0),
        status_quo=np.array([50.0]),
    )


def time_run(model: str, n: int, repeats: int) -> float:
    spec = get_model(model)
    arrays = issue(n)
    spec.run(arrays, {}, np.random.default_rng(0))
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        spec.run(arrays, {}, np.random.default_rng(0))
        best = min(best, time.perf_counter() - start)
    return float(best)


def exponent(sizes: list[int], seconds: list[float]) -> float | None:
    pts = [(n, t) for n, t in zip(sizes, seconds, strict=True) if n >= 16]
    if len(pts) < 2:
        return None
    x = np.log([p[0] for p in pts])
    y = np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


def chart(results: dict[str, Any]) -> str:
    from accord.report.svg import figure_to_svg, new_figure

    fig = new_figure(6.5, 4.0)
    ax = fig.add_subplot()
    for model, r in results.items():
        label = model if r["exponent"] is None else f"{model} (n^{r['exponent']:.2f})"
        ax.loglog(r["actors"], r["seconds"], "o-", label=label)
    ax.set_xlabel("actors n")
    ax.set_ylabel("seconds per run")
    ax.set_title("Cost of one run against the number of actors")
    ax.legend(fontsize="small")
    ax.grid(True, which="both", alpha=0.3)
    return figure_to_svg(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    repeats = 1 if args.quick else args.repeats
    results: dict[str, Any] = {}
    for model, sizes in plan.items():
        seconds = [time_run(model, n, repeats if n < 100 else 1) for n in sizes]
        results[model] = {"actors": sizes, "seconds": seconds, "exponent": exponent(sizes, seconds)}
        cells = " ".join(f"{n}:{t * 1e3:.1f}ms" for n, t in zip(sizes, seconds, strict=True))
        exp = results[model]["exponent"]
        print(
            f"{model:<11} exponent {'-' if exp is None else f'{exp:.2f}':>5}  {cells}", flush=True
        )
    max_rss_mb = peak_rss_mb()
    print(f"process max RSS: {max_rss_mb:.0f} MB")
    if not args.quick:
        CHART.write_text(chart(results) + "\n")
        print(f"wrote {CHART.relative_to(ROOT)}")
    report = {"benchmark": "scaling", "quick": args.quick, "max_rss_mb": max_rss_mb, **results}
    write_report(OUT, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
