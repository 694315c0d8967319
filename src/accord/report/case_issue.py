"""The per-issue sections of the case report.

Summary table, positions and forecasts, blockers and what it would take, and the Monte Carlo.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from accord.analysis.montecarlo import MonteCarloResult, describe_rho
from accord.forecast import IssueForecast
from accord.report import charts
from accord.report.case_data import CaseReport
from accord.report.html import (
    Unavailable,
    _actor_name,
    _dim_label,
    _e,
    _figure,
    _na,
    _names,
    _num,
    _shared_scale,
    _table,
    _vals,
)
from accord.scenario.schema import Issue, Scenario


def _verdict(item: IssueForecast, scenario: Scenario | None = None) -> str:
    if item.rule is None or item.status_quo is None:
        return "no rule constrains it"
    passing = [fc.model for fc in item.forecasts if fc.passes]
    failing = [fc for fc in item.forecasts if not fc.passes]
    if not failing:
        return f"every model's forecast passes under {item.rule}"
    seen = {b for fc in failing for b in fc.blockers}
    blockers = [a for a in item.members if a in seen]
    names = _names(scenario, blockers) if scenario is not None else ", ".join(blockers)
    text = (
        f"{len(failing)} of {len(item.forecasts)} forecasts fail under {item.rule}"
        f" ({len(blockers)} blocker{'s' if len(blockers) != 1 else ''}: {names or '-'})"
    )
    if passing:
        text += f"; passing: {', '.join(passing)}"
    return text


def _summary(report: CaseReport) -> str:
    mc = report.montecarlo
    rows = []
    for item in report.forecast.issues:
        issue = report.scenario.issue(item.issue_id)
        p_pass = "-"
        if isinstance(mc, MonteCarloResult):
            mci = mc.issue(item.issue_id)
            p_pass = ", ".join(f"{m.model} {m.pass_probability:.2f}" for m in mci.models)
        allowed = {_vals(fc.allowed_outcome) for fc in item.forecasts}
        rows.append(
            [
                f'<a href="#issue-{_e(issue.id)}">{_e(issue.name)}</a>',
                _e(item.rule or "none"),
                _e(_vals(item.status_quo)),
                _e(_verdict(item, report.scenario)),
                _e("; ".join(sorted(allowed))) if len(issue.dimensions) == 1 else "see below",
                _e(p_pass),
            ]
        )
    note = (
        '<p class="note">P(pass) here applies the strict rule to each model\'s forecast as '
        "drawn; the bottom line runs the practised procedure, in which a member who dislikes a "
        "text may still let it through when objecting costs more than it gains. A forecast "
        "can therefore fail the strict rule in every draw and still be adopted in some.</p>"
    )
    return (
        '<h2 id="summary">Summary</h2>'
        + note
        + _table(
            ["issue", "rule", "status quo", "what the models say", "allowed outcome(s)", "P(pass)"],
            rows,
            left=4,
        )
    )


def _interval80(report: CaseReport, issue_id: str, fc: Any) -> str:
    """The forecast's 80% set.

    Calibrated where the forecast carries one, else the Monte Carlo 10%-90% range of its outcome
    (uncalibrated), else ``-``.
    """
    interval = (fc.intervals or {}).get("interval")
    if interval is not None:
        from accord.analysis.interval_calibration import format_interval

        return str(format_interval(interval))
    mc = report.montecarlo
    if isinstance(mc, Unavailable):
        return "-"
    try:
        item = mc.issue(issue_id)
    except KeyError:
        return "-"
    for mu in item.models:
        if mu.model == fc.model and item.inputs:
            q = mu.outcome_summary[0].quantiles
            return f"{q['q10']:.3g}-{q['q90']:.3g} (uncalibrated)"
    return "-"


def _positions(report: CaseReport, item: IssueForecast) -> str:
    scenario = report.scenario
    issue = scenario.issue(item.issue_id)
    stances = {s.actor: s for s in issue.stances}
    m = len(issue.dimensions)
    caps = np.array([scenario.actor(a).capability.value for a in item.actor_ids])
    positions = np.array([stances[a].position.values() for a in item.actor_ids], dtype=np.float64)
    sal = np.array([stances[a].salience.values(m) for a in item.actor_ids], dtype=np.float64)
    names = [_actor_name(scenario, a) for a in item.actor_ids]
    parts = []
    if m == 1:
        d = issue.dimensions[0]
        ranges = []
        for a in item.actor_ids:
            r = stances[a].position.ranges()
            ranges.append(None if r is None else (float(r[0][0]), float(r[0][1])))
        svg = charts.positions_chart(
            title=f"{issue.name}: positions, status quo, winset and forecasts",
            actors=names,
            positions=positions[:, 0],
            weights=caps * sal[:, 0],
            lo=d.lo,
            hi=d.hi,
            lo_label=d.lo_label,
            hi_label=d.hi_label,
            unit=d.unit,
            axis_name=d.name or d.id,
            ranges=ranges,
            assumed=[stances[a].position.assumed for a in item.actor_ids],
            status_quo=None if item.status_quo is None else float(item.status_quo[0]),
            winset=item.winset,
            forecasts=_merge_coinciding({fc.model: float(fc.outcome[0]) for fc in item.forecasts}),
        )
        parts.append(
            _figure(
                svg,
                "Each dot is an actor (area: capability x salience; hollow: assumed position, "
                "grey bar: its assumed range). Coloured lines: each model's unconstrained "
                "forecast (models whose forecasts coincide share one line, named together); green band: the outcomes a winning coalition prefers to the status quo.",
            )
        )
    else:
        lo = np.array([d.lo for d in issue.dimensions])
        hi = np.array([d.hi for d in issue.dimensions])
        svg = charts.dimensions_chart(
            title=f"{issue.name}: positions, status quo and forecasts per dimension",
            dimensions=[_dim_label(d) for d in issue.dimensions],
            positions=positions,
            lo=lo,
            hi=hi,
            status_quo=item.status_quo,
            **_scale_labels(issue),
            forecasts=_merge_coinciding_arrays({fc.model: fc.outcome for fc in item.forecasts}),
        )
        parts.append(
            _figure(
                svg,
                "One row per dimension: grey dots are the actors, the black tick the status quo, "
                "diamonds each model's unconstrained forecast (models with the same forecast share one "
                "diamond, named together).",
            )
        )
    rows = []
    for fc in item.forecasts:
        rows.append(
            [
                _e(fc.model),
                _e(_vals(fc.outcome)) if m == 1 else "see below",
                _e(_interval80(report, item.issue_id, fc)) if m == 1 else "see below",
                _e(_vals(fc.allowed_outcome)) if m == 1 else "see below",
                '<span class="good">yes</span>' if fc.passes else '<span class="bad">no</span>',
                _e(f"{len(fc.blockers)}: " + _names(scenario, fc.blockers)) if fc.blockers else "-",
                str(fc.run.n_rounds),
            ]
        )
    parts.append(
        _table(
            [
                "model",
                "forecast",
                "80% interval",
                "allowed by the rule",
                "passes",
                "blockers",
                "rounds",
            ],
            rows,
        )
    )
    parts.append(
        '<p class="note">The 80% interval is calibrated on EU legislative decisions (DEU) where the '
        "issue is one; this case lies outside that domain, so the interval shown is the Monte "
        "Carlo 10%-90% range of the model's forecast over the assumed input ranges, marked "
        "uncalibrated: it says how far the assumptions move the forecast, not how often such "
        "forecasts have been right (docs/calibration.md).</p>"
    )
    if m > 1:
        rows = []
        for k, d in enumerate(issue.dimensions):
            row = [
                _e(d.id),
                _num(float(item.status_quo[k])) if item.status_quo is not None else "-",
            ]
            row += [
                _e(f"{fc.outcome[k]:.3g} \u2192 {fc.allowed_outcome[k]:.3g}")
                if not fc.passes
                else _e(f"{fc.outcome[k]:.3g}")
                for fc in item.forecasts
            ]
            rows.append(row)
        parts.append(
            '<p class="note">Per dimension: each model\'s forecast, and where it fails, '
            "\u2192 the nearest outcome the rule allows.</p>"
        )
        parts.append(
            _table(
                ["dimension(s)", "status quo", *[fc.model for fc in item.forecasts]],
                _collapse_rows(rows),
            )
        )
    return "\n".join(parts)


def _scale_labels(issue: Issue) -> dict[str, Any]:
    """Scale-end labels, axis label and ``normalised`` for a chart of several dimensions.

    The shared scale's own labels, or shares of each dimension's scale where the scales differ.
    """
    shared = _shared_scale(issue)
    first = issue.dimensions[0]
    return {
        "lo_label": first.lo_label if shared else "low end of each scale",
        "hi_label": first.hi_label if shared else "high end of each scale",
        "axis_label": first.unit if shared else "share of each dimension's scale (0 to 1)",
        "normalised": not shared,
    }


def _deadlock(report: CaseReport, issue: Issue) -> str:
    analysis = report.deadlocks.get(issue.id)
    head = "<h3>Blockers and what it would take</h3>"
    if analysis is None:
        return head + _na("the deadlock analysis was not run")
    if isinstance(analysis, Unavailable):
        return head + _na(analysis)
    scenario = report.scenario
    data = analysis.to_json_dict()
    parts = [head, f'<p class="key">{_e(_deadlock_summary(scenario, data))}</p>']
    changes = data.get("what_it_would_take", [])
    if not changes:
        return "\n".join(parts)
    units = data.get("units", [])
    dims = data.get("dimensions", [])
    m = len(dims)
    rows = []
    for c in changes:
        sal = (
            "no salience change suffices"
            if not c.get("salience_change_suffices")
            else _vals(c.get("salience_to"))
        )
        rows.append(
            [
                _e(_actor_name(scenario, c["actor"])),
                "yes" if c.get("veto_player") else "no",
                _e(_vals(c.get("position"))),
                _e(_vals(c.get("shift_to"))),
                _e(_vals(c.get("shift"))),
                _e(sal),
                "yes" if c.get("turns_alone") else "no",
            ]
        )
    unit = units[0].split("(")[0].strip() if m == 1 and units else "issue units"
    head_row = [
        "blocker",
        "veto",
        "position",
        "would accept from",
        f"shift ({unit})",
        "salience (0-1) that would do",
        "alone enough",
    ]
    keep = _informative(head_row, rows, {5: "no salience change suffices"})
    dropped = [head_row[j] for j in range(len(head_row)) if j not in keep]
    parts.append(_table([head_row[j] for j in keep], [[r[j] for j in keep] for r in rows]))
    if dropped:
        parts.append(
            '<p class="note">Left out because every row says the same: '
            + _e("; ".join(f"{h}: {_strip(rows[0][head_row.index(h)])}" for h in dropped))
            + ".</p>"
        )
    if m == 1:
        shifts = np.array([float(c["shift"][0]) for c in changes])
        label = units[0] if units else ""
    else:
        shifts = np.array([float(c.get("shift_distance", 0.0)) for c in changes])
        label = "length of the shift as a share of the scales"
    svg = charts.shifts_chart(
        title=f"{issue.name}: how far each blocker would have to move",
        actors=[_actor_name(scenario, c["actor"]) for c in changes],
        shifts=shifts,
        unit=label,
    )
    parts.append(
        _figure(
            svg,
            "The smallest change of each blocker's position (the others unchanged) at which it "
            "would prefer the proposal to the status quo.",
        )
    )
    return "\n".join(parts)


def _deadlock_summary(scenario: Scenario, data: dict[str, Any]) -> str:
    """What the deadlock analysis found, in a few sentences."""
    proposal = f"{_vals(data.get('proposal'))} ({data.get('proposal_source', 'proposal')})"
    if data.get("passes"):
        return f"The proposal {proposal} passes under {data.get('rule')}: nobody blocks it."
    blockers = list(data.get("blockers", []))
    minimal = list(data.get("minimal_blocking", []))
    text = (
        f"The proposal {proposal} fails under {data.get('rule')} against the status quo "
        f"{_vals(data.get('status_quo'))}. {len(blockers)} member"
        f"{'s' if len(blockers) != 1 else ''} block it: {_names(scenario, blockers, 8)}"
        f"; a smallest blocking set is {_names(scenario, minimal, 8)}."
    )
    turning = data.get("cheapest_turning_set")
    if turning:
        text += (
            f" To unblock it, {len(turning)} member{'s' if len(turning) != 1 else ''} would "
            f"have to move ({_names(scenario, turning, 8)}); the table gives each one's "
            "smallest shift."
        )
    text += f" The nearest outcome that can pass is {_vals(data.get('allowed'))}."
    return text


def _montecarlo(report: CaseReport, issue: Issue) -> str:
    mc = report.montecarlo
    head = "<h3>Uncertainty (Monte Carlo)</h3>"
    if isinstance(mc, Unavailable):
        return head + _na(mc)
    item = mc.issue(issue.id)
    if not item.inputs:
        return (
            head
            + '<p class="note">No number of this issue has a range, so every draw is the same: '
            "there is no uncertainty to show.</p>"
        )
    parts = [
        head,
        f'<p class="note">{mc.draws} draws ({mc.distribution} on each range), seed {mc.seed}; '
        f"{len(item.inputs)} uncertain inputs.</p>",
    ]
    rows = []
    m = len(issue.dimensions)
    allowed_n = item.models[0].allowed_summary[0].n if item.models else 0
    allowed_head = "median allowed" + (
        f" (first {allowed_n} draws)" if allowed_n < mc.draws else ""
    )
    for mu in item.models:
        s = mu.outcome_summary
        rows.append(
            [
                _e(mu.model),
                f"{mu.pass_probability:.3f}" if item.rule is not None else "- (no rule)",
                "-" if mu.change_probability is None else f"{mu.change_probability:.3f}",
                _e(_vals([d.quantiles["q50"] for d in s])) if m == 1 else "see below",
                _e(f"{s[0].quantiles['q05']:.3g} to {s[0].quantiles['q95']:.3g}")
                if m == 1
                else "see below",
                _e(_vals([d.quantiles["q50"] for d in mu.allowed_summary]))
                if m == 1
                else "see below",
            ]
        )
    parts.append(
        _table(
            [
                "model",
                "P(passes)",
                "P(moves off the status quo)",
                "median forecast",
                "5-95% range",
                allowed_head,
            ],
            rows,
        )
    )
    parts.append(_explain_probabilities(item))
    if m > 1:
        rows = []
        for k, d in enumerate(issue.dimensions):
            row = [_e(d.id)]
            for mu in item.models:
                q = mu.outcome_summary[k].quantiles
                row.append(_e(f"{q['q50']:.3g} [{q['q05']:.3g}, {q['q95']:.3g}]"))
                row.append(_num(mu.allowed_summary[k].quantiles["q50"]))
            rows.append(row)
        columns = ["dimension"]
        for mu in item.models:
            columns += [f"{mu.model} median [5%, 95%]", f"{mu.model} allowed"]
        columns[0] = "dimension(s)"
        parts.append(_table(columns, _collapse_rows(rows)))
    lo, hi = item.lo, item.hi
    if len(issue.dimensions) == 1:
        d = issue.dimensions[0]
        svg = charts.histogram_chart(
            title=f"{issue.name}: distribution of the forecast over {mc.draws} draws",
            edges=np.asarray(item.models[0].outcome_summary[0].edges),
            counts={mu.model: mu.outcome_summary[0].counts for mu in item.models},
            lo=float(lo[0]),
            hi=float(hi[0]),
            lo_label=d.lo_label,
            hi_label=d.hi_label,
            axis_label=f"{d.name or d.id} ({d.unit})",
            status_quo=None if item.status_quo is None else float(item.status_quo[0]),
            notes={
                mu.model: f"passes in {100 * mu.pass_probability:.0f}% of draws"
                for mu in item.models
            }
            if item.rule is not None
            else None,
        )
    else:
        svg = charts.spread_chart(
            title=f"{issue.name}: spread of the forecast over {mc.draws} draws",
            dimensions=[_dim_label(d) for d in issue.dimensions],
            quantiles={
                mu.model: np.array(
                    [
                        [s.quantiles[k] for k in ("q05", "q25", "q50", "q75", "q95")]
                        for s in mu.outcome_summary
                    ]
                )
                for mu in item.models
            },
            lo=lo,
            hi=hi,
            status_quo=item.status_quo,
            **_scale_labels(issue),
        )
    parts.append(
        _figure(svg, "How the forecast varies when every assumed number varies in its range.")
    )
    lead = item.models[0]
    top = [d for d in lead.drivers if d.importance > 0][:10]
    if top:
        rho = np.array([max(d.rho, key=abs) for d in top])
        svg = charts.drivers_chart(
            title=f"{issue.name}: which assumptions drive the {lead.model} forecast",
            names=[d.input.name for d in top],
            rho=rho,
        )
        parts.append(
            _figure(
                svg,
                "Spearman rank correlation of each drawn input with the forecast (for several "
                "dimensions, the dimension where it is largest); the ten strongest.",
            )
        )
        rows = [
            [
                _e(d.input.name),
                _e(", ".join(f"{r:+.2f}" for r in d.rho)),
                "-" if d.rho_pass is None else f"{d.rho_pass:+.2f}",
                _e(describe_rho(max(d.rho, key=abs))),
            ]
            for d in top[:5]
        ]
        parts.append(_table(["input", "rho with forecast", "rho with passing", "strength"], rows))
    return "\n".join(parts)


def _issue_section(report: CaseReport, item: IssueForecast) -> str:
    issue = report.scenario.issue(item.issue_id)
    veto = (
        "every member"
        if item.veto_players and len(item.veto_players) == len(item.members)
        else _names(report.scenario, item.veto_players, 10)
    )
    parts = [
        f'<h2 id="issue-{_e(issue.id)}">{_e(issue.name)} <small>({_e(issue.id)})</small></h2>',
    ]
    if issue.description:
        parts.append(f'<p class="note">{_e(issue.description)}</p>')
    parts.append(
        f"<p>Rule: <b>{_e(item.rule or 'none')}</b> over {len(item.members)} members; "
        f"status quo: <b>{_e(_vals(item.status_quo))}</b>; veto players: {_e(veto)}. "
        f"{_e(_verdict(item, report.scenario))}.</p>"
    )
    parts.append(_positions(report, item))
    parts.append(_deadlock(report, issue))
    parts.append(_montecarlo(report, issue))
    return "\n".join(parts)


def _merge_coinciding(forecasts: dict[str, float], tol: float = 1e-6) -> dict[str, float]:
    """Models whose forecasts coincide, merged into one entry.

    Models whose forecasts coincide as one entry named ``a = b = c`` (one line on the chart,
    instead of lines drawn on top of each other that read as one model).
    """
    merged: dict[str, float] = {}
    for model, value in forecasts.items():
        same = next((k for k, v in merged.items() if abs(v - value) <= tol), None)
        if same is None:
            merged[model] = value
        else:
            merged[f"{same} = {model}"] = merged.pop(same)
    return merged


def _strip(cell: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", cell)


def _informative(head: list[str], rows: list[list[str]], dull: dict[int, str]) -> list[int]:
    """Indices of the columns to show.

    A column listed in ``dull`` is left out when every row holds that same uninformative text.
    """
    keep = []
    for j in range(len(head)):
        if j in dull and rows and all(_strip(r[j]) == dull[j] for r in rows):
            continue
        keep.append(j)
    return keep


def _collapse_rows(rows: list[list[str]]) -> list[list[str]]:
    """Rows equal but for their first cell (the dimension) as one row naming them all.

    The 16 ITPP areas that all read the same become one line.
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        groups.setdefault(tuple(row[1:]), []).append(row[0])
    out = []
    for rest, firsts in groups.items():
        label = firsts[0] if len(firsts) == 1 else f"{len(firsts)} dimensions: " + ", ".join(firsts)
        out.append([label, *rest])
    return out


def _explain_probabilities(item: Any) -> str:
    """A note where two figures of the Monte Carlo table could look contradictory."""
    notes = []
    odd = [
        mu.model
        for mu in item.models
        if item.rule is not None
        and mu.pass_probability > 0
        and mu.change_probability is not None
        and mu.change_probability == 0
    ]
    if odd:
        notes.append(
            f"{', '.join(odd)}: P(passes) counts the draws whose forecast passes the rule, "
            "including a forecast at the status quo (which passes trivially); P(moves) counts "
            "the draws in which the outcome the rule allows leaves the status quo. A model can "
            "therefore pass in some draws and move in none."
        )
    adopted = [(mu.model, mu.procedure.probability("passes")) for mu in item.models if mu.procedure]
    if adopted:
        notes.append(
            "Under the practised procedure (the bottom line) the forecast is adopted in "
            + ", ".join(f"{m} {100 * p:.0f} %" for m, p in adopted)
            + " of draws: a member that objects only when objecting costs less than the text "
            "would cost it lets some texts through that the strict rule would block."
        )
    if not notes:
        return ""
    return '<p class="note">' + _e(" ".join(notes)) + "</p>"


def _merge_coinciding_arrays(forecasts: dict[str, Any], tol: float = 1e-6) -> dict[str, Any]:
    """:func:`_merge_coinciding` for forecasts of several dimensions (equal on every one)."""
    merged: dict[str, Any] = {}
    for model, value in forecasts.items():
        same = next(
            (k for k, v in merged.items() if np.allclose(v, value, rtol=0.0, atol=tol)), None
        )
        if same is None:
            merged[model] = value
        else:
            merged[f"{same} = {model}"] = merged.pop(same)
    return merged
