"""Accounts, signed sessions, role checks and the request guard (CSRF, body size, headers).

* Passwords are hashed with argon2id (:mod:`argon2`, the Argon2 reference bindings).
* The session cookie is signed with :mod:`itsdangerous` (HMAC; the secret is generated once and
  kept in the database). It holds a random CSRF token and, once signed in, a random session
  token whose SHA-256 names a row of ``web_sessions``: the server decides whether a session is
  alive (idle and absolute expiry, deleted on sign-out, on "sign out everywhere" and on a
  password change), so a saved cookie is worthless after any of them.
* :class:`Guard` (pure ASGI middleware) rejects bodies over the size limit (413), checks the
  session's CSRF token on every state-changing request (``X-CSRF-Token`` header; 403 when
  missing or forged), adds security headers (a content security policy without inline
  scripts, no framing, no sniffing) and turns any unexpected error into a plain 500 that keeps
  them (logged with its traceback; nothing of it reaches the client).
* :func:`allow` is the role check every route declares: ``user: User = allow("facilitator")``.
  The access-control test enumerates the routes and finds the roles on that dependency.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer

from accord.web.db import User, WebStore
from accord.web.dispatch import run_db
from accord.web.security import SecuritySettings

log = logging.getLogger("accord.web")

COOKIE = "accord_session"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 2 * 1024 * 1024
PUBLIC = "public"
ANY_USER = ("facilitator", "team", "observer")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_hasher = PasswordHasher()
_dummy: list[str] = []


def hash_password(password: str) -> str:
    """The argon2 hash of ``password``."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``.

    With ``stored=None`` (an unknown user) a dummy hash with the same parameters is checked, so that
    both cases take as long.
    """
    if stored is None:
        if not _dummy:
            _dummy.append(_hasher.hash(secrets.token_urlsafe(16)))
        stored = _dummy[0]
        password = "\x00" + password  # never matches
        with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
            _hasher.verify(stored, password)
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class Sessions:
    """Signs and reads the session cookie."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt="accord-session")

    def dump(self, data: dict[str, Any]) -> str:
        """The signed cookie value of session ``data``."""
        return str(self._serializer.dumps(data))

    def load(self, cookie: str | None) -> dict[str, Any] | None:
        """The session data of a signed cookie, or ``None`` (missing, forged or malformed)."""
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        return data

    @staticmethod
    def new(token: str | None = None) -> dict[str, Any]:
        """A fresh session: a new CSRF token and, if signed in, the session ``token``."""
        data: dict[str, Any] = {"c": secrets.token_urlsafe(32)}
        if token is not None:
            data["s"] = token
        return data


def _cookie_header(value: str) -> tuple[bytes, bytes]:
    return (
        b"set-cookie",
        f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1"),
    )


SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


async def _reply(send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Body-size limit, session cookie, CSRF check and security headers for every request."""

    def __init__(self, app: ASGIApp, sessions: Sessions, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.sessions = sessions
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Apply the guard to one HTTP request (other scopes pass through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = _parse_cookies(headers.get("cookie", ""))
        session = self.sessions.load(cookies.get(COOKIE))
        fresh = session is None
        if session is None:
            session = Sessions.new()
        set_cookie = [_cookie_header(self.sessions.dump(session))] if fresh else []
        too_large = f"the request body is larger than {self.max_body // 1024} KiB"
        declared = headers.get("content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_body
            except ValueError:
                await _reply(send, 400, "bad Content-Length header", set_cookie)
                return
            if too_big:
                await _reply(send, 413, too_large, set_cookie)
                return
        # read the whole body now (bounded), so an oversized chunked body is refused as well
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _reply(send, 413, too_large, set_cookie)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            token = headers.get(CSRF_HEADER, "")
            if fresh or not token or not hmac.compare_digest(token, str(session["c"])):
                await _reply(
                    send,
                    403,
                    "CSRF token missing or invalid: reload the page and try again",
                    set_cookie,
                )
                return
        scope.setdefault("state", {})["session"] = session
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                existing = list(message.get("headers", []))
                names = {k.lower() for k, _ in existing}
                extra = [h for h in SECURITY_HEADERS if h[0] not in names]
                sets_session = any(
                    k.lower() == b"set-cookie" and v.startswith(COOKIE.encode() + b"=")
                    for k, v in existing
                )
                cookie = [] if sets_session else set_cookie
                message = {**message, "headers": existing + extra + cookie}
            await send(message)

        try:
            await self.app(scope, replay, send_with_headers)
        except Exception:
            # a generic 500 that keeps the security headers and the connection; the details
            # go to the log only
            log.exception("unexpected error on %s %s", scope["method"], scope.get("path"))
            if started:
                raise
            await _reply(send, 500, "internal error", [])


def _parse_cookies(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out


class LoginRequiredError(Exception):
    """A page needs a signed-in user: the handler redirects to the login page."""

    def __init__(self, path: str) -> None:
        self.path = path


def session_of(request: Request) -> dict[str, Any]:
    """The request's cookie session (a fresh one when it has none)."""
    session = request.scope.get("state", {}).get("session")
    return session if isinstance(session, dict) else Sessions.new()


def session_token(request: Request) -> str | None:
    """The server-side session token of the request, or ``None`` when signed out."""
    token = session_of(request).get("s")
    return token if isinstance(token, str) and token else None


def current_user(request: Request) -> User | None:
    """The user of the request's live server-side session (looked up once per request)."""
    state = request.scope.setdefault("state", {})
    if "user" in state:
        cached: User | None = state["user"]
        return cached
    token = session_token(request)
    user = None
    if token is not None:
        store: WebStore = request.app.state.store
        settings: SecuritySettings = request.app.state.security
        user = store.session_user(
            token,
            idle=settings.timedelta(settings.idle_timeout),
            absolute=settings.timedelta(settings.absolute_timeout),
            touch=settings.timedelta(settings.touch_interval),
        )
    state["user"] = user
    return user


async def user_of(request: Request) -> User | None:
    """:func:`current_user`, run as :func:`accord.web.dispatch.run_db` runs database work."""
    state = request.scope.get("state", {})
    if "user" in state:
        cached: User | None = state["user"]
        return cached
    return await run_db(request.app.state.store, current_user, request)


def csrf_token(request: Request) -> str:
    """The request's CSRF token."""
    return str(session_of(request)["c"])


def allow(*roles: str, page: bool = False) -> Any:
    """The role check of a route.

    A dependency giving the signed-in :class:`User` (or ``None`` on a public route). Not signed in:
    401 (a page redirects to the login page); signed in with another role: 403.
    """

    async def check(request: Request) -> User | None:
        # async, so that no worker thread is needed for it (see accord.web.dispatch)
        user = await user_of(request)
        if PUBLIC in roles:
            return user
        if user is None:
            if page:
                raise LoginRequiredError(request.url.path)
            raise HTTPException(401, "sign in first")
        if user.role not in roles:
            raise HTTPException(403, f"a {user.role} may not do this (needs: {', '.join(roles)})")
        return user

    check.roles = roles  # type: ignore[attr-defined]
    return Depends(check)


def login_redirect(path: str) -> str:
    """The login page's URL, returning to ``path`` after signing in."""
    return "/login?next=" + quote(path, safe="/")


# The role checks routes declare (module-level, so each is one shared dependency).
PUBLIC_ACCESS = allow(PUBLIC)
ANYONE = allow(*ANY_USER)
ANYONE_PAGE = allow(*ANY_USER, page=True)
FACILITATOR = allow("facilitator")
FACILITATOR_PAGE = allow("facilitator", page=True)
TEAM = allow("team")
TEAM_PAGE = allow("team", page=True)
FACILITATOR_OR_TEAM = allow("facilitator", "team")
ANALYST = allow("facilitator", "observer")
ANALYST_PAGE = allow("facilitator", "observer", page=True)
