"""Tests of accord.models.bdm against bdm-scholz.md (reading S1) and Scholz et al. 2011 Table 2."""

from __future__ import annotations

import math
import re
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.models import bdm as bdm_module
from accord.models.base import IssueArrays
from accord.models.bdm import CHOICES, SPEC, BDMParams, bdm, condorcet_median, run
from accord.models.registry import get_model
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import bdm_csv

DATA = Path(__file__).parents[1] / "data" / "bdm"

# bdm-scholz.md §10: the expected S1 output, rounds 1-8.
S1_MEDIAN = [8.416, 9.611, 9.962, 9.962, 9.962, 7.472, 8.825, 9.671]
S1_MEAN = [7.461, 7.553, 7.590, 7.358, 7.349, 7.415, 7.510, 7.572]
# bdm-scholz.md §7: round-1 risk exponents.
S1_RISK = {
    "Netherlands": 1.406,
    "Belgium": 0.754,
    "Luxembourg": 0.509,
    "Germany": 1.406,
    "France": 1.047,
    "Italy": 1.047,
    "UK": 1.965,
    "Ireland": 0.500,
    "Denmark": 2.000,
    "Greece": 1.112,
}


def _issue(name: str) -> IssueArrays:
    path = DATA / name
    scenario = bdm_csv.read(path.read_text(), path.name)[0]
    return issue_arrays(scenario, scenario.issues[0].id)


EMISSION = _issue("emission_standards.csv")
X = EMISSION.positions[:, 0]
C = EMISSION.capabilities
S = EMISSION.saliences[:, 0]


def _reference() -> tuple[list[float], list[float], np.ndarray, list[float], list[float]]:
    """Parse scholz_table2_rounds.txt: Table 2 from its header, the reference run from its rows."""
    text = (DATA / "scholz_table2_rounds.txt").read_text()
    table = re.search(r"median ([\d. ]+);\s*mean ([\d. ]+)", text)
    assert table is not None
    t2_median = [float(v) for v in table.group(1).split()]
    t2_mean = [float(v) for v in table.group(2).split()]
    rows = re.findall(r"^(\d+),([\d.]+),([\d.]+),\[([^\]]*)\]", text, flags=re.MULTILINE)
    positions = np.array([[float(v) for v in row[3].split(",")] for row in rows])
    ref_median = [float(row[1]) for row in rows]
    ref_mean = [float(row[2]) for row in rows]
    return t2_median, t2_mean, positions, ref_median, ref_mean


T2_MEDIAN, T2_MEAN, REF_POSITIONS, REF_MEDIAN, REF_MEAN = _reference()


def truncate(value: float) -> float:
    """Scholz's reporting precision [A16]: floor(10 v) / 10 (guarding exact decimals)."""
    return math.floor(10.0 * value + 1e-9) / 10.0


def matches(series: np.ndarray, table: list[float], fmt: object = truncate) -> list[int]:
    """The rounds (1-based) where ``fmt(series[t])`` equals Table 2."""
    assert callable(fmt)
    return [t + 1 for t, ref in enumerate(table) if abs(fmt(series[t + 1]) - ref) < 1e-9]


def test_reference_file_parsed() -> None:
    assert len(T2_MEDIAN) == len(T2_MEAN) == 8
    assert REF_POSITIONS.shape == (11, 10)


def test_s1_median_mean_and_positions() -> None:
    result = bdm(X, C, S, BDMParams(rounds=10))
    np.testing.assert_allclose(result.median[1:9], S1_MEDIAN, atol=5e-4)
    np.testing.assert_allclose(result.mean[1:9], S1_MEAN, atol=5e-4)
    assert result.median[0] == 7.0
    assert round(result.mean[0], 3) == 7.390
    # the reference run's positions, medians and means for rounds 0-10 (printed to 3 decimals)
    np.testing.assert_allclose(result.positions, REF_POSITIONS, atol=5.1e-4)
    np.testing.assert_allclose(result.median, REF_MEDIAN, atol=5.1e-4)
    np.testing.assert_allclose(result.mean, REF_MEAN, atol=5.1e-4)


def test_s1_risk_exponents_round_one_via_adapter() -> None:
    out = run(EMISSION, {}, np.random.default_rng(0))
    risk = out.diagnostics["risk_exponents_round1"][0]
    assert set(risk) == {a for a in EMISSION.actor_ids}
    names = dict(zip(EMISSION.actor_ids, S1_RISK.values(), strict=True))
    for actor, expected in names.items():
        assert round(risk[actor], 3) == pytest.approx(expected, abs=1e-9), actor


def test_s1_against_table2_with_truncation() -> None:
    result = bdm(X, C, S)
    # bdm-scholz.md §13: 7 of 8 medians (round 2 gives 9.611, Table 2 prints 9.9) and 6 of 8
    # means (rounds 3 and 8 truncate to 7.5, Table 2 prints 7.6).
    assert matches(result.median, T2_MEDIAN) == [1, 3, 4, 5, 6, 7, 8]
    assert matches(result.mean, T2_MEAN) == [1, 2, 4, 5, 6, 7]
    assert truncate(result.median[2]) == 9.6
    assert [truncate(result.mean[t]) for t in (3, 8)] == [7.5, 7.5]
    # [A16] rounding instead of truncation gets 7 of 16
    rounded = len(matches(result.median, T2_MEDIAN, lambda v: round(v, 1))) + len(
        matches(result.mean, T2_MEAN, lambda v: round(v, 1))
    )
    assert rounded == 7


def test_s1_does_not_converge() -> None:
    result = bdm(X, C, S, BDMParams(rounds=30))
    late = result.median[10:]
    assert late.min() == 7.0
    assert late.max() > 9.7
    assert result.status != "settled"


def test_mirroring_scale_changes_results_from_round_four() -> None:
    # bdm-scholz.md §9: the compromise key K is orientation-biased.
    mirrored = bdm(14.0 - X, C, S)
    plain = bdm(X, C, S)
    np.testing.assert_allclose(14.0 - mirrored.median[:4], plain.median[:4], atol=1e-12)
    np.testing.assert_allclose(14.0 - mirrored.positions[:4], plain.positions[:4], atol=1e-12)
    assert not np.allclose(14.0 - mirrored.positions[4], plain.positions[4])


# §11 documented counts of Table-2 medians (truncated) for single-switch departures from S1.
DOCUMENTED_MEDIANS = [
    ({"probability": "dyadic"}, 0),  # A2: printed eq. 31
    ({"vote_exponent": "linear"}, 6),  # A3: S1 gets one more
    ({"opponent_exponent": "opponent"}, 3),  # A5
    ({"risk": "carry"}, 2),  # A8
    ({"compromise": "weighted-average"}, 0),  # A10
    ({"selection": "least-movement"}, 4),  # A11: the paper's text
    ({"selection": "category-least-movement"}, 4),  # A11
    ({"selection": "most-enforceable"}, 2),  # A11
    ({"update": "sequential"}, 2),  # A12
]


@pytest.mark.parametrize(("switch", "count"), DOCUMENTED_MEDIANS)
def test_documented_switch_results(switch: dict[str, str], count: int) -> None:
    result = bdm(X, C, S, BDMParams(**switch))  # type: ignore[arg-type]
    assert len(matches(result.median, T2_MEDIAN)) == count


def test_third_party_voters_same_score_other_values() -> None:
    # A4: "gives the same 13/16 with slightly different values"
    result = bdm(X, C, S, BDMParams(voters="third-parties"))
    assert len(matches(result.median, T2_MEDIAN)) + len(matches(result.mean, T2_MEAN)) == 13
    plain = bdm(X, C, S)
    assert not np.allclose(result.median, plain.median, atol=1e-6)
    np.testing.assert_allclose(result.median, plain.median, atol=0.05)


@pytest.mark.parametrize(
    "switch",
    [
        {"compel": "none"},  # A9: identical on this data
        {"range": "current"},  # A14: coincide here
        {"range": "scale"},
        {"median_tie": "highest"},  # A15: the EC case never ties
        {"median_tie": "first"},
    ],
)
def test_switches_identical_on_emission_case(switch: dict[str, str]) -> None:
    result = bdm(X, C, S, BDMParams(**switch), scale=(4.0, 10.0))  # type: ignore[arg-type]
    plain = bdm(X, C, S)
    np.testing.assert_array_equal(result.positions, plain.positions)


ALL_SWITCHES = [(name, value) for name, values in CHOICES.items() for value in values[1:]]


@pytest.mark.parametrize(("name", "value"), ALL_SWITCHES)
def test_every_switch_runs_deterministically_and_in_range(name: str, value: str) -> None:
    params = BDMParams(rounds=6, **{name: value})  # type: ignore[arg-type]
    first = bdm(X, C, S, params, scale=(4.0, 10.0))
    second = bdm(X, C, S, params, scale=(4.0, 10.0))
    np.testing.assert_array_equal(first.positions, second.positions)
    assert first.positions.shape == (7, 10)
    assert (first.positions >= 4.0).all() and (first.positions <= 10.0).all()
    assert np.isfinite(first.median).all() and np.isfinite(first.mean).all()


@pytest.mark.parametrize("q", [0.0, 0.5])
@pytest.mark.parametrize("bw", ["sum", "difference"])
def test_q_below_one_runs_in_range(q: float, bw: str) -> None:
    result = bdm(X, C, S, BDMParams(q=q, bw_distance=bw))  # type: ignore[arg-type]
    assert (result.positions >= 4.0).all() and (result.positions <= 10.0).all()
    assert not np.array_equal(result.positions, bdm(X, C, S).positions)


OTHER_CASES = ["sultan.csv", "china_democratization.csv", "honduras_crisis.csv"]


@pytest.mark.parametrize("name", OTHER_CASES)
@pytest.mark.parametrize(("switch", "value"), ALL_SWITCHES)
def test_other_bdm_cases_every_switch_in_range(name: str, switch: str, value: str) -> None:
    issue = _issue(name)
    out = run(issue, {"rounds": 4, switch: value}, np.random.default_rng(0))
    lo, hi = issue.positions.min(), issue.positions.max()
    assert (out.positions >= lo).all() and (out.positions <= hi).all()
    assert lo <= out.outcome[0] <= hi


@pytest.mark.parametrize("name", OTHER_CASES)
def test_other_bdm_cases_run_in_range(name: str) -> None:
    issue = _issue(name)
    out = get_model("bdm").run(issue, {"rounds": 12}, np.random.default_rng(1))
    lo, hi = issue.positions.min(), issue.positions.max()
    assert out.positions.shape == (13, issue.n_actors, 1)
    assert (out.positions >= lo).all() and (out.positions <= hi).all()
    assert lo <= out.outcome[0] <= hi
    assert out.series["median"].shape == out.series["mean"].shape == (13, 1)
    assert out.diagnostics["status"][0]["status"] in {"settled", "cycle", "moving"}


def test_adapter_outputs_and_forecast_choice() -> None:
    out = run(EMISSION, {}, np.random.default_rng(0))
    assert out.model == "bdm"
    assert out.positions.shape == (9, 10, 1)
    assert out.outcome[0] == pytest.approx(S1_MEDIAN[-1], abs=5e-4)
    assert out.diagnostics["params"]["probability"] == "global"
    assert out.diagnostics["settled"] == [False]
    mean = run(EMISSION, {"forecast": "mean", "rounds": 3}, np.random.default_rng(0))
    assert mean.outcome[0] == pytest.approx(S1_MEAN[2], abs=5e-4)
    assert mean.n_rounds == 3
    assert SPEC.name == "bdm" and not SPEC.is_stochastic()
    assert set(SPEC.defaults) == {f.name for f in fields(BDMParams)} | {"forecast"}


def test_adapter_runs_dimensions_independently() -> None:
    positions = np.column_stack([X, 14.0 - X])
    saliences = np.column_stack([S, S[::-1]])
    issue = IssueArrays(
        actor_ids=EMISSION.actor_ids,
        positions=positions,
        saliences=saliences,
        capabilities=C,
        lo=np.array([4.0, 4.0]),
        hi=np.array([10.0, 10.0]),
    )
    out = run(issue, {"rounds": 4}, np.random.default_rng(0))
    for k in range(2):
        alone = bdm(positions[:, k], C, saliences[:, k], BDMParams(rounds=4))
        np.testing.assert_array_equal(out.positions[:, :, k], alone.positions)
        np.testing.assert_array_equal(out.series["median"][:, k], alone.median)


def test_settled_run_detected() -> None:
    # two actors at the same place never move
    result = bdm(np.array([3.0, 3.0]), np.array([1.0, 2.0]), np.array([0.5, 0.5]))
    assert result.status == "settled" and result.period == 1
    assert (result.positions == 3.0).all()


@pytest.mark.parametrize(
    "params",
    [
        {"bogus": 1},
        {"probability": "eq31"},
        {"rounds": -1},
        {"rounds": 2.5},
        {"q": 1.5},
        {"forecast": "mode"},
        {"range": "scale", "q": "x"},
    ],
)
def test_bad_params_are_usage_errors(params: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        run(EMISSION, params, np.random.default_rng(0))


def test_bad_inputs_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="shape"):
        bdm(X, C[:3], S)
    with pytest.raises(UsageError, match="negative"):
        bdm(X, -C, S)
    with pytest.raises(UsageError, match="salience"):
        bdm(X, C, S * 2)
    with pytest.raises(UsageError, match="capability x salience"):
        bdm(X, C, np.zeros_like(S))
    with pytest.raises(UsageError, match="scale"):
        bdm(X, C, S, BDMParams(range="scale"))


def test_median_tie_breaks() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    w = np.ones(4)  # every point in [2, 3] minimises F
    assert condorcet_median(x, w, "lowest") == 2.0
    assert condorcet_median(x, w, "highest") == 3.0
    assert condorcet_median(x[::-1].copy(), w, "first") == 3.0


# --- properties -------------------------------------------------------------------------------

weights = st.floats(min_value=0.05, max_value=1.0, allow_nan=False)


@st.composite
def cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(min_value=2, max_value=7))
    x = np.array(draw(st.lists(st.floats(-50, 50), min_size=n, max_size=n)))
    c = np.array(draw(st.lists(weights, min_size=n, max_size=n)))
    s = np.array(draw(st.lists(weights, min_size=n, max_size=n)))
    return x, c, s


@settings(max_examples=40, deadline=None)
@given(cases(), st.sampled_from([None, *ALL_SWITCHES]), st.floats(0.0, 1.0))
def test_outcome_within_initial_range(
    case: tuple[np.ndarray, np.ndarray, np.ndarray], switch: tuple[str, str] | None, q: float
) -> None:
    x, c, s = case
    extra = {} if switch is None else {switch[0]: switch[1]}
    params = BDMParams(rounds=4, q=q, **extra)  # type: ignore[arg-type]
    result = bdm(x, c, s, params, scale=(-50.0, 50.0))
    lo, hi = x.min(), x.max()
    assert (result.positions >= lo).all() and (result.positions <= hi).all()
    assert ((result.median >= lo) & (result.median <= hi)).all()
    assert ((result.mean >= lo - 1e-9) & (result.mean <= hi + 1e-9)).all()


@settings(max_examples=40, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_relabelling_actors_permutes_positions(
    case: tuple[np.ndarray, np.ndarray, np.ndarray], random: object
) -> None:
    x, c, s = case
    n = x.size
    assume(n >= 3)
    # distinct positions and distinct pairwise distances, so that no tie-break depends on order
    gaps = np.sort(np.abs(x[:, None] - x[None, :])[np.triu_indices(n, 1)])
    assume(gaps[0] > 1e-3 and (np.diff(gaps) > 1e-3).all())
    order = list(range(n))
    random.shuffle(order)  # type: ignore[attr-defined]
    perm = np.array(order)
    params = BDMParams(rounds=3)
    plain = bdm(x, c, s, params)
    shuffled = bdm(x[perm], c[perm], s[perm], params)
    np.testing.assert_allclose(shuffled.positions, plain.positions[:, perm], atol=1e-9)
    np.testing.assert_allclose(shuffled.median, plain.median, atol=1e-9)
    np.testing.assert_allclose(shuffled.mean, plain.mean, atol=1e-9)


def test_module_has_no_global_random_state() -> None:
    files = sorted(Path(bdm_module.__file__).parent.glob("*.py"))
    assert len(files) >= 5  # the package: __init__, params, reference and both engines
    for path in files:
        source = path.read_text()
        assert "np.random." not in source.replace("np.random.Generator", ""), path.name
