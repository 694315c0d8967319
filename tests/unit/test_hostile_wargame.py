"""Hostile war-game inputs (issue 15): scenario and game files refused in one clean line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from accord.wargame.gamefile import dump_game
from tests.conftest import CliResult
from tests.unit.test_hostile import refused

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "wargame-tiny.yaml"
TINY_TEXT = TINY.read_text(encoding="utf-8")

Run = Callable[..., CliResult]


def edited(tmp_path: Path, old: str, new: str, name: str = "game.yaml") -> Path:
    assert old in TINY_TEXT, old
    path = tmp_path / name
    path.write_text(TINY_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("    team: red\n", "    team: purple\n", "unknown team 'purple'"),
        ("    range: [0.5, 1.5]\n", "    range: [-.inf, .inf]\n", "[-inf, inf]"),
        ("    hi: 5\n", "    hi: .inf\n", "not finite"),
        ("    delay_turns: 1\n", "    delay_turns: 1.0e+21\n", "delay_turns"),
        ("    delay_turns: 1\n", "    delay_turns: 5000\n", "horizon"),
        ("{taiwan_control: 1.0,", "{taiwan_control: .nan,", "not finite"),
        (
            'precondition: "escalation < 5"',
            'precondition: "escalation < 1' + "0" * 400 + '"',
            "1000",
        ),
        ('precondition: "escalation < 5"', "precondition: [1, 2]", "expected"),
    ],
)
def test_bad_wargame_scenarios(
    run_cli: Run, tmp_path: Path, old: str, new: str, needle: str
) -> None:
    path = edited(tmp_path, old, new)
    line = refused(run_cli("wargame", "run", path, "--runs", "2"), "game.yaml")
    assert needle in line


def test_a_list_is_not_a_scenario(run_cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    line = refused(run_cli("wargame", "run", path, "--runs", "2"), "list.yaml")
    assert "WargameScenario" not in line


def test_runs_over_the_limit_point_to_sweep(run_cli: Run) -> None:
    line = refused(run_cli("wargame", "run", TINY, "--runs", "1000000000"))
    assert "accord sweep" in line and "ACCORD_MAX_RUNS" in line


def _game(tmp_path: Path, run_cli: Run) -> dict[str, object]:
    out = tmp_path / "mc"
    assert run_cli("wargame", "run", TINY, "--runs", "1", "--out", out, "--logs", "1").code == 0
    data: dict[str, object] = json.loads((out / "games" / "run-00000.json").read_text())
    return data


def test_tampered_game_files_are_refused_on_replay(run_cli: Run, tmp_path: Path) -> None:
    data = _game(tmp_path, run_cli)
    text = json.dumps(data)
    events = data["events"]
    assert isinstance(events, list)
    # NaN in a value
    nan = tmp_path / "nan.json"
    nan.write_text(text.replace('"initial"', '"initial"').replace("1.0", "NaN", 1))
    assert "NaN" in nan.read_text()
    refused(run_cli("wargame", "replay", nan), "nan.json")
    # an unknown variable
    first = next(e for e in events if isinstance(e, dict) and e.get("changes"))
    name = next(iter(first["changes"]))
    first["changes"]["no_such_variable"] = first["changes"].pop(name)
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(data))
    line = refused(run_cli("wargame", "replay", unknown), "unknown.json")
    assert "no_such_variable" in line


def test_deeply_nested_game_file(run_cli: Run, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    refused(run_cli("wargame", "replay", deep), "deep.json")
    scenario = TINY_TEXT.replace(
        '"escalation < 5"', '"' + "(" * 100_000 + "1" + ")" * 100_000 + '"'
    )
    game = tmp_path / "deep-scenario.json"
    game.write_text(dump_game([], scenario, "tiny.yaml"))
    refused(run_cli("wargame", "replay", game), "deep-scenario.json")


def test_division_by_zero_in_play_names_the_file(run_cli: Run, tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        'precondition: "escalation < 5"',
        'precondition: "1 / (escalation - escalation) < 5"',
    )
    line = refused(run_cli("wargame", "run", path, "--runs", "2"), "game.yaml")
    # refused at load time by the bounds check (wargame/bounds.py), before any game is played
    assert "divides by zero" in line or "can be 0" in line
