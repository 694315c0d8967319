"""Monte Carlo over assumed ranges: reproducibility, zero spread, drivers, pass probability."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.analysis.montecarlo import (
    apply_draws,
    draw_values,
    issue_monte_carlo,
    monte_carlo,
    sobol_indices,
    spearman,
    uncertain_inputs,
)
from accord.errors import AccordError, UsageError
from accord.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]


def stance(
    actor: str,
    position: float,
    salience: float,
    pos_range: tuple[float, float] | None = None,
    sal_range: tuple[float, float] | None = None,
) -> dict[str, Any]:
    pos: dict[str, Any] = {"value": position, "source": "test"}
    sal: dict[str, Any] = {"value": salience, "source": "test"}
    if pos_range is not None:
        pos.update(range=list(pos_range), assumed=True)
    if sal_range is not None:
        sal.update(range=list(sal_range), assumed=True)
    return {"actor": actor, "position": pos, "salience": sal}


def scenario(
    stances: list[dict[str, Any]],
    *,
    rule: str | None = "consensus",
    status_quo: float | None = 0.0,
    capabilities: dict[str, tuple[float, tuple[float, float] | None]] | None = None,
) -> Scenario:
    ids = [s["actor"] for s in stances]
    caps = capabilities or {}
    actors = []
    for a in ids:
        value, rng = caps.get(a, (1.0, None))
        cap: dict[str, Any] = {"value": value, "source": "test"}
        if rng is not None:
            cap.update(range=list(rng), assumed=True)
        actors.append({"id": a, "name": a, "capability": cap, "member_of": ["body"]})
    issue: dict[str, Any] = {
        "id": "q",
        "name": "question",
        "dimensions": [{"id": "x", "lo": 0, "hi": 100, "unit": "points"}],
        "stances": stances,
        "body": "body",
    }
    if status_quo is not None:
        issue["status_quo"] = {"value": status_quo, "source": "test"}
    bodies = []
    if rule is not None:
        bodies = [{"id": "body", "name": "Body", "rule": {"kind": rule}}]
    else:
        issue.pop("body")
        for actor in actors:
            actor["member_of"] = []
    return Scenario.model_validate(
        {"id": "mc", "title": "mc test", "actors": actors, "bodies": bodies, "issues": [issue]}
    )


UNCERTAIN = scenario(
    [
        stance("a", 20, 0.5, (10, 30), (0.3, 0.7)),
        stance("b", 60, 0.8, (50, 70)),
        stance("c", 90, 0.4, None, (0.2, 0.6)),
    ],
    capabilities={"a": (2.0, (1.0, 3.0)), "b": (1.0, None), "c": (1.5, (1.0, 2.0))},
)


def test_inputs_are_every_range() -> None:
    names = [i.name for i in uncertain_inputs(UNCERTAIN, "q")]
    assert names == [
        "position a",
        "position b",
        "salience a",
        "salience c",
        "capability a",
        "capability c",
    ]


def test_draws_stay_in_their_ranges_and_are_written_into_the_batch() -> None:
    inputs = uncertain_inputs(UNCERTAIN, "q")
    values = draw_values(inputs, 500, np.random.default_rng(3))
    lo = np.array([i.lo for i in inputs])
    hi = np.array([i.hi for i in inputs])
    assert np.all(values >= lo) and np.all(values <= hi)
    batch = apply_draws(UNCERTAIN, "q", inputs, values)
    assert np.array_equal(batch.positions[:, 0, 0], values[:, 0])
    assert np.array_equal(batch.positions[:, 2, 0], np.full(500, 90.0))  # no range: fixed
    assert np.array_equal(batch.capabilities[:, 0], values[:, 4])


def test_triangular_draws_peak_at_the_stated_value() -> None:
    inputs = uncertain_inputs(UNCERTAIN, "q")[:1]  # position a: 20 in [10, 30]
    uniform = draw_values(inputs, 4000, np.random.default_rng(1), "uniform")[:, 0]
    triangle = draw_values(inputs, 4000, np.random.default_rng(1), "triangular")[:, 0]
    near = lambda v: float(np.mean(np.abs(v - 20) < 3))  # noqa: E731
    assert near(triangle) > near(uniform) + 0.1
    assert triangle.min() >= 10 and triangle.max() <= 30


def test_same_seed_same_result_other_seed_other_result() -> None:
    one = monte_carlo(UNCERTAIN, "compromise,median", draws=200, seed=7)
    two = monte_carlo(UNCERTAIN, "compromise,median", draws=200, seed=7)
    three = monte_carlo(UNCERTAIN, "compromise,median", draws=200, seed=8)
    assert json.dumps(one.to_json_dict()) == json.dumps(two.to_json_dict())
    a, b = one.issue("q").model("compromise"), three.issue("q").model("compromise")
    assert not np.array_equal(a.outcomes, b.outcomes)
    assert np.array_equal(one.issue("q").values, two.issue("q").values)


def test_result_of_a_model_does_not_depend_on_which_other_models_run() -> None:
    alone = monte_carlo(UNCERTAIN, "median", draws=100, seed=2)
    together = monte_carlo(UNCERTAIN, "compromise,median", draws=100, seed=2)
    assert np.array_equal(
        alone.issue("q").model("median").outcomes, together.issue("q").model("median").outcomes
    )


def test_no_ranges_means_zero_spread() -> None:
    fixed = scenario([stance("a", 20, 0.5), stance("b", 60, 0.8), stance("c", 90, 0.4)])
    result = issue_monte_carlo(fixed, "q", ["compromise", "median", "bdm"], draws=50, seed=1)
    assert result.inputs == ()
    for item in result.models:
        assert np.ptp(item.outcomes) == 0.0
        summary = item.outcome_summary[0]
        assert summary.std == 0.0
        assert summary.quantiles["q05"] == summary.quantiles["q95"]
        assert item.pass_probability in (0.0, 1.0)


def test_the_one_uncertain_input_that_drives_everything_ranks_first() -> None:
    # compromise = capability- and salience-weighted mean; only b's position moves, over a wide
    # range, and b weighs most: it must be the top driver with rho = 1
    case = scenario(
        [
            stance("a", 20, 0.5, (19.9, 20.1)),
            stance("b", 60, 0.9, (0, 100)),
            stance("c", 90, 0.4, None, (0.39, 0.41)),
        ],
        capabilities={"a": (1.0, (0.99, 1.01)), "b": (3.0, None), "c": (1.0, None)},
    )
    result = issue_monte_carlo(case, "q", ["compromise"], draws=300, seed=4)
    drivers = result.model("compromise").drivers
    assert drivers[0].input.name == "position b"
    assert drivers[0].rho[0] == pytest.approx(1.0, abs=1e-3)
    assert all(abs(d.rho[0]) < 0.5 for d in drivers[1:])


def test_a_case_that_always_passes_has_pass_probability_one() -> None:
    # everyone prefers the middle to a status quo at 0, whatever the draws: consensus holds
    case = scenario(
        [
            stance("a", 40, 0.5, (35, 45), (0.2, 0.8)),
            stance("b", 50, 0.8, (45, 55)),
            stance("c", 60, 0.4, (55, 65)),
        ],
        status_quo=0.0,
    )
    result = issue_monte_carlo(case, "q", ["compromise", "median"], draws=200, seed=5)
    for item in result.models:
        assert item.pass_probability == 1.0
        assert item.change_probability == 1.0
        assert np.array_equal(item.allowed, item.outcomes)


def test_a_case_that_never_passes_gives_the_status_quo() -> None:
    # c sits at the status quo: under consensus nothing else can pass
    case = scenario(
        [stance("a", 80, 0.5, (70, 90)), stance("b", 70, 0.8, (60, 80)), stance("c", 0, 1.0)],
        status_quo=0.0,
    )
    item = issue_monte_carlo(case, "q", ["compromise"], draws=100, seed=5).model("compromise")
    assert item.pass_probability == 0.0
    assert item.change_probability == 0.0
    assert np.allclose(item.allowed, 0.0)


def test_pass_test_matches_constrain_draw_by_draw() -> None:
    from accord.forecast import issue_rule
    from accord.rules.build import build_rule
    from accord.rules.constrain import constrain

    case = scenario(
        [
            stance("a", 30, 0.5, (0, 60)),
            stance("b", 50, 0.8, (20, 80)),
            stance("c", 70, 0.4, (40, 100)),
        ],
        status_quo=40.0,
        rule="simple-majority",
    )
    result = issue_monte_carlo(case, "q", ["compromise"], draws=120, seed=9)
    item = result.model("compromise")
    assert 0.0 < item.pass_probability < 1.0
    batch = apply_draws(case, "q", result.inputs, result.values)
    spec, members = issue_rule(case, case.issue("q"), None)
    assert spec is not None
    rule = build_rule(spec, members)
    for b in range(batch.size):
        ref = constrain(
            rule,
            batch.positions[b],
            batch.saliences[b],
            np.array([40.0]),
            item.outcomes[b],
            batch.lo,
            batch.hi,
        )
        assert ref.passes == bool(item.passes[b])
        assert np.allclose(ref.allowed, item.allowed[b])


def test_capability_weighted_rule_is_rebuilt_per_draw() -> None:
    # weighted majority by capability: a (at the status quo) blocks when it holds more than half
    base = scenario(
        [stance("a", 0, 1.0), stance("b", 80, 1.0), stance("c", 90, 1.0)],
        status_quo=0.0,
        capabilities={"a": (1.5, (0.5, 4.0)), "b": (1.0, None), "c": (1.0, None)},
    )
    data = base.model_dump()
    data["bodies"][0]["rule"] = {"kind": "weighted", "quota": 0.5, "strict": True}
    case = Scenario.model_validate(data)
    result = issue_monte_carlo(case, "q", ["compromise"], draws=300, seed=3)
    item = result.model("compromise")
    assert np.all(item.outcomes > 0)  # a, at the status quo, never supports
    cap_a = result.values[:, 0]
    assert np.array_equal(item.passes, cap_a < 2.0)


def test_no_rule_or_no_status_quo_always_passes() -> None:
    free = scenario([stance("a", 10, 0.5, (0, 20)), stance("b", 90, 0.5)], rule=None)
    assert issue_monte_carlo(free, "q", ["median"], draws=20).model("median").pass_probability == 1
    no_sq = scenario([stance("a", 10, 0.5, (0, 20)), stance("b", 90, 0.5)], status_quo=None)
    item = issue_monte_carlo(no_sq, "q", ["median"], draws=20).model("median")
    assert item.pass_probability == 1.0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(-50, 50), min_size=5, max_size=30),
    st.floats(0.1, 10),
    st.floats(-3, 3),
)
def test_spearman_is_invariant_to_monotone_maps(xs: list[int], a: float, b: float) -> None:
    x = np.array(xs, dtype=np.float64)[:, None]
    y = a * x**3 + x + b  # strictly increasing in x (and exactly so on these integers)
    rho = spearman(x, y)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        assert rho[0, 0] == 0.0
    else:
        assert rho[0, 0] == pytest.approx(spearman(x, x)[0, 0], abs=1e-9)
        assert -1.0 <= rho[0, 0] <= 1.0


def test_sobol_finds_the_driver() -> None:
    case = scenario(
        [
            stance("a", 20, 0.5, (19, 21)),
            stance("b", 60, 0.9, (0, 100)),
            stance("c", 90, 0.4),
        ],
    )
    res = sobol_indices(case, "q", "compromise", base=32, seed=1)
    names = [i.name for i in res.inputs]
    top = names[int(np.argmax(res.st[:, 0]))]
    assert top == "position b"
    assert res.st[names.index("position b"), 0] > 0.9
    assert res.evaluations == 32 * (len(names) + 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": 0}, "--draws"),
        ({"issues": ["nope"]}, "no issue 'nope'"),
        ({"model": "nope"}, "unknown model"),
        ({"rule": "eu-nice"}, "council_votes"),
        ({"distribution": "normal"}, "distribution"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(AccordError, match=message):
        monte_carlo(UNCERTAIN, **kwargs)


def test_cli_montecarlo_json_reproduces(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    from accord.scenario.yaml_io import write_atomic

    path = tmp_path / "mc.yaml"
    import yaml

    write_atomic(path, yaml.safe_dump(UNCERTAIN.model_dump(mode="json", exclude_none=True)))
    args = ("montecarlo", path, "--draws", "60", "--seed", "3", "--model", "compromise")
    one = run_cli(*args, "--format", "json")
    two = run_cli(*args, "--format", "json")
    assert one.code == 0, one.stderr
    assert one.stdout == two.stdout
    data = json.loads(one.stdout)
    assert data["draws"] == 60 and data["issues"][0]["id"] == "q"
    table = run_cli(*args)
    assert table.code == 0 and "pass" in table.stdout.lower()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--draws", "0"), "--draws"),
        (("--issue", "nope"), "no issue 'nope'"),
        (("--rule", "eu-nice"), "population"),
        (("--model", "nope"), "unknown model"),
    ],
)
def test_cli_montecarlo_bad_arguments(
    run_cli: Callable[..., Any], extra: tuple[str, ...], message: str
) -> None:
    result = run_cli("montecarlo", ROOT / "scenarios" / "emission-standards.yaml", *extra)
    assert result.code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_is_an_accord_error() -> None:
    assert issubclass(UsageError, AccordError)


def test_several_dimensions_compute_the_allowed_outcome_on_the_first_draws() -> None:
    small = ROOT / "tests" / "data" / "scenarios" / "small.yaml"
    from accord.scenario.io import load

    case = load(small)
    item = issue_monte_carlo(
        case, "cooperation", ["compromise"], draws=30, seed=1, allowed_draws=5
    ).model("compromise")
    assert np.all(np.isfinite(item.allowed[:5])) and np.all(np.isnan(item.allowed[5:]))
    assert item.allowed_summary[0].n == 5 and item.outcome_summary[0].n == 30
    with pytest.raises(UsageError, match="allowed"):
        monte_carlo(case, "compromise", draws=5, allowed_draws=0)


# ---------------------------------------------------------------------------------------------
# the procedure over draws (accord.analysis.mc_procedure)


def test_procedure_over_draws_a_costly_objector_blocks_a_cheap_one_reserves() -> None:
    # c at the status quo with full salience always loses 0.8-1.0 x 80 points: it objects at any
    # drawn cost (5-20 around the default 10); b's small loss is within every drawn cost.
    case = scenario(
        [
            stance("a", 80, 0.5, (70, 90)),
            stance("b", 60, 0.1, (55, 65)),
            stance("c", 0, 0.9, None, (0.8, 1.0)),
        ],
        status_quo=0.0,
    )
    item = issue_monte_carlo(case, "q", ["compromise"], draws=200, seed=3).model("compromise")
    proc = item.procedure
    assert proc is not None
    data = proc.to_json_dict()
    assert data["p_blocked"] + data["p_diluted"] + data["p_delayed"] + data["p_passes"] == (
        pytest.approx(1.0)
    )
    assert sum(data["probabilities"].values()) == pytest.approx(1.0)
    assert data["objectors"]["c"] == 1.0 and "b" not in data["objectors"]
    lo, hi = data["cost_of_objecting"]["range"]
    assert lo < hi and np.all((proc.costs >= lo) & (proc.costs <= hi))
    assert "assumed" in data["cost_of_objecting"]["source"]


def test_procedure_draws_are_seeded_and_leave_the_stance_draws_alone() -> None:
    one = issue_monte_carlo(UNCERTAIN, "q", ["compromise"], draws=150, seed=9)
    two = issue_monte_carlo(UNCERTAIN, "q", ["compromise"], draws=150, seed=9)
    bare = issue_monte_carlo(UNCERTAIN, "q", ["compromise"], draws=150, seed=9, procedure=False)
    a, b = one.model("compromise").procedure, two.model("compromise").procedure
    assert a is not None and b is not None
    assert a.outcomes == b.outcomes and np.array_equal(a.costs, b.costs)
    assert bare.model("compromise").procedure is None
    assert np.array_equal(one.values, bare.values)
    assert np.array_equal(one.model("compromise").outcomes, bare.model("compromise").outcomes)


def test_zero_cost_is_the_strict_reading_in_every_draw() -> None:
    case = scenario(
        [stance("a", 80, 0.5, (70, 90)), stance("b", 30, 0.6, (20, 40)), stance("c", 10, 0.4)],
        status_quo=0.0,
    )
    data = case.model_dump()
    data["bodies"][0]["procedure"] = {"name": "practised", "cost_of_objecting": 0.0}
    strict = Scenario.model_validate(data)
    item = issue_monte_carlo(strict, "q", ["compromise"], draws=100, seed=2).model("compromise")
    assert item.procedure is not None
    passes = np.array([o.startswith("passes") for o in item.procedure.outcomes])
    # with no cost, the procedure passes exactly where the strict winset test passes
    assert np.array_equal(passes, item.passes)
    assert item.procedure.to_json_dict()["cost_of_objecting"]["range"] == [0.0, 0.0]


def test_japan_nato_office_montecarlo_france_objects_in_every_draw() -> None:
    from accord.scenario.io import load

    case = load(ROOT / "scenarios" / "japan-nato" / "scenario.yaml")
    item = issue_monte_carlo(case, "tokyo-office", ["compromise"], draws=100, seed=0)
    proc = item.model("compromise").procedure
    assert proc is not None
    data = proc.to_json_dict()
    assert data["objectors"]["fra"] == 1.0
    assert next(iter(data["objectors"])) == "fra"
    assert data["p_passes"] < 0.1  # the office does not pass with France objecting...
    assert data["p_blocked"] > 0.5  # ...and is shelved in most draws
