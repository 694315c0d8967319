"""Analysis results as pictures and tables: the web's run pages and their HTML report.

A web run stores the JSON contract of its analysis (``accord forecast|deadlock|montecarlo
--format json``, ``accord wargame montecarlo``'s summary). These functions turn that JSON back
into what the printed reports show: the forecast report's issue chart
(:func:`accord.report.forecast_report.issue_section`), the case report's Monte Carlo histogram and
driver chart (:mod:`accord.report.charts`), the deadlock's blocker table and package deals, and
the war-game Monte Carlo summary of the CLI. Nothing is recomputed and no raw JSON is shown.

Every piece of user text goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.report import charts

if TYPE_CHECKING:
    from accord.forecast import ScenarioForecast
    from accord.scenario.schema import Scenario

KINDS = ("forecast", "deadlock", "gaps", "montecarlo", "wargame_montecarlo")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: Any, digits: int = 3) -> str:
    """A number for a table cell (``-`` for none)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:.{digits}g}"
    return _e(value)


def _values(values: Sequence[float] | None) -> str:
    return "-" if values is None else ", ".join(f"{v:.4g}" for v in values)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], css_id: str = "") -> str:
    """An HTML table; cells are already escaped HTML."""
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    ident = f' id="{_e(css_id)}"' if css_id else ""
    return f'<div class="scroll"><table{ident}><tr>{head}</tr>{body}</table></div>'


def share_chart(
    *,
    title: str,
    labels: Sequence[str],
    shares: Sequence[float],
    axis_label: str,
    colours: Sequence[str] | None = None,
    intervals: Sequence[Sequence[float] | None] | None = None,
) -> str:
    """Horizontal bars of shares on a fixed 0-100% axis.

    Each bar is labelled with its percentage (so 0% and 100% read as such); ``intervals`` adds
    95% intervals as error bars.
    """
    from accord.report.svg import figure_to_svg, new_figure

    n = len(labels)
    fig = new_figure(7.5, 1.2 + 0.32 * max(n, 1))
    ax = fig.add_subplot()
    rows = np.arange(n)[::-1]
    values = np.asarray(shares, dtype=np.float64)
    ax.barh(rows, values, color=list(colours) if colours else "#2e86c1")
    if intervals is not None:
        for y, ci in zip(rows, intervals, strict=True):
            if ci:
                ax.plot([ci[0], ci[1]], [y, y], color="#333333", lw=1.2)
    for y, v in zip(rows, values, strict=True):
        ax.annotate(
            f"{100 * v:.0f}%",
            xy=(min(v, 0.9), y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(rows, list(labels), fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{p}%" for p in range(0, 101, 20)])
    ax.set_xlabel(axis_label)
    ax.grid(axis="x", color="#e5e5e5")
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)
    return figure_to_svg(fig)


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption>{_e(caption)}</figcaption></figure>'


# ---------------------------------------------------------------------- forecast


def forecast_from_json(data: Mapping[str, Any]) -> ScenarioForecast:
    """Rebuild a :class:`~accord.forecast.ScenarioForecast` from its JSON.

    The JSON is ``accord forecast --format json`` (positions per round, outcomes, winset), so
    that the printed report's issue chart and table can be drawn from a stored run.
    """
    from accord.forecast import IssueForecast, ModelFailure, ModelForecast, ScenarioForecast
    from accord.models.base import ModelRun

    issues = []
    for item in data.get("issues", []):
        done = [f for f in item.get("forecasts", []) if "error" not in f]
        actor_ids: tuple[str, ...] = tuple(done[0]["rounds"][0]["positions"]) if done else ()
        forecasts = []
        for f in done:
            positions = np.array(
                [[r["positions"][a] for a in actor_ids] for r in f["rounds"]], dtype=np.float64
            )
            run = ModelRun(
                model=f["model"],
                positions=positions.reshape(len(f["rounds"]), len(actor_ids), -1),
                outcome=np.asarray(f["outcome"], dtype=np.float64),
                diagnostics=f.get("diagnostics") or {},
            )
            forecasts.append(
                ModelForecast(
                    model=f["model"],
                    run=run,
                    allowed_outcome=np.asarray(f["allowed_outcome"], dtype=np.float64),
                    passes=bool(f["passes"]),
                    blockers=tuple(f.get("blockers") or ()),
                    intervals={
                        k: f.get(k)
                        for k in ("interval", "intervals", "interval_note", "distribution")
                    },
                )
            )
        sq = item.get("status_quo")
        issues.append(
            IssueForecast(
                issue_id=item["id"],
                dimensions=tuple(item["dimensions"]),
                actor_ids=actor_ids,
                status_quo=None if sq is None else np.asarray(sq, dtype=np.float64),
                rule=item.get("rule"),
                members=tuple(item.get("members") or ()),
                veto_players=tuple(item.get("veto_players") or ()),
                winset=None
                if item.get("winset") is None
                else [(float(a), float(b)) for a, b in item["winset"]],
                forecasts=tuple(forecasts),
                failed=tuple(
                    ModelFailure(f["model"], f["error"])
                    for f in item.get("forecasts", [])
                    if "error" in f
                ),
            )
        )
    return ScenarioForecast(
        scenario_id=str(data.get("scenario", "")),
        seed=data.get("seed"),
        issues=tuple(issues),
        notes=tuple(data.get("notes") or ()),
    )


def forecast_html(data: Mapping[str, Any], scenario: Scenario | None) -> str:
    """Each issue as in the forecast report: strip chart per dimension and the model table.

    Without the scenario (deleted or edited so that an issue is gone) the table alone is shown.
    """
    from accord.report.forecast_report import issue_section

    result = forecast_from_json(data)
    known = {i.id for i in scenario.issues} if scenario is not None else set()
    parts = []
    for item in result.issues:
        if scenario is not None and item.issue_id in known and item.forecasts:
            try:
                parts.append(issue_section(scenario, item))
                continue
            except (KeyError, IndexError, ValueError):
                pass  # the scenario changed since the run: fall back to the table
        rows = [
            [
                _e(f.model),
                _values(list(f.outcome)),
                _values(list(f.allowed_outcome)),
                _num(f.passes),
                _e(", ".join(f.blockers) or "-"),
            ]
            for f in item.forecasts
        ]
        parts.append(f"<h2>{_e(item.issue_id)}</h2>")
        parts.append(
            _table(["model", "outcome", "allowed by the rule", "passes", "blockers"], rows)
        )
    for item in result.issues:
        for failure in item.failed:
            parts.append(f'<p class="note">{_e(failure.model)} failed: {_e(failure.error)}</p>')
    return "\n".join(parts)


# ---------------------------------------------------------------------- Monte Carlo


def _dimension_labels(scenario: Scenario | None, issue_id: str, k: int) -> tuple[str, str, str]:
    """(lo label, hi label, axis label) of dimension ``k`` from the scenario when it has it."""
    if scenario is None:
        return "low", "high", ""
    try:
        d = scenario.issue(issue_id).dimensions[k]
        return d.lo_label, d.hi_label, f"{d.name or d.id} ({d.unit})" if d.unit else d.name or d.id
    except (AttributeError, KeyError, IndexError):
        return "low", "high", ""


def montecarlo_html(data: Mapping[str, Any], scenario: Scenario | None = None) -> str:
    """A Monte Carlo result as charts and tables.

    Per issue: pass probability per model (chart and table), the histogram of the forecast
    (spread chart for several dimensions) and the driver chart of the first model.
    """
    draws = data.get("draws", 0)
    parts = [
        f"<p>{_e(draws)} draws ({_e(data.get('distribution', ''))} distribution), seed "
        f"{_e(data.get('seed'))}.</p>"
    ]
    for item in data.get("issues", []):
        issue_id = item["id"]
        models = item.get("models", [])
        parts.append(f'<h2 id="issue-{_e(issue_id)}">{_e(issue_id)}</h2>')
        parts.append(
            f"<p>Rule: <b>{_e(item.get('rule') or 'none')}</b>; status quo: "
            f"{_values(item.get('status_quo'))}.</p>"
        )
        if not models:
            continue
        rows = []
        for m in models:
            spread = "; ".join(
                f"{o['quantiles']['q50']:.3g} [{o['quantiles']['q05']:.3g}, "
                f"{o['quantiles']['q95']:.3g}]"
                for o in m["outcome"]
            )
            rows.append(
                [
                    _e(m["model"]),
                    _pct(m.get("pass_probability")),
                    _pct(m.get("change_probability")),
                    _e(spread),
                ]
            )
        parts.append(
            _table(
                ["model", "passes in", "moves off the status quo in", "median [5%, 95%]"],
                rows,
                css_id=f"pass-{issue_id}",
            )
        )
        if item.get("rule") is not None:
            svg = share_chart(
                title=f"{issue_id}: probability that the forecast passes, per model",
                labels=[m["model"] for m in models],
                shares=[float(m.get("pass_probability") or 0.0) for m in models],
                axis_label="share of draws in which the forecast passes the rule",
                colours=[charts.colour_of(m["model"]) for m in models],
            )
            parts.append(_figure(svg, "Pass probability: the share of draws in the winset."))
        scale = item.get("scale") or []
        sq = item.get("status_quo")
        if len(item.get("dimensions", [])) == 1 and scale:
            lo_label, hi_label, axis = _dimension_labels(scenario, issue_id, 0)
            svg = charts.histogram_chart(
                title=f"{issue_id}: distribution of the forecast over {draws} draws",
                edges=np.asarray(models[0]["outcome"][0]["histogram"]["edges"], dtype=np.float64),
                counts={m["model"]: m["outcome"][0]["histogram"]["counts"] for m in models},
                lo=float(scale[0][0]),
                hi=float(scale[0][1]),
                lo_label=lo_label,
                hi_label=hi_label,
                axis_label=axis or item["dimensions"][0],
                status_quo=None if sq is None else float(sq[0]),
            )
            parts.append(_figure(svg, "Histogram: the share of draws per bin, one line a model."))
        elif scale:
            lo = np.array([s[0] for s in scale], dtype=np.float64)
            hi = np.array([s[1] for s in scale], dtype=np.float64)
            svg = charts.spread_chart(
                title=f"{issue_id}: spread of the forecast over {draws} draws",
                dimensions=list(item["dimensions"]),
                quantiles={
                    m["model"]: np.array(
                        [
                            [o["quantiles"][q] for q in ("q05", "q25", "q50", "q75", "q95")]
                            for o in m["outcome"]
                        ]
                    )
                    for m in models
                },
                lo=lo,
                hi=hi,
                lo_label="low end",
                hi_label="high end",
                axis_label="share of each dimension's scale",
                status_quo=None if sq is None else np.asarray(sq, dtype=np.float64),
                normalised=True,
            )
            parts.append(_figure(svg, "Median (dot), 25-75% (thick) and 5-95% (thin) per model."))
        lead = models[0]
        top = [d for d in lead.get("drivers", []) if (d.get("importance") or 0) > 0][:10]
        if top:
            svg = charts.drivers_chart(
                title=f"{issue_id}: which assumptions drive the {lead['model']} forecast",
                names=[d["input"] for d in top],
                rho=np.array([max(d["rho"], key=abs) for d in top], dtype=np.float64),
            )
            parts.append(
                _figure(svg, "Spearman rank correlation of each drawn input with the forecast.")
            )
        procedure = [m for m in models if m.get("procedure")]
        if procedure:
            rows = [
                [
                    _e(m["model"]),
                    *(_pct(m["procedure"].get(k)) for k in ("p_passes", "p_diluted", "p_delayed")),
                    _pct(m["procedure"].get("p_blocked")),
                ]
                for m in procedure
            ]
            parts.append("<h3>Under the body's procedure</h3>")
            parts.append(_table(["model", "passes", "diluted", "delayed", "blocked"], rows))
    return "\n".join(parts)


# ---------------------------------------------------------------------- deadlock


def deadlock_parts(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the deadlock analysis, the package deals or ``None``) of a stored result.

    The result is the flat ``analyse_deadlock`` JSON or the CLI's ``{"deadlock": ...,
    "package_deals": ...}``.
    """
    if "deadlock" in data:
        return dict(data["deadlock"]), data.get("package_deals")
    return dict(data), data.get("package_deals")


def deadlock_html(data: Mapping[str, Any]) -> str:
    """The blocker table (what each blocker would have to concede) and the package deals."""
    d, deals = deadlock_parts(data)
    dims = d.get("dimensions", [])
    units = d.get("units", [""] * len(dims))
    verdict = "passes" if d.get("passes") else "fails"
    parts = [
        '<p id="deadlock-verdict">'
        f"Issue <b>{_e(d.get('issue'))}</b> under "
        f"<b>{_e(d.get('rule'))}</b>: the proposal {_values(d.get('proposal'))} "
        f"({_e(d.get('proposal_source'))}) <b>{verdict}</b> against the status quo "
        f"{_values(d.get('status_quo'))}.</p>",
        f"<p>Veto players: {_e(', '.join(d.get('veto_players', [])) or 'none')}. "
        f"Minimal blocking set: {_e(', '.join(d.get('minimal_blocking', [])) or 'none')}. "
        f"Cheapest set to turn: {_e(', '.join(d.get('cheapest_turning_set') or []) or 'none')}"
        f".</p>",
    ]
    rows = []
    for c in d.get("what_it_would_take", []):
        shift = ", ".join(
            f"{dim} {v:+.4g} {u}".strip()
            for dim, v, u in zip(dims, c.get("shift", []), units, strict=False)
        )
        rows.append(
            [
                _e(c["actor"]),
                _num(c.get("veto_player")),
                _values(c.get("position")),
                _values(c.get("shift_to")),
                _e(shift),
                _values(c.get("salience_to")) if c.get("salience_change_suffices") else "no",
                _num(c.get("turns_alone")),
            ]
        )
    parts.append("<h2>Blockers: what it would take</h2>")
    if rows:
        parts.append(
            _table(
                [
                    "blocker",
                    "veto player",
                    "position",
                    "would accept at",
                    "shift",
                    "salience low enough",
                    "turns it alone",
                ],
                rows,
                css_id="blockers",
            )
        )
    else:
        parts.append("<p>No blockers.</p>")
    parts.extend(f'<p class="note">{_e(n)}</p>' for n in d.get("notes", []))
    parts.append("<h2>Package deals</h2>")
    if deals is None:
        parts.append("<p>Package deals were not searched in this run.</p>")
    else:
        parts.append(package_deals_html(deals))
    return "\n".join(parts)


def package_deals_html(deals: Mapping[str, Any]) -> str:
    """The package deals found across issues: a chart of total gains and one row per deal."""
    found = deals.get("deals", [])
    parts = [
        f"<p>{_e(deals.get('packages_searched', 0))} packages searched "
        f"({_e(deals.get('method', ''))}, {_e(deals.get('loss', ''))} loss) over "
        f"{_e(', '.join(deals.get('issues', [])))}.</p>"
    ]
    if not found:
        parts.append('<p id="no-deals">No package deal leaves every veto player better off.</p>')
    else:
        svg = charts.gains_chart(
            title="Package deals: total gain over the status quo",
            labels=[f"deal {i + 1}" for i in range(len(found))],
            gains=np.array([float(p["total_gain"]) for p in found], dtype=np.float64),
            axis_label="sum of the actors' gains (salience-weighted distance)",
        )
        parts.append(_figure(svg, "Each deal's total gain; the table lists its terms."))
        rows = []
        for i, p in enumerate(found):
            terms = "<br>".join(
                f"{_e(issue)}: {_values(v)}" for issue, v in p.get("outcomes", {}).items()
            )
            trades = "<br>".join(
                f"{_e(t['actor'])} concedes {_e(', '.join(t['concedes_on']))} for "
                f"{_e(', '.join(t['gains_on']))}"
                for t in p.get("trades", [])
            )
            rows.append([f"deal {i + 1}", terms, _num(p["total_gain"]), trades or "-"])
        parts.append(
            _table(["deal", "outcome per issue", "total gain", "trades"], rows, "package-deals")
        )
    parts.extend(f'<p class="note">{_e(n)}</p>' for n in deals.get("notes", []))
    return "\n".join(parts)


# ---------------------------------------------------------------------- perception gaps


def gaps_html(data: Mapping[str, Any]) -> str:
    """The threat-perception matrix as a heat map and the focal actor's gaps as a table."""
    actors = list(data.get("actors", []))
    threats = list(data.get("threats", []))
    parts = []
    if actors and threats:
        scale = data.get("scale") or [0, 100]
        svg = charts.heatmap_chart(
            title="Threat perception (rows: threats; columns: actors)",
            rows=threats,
            columns=actors,
            values=np.asarray(data["matrix"], dtype=np.float64).T,
            colour_label=f"threat perception ({scale[0]}-{scale[1]})",
            vmin=float(scale[0]),
            vmax=float(scale[1]),
            highlight_column=data.get("focal"),
            assumed=np.asarray(data["assumed"], dtype=bool).T,
        )
        parts.append(_figure(svg, "Hatched cells are assumed, not sourced."))
    rows = [
        [
            _e(t),
            _num((data.get("focal_values") or {}).get(t)),
            _num((data.get("alliance_mean") or {}).get(t)),
            _num((data.get("gap") or {}).get(t)),
        ]
        for t in threats
    ]
    parts.append(_table(["threat", "focal", "alliance mean", "gap"], rows, "gaps"))
    return "\n".join(parts)


# ---------------------------------------------------------------------- war-game Monte Carlo


def _ci(share: float | None, ci: Sequence[float] | None) -> str:
    if share is None:
        return "-"
    if not ci:
        return _pct(share)
    return f"{_pct(share)} [{_pct(ci[0])}, {_pct(ci[1])}]"


def _turns(hist: Mapping[str, int]) -> str:
    return ", ".join(f"t{k}: {v}" for k, v in hist.items() if v) or "-"


def wargame_montecarlo_html(summary: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The summary ``accord wargame montecarlo`` prints, as HTML.

    Outcome shares with 95% Wilson intervals (and a chart), group decisions and legal gates
    (share, mean turn, turns), blockers, alliance cohesion and drivers.
    """
    parts = [f"<p>{_e(summary.get('n', 0))} automated games.</p>"]
    ranked = sorted(summary.get("outcome_share", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    ci = summary.get("outcome_ci95", {})
    if ranked:
        k, v = ranked[0]
        parts.append(
            '<p id="headline">'
            f"Most frequent outcome: <b>{_e(k)}</b> "
            f"({_e(labels.get(k, k))}), {_ci(v, ci.get(k))} of runs.</p>"
        )
        svg = share_chart(
            title="Outcomes: share of runs",
            labels=[f"{k}: {labels.get(k, k)}"[:60] for k, _ in ranked],
            shares=[float(v) for _, v in ranked],
            axis_label="share of runs",
            intervals=[ci.get(k) for k, _ in ranked],
        )
        parts.append(_figure(svg, "How often each outcome of the scenario was reached."))
    parts.append(
        _table(
            ["outcome", "share [95% CI]", "defined by"],
            [[_e(k), _ci(v, ci.get(k)), _e(labels.get(k, k))] for k, v in ranked],
            "outcomes",
        )
    )
    for what, key in (("Group decisions", "decision"), ("Legal gates", "gate")):
        shares = summary.get(f"{key}_share", {})
        if not shares:
            continue
        rows = [
            [
                _e(k),
                _ci(v, summary.get(f"{key}_ci95", {}).get(k)),
                _num(summary.get(f"{key}_mean_turn", {}).get(k)),
                _e(_turns(summary.get(f"{key}_turns", {}).get(k, {}))),
            ]
            for k, v in shares.items()
        ]
        parts.append(f"<h2>{what}: how often and when</h2>")
        parts.append(_table(["id", "share [95% CI]", "mean turn", "runs per turn"], rows))
    blockers = {k: v for k, v in summary.get("blockers", {}).items() if v}
    if blockers:
        parts.append("<h2>Blockers (runs where the decision was never agreed)</h2>")
        rows = [
            [_e(k), _e(", ".join(f"{m} ({c})" for m, c in list(v.items())[:8]))]
            for k, v in blockers.items()
        ]
        parts.append(_table(["decision", "blocked by (runs)"], rows))
    c = summary.get("cohesion") or {}
    if c:
        parts.append(
            f"<p>Alliance cohesion (mean share supporting at the last vote): mean "
            f"{_num(c.get('mean'))}, 5-95% [{_num(c.get('p05'))}, {_num(c.get('p95'))}].</p>"
        )
    drivers = {
        **summary.get("drivers", {}),
        **{f"{k} agreed": v for k, v in summary.get("decision_drivers", {}).items()},
    }
    rows = []
    for k, v in drivers.items():
        top = sorted(((n, r) for n, r in v.items() if r is not None), key=lambda i: -abs(i[1]))
        rows.append([_e(k), _e(", ".join(f"{n} {r:+.2f}" for n, r in top[:4]) or "-")])
    if rows:
        parts.append("<h2>Drivers (Spearman rank correlation of sampled inputs)</h2>")
        parts.append(_table(["outcome / decision", "strongest inputs"], rows, "drivers"))
    return "\n".join(parts)


# ---------------------------------------------------------------------- dispatch and report


def result_html(
    kind: str,
    data: Any,
    scenario: Scenario | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The HTML body of a stored result of analysis ``kind``."""
    if not isinstance(data, Mapping):
        return "<p>No result.</p>"
    if kind == "forecast":
        return forecast_html(data, scenario)
    if kind == "deadlock":
        return deadlock_html(data)
    if kind == "gaps":
        return gaps_html(data)
    if kind == "montecarlo":
        return montecarlo_html(data, scenario)
    if kind == "wargame_montecarlo":
        return wargame_montecarlo_html(data.get("summary", data), labels or {})
    return f"<p>No view for analysis kind {_e(kind)}.</p>"


def report_document(title: str, lines: Sequence[str], body: str) -> str:
    """A self-contained HTML report (inline CSS and SVG; opens offline)."""
    from accord.report.forecast_report import CSS

    extra = ".scroll{overflow-x:auto}figure{margin:1rem 0}figcaption{color:#555;font-size:.85rem}"
    intro = "".join(f'<p class="note">{_e(line)}</p>' for line in lines)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}{extra}</style></head><body>"
        f"<h1>{_e(title)}</h1>{intro}\n{body}</body></html>\n"
    )
