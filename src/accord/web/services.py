"""The app's shared services as a route reaches them (set up once by :func:`accord.web.app.create_app`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

if TYPE_CHECKING:
    from accord.web.db import WebStore
    from accord.web.play import GameService


def store_of(request: Request) -> WebStore:
    """The app's database store."""
    store: WebStore = request.app.state.store
    return store


def games_of(request: Request) -> GameService:
    """The app's game service (games loaded, cached and played over the store)."""
    games: GameService = request.app.state.games
    return games
