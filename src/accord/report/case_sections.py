"""The scenario-wide sections of the case report.

Package deals, perception gaps, partnership programmes, sources and assumptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from accord.report import charts
from accord.report.case_data import CaseReport, ProgrammeComparison
from accord.report.html import Unavailable, _actor_name, _e, _figure, _na, _num, _table, _vals


def _deals_section(report: CaseReport) -> str:
    head = '<h2 id="deals">Package deals</h2>'
    deals = report.deals
    if deals is None or isinstance(deals, Unavailable):
        return head + _na(deals or "the package-deal search was not run")
    data = deals.to_json_dict()
    found = data.get("deals", [])
    intro = (
        f'<p class="note">Packages searched: {data.get("packages_searched", "?")} '
        f"({_e(data.get('method', '?'))}, {_e(data.get('loss', '?'))} loss); a package is "
        "feasible when on every issue it changes a winning coalition gains, so every veto "
        "player is at least as well off as under the status quo. Ranked by total gain.</p>"
    )
    if not found:
        notes = "; ".join(str(n) for n in data.get("notes", []))
        return head + intro + f'<p class="key">No package beats the status quo. {_e(notes)}</p>'
    issue_ids = list(data.get("issues", []))
    rows = []
    for k, deal in enumerate(found, start=1):
        outcomes = deal.get("outcomes", {})
        sources = deal.get("sources", {})
        cells = [str(k), f"{float(deal.get('total_gain', 0.0)):.3f}"]
        for issue_id in issue_ids:
            where = ", ".join(sources.get(issue_id, []))
            cells.append(
                _e(
                    f"{_vals(outcomes.get(issue_id))} ({where})"
                    if where
                    else _vals(outcomes.get(issue_id))
                )
            )
        rows.append(cells)
    names = [
        report.scenario.issue(i).name if i in {x.id for x in report.scenario.issues} else i
        for i in issue_ids
    ]
    parts = [head, intro, _table(["#", "total gain", *names], rows, left=0)]
    svg = charts.gains_chart(
        title="Package deals: total gain over the status quo",
        labels=[f"deal {k}" for k in range(1, len(found) + 1)],
        gains=np.array([float(d.get("total_gain", 0.0)) for d in found]),
        axis_label="total gain (sum of salience-weighted gains, share of each scale)",
    )
    parts.append(_figure(svg, "The best packages found, by total gain of the voting members."))
    trades = found[0].get("trades", [])
    if trades:
        rows = []
        for t in trades:
            if isinstance(t, dict) and "actor" in t:
                rows.append(
                    [
                        _e(_actor_name(report.scenario, str(t["actor"]))),
                        _e(", ".join(map(str, t.get("concedes_on", []))) or "-"),
                        _e(", ".join(map(str, t.get("gains_on", []))) or "-"),
                    ]
                )
            else:
                rows.append([_e(_trade_text(t)), "", ""])
        parts.append("<p>The best deal is a trade: who concedes where, and gains where.</p>")
        parts.append(_table(["member", "concedes on", "gains on"], rows, left=3))
    return "\n".join(parts)


def _trade_text(trade: Any) -> str:
    if isinstance(trade, dict):
        return ", ".join(f"{k}: {v}" for k, v in trade.items())
    return str(trade)


def _gaps_section(report: CaseReport) -> str:
    head = '<h2 id="gaps">Perception gaps</h2>'
    gaps = report.gaps
    if gaps is None or isinstance(gaps, Unavailable):
        return head + _na(gaps or "the perception-gap analysis was not run")
    data = gaps.to_json_dict()
    matrix = _gap_matrix(data)
    if matrix is None:
        return head + _na("the perception-gap result has no actor x threat matrix")
    actors, threats, values = matrix
    flags = np.array(data.get("assumed") or np.zeros(values.shape, dtype=bool), dtype=bool)
    if flags.shape != values.shape:
        flags = np.zeros(values.shape, dtype=bool)
    # sourced actors first, imputed ones after a line: a run of equal imputed means reads as
    # what it is (one number copied to many allies), not as agreement
    imputed: np.ndarray = np.asarray(flags.all(axis=1), dtype=bool)
    order = [k for k in range(len(actors)) if not imputed[k]]
    order += [k for k in range(len(actors)) if imputed[k]]
    split = int((~imputed).sum()) if imputed.any() and not imputed.all() else None
    actors = [actors[k] for k in order]
    values, flags = values[order], flags[order]
    names = [_actor_name(report.scenario, a) for a in actors]
    focal = data.get("focal")
    focal_name = _actor_name(report.scenario, focal) if isinstance(focal, str) else None
    scale = data.get("scale") or [None, None]
    svg = charts.heatmap_chart(
        title="Threat perception of each ally and of "
        + (focal_name or "the partner")
        + " (rows: threats; columns: actors)",
        rows=threats,
        columns=names,
        values=values.T,
        colour_label="threat perception" + (f" ({scale[0]}-{scale[1]})" if scale[1] else ""),
        vmin=scale[0],
        vmax=scale[1],
        highlight_column=focal_name,
        assumed=flags.T,
        split=split,
    )
    share = data.get("assumed_share")
    caption = (
        "Each cell: how strongly an actor perceives the threat; hatched, grey italics: imputed (assumed) values, grouped on the right"
        + (f" ({focal_name} outlined)" if focal_name else "")
    )
    if isinstance(share, float):
        caption += f"; {100 * share:.0f}% of the cells are assumed (formula or judgement)."
    parts = [head, _figure(svg, caption)]
    gap, mean = data.get("gap"), data.get("alliance_mean")
    focal_values, spread = data.get("focal_values"), data.get("spread")
    if isinstance(gap, dict) and isinstance(mean, dict) and isinstance(focal_values, dict):
        rows = []
        for t in threats:
            sp = spread.get(t, {}) if isinstance(spread, dict) else {}
            rows.append(
                [
                    _e(t),
                    _num(focal_values.get(t)),
                    _num(mean.get(t)),
                    _num(gap.get(t)),
                    _num(sp.get("std")),
                    _e(f"{_num(sp.get('min'))} ({sp.get('min_actor', '?')})") if sp else "-",
                    _e(f"{_num(sp.get('max'))} ({sp.get('max_actor', '?')})") if sp else "-",
                ]
            )
        parts.append(
            _table(
                [
                    "threat",
                    focal_name or "partner",
                    "alliance mean",
                    "gap",
                    "spread (sd)",
                    "lowest ally",
                    "highest ally",
                ],
                rows,
            )
        )
    clusters = data.get("clusters")
    if isinstance(clusters, list) and clusters:
        rows = []
        for c in clusters:
            centroid = c.get("centroid", {}) if isinstance(c, dict) else {}
            members = c.get("members", []) if isinstance(c, dict) else []
            rows.append(
                [
                    _e(c.get("label", "?") if isinstance(c, dict) else c),
                    _e(", ".join(_actor_name(report.scenario, m) for m in members)),
                    _e(", ".join(f"{k} {_num(v)}" for k, v in centroid.items())),
                ]
            )
        parts.append("<h3>Clusters of like-minded allies</h3>")
        parts.append(_table(["cluster", "members", "mean perception"], rows, left=2))
    return "\n".join(parts)


def _brief(value: Any, limit: int = 600) -> str:
    if isinstance(value, dict):
        text = "; ".join(f"{k}: {_brief(v, 120)}" for k, v in value.items())
    elif isinstance(value, list):
        text = ", ".join(_brief(v, 120) for v in value)
    elif isinstance(value, float):
        text = f"{value:.3g}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _labelled_matrix(
    actors: Sequence[Any], threats: Sequence[Any], values: Any
) -> tuple[list[str], list[str], np.ndarray]:
    return [str(a) for a in actors], [str(t) for t in threats], np.array(values, dtype=np.float64)


def _list_matrix(
    actors: Any, threats: Any, values: Any
) -> tuple[list[str], list[str], np.ndarray] | None:
    """The matrix when actors, threats and values are all lists, else ``None``."""
    if isinstance(actors, list) and isinstance(threats, list) and isinstance(values, list):
        return _labelled_matrix(actors, threats, values)
    return None


def _gap_matrix(data: dict[str, Any]) -> tuple[list[str], list[str], np.ndarray] | None:
    """Find the actor x threat matrix in a perception-gap result (several layouts accepted)."""
    found = _list_matrix(
        data.get("actors"), data.get("threats"), data.get("matrix", data.get("values"))
    )
    if found is not None:
        return found
    for key in ("matrix", "perceptions", "threat_perception", "threats"):
        value = data.get(key)
        if isinstance(value, dict) and value:
            if {"actors", "threats", "values"} <= set(value):
                return _labelled_matrix(value["actors"], value["threats"], value["values"])
            rows = list(value.items())
            if all(isinstance(v, dict) for _, v in rows):
                threats = list(dict.fromkeys(t for _, v in rows for t in v))
                values = np.array(
                    [[_as_float(v.get(t)) for t in threats] for _, v in rows], dtype=np.float64
                )
                return [str(a) for a, _ in rows], [str(t) for t in threats], values
    return _list_matrix(data.get("actors"), data.get("threats"), data.get("values"))


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _programmes_section(report: CaseReport) -> str:
    head = '<h2 id="programmes">Partnership programmes</h2>'
    prog = report.programmes
    if prog is None or isinstance(prog, Unavailable):
        return head + _na(prog or "the programme comparison was not run")
    data = prog.to_json_dict()
    parts = [head]
    if data.get("summary"):
        parts.append(f'<p class="key">{_e(data["summary"])}</p>')
    if isinstance(prog, ProgrammeComparison):
        parts.append(_presence(prog))
    changes = data.get("changes", {})
    rows = []
    for kind, items in changes.items():
        for item in items:
            verified = item.get("verified")
            rows.append(
                [
                    _e(kind),
                    _e(item.get("name", item.get("id", "?"))),
                    "yes" if verified else '<span class="bad">no</span>',
                    _e(", ".join(item.get("issues", [])) or "-"),
                    _e(item.get("source", "")),
                ]
            )
    if rows:
        parts.append(
            _table(["change", "area", "verified", "issues that depend on it", "source"], rows, 2)
        )
    objectives = data.get("objectives_after") or []
    if objectives:
        parts.append(
            f"<p>Objectives of {_e(data.get('after', 'the later programme'))}: "
            + _e("; ".join(str(o) for o in objectives))
            + ".</p>"
        )
    return "\n".join(parts)


def _presence(prog: ProgrammeComparison) -> str:
    programmes = [prog.book.programme(prog.before), prog.book.programme(prog.after)]
    order: dict[str, str] = {}
    for programme in programmes:
        for area in programme.areas:
            order.setdefault(area.id, area.name)
    states = []
    for area_id in order:
        row = []
        for programme in programmes:
            found = next((a for a in programme.areas if a.id == area_id), None)
            row.append(
                "absent" if found is None else "verified" if found.verified else "unverified"
            )
        states.append(row)
    svg = charts.presence_chart(
        title=f"Cooperation areas: {prog.before} and {prog.after}",
        rows=[n if len(n) <= 48 else n[:45] + "..." for n in order.values()],
        columns=[f"{p.id}\n{p.date}" for p in programmes],
        states=states,
    )
    return _figure(
        svg,
        "Green: an area named by a source; amber: an area the sources count but do not name "
        "(unverified); grey: not in that programme.",
    )


def _sources_section(report: CaseReport) -> str:
    scenario = report.scenario
    parts = ['<h2 id="sources">Sources and assumptions</h2>']
    if scenario.sources:
        rows = [[_e(k), _e(v)] for k, v in scenario.sources.items()]
        parts.append(_table(["key", "source"], rows, left=2))
    assumed = 0
    total = 0
    for issue in scenario.issues:
        for s in issue.stances:
            total += 2
            assumed += int(s.position.assumed) + int(s.salience.assumed)
    parts.append(
        f'<p class="note">{assumed} of {total} positions and saliences are assumed rather than '
        "taken from a source; the Monte Carlo draws every number that has a range.</p>"
    )
    return "\n".join(parts)
