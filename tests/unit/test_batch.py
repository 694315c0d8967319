"""The batched kernels of accord.scale.batch against the loop of single runs on the same draws.

compromise and nash without a status quo: the draws become columns of one single-run problem,
so the results are identical. bdm: the vote supports are summed in another order (sorted prefix
sums instead of the direct triple sum, see ``accord.models.bdm.engine_numpy.vote_support``), so the
outcomes agree to 1e-9 of the scale rather than bit for bit.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import UsageError
from accord.models import bdm as bdm_kernel
from accord.models.bdm import BDMParams
from accord.models.bdm.engine_numba import bdm_s1_batch
from accord.scale import batch as batch_module
from accord.scale.batch import IssueBatch, batch_kernel, run_batch, run_batch_loop
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import bdm_csv

DATA = Path(__file__).parents[1] / "data"


def random_batch(seed: int, b: int, n: int, m: int, status_quo: bool = False) -> IssueBatch:
    rng = np.random.default_rng(seed)
    return IssueBatch(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=rng.uniform(0.0, 100.0, (b, n, m)),
        saliences=rng.uniform(0.05, 1.0, (b, n, m)),
        capabilities=rng.uniform(0.1, 10.0, (b, n)),
        lo=np.zeros(m),
        hi=np.full(m, 100.0),
        status_quo=rng.uniform(0.0, 100.0, (b, m)) if status_quo else None,
    )


def test_kernels_registered() -> None:
    # one registry: the kernels travel on the ModelSpec
    assert all(batch_kernel(name) is not None for name in ("compromise", "nash", "bdm", "smp"))
    assert batch_kernel("median") is None and batch_kernel("exchange") is None


@pytest.mark.parametrize("weights", ["capability*salience", "salience", "capability", "equal"])
def test_compromise_equals_loop_exactly(weights: str) -> None:
    batch = random_batch(1, 40, 9, 3)
    params = {"weights": weights}
    assert np.array_equal(
        run_batch("compromise", batch, params), run_batch_loop("compromise", batch, params)
    )


@pytest.mark.parametrize("utility", ["quadratic", "linear"])
def test_nash_without_status_quo_equals_loop_exactly(utility: str) -> None:
    batch = random_batch(2, 30, 7, 2)
    params = {"utility": utility}
    assert np.array_equal(run_batch("nash", batch, params), run_batch_loop("nash", batch, params))


def test_nash_with_status_quo_equals_loop_exactly() -> None:
    batch = random_batch(3, 6, 5, 2, status_quo=True)
    assert np.array_equal(run_batch("nash", batch), run_batch_loop("nash", batch))


BDM_VARIANTS = [
    {},
    {"forecast": "mean"},
    {"risk": "carry", "probability": "dyadic", "voters": "third-parties"},
    {"risk": "once", "security": "row", "opponent_exponent": "opponent"},
    {"risk": "off", "vote_exponent": "linear", "compel": "none", "selection": "least-movement"},
    {"perception": "both", "selection": "most-enforceable", "range": "current"},
    {"perception": "proposer", "selection": "category-least-movement", "range": "scale"},
    {
        "q": 0.7,
        "bw_distance": "difference",
        "salience": "challenger",
        "compromise": "weighted-average",
    },
    {"median_tie": "highest", "rounds": 3},
    {"median_tie": "first", "rounds": 0},
]


@pytest.mark.parametrize("params", BDM_VARIANTS, ids=[str(i) for i in range(len(BDM_VARIANTS))])
def test_bdm_equals_loop(params: dict[str, object]) -> None:
    batch = random_batch(4, 25, 8, 2)
    fast = run_batch("bdm", batch, params)
    ref = run_batch_loop("bdm", batch, params)
    np.testing.assert_allclose(fast, ref, rtol=0.0, atol=1e-9)


COMPILED_VARIANTS = [
    {},
    {"forecast": "mean"},
    {"q": 0.6},
    {"range": "current", "median_tie": "first"},
    {"range": "scale", "median_tie": "highest", "rounds": 5},
]


@pytest.mark.parametrize(
    "params", COMPILED_VARIANTS, ids=[str(i) for i in range(len(COMPILED_VARIANTS))]
)
def test_bdm_compiled_kernel_equals_loop(params: dict[str, object]) -> None:
    """32 actors as in the benchmark; these switches take the compiled path."""
    assert bdm_kernel.compiled_reading(
        BDMParams(**{k: v for k, v in params.items() if k != "forecast"})
    )
    batch = random_batch(11, 12, 32, 1)
    fast = run_batch("bdm", batch, params)
    ref = run_batch_loop("bdm", batch, params)
    np.testing.assert_allclose(fast, ref, rtol=0.0, atol=1e-9)


def test_bdm_compiled_equals_numpy_batch() -> None:
    batch = random_batch(12, 20, 10, 1)
    x, c, s = batch.positions[:, :, 0], batch.capabilities, batch.saliences[:, :, 0]
    span = np.full(20, 100.0)
    median, mean = bdm_s1_batch(x, c, s, span)
    ref_median, ref_mean = bdm_kernel.bdm_batch(x, c, s, BDMParams(), span)
    np.testing.assert_allclose(median, ref_median, rtol=0.0, atol=1e-9)
    np.testing.assert_allclose(mean, ref_mean, rtol=0.0, atol=1e-9)
    assert not bdm_kernel.compiled_reading(BDMParams(risk="carry"))


def test_bdm_compiled_results_do_not_depend_on_the_number_of_threads() -> None:
    batch = random_batch(13, 16, 12, 1)
    x, c, s = batch.positions[:, :, 0], batch.capabilities, batch.saliences[:, :, 0]
    span = np.full(16, 100.0)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = bdm_s1_batch(x, c, s, span)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = bdm_s1_batch(x, c, s, span)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one[0], many[0]) and np.array_equal(one[1], many[1])


def test_bdm_on_scholz_data_with_ties_equals_loop() -> None:
    """Real data: many actors share a position (tied midpoints and medians)."""
    name = "emission_standards.csv"
    scenario = bdm_csv.read((DATA / "bdm" / name).read_text(), name)[0]
    issue = issue_arrays(scenario, scenario.issues[0].id)
    batch = IssueBatch.repeat(issue, 12)
    rng = np.random.default_rng(5)
    shifted = batch.positions + rng.choice([0.0, 5.0, -5.0], size=batch.positions.shape)
    batch = IssueBatch(
        batch.actor_ids,
        np.clip(shifted, issue.lo, issue.hi),
        batch.saliences,
        batch.capabilities * rng.uniform(0.8, 1.2, batch.capabilities.shape),
        batch.lo,
        batch.hi,
    )
    np.testing.assert_allclose(run_batch("bdm", batch), run_batch_loop("bdm", batch), atol=1e-9)
    first = run_batch("bdm", IssueBatch.repeat(issue, 1))[0]
    np.testing.assert_allclose(
        first, run_batch_loop("bdm", IssueBatch.repeat(issue, 1))[0], atol=1e-9
    )


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 9))
def test_bdm_equals_loop_property(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    # coarse grid of positions: many exact ties between actors
    batch = IssueBatch(
        tuple(f"a{i}" for i in range(n)),
        rng.integers(0, 5, (4, n, 1)).astype(float) * 25.0,
        rng.uniform(0.0, 1.0, (4, n, 1)),
        rng.uniform(0.5, 5.0, (4, n)),
        np.zeros(1),
        np.full(1, 100.0),
    )
    np.testing.assert_allclose(run_batch("bdm", batch), run_batch_loop("bdm", batch), atol=1e-9)


def test_bdm_sequential_falls_back_to_loop() -> None:
    batch = random_batch(6, 3, 5, 1)
    params = {"update": "sequential", "rounds": 2}
    assert np.array_equal(run_batch("bdm", batch, params), run_batch_loop("bdm", batch, params))


def test_bdm_bad_draw_is_a_usage_error() -> None:
    batch = random_batch(7, 3, 4, 1)
    bad = batch.capabilities.copy()
    bad[1, 2] = -1.0
    broken = IssueBatch(batch.actor_ids, batch.positions, batch.saliences, bad, batch.lo, batch.hi)
    with pytest.raises(UsageError, match="draw 1"):
        run_batch("bdm", broken)


def test_unknown_parameter_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        run_batch("compromise", random_batch(8, 2, 3, 1), {"nope": 1})


def test_progress_is_reported() -> None:
    seen: list[tuple[int, int]] = []
    run_batch("bdm", random_batch(9, 5, 4, 1), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5, 5)


@pytest.mark.parametrize("size", [0, 1, 255, 256, 511, 512, 5_000, 5_119, 100_003])
def test_progress_slices_cover_the_batch_in_order(size: int) -> None:
    slices = batch_module.progress_slices(size)
    assert slices[0].start == 0 and slices[-1].stop == size
    assert all(a.stop == b.start for a, b in itertools.pairwise(slices))
    assert len(slices) <= batch_module.PROGRESS_SLICES
    assert all(s.stop - s.start >= batch_module.MIN_SLICE for s in slices[:-1])
    if size >= batch_module.MIN_SLICE:
        assert slices[-1].stop - slices[-1].start >= batch_module.MIN_SLICE


@pytest.mark.parametrize("model", ["compromise", "nash", "bdm", "smp"])
def test_kernels_in_slices_equal_one_call(model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a progress bar a kernel runs slice by slice; the outcomes must not change."""
    monkeypatch.setattr(batch_module, "MIN_SLICE", 3)
    batch = random_batch(14, 23, 6, 1, status_quo=model == "nash")
    if model == "smp":
        batch = IssueBatch(
            batch.actor_ids,
            batch.positions,
            batch.saliences / 2,
            batch.capabilities,
            batch.lo,
            batch.hi,
        )
    seen: list[int] = []
    sliced = run_batch(model, batch, progress=lambda done, total: seen.append(done))
    assert len(seen) > 2 and seen[-1] == batch.size
    assert np.array_equal(sliced, run_batch(model, batch))


def test_model_without_kernel_uses_loop() -> None:
    batch = random_batch(10, 2, 4, 1)
    x = batch.positions / 100.0
    unit = IssueBatch(
        batch.actor_ids, x, batch.saliences / 2, batch.capabilities, np.zeros(1), np.ones(1)
    )
    out = run_batch("smp", unit, {"max_turns": 3})
    assert out.shape == (2, 1)
    assert np.array_equal(out, run_batch_loop("smp", unit, {"max_turns": 3}))


def test_compiled_bdm_tolerances_equal_the_models() -> None:
    from accord.models import bdm as bdm_model
    from accord.models.bdm import engine_numba as bdm_numba

    assert bdm_numba._MEDIAN_TIE_TOL == bdm_model.MEDIAN_TIE_TOL
    assert bdm_numba._SECURITY_TIE_TOL == bdm_model.SECURITY_TIE_TOL
