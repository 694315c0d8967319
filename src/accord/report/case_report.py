"""The case report (``accord report FILE -o DIR``): one self-contained HTML file of a scenario.

It gathers every analysis accord has for the scenario and draws it:

* per issue, the actors' positions with the status quo, the winset and each model's forecast
  (:mod:`accord.forecast`);
* the blockers and what it would take to unblock (:func:`accord.analysis.deadlock.analyse_deadlock`);
* package deals across issues (:func:`accord.analysis.package_deals.find_package_deals`);
* a heatmap of the perception gaps (:mod:`accord.analysis.gaps`);
* the partnership-programme comparison (:mod:`accord.programme`, read from a ``programmes.yaml``
  next to the scenario file);
* the Monte Carlo over the assumed ranges (:mod:`accord.analysis.montecarlo`).

An analysis that does not apply (an issue without a status quo has no blockers) or that this
installation lacks is shown as "not available" with the reason; the rest of the report is still
written. The HTML has inline CSS and inline SVG only: no script, no external file, no network,
so it opens offline and prints. Every piece of text from the scenario goes through
:func:`html.escape`. :func:`write_case_report` also writes ``report.json`` with the same numbers.
"""

from __future__ import annotations

import html
import importlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from accord.analysis.montecarlo import (
    MD_ALLOWED_DRAWS,
    MonteCarloResult,
    describe_rho,
    monte_carlo,
)
from accord.errors import AccordError
from accord.forecast import IssueForecast, ScenarioForecast, forecast, parse_rule, resolve_models
from accord.report import charts
from accord.scenario.schema import Issue, RuleSpec, Scenario

Progress = Callable[[int, int], None]

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;
max-width:64rem;color:#222;padding:0 1rem;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.4rem;
border-bottom:2px solid #ddd;padding-bottom:.2rem}h3{font-size:1.05rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.86rem}
th,td{border:1px solid #ddd;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n,th.n{text-align:right;white-space:nowrap}
.note{color:#555;font-size:.88rem}.na{color:#8a6d3b;background:#fcf8e3;padding:.4rem .7rem;
border-left:4px solid #e6c35c}.key{background:#eef6ee;border-left:4px solid #4caf50;
padding:.5rem .8rem}.bad{color:#b03a2e;font-weight:600}.good{color:#1e7d32;font-weight:600}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.84rem;color:#555}nav ol{columns:2;font-size:.9rem}
code{font-size:.88em}
"""

MAX_TABLE_ROWS = 40


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: Any, digits: int = 3) -> str:
    if not isinstance(value, int | float) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        return "-"
    return f"{value:.{digits}g}"


def _vals(values: Any, digits: int = 3) -> str:
    """Numbers as text; several equal numbers as "all N" (e.g. a 16-dimension status quo)."""
    if values is None:
        return "none"
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size > 2 and np.all(np.isfinite(array)) and np.allclose(array, array[0], 1e-9, 1e-9):
        return f"all {array.size}: {_num(float(array[0]), digits)}"
    return ", ".join(_num(float(v), digits) for v in array)


@dataclass(frozen=True)
class Unavailable:
    """An analysis that could not be included, and why (shown in the report)."""

    reason: str


@dataclass
class CaseReport:
    """Everything the report shows; :func:`render_case_report` turns it into HTML."""

    scenario: Scenario
    source: str
    seed: int
    draws: int
    forecast: ScenarioForecast
    montecarlo: MonteCarloResult | Unavailable
    deadlocks: dict[str, Any] = field(default_factory=dict)
    deals: Any = None
    gaps: Any = None
    programmes: Any = None
    problems: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        def part(value: Any) -> Any:
            if isinstance(value, Unavailable):
                return {"available": False, "reason": value.reason}
            if value is None:
                return None
            return value.to_json_dict()

        return {
            "scenario": self.scenario.id,
            "source": self.source,
            "seed": self.seed,
            "draws": self.draws,
            "forecast": self.forecast.to_json_dict(),
            "deadlock": {k: part(v) for k, v in self.deadlocks.items()},
            "package_deals": part(self.deals),
            "perception_gaps": part(self.gaps),
            "programmes": part(self.programmes),
            "montecarlo": part(self.montecarlo),
            "problems": list(self.problems),
        }


# ---------------------------------------------------------------------------------------------
# gathering


def _attempt(what: str, problems: list[str], call: Callable[[], Any]) -> Any:
    """Run one optional analysis: its result, or :class:`Unavailable` with the reason."""
    try:
        return call()
    except ImportError as exc:
        return Unavailable(f"{what} is not available in this installation ({exc.name or exc}).")
    except AccordError as exc:
        return Unavailable(f"{what} does not apply: {exc}")
    except Exception as exc:  # a bug in one analysis must not lose the whole report
        problems.append(f"{what} failed: {type(exc).__name__}: {exc}")
        return Unavailable(f"{what} failed: {type(exc).__name__}: {exc}")


def _perception_gaps(scenario: Scenario) -> Any:
    module = importlib.import_module("accord.analysis.gaps")
    for name in ("perception_gaps", "analyse_gaps", "compute_gaps", "gaps"):
        function = getattr(module, name, None)
        if callable(function):
            return function(scenario)
    raise ImportError("accord.analysis.gaps has no perception_gaps()", name="perception_gaps")


def _programme_file(source: str) -> Path | None:
    path = Path(source)
    for candidate in (path.parent / "programmes.yaml", path.parent / "programmes.yml"):
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class ProgrammeComparison:
    """The programme diff and the programmes compared (for the presence chart)."""

    diff: Any
    book: Any
    before: str
    after: str

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.diff.to_json_dict()
        return data


def _programme_diff(source: str) -> ProgrammeComparison:
    module = importlib.import_module("accord.programme")
    file = _programme_file(source)
    if file is None:
        raise ImportError("no programmes.yaml next to the scenario file", name="programmes.yaml")
    book = module.load_programmes(file)
    ids = [p.id for p in book.programmes]
    if len(ids) < 2:
        raise ImportError(f"{file} holds fewer than two programmes", name=str(file))
    before, after = (
        ("IPCP-2020", "ITPP-2023")
        if {"IPCP-2020", "ITPP-2023"} <= set(ids)
        else (
            ids[-2],
            ids[-1],
        )
    )
    return ProgrammeComparison(module.diff_programmes(book, before, after), book, before, after)


def build_report(
    scenario: Scenario,
    *,
    models: str | Sequence[str] = "all",
    mc_models: str | Sequence[str] = "compromise,median,bdm",
    draws: int = 500,
    seed: int = 0,
    rule: RuleSpec | str | None = None,
    source: str | Path = "<scenario>",
    progress: Progress | None = None,
    allowed_draws: int = MD_ALLOWED_DRAWS,
) -> CaseReport:
    """Run every analysis for the report.

    Bad arguments (unknown model, a rule that does not fit, ``draws < 1``) raise at once; an
    optional analysis that fails or is missing becomes :class:`Unavailable`.
    """
    rule_spec = parse_rule(rule) if isinstance(rule, str) else rule
    names = resolve_models(models)
    mc_names = resolve_models(mc_models)
    problems: list[str] = []
    n_issues = len(scenario.issues)
    total = n_issues * len(names) + n_issues + 3 + len(scenario.issues) * len(mc_names) * draws
    done = 0

    def step(k: int = 1) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(min(done, total), total)

    result = forecast(scenario, names, rule=rule_spec, seed=seed, progress=lambda d, t: step())
    mc_base = done

    def mc_tick(d: int, t: int) -> None:
        if progress is not None:
            progress(min(mc_base + d, total), total)

    mc = monte_carlo(
        scenario,
        mc_names,
        draws=draws,
        seed=seed,
        rule=rule_spec,
        progress=mc_tick,
        allowed_draws=allowed_draws,
    )
    done = mc_base + len(scenario.issues) * len(mc_names) * draws
    deadlocks: dict[str, Any] = {}
    for issue in scenario.issues:

        def one(issue_id: str = issue.id) -> Any:
            from accord.analysis.deadlock import analyse_deadlock

            return analyse_deadlock(scenario, issue_id, rule=rule_spec, seed=seed)

        deadlocks[issue.id] = _attempt("The deadlock analysis", problems, one)
        step()

    def deals() -> Any:
        from accord.analysis.package_deals import find_package_deals

        return find_package_deals(scenario, models=names, rule=rule_spec, seed=seed)

    package = _attempt("The package-deal search", problems, deals)
    step()
    gaps = _attempt("The perception-gap analysis", problems, lambda: _perception_gaps(scenario))
    step()
    programmes = _attempt(
        "The programme comparison", problems, lambda: _programme_diff(str(source))
    )
    step()
    return CaseReport(
        scenario=scenario,
        source=str(source),
        seed=seed,
        draws=draws,
        forecast=result,
        montecarlo=mc,
        deadlocks=deadlocks,
        deals=package,
        gaps=gaps,
        programmes=programmes,
        problems=problems,
    )


# ---------------------------------------------------------------------------------------------
# rendering helpers


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _na(item: Unavailable | str) -> str:
    reason = item.reason if isinstance(item, Unavailable) else item
    return f'<p class="na">Not available: {_e(reason)}</p>'


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", "").replace("+", "").replace("\u2212", "-"))
    except ValueError:
        return False
    return True


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """An HTML table; cells are already escaped. Cells holding one number align right; the
    first ``left`` columns always align left."""
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = [f"<tr>{cells}</tr>"]
    for row in rows[:MAX_TABLE_ROWS]:
        body.append(
            "<tr>"
            + "".join(
                f'<td class="n">{c}</td>' if j >= left and _is_number(c) else f"<td>{c}</td>"
                for j, c in enumerate(row)
            )
            + "</tr>"
        )
    extra = len(rows) - MAX_TABLE_ROWS
    note = f'<p class="note">{extra} more rows in report.json.</p>' if extra > 0 else ""
    return "<table>" + "".join(body) + "</table>" + note


def _names(scenario: Scenario, ids: Sequence[str], limit: int = 6) -> str:
    """Actor names, the first ``limit`` of them and how many more."""
    names = [_actor_name(scenario, a) for a in ids]
    if len(names) <= limit:
        return ", ".join(names) or "-"
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _dim_label(dim: Any) -> str:
    """A dimension's short label for charts: its name when short, else its id."""
    name = dim.name or dim.id
    return str(name if len(name) <= 32 else dim.id)


def _actor_name(scenario: Scenario, actor_id: str) -> str:
    try:
        return scenario.actor(actor_id).name
    except KeyError:
        return actor_id


def _shared_scale(issue: Issue) -> bool:
    first = issue.dimensions[0]
    return all(
        (d.lo, d.hi, d.unit, d.lo_label, d.hi_label)
        == (first.lo, first.hi, first.unit, first.lo_label, first.hi_label)
        for d in issue.dimensions
    )


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


# ---------------------------------------------------------------------------------------------
# sections


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
    return '<h2 id="summary">Summary</h2>' + _table(
        ["issue", "rule", "status quo", "what the models say", "allowed outcome(s)", "P(pass)"],
        rows,
        left=4,
    )


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
            forecasts={fc.model: float(fc.outcome[0]) for fc in item.forecasts},
        )
        parts.append(
            _figure(
                svg,
                "Each dot is an actor (area: capability x salience; hollow: assumed position, "
                "grey bar: its assumed range). Coloured lines: each model's unconstrained "
                "forecast; green band: the outcomes a winning coalition prefers to the status quo.",
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
            forecasts={fc.model: fc.outcome for fc in item.forecasts},
        )
        parts.append(
            _figure(
                svg,
                "One row per dimension: grey dots are the actors, the black tick the status quo, "
                "diamonds each model's unconstrained forecast.",
            )
        )
    rows = []
    for fc in item.forecasts:
        rows.append(
            [
                _e(fc.model),
                _e(_vals(fc.outcome)) if m == 1 else "see below",
                _e(_vals(fc.allowed_outcome)) if m == 1 else "see below",
                '<span class="good">yes</span>' if fc.passes else '<span class="bad">no</span>',
                _e(f"{len(fc.blockers)}: " + _names(scenario, fc.blockers)) if fc.blockers else "-",
                str(fc.run.n_rounds),
            ]
        )
    parts.append(
        _table(["model", "forecast", "allowed by the rule", "passes", "blockers", "rounds"], rows)
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
            _table(["dimension", "status quo", *[fc.model for fc in item.forecasts]], rows)
        )
    return "\n".join(parts)


def _scale_labels(issue: Issue) -> dict[str, Any]:
    """Scale-end labels, axis label and ``normalised`` for a chart of several dimensions: the
    shared scale's own labels, or shares of each dimension's scale where the scales differ."""
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
    unit = units[0] if m == 1 and units else "issue units"
    parts.append(
        _table(
            [
                "blocker",
                "veto",
                "position",
                "would accept from",
                f"shift ({unit})",
                "salience (0-1) that would do",
                "alone enough",
            ],
            rows,
        )
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
        parts.append(_table(columns, rows))
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
    )
    share = data.get("assumed_share")
    caption = "Each cell: how strongly an actor perceives the threat" + (
        f" ({focal_name} outlined)" if focal_name else ""
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


def render_case_report(report: CaseReport) -> str:
    """The report as one HTML string (no scripts, no external references)."""
    scenario = report.scenario
    issues = report.forecast.issues
    toc = ['<li><a href="#summary">Summary</a></li>']
    toc += [
        f'<li><a href="#issue-{_e(i.issue_id)}">{_e(scenario.issue(i.issue_id).name)}</a></li>'
        for i in issues
    ]
    toc += [
        '<li><a href="#deals">Package deals</a></li>',
        '<li><a href="#gaps">Perception gaps</a></li>',
        '<li><a href="#programmes">Partnership programmes</a></li>',
        '<li><a href="#sources">Sources and assumptions</a></li>',
    ]
    models = ", ".join(fc.model for fc in issues[0].forecasts) if issues else "-"
    body = [
        f"<h1>{_e(scenario.title)}</h1>",
        f'<p class="note">accord case report of <code>{_e(report.source)}</code> '
        f"(scenario <code>{_e(scenario.id)}</code>); models: {_e(models)}; seed {report.seed}.</p>",
    ]
    if scenario.description:
        body.append(f"<p>{_e(scenario.description)}</p>")
    if report.problems:
        body.append(
            '<p class="na">Some analyses failed: ' + _e("; ".join(report.problems)) + "</p>"
        )
    body.append("<nav><ol>" + "".join(toc) + "</ol></nav>")
    body.append(_summary(report))
    body.extend(_issue_section(report, item) for item in issues)
    body.append(_deals_section(report))
    body.append(_gaps_section(report))
    body.append(_programmes_section(report))
    body.append(_sources_section(report))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(scenario.title)}: accord report</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
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


def write_case_report(report: CaseReport, folder: Path) -> Path:
    """Write ``report.html`` and ``report.json`` into ``folder`` (atomically); return the HTML."""
    from accord.forecast import _jsonable
    from accord.scenario.yaml_io import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.html"
    write_atomic(path, render_case_report(report))
    write_atomic(
        folder / "report.json",
        json.dumps(_jsonable(report.to_json_dict()), indent=2, ensure_ascii=False),
    )
    return path
