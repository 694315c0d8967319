"""Accounts: first-run set-up, sign in and out, the home page, invitations."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from accord.web.auth import (
    ANYONE,
    COOKIE,
    FACILITATOR,
    PUBLIC_ACCESS,
    Sessions,
    hash_password,
    verify_password,
)
from accord.web.db import User, WebStore
from accord.web.schemas import Credentials, Done, JoinRequest, NewUser, UserOut

router = APIRouter()


def _store(request: Request) -> WebStore:
    store: WebStore = request.app.state.store
    return store


def _signed_in(request: Request, user_id: int | None, redirect: str) -> Response:
    response = JSONResponse(Done(redirect=redirect).model_dump())
    sessions: Sessions = Sessions(_store(request).secret())
    response.set_cookie(
        COOKIE, sessions.dump(Sessions.new(user_id)), httponly=True, samesite="strict", path="/"
    )
    return response


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    from accord.web.routes_games import game_summaries

    store = _store(request)
    if user is None:
        target = "/setup" if store.user_count() == 0 else "/login"
        return RedirectResponse(target, status_code=303)
    if user.role == "expert":  # experts only take part in panels
        return RedirectResponse("/panels", status_code=303)
    from accord.web.library import entries

    wargames = [e for e in entries(store, request.app.state.scenarios_dir) if e.kind == "wargame"]
    from accord.web.templating import render

    return render(
        request,
        "home.html",
        games=game_summaries(request, user),
        wargames=wargames,
        users=store.users() if user.role == "facilitator" else [],
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/", user: User | None = PUBLIC_ACCESS) -> Response:
    from accord.web.templating import render

    return render(request, "login.html", next=_safe_next(next))


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    from accord.web.templating import render

    if _store(request).user_count() > 0:
        return RedirectResponse("/login", status_code=303)
    return render(request, "setup.html")


@router.post("/api/setup", response_model=Done)
def setup(body: Credentials, request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    """Create the first facilitator; refused once any account exists."""
    store = _store(request)
    with store.write_lock():
        if store.user_count() > 0:
            raise HTTPException(403, "the workbench is already set up: sign in")
        created = store.add_user(body.username, hash_password(body.password), "facilitator")
    return _signed_in(request, created.id, "/")


@router.post("/api/login", response_model=Done)
def login(
    body: Credentials, request: Request, next: str = "/", user: User | None = PUBLIC_ACCESS
) -> Response:
    found = _store(request).user_by_name(body.username)
    if found is None or not verify_password(found[1], body.password):
        raise HTTPException(401, "wrong user name or password")
    return _signed_in(request, found[0].id, _safe_next(next))


@router.post("/api/logout", response_model=Done)
def logout(request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    return _signed_in(request, None, "/login")


@router.get("/api/me", response_model=UserOut)
def me(user: User = ANYONE) -> UserOut:
    return UserOut(id=user.id, username=user.username, role=user.role)


@router.post("/api/users", response_model=UserOut, status_code=201)
def add_user(body: NewUser, request: Request, user: User = FACILITATOR) -> UserOut:
    """A facilitator creates another facilitator or an observer account."""
    try:
        created = _store(request).add_user(body.username, hash_password(body.password), body.role)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    return UserOut(id=created.id, username=created.username, role=created.role)


@router.get("/join/{token}", response_class=HTMLResponse)
def join_page(token: str, request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    from accord.web.templating import render

    seat = _store(request).seat_by_invite(token)
    if seat is None:
        raise HTTPException(404, "this invitation is not valid (it may have been replaced)")
    game = _store(request).game(seat[0])
    return render(
        request,
        "join.html",
        token=token,
        team=seat[1],
        taken=seat[2] is not None,
        title=game.title if game else "",
    )


@router.post("/api/join/{token}", response_model=Done)
def join(
    token: str, body: JoinRequest, request: Request, user: User | None = PUBLIC_ACCESS
) -> Response:
    """Accept an invitation: create the team account and take the seat."""
    store = _store(request)
    seat = store.seat_by_invite(token)
    if seat is None:
        raise HTTPException(404, "this invitation is not valid (it may have been replaced)")
    if seat[2] is not None:
        raise HTTPException(409, "this invitation has already been used")
    try:
        created = store.add_user(body.username, hash_password(body.password), "team")
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    try:
        game_id, _team = store.claim_seat(token, created.id, body.team_name.strip())
    except KeyError:
        raise HTTPException(409, "this invitation has already been used") from None
    return _signed_in(request, created.id, f"/games/{game_id}")


@router.get("/favicon.ico", include_in_schema=False)
def favicon(user: User | None = PUBLIC_ACCESS) -> Response:
    return Response(status_code=204)
