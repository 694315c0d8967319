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
    session_token,
    verify_password,
)
from accord.web.db import User
from accord.web.schemas import Credentials, Done, JoinRequest, NewPassword, NewUser, UserOut
from accord.web.security import SecuritySettings, log, retry_after, safe_next
from accord.web.services import store_of

router = APIRouter()


def start_session(request: Request, user_id: int | None, redirect: str) -> Response:
    """A reply that starts a new session.

    Signed in as ``user_id`` (a new server-side session) or signed out (``None``); a new CSRF token
    either way.
    """
    response = JSONResponse(Done(redirect=redirect).model_dump())
    sessions: Sessions = Sessions(store_of(request).secret())
    token = None if user_id is None else store_of(request).add_session(user_id)
    response.set_cookie(
        COOKIE,
        sessions.dump(Sessions.new(token)),
        httponly=True,
        samesite="strict",
        path="/",
        secure=request.url.scheme == "https",
    )
    return response


def _safe_next(target: str | None) -> str:
    return safe_next(target)


def _address(request: Request) -> str:
    """The client's address as the server sees it.

    The client's address as the server sees it (behind a proxy: the proxy's; see
    docs/security.md).
    """
    return request.client.host if request.client else "unknown"


def _check_password(request: Request, username: str, password: str) -> User:
    """Throttled, constant-time sign-in check.

    429 while the account or the address is locked, 401 for a wrong name or password (an unknown
    name costs a dummy hash).
    """
    store = store_of(request)
    settings: SecuritySettings = request.app.state.security
    account, address = f"account:{username.lower()}", f"address:{_address(request)}"
    wait = store.locked_for([account, address])
    if wait > 0:
        raise HTTPException(
            429, "too many failed sign-ins: try again later", headers=retry_after(wait)
        )
    found = store.user_by_name(username)
    if found is not None and verify_password(found[1], password):
        store.clear_throttle(account)
        return found[0]
    if found is None:
        verify_password(None, password)
    window, lockout = (
        settings.timedelta(settings.failure_window),
        settings.timedelta(settings.lockout),
    )
    for key, limit in ((account, settings.account_failures), (address, settings.address_failures)):
        until = store.record_failure(key, limit, window, lockout)
        if until is not None:
            log.warning("sign-in locked for %s until %s after %d failures", key, until, limit)
    raise HTTPException(401, "wrong user name or password")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    """The home page: games and war games; redirects to set-up, sign-in or the panels."""
    from accord.web.routes_games import game_summaries

    store = store_of(request)
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
    """The sign-in page."""
    from accord.web.templating import render

    return render(request, "login.html", next=_safe_next(next))


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    """The set-up page that creates the first facilitator (sign-in once set up)."""
    from accord.web.templating import render

    if store_of(request).user_count() > 0:
        return RedirectResponse("/login", status_code=303)
    return render(request, "setup.html")


@router.post("/api/setup", response_model=Done)
def setup(body: Credentials, request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    """Create the first facilitator; refused once any account exists."""
    store = store_of(request)
    with store.write_lock():
        if store.user_count() > 0:
            raise HTTPException(403, "the workbench is already set up: sign in")
        created = store.add_user(body.username, hash_password(body.password), "facilitator")
    return start_session(request, created.id, "/")


@router.post("/api/login", response_model=Done)
def login(
    body: Credentials, request: Request, next: str = "/", user: User | None = PUBLIC_ACCESS
) -> Response:
    """Sign in (throttled: 429 with ``Retry-After`` while locked).

    ``next`` is followed only when it is a same-origin path.
    """
    found = _check_password(request, body.username, body.password)
    return start_session(request, found.id, _safe_next(next))


@router.post("/api/logout", response_model=Done)
def logout(request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    """Sign out: this session ends on the server (a saved cookie no longer works)."""
    token = session_token(request)
    if token is not None:
        store_of(request).end_session(token)
    return start_session(request, None, "/login")


@router.post("/api/logout-everywhere", response_model=Done)
def logout_everywhere(request: Request, user: User = ANYONE) -> Response:
    """End every session of the signed-in account, this one included."""
    store_of(request).end_sessions(user.id)
    return start_session(request, None, "/login")


@router.post("/api/password", response_model=Done)
def change_password(body: NewPassword, request: Request, user: User = ANYONE) -> Response:
    """Change the password (the current one is required).

    Every session of the account ends; this client gets a new one.
    """
    _check_password(request, user.username, body.current)
    store_of(request).set_password_hash(user.id, hash_password(body.new))
    return start_session(request, user.id, "/")


@router.get("/api/me", response_model=UserOut)
def me(user: User = ANYONE) -> UserOut:
    """The signed-in account."""
    return UserOut(id=user.id, username=user.username, role=user.role)


@router.post("/api/users", response_model=UserOut, status_code=201)
def add_user(body: NewUser, request: Request, user: User = FACILITATOR) -> UserOut:
    """A facilitator creates another facilitator or an observer account."""
    try:
        created = store_of(request).add_user(body.username, hash_password(body.password), body.role)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    return UserOut(id=created.id, username=created.username, role=created.role)


@router.get("/join/{token}", response_class=HTMLResponse)
def join_page(token: str, request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    """The page that joins a game through an invitation."""
    from accord.web.templating import render

    seat = store_of(request).seat_by_invite(token)
    if seat is None:
        raise HTTPException(404, "this invitation is not valid (it may have been replaced)")
    game = store_of(request).game(seat[0])
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
    store = store_of(request)
    seat = store.seat_by_invite(token)
    if seat is None:
        raise HTTPException(404, "this invitation is not valid (it may have been replaced)")
    if seat[2] is not None:
        raise HTTPException(409, "this invitation has already been used")
    password_hash = hash_password(body.password)
    try:  # the account and the seat in one transaction: one invitation, one account
        created, game_id = store.join(token, body.username, password_hash, body.team_name.strip())
    except KeyError:
        raise HTTPException(409, "this invitation has already been used") from None
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    return start_session(request, created.id, f"/games/{game_id}")


@router.get("/favicon.ico", include_in_schema=False)
def favicon(user: User | None = PUBLIC_ACCESS) -> Response:
    """No favicon (204), so that browsers stop asking."""
    return Response(status_code=204)
