"""Fixtures of the web tests: the database (SQLite, and PostgreSQL when
``ACCORD_TEST_POSTGRES_URL`` is set -- required under ``CI=true``), the app, signed-in clients
and a game in play."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.browser import chromium, live_server  # noqa: F401  (fixtures of the browser tests)

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
PASSWORD = "correct horse battery"
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass(frozen=True)
class Database:
    url: str
    schema: str | None
    backend: str


def postgres_url() -> str | None:
    url = os.environ.get("ACCORD_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("ACCORD_TEST_POSTGRES_URL is not set under CI: PostgreSQL tests must run")
        pytest.skip("ACCORD_TEST_POSTGRES_URL is not set (run scripts/test-services.sh)")
    return url


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """One fresh schema for the whole test session, dropped afterwards."""
    name = f"accord_web_{secrets.token_hex(4)}"
    yield name
    url = os.environ.get("ACCORD_TEST_POSTGRES_URL")
    if url:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.commit()
        engine.dispose()


def _reset_pg(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.commit()
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path, pg_schema: str) -> Iterator[Database]:
    """A fresh, empty database: a SQLite file, or the session's PostgreSQL schema emptied."""
    if request.param == "sqlite":
        yield Database(f"sqlite:///{tmp_path / 'web.db'}", None, "sqlite")
        return
    url = postgres_url()
    assert url is not None
    _reset_pg(url, pg_schema)
    yield Database(url, pg_schema, "postgresql")
    _reset_pg(url, pg_schema)


@pytest.fixture
def app(database: Database) -> Iterator[FastAPI]:
    from accord.web import create_app

    application = create_app(database.url, schema=database.schema, scenarios_dir=SCENARIOS)
    yield application
    application.state.store.close()


def refresh_csrf(client: httpx.Client) -> str:
    """Read the session's CSRF token from a page and send it with every request."""
    page = client.get("/login")
    match = _META.search(page.text)
    assert match, "no CSRF token in the page"
    client.headers["X-CSRF-Token"] = match.group(1)
    return match.group(1)


def new_client(app: FastAPI) -> TestClient:
    client = TestClient(app, raise_server_exceptions=True)
    refresh_csrf(client)
    return client


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD) -> None:
    r = client.post("/api/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    refresh_csrf(client)


@dataclass
class Game:
    id: int
    facilitator: httpx.Client
    observer: httpx.Client
    teams: dict[str, httpx.Client]  # team id -> signed-in client of its player


def setup_game(
    make_client: Callable[[], httpx.Client], scenario: str = "shipped:wargame-tiny.yaml"
) -> Game:
    """A facilitator, an observer, a game with teams red and blue played by people (joined
    through their invitations) and europe by an automated actor."""
    fac = make_client()
    r = fac.post("/api/setup", json={"username": "fac", "password": PASSWORD})
    assert r.status_code == 200, r.text
    refresh_csrf(fac)
    r = fac.post("/api/users", json={"username": "obs", "password": PASSWORD, "role": "observer"})
    assert r.status_code == 201, r.text
    r = fac.post("/api/games", json={"scenario": scenario, "title": "Test game", "seed": 3})
    assert r.status_code == 201, r.text
    game_id = r.json()["id"]
    teams: dict[str, TestClient] = {}
    for team in ("red", "blue"):
        r = fac.put(f"/api/games/{game_id}/seats/{team}", json={"kind": "human"})
        assert r.status_code == 200, r.text
        token = r.json()["invite_url"].rsplit("/", 1)[1]
        player = make_client()
        r = player.post(
            f"/api/join/{token}",
            json={"username": f"p_{team}", "password": PASSWORD, "team_name": f"Team {team}"},
        )
        assert r.status_code == 200, r.text
        refresh_csrf(player)
        teams[team] = player
    r = fac.put(f"/api/games/{game_id}/seats/europe", json={"kind": "auto", "player": "doctrine"})
    assert r.status_code == 200, r.text
    obs = make_client()
    sign_in(obs, "obs")
    return Game(game_id, fac, obs, teams)


@pytest.fixture
def game(app: FastAPI) -> Game:
    return setup_game(lambda: new_client(app))


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()
