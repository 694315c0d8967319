"""The war-game engine on the tiny scenario: determinism, replay, gates, decisions, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.wargame import (
    Game,
    HumanPlayer,
    ScriptedPlayer,
    UtilityPlayer,
    default_players,
    fold,
    load_log,
    load_wargame,
)
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import ActionExecuted, DecisionTaken, Draw, GameStarted, GateOpened

TINY = Path(__file__).parents[2] / "scenarios" / "wargame-tiny.yaml"


@pytest.fixture(scope="module")
def tiny() -> CompiledScenario:
    return load_wargame(TINY)


def test_same_seed_same_bytes_other_seed_other_game(tiny: CompiledScenario) -> None:
    logs = [
        Game(tiny, s, default_players(tiny), sample_uncertain=True).run().log_json()
        for s in (7, 7, 8)
    ]
    assert logs[0] == logs[1]
    assert logs[0] != logs[2]


def test_state_is_a_fold_over_the_log_and_the_log_round_trips(tiny: CompiledScenario) -> None:
    game = Game(tiny, 3, default_players(tiny)).run()
    replayed = fold(load_log(game.log_json()))
    assert replayed == game.state
    assert replayed.outcome in {"taiwan_holds", "taiwan_falls"}
    assert [e.seq for e in game.events] == list(range(len(game.events)))


def test_every_draw_is_logged_and_follows_u_below_p(tiny: CompiledScenario) -> None:
    game = Game(tiny, 11, default_players(tiny)).run()
    draws = [e for e in game.events if isinstance(e, Draw)]
    assert draws, "the doctrine orders landings, which are adjudicated"
    for d in draws:
        assert d.success == (d.u < d.probability)


def test_resume_and_branch_continue_identically(tiny: CompiledScenario) -> None:
    full = Game(tiny, 5, default_players(tiny)).run()
    half = Game(tiny, 5, default_players(tiny)).run(max_turns=3)
    resumed = Game(tiny, players=default_players(tiny), events=load_log(half.log_json())).run()
    assert resumed.log_json() == full.log_json()
    branched = full.branch(4).run()
    assert branched.log_json() == full.log_json()


def test_what_if_changes_the_game_from_the_branch_turn(tiny: CompiledScenario) -> None:
    from accord.wargame.review import what_if

    base = Game(tiny, 5, default_players(tiny)).run()
    alt = what_if(base, 3, orders={"cn": []})
    assert [e.model_dump() for e in alt.events if e.turn < 3] == [
        e.model_dump() for e in base.events if e.turn < 3
    ]
    assert not any(
        isinstance(e, ActionExecuted) and e.actor == "cn" and e.turn == 3 for e in alt.events
    )
    assert alt.log_json() != base.log_json()


def test_gated_action_rejected_until_the_gate_opens_after_its_delay(
    tiny: CompiledScenario,
) -> None:
    game = Game(tiny, 0)
    game.step({"jp": ["jp_rear_support", "jp_declare_important_influence"]})
    kinds = [(e.kind, getattr(e, "action", None)) for e in game.events if e.turn == 1]
    assert ("order-rejected", "jp_rear_support") in kinds
    assert ("action", "jp_declare_important_influence") in kinds
    assert game.state.gates["important_influence"].status == "pending"
    game.step({"jp": ["jp_rear_support"]})  # delay 1: open at turn 2
    assert game.state.gate_open("important_influence")
    assert game.state.values["us_access"] == 1.0


def test_gate_needs_its_condition_and_its_cabinet_decision(tiny: CompiledScenario) -> None:
    game = Game(tiny, 0)
    game.step({"jp": ["jp_declare_survival_threat"]})  # escalation 2 < 3 required
    rejected = [e for e in game.events if e.kind == "order-rejected"]
    assert rejected and "requires" in rejected[0].reason  # type: ignore[union-attr]
    low = Game(tiny, 0, initial={"jp_support": 0.1})
    low.step({"jp": ["jp_declare_important_influence"]})
    decision = next(e for e in low.events if isinstance(e, DecisionTaken))
    assert decision.decision == "jp_cabinet" and not decision.agreed
    assert "important_influence" not in low.state.gates


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    script=st.lists(
        st.lists(
            st.sampled_from(
                [
                    "jp_rear_support",
                    "jp_defend",
                    "jp_declare_important_influence",
                    "jp_declare_survival_threat",
                    "cn_drills",
                    "cn_blockade",
                    "cn_landing",
                ]
            ),
            max_size=4,
        ),
        min_size=6,
        max_size=6,
    ),
)
def test_property_no_gated_action_ever_executes_without_its_gate(
    tiny: CompiledScenario, seed: int, script: list[list[str]]
) -> None:
    jp = {t + 1: [a for a in acts if a.startswith("jp")] for t, acts in enumerate(script)}
    cn = {t + 1: [a for a in acts if a.startswith("cn")] for t, acts in enumerate(script)}
    game = Game(tiny, seed, {"jp": ScriptedPlayer(jp), "cn": ScriptedPlayer(cn)}).run()
    needs = {a.id: a.requires_gates for a in tiny.spec.actions}
    replay = fold([])
    for event in game.events:
        if isinstance(event, ActionExecuted):
            assert all(replay.gate_open(g) for g in needs[event.action])
        if isinstance(event, GateOpened):
            declared = replay.gates.get(event.gate)
            assert declared is not None and declared.opens_at is not None
            assert declared.opens_at <= event.turn
        replay.apply(event)


def test_nato_statement_flips_from_blocked_to_agreed_as_perception_moves(
    tiny: CompiledScenario,
) -> None:
    game = Game(tiny, 0, {"cn": ScriptedPlayer({1: ["cn_blockade"]})}).run(max_turns=2)
    votes = [
        e for e in game.events if isinstance(e, DecisionTaken) and e.decision == "nato_statement"
    ]
    assert [v.agreed for v in votes] == [False, True]
    assert votes[0].blockers == ["fr"] and votes[0].pivotal == ["fr"]
    assert votes[1].support["fr"]
    assert game.state.agreed["nato_statement"] == 2
    # without the blockade, the missiles never come and France keeps blocking
    calm = Game(tiny, 0).run(max_turns=2)
    assert "nato_statement" not in calm.state.agreed


def test_override_is_logged_with_its_reason_and_forces_a_draw(tiny: CompiledScenario) -> None:
    game = Game(tiny, 0, initial={"escalation": 3})
    game.override("umpire: the landing fails regardless", force={"cn_landing": False})
    game.step({"cn": ["cn_landing"]})
    draw = next(e for e in game.events if isinstance(e, Draw))
    assert draw.forced and not draw.success
    override = next(e for e in game.events if e.kind == "override")
    assert override.reason == "umpire: the landing fails regardless"  # type: ignore[union-attr]
    game.override("set by hand", values={"taiwan_control": 0.2})
    assert game.state.values["taiwan_control"] == 0.2
    with pytest.raises(UsageError):
        game.override("", values={"escalation": 1})
    with pytest.raises(UsageError):
        game.override("out of range", values={"escalation": 9})
    assert fold(game.events) == game.state


def test_effects_are_clamped_to_the_range(tiny: CompiledScenario) -> None:
    game = Game(tiny, 0, initial={"escalation": 4.8})
    game.step({"cn": ["cn_blockade"]})
    assert game.state.values["escalation"] == 5.0


def test_fog_of_war_and_human_team(tiny: CompiledScenario) -> None:
    human = HumanPlayer()
    human.submit("jp", ["jp_declare_important_influence"])
    game = Game(tiny, 0, {"jp": human, "us": UtilityPlayer(tiny, "us")})
    game.step()
    assert human.last_view is not None
    assert "cn_resolve" not in human.last_view.values
    assert "cn_resolve" in human.last_view.hidden
    assert "cn_resolve" in game.view("cn").values
    assert game.state.gates["important_influence"].status == "pending"
    game.step()
    debrief = game.view("jp").debrief
    assert any(e.kind == "gate-declared" for e in debrief)
    assert all("cn_resolve" not in e.changes for e in debrief)


def test_utility_player_picks_the_best_expected_action(tiny: CompiledScenario) -> None:
    us = UtilityPlayer(tiny, "us")
    game = Game(tiny, 0, initial={"taiwan_control": 0.5, "escalation": 2})
    view = game.view("us")
    assert [o.action for o in us.orders(view)] == ["us_reinforce"]
    game2 = Game(tiny, 0, initial={"taiwan_control": 1.0, "escalation": 2})
    assert us.orders(game2.view("us")) == []


def test_bad_api_use(tiny: CompiledScenario) -> None:
    with pytest.raises(UsageError):
        Game(tiny, -1)
    with pytest.raises(UsageError):
        Game(tiny, 0, initial={"nope": 1})
    with pytest.raises(UsageError):
        Game(tiny, 0, {"nobody": HumanPlayer()})
    game = Game(tiny, 0).run()
    with pytest.raises(UsageError):
        game.step()
    assert isinstance(game.events[0], GameStarted)
