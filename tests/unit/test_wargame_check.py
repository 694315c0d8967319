"""Scenario invariants, event-defined outcome labels and ``accord wargame check``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accord.errors import ScenarioError
from accord.wargame import Game, default_players, load_wargame, loads_wargame
from accord.wargame.check import check_log, check_scenario
from accord.wargame.engine import NO_DECISIVE_OUTCOME
from accord.wargame.expr import compile_expr
from accord.wargame.log import GameEnded

ROOT = Path(__file__).parents[2]
TINY = ROOT / "scenarios" / "wargame-tiny.yaml"
TEXT = TINY.read_text(encoding="utf-8")
TAIWAN = ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml"
Run = Callable[..., Any]


def test_history_functions_read_the_counters_and_check_their_argument() -> None:
    events = {"done": frozenset({"a"}), "declared": frozenset({"g"})}
    e = compile_expr("done(a) >= 1 and declared(g) == 0", {"x"}, "f", events)
    assert e.truth({"done:a": 2.0}) and not e.truth({})
    with pytest.raises(ScenarioError, match="unknown action event 'b'"):
        compile_expr("done(b)", {"x"}, "f", events)
    with pytest.raises(ScenarioError, match="not allowed here"):
        compile_expr("done(a)", {"x"}, "f")  # e.g. in an action's precondition
    with pytest.raises(ScenarioError, match="takes one"):
        compile_expr("done(a, a)", {"x"}, "f", events)


def test_a_game_counts_what_happened_and_labels_by_events() -> None:
    s = load_wargame(TINY)
    game = Game(s, 3, default_players(s), sample_uncertain=True).run()
    h = game.state.history
    assert h["done:cn_drills"] >= 1 and h["fired:pla_drills"] == 1
    violated, label, consistent = check_log(s, game.events)
    assert not violated and label == game.state.outcome and consistent
    # a log whose label contradicts its events is caught
    end = game.events[-1]
    assert isinstance(end, GameEnded)
    other = "taiwan_falls" if end.outcome != "taiwan_falls" else "taiwan_holds"
    tampered = [*game.events[:-1], end.model_copy(update={"outcome": other})]
    assert check_log(s, tampered)[2] is False


def test_a_violated_invariant_is_reported_with_its_first_game_and_turn() -> None:
    text = TEXT.replace(
        'expression: "done(jp_defend) == 0 or survival_threatening >= 1"',
        'expression: "fired(pla_drills) == 0"',
    )
    s = loads_wargame(text, "tiny.yaml")
    result = check_scenario(s, 5, seed=2)
    inv = {i.id: i for i in result.invariants}["defend_needs_its_gate"]
    assert inv.violations == 5 and inv.first == {"game": 0, "turn": 1}
    assert not result.ok


def test_without_a_catch_all_the_label_is_no_decisive_outcome() -> None:
    text = TEXT.replace('    when: "taiwan_control >= 0.5"', '    when: "taiwan_control > 2"')
    s = loads_wargame(text, "tiny.yaml")
    result = check_scenario(s, 10, seed=1)
    labels = {lab.label: lab for lab in result.labels}
    assert labels[NO_DECISIVE_OUTCOME].runs > 0 and labels[NO_DECISIVE_OUTCOME].consistent


def test_check_taiwan_strait_json(run_cli: Run) -> None:
    # docs/wargame.md gives the 300-run figure; the suite checks fewer games
    res = run_cli("wargame", "check", TAIWAN, "--runs", "12", "--seed", "11", "-f", "json")
    assert res.code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["runs"] == 12 and len(data["invariants"]) >= 6
    assert {"id", "expression", "violations", "first"} <= set(data["invariants"][0])
    assert all(i["violations"] == 0 and i["first"] is None for i in data["invariants"])
    assert all(lab["consistent"] for lab in data["labels"])
    assert sum(lab["runs"] for lab in data["labels"]) == 12
    spec = load_wargame(TAIWAN).spec
    labels = {lab["label"] for lab in data["labels"]}
    assert {o.id for o in spec.outcomes} | {NO_DECISIVE_OUTCOME} == labels
    # at least one invariant per legal gate and per label
    text = " ".join(f"{i.id} {i.label} {i.expression}" for i in spec.invariants)
    for g in spec.gates:
        assert g.id in text, g.id
    for label in labels:
        assert label in text, label


def test_check_fails_with_status_1_on_a_violation(run_cli: Run, tmp_path: Path) -> None:
    bad = tmp_path / "tiny.yaml"
    bad.write_text(TEXT.replace("taiwan_control >= 0.5 or succeeded", "turn < 2 or succeeded"))
    res = run_cli("wargame", "check", bad, "--runs", "3")
    assert res.code == 1 and "FAILED" in res.stdout


def test_outcome_labels_need_the_event_they_name() -> None:
    s = load_wargame(TAIWAN)
    for seed in range(40):
        game = Game(s, seed, default_players(s), sample_uncertain=True).run()
        h, out = game.state.history, game.state.outcome
        if out == "invasion_defeated":
            assert h.get("failed:chn_invasion", 0) >= 1
        if out == "taiwan_falls":
            assert h.get("succeeded:chn_invasion", 0) >= 1
        if out == "blockade_holds":
            assert game.state.values["blockade"] >= 0.4 and h.get("done:chn_invasion", 0) == 0


BAD = [
    (
        'expression: "done(jp_defend) == 0 or survival_threatening >= 1"',
        'expression: "done(jp_defend) == = 0"',
        "invariants[0].expression",
        "syntax error",
    ),
    (
        'expression: "done(jp_defend) == 0 or survival_threatening >= 1"',
        'expression: "surival_threatening >= 1"',
        "invariants[0].expression",
        "unknown variable 'surival_threatening'",
    ),
    (
        'when: "succeeded(cn_landing) >= 1 and taiwan_control < 0.5"',
        'when: "succeeded(cn_invasion) >= 1 and taiwan_control < 0.5"',
        "outcomes[0].when",
        "unknown action event 'cn_invasion'",
    ),
    ("legal_source: [A05]", "legal_source: [A55]", "gates[1].legal_source[0]", "'A55'"),
    (
        "  - id: fr\n    name: France\n    team: europe\n",
        "  - id: fr\n    name: France\n    team: europe\n  - id: fr\n    team: blue\n",
        "actors[4].team",
        "actor 'fr' is on two teams",
    ),
]


def test_a_fact_row_at_the_wrong_line_of_its_file(run_cli: Run, tmp_path: Path) -> None:
    facts = ROOT / "tests" / "data" / "facts" / "japan_legal_gates.csv"
    text = TEXT.replace("file: tests/data/facts/japan_legal_gates.csv", f"file: {facts}")
    good = tmp_path / "good.yaml"
    good.write_text(text, encoding="utf-8")
    assert load_wargame(good).spec.facts[0].line == 6
    bad = tmp_path / "broken.yaml"
    bad.write_text(text.replace("line: 6", "line: 5"), encoding="utf-8")
    res = run_cli("wargame", "check", bad, "--runs", "1")
    err = " ".join(res.stderr.split())
    assert res.code == 2 and "Traceback" not in res.stderr
    assert "field 'facts[0].line'" in err and "fact 'A05' is not at" in err, err


def test_the_run_headline_names_what_the_label_means(run_cli: Run) -> None:
    res = run_cli("wargame", "run", TINY, "--runs", "20", "--seed", "2")
    assert res.code == 0, res.stderr
    text = " ".join(res.stdout.split())
    assert "most frequent outcome: taiwan_holds (taiwan_control >= 0.5)" in text


def test_a_gate_declared_without_its_legal_condition_is_rejected_naming_it() -> None:
    s = load_wargame(TAIWAN)
    game = Game(s, 1, {})
    game.step({"jp_pm": ["jp_declare_survival_threatening"]})
    rejected = [e for e in game.events if e.kind == "order-rejected"]
    assert len(rejected) == 1
    assert "condition not met: an armed attack against a foreign country" in rejected[0].reason
    assert "survival_threatening" not in game.state.gates


@pytest.mark.parametrize(("old", "new", "field", "message"), BAD)
def test_bad_scenarios_get_one_clear_error(
    run_cli: Run, tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    assert old in TEXT, old
    bad = tmp_path / "broken.yaml"
    bad.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    res = run_cli("wargame", "check", bad, "--runs", "1")
    err = " ".join(res.stderr.split())
    assert res.code == 2 and "Traceback" not in res.stderr
    # one message (the console may wrap it), naming the file, its line and the field
    assert err.startswith("error: broken.yaml:") and err.count("error:") == 1, err
    assert f"field '{field}'" in err and message in err, err


def test_history_counters_are_the_event_counts_and_gate_delays_follow_hesitation() -> None:
    from accord.wargame.log import ActionExecuted, GameStarted, GateDeclared

    s = load_wargame(TAIWAN)
    delays = []
    for seed in (3, 8):
        game = Game(s, seed, default_players(s), sample_uncertain=True).run()
        counts: dict[str, float] = {}
        for e in game.events:
            if isinstance(e, ActionExecuted):
                counts[f"done:{e.action}"] = counts.get(f"done:{e.action}", 0) + 1
        done = {k: v for k, v in game.state.history.items() if k.startswith("done:")}
        assert done == counts
        start = game.events[0]
        assert isinstance(start, GameStarted)
        hesitation = start.values["cabinet_hesitation"]
        for e in game.events:
            if isinstance(e, GateDeclared) and e.gate == "important_influence":
                delays.append(e.opens_at - e.turn)
                assert e.opens_at - e.turn == round(1 + hesitation)
    assert delays


def test_a_decision_with_a_procedure_takes_positions_for_every_member() -> None:
    old = '''    support:
      us: "true"
      fr: "threat_fr >= 0.6"
      de: "threat_de >= 0.5"'''
    assert old in TEXT
    proc = '''    procedure:
      name: practised
      position: {us: "100", fr: "100 * threat_fr", de: "100 * threat_de"}
      cost_of_objecting: "10"'''
    s = loads_wargame(TEXT.replace(old, proc), "tiny.yaml")
    game = Game(s, 1, default_players(s)).run()
    votes = [e for e in game.events if e.kind == "decision" and e.decision == "nato_statement"]
    assert votes and all(v.procedure == "practised" and v.procedure_outcome for v in votes)
    with pytest.raises(ScenarioError, match="no position for member"):
        loads_wargame(TEXT.replace(old, proc.replace(', de: "100 * threat_de"', "")), "t.yaml")
    with pytest.raises(ScenarioError, match="positions, not support formulas"):
        loads_wargame(TEXT.replace(old, old + "\n" + proc), "tiny.yaml")
