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

import datetime as dt
import functools
import importlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from accord.analysis.bottom_line import bottom_line, count_numbers
from accord.analysis.montecarlo import MD_ALLOWED_DRAWS, monte_carlo
from accord.errors import AccordError
from accord.forecast import forecast, parse_rule, resolve_models
from accord.report.bottom_line import bottom_line_page, numbers_section
from accord.report.case_data import CaseReport, ProgrammeComparison
from accord.report.case_issue import _issue_section, _summary
from accord.report.case_sections import (
    _deals_section,
    _gaps_section,
    _programmes_section,
    _sources_section,
)
from accord.report.html import CSS, Unavailable, _e, display_path, scrub_paths
from accord.scenario.schema import RuleSpec, Scenario

Progress = Callable[[int, int], None]


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
    ran = {i.issue_id for i in mc.issues}

    def line(issue_id: str) -> Any:
        return bottom_line(scenario, issue_id, mc.issue(issue_id) if issue_id in ran else None)

    bottom_lines = {
        issue.id: _attempt("The bottom line", problems, functools.partial(line, issue.id))
        for issue in scenario.issues
    }
    return CaseReport(
        scenario=scenario,
        source=display_path(source),
        seed=seed,
        draws=draws,
        forecast=result,
        montecarlo=mc,
        deadlocks=deadlocks,
        deals=package,
        gaps=gaps,
        programmes=programmes,
        problems=problems,
        bottom_lines={k: v for k, v in bottom_lines.items() if not isinstance(v, Unavailable)},
        numbers=count_numbers(scenario),
    )


def report_date() -> str:
    """The date printed on the report.

    ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today (UTC).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch and epoch.isdigit()
        else dt.datetime.now(dt.UTC)
    )
    return moment.date().isoformat()


def render_case_report(report: CaseReport) -> str:
    """The report as one HTML string (no scripts, no external references, no absolute path)."""
    from accord import __version__

    scenario = report.scenario
    issues = report.forecast.issues
    toc = [
        '<li><a href="#bottom-line">Bottom line</a></li>',
        '<li><a href="#summary">Summary</a></li>',
    ]
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
    date = report_date()
    body = [
        f'<header class="run"><span>{_e(scenario.title)}</span><span>{_e(date)}</span>'
        f"<span>accord {_e(__version__)}</span></header>",
        f"<h1>{_e(scenario.title)}</h1>",
        f'<p class="note">accord {_e(__version__)} case report of <code>{_e(report.source)}</code> '
        f"(scenario <code>{_e(scenario.id)}</code>), {_e(date)}; models: {_e(models)}; "
        f"{report.draws} Monte Carlo draws, seed {report.seed}.</p>",
    ]
    if report.problems:
        body.append(
            '<p class="na">Some analyses failed: ' + _e("; ".join(report.problems)) + "</p>"
        )
    body.append(bottom_line_page(report))
    if scenario.description:
        body.append(f"<p>{_e(scenario.description)}</p>")
    body.append("<nav><ol>" + "".join(toc) + "</ol></nav>")
    body.append(_summary(report))
    body.extend(
        f'<section class="page">{_issue_section(report, item)}</section>' for item in issues
    )
    body.append(f'<section class="page">{_deals_section(report)}</section>')
    body.append(f'<section class="page">{_gaps_section(report)}</section>')
    body.append(f'<section class="page">{_programmes_section(report)}</section>')
    body.append(
        f'<section class="page">{_sources_section(report)}{numbers_section(report)}</section>'
    )
    return scrub_paths(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(scenario.title)}: accord report</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def write_case_report(report: CaseReport, folder: Path, *, pdf: bool = False) -> Path:
    """Write the case report into a folder and return its HTML.

    Write ``report.html`` and ``report.json`` into ``folder`` (atomically), and with ``pdf``
    ``report.pdf`` printed by Chromium (:mod:`accord.report.pdf`); return the HTML.
    """
    from accord.forecast import _jsonable
    from accord.scenario.yaml_io import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.html"
    write_atomic(path, render_case_report(report))
    write_atomic(
        folder / "report.json",
        scrub_paths(json.dumps(_jsonable(report.to_json_dict()), indent=2, ensure_ascii=False)),
    )
    if pdf:
        from accord import __version__
        from accord.report.pdf import print_pdf

        print_pdf(
            path,
            folder / "report.pdf",
            title=report.scenario.title,
            date=report_date(),
            version=__version__,
        )
    return path
