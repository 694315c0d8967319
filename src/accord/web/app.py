"""The web workbench: ``create_app(db_url)`` builds the FastAPI application.

Server-rendered pages (Jinja2, autoescaping on) with a small local script (``static/app.js``)
that sends forms as JSON with the session's CSRF token; a JSON API with typed bodies (OpenAPI at
``/openapi.json``). See docs/web.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.errors import AccordError
from accord.web.auth import Guard, LoginRequiredError, Sessions, login_redirect
from accord.web.db import WebStore
from accord.web.library import default_scenarios_dir
from accord.web.play import GameService
from accord.web.security import BudgetExceededError, SecuritySettings
from accord.web.templating import render

HERE = Path(__file__).resolve().parent
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["detail"],
}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def create_app(
    db_url: str = "sqlite:///accord-web.db",
    *,
    schema: str | None = None,
    scenarios_dir: Path | None = None,
    security: SecuritySettings | None = None,
) -> FastAPI:
    """The application on the database at ``db_url`` (SQLite or PostgreSQL; migrated on open).

    Args:
        db_url: a SQLAlchemy URL.
        schema: PostgreSQL only: keep the tables in this schema (tests isolate themselves so).
        scenarios_dir: the shipped scenarios shown in the library (default ``./scenarios`` or
            the repository's).
        security: session lifetimes, sign-in throttling and CPU budgets (defaults: the values
            in docs/security.md); kept in ``app.state.security``.
    """
    from accord.web import (
        routes_analysts,
        routes_auth,
        routes_games,
        routes_live,
        routes_map,
        routes_panel,
    )

    store = WebStore(db_url, schema=schema)
    store.fail_unfinished_analyses()
    app = FastAPI(
        title="accord workbench",
        version="1",
        description="Analysts' pages and multi-team war-game play.",
    )
    app.state.store = store
    app.state.security = security or SecuritySettings()
    app.state.games = GameService(store)
    app.state.scenarios_dir = scenarios_dir or default_scenarios_dir()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(routes_auth.router)
    app.include_router(routes_games.router)
    app.include_router(routes_analysts.router)
    app.include_router(routes_panel.router)
    app.include_router(routes_live.router)
    app.include_router(routes_map.router)

    @app.exception_handler(LoginRequiredError)
    async def _login(request: Request, exc: LoginRequiredError) -> Response:
        return RedirectResponse(login_redirect(exc.path), status_code=303)

    @app.exception_handler(AccordError)
    async def _accord(request: Request, exc: AccordError) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(BudgetExceededError)
    async def _budget(request: Request, exc: BudgetExceededError) -> Response:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        wants_html = "text/html" in request.headers.get("accept", "") and not (
            request.url.path.startswith("/api/")
        )
        if wants_html:
            return render(
                request,
                "error.html",
                status_code=exc.status_code,
                status=exc.status_code,
                detail=str(exc.detail),
            )
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    def openapi() -> dict[str, Any]:
        """The OpenAPI spec, with the error body this app really sends for a 422.

        A one-line ``detail`` (plus ``problems`` when a scenario does not validate), not FastAPI's
        list.
        """
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schemas = spec.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(Guard, sessions=Sessions(store.secret()))
    app.router.on_startup.append(app.state.games.start_clock)  # turn deadlines (docs/web.md)
    app.router.on_shutdown.append(app.state.games.stop_clock)
    app.router.on_shutdown.append(store.close)
    return app
