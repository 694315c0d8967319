"""The batched SMP engine (``smp_batch``, the default path of ``smp``) against the step functions.

The step functions (``setup_state``, ``all_challenges``, ``make_bargains``, ``resolve_queues``)
are checked against KTAB's own runs in ``test_smp.py``; here the engine must reproduce them bit
for bit: on KTAB's reference inputs, on random inputs, under the non-default switches the engine
covers, and as the ``smp`` batch kernel against the loop of single runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.models import smp as sm
from accord.models.smp import batch as smp_kernel
from accord.models.smp import engine_numpy
from accord.scale.batch import IssueBatch, batch_kernel, run_batch, run_batch_loop
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import ktab_csv

KTAB = Path(__file__).parents[1] / "data" / "ktab"


#: The two engines, each checked against the reference step functions (``engine="reference"``).
ENGINES = ("compiled", "numpy")


def unit_inputs(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scenario = ktab_csv.read((KTAB / name).read_text(), name)[0]
    issue = issue_arrays(scenario, scenario.issues[0].id)
    return issue.to_unit(issue.positions), issue.saliences, issue.capabilities


def assert_same(a: sm.SMPResult, b: sm.SMPResult) -> None:
    assert a.turns == b.turns
    assert a.stop_reason == b.stop_reason and a.converged == b.converged
    for name in ("positions", "probabilities", "expected", "modal", "final_reps"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.final_rep_prob, b.final_rep_prob)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name", ["dummyData_3Dim.csv", "SOE-Pol-Comp.csv", "SOE-Policy.csv", "dummyData_6Dim.csv"]
)
def test_engine_equals_step_functions_on_reference_inputs(name: str, engine: str) -> None:
    x, s, c = unit_inputs(name)
    fast = sm.smp(x, s, c, engine=engine)
    slow = sm.smp(x, s, c, engine="reference")
    assert_same(fast, slow)


@pytest.mark.parametrize(
    "switches",
    [
        {"victory_model": "Square"},
        {"victory_model": "Binary"},
        {"voting_rule": "Binary"},
        {"voting_rule": "PropCbc"},
        {"voting_rule": "ASymProsp"},
        {"big_r_adjust": "Half"},
        {"big_r_adjust": "Full"},
        {"big_r_adjust": "None"},
        {"big_r_range": "Min"},
        {"big_r_range": "Max"},
        {"third_party_commit": "NoCommit"},
        {"third_party_commit": "FullCommit"},
        {"bargain_interpolation": "S1P1"},
        {"bargain_interpolation": "S2PMax"},
        {"voting_rule": "PropBin", "victory_model": "Quartic"},
        {"voting_rule": "Cubic", "victory_model": "Octic", "big_r_adjust": "TwoThirds"},
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_engine_equals_step_functions_under_switches(switches: dict[str, str], engine: str) -> None:
    sw = sm.SMPSwitches.from_names(**switches)
    assert sm.engine_supports(sw)
    x, s, c = unit_inputs("dummyData_3Dim.csv")
    fast = sm.smp(x, s, c, sw, max_turns=12, strict_start=False, engine=engine)
    slow = sm.smp(x, s, c, sw, max_turns=12, strict_start=False, engine="reference")
    assert_same(fast, slow)


def test_engine_does_not_cover_markov_stochastic_and_other_bargains() -> None:
    for names in (
        {"pce": "MarkovIncentive"},
        {"state_transitions": "Stochastic"},
        {"bargain_model": "InitRcvrInterp"},
    ):
        assert not sm.engine_supports(sm.SMPSwitches.from_names(**names))
    with pytest.raises(UsageError):
        sm.smp_batch(
            np.zeros((1, 3, 1)),
            np.ones((1, 3, 1)),
            np.ones((1, 3)),
            sm.SMPSwitches.from_names(pce="MarkovUniform"),
        )


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(3, 12),
    m=st.integers(1, 3),
    grid=st.booleans(),
)
def test_engine_equals_step_functions_on_random_inputs(
    seed: int, n: int, m: int, grid: bool
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, (n, m))
    if grid:  # few distinct positions: exercises the unique-position classes and ties
        x = np.round(x * 4.0) / 4.0
    s = rng.uniform(0.05, 1.0, (n, m)) / m
    c = rng.uniform(0.1, 10.0, n)
    try:
        slow = sm.smp(x, s, c, max_turns=15, strict_start=False, engine="reference")
    except UsageError:
        for engine in ENGINES:
            with pytest.raises(UsageError):
                sm.smp(x, s, c, max_turns=15, strict_start=False, engine=engine)
        return
    for engine in ENGINES:
        assert_same(sm.smp(x, s, c, max_turns=15, strict_start=False, engine=engine), slow)


def test_batch_equals_single_runs() -> None:
    rng = np.random.default_rng(7)
    b, n, m = 6, 9, 2
    x = rng.uniform(0.0, 1.0, (b, n, m))
    s = rng.uniform(0.05, 0.5, (b, n, m))
    c = rng.uniform(0.1, 10.0, (b, n))
    res = sm.smp_batch(x, s, c, strict_start=False)
    fast = sm.smp_batch_compiled(x, s, c)
    assert np.array_equal(fast.expected, res.expected) and np.array_equal(fast.modal, res.modal)
    assert np.array_equal(fast.turns, res.turns) and fast.stop_reason == res.stop_reason
    assert np.array_equal(fast.converged, res.converged)
    for d in range(b):
        one = sm.smp(x[d], s[d], c[d], strict_start=False)
        assert res.turns[d] == one.turns and res.stop_reason[d] == one.stop_reason
        assert np.array_equal(res.expected[d], one.expected[-1])
        assert np.array_equal(res.modal[d], one.modal[-1])


@pytest.mark.parametrize("shape", [(1, 1), (9, 1), (40, 1), (33, 2), (17, 3, 5), (41, 40, 40)])
def test_sum_rows_is_a_left_to_right_loop(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(len(shape) * 100 + shape[0])
    a = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, shape)
    loop = a[0].copy()
    for row in a[1:]:
        loop = loop + row
    assert np.array_equal(engine_numpy._sum_rows(a), loop)


def random_batch(seed: int, b: int, n: int, m: int) -> IssueBatch:
    rng = np.random.default_rng(seed)
    return IssueBatch(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=rng.uniform(0.0, 100.0, (b, n, m)),
        saliences=rng.uniform(0.05, 1.0, (b, n, m)),
        capabilities=rng.uniform(0.1, 10.0, (b, n)),
        lo=np.zeros(m),
        hi=np.full(m, 100.0),
    )


def test_kernel_registered() -> None:
    assert batch_kernel("smp") is sm.SPEC.batch_kernel is sm.batch_kernel


@pytest.mark.parametrize(
    "params", [{}, {"outcome": "mode", "max_turns": 5}, {"engine": "numpy", "max_turns": 6}]
)
def test_kernel_equals_loop_exactly(params: dict[str, object]) -> None:
    batch = random_batch(11, 5, 8, 2)  # salience rows above 1 are normalised as in run()
    assert np.array_equal(run_batch("smp", batch, params), run_batch_loop("smp", batch, params))


def test_kernel_handles_inactive_actors_and_falls_back_for_other_switches() -> None:
    batch = random_batch(12, 4, 7, 1)
    batch.saliences[1, 2] = 0.0  # draw 1 has an actor without stake
    assert np.array_equal(run_batch("smp", batch), run_batch_loop("smp", batch))
    rng = np.random.default_rng(0)
    assert smp_kernel.kernel(batch, {"pce": "MarkovUniform"}, rng) is None
    assert smp_kernel.kernel(batch, {"abort_on_degenerate": True}, rng) is None
    assert smp_kernel.kernel(batch, {"engine": "reference"}, rng) is None
    # Bad parameters are checked once, by SMPParams.from_mapping, in the kernel as in a run.
    with pytest.raises(UsageError, match="engine"):
        smp_kernel.kernel(batch, {"engine": "fortran"}, rng)
    with pytest.raises(UsageError, match="engine"):
        run_batch("smp", batch, {"engine": "fortran"})
