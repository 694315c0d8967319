"""The case report (``accord report FILE -o DIR``): one self-contained HTML file of a scenario.

It renders the analyses that :func:`accord.analysis.case.analyse_case` computed (it runs
none itself):

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
rendered. The HTML has inline CSS and inline SVG only: no script, no external file, no network,
so it opens offline and prints. Every piece of text from the scenario goes through
:func:`html.escape`.
:func:`write_case_report` also writes ``report.json`` with the same numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from accord.analysis.case import CaseAnalysis, Unavailable
from accord.report.bottom_line import bottom_line_page, numbers_section
from accord.report.case_data import CaseReport
from accord.report.case_issue import _issue_section, _summary
from accord.report.case_sections import (
    _deals_section,
    _gaps_section,
    _programmes_section,
    _sources_section,
)
from accord.report.html import CSS, _e, display_path, scrub_paths

__all__ = [
    "CaseAnalysis",
    "CaseReport",
    "Unavailable",
    "render_case_report",
    "report_date",
    "write_case_report",
]


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


_RENDERING: CaseReport | None = None
"""The report being rendered, inherited by forked section workers (not pickled)."""


def _section(index: int) -> str:
    """Section ``index`` of the report's body.

    The issues in order, then package deals,
    perception gaps, programmes, and the sources with the list of numbers.
    """
    report = _RENDERING
    assert report is not None
    issues = report.forecast.issues
    if index < len(issues):
        return _issue_section(report, issues[index])
    tail = (
        _deals_section,
        _gaps_section,
        _programmes_section,
        lambda r: _sources_section(r) + numbers_section(r),
    )
    return tail[index - len(issues)](report)


def default_jobs() -> int:
    """The processes that draw the report's sections by default: one (this process).

    Since the charts are written as SVG text (:mod:`accord.report.svgplot`) the whole body
    takes well under a second, less than starting worker processes would cost; ``jobs > 1``
    still draws the sections in forked workers (same HTML).
    """
    return 1


def _sections(report: CaseReport, jobs: int | None) -> list[str]:
    """Every body section's HTML, in order.

    The sections are independent of one another, so with ``jobs > 1`` they are drawn in forked
    worker processes, which inherit the report rather than receive it pickled. The HTML is the
    same either way: the charts are pure functions of their data (no ids, no dates), and the
    sections are joined in order (tested).
    """
    global _RENDERING
    count = len(report.forecast.issues) + 4
    workers = min(default_jobs() if jobs is None else jobs, count)
    _RENDERING = report
    try:
        # fork only from a single-threaded process (a web server's threads may hold locks)
        alone = threading.active_count() == 1
        if workers > 1 and alone and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                return list(pool.map(_section, range(count)))
        return [_section(i) for i in range(count)]
    finally:
        _RENDERING = None


def render_case_report(report: CaseReport, *, jobs: int | None = None) -> str:
    """The report as one HTML string (no scripts, no external references, no absolute path).

    ``jobs``: processes drawing the sections (default :func:`default_jobs`, this process). The
    result does not depend on it.
    """
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
        f'<p class="note">accord {_e(__version__)} case report of <code>{_e(display_path(report.source))}</code> '
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
    body.extend(f'<section class="page">{part}</section>' for part in _sections(report, jobs))
    return scrub_paths(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(scenario.title)}: accord report</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def write_case_report(
    report: CaseReport, folder: Path, *, pdf: bool = False, jobs: int | None = None
) -> Path:
    """Write ``report.html`` and ``report.json`` into ``folder`` (atomically).

    With ``pdf`` also ``report.pdf``, printed by Chromium (:mod:`accord.report.pdf`); ``jobs``
    as in :func:`render_case_report`. Returns the HTML's path.
    """
    from accord.forecast import _jsonable
    from accord.scenario.yaml_io import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.html"
    write_atomic(path, render_case_report(report, jobs=jobs))
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
