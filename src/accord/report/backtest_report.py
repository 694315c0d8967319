"""HTML report of a DEU backtest.

Metrics with bootstrap intervals, splits, paired comparisons, and charts of the error distributions
(inline SVG through :mod:`accord.report.svg`).

The page is self-contained (no script, no external file) and every text that comes from the
data (model names, file names, the cleaning line) is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from accord.files import write_atomic
from accord.report.svg import figure_to_svg, new_figure

REPORT_FILE = "backtest.html"
JSON_FILE = "backtest.json"

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:right}th:first-child,td:first-child{text-align:left}caption{text-align:left;
font-weight:bold}.note{color:#555;font-size:.9rem}
"""


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if not np.isfinite(value):
            return "-"
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def _ci(interval: Sequence[float] | None, digits: int = 2) -> str:
    if not interval:
        return "-"
    return f"[{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]"


def error_chart(errors: Mapping[str, Sequence[float]]) -> str:
    """Inline SVG: box plots of the absolute errors per model, with the MAE marked."""
    names = list(errors)
    fig = new_figure(7.5, 0.45 * max(len(names), 2) + 1.2)
    ax = fig.add_subplot(1, 1, 1)
    data = [np.asarray(errors[n], dtype=np.float64) for n in names]
    if names:
        ax.boxplot(data, orientation="horizontal", tick_labels=names, showfliers=True, widths=0.6)
        means = [float(np.mean(d)) if d.size else np.nan for d in data]
        ax.scatter(means, np.arange(1, len(names) + 1), marker="D", color="C3", zorder=3)
        ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("absolute error |forecast - outcome| (0-100 scale); diamond = MAE")
    ax.grid(axis="x", alpha=0.3)
    return figure_to_svg(fig)


def cumulative_chart(errors: Mapping[str, Sequence[float]]) -> str:
    """Inline SVG: the share of issues with an error at most x, per model (hit-rate curves)."""
    fig = new_figure(7.5, 3.2)
    ax = fig.add_subplot(1, 1, 1)
    grid = np.linspace(0.0, 100.0, 201)
    for name, values in errors.items():
        e = np.sort(np.asarray(values, dtype=np.float64))
        if e.size == 0:
            continue
        share = np.searchsorted(e, grid, side="right") / e.size
        ax.plot(grid, share, label=name, linewidth=1.2)
    for t in (5.0, 10.0):
        ax.axvline(t, color="0.6", linewidth=0.8, linestyle=":")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 1)
    ax.set_xlabel("error threshold (points)")
    ax.set_ylabel("share of issues within")
    if errors:
        ax.legend(fontsize="small", ncol=2, loc="lower right")
    ax.grid(alpha=0.3)
    return figure_to_svg(fig)


def render(data: Mapping[str, Any], errors: Mapping[str, Sequence[float]], title: str) -> str:
    """The HTML page for the JSON of :meth:`BacktestResult.to_json_dict` and the errors."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='note'>{html.escape(str(data.get('cleaning', '')))}</p>",
    ]
    boot = data.get("bootstrap") or {}
    parts.append(
        "<p class='note'>"
        + html.escape(
            f"Capability: {data.get('capability', '-')}; rule-aware: "
            f"{data.get('rule_aware', '-')}; seed: {data.get('seed', '-')}. Intervals: "
            f"{boot.get('level', 0.95):.0%} percentile bootstrap, {boot.get('replicates', '-')} "
            f"replicates resampling the {boot.get('proposals', '-')} proposals."
        )
        + "</p>"
    )
    rows = []
    for name, m in data["models"].items():
        ci = m.get("ci") or {}
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{c}</td>"
                for c in (
                    html.escape(name),
                    _fmt(m["n"]),
                    _fmt(m["mae"]),
                    _ci(ci.get("mae")),
                    _fmt(m["rmse"]),
                    _fmt(m.get("hit5")),
                    _fmt(m.get("hit10")),
                    _ci(ci.get("hit10")),
                    _fmt(m["mae_qmv"]),
                    _fmt(m["mae_unanimity"]),
                )
            )
            + "</tr>"
        )
    head = (
        "model",
        "n",
        "MAE",
        "MAE 95% CI",
        "RMSE",
        "hit |e|≤5",
        "hit |e|≤10",
        "hit≤10 CI",
        "MAE QMV",
        "MAE unanimity",
    )
    parts.append(
        "<table><caption>Metrics per model (0-100 scale)</caption><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + "</tr>"
        + "".join(rows)
        + "</table>"
    )
    parts.extend(_interval_table(data))
    parts.append("<h2>Error distributions</h2>")
    parts.append(error_chart(errors))
    parts.append(cumulative_chart(errors))
    for split, per_model in (data.get("splits") or {}).items():
        groups: list[str] = []
        for per_group in per_model.values():
            groups.extend(g for g in per_group if g not in groups)
        header = "".join(f"<th>{html.escape(g)}</th>" for g in groups)
        body = []
        for name, per_group in per_model.items():
            cells = []
            for g in groups:
                s = per_group.get(g)
                cells.append("-" if s is None else f"{_fmt(s['mae'])} (n={s['n']})")
            body.append(
                f"<tr><td>{html.escape(name)}</td>" + "".join(f"<td>{c}</td>" for c in cells)
            )
        parts.append(
            f"<table><caption>MAE by {html.escape(split)}</caption><tr><th>model</th>{header}"
            "</tr>" + "".join(body) + "</table>"
        )
    paired = data.get("paired") or []
    if paired:
        body = [
            "<tr>"
            + "".join(
                f"<td>{c}</td>"
                for c in (
                    html.escape(p["a"]),
                    html.escape(p["b"]),
                    _fmt(p["n"]),
                    _fmt(p["mae_diff"]),
                    _ci(p["ci"]),
                    _fmt(p["p"], 3),
                )
            )
            + "</tr>"
            for p in paired
        ]
        parts.append(
            "<table><caption>Paired comparisons: MAE(a) − MAE(b), paired bootstrap by proposal"
            "</caption><tr><th>a</th><th>b</th><th>n</th><th>diff</th><th>95% CI</th>"
            "<th>p</th></tr>" + "".join(body) + "</table>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def _interval_table(data: Mapping[str, Any]) -> list[str]:
    """Coverage of the calibrated 50/80/90% sets, width80 and CRPS (docs/calibration.md)."""
    note = data.get("calibration")
    if not note:
        return []
    rows = []
    for name, m in data["models"].items():
        ci = m.get("ci") or {}
        cells = (
            html.escape(name),
            _fmt(m.get("coverage50")),
            _fmt(m.get("coverage80")),
            _ci(ci.get("coverage80")),
            _fmt(m.get("coverage90")),
            _fmt(m.get("width80"), 1),
            _fmt(m.get("crps")),
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = ("model", "cover 50%", "cover 80%", "80% CI", "cover 90%", "width80", "CRPS")
    text = (
        f"Sets calibrated on {note.get('fitted_on', '-')} (rule {note.get('rule', '-')}); "
        f"{note.get('scored_out_of_fold', 0)} issues scored out of fold. "
        f"{note.get('width', '')}."
    )
    return [
        "<table><caption>Calibrated intervals: share of outcomes inside the 50/80/90% sets, "
        "mean width of the 80% set, CRPS of the predictive distribution</caption><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + "</tr>"
        + "".join(rows)
        + "</table>",
        f"<p class='note'>{html.escape(text)}</p>",
    ]


def write_report(
    directory: Path, data: Mapping[str, Any], errors: Mapping[str, Sequence[float]], title: str
) -> Path:
    """Write ``backtest.html`` and ``backtest.json`` into ``directory``; return the HTML path."""
    import json

    from accord.errors import UsageError

    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / REPORT_FILE
        write_atomic(path, render(data, errors, title))
        write_atomic((directory / JSON_FILE), json.dumps(data, indent=1))
    except OSError as exc:
        raise UsageError(
            f"cannot write the report to {directory}: {exc.strerror}",
            field="--report",
            expected="a writable directory",
        ) from None
    return path
