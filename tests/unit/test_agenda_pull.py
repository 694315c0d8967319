"""The agenda-setter pull model: hand cases, properties, and its DEU figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.models import agenda_pull as ap
from accord.models.agenda_pull_params import FITTED_PULLS
from accord.models.base import IssueArrays
from accord.models.registry import get_model

DEV = Path(__file__).parents[1] / "data" / "deu" / "deu3_dev.tsv"


def issue(ids: tuple[str, ...], x: list[float], s: list[float], c: list[float]) -> IssueArrays:
    n = len(ids)
    return IssueArrays(
        actor_ids=ids,
        positions=np.array(x, dtype=float).reshape(n, 1),
        saliences=np.array(s, dtype=float).reshape(n, 1),
        capabilities=np.array(c, dtype=float),
        lo=np.array([0.0]),
        hi=np.array([100.0]),
    )


def run(a: IssueArrays, **params: object) -> float:
    return float(get_model("agenda_pull").run(a, params, np.random.default_rng(0)).outcome[0])


def test_hand_case() -> None:
    # compromise: (1*1*0 + 1*1*40 + 2*0.5*100) / (1 + 1 + 1) = 140 / 3
    a = issue(("com", "ep", "de"), [0.0, 40.0, 100.0], [1.0, 1.0, 0.5], [1.0, 1.0, 2.0])
    c = 140.0 / 3.0
    expected = c + FITTED_PULLS["com"] * (0.0 - c) + FITTED_PULLS["ep"] * (40.0 - c)
    assert run(a) == pytest.approx(expected)
    assert run(a, pulls={}) == pytest.approx(c)
    assert run(a, pulls={"com": 1.0}) == pytest.approx(0.0)
    assert run(a, pulls={"de": 0.5}) == pytest.approx(0.5 * c + 50.0)


def test_without_setters_it_is_the_compromise() -> None:
    a = issue(("x", "y", "z"), [10.0, 20.0, 90.0], [0.2, 0.9, 0.4], [3.0, 1.0, 2.0])
    comp = get_model("compromise").run(a, {}, np.random.default_rng(0)).outcome[0]
    assert run(a) == pytest.approx(comp)


def test_bad_pulls_are_usage_errors() -> None:
    a = issue(("com", "ep", "de"), [0.0, 40.0, 100.0], [1.0, 1.0, 0.5], [1.0, 1.0, 2.0])
    with pytest.raises(UsageError, match="sum above 1"):
        run(a, pulls={"com": 0.7, "ep": 0.6})
    with pytest.raises(UsageError, match=">= 0"):
        run(a, pulls={"com": -0.1})
    with pytest.raises(UsageError, match="map actor ids"):
        run(a, pulls=[0.1])
    with pytest.raises(UsageError, match="no parameter"):
        run(a, alpha=1)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 12),
    st.integers(1, 3),
    st.floats(0, 0.5),
    st.floats(0, 0.5),
    st.integers(0, 2**32 - 1),
)
def test_forecast_is_a_convex_combination(n: int, m: int, pc: float, pe: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ids = ("com", "ep", *(f"s{i}" for i in range(n - 2)))
    x = rng.uniform(0, 100, (n, m))
    s = rng.uniform(0, 1, (n, m))
    c = rng.uniform(0, 30, n)
    a = IssueArrays(ids, x, s, c, np.zeros(m), np.full(m, 100.0))
    out = get_model("agenda_pull").run(a, {"pulls": {"com": pc, "ep": pe}}, rng).outcome
    comp = get_model("compromise").run(a, {}, rng).outcome
    assert np.all(out >= x.min(axis=0) - 1e-9) and np.all(out <= x.max(axis=0) + 1e-9)
    np.testing.assert_allclose(out, (1 - pc - pe) * comp + pc * x[0] + pe * x[1], atol=1e-9)


def test_dev_backtest_figures() -> None:
    """In-sample on the file it was fitted on (the honest, cross-validated figure is in
    docs/accuracy.md): better than the compromise, and by less than the target's 10%."""
    from accord.analysis.backtest import run_backtest

    data = run_backtest(DEV, ["compromise", "agenda_pull"]).to_json_dict(statistics=False)
    comp = data["models"]["compromise"]["mae"]
    pull = data["models"]["agenda_pull"]["mae"]
    assert data["models"]["agenda_pull"]["n"] == 244
    assert comp * 0.9 < pull < comp


def test_forecast_interface_serves_any_scenario() -> None:
    import accord

    scenario = accord.load(Path(__file__).parents[2] / "scenarios" / "emission-standards.yaml")
    result = accord.forecast(scenario, model=["compromise", "agenda_pull"])
    assert result.issues
    for item in result.issues:
        a = item.forecast_of("agenda_pull").outcome
        b = item.forecast_of("compromise").outcome
        np.testing.assert_allclose(a, b)  # no com/ep in this scenario


def test_pull_vector() -> None:
    v = ap.pull_vector(("ep", "x", "com"), {"com": 0.2, "ep": 0.1, "zz": 0.3})
    assert v.tolist() == [0.1, 0.0, 0.2]
