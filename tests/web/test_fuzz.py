"""API fuzzing with Schemathesis, driven by ``/openapi.json``: every operation, with a
signed-in session for each role (and none), gets generated requests; no response may be a 5xx
and every documented response must match its schema (issue #14).

Bounded for the suite: a few examples per operation, in process (ASGI), on SQLite. Operations
that end the session (sign-out, password change) are left out: they would turn the rest of the
run into 401s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from accord.web.auth import COOKIE, CSRF_HEADER  # noqa: E402
from tests.web.conftest import SCENARIOS, new_client, setup_game  # noqa: E402

EXAMPLES = 2
SKIP = {
    ("POST", "/api/logout"),
    ("POST", "/api/logout-everywhere"),
    ("POST", "/api/password"),
    ("POST", "/api/setup"),
}


@pytest.mark.parametrize("role", ["facilitator", "team", "observer", "anonymous"])
def test_no_5xx_and_responses_match_the_schema(tmp_path: Path, role: str) -> None:
    import requests
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from accord.web import create_app

    app = create_app(f"sqlite:///{tmp_path / 'fuzz.db'}", scenarios_dir=SCENARIOS)
    try:
        game = setup_game(lambda: new_client(app))
        client: Any = {
            "facilitator": game.facilitator,
            "team": game.teams["red"],
            "observer": game.observer,
            "anonymous": new_client(app),
        }[role]
        session = requests.Session()
        session.cookies.set(COOKIE, client.cookies[COOKIE])
        session.headers[CSRF_HEADER] = client.headers["X-CSRF-Token"]
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        checks = [not_a_server_error, response_schema_conformance]
        tried = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            if (operation.method.upper(), operation.path) in SKIP:
                continue

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def fuzz(case: Any) -> None:
                case.call_and_validate(session=session, checks=checks)

            fuzz()
            tried += 1
        assert tried >= 30
        if role != "anonymous":  # the session survived the run
            assert client.get("/api/me").status_code == 200
    finally:
        app.state.store.close()
