"""``accord wargame run|replay|branch|review`` through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from accord.wargame import fold, load_wargame
from accord.wargame.gamefile import load_game
from accord.wargame.montecarlo import run_monte_carlo, spearman, wilson

ROOT = Path(__file__).parents[2]
TINY = ROOT / "scenarios" / "wargame-tiny.yaml"
Run = Callable[..., Any]


def test_wilson_interval_matches_known_values() -> None:
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-4) and hi == pytest.approx(0.5962, abs=1e-4)
    assert wilson(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert wilson(10, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)


def test_spearman_matches_scipy() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=60)
    y = (x + rng.normal(size=60) > 0).astype(float)
    assert spearman(x, y) == pytest.approx(spearmanr(x, y).statistic)
    assert np.isnan(spearman(x, np.ones(60)))


def test_run_json_is_byte_identical_for_a_seed_and_differs_for_another(run_cli: Run) -> None:
    a = run_cli("wargame", "run", TINY, "--runs", "30", "--seed", "4", "--format", "json")
    b = run_cli("wargame", "run", TINY, "--runs", "30", "--seed", "4", "--format", "json")
    c = run_cli("wargame", "run", TINY, "--runs", "30", "--seed", "5", "--format", "json")
    assert a.code == 0, a.stderr
    assert a.stdout == b.stdout and a.stdout != c.stdout
    data = json.loads(a.stdout)["summary"]
    assert sum(data["outcome_share"].values()) == pytest.approx(1.0)
    for k, share in data["outcome_share"].items():
        lo, hi = data["outcome_ci95"][k]
        assert lo <= share <= hi
    for hist in data["decision_turns"].values():
        assert sum(hist.values()) == 30
    assert set(data["drivers"]) == set(data["outcome_share"])


def test_jobs_give_the_same_result_as_one_process() -> None:
    scenario = load_wargame(TINY)
    one = run_monte_carlo(scenario, 24, seed=9)
    two = run_monte_carlo(scenario, 24, seed=9, jobs=2)
    assert json.dumps(one.summary()) == json.dumps(two.summary())
    assert [r.to_json() for r in one.records] == [r.to_json() for r in two.records]


def test_run_writes_files_replay_branch_and_review(run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "mc"
    res = run_cli("wargame", "run", TINY, "--runs", "8", "--seed", "1", "--out", out, "--logs", "2")
    assert res.code == 0, res.stderr
    assert "outcomes" in res.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 8
    assert len((out / "runs.csv").read_text().splitlines()) == 9
    log = out / "games" / "run-00000.json"
    game = load_game(log)
    assert len(list((out / "games").iterdir())) == 2

    full = run_cli("wargame", "replay", log, "--format", "json")
    state = fold(game.events)
    assert json.loads(full.stdout)["values"] == state.values
    assert json.loads(full.stdout)["outcome"] == state.outcome
    part = json.loads(run_cli("wargame", "replay", log, "--to-turn", "2", "-f", "json").stdout)
    assert part["turn"] == 2 and part["outcome"] is None
    assert "turn 1" in run_cli("wargame", "replay", log).stdout

    branched = tmp_path / "branch.json"
    res = run_cli(
        "wargame", "branch", log, "--at", "2", "--set", "escalation=5",
        "--set", "orders.cn=", "-o", branched, "-f", "json",
    )  # fmt: skip
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["branch_turn"] == 2
    events = load_game(branched).events
    assert any(e.kind == "override" and e.turn == 1 for e in events)
    assert [e.model_dump() for e in events if e.turn < 2 and e.kind != "override"] == [
        e.model_dump() for e in game.events if e.turn < 2
    ]

    pages = tmp_path / "review"
    res = run_cli("wargame", "review", branched, "-o", pages)
    assert res.code == 0, res.stderr
    index = (pages / "index.html").read_text()
    assert "<svg" in index and "Decision points and alternatives" in index
    for external in ("src=", "<link", "href='http", 'href="http', "@import"):
        assert external not in index  # self-contained
    for team in ("red", "blue", "europe"):
        page = (pages / f"debrief-{team}.html").read_text()
        assert "Start of turn 2" in page


def test_stored_runs_and_games(run_cli: Run, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'runs.db'}"
    res = run_cli("wargame", "run", TINY, "--runs", "5", "--db", db)
    assert res.code == 0, res.stderr and "stored as run 1" in res.stdout
    replay = run_cli("wargame", "replay", "1", "--db", db, "-f", "json")
    assert replay.code == 0, replay.stderr
    assert json.loads(replay.stdout)["scenario"] == "wargame-tiny"
    res = run_cli("wargame", "branch", "1", "--at", "3", "--db", db, "-f", "json")
    assert json.loads(res.stdout)["game_id"] == 2
    assert run_cli("wargame", "review", "2", "--db", db, "-o", tmp_path / "r").code == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("run", "missing.yaml"), "no such file"),
        (("run", TINY, "--runs", "0"), "--runs"),
        (("run", TINY, "--db", "mysql://x@h/d"), "unsupported database"),
        (("replay", "missing.json"), "no such file"),
        (("replay", "7", "--db", "sqlite:///:memory:"), "no game 7"),
    ],
)
def test_bad_input_is_one_clear_line(run_cli: Run, args: tuple[Any, ...], fragment: str) -> None:
    res = run_cli("wargame", *args)
    assert res.code == 2
    assert fragment in " ".join(res.stderr.split()) and "Traceback" not in res.stderr


def test_bad_branch_settings(run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "mc"
    assert run_cli("wargame", "run", TINY, "--runs", "1", "--out", out).code == 0
    log = out / "games" / "run-00000.json"
    for setting, fragment in [
        ("nosuch=1", "unknown variable"),
        ("escalation=abc", "not a number"),
        ("escalation=99", "outside the range"),
        ("gate.important_influence=maybe", "open or closed"),
        ("orders.nobody=x", "no actor"),
        ("novalue", "cannot read --set"),
    ]:
        res = run_cli("wargame", "branch", log, "--at", "2", "--set", setting)
        assert res.code == 2 and fragment in " ".join(res.stderr.split()), setting
    res = run_cli("wargame", "branch", log, "--at", "99")
    assert res.code == 2 and "cannot branch" in res.stderr
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(json.loads(log.read_text())["events"]))
    res = run_cli("wargame", "replay", bare, "-f", "json")
    assert res.code == 0  # a bare log replays without its scenario
    res = run_cli("wargame", "review", bare, "-o", tmp_path / "x")
    assert res.code == 2 and "--scenario" in res.stderr
    assert run_cli("wargame", "review", bare, "-o", tmp_path / "x", "--scenario", TINY).code == 0
