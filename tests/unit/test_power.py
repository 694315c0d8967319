"""Power indices: hand-computed games, agreement between methods, Monte Carlo error bars."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.rules.base import (
    DecisionRule,
    EULisbon,
    EUNice,
    SimpleMajority,
    Unanimity,
    WeightedThreshold,
)
from accord.rules.power import integer_game, power_indices
from tests.strategies import decision_rules


def ids(k: int) -> list[str]:
    return [f"m{i}" for i in range(k)]


def test_49_49_2_quota_51_gives_a_third_each() -> None:
    rule = WeightedThreshold(ids(3), [49, 49, 2], 51)
    p = power_indices(rule)
    assert p.method == "powerindex"
    np.testing.assert_allclose(p.shapley_shubik, [1 / 3] * 3, atol=1e-12)
    np.testing.assert_allclose(p.banzhaf, [1 / 3] * 3, atol=1e-12)
    # every member is a swing in 2 of the 4 coalitions of the others
    np.testing.assert_allclose(p.banzhaf_absolute, [0.5] * 3, atol=1e-12)


def test_a_member_reaching_the_quota_alone() -> None:
    # weights 60, 30, 30, quota 50: {1} wins, and so does {2, 3}.
    # Shapley-Shubik: 1 is pivotal when first or second in the order: 4/6; 2 and 3 when third
    # comes after the other small one... 1/6 each. Banzhaf swings: 3, 1, 1 of 4 coalitions.
    rule = WeightedThreshold(ids(3), [60, 30, 30], 50)
    p = power_indices(rule)
    np.testing.assert_allclose(p.shapley_shubik, [2 / 3, 1 / 6, 1 / 6], atol=1e-12)
    np.testing.assert_allclose(p.banzhaf, [3 / 5, 1 / 5, 1 / 5], atol=1e-12)
    np.testing.assert_allclose(p.banzhaf_absolute, [3 / 4, 1 / 4, 1 / 4], atol=1e-12)
    assert p.method == "generating-function"  # powerindex's calc() mishandles this game


def test_dictator_and_dummy() -> None:
    p = power_indices(WeightedThreshold(ids(3), [3, 1, 1], 3))
    np.testing.assert_allclose(p.shapley_shubik, [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(p.banzhaf, [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(p.banzhaf_absolute, [1, 0, 0], atol=1e-12)


def test_zero_weight_members_are_null_players() -> None:
    p = power_indices(WeightedThreshold(ids(4), [2, 0, 1, 1], 3))
    assert p.method == "powerindex"
    exact = power_indices(WeightedThreshold(ids(4), [2, 0, 1, 1], 3), method="enumeration")
    np.testing.assert_allclose(p.shapley_shubik, exact.shapley_shubik, atol=1e-12)
    np.testing.assert_allclose(p.banzhaf, exact.banzhaf, atol=1e-12)
    assert p.shapley_shubik[1] == 0 and p.banzhaf[1] == 0


def test_un_security_council() -> None:
    # 5 permanent members (weight 7) and 10 elected (weight 1), quota 39: nine votes including
    # all five permanent members. An elected member is pivotal exactly when the coalition before
    # it holds the five permanent members and 3 of the other 9 elected ones (|S| = 8):
    # phi = C(9, 3) * 8! * 6! / 15!; swings C(9, 3) of 2^14 coalitions of the others.
    rule = WeightedThreshold(ids(15), [7] * 5 + [1] * 10, 39)
    p = power_indices(rule)
    elected = math.comb(9, 3) * math.factorial(8) * math.factorial(6) / math.factorial(15)
    np.testing.assert_allclose(p.shapley_shubik[5:], elected, rtol=1e-12)
    np.testing.assert_allclose(p.shapley_shubik[:5], (1 - 10 * elected) / 5, rtol=1e-12)
    np.testing.assert_allclose(p.banzhaf_absolute[5:], math.comb(9, 3) / 2**14, rtol=1e-12)
    # a permanent member is a swing whenever the others hold the 4 other permanent members and
    # at least 4 elected ones
    perm_swings = sum(math.comb(10, j) for j in range(4, 11))
    np.testing.assert_allclose(p.banzhaf_absolute[:5], perm_swings / 2**14, rtol=1e-12)


def test_unanimity_and_majority_closed_forms() -> None:
    p = power_indices(Unanimity(ids(6)))
    assert p.method == "analytic"
    np.testing.assert_allclose(p.shapley_shubik, 1 / 6)
    np.testing.assert_allclose(p.banzhaf_absolute, 1 / 32)
    q = power_indices(SimpleMajority(ids(7)))
    np.testing.assert_allclose(q.banzhaf_absolute, math.comb(6, 3) / 64)
    for rule in (Unanimity(ids(6)), SimpleMajority(ids(7)), SimpleMajority(ids(6))):
        closed = power_indices(rule)
        exact = power_indices(rule, method="enumeration")
        np.testing.assert_allclose(closed.shapley_shubik, exact.shapley_shubik, atol=1e-12)
        np.testing.assert_allclose(closed.banzhaf, exact.banzhaf, atol=1e-12)
        np.testing.assert_allclose(closed.banzhaf_absolute, exact.banzhaf_absolute, atol=1e-12)


def test_lisbon_with_equal_populations_is_symmetric() -> None:
    p = power_indices(EULisbon(ids(9), [5] * 9))
    assert p.method == "enumeration"
    np.testing.assert_allclose(p.shapley_shubik, 1 / 9, atol=1e-12)
    np.testing.assert_allclose(p.banzhaf, 1 / 9, atol=1e-12)


def test_nice_small_membership_by_hand() -> None:
    # 3 states, votes 2, 1, 1 (quota 255/345 * 4 = 2.96 -> 3), majority of states 2,
    # population 50, 30, 20 (62 % = 62): winning = {0,1} (3 votes, 80), {0,2} (3, 70), all.
    # So 0 is a veto player and 1, 2 are symmetric: a weighted game [3; 2, 1, 1].
    rule = EUNice(ids(3), [2, 1, 1], [50, 30, 20])
    p = power_indices(rule)
    np.testing.assert_allclose(p.shapley_shubik, [2 / 3, 1 / 6, 1 / 6], atol=1e-12)
    np.testing.assert_allclose(p.banzhaf, [3 / 5, 1 / 5, 1 / 5], atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.integers(0, 25), min_size=2, max_size=9),
    data=st.data(),
    strict=st.booleans(),
)
def test_powerindex_generating_function_and_enumeration_agree(
    weights: list[int], data: st.DataObject, strict: bool
) -> None:
    total = sum(weights)
    if total < (2 if strict else 1):
        return  # nothing could ever pass
    quota = data.draw(st.integers(1, total - 1 if strict else total))
    rule = WeightedThreshold(ids(len(weights)), weights, quota, strict=strict)
    exact = power_indices(rule, method="enumeration")
    for method in ("auto", "generating-function"):
        p = power_indices(rule, method=method)
        np.testing.assert_allclose(p.shapley_shubik, exact.shapley_shubik, atol=1e-12)
        np.testing.assert_allclose(p.banzhaf, exact.banzhaf, atol=1e-12)
        np.testing.assert_allclose(p.banzhaf_absolute, exact.banzhaf_absolute, atol=1e-12)
    assert np.sum(exact.shapley_shubik) == pytest.approx(1.0)


def test_decimal_weights_scale_to_integers() -> None:
    rule = WeightedThreshold(ids(3), [0.49, 0.49, 0.02], 0.51)
    assert integer_game(rule) == ([49, 49, 2], 51)
    strict = WeightedThreshold(ids(3), [0.5, 0.3, 0.2], 0.5, strict=True)
    assert integer_game(strict) == ([5, 3, 2], 6)
    assert integer_game(WeightedThreshold(ids(2), [1 / 3, 2 / 3], 0.5)) is None


def test_irrational_weights_fall_back_to_enumeration() -> None:
    rule = WeightedThreshold(ids(4), [math.pi, math.e, math.sqrt(2), 1 / 3], 4.0)
    p = power_indices(rule)
    assert p.method == "enumeration"
    assert p.shapley_shubik.sum() == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(data=st.data(), k=st.integers(2, 8))
def test_indices_are_invariant_to_relabelling(data: st.DataObject, k: int) -> None:
    rule = data.draw(decision_rules(k))
    perm = np.random.default_rng(k).permutation(k)
    base = power_indices(rule, method="enumeration")
    shuffled = _permuted(rule, perm)
    other = power_indices(shuffled, method="enumeration")
    np.testing.assert_allclose(other.shapley_shubik, base.shapley_shubik[perm], atol=1e-12)
    np.testing.assert_allclose(other.banzhaf_absolute, base.banzhaf_absolute[perm], atol=1e-12)


def _permuted(rule: DecisionRule, perm: np.ndarray) -> DecisionRule:
    members = [rule.member_ids[i] for i in perm]
    if isinstance(rule, WeightedThreshold):
        return WeightedThreshold(members, rule.weights[perm], rule.quota, strict=rule.strict)
    if isinstance(rule, EUNice):
        return EUNice(members, rule.votes[perm], rule.population[perm])
    if isinstance(rule, EULisbon):
        return EULisbon(members, rule.population[perm])
    return type(rule)(members)


def test_monte_carlo_brackets_the_exact_answer() -> None:
    rng = np.random.default_rng(11)
    rule = EULisbon(ids(12), rng.integers(1, 100, 12))
    exact = power_indices(rule)
    mc = power_indices(rule, method="monte-carlo", seed=5, samples=20_000)
    assert mc.method == "monte-carlo" and not mc.exact and mc.seed == 5
    assert (
        mc.se_shapley_shubik is not None
        and mc.se_banzhaf is not None
        and mc.se_banzhaf_absolute is not None
    )
    assert np.all(
        np.abs(mc.shapley_shubik - exact.shapley_shubik) <= 4.5 * mc.se_shapley_shubik + 1e-12
    )
    assert np.all(np.abs(mc.banzhaf - exact.banzhaf) <= 4.5 * mc.se_banzhaf + 1e-12)
    assert np.all(
        np.abs(mc.banzhaf_absolute - exact.banzhaf_absolute) <= 4.5 * mc.se_banzhaf_absolute + 1e-12
    )
    assert mc.shapley_shubik.sum() == pytest.approx(1.0)
    again = power_indices(rule, method="monte-carlo", seed=5, samples=20_000)
    np.testing.assert_array_equal(again.shapley_shubik, mc.shapley_shubik)


def test_large_body_uses_monte_carlo_automatically() -> None:
    rule = EULisbon(ids(24), np.arange(1, 25))
    p = power_indices(rule, seed=0, samples=2000)
    assert p.method == "monte-carlo" and p.samples == 2000
    assert p.shapley_shubik.sum() == pytest.approx(1.0)
    # bigger populations never have less power under a double majority
    assert p.shapley_shubik[-1] > p.shapley_shubik[0]


def test_unknown_or_inapplicable_methods() -> None:
    with pytest.raises(UsageError):
        power_indices(Unanimity(ids(3)), method="magic")
    with pytest.raises(UsageError):
        power_indices(EULisbon(ids(3), [1, 2, 3]), method="powerindex")
    with pytest.raises(UsageError):
        power_indices(EULisbon(ids(3), [1, 2, 3]), method="analytic")


def test_nothing_passes_gives_zero_power() -> None:
    rule = WeightedThreshold(ids(3), [1, 1, 1], 5)
    p = power_indices(rule)
    assert p.method == "nothing-passes" and not p.shapley_shubik.any()


def test_as_dict_is_json_ready() -> None:
    import json

    text = json.dumps(power_indices(SimpleMajority(ids(3))).as_dict())
    assert '"method": "analytic"' in text
