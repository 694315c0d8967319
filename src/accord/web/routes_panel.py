"""Expert panels (Delphi rounds) in the workbench: pages and API (docs/panel.md).

Roles: a facilitator opens panels, invites experts, closes rounds and saves the merged
scenario; an ``expert`` (an account made through a one-time panel invitation) answers only in
the panels they were invited to and sees only their own answers and, once a round is closed,
the anonymised group median and spread.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from accord.errors import UsageError
from accord.web.auth import PUBLIC_ACCESS, allow, hash_password
from accord.web.db import User
from accord.web.panel_service import (
    CELL_FIELDS,
    ExpertRecord,
    PanelRecord,
    PanelService,
    cell_key,
)
from accord.web.services import store_of

router = APIRouter()

EXPERT = allow("expert")
FACILITATOR = allow("facilitator")
FACILITATOR_PAGE = allow("facilitator", page=True)
PANEL_USER = allow("facilitator", "expert")
PANEL_USER_PAGE = allow("facilitator", "expert", page=True)

Label = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewPanel(_In):
    """A new expert panel: scenario reference, title and issues."""

    scenario: str = Field(min_length=1, max_length=255)
    title: str = Field(min_length=1, max_length=200)
    issues: list[str] | str = Field(default_factory=list)


class PanelCreated(BaseModel):
    """The created panel's id and its page."""

    id: int
    redirect: str


class ExpertIn(_In):
    """An expert to invite, by label."""

    label: str = Label


class ExpertOut(BaseModel):
    """An invited expert as the API returns it."""

    label: str
    joined: bool
    invite_url: str | None = None


class PanelJoin(_In):
    """Joining a panel through an invitation: a new expert account."""

    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=256)


class SaveIn(_In):
    """Saving the merged panel scenario, with the aggregate of the experts' answers."""

    aggregate: str = "median"


class Saved(BaseModel):
    """The library entry the merged scenario was saved as, and its page."""

    library_id: int
    ref: str
    redirect: str


class Stored(BaseModel):
    """The number of answers stored, and their round."""

    ok: bool = True
    stored: int
    round: int


def _panels(request: Request) -> PanelService:
    service = getattr(request.app.state, "panels", None)
    if service is None:
        service = PanelService(store_of(request))
        request.app.state.panels = service
    return service


def _panel(request: Request, panel_id: int, user: User) -> tuple[PanelRecord, ExpertRecord | None]:
    """The panel and, for an expert, their seat on it (403 without one; 404 unknown panel)."""
    record = _panels(request).panel(panel_id)
    if record is None:
        raise HTTPException(404, f"no panel {panel_id}")
    if user.role == "facilitator":
        return record, None
    expert = _panels(request).expert_of(panel_id, user.id)
    if expert is None:
        raise HTTPException(403, "you are not on this panel")
    return record, expert


def _n(value: Any) -> Any:
    """Whole numbers as ints (so a form shows 10, not 10.0); anything else unchanged."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _summary_round(record: PanelRecord) -> int:
    """The last closed round (whose group summary experts may see), 0 if none."""
    return record.round if record.state == "closed" else record.round - 1


def panel_state(
    request: Request, record: PanelRecord, expert: ExpertRecord | None
) -> dict[str, Any]:
    """The panel as JSON.

    A facilitator sees every expert's answers; an expert only their own and, for closed rounds, the
    anonymised group summary.
    """
    service = _panels(request)
    rows = service.rows(record)
    closed = _summary_round(record)
    group = service.group_summary(record, closed) if closed > 0 else {}
    experts = service.experts(record.id)
    labels = {e.id: e.label for e in experts}
    latest = service.latest(
        record.id, up_to_round=record.round, expert_id=None if expert is None else expert.id
    )
    out_rows = []
    for r in rows:
        key = cell_key(r.actor, r.issue, r.dimension)
        answers = {
            labels[eid]: {f: _n(getattr(a, f)) for f in CELL_FIELDS} | {"round": a.round}
            for (eid, k), a in latest.items()
            if k == key
        }
        item: dict[str, Any] = {
            "key": key,
            "actor": r.actor,
            "issue": r.issue,
            "dimension": r.dimension,
            "scale": [r.lo, r.hi],
            "scenario": {
                "position": r.position,
                "salience": r.salience,
                "capability": r.capability,
            },
            "group": group.get(key),
        }
        if expert is None:
            item["answers"] = answers
        else:
            item["mine"] = answers.get(expert.label)
        out_rows.append(item)
    data: dict[str, Any] = {
        "id": record.id,
        "title": record.title,
        "scenario": record.scenario_ref,
        "issues": record.issues,
        "round": record.round,
        "state": record.state,
        "group_round": closed,
        "rows": out_rows,
        "library": None if record.library_id is None else f"lib:{record.library_id}",
    }
    if expert is None:
        from accord.panel.stats import panel_stats

        given = service.panel_answers(record)
        if given.answers:
            stats = panel_stats(service.scenario(record), given)
            data["agreement"] = {
                "alpha_positions": stats.alpha_positions,
                "alpha_saliences": stats.alpha_saliences,
                "outlying": [e.expert for e in stats.expert_agreement if e.outlying],
                "largest": stats.largest_disagreements(5),
            }
        counts = service.answer_count(record.id)
        data["experts"] = [
            {
                "label": e.label,
                "joined": e.joined,
                "answers": {str(r): n for (eid, r), n in sorted(counts.items()) if eid == e.id},
            }
            for e in experts
        ]
    else:
        data["me"] = expert.label
    return data


# ---------------------------------------------------------------------- API


@router.get("/api/panels")
def list_panels(request: Request, user: User = PANEL_USER) -> list[dict[str, Any]]:
    """The panels the signed-in account may see (an expert: those it joined)."""
    service = _panels(request)
    records = service.panels() if user.role == "facilitator" else service.panels_of(user.id)
    return [
        {
            "id": p.id,
            "title": p.title,
            "scenario": p.scenario_ref,
            "round": p.round,
            "state": p.state,
        }
        for p in records
    ]


@router.post("/api/panels", response_model=PanelCreated, status_code=201)
def create_panel(body: NewPanel, request: Request, user: User = FACILITATOR) -> PanelCreated:
    """Open a panel (round 1) on a negotiation scenario of the library."""
    from accord.web.library import resolve

    text, source, kind = resolve(store_of(request), request.app.state.scenarios_dir, body.scenario)
    if kind != "scenario":
        raise UsageError(
            f"'{body.scenario}' is a war-game scenario",
            field="scenario",
            expected="a negotiation scenario (actors, issues, stances)",
        )
    issues = (
        body.issues
        if isinstance(body.issues, list)
        else [i.strip() for i in body.issues.split(",") if i.strip()]
    )
    panel_id = _panels(request).create(body.title, body.scenario, text, source, issues, user.id)
    return PanelCreated(id=panel_id, redirect=f"/panels/{panel_id}")


@router.get("/api/panels/{panel_id}")
def get_panel(panel_id: int, request: Request, user: User = PANEL_USER) -> dict[str, Any]:
    """One panel as the signed-in account may see it."""
    record, expert = _panel(request, panel_id, user)
    return panel_state(request, record, expert)


@router.post("/api/panels/{panel_id}/experts", response_model=ExpertOut, status_code=201)
def invite_expert(
    panel_id: int, body: ExpertIn, request: Request, user: User = FACILITATOR
) -> ExpertOut:
    """Invite an expert: returns the one-time link (shown once)."""
    _panel(request, panel_id, user)
    token = _panels(request).invite(panel_id, body.label)
    return ExpertOut(label=body.label, joined=False, invite_url=f"/panel-join/{token}")


@router.post("/api/panels/{panel_id}/answers", response_model=Stored, status_code=201)
def submit_answers(
    panel_id: int,
    request: Request,
    body: dict[str, str | float | int | None] = Body(...),  # noqa: B008 - FastAPI's idiom
    user: User = EXPERT,
) -> Stored:
    """Store an expert's answers for the current round.

    An expert's form: ``{"position|actor|issue|dimension": value, ...}``; each answered row
    is stored as one committed row of the current round.
    """
    record, expert = _panel(request, panel_id, user)
    assert expert is not None
    stored = _panels(request).submit(record, expert, user.id, body)
    return Stored(stored=stored, round=record.round)


@router.post("/api/panels/{panel_id}/close")
def close_round(panel_id: int, request: Request, user: User = FACILITATOR) -> dict[str, Any]:
    """Close the current round: experts then see the anonymised group median and spread."""
    record, _ = _panel(request, panel_id, user)
    if record.state != "open":
        raise HTTPException(409, f"round {record.round} is already closed")
    _panels(request).set_state(panel_id, state="closed")
    return {"ok": True, "round": record.round, "state": "closed"}


@router.post("/api/panels/{panel_id}/next-round")
def next_round(panel_id: int, request: Request, user: User = FACILITATOR) -> dict[str, Any]:
    """Open the next round (experts may revise, with a note)."""
    record, _ = _panel(request, panel_id, user)
    if record.state != "closed":
        raise HTTPException(409, f"close round {record.round} first")
    _panels(request).set_state(panel_id, state="open", round_=record.round + 1)
    return {"ok": True, "round": record.round + 1, "state": "open"}


@router.post("/api/panels/{panel_id}/save", response_model=Saved, status_code=201)
def save_merged(panel_id: int, body: SaveIn, request: Request, user: User = FACILITATOR) -> Saved:
    """Merge every expert's latest answers and save the scenario as a new library entry."""
    from accord.panel.merge import merge_panel
    from accord.scenario.yaml_io import dumps

    record, _ = _panel(request, panel_id, user)
    if record.state != "closed":
        raise HTTPException(409, "close the round before saving the merged scenario")
    service = _panels(request)
    panel = service.panel_answers(record)
    if not panel.answers:
        raise HTTPException(409, "no answers to merge")
    merged = merge_panel(service.scenario(record), panel, body.aggregate)
    name = f"{merged.id} (panel {record.id}: {record.title}, round {record.round})"[:200]
    library_id = store_of(request).add_library(name, "scenario", dumps(merged), user.id)
    service.set_library(panel_id, library_id)
    ref = f"lib:{library_id}"
    from urllib.parse import quote

    return Saved(library_id=library_id, ref=ref, redirect=f"/library/view?ref={quote(ref)}")


@router.post("/api/panel-join/{token}")
def join_panel(
    token: str, body: PanelJoin, request: Request, user: User | None = PUBLIC_ACCESS
) -> Response:
    """Accept a panel invitation: create the expert's account and sign in."""
    service = _panels(request)
    found = service.by_invite(token)
    if found is None:
        raise HTTPException(404, "this invitation is not valid")
    if found[2]:
        raise HTTPException(409, "this invitation has already been used")
    try:
        created = store_of(request).add_user(body.username, hash_password(body.password), "expert")
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    try:
        panel_id = service.claim(token, created.id)
    except KeyError:
        raise HTTPException(409, "this invitation has already been used") from None
    from accord.web.routes_auth import start_session  # the one way to start a session

    return start_session(request, created.id, f"/panels/{panel_id}")


# ---------------------------------------------------------------------- pages


@router.get("/panels", response_class=HTMLResponse)
def panels_page(request: Request, user: User = PANEL_USER_PAGE) -> Response:
    """The panels page."""
    from accord.web.library import entries
    from accord.web.templating import render

    service = _panels(request)
    records = service.panels() if user.role == "facilitator" else service.panels_of(user.id)
    scenarios = (
        [
            e
            for e in entries(store_of(request), request.app.state.scenarios_dir)
            if e.kind == "scenario"
        ]
        if user.role == "facilitator"
        else []
    )
    return render(request, "panels.html", panels=records, scenarios=scenarios)


@router.get("/panels/{panel_id}", response_class=HTMLResponse)
def panel_page(panel_id: int, request: Request, user: User = PANEL_USER_PAGE) -> Response:
    """The page of one panel."""
    from accord.web.templating import render

    record, expert = _panel(request, panel_id, user)
    state = panel_state(request, record, expert)
    template = "panel_facilitator.html" if expert is None else "panel_expert.html"
    return render(request, template, panel=state)


@router.get("/panel-join/{token}", response_class=HTMLResponse)
def join_panel_page(token: str, request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    """The page that joins a panel through an invitation."""
    from accord.web.templating import render

    found = _panels(request).by_invite(token)
    if found is None:
        raise HTTPException(404, "this invitation is not valid")
    record = _panels(request).panel(found[0])
    return render(
        request,
        "panel_join.html",
        token=token,
        label=found[1],
        taken=found[2],
        title=record.title if record else "",
    )
