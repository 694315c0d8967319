"""Loading war-game scenarios: broken and hostile files are rejected with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import ScenarioError
from accord.wargame import Game, loads_wargame

TINY = Path(__file__).parents[2] / "scenarios" / "wargame-tiny.yaml"
TEXT = TINY.read_text(encoding="utf-8")


def broken(old: str, new: str) -> ScenarioError:
    assert old in TEXT, old
    with pytest.raises(ScenarioError) as info:
        loads_wargame(TEXT.replace(old, new, 1), "tiny.yaml")
    err = info.value
    assert err.location.file == "tiny.yaml"
    assert err.location.line is not None
    return err


def line_of(fragment: str) -> int:
    return next(i for i, line in enumerate(TEXT.splitlines(), 1) if fragment in line)


def test_the_tiny_scenario_loads() -> None:
    s = loads_wargame(TEXT, "tiny.yaml")
    assert s.spec.clock.turns == 6 and "important_influence" in s.gates


def test_code_in_an_expression() -> None:
    err = broken('precondition: "escalation < 5"', "precondition: \"__import__('os').getcwd()\"")
    assert "calls other than" in err.message
    assert err.location.field == "actions[0].precondition"
    assert err.location.line == line_of('precondition: "escalation < 5"')


def test_attribute_access_in_a_formula() -> None:
    err = broken('fr: "threat_fr >= 0.6"', 'fr: "threat_fr.__class__"')
    assert "attribute access" in err.message and err.location.field == "decisions[1].support.fr"


def test_unknown_variable() -> None:
    err = broken('when: "escalation >= 3"', 'when: "escalaton >= 3"')
    assert "unknown variable 'escalaton'" in err.message
    assert err.location.field == "injects[1].when"


def test_inject_that_can_never_fire() -> None:
    err = broken('when: "escalation >= 3"', 'when: "escalation > 7"')
    assert "can never fire" in err.message
    err = broken("at_turn: 1", "at_turn: 9")
    assert "can never fire" in err.message and err.location.field == "injects[0].at_turn"


def test_set_outside_the_range_is_rejected_at_load() -> None:
    err = broken("set: {us_access: 1}", "set: {us_access: 3}")
    assert "outside its range" in err.message


def test_effects_beyond_the_range_clamp_or_error_by_policy() -> None:
    strict = loads_wargame(TEXT.replace("bounds: clamp", "bounds: error"), "tiny.yaml")
    game = Game(strict, 0, initial={"escalation": 4.8})
    with pytest.raises(ScenarioError, match="outside its range"):
        game.step({"cn": ["cn_blockade"]})


def test_unknown_field_reference_and_gate_owner() -> None:
    assert "not permitted" in broken("turn_length: 3.5 days", "turn_lenght: 3.5 days").message
    err = broken("requires_gates: [important_influence]", "requires_gates: [armed_attack]")
    assert "unknown legal gate 'armed_attack'" in err.message
    err = broken("declares_gate: survival_threatening", "declares_gate: nowhere")
    assert "unknown legal gate" in err.message
    err = broken("members: [us, fr, de]", "members: [us, fr, de, it]")
    assert "unknown actor 'it'" in err.message


def test_missing_support_formula_and_bad_ids() -> None:
    err = broken('      de: "threat_de >= 0.5"\n', "")
    assert "no support formula" in err.message
    err = broken("- id: us_access", "- id: turn")
    assert "reserved" in err.message
    err = broken("- id: cn_resolve", "- id: escalation")
    assert "already the id" in err.message


def test_assumption_needs_a_reason_and_yaml_tags_are_refused() -> None:
    err = broken("    reason: illustrative; Germany's threat perception of China\n", "")
    assert "needs a 'source' or a 'reason'" in err.message
    with pytest.raises(ScenarioError, match="tag"):
        loads_wargame("!!python/object/apply:os.system ['echo hi']\n", "evil.yaml")


def test_doctrine_must_use_the_actors_own_actions() -> None:
    err = broken("then: cn_drills}", "then: jp_defend}")
    assert "belongs to 'jp'" in err.message


def test_taiwan_strait_scenario_loads_and_plays() -> None:
    from accord.wargame import default_players, load_wargame

    path = Path(__file__).parents[2] / "scenarios" / "taiwan-strait" / "scenario.yaml"
    s = load_wargame(path)
    assert {"important_influence", "survival_threatening", "armed_attack"} <= set(s.gates)
    assert all(v.source or (v.assumed and v.reason) for v in s.spec.variables)
    runs = [Game(s, 9, default_players(s), sample_uncertain=True).run() for _ in range(2)]
    assert runs[0].log_json() == runs[1].log_json()
    assert runs[0].state.outcome is not None
