"""Consensus as practised, on the case side: package deals weighted by issue, rollbacks left out,
each deal's procedure reading, and the perception-gap question (how far must an objector's
threat perception rise before it acquiesces?)."""

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
from accord.analysis.package_deals import actor_losses, find_package_deals, rollback_mask
from accord.analysis.perception import (
    ELASTICITY,
    acquiescence_rises,
    rise_by_elasticity,
    rise_by_formula,
)
from accord.errors import UsageError
from accord.rules.procedure import net_losses
from accord.scenario.derive import apply_inputs

ROOT = Path(__file__).parents[2]
DATA = Path(__file__).parents[1] / "data" / "scenarios"
JAPAN_NATO = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"


@pytest.fixture(scope="module")
def japan() -> accord.Scenario:
    return accord.load(JAPAN_NATO)


# ------------------------------------------------------------------------------ package deals


def test_an_issue_weighs_once_whatever_its_number_of_dimensions() -> None:
    one = actor_losses(np.array([[30.0]]), np.array([[80.0]]), np.array([[0.5]]), np.array([100.0]))
    many = actor_losses(
        np.full((1, 16), 30.0), np.full((1, 16), 80.0), np.full((1, 16), 0.5), np.full(16, 100.0)
    )
    assert many == pytest.approx(one)


def test_rollback_mask() -> None:
    sq, rec = np.array([50.0]), np.array([75.0])
    points = np.array([[50.0], [40.0], [60.0], [75.0], [90.0]])
    assert rollback_mask(points, sq, rec, np.array([1.0])).tolist() == [
        True,  # the status quo is short of the passed record
        True,
        True,
        False,
        False,
    ]
    # no record: only the far side of the status quo from where the members lean rolls back
    assert rollback_mask(points, sq, None, np.array([1.0])).tolist() == [
        False,
        True,
        False,
        False,
        False,
    ]


def test_deal_carries_its_procedure_reading() -> None:
    deals = find_package_deals(
        accord.load(DATA / "package-trade.yaml"), models="compromise", exchange=False
    )
    best = deals.deals[0]
    assert best.outcomes == {"trade": [100.0], "fisheries": [100.0]}
    assert best.rollbacks == []
    proc = best.procedure
    # as one package nobody loses on balance: nobody breaks silence
    assert proc["objectors"] == [] and proc["passes"]
    # issue by issue, the loser of each issue would object to it alone
    assert proc["issues"]["trade"]["objectors"] == ["B"]
    assert proc["issues"]["fisheries"]["objectors"] == ["A"]
    json.dumps(deals.to_json_dict())


def test_japan_nato_deals_leave_rollbacks_out_by_default(japan: accord.Scenario) -> None:
    kwargs: dict[str, Any] = {
        "issues": ["tokyo-office", "china-language"],
        "models": "compromise,median",
        "exchange": False,
        "top": 20,
    }
    default = find_package_deals(japan, **kwargs)
    china = [c["point"][0] for c in default.candidates["china-language"]]
    assert china[0] == 50.0  # the status quo stays: "no change on this issue"
    assert all(v >= 75.0 for v in china[1:])  # nothing below the Washington record
    assert all(d.rollbacks == [] for d in default.deals)
    assert any("rollbacks" in note for note in default.notes)
    everything = find_package_deals(japan, include_rollbacks=True, **kwargs)
    assert len(everything.candidates["china-language"]) > len(china)
    assert any(d.rollbacks for d in everything.deals)
    for deal in everything.deals:
        value = deal.outcomes["china-language"][0]
        # the status quo leaves the issue out of the package; anything else short of 75 rolls back
        assert ("china-language" in deal.rollbacks) == (value != 50.0 and value < 75.0 - 1e-9)


# ------------------------------------------------------------------------------ perception gap


def test_rise_by_elasticity_closes_exactly_at_the_cost() -> None:
    rise = rise_by_elasticity(40.0, 10.0, ELASTICITY)
    assert 40.0 * (1 - ELASTICITY * rise) == pytest.approx(10.0)
    assert rise_by_elasticity(5.0, 10.0, ELASTICITY) == 0.0
    with pytest.raises(UsageError):
        rise_by_elasticity(5.0, 1.0, 0.0)


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(0, 30),
    s=st.floats(0.2, 1.0),
    slope=st.floats(0.5, 3.0),
    cost=st.floats(1.0, 20.0),
)
def test_rise_by_formula_is_the_smallest_on_its_grid(
    x: float, s: float, slope: float, cost: float
) -> None:
    args = (np.array([0.0]), np.array([100.0]), cost)
    rise = rise_by_formula(
        np.array([x]), np.array([s]), *args, np.array([slope]), 0.0, np.zeros(1),
        np.array([100.0]), 1.0, 100.0,
    )  # fmt: skip
    assert rise is not None  # the position reaches the proposal within 100 points

    def loss(r: float) -> float:
        pos = np.clip(np.array([[x + slope * r]]), 0, 100)
        return float(net_losses(pos, np.array([[s]]), np.array([0.0]), np.array([100.0]))[0])

    assert loss(rise) <= cost + 1e-9
    if rise > 0:
        assert loss(rise - 0.1) > cost - 1e-9


def test_france_needs_more_than_closing_the_gap_to_japan(japan: accord.Scenario) -> None:
    (fra,) = acquiescence_rises(japan, "tokyo-office")
    assert fra.actor == "fra" and fra.threat_now == 72.0
    assert fra.loss_now > fra.cost
    # 1 - c/L of the salience must go at 1/34 per point: beyond Japan's 87 and the scale's 100
    assert fra.rise is None
    assert (1 - fra.cost / fra.loss_now) / ELASTICITY > 100.0 - 72.0
    cheap = acquiescence_rises(japan, "tokyo-office", elasticity=0.1)[0]
    assert cheap.rise == pytest.approx((1 - cheap.cost / cheap.loss_now) / 0.1)
    assert cheap.threat_needed == pytest.approx(72.0 + cheap.rise)


def test_formula_route(japan: accord.Scenario) -> None:
    swapped = apply_inputs(japan, "formulas")
    rises = acquiescence_rises(swapped, "tokyo-office", inputs="formulas")
    by_actor = {r.actor: r for r in rises}
    assert "fra" in by_actor
    assert all("office-support" in r.method for r in rises)
    for r in rises:
        assert r.rise is None or r.rise >= 0
    with pytest.raises(UsageError):
        acquiescence_rises(japan, "japan-mission", inputs="formulas")


def test_cli_deadlock_and_gaps_report_the_rise(run_cli: Callable[..., Any]) -> None:
    from accord.cli.deadlock import ELASTICITY as CLI_ELASTICITY

    assert CLI_ELASTICITY == ELASTICITY
    result = run_cli(
        "deadlock", JAPAN_NATO, "-i", "tokyo-office", "--no-deals", "--elasticity", "0.1",
        "-f", "json",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["inputs"] == "record"
    assert [r["actor"] for r in data["perception_rises"]] == ["fra"]
    assert data["perception_rises"][0]["rise"] > 0
    result = run_cli("gaps", JAPAN_NATO, "-i", "tokyo-office", "-f", "json")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)["acquiescence"]
    assert [r["actor"] for r in rows] == ["fra"]
    assert rows[0]["gap_to_focal_now"] == pytest.approx(87.0 - 72.0)
    result = run_cli("gaps", JAPAN_NATO, "-i", "tokyo-office")
    assert result.code == 0 and "How far must the gap close?" in result.stdout
    result = run_cli("gaps", JAPAN_NATO, "--inputs", "nonsense")
    assert result.code == 2 and "--inputs" in result.stderr


def test_cli_montecarlo_inputs_and_procedure(run_cli: Callable[..., Any]) -> None:
    args = ("montecarlo", JAPAN_NATO, "-i", "tokyo-office", "-n", "20", "-m", "compromise")
    record = run_cli(*args, "-f", "json")
    assert record.code == 0, record.stderr
    (model,) = json.loads(record.stdout)["issues"][0]["models"]
    assert next(iter(model["procedure"]["objectors"])) == "fra"
    formulas = run_cli(*args, "--inputs", "formulas", "-f", "json")
    assert formulas.code == 0, formulas.stderr
    (model_f,) = json.loads(formulas.stdout)["issues"][0]["models"]
    # the formula sensitivity brings back the many objectors the record does not show
    assert len(model_f["procedure"]["objectors"]) > len(model["procedure"]["objectors"])
    table = run_cli(*args)
    assert table.code == 0 and "P(blocked)" in table.stdout
    bare = run_cli(*args, "--no-procedure", "-f", "json")
    assert json.loads(bare.stdout)["issues"][0]["models"][0]["procedure"] is None


def test_forecast_takes_the_formula_inputs_as_a_sensitivity(run_cli) -> None:  # type: ignore[no-untyped-def]
    """``accord forecast --inputs formulas`` runs the attribute formulas; the record-coded
    stances stay the default, and an unknown choice is one clear error."""
    import json

    path = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"
    args = ("forecast", path, "-m", "compromise", "-i", "tokyo-office", "-f", "json")
    record = json.loads(run_cli(*args).stdout)
    formulas = json.loads(run_cli(*args, "--inputs", "formulas").stdout)
    value = record["issues"][0]["forecasts"][0]["outcome"]
    assert value != formulas["issues"][0]["forecasts"][0]["outcome"]
    bad = run_cli(*args, "--inputs", "bogus")
    assert bad.code == 2 and "expected record or formulas" in bad.stderr
