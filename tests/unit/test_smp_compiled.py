"""The compiled SMP engine (:mod:`accord.models.smp.engine_numba`) beyond bit-equality with the NumPy
engine (``test_smp_batch.py``): thread-count independence, stop reasons across a batch, errors."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from accord.errors import UsageError
from accord.models import smp as sm
from accord.models.smp import engine_numba as compiled
from accord.models.smp import numba_loops


def random_inputs(seed: int, b: int, n: int, m: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, (b, n, m))
    x[: b // 3] = np.round(x[: b // 3] * 4.0) / 4.0  # coarse grids: ties and shared positions
    s = rng.uniform(0.05, 1.0, (b, n, m)) / m
    c = rng.uniform(0.1, 10.0, (b, n))
    return x, s, c


def test_results_do_not_depend_on_the_number_of_threads() -> None:
    x, s, c = random_inputs(3, 24, 10, 2)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sm.smp_batch_compiled(x, s, c, max_turns=30)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = sm.smp_batch_compiled(x, s, c, max_turns=30)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one.expected, many.expected)
    assert np.array_equal(one.turns, many.turns)


@pytest.mark.parametrize("max_turns", [1, 3, 100])
def test_batch_equals_numpy_engine_with_mixed_stops(max_turns: int) -> None:
    x, s, c = random_inputs(5, 18, 7, 1)
    x[4] = 0.5  # every actor at one position: a degenerate state from the start
    fast = sm.smp_batch_compiled(x, s, c, max_turns=max_turns)
    ref = sm.smp_batch(x, s, c, max_turns=max_turns, strict_start=False)
    assert fast.stop_reason == ref.stop_reason
    assert np.array_equal(fast.turns, ref.turns)
    assert np.array_equal(fast.expected, ref.expected)
    assert np.array_equal(fast.modal, ref.modal)
    if max_turns == 1:
        assert "max_turns" in fast.stop_reason
    assert fast.stop_reason[4] == "degenerate"


def test_degenerate_start_is_the_same_error_as_the_numpy_engine() -> None:
    x = np.array([[0.0], [1.0], [0.0], [1.0]])
    s = np.full((4, 1), 0.5)
    c = np.ones(4)
    messages = []
    for engine in sm.ENGINES:
        with pytest.raises(UsageError) as err:
            sm.smp(x, s, c, engine=engine)
        messages.append(str(err.value))
    assert messages[0] == messages[1]  # compiled and numpy; the step functions say it their way
    assert all("risk attitudes" in message for message in messages)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (compiled.ERR_DEGENERATE_START, "risk attitudes"),
        (compiled.ERR_BARGAIN_UTILITY, "bargain utilities"),
        (compiled.ERR_PCE_SUM, "sum to 0.5"),
    ],
)
def test_error_codes_become_the_engines_usage_errors(code: int, text: str) -> None:
    with pytest.raises(UsageError, match=text):
        compiled._raise_engine_error(code, 0.5)
    compiled._raise_engine_error(0, 1.0)  # no error: nothing raised


def test_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="engine"):
        sm.smp(np.array([[0.1], [0.9]]), np.full((2, 1), 0.5), np.ones(2), engine="gpu")


def test_records_every_state_like_the_numpy_engine() -> None:
    x, s, c = random_inputs(9, 1, 8, 2)
    a = sm.smp(x[0], s[0], c[0], strict_start=False)
    b = sm.smp(x[0], s[0], c[0], strict_start=False, engine="numpy")
    assert a.positions.shape == (a.turns + 1, 8, 2)
    assert np.array_equal(a.positions, b.positions)
    assert np.array_equal(a.probabilities, b.probabilities)
    assert np.array_equal(a.final_reps, b.final_reps)


def test_long_runs_outgrow_the_first_history_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "HISTORY_TURNS", 1)
    x, s, c = random_inputs(21, 1, 9, 1)
    small = sm.smp(x[0], s[0], c[0], strict_start=False, max_turns=40)
    ref = sm.smp(x[0], s[0], c[0], strict_start=False, max_turns=40, engine="numpy")
    assert small.turns > 2  # room grew from 1 to 2 to 4 turns
    assert np.array_equal(small.positions, ref.positions)
    assert small.stop_reason == ref.stop_reason


def test_compiled_constants_equal_the_models() -> None:
    """The engine repeats the model's constants (Numba's cache would miss an imported change)."""
    from accord.models.smp import pce as smp_pce

    pairs = {
        "_COALITION_SEED": smp_pce.COALITION_SEED,
        "_CHALLENGE_SEED": sm.CHALLENGE_SEED,
        "_MIN_EDU": sm.MIN_EDU,
        "_BARGAIN_FLOOR": sm.BARGAIN_FLOOR,
        "_GRID": sm.GRID,
        "_EQUIV_TOL": sm.EQUIV_TOL,
        "_STOP_FLOOR": sm.STOP_FLOOR,
        "_STOP_RATIO": sm.STOP_RATIO,
        "_SANITY_TOL": sm.SANITY_TOL,
        "_BINARY_VOTE_SCALE": smp_pce.BINARY_VOTE_SCALE,
        "_BINARY_VICTORY_RATIO": smp_pce.BINARY_VICTORY_RATIO,
        "_BINARY_VICTORY_FLOOR": smp_pce.BINARY_VICTORY_FLOOR,
    }
    for name, value in pairs.items():
        assert getattr(numba_loops, name) == value, name
