"""Unit checks of accord.web.security: the time budget (and the deadline that stops the work),
the alias cap and safe redirects."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from accord.limits import TimeLimitError, check_deadline, deadline
from accord.web.security import BudgetExceededError, check_aliases, safe_next, within_budget


def test_a_call_over_its_time_budget_is_a_422() -> None:
    assert within_budget(lambda: 5, 2.0, "validation") == 5
    t0 = time.perf_counter()
    with pytest.raises(BudgetExceededError) as info:
        within_budget(lambda: time.sleep(1.0), 0.1, "validation")
    assert info.value.status == 422 and "longer than 0.1 s" in info.value.detail
    assert time.perf_counter() - t0 < 0.9


def test_the_alias_cap_scales_with_the_body() -> None:
    plain = "a: &x [1, 2, 3]\nb: *x\nc: *x\n"
    check_aliases(plain, 0)  # a few shared values: fine
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join(['*a' if i == 0 else f'*a{i - 1}'] * 10)}]\n" for i in range(4)
    )
    with pytest.raises(BudgetExceededError) as info:
        check_aliases(bomb, 1000)
    assert info.value.status == 413
    check_aliases(bomb, 10**6)  # a larger allowance admits it
    with pytest.raises(BudgetExceededError):
        check_aliases("a: &a [*a]\n", 10**6)  # recursive: endless


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/games/3", "/games/3"),
        ("/library/view?ref=lib%3A1", "/library/view?ref=lib%3A1"),
        ("/\\evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/%2F/evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_the_time_limit_stops_the_work_not_only_the_wait() -> None:
    """The 422 comes at the limit, and the worker itself stops at its next deadline check
    instead of running on (a thread cannot be killed from outside)."""
    stopped = threading.Event()

    def work() -> None:
        try:
            end = time.monotonic() + 30.0  # without the deadline: 30 s of work
            while time.monotonic() < end:
                check_deadline()
                time.sleep(0.002)
        finally:
            stopped.set()

    t0 = time.perf_counter()
    with pytest.raises(BudgetExceededError) as info:
        within_budget(work, 0.2, "validation")
    assert info.value.status == 422
    assert stopped.wait(5.0), "the worker ran on after its time limit"
    assert time.perf_counter() - t0 < 5.0


def _bdm_csv(rows: int) -> str:
    return "Actor,Capability,Position,Salience\n" + "".join(
        f"a{i},{1 + i % 7},{i % 100},0.5\n" for i in range(rows)
    )


@pytest.mark.parametrize(
    "step",
    ["wargame", "scenario-yaml", "bdm-csv"],
)
def test_the_expensive_steps_check_the_deadline(step: str) -> None:
    """Each kind of body the web validates or imports stops at a passed deadline (and loads
    without one): the YAML walk, the war-game expressions and bounds, the importers' rows."""
    from accord.scenario.io import loads
    from accord.web.library import validate

    shipped = Path(__file__).resolve().parents[2] / "scenarios"
    if step == "wargame":
        text = (shipped / "wargame-tiny.yaml").read_text(encoding="utf-8")
        run: Callable[[], object] = lambda: validate(text, "w.yaml", "wargame")  # noqa: E731
    elif step == "scenario-yaml":
        text = (shipped / "ktab-d3.yaml").read_text(encoding="utf-8")
        run = lambda: loads(text, "d3.yaml")  # noqa: E731
    else:
        text = _bdm_csv(5000)
        run = lambda: loads(text, "big.csv")  # noqa: E731
    assert run()  # no deadline: it loads (validate gives (kind, []))
    with deadline(0.0), pytest.raises(TimeLimitError):
        run()


def test_a_validation_over_its_time_is_a_422_and_frees_the_pool(tmp_path: Path) -> None:
    """Through the app: a legal but large war game under a tiny CPU budget is a 422; the
    budget pool is free again at once (its worker stopped at its next check)."""
    from accord.web import create_app
    from accord.web.security import SecuritySettings
    from tests.web.conftest import PASSWORD, new_client, refresh_csrf
    from tests.web.server import many_teams_yaml

    app = create_app(f"sqlite:///{tmp_path / 'w.db'}", security=SecuritySettings(cpu_seconds=0.02))
    try:
        client = new_client(app)
        client.post("/api/setup", json={"username": "fac", "password": PASSWORD})
        refresh_csrf(client)
        # legal but costly: 600 actions whose effects have 19 terms each (about 5 s of CPU
        # to validate in full; parsing the YAML, which cannot stop midway, about 0.05 s)
        terms = " + ".join(["min(tension, 3) * 0.001"] * 19)
        text = many_teams_yaml(300).replace(
            "effects: {tension: 1}", f'effects: {{tension: "{terms}"}}'
        )
        r = client.post("/api/library/validate", json={"text": text})
        assert r.status_code == 422, r.text
        assert "longer than 0.02 s" in r.json()["detail"]
        # both budget workers must be free at once: two calls that wait for each other
        meet = threading.Barrier(2, timeout=1.0)
        results: list[object] = []

        def both() -> None:
            results.append(within_budget(meet.wait, 5.0, "validation"))

        threads = [threading.Thread(target=both) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10.0)
        assert len(results) == 2, "a budget worker was still busy with the cut-off validation"
    finally:
        app.state.store.close()
