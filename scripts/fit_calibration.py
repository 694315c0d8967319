"""Fit the shipped interval calibration on the DEU dev split (docs/calibration.md).

Runs every registered model (and the baselines) on ``tests/data/deu/deu3_dev.tsv`` exactly as
``accord backtest deu`` does (council-votes capabilities, not rule-aware, seed 0), computes the
difficulty features of each scored issue, and writes ``src/accord/data/calibration.json``
through :func:`accord.analysis.interval_calibration.fit_artefact`. Deterministic: running it
again reproduces the file byte for byte (``tests/unit/test_calibration_artefact.py``).

Usage::

    PYTHONPATH=src .venv/bin/python scripts/fit_calibration.py [--out PATH] [--check]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)
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
