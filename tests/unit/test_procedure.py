"""Decision procedures (rules/procedure.py): hand-worked cases and the issue's properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.rules.base import EULisbon, SimpleMajority, Unanimity, WeightedThreshold
from accord.rules.procedure import (
    OUTCOMES,
    PASSING,
    defaults_for,
    net_losses,
    run_procedure,
)
from accord.rules.winset import prefers
from tests.strategies import decision_rules, unit_values

IDS = ["a", "b", "c", "d"]


def consensus(k: int = 4) -> Unanimity:
    return Unanimity([f"m{i}" for i in range(k)])


# ---------------------------------------------------------------------------------------------
# hand-worked cases (one dimension, 0-100 scale)


def test_net_loss_is_salience_times_distance_difference_in_one_dimension() -> None:
    x = np.array([[20.0], [80.0]])
    s = np.array([[0.5], [1.0]])
    loss = net_losses(x, s, np.array([50.0]), np.array([70.0]))
    # a: 0.5 * (50 - 30) = 10; b: 1.0 * (10 - 30) = -20
    assert loss == pytest.approx([10.0, -20.0])


def test_net_loss_in_several_dimensions_is_a_root_mean_square() -> None:
    # equal saliences 0.4 on two dimensions: 0.4 * (sqrt((30^2 + 30^2) / 2) - 0) = 12
    x = np.array([[50.0, 50.0]])
    s = np.array([[0.4, 0.4]])
    loss = net_losses(x, s, np.array([50.0, 50.0]), np.array([80.0, 20.0]))
    assert loss == pytest.approx([12.0])


def test_costly_veto_ladder_silence_reservation_objection() -> None:
    x = np.array([[100.0], [45.0], [40.0], [20.0]])
    s = np.array([[1.0], [1.0], [1.0], [0.5]])
    # p = 60 from q = 50: losses -50, 10, 10, 5 (d: 0.5 * (40 - 30))
    rule = consensus()
    res = run_procedure(
        rule, x, s, [50.0], [60.0], cost=12.0, reservation_threshold=6.0, max_dilution=0.5
    )
    assert res.outcome == "passes_with_reservations"
    assert res.objectors == [] and res.reservations == [1, 2]
    assert res.value == pytest.approx([60.0])
    res = run_procedure(
        rule, x, s, [50.0], [60.0], cost=4.0, reservation_threshold=1.0, max_dilution=0.5
    )
    # everyone but a objects at 60; each acquiesces where loss <= 4: b at 45 + 9 = 54 (loss
    # 9 - 5 = 4), c at 40 + 14 = 54, d at 20 + 38 = 58 -> t = (60 - 54) / 10 = 0.6 > 0.5
    assert res.objectors == [1, 2, 3]
    assert res.outcome == "blocked"
    assert res.value == pytest.approx([50.0])
    res = run_procedure(rule, x, s, [50.0], [60.0], cost=4.0, max_dilution=0.7)
    assert res.outcome == "diluted"
    assert res.value == pytest.approx([54.0], abs=1e-6)
    assert res.dilution == pytest.approx(0.6)


def test_strict_objects_whenever_the_status_quo_is_preferred() -> None:
    x = np.array([[100.0], [49.0], [52.0]])
    rule = Unanimity(["a", "b", "c"])
    res = run_procedure(rule, x, None, [50.0], [60.0], name="strict", cost=50.0)
    assert res.objectors == [1, 2]  # b loses 11 - 1 = 10, c 8 - 2 = 6
    res = run_procedure(rule, x, None, [50.0], [60.0], name="practised", cost=50.0)
    assert res.objectors == [] and res.outcome == "passes_with_reservations"


def test_delayed_when_the_issue_has_a_next_window() -> None:
    x = np.array([[100.0], [0.0]])
    rule = Unanimity(["a", "b"])
    blocked = run_procedure(rule, x, None, [50.0], [90.0], cost=1.0, max_dilution=0.5)
    delayed = run_procedure(
        rule, x, None, [50.0], [90.0], cost=1.0, max_dilution=0.5, next_window=True
    )
    assert (blocked.outcome, delayed.outcome) == ("blocked", "delayed")
    assert delayed.value == pytest.approx([50.0]) and delayed.objectors == [1]


def test_opt_out_instead_of_block_and_its_cap() -> None:
    x = np.array([[100.0], [100.0], [100.0], [0.0]])
    rule = consensus()
    res = run_procedure(rule, x, None, [50.0], [90.0], cost=5.0, opt_out=True)
    assert res.outcome == "passes_with_opt_outs"
    assert res.opt_outs == [3] and res.objectors == []
    assert res.value == pytest.approx([90.0])
    # two of four objectors exceed the one-third cap: no opt-out, the text is diluted or blocked
    x2 = np.array([[100.0], [100.0], [0.0], [0.0]])
    res = run_procedure(rule, x2, None, [50.0], [90.0], cost=5.0, opt_out=True)
    assert res.outcome in ("diluted", "blocked") and res.opt_outs == []


def test_opt_out_refused_under_a_majority_rule() -> None:
    rule = SimpleMajority(["a", "b", "c"])
    with pytest.raises(UsageError, match="cannot allow opt-outs"):
        run_procedure(rule, np.array([[0.0], [1.0], [2.0]]), None, [0.0], [1.0], opt_out=True)


def test_qmv_objectors_who_cannot_block_are_outvoted() -> None:
    # seven members, Lisbon rule with equal populations: 3 against cannot block (min 4)
    ids = [f"m{i}" for i in range(7)]
    rule = EULisbon(ids, np.ones(7))
    x = np.array([[100.0]] * 4 + [[0.0]] * 3)
    res = run_procedure(rule, x, None, [50.0], [90.0], cost=5.0)
    assert res.outcome == "passes_with_reservations" and not res.blocking
    assert res.objectors == [4, 5, 6]
    # with four against, they form a blocking minority and the text is diluted or blocked
    x = np.array([[100.0]] * 3 + [[0.0]] * 4)
    res = run_procedure(rule, x, None, [50.0], [90.0], cost=5.0)
    assert res.blocking and res.outcome in ("diluted", "blocked")


def test_qmv_dilution_stops_once_the_blocking_minority_dissolves() -> None:
    # weights 3, 1, 1, 1; quota 4 (>= 4 of 6): b+c+d (3) block; b alone does not
    rule = WeightedThreshold(IDS, [3, 1, 1, 1], 4.0)
    x = np.array([[100.0], [30.0], [40.0], [40.0]])
    s = np.array([[1.0], [1.0], [0.25], [0.25]])
    res = run_procedure(rule, x, s, [50.0], [80.0], cost=5.0, max_dilution=0.9)
    # b acquiesces where y - 50 <= 5 (y <= 55); c and d where 0.25 (y - 50) <= 5 (y <= 70).
    # Above 70 b+c+d block (a alone has 3 < 4); between 55 and 70 only b objects and a+c+d win:
    # the text is diluted to 70, a third of the way back
    assert res.outcome == "diluted"
    assert res.value == pytest.approx([70.0], abs=1e-6)
    assert res.dilution == pytest.approx(1 / 3)
    assert res.objectors == [1, 2, 3]


def test_unknown_procedure_and_bad_parameters() -> None:
    rule = consensus(2)
    x = np.array([[0.0], [1.0]])
    with pytest.raises(UsageError, match="unknown procedure"):
        run_procedure(rule, x, None, [0.0], [1.0], name="lenient")
    with pytest.raises(UsageError, match=">= 0"):
        run_procedure(rule, x, None, [0.0], [1.0], cost=-1.0)
    with pytest.raises(UsageError, match="max_dilution"):
        run_procedure(rule, x, None, [0.0], [1.0], max_dilution=1.0)


def test_defaults_exist_for_every_rule_kind() -> None:
    for kind in ("consensus", "unanimity", "eu-nice", "eu-lisbon", "weighted", "simple-majority"):
        params = defaults_for(kind)
        assert params.cost >= params.reservation_threshold >= 0
    with pytest.raises(UsageError):
        defaults_for("dictator")


# ---------------------------------------------------------------------------------------------
# properties (hypothesis)


@st.composite
def procedure_cases(draw: st.DrawFn, max_k: int = 6, max_m: int = 2) -> dict[str, object]:
    k = draw(st.integers(2, max_k))
    m = draw(st.integers(1, max_m))
    rule = draw(decision_rules(k))
    x = draw(unit_values((k, m), 0.0, 100.0))
    s = draw(unit_values((k, m), 0.0, 1.0))
    q = draw(unit_values((m,), 0.0, 100.0))
    p = draw(unit_values((m,), 0.0, 100.0))
    return {"rule": rule, "x": x, "s": s, "q": q, "p": p}


@settings(max_examples=60, deadline=None)
@given(case=procedure_cases(), tau=st.floats(0, 5), window=st.booleans())
def test_zero_cost_practised_equals_strict(
    case: dict[str, object], tau: float, window: bool
) -> None:
    args = (case["rule"], case["x"], case["s"], case["q"], case["p"])
    practised = run_procedure(*args, cost=0.0, next_window=window)  # type: ignore[arg-type]
    strict = run_procedure(*args, name="strict", cost=7.0, next_window=window)  # type: ignore[arg-type]
    assert practised.outcome == strict.outcome
    assert practised.objectors == strict.objectors
    assert np.allclose(practised.value, strict.value)
    # and strict's objectors are exactly the members who strictly prefer the status quo
    support = prefers(case["x"], case["s"], case["q"], case["p"])  # type: ignore[arg-type]
    assert strict.objectors == [int(i) for i in np.flatnonzero(~support)]


@settings(max_examples=60, deadline=None)
@given(case=procedure_cases(), costs=st.lists(st.floats(0, 60), min_size=2, max_size=2))
def test_objectors_only_drop_out_as_the_cost_grows(
    case: dict[str, object], costs: list[float]
) -> None:
    low, high = sorted(costs)
    args = (case["rule"], case["x"], case["s"], case["q"], case["p"])
    a = run_procedure(*args, cost=low)  # type: ignore[arg-type]
    b = run_procedure(*args, cost=high)  # type: ignore[arg-type]
    assert set(b.objectors) <= set(a.objectors)
    # a text adopted at the lower cost is adopted at the higher one
    if a.outcome in PASSING:
        assert b.outcome in PASSING


@settings(max_examples=60, deadline=None)
@given(case=procedure_cases(), cost=st.floats(0, 60), tau=st.floats(0, 60))
def test_outcome_stays_within_the_range_of_positions(
    case: dict[str, object], cost: float, tau: float
) -> None:
    x = np.asarray(case["x"])
    lo, hi = x.min(axis=0), x.max(axis=0)
    # proposal and status quo inside the positions' range (a forecast and a status quo the
    # members span): whatever the procedure does, the outcome stays inside it
    q = lo + (hi - lo) * np.asarray(case["q"]) / 100.0
    p = lo + (hi - lo) * np.asarray(case["p"]) / 100.0
    res = run_procedure(
        case["rule"],  # type: ignore[arg-type]
        x,
        case["s"],  # type: ignore[arg-type]
        q,
        p,
        cost=cost,
        reservation_threshold=min(tau, cost),
    )
    assert res.outcome in OUTCOMES
    assert np.all(res.value >= lo - 1e-9) and np.all(res.value <= hi + 1e-9)


@settings(max_examples=60, deadline=None)
@given(case=procedure_cases(), cost=st.floats(0, 30), cap=st.floats(0.05, 0.95))
def test_diluted_outcomes_lie_between_proposal_and_status_quo(
    case: dict[str, object], cost: float, cap: float
) -> None:
    p, q = np.asarray(case["p"]), np.asarray(case["q"])
    res = run_procedure(
        case["rule"],  # type: ignore[arg-type]
        case["x"],  # type: ignore[arg-type]
        case["s"],  # type: ignore[arg-type]
        q,
        p,
        cost=cost,
        max_dilution=cap,
    )
    if res.outcome == "diluted":
        assert 0.0 <= res.dilution <= cap
        assert np.allclose(res.value, p + res.dilution * (q - p))
        assert np.all(res.value >= np.minimum(p, q) - 1e-9)
        assert np.all(res.value <= np.maximum(p, q) + 1e-9)
        # at the diluted text the remaining objectors cannot block
        again = run_procedure(
            case["rule"],  # type: ignore[arg-type]
            case["x"],  # type: ignore[arg-type]
            case["s"],  # type: ignore[arg-type]
            q,
            res.value,
            cost=cost,
            max_dilution=cap,
        )
        assert again.outcome in ("passes", "passes_with_reservations")
    elif res.outcome in ("blocked", "delayed"):
        assert np.allclose(res.value, q)
