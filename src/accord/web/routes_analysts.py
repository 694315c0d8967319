"""Analysts' pages: library, editor, import, analyses, history and downloads.

Analysts' pages: scenario library, view and editor, import, analyses with progress, run
history, side-by-side comparison and downloads.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from accord.errors import AccordError, ScenarioError, UsageError
from accord.report import run_views
from accord.web.auth import ANALYST, ANALYST_PAGE, FACILITATOR
from accord.web.db import AnalysisRecord, User, WebStore
from accord.web.library import MAX_SCENARIO_BYTES, classify, entries, resolve, validate
from accord.web.live import RUNS, publish
from accord.web.run_compare import KIND_NAMES, compare
from accord.web.schemas import (
    AnalysisIn,
    AnalysisOut,
    ProblemOut,
    Saved,
    SaveIn,
    TextIn,
    Validation,
    WargameRunIn,
)
from accord.web.security import (
    AnalysisId,
    ItemId,
    RunId,
    SecuritySettings,
    check_aliases,
    within_budget,
)
from accord.web.services import store_of
from accord.web.templating import render

router = APIRouter()


def _validation(request: Request, text: str, source: str, kind: str | None) -> Validation:
    """Validate within the request CPU budget (alias cap: 413; time limit: 422)."""
    settings: SecuritySettings = request.app.state.security
    found, problems = within_budget(
        lambda: validate(text, source, kind, settings.alias_allowance),
        settings.cpu_seconds,
        "validation",
    )
    return Validation(
        valid=not problems,
        kind=found,
        problems=[ProblemOut(line=p.line, field=p.field, message=p.message) for p in problems],
    )


# ---------------------------------------------------------------------- library


@router.get("/library", response_class=HTMLResponse)
def library_page(request: Request, user: User = ANALYST_PAGE) -> Response:
    """The scenario library page: shipped scenarios and saved ones."""
    return render(
        request, "library.html", entries=entries(store_of(request), request.app.state.scenarios_dir)
    )


@router.get("/library/view", response_class=HTMLResponse)
def scenario_page(request: Request, ref: str = "", user: User = ANALYST_PAGE) -> Response:
    """A scenario's text in the editor, its validation, and the analyses that apply."""
    if ref:
        text, source, kind = resolve(store_of(request), request.app.state.scenarios_dir, ref)
    else:
        text, source, kind = "", "new.yaml", "scenario"
    check = _validation(request, text, source, kind) if text else None
    summary: dict[str, Any] = {}
    if check is not None and check.valid and kind == "scenario":
        from accord.scenario.io import loads

        sc = loads(text, source)[0]
        summary = {
            "actors": len(sc.actors),
            "issues": [i.id for i in sc.issues],
            "title": getattr(sc, "title", None) or sc.id,
        }
    from accord.limits import RUNS
    from accord.models.registry import model_names
    from accord.web.library import title_of

    return render(
        request,
        "scenario.html",
        ref=ref,
        name=source,
        text=text,
        kind=kind,
        check=check,
        summary=summary,
        editable=ref.startswith("lib:") or not ref,
        title=title_of(text) or source,
        models=model_names(),
        max_runs=RUNS.value,
    )


@router.post("/api/library/validate", response_model=Validation)
def validate_text(body: TextIn, request: Request, user: User = ANALYST) -> Validation:
    """Check scenario text: every problem with its line number."""
    return _validation(request, body.text, "editor", body.kind)


@router.post("/api/library", response_model=Saved, status_code=201)
def save_new(body: SaveIn, request: Request, user: User = FACILITATOR) -> Response:
    """Save a new scenario; refused (422 with the problems) until it is valid."""
    check = _validation(request, body.text, body.name, body.kind)
    if not check.valid:
        return JSONResponse(
            {"detail": "the scenario is not valid", "problems": check.model_dump()["problems"]},
            status_code=422,
        )
    item = store_of(request).add_library(body.name, check.kind, body.text, user.id)
    out = Saved(refs=[f"lib:{item}"], redirect=f"/library/view?ref=lib:{item}")
    return JSONResponse(out.model_dump(), status_code=201)


@router.put("/api/library/{item_id}", response_model=Saved)
def save_edit(
    item_id: ItemId, body: TextIn, request: Request, user: User = FACILITATOR
) -> Response:
    """Replace a library entry's text (422 with the problems when it is not valid)."""
    store = store_of(request)
    item = store.library_item(item_id)
    if item is None:
        raise HTTPException(404, f"no library entry {item_id}")
    check = _validation(request, body.text, item[0], body.kind or item[1])
    if not check.valid:
        return JSONResponse(
            {"detail": "the scenario is not valid", "problems": check.model_dump()["problems"]},
            status_code=422,
        )
    store.update_library(item_id, body.text)
    return JSONResponse(
        Saved(refs=[f"lib:{item_id}"], redirect=f"/library/view?ref=lib:{item_id}").model_dump()
    )


@router.post("/api/library/import", response_model=Saved, status_code=201)
async def import_file(file: UploadFile, request: Request, user: User = FACILITATOR) -> Response:
    """Import a file in any format the CLI reads (YAML, KTAB CSV/XML, BDM, DEU, ...)."""
    from accord.scenario.io import export_text, loads
    from accord.scenario.yaml_io import decode

    name = (file.filename or "upload").replace("/", "_")[-200:] or "upload"
    data = await file.read(MAX_SCENARIO_BYTES + 1)
    if len(data) > MAX_SCENARIO_BYTES:
        raise HTTPException(413, "the file is larger than 1 MiB")
    if not data.strip():
        raise UsageError("the file is empty", file=name, expected="a scenario file")
    text = decode(data, name)
    store = store_of(request)
    if classify(text) == "wargame":
        check = _validation(request, text, name, "wargame")
        if not check.valid:
            first = check.problems[0]
            raise ScenarioError(first.message, file=name, line=first.line, field=first.field)
        refs = [f"lib:{store.add_library(name, 'wargame', text, user.id)}"]
    else:
        settings: SecuritySettings = request.app.state.security
        check_aliases(text, settings.alias_allowance)
        try:
            scenarios = within_budget(lambda: loads(text, name), settings.cpu_seconds, "import")
        except AccordError:
            raise
        except Exception as exc:
            raise ScenarioError(f"cannot read the file ({type(exc).__name__})", file=name) from None
        if not scenarios:
            raise ScenarioError("no scenario in the file", file=name)
        refs = []
        for sc in scenarios:
            label = name if len(scenarios) == 1 else f"{name} [{sc.id}]"
            refs.append(f"lib:{store.add_library(label, 'scenario', export_text(sc), user.id)}")
    out = Saved(refs=refs, redirect=f"/library/view?ref={refs[0]}")
    return JSONResponse(out.model_dump(), status_code=201)


# ---------------------------------------------------------------------- analyses


def _progress_to(store: WebStore, analysis_id: int, *, live: bool) -> Callable[[int, int], None]:
    """A progress callback that stores a run's progress at most every 0.2 s (and at the end).

    ``live``: also push it to the open run pages (server-sent ``run-progress``).
    """
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] > 0.2 or done == total:
            last[0] = now
            store.update_analysis(analysis_id, progress=min(1.0, done / max(total, 1)))
            if live:
                publish(
                    RUNS,
                    "run-progress",
                    None,
                    {"id": analysis_id, "progress": done / max(total, 1)},
                )

    return progress


def _run_analysis(
    store: WebStore, analysis_id: int, body: AnalysisIn, text: str, source: str
) -> None:
    from accord.scenario.io import loads

    progress = _progress_to(store, analysis_id, live=True)

    try:
        scenario = loads(text, source)[0]
        result = _compute(scenario, body, progress)
        if body.kind == "deadlock":
            result = _with_package_deals(scenario, body, result)
        store.update_analysis(analysis_id, progress=1.0, status="done", result=result)
    except AccordError as exc:
        store.update_analysis(analysis_id, status="failed", error=str(exc))
    except Exception as exc:
        store.update_analysis(analysis_id, status="failed", error=f"{type(exc).__name__}: {exc}")
    publish(RUNS, "run-finished", None, {"id": analysis_id})


def _with_package_deals(scenario: Any, body: AnalysisIn, result: Any) -> Any:
    """A deadlock result with the package deals across the scenario's issues.

    The shape is that of ``accord deadlock --format json``
    (``{"deadlock": ..., "package_deals": ...}``).
    """
    if not isinstance(result, dict) or "package_deals" in result:
        return result
    from accord.analysis.package_deals import find_package_deals

    deadlock = result.get("deadlock", result)
    deals = find_package_deals(scenario, models="all", top=5, seed=body.seed)
    return {"deadlock": deadlock, "package_deals": deals.to_json_dict()}


def _compute(scenario: Any, body: AnalysisIn, progress: Callable[[int, int], None]) -> Any:
    """Run the analysis through the registry the CLI uses (:mod:`accord.analysis.registry`)."""
    from accord.analysis.registry import compute

    values = body.model_dump(exclude={"kind", "scenario"})
    if values.get("model") == "all":
        del values["model"]  # the form's 'all': the analysis's default models
    return compute(body.kind, scenario, values, progress, ignore_unknown=True)


def _out(record: AnalysisRecord, with_result: bool = True) -> AnalysisOut:
    return AnalysisOut(
        id=record.id,
        kind=record.kind,
        scenario=record.scenario_ref,
        params=record.params,
        status=record.status,
        progress=record.progress,
        error=record.error,
        created_at=record.created_at,
        result=record.result if with_result else None,
    )


def _check_model(body: AnalysisIn) -> None:
    """Refuse (422, before any run is created) a model that is not in the registry.

    Accepted: ``all``, one registered name, or for forecasts and Monte Carlo a comma-separated
    list of them.
    """
    from accord.models.registry import model_names

    if body.kind == "gaps" or body.model == "all":
        return
    names = model_names()
    parts = [p.strip() for p in body.model.split(",")]
    unknown = [p for p in parts if p not in names]
    if unknown:
        raise HTTPException(
            422,
            f"unknown model '{unknown[0]}' (expected all or one of {', '.join(names)})",
        )
    if body.kind == "deadlock" and len(parts) > 1:
        raise HTTPException(422, "a deadlock analysis takes one model (expected one model name)")


@router.post("/api/analyses", response_model=AnalysisOut, status_code=202)
def start_analysis(body: AnalysisIn, request: Request, user: User = FACILITATOR) -> AnalysisOut:
    """Start a forecast, deadlock analysis, perception gaps or Monte Carlo in the background.

    Poll ``GET /api/analyses/{id}`` for its progress.
    """
    _check_model(body)
    store = store_of(request)
    text, source, kind = resolve(store, request.app.state.scenarios_dir, body.scenario)
    if kind != "scenario":
        raise UsageError(
            f"'{body.scenario}' is a war game",
            field="scenario",
            expected="a negotiation scenario",
        )
    analysis_id = store.add_analysis(
        body.kind, body.scenario, body.model_dump(exclude={"kind", "scenario"}), user.id
    )
    thread = threading.Thread(
        target=_run_analysis, args=(store, analysis_id, body, text, source), daemon=True
    )
    thread.start()
    record = store.analysis(analysis_id)
    assert record is not None
    return _out(record)


def _record(request: Request, analysis_id: int) -> AnalysisRecord:
    record = store_of(request).analysis(analysis_id)
    if record is None:
        raise HTTPException(404, f"no analysis {analysis_id}")
    return record


@router.get("/api/analyses", response_model=list[AnalysisOut])
def list_analyses(request: Request, user: User = ANALYST) -> list[AnalysisOut]:
    """Every analysis run without its result, newest first."""
    return [_out(r, with_result=False) for r in store_of(request).analyses()]


@router.get("/api/analyses/{analysis_id}", response_model=AnalysisOut)
def get_analysis(analysis_id: AnalysisId, request: Request, user: User = ANALYST) -> AnalysisOut:
    """One analysis run with its result."""
    return _out(_record(request, analysis_id))


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(path, text) pairs of a JSON value, for CSV and side-by-side comparison."""
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for k, v in value.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            label = v.get("id") or v.get("model") or v.get("issue") if isinstance(v, dict) else None
            out += flatten(v, f"{prefix}[{label if isinstance(label, str) else i}]")
        return out
    if isinstance(value, float):
        return [(prefix, f"{value:.6g}")]
    return [(prefix, "" if value is None else str(value))]


def _done(request: Request, analysis_id: int) -> AnalysisRecord:
    record = _record(request, analysis_id)
    if record.status != "done":
        raise HTTPException(409, f"analysis {analysis_id} is {record.status}")
    return record


@router.get("/api/analyses/{analysis_id}/download.json")
def download_json(analysis_id: AnalysisId, request: Request, user: User = ANALYST) -> Response:
    """Download a finished analysis as JSON."""
    record = _done(request, analysis_id)
    return JSONResponse(
        _out(record).model_dump(),
        headers={"content-disposition": f'attachment; filename="analysis-{analysis_id}.json"'},
    )


@router.get("/api/analyses/{analysis_id}/download.csv")
def download_csv(analysis_id: AnalysisId, request: Request, user: User = ANALYST) -> Response:
    """Download a finished analysis's table as CSV."""
    record = _done(request, analysis_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    table = record.result.get("table") if isinstance(record.result, dict) else None
    if table:
        writer.writerow(list(table[0]))
        for row in table:
            writer.writerow([row[k] for k in table[0]])
    else:
        writer.writerow(["path", "value"])
        writer.writerows(flatten(record.result))
    return PlainTextResponse(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="analysis-{analysis_id}.csv"'},
    )


@router.get("/api/analyses/{analysis_id}/report.html", response_class=HTMLResponse)
def download_html(analysis_id: AnalysisId, request: Request, user: User = ANALYST) -> Response:
    """The run's report: the same charts and tables as its page.

    One self-contained HTML file (inline CSS and SVG, opens offline).
    """
    record = _done(request, analysis_id)
    scenario, labels, title = _context(request, record)
    body = run_views.result_html(record.kind, record.result, scenario, labels)
    document = run_views.report_document(
        f"{KIND_NAMES.get(record.kind, record.kind).split(' ', 1)[1].capitalize()}: {title}",
        [
            f"Run {record.id} of {record.scenario_ref}, {record.created_at[:19]}.",
            "Parameters: " + ", ".join(f"{k} {v}" for k, v in sorted(record.params.items())),
        ],
        body,
    )
    return HTMLResponse(
        document,
        headers={"content-disposition": f'attachment; filename="analysis-{analysis_id}.html"'},
    )


def _context(request: Request, record: AnalysisRecord) -> tuple[Any, dict[str, str], str]:
    """(negotiation scenario or ``None``, war-game outcome labels, title) of a run's scenario.

    The scenario as it is now; one deleted or broken since the run gives ``None`` and its
    reference.
    """
    from accord.web.library import title_of

    try:
        text, source, kind = resolve(
            store_of(request), request.app.state.scenarios_dir, record.scenario_ref
        )
    except AccordError:
        return None, {}, record.scenario_ref
    title = title_of(text) or source
    try:
        if kind == "wargame":
            from accord.wargame import loads_wargame
            from accord.wargame.engine import NO_DECISIVE_OUTCOME

            spec = loads_wargame(text, source).spec
            labels = {o.id: o.label or str(o.when) for o in spec.outcomes}
            labels.setdefault(NO_DECISIVE_OUTCOME, "no decisive outcome at the horizon")
            return None, labels, title
        from accord.scenario.io import loads

        return loads(text, source)[0], {}, title
    except Exception:  # the scenario no longer reads: show the run without its labels
        return None, {}, title


# ---------------------------------------------------------------------- war-game Monte Carlo


def _run_wargame(
    store: WebStore, analysis_id: int, body: WargameRunIn, text: str, source: str
) -> None:
    """Play the automated games of a war-game Monte Carlo in the background.

    One process, as ``accord wargame montecarlo --jobs 1``; stores the CLI's JSON summary.
    """
    from accord.wargame import loads_wargame
    from accord.wargame.montecarlo import run_monte_carlo

    progress = _progress_to(store, analysis_id, live=False)

    try:
        compiled = loads_wargame(text, source)
        result = run_monte_carlo(
            compiled, body.runs, body.seed, sample_uncertain=not body.fixed, progress=progress
        )
        data = {
            "scenario": compiled.spec.id,
            "seed": body.seed,
            "runs": body.runs,
            "summary": result.summary(),
        }
        store.update_analysis(analysis_id, progress=1.0, status="done", result=data)
    except AccordError as exc:
        store.update_analysis(analysis_id, status="failed", error=str(exc))
    except Exception as exc:
        store.update_analysis(analysis_id, status="failed", error=f"{type(exc).__name__}: {exc}")


@router.post("/api/wargame-runs", response_model=AnalysisOut, status_code=202)
def start_wargame_runs(
    body: WargameRunIn, request: Request, user: User = FACILITATOR
) -> AnalysisOut:
    """Start a war-game Monte Carlo (``accord wargame montecarlo``) in the background.

    Poll ``GET /api/analyses/{id}`` for its progress. The number of runs is bounded by
    ``ACCORD_MAX_RUNS`` (docs/scenario-format.md, Limits).
    """
    from accord.limits import RUNS

    RUNS.check(body.runs, what=f"runs {body.runs:,}", field="runs")
    store = store_of(request)
    text, source, kind = resolve(store, request.app.state.scenarios_dir, body.scenario)
    if kind != "wargame":
        raise UsageError(
            f"'{body.scenario}' is not a war game", field="scenario", expected="a war-game scenario"
        )
    analysis_id = store.add_analysis(
        "wargame_montecarlo", body.scenario, body.model_dump(exclude={"scenario"}), user.id
    )
    thread = threading.Thread(
        target=_run_wargame, args=(store, analysis_id, body, text, source), daemon=True
    )
    thread.start()
    record = store.analysis(analysis_id)
    assert record is not None
    return _out(record)


# ---------------------------------------------------------------------- run pages


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, user: User = ANALYST_PAGE) -> Response:
    """The run history, with a choice of two runs to compare."""
    store = store_of(request)
    scenarios = entries(store, request.app.state.scenarios_dir)
    return render(
        request,
        "runs.html",
        runs=store.analyses(),
        kind_names=KIND_NAMES,
        scenarios=scenarios,
        titles={e.ref: e.label for e in scenarios},
    )


@router.get("/runs/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: RunId, b: RunId, user: User = ANALYST_PAGE) -> Response:
    """Two runs of the same analysis, side by side.

    A summary matched by issue, model, actor and input, with a filter that keeps only the
    differences. Runs of different analyses are refused (422).
    """
    left, right = _record(request, a), _record(request, b)
    try:
        rows = compare(left.kind, left.result, right.kind, right.result)
    except UsageError as exc:
        raise HTTPException(
            422,
            f"Run #{a} is {KIND_NAMES.get(left.kind, left.kind)} and run #{b} is "
            f"{KIND_NAMES.get(right.kind, right.kind)}: only runs of the same analysis can be "
            f"compared ({exc.message}).",
        ) from None
    return render(
        request,
        "compare.html",
        left=left,
        right=right,
        rows=rows[:5000],
        differing=sum(r.differs for r in rows),
        kind_names=KIND_NAMES,
    )


@router.get("/runs/{analysis_id}", response_class=HTMLResponse)
def run_page(analysis_id: AnalysisId, request: Request, user: User = ANALYST_PAGE) -> Response:
    """One run: its progress while it works, then its charts and tables (no raw JSON)."""
    record = _record(request, analysis_id)
    body = ""
    title = record.scenario_ref
    if record.status == "done":
        scenario, labels, title = _context(request, record)
        body = run_views.result_html(record.kind, record.result, scenario, labels)
    return render(
        request,
        "run.html",
        run=record,
        body=body,
        title=title,
        kind_names=KIND_NAMES,
        others=[
            r for r in store_of(request).analyses() if r.id != record.id and r.kind == record.kind
        ][:50],
    )
