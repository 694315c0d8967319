"""Loading, replaying and branching logged games (accord.wargame.logged), shared by the CLI and
the web."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.errors import UsageError
from accord.runs import RunStore
from accord.wargame import Game, default_players, fold, load_wargame
from accord.wargame.gamefile import dump_game
from accord.wargame.logged import (
    BranchSettings,
    LoggedGame,
    branch,
    load_logged,
    replay,
    stored_game,
)

ROOT = Path(__file__).parents[2]
TINY = ROOT / "scenarios" / "wargame-tiny.yaml"


@pytest.fixture(scope="module")
def played() -> Game:
    scenario = load_wargame(TINY)
    return Game(scenario, seed=3, players=default_players(scenario)).run()


@pytest.fixture
def game_file(played: Game, tmp_path: Path) -> Path:
    path = tmp_path / "game.json"
    path.write_text(dump_game(played.events, TINY.read_text(), TINY.name), encoding="utf-8")
    return path


def test_a_game_file_and_a_stored_game_load_the_same(
    played: Game, game_file: Path, tmp_path: Path
) -> None:
    from_file = load_logged(str(game_file))
    assert from_file.scenario is not None and from_file.game_id is None
    assert [e.model_dump() for e in from_file.events] == [e.model_dump() for e in played.events]
    with RunStore(f"sqlite:///{tmp_path / 'runs.db'}") as store:
        sha = store.add_scenario(from_file.text, from_file.source, "wargame-tiny")
        game_id = store.start_game(sha, "wargame-tiny", played.seed)
        store.append_events(game_id, played.events)
        by_id = load_logged(str(game_id), store=store)
        stored = stored_game(store, game_id)
        cache = {sha: from_file.compiled()}
        cached = stored_game(store, game_id, compiled=cache.__getitem__)
    for other in (by_id, stored, cached):
        assert other.game_id == game_id and other.text == from_file.text
        assert [e.model_dump() for e in other.events] == [e.model_dump() for e in played.events]
        assert other.game().state == played.state
    assert cached.scenario is cache[sha]


def test_replay_folds_the_log_up_to_a_turn(played: Game) -> None:
    full = replay(played.events)
    assert full.state == fold(played.events) and full.summary()["outcome"] == played.state.outcome
    part = replay(played.events, 2)
    assert part.summary()["turn"] == 2 and part.summary()["outcome"] is None
    assert all(e.turn <= 2 for e in part.events)
    json.dumps(part.summary())
    last = max(e.turn for e in played.events)
    with pytest.raises(UsageError, match=f"expected a turn from 0 to {last}"):
        replay(played.events, last + 1)
    with pytest.raises(UsageError, match="no events"):
        replay([])


def test_a_bare_log_replays_but_needs_its_scenario_to_branch(played: Game, tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps([e.model_dump(mode="json") for e in played.events]))
    loaded = load_logged(str(bare), need_scenario=False)
    assert loaded.scenario is None and len(loaded.events) == len(played.events)
    with pytest.raises(UsageError, match="does not carry its scenario"):
        load_logged(str(bare))
    with pytest.raises(UsageError, match="does not carry its scenario"):
        branch(loaded, 2)
    assert load_logged(str(bare), scenario=TINY.parent / TINY.name).scenario is not None
    with pytest.raises(UsageError, match=r"no scenario\.yaml in folder"):
        load_logged(str(bare), scenario=tmp_path)


def test_branch_is_the_engine_branch_with_the_settings_applied(played: Game) -> None:
    logged = LoggedGame(played.scenario, "", "", list(played.events))
    settings = BranchSettings(values={"escalation": 5.0}, orders={"cn": []})
    seen: list[int] = []
    result = branch(logged, 2, settings, "test", on_branch=lambda g: seen.append(len(g.events)))
    expected = Game(played.scenario, players=default_players(played.scenario), events=played.events)
    twin = expected.branch(2)
    assert seen == [len(twin.events)]  # on_branch sees the branch before it changes
    twin.override("test", values={"escalation": 5.0})
    twin.step({"cn": []})
    twin.run()
    assert result.game.state == twin.state
    assert result.original == played.state
    summary = result.summary()
    assert summary["branch_turn"] == 2
    assert summary["changed_values"] == {
        k: {"original": a, "branch": b} for k, (a, b) in result.changed_values().items()
    }
    with pytest.raises(UsageError, match="cannot branch at turn 99"):
        branch(logged, 99)
    with pytest.raises(UsageError, match="no actor 'nobody'"):
        branch(logged, 2, BranchSettings(orders={"nobody": []}))
