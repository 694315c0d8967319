"""The vectorised procedure (rules/procedure.py:run_procedure_batch) equals run_procedure.

Equality is exact (``==`` on the arrays): the batch function performs the same float operations
in the same order as the scalar one, only over a leading draw axis.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.rules.base import DecisionRule, Unanimity
from accord.rules.procedure import OUTCOMES, run_procedure, run_procedure_batch
from tests.strategies import decision_rules, unit_values

JAPAN = Path(__file__).resolve().parents[2] / "scenarios" / "japan-nato" / "scenario.yaml"


def _assert_same(
    rules: list[DecisionRule],
    x: np.ndarray,
    s: np.ndarray,
    q: np.ndarray,
    p: np.ndarray,
    costs: np.ndarray,
    taus: np.ndarray,
    **kw: Any,
) -> list[str]:
    batch = run_procedure_batch(rules, x, s, q, p, costs=costs, reservation_thresholds=taus, **kw)
    seen = []
    for b, rule in enumerate(rules):
        opt_out = bool(kw.get("opt_out")) and rule.name in ("consensus", "unanimity")
        ref = run_procedure(
            rule,
            x[b],
            s[b],
            q[b],
            p[b],
            cost=costs[b],
            reservation_threshold=float(taus[b]),
            max_dilution=kw.get("max_dilution", 0.5),
            name=kw.get("name", "practised"),
            opt_out=opt_out,
            next_window=kw.get("next_window", False),
        )
        assert OUTCOMES[batch.outcomes[b]] == ref.outcome, b
        assert np.flatnonzero(batch.objectors[b]).tolist() == ref.objectors, b
        assert np.flatnonzero(batch.reservations[b]).tolist() == ref.reservations, b
        assert np.flatnonzero(batch.opt_outs[b]).tolist() == ref.opt_outs, b
        assert batch.dilution[b] == ref.dilution, b
        assert np.array_equal(batch.values[b], ref.value), b
        seen.append(ref.outcome)
    return seen


@st.composite
def _cases(draw: st.DrawFn) -> dict[str, Any]:
    k = draw(st.integers(3, 8))
    m = draw(st.integers(1, 3))
    n_draws = draw(st.integers(1, 12))
    shared = draw(st.booleans())
    rule = draw(decision_rules(k))
    rules = [rule if shared else draw(decision_rules(k)) for _ in range(n_draws)]
    return {
        "rules": rules,
        "x": draw_array(draw, (n_draws, k, m), 100.0),
        "s": draw_array(draw, (n_draws, k, m), 1.0),
        "q": draw_array(draw, (n_draws, m), 100.0),
        "p": draw_array(draw, (n_draws, m), 100.0),
        "costs": draw_array(draw, (n_draws, k), 30.0),
        "taus": draw_array(draw, (n_draws,), 5.0),
        "max_dilution": draw(st.sampled_from([0.25, 0.5, 0.9])),
        "opt_out": draw(st.booleans()),
        "next_window": draw(st.booleans()),
        "name": draw(st.sampled_from(["practised", "practised", "strict"])),
    }


def draw_array(draw: st.DrawFn, shape: tuple[int, ...], hi: float) -> np.ndarray:
    """A grid-valued array on [0, hi] (ties and coincident points come up often)."""
    return np.asarray(draw(unit_values(shape, 0.0, hi)), dtype=np.float64)


@settings(max_examples=150, deadline=None)
@given(_cases())
def test_batch_equals_run_procedure_on_random_cases(case: dict[str, Any]) -> None:
    _assert_same(
        case["rules"],
        case["x"],
        case["s"],
        case["q"],
        case["p"],
        case["costs"],
        case["taus"],
        max_dilution=case["max_dilution"],
        opt_out=case["opt_out"],
        next_window=case["next_window"],
        name=case["name"],
    )


def test_batch_reaches_every_outcome_class() -> None:
    # a seeded random family under consensus that covers every class, so the equality above
    # is not only checked on passing draws
    rng = np.random.default_rng(3)
    seen: set[str] = set()
    for opt_out, next_window in [(False, False), (True, True), (False, True)]:
        n, k = 400, 9
        x = rng.uniform(0, 100, size=(n, k, 1))
        s = rng.uniform(0.1, 1, size=(n, k, 1))
        q = rng.uniform(0, 100, size=(n, 1))
        p = rng.uniform(0, 100, size=(n, 1))
        costs = rng.uniform(0, 25, size=(n, k))
        taus = rng.uniform(0, 4, size=n)
        rules: list[DecisionRule] = [Unanimity([f"m{i}" for i in range(k)])] * n
        seen |= set(
            _assert_same(rules, x, s, q, p, costs, taus, opt_out=opt_out, next_window=next_window)
        )
    assert seen == set(OUTCOMES)


def test_batch_equals_run_procedure_on_japan_nato(monkeypatch: pytest.MonkeyPatch) -> None:
    if not JAPAN.exists():
        pytest.skip("scenarios/japan-nato is absent")
    from accord.analysis import montecarlo
    from accord.scenario.io import load

    calls: list[tuple[Any, ...]] = []
    from accord.analysis.mc_procedure import procedure_over_draws as original

    def capture(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(montecarlo, "procedure_over_draws", capture)
    scenario = load(JAPAN)
    for issue in scenario.issues:
        montecarlo.issue_monte_carlo(scenario, issue.id, ["compromise", "median"], draws=60, seed=0)
    assert len(calls) >= 2 * 4
    seen: set[str] = set()
    for settings_, rules, _ids, x, s, q, p, factors, _names, _values in calls:
        base = settings_.costs(_ids)
        f = factors if settings_.cost > 0 else np.ones(len(factors))
        seen |= set(
            _assert_same(
                list(rules),
                x,
                s,
                q,
                p,
                base[None, :] * f[:, None],
                settings_.reservation_threshold * f,
                name=settings_.name,
                max_dilution=settings_.max_dilution,
                opt_out=settings_.opt_out,
                next_window=settings_.next_window,
            )
        )
    assert len(seen) >= 2
