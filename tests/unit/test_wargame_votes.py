"""Votes cast by hand on group decisions: they replace the member's formula, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import UsageError
from accord.wargame import Game, default_players, load_wargame
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import DecisionTaken, dump_log

TINY = Path(__file__).parents[2] / "scenarios" / "wargame-tiny.yaml"


@pytest.fixture(scope="module")
def tiny() -> CompiledScenario:
    return load_wargame(TINY)


def _decision(game: Game, did: str) -> DecisionTaken:
    return next(e for e in game.events if isinstance(e, DecisionTaken) and e.decision == did)


def test_a_hand_vote_flips_a_unanimity_decision(tiny: CompiledScenario) -> None:
    order = {"jp": ["jp_declare_important_influence"]}
    formula = Game(tiny, 0, initial={"jp_support": 0.1})
    formula.step(order)
    assert not _decision(formula, "jp_cabinet").agreed  # the formula says no (0.1 < 0.4)
    hand = Game(tiny, 0, initial={"jp_support": 0.1})
    hand.step(order, votes={"jp_cabinet": {"jp": True}})
    taken = _decision(hand, "jp_cabinet")
    assert taken.agreed and taken.support == {"jp": True} and taken.by_hand == ["jp"]
    assert "important_influence" in hand.state.gates
    assert '"by_hand":["jp"]' in dump_log(hand.events)
    # and the other way: a hand "oppose" blocks what the formula would agree
    no = Game(tiny, 0, initial={"jp_support": 0.9})
    no.step(order, votes={"jp_cabinet": {"jp": False}})
    assert not _decision(no, "jp_cabinet").agreed
    assert _decision(no, "jp_cabinet").blockers == ["jp"]


def test_no_votes_leave_the_log_byte_identical(tiny: CompiledScenario) -> None:
    plain = Game(tiny, 4, default_players(tiny)).run().log_json()
    voted = Game(tiny, 4, default_players(tiny))
    while not voted.ended:
        voted.step(votes={})
    assert voted.log_json() == plain
    assert "by_hand" not in plain


def test_votes_only_for_members_of_known_decisions(tiny: CompiledScenario) -> None:
    game = Game(tiny, 0)
    with pytest.raises(UsageError, match="not a member"):
        game.step(votes={"jp_cabinet": {"us": True}})
    with pytest.raises(UsageError, match="no decision"):
        game.step(votes={"nope": {"jp": True}})
