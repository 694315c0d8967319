"""The run store: SQLite always, PostgreSQL when ACCORD_TEST_POSTGRES_URL is set (required in CI).

Each PostgreSQL test works in its own schema (``accord_test_<random>``), dropped afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from accord.errors import AccordError, UsageError
from accord.runs import RunStore, resume_point
from accord.wargame import Game, default_players, dump_log, fold, load_wargame, run_monte_carlo

TINY = Path(__file__).parents[2] / "scenarios" / "wargame-tiny.yaml"
PG_VAR = "ACCORD_TEST_POSTGRES_URL"


def _postgres_url() -> str:
    url = os.environ.get(PG_VAR)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_VAR} is not set, and CI=true forbids skipping the PostgreSQL tests")
        pytest.skip(f"{PG_VAR} is not set: no PostgreSQL to test against")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """(url, schema) of an empty database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'runs.db'}", None
        return
    url = _postgres_url()
    schema = f"accord_test_{uuid.uuid4().hex[:16]}"
    try:
        yield url, schema
    finally:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def _store_game(store: RunStore, seed: int = 3) -> tuple[int, Game]:
    scenario = load_wargame(TINY)
    sha = store.add_scenario(TINY.read_text(), TINY.name, scenario.spec.id)
    game_id = store.start_game(sha, scenario.spec.id, seed)
    game = Game(scenario, seed, default_players(scenario), on_event=store.recorder(game_id)).run()
    return game_id, game


def test_a_game_round_trips_and_its_events_are_append_only(target: tuple[str, str | None]) -> None:
    url, schema = target
    with RunStore(url, schema=schema) as store:
        game_id, game = _store_game(store)
        events = store.events(game_id)
        assert dump_log(events) == game.log_json()
        assert fold(events) == game.replay()
        info = store.game(game_id)
        assert info.status == "ended" and info.outcome == game.state.outcome
        assert info.events == len(game.events)
        text_, source = store.scenario_text(info.scenario_sha256)
        assert text_ == TINY.read_text() and source == TINY.name
        assert len(store.events(game_id, to_turn=2)) < len(events)
        with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("UPDATE events SET turn = 0"))
        with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("DELETE FROM events"))
        assert len(store.events(game_id)) == len(events)
    # reopening runs the migrations again: nothing changes
    with RunStore(url, schema=schema) as store:
        assert [g.id for g in store.games()] == [game_id]


def test_a_monte_carlo_run_is_stored(target: tuple[str, str | None]) -> None:
    url, schema = target
    scenario = load_wargame(TINY)
    with RunStore(url, schema=schema) as store:
        sha = store.add_scenario(TINY.read_text(), TINY.name, scenario.spec.id)
        run_id = store.start_run(sha, scenario.spec.id, 5, 12, 1)
        result = run_monte_carlo(
            scenario,
            12,
            5,
            on_records=lambda batch: store.add_results(run_id, [r.to_json() for r in batch]),
        )
        store.finish_run(run_id, result.summary())
        info = store.run(run_id)
        assert info.status == "ended" and info.results == 12 and info.n == 12
        assert info.summary is not None and info.summary["outcome_share"] == result.outcome_share
        stored = store.results(run_id)
        assert [r["outcome"] for r in stored] == result.outcomes
        assert [r["seed"] for r in stored] == result.seeds


CHILD = textwrap.dedent(
    """
    import sys, time
    from accord.runs import RunStore
    from accord.wargame import Game, default_players, load_wargame
    url, schema, path = sys.argv[1], sys.argv[2] or None, sys.argv[3]
    store = RunStore(url, schema=schema)
    scenario = load_wargame(path)
    sha = store.add_scenario(open(path, encoding="utf-8").read(), "tiny", scenario.spec.id)
    game_id = store.start_game(sha, scenario.spec.id, 7)
    print("game", game_id, flush=True)
    record = store.recorder(game_id)
    def slow(event):
        record(event)
        print("logged", event.seq, flush=True)
        time.sleep(0.05)
    Game(scenario, 7, default_players(scenario), on_event=slow).run()
    print("done", flush=True)
    """
)


def test_a_killed_game_loses_nothing_it_logged_and_resumes(
    target: tuple[str, str | None], tmp_path: Path
) -> None:
    url, schema = target
    scenario = load_wargame(TINY)
    reference = Game(scenario, 7, default_players(scenario)).run()
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), url, schema or "", str(TINY)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    game_id, last = None, -1
    try:
        for line in child.stdout:
            words = line.split()
            if words[0] == "game":
                game_id = int(words[1])
            elif words[0] == "logged":
                last = int(words[1])
                if last >= 15:
                    break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL and game_id is not None
    assert 15 <= last < len(reference.events) - 1
    with RunStore(url, schema=schema) as store:
        events = store.events(game_id)
        assert store.game(game_id).status == "running"
    # everything logged before the kill is there, exactly as the uninterrupted game logged it
    assert len(events) >= last + 1
    assert dump_log(events) == dump_log(reference.events[: len(events)])
    # and the game resumes from its last complete turn to the same end
    resumed = Game(scenario, players=default_players(scenario), events=events)
    resumed = resumed.branch(resume_point(events)).run()
    assert resumed.log_json() == reference.log_json()


def test_bad_urls_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="database URL"):
        RunStore("not a url")
    with pytest.raises(UsageError, match="unsupported database"):
        RunStore("mysql://x@localhost/db")
    with pytest.raises(UsageError, match="no folder"):
        RunStore(f"sqlite:///{tmp_path / 'missing' / 'runs.db'}")
    with pytest.raises(UsageError, match="schema"):
        RunStore(f"sqlite:///{tmp_path / 'r.db'}", schema="x")
    with RunStore(f"sqlite:///{tmp_path / 'r.db'}") as store, pytest.raises(AccordError):
        store.game(99)
