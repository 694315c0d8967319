"""The decision-maker page of the case report.

Per issue the bottom line in ICD 203 words, the confidence, the record beside the forecast, who
would object and what would move them, the signposts to watch and the partner's options; and a box
counting the sourced, assumed and elicited numbers. The numbers come from
:mod:`accord.analysis.bottom_line`; this module only renders them.
"""

from __future__ import annotations

from typing import Any

from accord.analysis.bottom_line import BottomLine, record_agrees
from accord.report.case_data import CaseReport
from accord.report.html import Unavailable, _actor_name, _e, _names, _table, _vals
from accord.scenario.schema import Issue

OUTCOME_WORDS = {
    "passes": "adopted",
    "passes_with_reservations": "adopted with reservations",
    "passes_with_opt_outs": "adopted with opt-outs",
    "diluted": "adopted in a diluted form",
    "delayed": "delayed",
    "blocked": "blocked",
}


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %"


def _partner(report: CaseReport, issue: Issue) -> str | None:
    """The actor with a stance but no vote in the body (Japan in the Japan-NATO case)."""
    for item in report.forecast.issues:
        if item.issue_id == issue.id:
            outside = [a for a in item.actor_ids if a not in item.members]
            return _actor_name(report.scenario, outside[0]) if outside else None
    return None


def _sentence(issue: Issue, line: BottomLine) -> str:
    assert line.probability is not None and line.range_percent is not None
    lo, hi = line.range_percent
    models = ", ".join(f"{m} {_pct(p)}" for m, p in line.per_model.items())
    how = f"the {line.procedure} procedure" if line.procedure else "the decision rule"
    return (
        f'<p class="bl"><b>Bottom line:</b> adoption of \u201c{_e(issue.name)}\u201d is '
        f"<b>{_e(line.term)} ({lo}\u2013{hi} %)</b>: {_pct(line.probability)} of the Monte "
        f"Carlo draws end in adoption under {_e(how)} (mean over the models: {_e(models)}). "
        f"Confidence: <b>{_e(line.confidence)}</b> ({_pct(line.sourced_share)} of the "
        "numbers behind it are sourced"
        + (
            f"; the models differ by up to "
            f"{100 * (max(line.per_model.values()) - min(line.per_model.values())):.0f} points"
            if len(line.per_model) > 1
            else ""
        )
        + ").</p>"
    )


def _record(report: CaseReport, issue: Issue, line: BottomLine) -> str:
    record = issue.record
    if record is None:
        return ""
    when = f" on {record.date.isoformat()}" if record.date else ""
    who = (
        f" (objecting: {_e(_names(report.scenario, record.objectors))})" if record.objectors else ""
    )
    value = record.values()
    text = (
        f"<b>The record:</b> {_e(OUTCOME_WORDS.get(record.outcome, record.outcome))}{when}"
        + (f" at {_e(_vals(value))}" if value is not None else "")
        + who
        + ". "
    )
    if line.probability is not None:
        agrees = record_agrees(record.outcome, line.probability)
        text += (
            '<span class="good">The forecast agrees with it.</span>'
            if agrees
            else '<span class="bad">The forecast disagrees with it.</span>'
        )
    return f'<p class="rec">{text}</p>'


def _cheapest(report: CaseReport, issue: Issue) -> str | None:
    analysis = report.deadlocks.get(issue.id)
    if analysis is None or isinstance(analysis, Unavailable):
        return None
    data = analysis.to_json_dict()
    changes = data.get("what_it_would_take") or []
    if data.get("passes") or not changes:
        return None
    best = min(changes, key=lambda c: float(c.get("shift_distance", 0.0)))
    units = [str(u).split("(")[0].strip() for u in data.get("units") or [""]]
    name = _actor_name(report.scenario, best["actor"])
    text = (
        f"{name} would accept from {_vals(best.get('shift_to'))}"
        f" (a shift of {_vals(best.get('shift'))} {units[0] if len(units) == 1 else 'on the scales'})"
    )
    if best.get("salience_change_suffices"):
        text += f", or if its salience fell to {_vals(best.get('salience_to'))}"
    if not best.get("turns_alone"):
        text += "; it would not be enough alone"
    return text


def _deal(report: CaseReport, issue: Issue) -> str | None:
    deals = report.deals
    if deals is None or isinstance(deals, Unavailable):
        return None
    found = deals.to_json_dict().get("deals") or []
    if not found:
        return "no package beats the status quo"
    best = found[0]
    outcome = best.get("outcomes", {}).get(issue.id)
    if outcome is None:
        return None
    return (
        f"the best package (total gain {float(best.get('total_gain', 0.0)):.3g}) settles it at "
        f"{_vals(outcome)}"
    )


def _who(report: CaseReport, issue: Issue, line: BottomLine) -> str:
    items = []
    if line.objectors:
        shown = list(line.objectors.items())[:4]
        items.append(
            "Objects in the draws: "
            + ", ".join(f"{_actor_name(report.scenario, a)} {_pct(p)}" for a, p in shown)
        )
    cheapest = _cheapest(report, issue)
    if cheapest:
        items.append(f"Cheapest concession: {cheapest}")
    deal = _deal(report, issue)
    if deal:
        items.append(f"Package deal: {deal}")
    if not items:
        return "<p><b>Who would object:</b> nobody, in the draws of the Monte Carlo.</p>"
    return (
        "<p><b>Who would object and what would move them:</b></p><ul>"
        + "".join(f"<li>{_e(t)}</li>" for t in items)
        + "</ul>"
    )


def _input_name(report: CaseReport, name: str) -> str:
    """``position fr [office]`` as ``France's position [office]``."""
    words = name.split(" ", 2)
    if len(words) >= 2 and words[0] in ("position", "salience", "capability"):
        actor = _actor_name(report.scenario, words[1])
        rest = f" {words[2]}" if len(words) == 3 else ""
        return f"{actor}'s {words[0]}{rest}"
    return name


def _signposts(report: CaseReport, line: BottomLine) -> str:
    if line.probability is None:
        return ""
    if not line.signposts:
        return (
            "<p><b>Signposts:</b> no single drawn input changes the chance of adoption across "
            "its range.</p>"
        )
    rows = []
    for s in line.signposts:
        text = (
            f"Watch {_input_name(report, s.name)}: from the lowest to the highest fifth of its range, the chance of "
            f"adoption goes from {_pct(s.p_low)} to {_pct(s.p_high)}"
        )
        text += " \u2014 this would flip the bottom line." if s.flips else "."
        rows.append(f"<li>{_e(text)}</li>")
    return "<p><b>Signposts</b> (from the Monte Carlo drivers):</p><ul>" + "".join(rows) + "</ul>"


def _options(report: CaseReport, issue: Issue, line: BottomLine) -> str:
    if not line.options:
        return ""
    partner = _partner(report, issue)
    rows = []
    for o in line.options:
        if o.issue is not None:
            other = report.bottom_lines.get(o.issue)
            chance = (
                f": {other.term} ({_pct(other.probability)})"
                if other is not None and other.probability is not None and other.term
                else ""
            )
            rows.append(f'<li><a href="#issue-{_e(o.issue)}">{_e(o.label)}</a>{_e(chance)}</li>')
        elif o.value is not None:
            chance = "" if o.p_reached is None else f": reached in {_pct(o.p_reached)} of draws"
            rows.append(f"<li>{_e(f'{o.value:g} = {o.label}{chance}')}</li>")
    head = f"{partner}'s options" if partner else "Options"
    return f"<p><b>{_e(head)}</b> (lesser formats the scenario names):</p><ul>{''.join(rows)}</ul>"


def numbers_box(report: CaseReport) -> str:
    """How many numbers are sourced, assumed or elicited, with a link to the list."""
    counts = {"sourced": 0, "assumed": 0, "elicited": 0}
    for n in report.numbers:
        counts[n.kind] += 1
    total = max(sum(counts.values()), 1)
    return (
        '<div class="box"><b>The numbers behind this report:</b> '
        f"{counts['sourced']} sourced ({_pct(counts['sourced'] / total)}), "
        f"{counts['assumed']} assumed ({_pct(counts['assumed'] / total)}), "
        f"{counts['elicited']} elicited. "
        '<a href="#numbers">The list of assumed numbers</a>; every number is in report.json.</div>'
    )


def bottom_line_page(report: CaseReport) -> str:
    """The first section: one block per issue, then the numbers box."""
    parts = ['<section id="bottom-line" class="page"><h2>Bottom line</h2>', numbers_box(report)]
    for item in report.forecast.issues:
        issue = report.scenario.issue(item.issue_id)
        line = report.bottom_lines.get(issue.id)
        parts.append(
            f'<div class="issue-bl"><h3><a href="#issue-{_e(issue.id)}">{_e(issue.name)}</a></h3>'
        )
        if line is None or line.probability is None:
            parts.append(
                '<p class="na">No Monte Carlo probability for this issue (no rule or no draws).</p>'
            )
        else:
            parts.append(_sentence(issue, line))
        if line is not None:
            parts.append(_record(report, issue, line))
            if line.probability is not None:
                parts.append(_who(report, issue, line))
            parts.append(_signposts(report, line))
            parts.append(_options(report, issue, line))
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def numbers_section(report: CaseReport, limit: int = 40) -> str:
    """The list the numbers box links to: the assumed numbers, where they are and why."""
    assumed = [n for n in report.numbers if n.kind != "sourced"]
    rows: list[list[str]] = [[_e(n.where), _e(n.kind), _e(n.source)] for n in assumed[:limit]]
    note = (
        f'<p class="note">{len(assumed)} numbers are assumed or elicited; the first {limit} are '
        "listed, all are in report.json (<code>numbers</code>).</p>"
        if len(assumed) > limit
        else ""
    )
    data: Any = _table(["where in the scenario", "kind", "why (source)"], rows, left=3)
    return '<h3 id="numbers">Assumed and elicited numbers</h3>' + note + str(data)
