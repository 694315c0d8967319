"""Deadlock analysis and package deals: hand-made scenarios with known answers, and properties."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from accord.analysis.deadlock import (
    analyse_deadlock,
    smallest_salience_falls,
    smallest_shifts,
)
from accord.analysis.package_deals import find_package_deals
from accord.errors import AccordError, UsageError
from accord.rules.winset import prefers

DATA = Path(__file__).parents[1] / "data" / "scenarios"
ROOT = Path(__file__).parents[2]


def _load(name: str) -> accord.Scenario:
    return accord.load(DATA / name)


# ---------------------------------------------------------------------------------------------
# known answers


def test_one_dimension_consensus_both_blockers_move_to_the_midpoint() -> None:
    result = analyse_deadlock(_load("deadlock-1d.yaml"), "budget", proposal="50")
    assert not result.passes
    assert result.blockers == ("b", "c")
    assert set(result.supporters) == {"a", "d"}
    for actor, shift in (("b", 15.0), ("c", 20.0)):
        change = result.change_of(actor)
        assert change.shift_to[0] == pytest.approx(25.0)
        assert change.shift[0] == pytest.approx(shift)
        assert change.shift_distance == pytest.approx(shift / 100)
        assert change.salience_fall is None  # one dimension: salience cannot help
        assert not change.turns_alone
        assert change.veto_player
    assert result.turning_set == ("b", "c")
    assert result.allowed[0] == pytest.approx(10.0)  # c accepts [0, 10]
    assert "out" not in result.members


def test_one_dimension_qualified_majority_either_blocker_suffices() -> None:
    result = analyse_deadlock(
        _load("deadlock-1d.yaml"), "budget", proposal=[50.0], rule="qualified-majority:0.75"
    )
    assert result.blockers == ("b", "c")
    assert result.minimal_blocking == ("b", "c")
    assert result.veto_players == ()
    assert all(c.turns_alone for c in result.changes)
    assert result.turning_set == ("b",)  # b's shift (15) is cheaper than c's (20)
    # under simple majority (3 of 4 needed as well: more than half) the same holds
    assert analyse_deadlock(
        _load("deadlock-1d.yaml"), "budget", proposal="50", rule="simple-majority"
    ).turning_set == ("b",)


def test_two_dimensions_salience_and_boxed_shift() -> None:
    result = analyse_deadlock(_load("deadlock-2d.yaml"), "plan", proposal="10,10")
    assert result.blockers == ("m", "n")
    m = result.change_of("m")
    np.testing.assert_allclose(m.shift_to, [5 / 3, 10.0], atol=1e-9)
    assert m.shift_distance == pytest.approx((5 / 3) / 10)
    assert m.salience_fall is not None
    np.testing.assert_allclose(m.salience_fall, [0.2, 0.0], atol=1e-12)
    data = m.to_json_dict()
    assert data["salience_fall_file_scale"] == pytest.approx([20.0, 0.0])
    assert data["salience_to"] == pytest.approx([0.4, 0.4])
    n = result.change_of("n")
    assert n.salience_fall is None
    assert n.to_json_dict()["salience_change_suffices"] is False
    np.testing.assert_allclose(n.shift_to, [5.0, 5.0], atol=1e-9)  # the midpoint
    assert result.turning_set == ("m", "n")


def test_eu_company_tax_uk_blocks_under_unanimity() -> None:
    scenario = accord.load(ROOT / "scenarios" / "eu-company-tax.yaml")
    result = analyse_deadlock(scenario, "n98087i1")
    issue = scenario.issue("n98087i1")
    positions = {s.actor: s.position.values()[0] for s in issue.stances}
    saliences = {s.actor: s.salience.values(1)[0] for s in issue.stances}
    caps = {a.id: a.capability.value for a in scenario.actors}
    weights = {a: caps[a] * saliences[a] for a in positions}
    compromise = sum(weights[a] * positions[a] for a in positions) / sum(weights.values())
    assert result.proposal[0] == pytest.approx(compromise)
    assert result.blockers == ("uk",)
    assert result.minimal_blocking == ("uk",)
    uk = result.change_of("uk")
    # the UK sits on the status quo (0): it must move half way to the proposal
    assert uk.shift_to[0] == pytest.approx(compromise / 2)
    assert uk.turns_alone
    assert uk.salience_fall is None
    assert result.allowed[0] == pytest.approx(0.0)


def test_passing_proposal_has_no_blockers() -> None:
    result = analyse_deadlock(_load("deadlock-1d.yaml"), "budget", proposal="8")
    assert result.passes and result.blockers == () and result.changes == ()
    assert "passes" in result.summary()


def test_json_is_serialisable() -> None:
    result = analyse_deadlock(_load("deadlock-2d.yaml"), "plan", proposal="10,10")
    data = json.loads(json.dumps(result.to_json_dict()))
    assert data["blockers"] == ["m", "n"]
    assert data["what_it_would_take"][0]["actor"] == "m"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"issue_id": "nope"}, "no issue 'nope'"),
        ({"issue_id": "open"}, "no status quo"),
        ({"issue_id": "budget", "proposal": "1,2"}, "2 values for 1 dimensions"),
        ({"issue_id": "budget", "proposal": "abc"}, "not a list of numbers"),
        ({"issue_id": "budget", "proposal": "150"}, "outside the issue's scale"),
        ({"issue_id": "budget", "model": "oracle"}, "oracle"),
        ({"issue_id": "budget", "rule": "eu-lisbon"}, "population"),
    ],
)
def test_bad_arguments(kwargs: dict[str, str], fragment: str) -> None:
    with pytest.raises(AccordError, match=fragment):
        analyse_deadlock(_load("deadlock-1d.yaml"), **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# package deals


def test_package_deal_trades_across_issues() -> None:
    deals = find_package_deals(_load("package-trade.yaml"), models="compromise", exchange=False)
    assert deals.method == "exact"
    best = deals.deals[0]
    assert best.outcomes == {"trade": [100.0], "fisheries": [100.0]}
    assert best.total_gain == pytest.approx(1.4)
    assert best.gains == pytest.approx({"A": 0.7, "B": 0.7})  # C is no member: not counted
    assert {t["actor"]: (t["concedes_on"], t["gains_on"]) for t in best.trades} == {
        "A": (["fisheries"], ["trade"]),
        "B": (["trade"], ["fisheries"]),
    }
    totals = [d.total_gain for d in deals.deals]
    assert totals == sorted(totals, reverse=True)
    for deal in deals.deals:  # every veto player at least as well off
        assert min(deal.gains.values()) >= -1e-9
    # each issue alone is blocked: no single-issue package is feasible
    single = find_package_deals(_load("package-trade.yaml"), issues=["trade"], exchange=False)
    assert single.deals == ()


def test_package_deal_exchange_candidate_and_skipped_issues() -> None:
    deals = find_package_deals(_load("deadlock-1d.yaml"), models="compromise")
    assert deals.skipped == {"open": "no status quo"}
    assert deals.exchange is None  # one usable issue: nothing to exchange
    assert any("exchange model not used" in note for note in deals.notes)
    trade = find_package_deals(_load("package-trade.yaml"), models="compromise")
    assert trade.exchange is not None
    sources = [s for c in trade.candidates["trade"] for s in c["sources"]]
    assert "exchange model" in sources
    json.dumps(trade.to_json_dict())


def test_beam_search_finds_the_exact_best_on_a_small_case() -> None:
    scenario = _load("package-trade.yaml")
    exact = find_package_deals(scenario, models="all", grid=21, exchange=False, top=3)
    beam = find_package_deals(
        scenario, models="all", grid=21, exchange=False, top=3, max_exact=1, beam_width=50
    )
    assert exact.method == "exact" and beam.method == "beam"
    assert beam.deals[0].total_gain == pytest.approx(exact.deals[0].total_gain)
    for deal in beam.deals:
        assert min(deal.gains.values()) >= -1e-9


def test_quadratic_loss_and_bad_loss() -> None:
    deals = find_package_deals(
        _load("package-trade.yaml"), models="compromise", loss="quadratic", exchange=False
    )
    assert deals.deals and all(min(d.gains.values()) >= -1e-9 for d in deals.deals)
    with pytest.raises(UsageError, match="loss"):
        find_package_deals(_load("package-trade.yaml"), loss="cubic")
    with pytest.raises(UsageError, match="no issue 'x'"):
        find_package_deals(_load("package-trade.yaml"), issues=["x"])


# ---------------------------------------------------------------------------------------------
# properties of the closed forms


@st.composite
def cases(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    m = draw(st.integers(1, 3))
    b = draw(st.integers(1, 5))
    val = st.integers(0, 20).map(lambda v: v / 2)
    x = np.array(draw(st.lists(val, min_size=b * m, max_size=b * m))).reshape(b, m)
    s = np.array(
        draw(st.lists(st.integers(1, 10).map(lambda v: v / 10), min_size=b * m, max_size=b * m))
    ).reshape(b, m)
    q = np.array(draw(st.lists(val, min_size=m, max_size=m)))
    y = np.array(draw(st.lists(val, min_size=m, max_size=m)))
    return x, s, q, y


@settings(max_examples=60, deadline=None)
@given(cases())
def test_shift_makes_the_member_accept_and_is_nearest(data: tuple[np.ndarray, ...]) -> None:
    x, s, q, y = data
    lo, hi = np.zeros(q.size), np.full(q.size, 10.0)
    new, dist = smallest_shifts(x, s, q, y, lo, hi)
    accepts_now = prefers(x, s, q, y)
    for i in range(x.shape[0]):
        assert prefers(new[i : i + 1], s[i : i + 1], q, y)[0]
        assert np.all(new[i] >= -1e-12) and np.all(new[i] <= 10 + 1e-12)
        if accepts_now[i]:
            assert dist[i] == 0.0
            continue
        # no point of a fine random sample nearer than the answer is accepted
        rng = np.random.default_rng(i)
        sample = rng.uniform(0, 10, size=(4000, q.size))
        near = np.linalg.norm((sample - x[i]) / 10, axis=1) < dist[i] * (1 - 1e-6)
        ok = prefers(sample[near][:, None, :], s[i : i + 1], q, y)
        assert not np.any(ok[..., 0] if ok.ndim > 1 else ok)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_salience_fall_is_sufficient_and_smallest(data: tuple[np.ndarray, ...]) -> None:
    x, s, q, y = data
    falls, possible = smallest_salience_falls(x, s, q, y)
    a = (y - x) ** 2 - (q - x) ** 2
    for i in range(x.shape[0]):
        if not possible[i]:
            assert not np.any((a[i] < 0) & (s[i] > 0))  # no dimension where it gains
            continue
        new = s[i] - falls[i]
        assert np.all(new >= -1e-12) and np.any(new > 0)
        assert np.sum(new * a[i]) <= 1e-9 * max(1.0, np.abs(s[i] * a[i]).sum())
        if falls[i].sum() > 1e-9:  # a smaller fall in the same proportions is not enough
            assert np.sum((s[i] - 0.99 * falls[i]) * a[i]) > 0
    if x.shape[1] == 1:
        blockers = ~prefers(x, s, q, y)
        assert not np.any(possible & blockers)


# ---------------------------------------------------------------------------------------------
# command line


def test_cli_table_and_json(run_cli: Callable[..., Any]) -> None:
    result = run_cli(
        "deadlock", DATA / "package-trade.yaml", "--issue", "trade", "--proposal", "100"
    )
    assert result.code == 0, result.stderr
    assert "blockers: B" in result.stdout
    assert "Package deals" in result.stdout
    result = run_cli(
        "deadlock", DATA / "deadlock-2d.yaml", "-i", "plan", "--proposal", "10,10", "-f", "json"
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["deadlock"]["blockers"] == ["m", "n"]
    assert data["package_deals"]["issues"] == ["plan"]


def test_cli_bad_issue_and_rule(run_cli: Callable[..., Any]) -> None:
    result = run_cli("deadlock", DATA / "deadlock-1d.yaml", "--issue", "nope")
    assert result.code == 2 and "no issue 'nope'" in result.stderr
    result = run_cli(
        "deadlock", DATA / "deadlock-1d.yaml", "--issue", "budget", "--rule", "eu-nice"
    )
    assert result.code == 2 and "council_votes" in result.stderr


JAPAN_NATO = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"


@pytest.mark.skipif(not JAPAN_NATO.exists(), reason="scenarios/japan-nato not written yet")
def test_japan_nato_office_blocked_by_france() -> None:
    scenario = accord.load(JAPAN_NATO)
    office = [i.id for i in scenario.issues if "office" in i.id]
    assert office, "no office issue in the Japan-NATO scenario"
    result = analyse_deadlock(scenario, office[0])
    assert not result.passes
    fr = [a for a in result.blockers if a.lower() in ("fr", "fra", "france")]
    assert fr, f"France is not among the blockers {result.blockers}"
    change = result.change_of(fr[0])
    assert change.shift_distance > 0
    assert prefers(
        change.shift_to[None, :], change.salience[None, :], result.status_quo, result.proposal
    )[0]
    assert fr[0] in result.summary()
