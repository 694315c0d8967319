"""Fit the shipped interval calibration on the DEU dev split (docs/calibration.md).

Runs every registered model (and the baselines) on ``tests/data/deu/deu3_dev.tsv`` exactly as
``accord backtest deu`` does (council-votes capabilities, not rule-aware, seed 0), computes the
difficulty features of each scored issue, and writes ``src/accord/data/calibration.json``
through :func:`accord.analysis.interval_calibration.fit_artefact`. Deterministic: running it
again reproduces the file byte for byte (``tests/unit/test_calibration_artefact.py``).

Usage::

    PYTHONPATH=src .venv/bin/python scripts/fit_calibration.py [--out PATH] [--check]
    PYTHONPATH=src .venv/bin/python scripts/fit_calibration.py --chart docs/calibration_coverage.svg

``--chart`` draws the calibration chart of docs/accuracy.md from the shipped artefact (no model
runs): nominal against out-of-fold empirical coverage at levels 0.1, 0.2, ..., 0.9, 0.95.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "data" / "deu" / "deu3_dev.tsv"
OUT = ROOT / "src" / "accord" / "data" / "calibration.json"


def build(dev: Path = DEV) -> dict[str, Any]:
    """The artefact fitted on ``dev`` (all registered models)."""
    import numpy as np

    from accord.analysis import interval_calibration as ic
    from accord.analysis.backtest import run_backtest
    from accord.models.registry import model_names
    from accord.scenario.arrays import issue_arrays
    from accord.scenario.importers import deu

    text = dev.read_text(encoding="utf-8")
    result = run_backtest(text, model_names(), seed=0)
    errors = result.errors
    scenarios, _ = deu.read_with_report(text, dev.name)
    issues: list[str] = []
    proposals: list[str] = []
    outcomes: list[float] = []
    features: list[list[float]] = []
    for scenario in scenarios:
        issue = scenario.issues[0]
        meta = deu.issue_metadata(issue)
        issues.append(meta.get("isnr", issue.id))
        proposals.append(meta.get("prnr", scenario.id))
        assert issue.outcome is not None
        outcomes.append(float(issue.outcome.values()[0]))
        unan = meta.get("counvte", "").lower().startswith("unan")
        features.append(ic.issue_features(issue_arrays(scenario, issue.id), unan).tolist())
    forecasts: dict[str, list[float | None]] = {}
    for model in result.models:
        rows = errors[errors["model"] == model].set_index("issue")
        values = rows.loc[issues, "forecast"].to_numpy(dtype=np.float64)
        forecasts[model] = [None if not np.isfinite(v) else float(v) for v in values]
    return ic.fit_artefact(
        issues,
        proposals,
        outcomes,
        forecasts,
        features,
        source=dev.relative_to(ROOT).as_posix(),
        sha256=ic.file_sha256(text),
    )


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data) + "\n"


CHART_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
CHART_MODELS = ("compromise", "agenda_pull", "weighted_median", "bdm")


def chart(path: Path) -> None:
    """Nominal vs out-of-fold coverage of the shipped rule (and the naive one for compromise)."""
    import numpy as np

    from accord.analysis import interval_calibration as ic
    from accord.intervals import conformal
    from accord.report.svg import figure_to_svg, new_figure

    data = ic.load()
    y_all = np.asarray(data["outcomes"])
    g_all = np.asarray(data["proposals"])
    Z_all = np.asarray(data["features"]["values"])
    rule = data["rule"]
    fig = new_figure(5.5, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", label="perfect calibration")
    runs = [(m, rule["score"], bool(rule["ends"]), rule["name"]) for m in CHART_MODELS]
    runs.append(("compromise", "absolute", False, "naive absolute"))
    for model, score, ends, label in runs:
        f = np.asarray([np.nan if v is None else v for v in data["models"][model]["forecasts"]])
        keep = np.isfinite(f)
        oof = conformal.out_of_fold(
            y_all[keep],
            f[keep],
            g_all[keep],
            score=score,
            ends=ends,
            Z=Z_all[keep],
            levels=CHART_LEVELS,
            folds=int(data["folds"]),
        )
        cov = [oof.coverage(L) for L in CHART_LEVELS]
        style = "--" if label == "naive absolute" else "-"
        ax.plot(CHART_LEVELS, cov, style, marker="o", markersize=3, label=f"{model} ({label})")
    ax.set_xlabel("nominal coverage")
    ax.set_ylabel("out-of-fold coverage (DEU dev, 244 issues)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    path.write_text(figure_to_svg(fig) + "\n", encoding="utf-8")


def crps_table() -> str:
    """Markdown: out-of-fold CRPS differences with paired proposal-bootstrap 95% intervals."""
    import numpy as np

    from accord.analysis import interval_calibration as ic
    from accord.intervals import conformal

    data = ic.load()
    y_all = np.asarray(data["outcomes"])
    g_all = np.asarray(data["proposals"])
    lines = [
        "| model | mixture CRPS | − point MAE [95% CI] | − climatology CRPS [95% CI] "
        "| mixture median MAE − point MAE [95% CI] |",
        "|---|---|---|---|---|",
    ]
    for model, entry in data["models"].items():
        f = np.asarray([np.nan if v is None else v for v in entry["forecasts"]])
        keep = np.isfinite(f)
        y, f, g = y_all[keep], f[keep], g_all[keep]
        s = ic.distribution_scores_per_issue(y, f, conformal.group_folds(g, int(data["folds"])))
        cells = [f"{np.mean(s['crps_mixture']):.2f}"]
        for d in (
            s["crps_mixture"] - s["crps_point"],
            s["crps_mixture"] - s["crps_climatology"],
            s["mae_mixture_median"] - s["crps_point"],
        ):
            lo, hi = ic.coverage_interval(d, g, replicates=2000, seed=0) or [np.nan] * 2
            cells.append(f"{np.mean(d):+.2f} [{lo:+.2f}, {hi:+.2f}]")
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    parser.add_argument("--chart", type=Path, help="write the calibration chart (SVG) and stop")
    parser.add_argument(
        "--crps-table", action="store_true", help="print the CRPS comparison (docs) and stop"
    )
    args = parser.parse_args(argv)
    if args.crps_table:
        print(crps_table())
        return 0
    if args.chart is not None:
        chart(args.chart)
        print(f"wrote {args.chart}")
        return 0
    text = dumps(build())
    if args.check:
        same = args.out.read_text(encoding="utf-8") == text
        print("calibration artefact reproduces" if same else "calibration artefact differs")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
