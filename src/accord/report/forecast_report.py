"""A self-contained HTML report of forecasts: one chart and one table per issue.

The file has no external references (inline CSS and SVG), so it opens offline. Every piece of
user text goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from accord.analysis.interval_calibration import format_interval
from accord.forecast import IssueForecast, ScenarioForecast
from accord.scenario.schema import Issue, Scenario

MODEL_COLOURS = {
    "compromise": "#1f77b4",
    "median": "#2ca02c",
    "nash": "#9467bd",
    "bdm": "#d62728",
    "smp": "#ff7f0e",
}

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem}table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:.88rem}
svg text{font-family:inherit}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def strip_chart(
    issue: Issue,
    dim: int,
    item: IssueForecast,
    positions: np.ndarray,
    weights: np.ndarray,
) -> str:
    """An SVG strip chart of one dimension: actors, status quo, winset and every forecast."""
    width, height, pad = 760, 150, 40
    d = issue.dimensions[dim]
    span = d.hi - d.lo

    def x_of(value: float) -> float:
        return pad + (value - d.lo) / span * (width - 2 * pad)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="positions on {_e(d.id)}">'
    ]
    parts.append(f'<line x1="{pad}" y1="90" x2="{width - pad}" y2="90" stroke="#999"/>')
    parts.append(f'<text x="{pad}" y="112" font-size="11">{_e(d.lo_label)} ({d.lo:g})</text>')
    parts.append(
        f'<text x="{width - pad}" y="112" font-size="11" text-anchor="end">{_e(d.hi_label)} ({d.hi:g} {_e(d.unit)})</text>'
    )
    if item.winset is not None and len(issue.dimensions) == 1:
        for a, b in item.winset:
            parts.append(
                f'<rect x="{x_of(a):.1f}" y="82" width="{max(x_of(b) - x_of(a), 1.5):.1f}" height="16" fill="#8fd18f" opacity="0.5"><title>winset of the status quo [{a:.3f}, {b:.3f}]</title></rect>'
            )
    radius = 3 + 7 * np.sqrt(weights / max(float(weights.max()), 1e-12))
    for i, actor in enumerate(item.actor_ids):
        parts.append(
            f'<circle cx="{x_of(float(positions[i])):.1f}" cy="90" r="{radius[i]:.1f}" fill="#555" opacity="0.45"><title>{_e(actor)}: {positions[i]:.3f}</title></circle>'
        )
    if item.status_quo is not None:
        sq = float(item.status_quo[dim])
        parts.append(
            f'<line x1="{x_of(sq):.1f}" y1="70" x2="{x_of(sq):.1f}" y2="110" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>'
        )
        parts.append(
            f'<text x="{x_of(sq):.1f}" y="128" font-size="11" text-anchor="middle">status quo</text>'
        )
    for k, fc in enumerate(item.forecasts):
        colour = MODEL_COLOURS.get(fc.model, "#444")
        xv = x_of(float(fc.outcome[dim]))
        y = 14 + 11 * k
        parts.append(
            f'<line x1="{xv:.1f}" y1="{y}" x2="{xv:.1f}" y2="84" stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{xv + 3:.1f}" y="{y + 4}" font-size="10" fill="{colour}">{_e(fc.model)} {fc.outcome[dim]:.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def issue_section(scenario: Scenario, item: IssueForecast) -> str:
    """The HTML section of one issue of the forecast report: positions, forecasts and charts."""
    issue = scenario.issue(item.issue_id)
    capabilities = np.array([scenario.actor(a).capability.value for a in item.actor_ids])
    stances = {s.actor: s for s in issue.stances}
    rows = [f"<h2>{_e(issue.name)} <small>({_e(issue.id)})</small></h2>"]
    if issue.description:
        rows.append(f'<p class="note">{_e(issue.description)}</p>')
    sq = "none" if item.status_quo is None else ", ".join(f"{v:g}" for v in item.status_quo)
    rows.append(
        f"<p>Rule: <b>{_e(item.rule or 'none')}</b>; status quo: {_e(sq)}; veto players: {_e(', '.join(item.veto_players) or 'none')}.</p>"
    )
    for k, dim in enumerate(issue.dimensions):
        positions = np.array([stances[a].position.values()[k] for a in item.actor_ids])
        saliences = np.array(
            [stances[a].salience.values(len(issue.dimensions))[k] for a in item.actor_ids]
        )
        rows.append(f"<h3>{_e(dim.name or dim.id)}</h3>")
        rows.append(strip_chart(issue, k, item, positions, capabilities * saliences))
    rows.append(
        "<table><tr><th>model</th><th>outcome</th><th>80% interval</th><th>allowed by the rule</th><th>passes</th><th>blockers</th><th>rounds</th></tr>"
    )
    for fc in item.forecasts:
        outcome = ", ".join(f"{v:.3f}" for v in fc.outcome)
        interval = format_interval((fc.intervals or {}).get("interval"))
        allowed = ", ".join(f"{v:.3f}" for v in fc.allowed_outcome)
        rows.append(
            f"<tr><td>{_e(fc.model)}</td><td>{outcome}</td><td>{_e(interval)}</td><td>{allowed}</td><td>{'yes' if fc.passes else 'no'}</td>"
            f"<td>{_e(', '.join(fc.blockers) or '-')}</td><td>{fc.run.n_rounds}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def render(
    results: Sequence[tuple[Scenario, ScenarioForecast]], title: str = "accord forecast report"
) -> str:
    """The report as one HTML string."""
    body = [f"<h1>{_e(title)}</h1>"]
    for scenario, result in results:
        body.append(f"<h1>{_e(scenario.title)}</h1>")
        if scenario.description:
            body.append(f'<p class="note">{_e(scenario.description)}</p>')
        body.extend(issue_section(scenario, item) for item in result.issues)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def write_report(results: Sequence[tuple[Scenario, ScenarioForecast]], folder: Path) -> Path:
    """Write ``report.html`` and ``forecast.json`` into ``folder`` (atomically) and return the HTML path."""
    from accord.scenario.yaml_io import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    report = folder / "report.html"
    write_atomic(report, render(results))
    data = {"scenarios": [result.to_json_dict() for _, result in results]}
    write_atomic(folder / "forecast.json", json.dumps(data, indent=2))
    return report
