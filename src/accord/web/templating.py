"""Jinja2 rendering with the signed-in user and the CSRF token in every page's context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from accord.web.auth import csrf_token, current_user

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the signed-in user and the CSRF token in its context."""
    context.update(user=current_user(request), csrf=csrf_token(request))
    return templates.TemplateResponse(request, template, context, status_code=status_code)
