"""Decision rules: winning coalitions by hand, building rules from scenario actors, veto players."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import ScenarioError, UsageError
from accord.rules.base import EULisbon, EUNice, SimpleMajority, Unanimity, WeightedThreshold
from accord.rules.build import build_rule, member_values
from accord.rules.veto import veto_player_ids, veto_players
from accord.scenario.schema import (
    Actor,
    Attribute,
    ConsensusRule,
    EULisbonRule,
    EUNiceRule,
    Quantity,
    SimpleMajorityRule,
    WeightedRule,
)
from tests.strategies import coalitions, decision_rules

IDS = ["a", "b", "c", "d", "e"]


def all_coalitions(k: int) -> np.ndarray:
    masks = np.arange(1 << k)
    return ((masks[:, None] >> np.arange(k)) & 1).astype(bool)


def actor(aid: str, capability: float = 1.0, **attrs: float | str | bool) -> Actor:
    return Actor(
        id=aid,
        name=aid.upper(),
        capability=Quantity(value=capability, source="test"),
        attributes={k: Attribute(value=v, source="test") for k, v in attrs.items()},
    )


# --- is_winning by hand -------------------------------------------------------------------------


def test_unanimity_wins_only_with_everyone() -> None:
    rule = Unanimity(IDS)
    support = all_coalitions(5)
    wins = rule.is_winning(support)
    assert wins.sum() == 1 and wins[-1]
    assert rule.name == "consensus"
    assert Unanimity(IDS, name="unanimity").name == "unanimity"


def test_simple_majority_counts_heads() -> None:
    assert SimpleMajority(IDS).is_winning([1, 1, 1, 0, 0])
    assert not SimpleMajority(IDS).is_winning([1, 1, 0, 0, 0])
    four = SimpleMajority(IDS[:4])
    assert not four.is_winning([1, 1, 0, 0])  # a tie loses
    assert four.is_winning([1, 1, 1, 0])
    assert four.quota == 3


def test_weighted_threshold_weak_and_strict() -> None:
    weak = WeightedThreshold(["a", "b", "c"], [49, 49, 2], 51)
    assert weak.is_winning([1, 0, 1]) and not weak.is_winning([1, 0, 0])
    at = WeightedThreshold(["a", "b", "c"], [50, 30, 20], 50)
    assert at.is_winning([1, 0, 0])
    strict = WeightedThreshold(["a", "b", "c"], [50, 30, 20], 50, strict=True)
    assert not strict.is_winning([1, 0, 0]) and strict.is_winning([1, 0, 1])


def test_weighted_threshold_tolerates_float_sums() -> None:
    rule = WeightedThreshold(["a", "b", "c"], [0.1, 0.2, 0.7], 0.3)
    assert rule.is_winning([1, 1, 0])  # 0.1 + 0.2 = 0.30000000000000004 vs 0.3


def test_is_winning_vectorises_over_leading_axes() -> None:
    rule = SimpleMajority(IDS)
    support = all_coalitions(5).reshape(4, 8, 5)
    wins = rule.is_winning(support)
    assert wins.shape == (4, 8)
    assert np.array_equal(wins.reshape(-1), all_coalitions(5).sum(axis=1) >= 3)


def test_wrong_support_shape_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="5 members"):
        SimpleMajority(IDS).is_winning([1, 0, 1])


def test_eu_nice_needs_all_three_criteria() -> None:
    # 5 made-up states: votes 10, 10, 8, 4, 3 (35); population 80, 60, 40, 10, 10 (200).
    # vote quota 255/345 * 35 = 25.87; majority of states = 3; population 62% = 124.
    rule = EUNice(IDS, votes=[10, 10, 8, 4, 3], population=[80, 60, 40, 10, 10])
    assert rule.states_needed == 3
    assert rule.is_winning([1, 1, 1, 0, 0])  # 28 votes, 3 states, 180 people
    assert not rule.is_winning([1, 1, 0, 1, 0])  # 24 votes: too few votes
    assert not rule.is_winning([1, 1, 0, 0, 0])  # too few votes and states
    # votes and states but not population: votes 10,10,8,4,3 with population moved
    shifted = EUNice(IDS, votes=[10, 10, 8, 4, 3], population=[10, 10, 10, 85, 85])
    assert not shifted.is_winning([1, 1, 1, 0, 0])  # 28 votes, 3 states, 30 of 200 people
    # majority of states means more than half for an even membership
    assert (
        EUNice(
            IDS[:4], [1, 1, 1, 1], [1, 1, 1, 1], vote_share=0.5, population_share=0.5
        ).states_needed
        == 3
    )


def test_eu_lisbon_double_majority_and_blocking_minority() -> None:
    ids = [f"s{i}" for i in range(10)]
    # 55% of 10 = 5.5 -> 6 states; 65% of population
    pop = [400, 100, 100, 100, 100, 50, 50, 50, 25, 25]  # total 1000
    rule = EULisbon(ids, pop)
    assert rule.states_needed == 6
    assert rule.is_winning([1, 1, 1, 1, 1, 1, 0, 0, 0, 0])  # 6 states, 850
    assert not rule.is_winning([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])  # 5 states
    assert not rule.is_winning([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])  # 6 states, 300 people, 4 against
    assert rule.min_blocking_states == 4


def test_eu_lisbon_blocking_clause_by_hand() -> None:
    ids = [f"s{i}" for i in range(10)]
    pop = [400, 100, 100, 100, 100, 50, 50, 50, 25, 25]
    rule = EULisbon(ids, pop)
    # one big state against: 600 of 1000 < 65%, but fewer than 4 states against -> QMV
    assert rule.is_winning([0, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    strict = EULisbon(ids, pop, min_blocking_states=1)
    assert not strict.is_winning([0, 1, 1, 1, 1, 1, 1, 1, 1, 1])


def test_eu_lisbon_state_share_float_edge() -> None:
    # 0.55 * 20 = 11.000000000000002 in floating point: 11 states must suffice
    rule = EULisbon([f"s{i}" for i in range(20)], [1.0] * 20)
    assert rule.states_needed == 11


@settings(max_examples=60, deadline=None)
@given(data=st.data(), k=st.integers(1, 8))
def test_every_rule_is_monotone(data: st.DataObject, k: int) -> None:
    rule = data.draw(decision_rules(k))
    support = data.draw(coalitions(k))
    extra = data.draw(coalitions(k))
    if rule.is_winning(support):
        assert rule.is_winning(support | extra)


# --- build_rule ----------------------------------------------------------------------------------


def test_build_consensus_and_majority() -> None:
    members = [actor(i) for i in IDS]
    assert isinstance(build_rule(ConsensusRule(kind="consensus"), members), Unanimity)
    assert build_rule(ConsensusRule(kind="unanimity"), members).name == "unanimity"
    rule = build_rule(SimpleMajorityRule(kind="simple-majority"), members)
    assert isinstance(rule, SimpleMajority) and rule.member_ids == tuple(IDS)


def test_build_weighted_relative_and_absolute_quota() -> None:
    members = [actor("a", 5), actor("b", 3), actor("c", 2)]
    rel = build_rule(WeightedRule(kind="qualified-majority", quota=0.6), members)
    assert isinstance(rel, WeightedThreshold)
    assert rel.quota == pytest.approx(6.0)
    assert rel.is_winning([1, 0, 1]) and not rel.is_winning([1, 0, 0])
    absolute = build_rule(
        WeightedRule(kind="weighted", quota=5, relative=False, strict=True), members
    )
    assert isinstance(absolute, WeightedThreshold)
    assert not absolute.is_winning([1, 0, 0]) and absolute.is_winning([1, 0, 1])


def test_build_reads_named_attribute() -> None:
    members = [actor("a", votes=29), actor("b", votes=10), actor("c", votes=3)]
    rule = build_rule(WeightedRule(kind="weighted", weights="votes", quota=0.5), members)
    assert np.array_equal(rule.weights, [29, 10, 3])


def test_build_eu_rules_from_attributes() -> None:
    members = [
        actor(i, council_votes=v, population=p)
        for i, v, p in zip(IDS, [10, 10, 8, 4, 3], [80, 60, 40, 10, 10], strict=True)
    ]
    nice = build_rule(EUNiceRule(kind="eu-nice"), members)
    assert isinstance(nice, EUNice) and nice.is_winning([1, 1, 1, 0, 0])
    lisbon = build_rule(EULisbonRule(kind="eu-lisbon"), members)
    assert isinstance(lisbon, EULisbon)
    assert np.array_equal(lisbon.population, [80, 60, 40, 10, 10])


def test_build_missing_attribute_names_actor_and_attribute() -> None:
    members = [actor("fr", population=67.0), actor("de")]
    with pytest.raises(ScenarioError) as err:
        build_rule(EULisbonRule(kind="eu-lisbon"), members)
    text = str(err.value)
    assert "'de'" in text and "population" in text
    assert err.value.location.field == "actors.de.attributes.population"


def test_build_non_numeric_attribute_is_an_error() -> None:
    members = [actor("fr", population="large"), actor("de", population=83.0)]
    with pytest.raises(ScenarioError, match=r"'fr'.*not a number"):
        member_values(members, "population", "eu-lisbon")
    members = [actor("fr", population=True), actor("de", population=83.0)]
    with pytest.raises(ScenarioError, match="not a number"):
        member_values(members, "population", "eu-lisbon")


def test_build_unreachable_quota_is_an_error() -> None:
    members = [actor("a", 1), actor("b", 1)]
    with pytest.raises(ScenarioError, match="no coalition could ever win"):
        build_rule(WeightedRule(kind="weighted", quota=3, relative=False), members)
    with pytest.raises(ScenarioError, match="no coalition could ever win"):
        build_rule(WeightedRule(kind="weighted", quota=1.0, strict=True), members)


def test_build_without_members_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        build_rule(ConsensusRule(kind="consensus"), [])


# --- veto players --------------------------------------------------------------------------------


def test_veto_players_per_rule() -> None:
    assert veto_players(Unanimity(IDS)) == [0, 1, 2, 3, 4]
    assert veto_players(SimpleMajority(IDS)) == []
    # a member holding more than total - quota is a veto player: 60 > 100 - 51
    assert veto_player_ids(WeightedThreshold(["a", "b", "c"], [60, 30, 10], 51)) == ["a"]
    # quota = total: everyone with positive weight
    assert veto_players(WeightedThreshold(["a", "b", "c"], [1, 1, 0], 2)) == [0, 1]
    nice = EUNice(IDS, votes=[10, 10, 8, 4, 3], population=[80, 60, 40, 10, 10])
    # without state 0 (votes 25 < 25.87) nothing passes; without state 1 votes are 25 too
    assert veto_players(nice) == [0, 1]
    lisbon = EULisbon([f"s{i}" for i in range(10)], [400, 100, 100, 100, 100, 50, 50, 50, 25, 25])
    assert veto_players(lisbon) == []  # one state alone is no blocking minority
    small = EULisbon(
        [f"s{i}" for i in range(10)],
        [400, 100, 100, 100, 100, 50, 50, 50, 25, 25],
        min_blocking_states=1,
    )
    assert veto_players(small) == [0]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), k=st.integers(1, 7))
def test_veto_player_is_in_every_winning_coalition(data: st.DataObject, k: int) -> None:
    rule = data.draw(decision_rules(k))
    vetoes = veto_players(rule)
    support = all_coalitions(k)
    wins = rule.is_winning(support)
    for i in vetoes:
        assert not np.any(wins & ~support[:, i])
    for i in set(range(k)) - set(vetoes):
        assert np.any(wins & ~support[:, i])
