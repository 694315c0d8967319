"""Winsets of the status quo and the constraint a rule puts on a forecast."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.rules.base import EULisbon, EUNice, SimpleMajority, Unanimity, WeightedThreshold
from accord.rules.constrain import constrain, minimal_blocking_set
from accord.rules.winset import in_winset, nearest_in_intervals, winset_1d, winset_grid
from tests.strategies import decision_rules, unit_values

IDS = ["a", "b", "c", "d", "e"]
X5 = np.array([10.0, 30.0, 50.0, 70.0, 90.0])


# --- 1-D winsets by hand -------------------------------------------------------------------------


def test_consensus_winset_is_the_intersection_of_reflection_intervals() -> None:
    # SQ = 20, everyone to its right: intervals [20, 2x - 20] -> [20, 40], [20, 80], ...
    x = np.array([30.0, 60.0, 45.0])
    assert winset_1d(Unanimity(["a", "b", "c"]), x, 20.0) == [(20.0, 40.0)]


def test_consensus_winset_is_sq_alone_when_members_straddle_it() -> None:
    assert winset_1d(Unanimity(IDS), X5, 40.0, lo=0, hi=100) == [(40.0, 40.0)]


def test_majority_winset_is_bounded_by_the_median_voter() -> None:
    # median voter at 50, SQ 40: W = [40, 60]
    assert winset_1d(SimpleMajority(IDS), X5, 40.0, lo=0, hi=100) == [(40.0, 60.0)]
    # SQ at the median: nothing beats it
    assert winset_1d(SimpleMajority(IDS), X5, 50.0, lo=0, hi=100) == [(50.0, 50.0)]


def test_weighted_winset_with_a_dictator_is_clipped_to_the_scale() -> None:
    rule = WeightedThreshold(IDS, [1, 1, 1, 1, 5], 5)
    assert winset_1d(rule, X5, 40.0, lo=0, hi=100) == [(40.0, 100.0)]
    assert winset_1d(rule, X5, 40.0) == [(40.0, 140.0)]


def test_weighted_winset_is_the_union_over_winning_coalitions() -> None:
    # weights 3, 1, 1, quota 2: a alone wins, or b and c together
    rule = WeightedThreshold(["a", "b", "c"], [3, 1, 1], 2)
    x = np.array([0.0, 8.0, 10.0])
    # SQ 5: a accepts [-5, 5], b [5, 11], c [5, 15]; a alone or b&c: [-5, 5] U [5, 11]
    assert winset_1d(rule, x, 5.0) == [(-5.0, 11.0)]
    any_two = WeightedThreshold(["a", "b", "c"], [2, 2, 2], 4)
    # SQ 30: a [-30, 30], b [10, 30], c [30, 170]; a&b [10, 30], a&c and b&c only SQ
    assert winset_1d(any_two, np.array([0.0, 20.0, 100.0]), 30.0) == [(10.0, 30.0)]
    # SQ 50: a [-50, 50], b [40, 50], c [50, 150]
    assert winset_1d(any_two, np.array([0.0, 45.0, 100.0]), 50.0) == [(40.0, 50.0)]
    centre = WeightedThreshold(["a", "b", "c"], [1, 2, 1], 2)  # b alone, or a and c
    x4 = np.array([40.0, 0.0, 45.0])
    # SQ 50: a [30, 50], b [-50, 50], c [40, 50]: b alone gives [-50, 50]
    assert winset_1d(centre, x4, 50.0) == [(-50.0, 50.0)]
    assert winset_1d(WeightedThreshold(["a", "b", "c"], [1, 1, 1], 3), x4, 50.0) == [(40.0, 50.0)]


def test_winsets_on_both_sides_join_at_the_status_quo() -> None:
    x = np.array([10.0, 20.0, 80.0, 90.0])
    # Nice-style: votes >= 2 of 4, 3 of 4 states, half the population: any three must agree,
    # and three always straddle SQ = 50
    nice = EUNice(
        ["a", "b", "c", "d"], [1, 1, 1, 1], [1, 1, 1, 1], vote_share=0.5, population_share=0.5
    )
    assert nice.states_needed == 3
    assert winset_1d(nice, x, 50.0) == [(50.0, 50.0)]
    # any two: a&b [-10, 50] and c&d [50, 110]: every acceptable set contains SQ, so in one
    # dimension W is always a single interval through SQ
    any_two = WeightedThreshold(["a", "b", "c", "d"], [1, 1, 1, 1], 2)
    assert winset_1d(any_two, x, 50.0) == [(-10.0, 110.0)]


def test_lisbon_winset_small_membership() -> None:
    ids = [f"s{i}" for i in range(7)]
    pop = [30, 20, 15, 15, 10, 5, 5]  # total 100, 65 % = 65, 55 % of 7 -> 4 states
    rule = EULisbon(ids, pop)
    x = np.array([0.0, 10.0, 20.0, 30.0, 60.0, 70.0, 80.0])
    # SQ 50: s0..s3 accept [2x-50, 50]: s0 [-50, 50], s1 [-30, 50], s2 [-10, 50], s3 [10, 50];
    # s4 [50, 70], s5 [50, 90], s6 [50, 110]. Left: 4 states with 80 % population -> win on
    # [10, 50]; adding nobody else. Right: 3 states, 20 % -> no.
    assert winset_1d(rule, x, 50.0) == [(10.0, 50.0)]


def test_zero_salience_members_accept_everything() -> None:
    rule = Unanimity(["a", "b"])
    w = winset_1d(
        rule, np.array([30.0, 90.0]), 20.0, member_saliences=np.array([1.0, 0.0]), lo=0, hi=100
    )
    assert w == [(20.0, 40.0)]


def test_nearest_in_intervals_and_ties() -> None:
    intervals = [(0.0, 10.0), (20.0, 30.0)]
    assert nearest_in_intervals(intervals, 12.0) == 10.0
    assert nearest_in_intervals(intervals, 25.0) == 25.0
    assert nearest_in_intervals(intervals, 15.0, status_quo=28.0) == 20.0
    assert nearest_in_intervals(intervals, 15.0) == 10.0
    assert nearest_in_intervals([], 15.0) is None


# --- hypothesis properties -----------------------------------------------------------------------


@st.composite
def one_dim_case(draw: st.DrawFn) -> tuple:
    k = draw(st.integers(1, 7))
    rule = draw(decision_rules(k))
    x = draw(unit_values((k,), 0.0, 100.0))
    sq = float(draw(unit_values((1,), 0.0, 100.0))[0])
    return rule, x, sq


@settings(max_examples=80, deadline=None)
@given(case=one_dim_case(), probe=st.floats(-50, 150))
def test_winset_1d_matches_pointwise_membership(case: tuple, probe: float) -> None:
    rule, x, sq = case
    intervals = winset_1d(rule, x, sq)
    assert len(intervals) == 1 and intervals[0][0] <= sq <= intervals[0][1]  # one interval, SQ in W
    inside = any(a <= probe <= b for a, b in intervals)
    near_edge = any(min(abs(probe - a), abs(probe - b)) < 1e-6 for a, b in intervals)
    if not near_edge:
        assert inside == bool(in_winset(rule, x[:, None], None, [sq], [probe]))
    for a, b in intervals:  # every endpoint is in W
        assert in_winset(rule, x[:, None], None, [sq], [a]) and in_winset(
            rule, x[:, None], None, [sq], [b]
        )


@settings(max_examples=80, deadline=None)
@given(case=one_dim_case(), target=st.floats(0, 100))
def test_constrain_1d_allowed_is_in_w_and_nearest(case: tuple, target: float) -> None:
    rule, x, sq = case
    out = constrain(rule, x[:, None], None, [sq], [target], [0.0], [100.0])
    assert bool(in_winset(rule, x[:, None], None, [sq], out.allowed))
    if out.passes:
        assert out.allowed[0] == target and out.blockers == []
    else:
        assert out.blockers and out.minimal_blocking
        grid = np.concatenate([np.linspace(0, 100, 2001), [sq], 2 * x - sq])
        grid = grid[(grid >= 0) & (grid <= 100)]
        member = in_winset(rule, x[:, None], None, [sq], grid[:, None])
        assert abs(out.allowed[0] - target) <= np.min(np.abs(grid[member] - target)) + 1e-9


@settings(max_examples=40, deadline=None)
@given(k=st.integers(2, 6), data=st.data())
def test_constrain_under_consensus_stays_in_the_convex_winset(k: int, data: st.DataObject) -> None:
    m = 2
    x = data.draw(unit_values((k, m), 0.0, 100.0))
    s = 0.05 + data.draw(unit_values((k, m)))
    sq = data.draw(unit_values((m,), 0.0, 100.0))
    target = data.draw(unit_values((m,), 0.0, 100.0))
    rule = Unanimity([f"m{i}" for i in range(k)])
    out = constrain(rule, x, s, sq, target, [0, 0], [100, 100])
    assert bool(in_winset(rule, x, s, sq, out.allowed))
    if out.passes:
        assert np.array_equal(out.allowed, target)
    # no grid point of W is nearer to the target than the answer (up to grid resolution)
    axes, mask = winset_grid(rule, x, s, sq, [0, 0], [100, 100], 101)
    pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)[mask]
    if pts.size:
        best_grid = np.min(np.linalg.norm((pts - target) / 100.0, axis=1))
        assert out.distance <= best_grid + 1e-7


@settings(max_examples=30, deadline=None)
@given(k=st.integers(2, 6), data=st.data())
def test_constrain_2d_any_rule_is_in_w_and_no_grid_point_is_nearer(
    k: int, data: st.DataObject
) -> None:
    rule = data.draw(
        decision_rules(k, kinds=("simple-majority", "weighted", "eu-nice", "eu-lisbon"))
    )
    x = data.draw(unit_values((k, 2), 0.0, 100.0))
    s = 0.05 + data.draw(unit_values((k, 2)))
    sq = data.draw(unit_values((2,), 0.0, 100.0))
    target = data.draw(unit_values((2,), 0.0, 100.0))
    out = constrain(rule, x, s, sq, target, [0, 0], [100, 100])
    assert bool(in_winset(rule, x, s, sq, out.allowed))
    assert out.method in ("passes", "exact")
    axes, mask = winset_grid(rule, x, s, sq, [0, 0], [100, 100], 101)
    pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)[mask]
    if pts.size:
        assert out.distance <= np.min(np.linalg.norm((pts - target) / 100.0, axis=1)) + 1e-7


# --- constrain by hand ---------------------------------------------------------------------------


def test_constrain_1d_consensus_moves_outcome_to_the_edge_of_w() -> None:
    x = np.array([[30.0], [60.0], [45.0]])
    out = constrain(Unanimity(["a", "b", "c"]), x, None, [20.0], [50.0], [0.0], [100.0])
    assert not out.passes
    assert out.allowed[0] == pytest.approx(40.0)
    assert out.blockers == [0]  # only a (at 30) strictly prefers 20 to 50
    assert out.minimal_blocking == [0]
    assert out.winset == [(20.0, 40.0)]
    assert out.veto_players == [0, 1, 2]
    assert out.method == "interval"
    assert out.distance == pytest.approx(0.1)


def test_constrain_passes_unchanged() -> None:
    out = constrain(SimpleMajority(IDS), X5[:, None], None, [40.0], [55.0], [0.0], [100.0])
    assert (
        out.passes
        and out.allowed[0] == 55.0
        and out.blockers == []
        and out.minimal_blocking is None
    )


def test_constrain_returns_sq_when_w_is_sq_alone() -> None:
    out = constrain(Unanimity(IDS), X5[:, None], None, [40.0], [80.0], [0.0], [100.0])
    assert out.allowed[0] == 40.0 and not out.passes
    assert out.blockers == [0, 1, 2]
    assert len(out.minimal_blocking or []) == 1


def test_constrain_without_status_quo_does_nothing() -> None:
    out = constrain(Unanimity(IDS), X5[:, None], None, None, [80.0], [0.0], [100.0])
    assert out.passes and out.allowed[0] == 80.0 and out.method == "no-status-quo"
    assert out.winset is None and out.veto_players == [0, 1, 2, 3, 4]


def test_minimal_blocking_set_under_weights() -> None:
    rule = WeightedThreshold(IDS, [40, 30, 10, 10, 10], 71)
    # {0} (the rest hold 60) and {1} (70) both block alone; ties go to the lowest index
    assert minimal_blocking_set(rule, [1, 2, 3, 0]) == [0]
    assert minimal_blocking_set(rule, [1, 2, 3]) == [1]
    # 2, 3 and 4 hold 10 each: two of them leave 80 >= 71, all three leave 70
    assert minimal_blocking_set(rule, [2, 3, 4]) == [2, 3, 4]


def test_constrain_2d_majority_matches_a_fine_grid() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 100, (7, 2))
    s = rng.uniform(0.1, 1, (7, 2))
    sq, target = np.array([50.0, 50.0]), np.array([90.0, 10.0])
    rule = SimpleMajority([f"m{i}" for i in range(7)])
    out = constrain(rule, x, s, sq, target, [0, 0], [100, 100])
    assert out.method == "exact" and not out.passes
    assert bool(in_winset(rule, x, s, sq, out.allowed))
    axes, mask = winset_grid(rule, x, s, sq, [0, 0], [100, 100], 401)
    pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)[mask]
    best_grid = np.min(np.linalg.norm((pts - target) / 100.0, axis=1))
    assert out.distance <= best_grid + 1e-9
    assert out.distance >= best_grid - 0.25 / 100 * np.sqrt(2)  # grid spacing 0.25


def test_constrain_heuristic_for_large_bodies_stays_in_w() -> None:
    rng = np.random.default_rng(7)
    k = 15
    x = rng.uniform(0, 100, (k, 2))
    s = rng.uniform(0.1, 1, (k, 2))
    sq, target = np.array([40.0, 60.0]), np.array([95.0, 5.0])
    rule = WeightedThreshold([f"m{i}" for i in range(k)], rng.integers(1, 10, k), 30)
    out = constrain(rule, x, s, sq, target, [0, 0], [100, 100])
    assert bool(in_winset(rule, x, s, sq, out.allowed))
    if not out.passes:
        assert out.method == "heuristic"
        assert out.distance <= np.linalg.norm((sq - target) / 100.0) + 1e-12


def test_constrain_validates_shapes() -> None:
    with pytest.raises(UsageError):
        constrain(Unanimity(IDS), np.zeros((4, 1)), None, [0.0], [1.0], [0.0], [1.0])
    with pytest.raises(UsageError):
        constrain(Unanimity(IDS), np.zeros((5, 2)), None, [0.0], [1.0, 2.0], [0.0, 0.0], [1.0, 1.0])


def test_relabelling_members_does_not_change_the_winset() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, 6)
    w = rng.integers(1, 10, 6)
    perm = rng.permutation(6)
    ids = [f"m{i}" for i in range(6)]
    a = winset_1d(WeightedThreshold(ids, w, 20), x, 35.0)
    b = winset_1d(WeightedThreshold([ids[i] for i in perm], w[perm], 20), x[perm], 35.0)
    assert a == b


def test_winset_grid_shape() -> None:
    axes, mask = winset_grid(
        Unanimity(["a", "b"]),
        np.array([[30.0, 30.0], [70.0, 30.0]]),
        None,
        [50, 50],
        [0, 0],
        [100, 100],
        51,
    )
    assert mask.shape == (51, 51) and len(axes) == 2
    assert mask[25, 25]  # SQ
    assert not mask[0, 50]
