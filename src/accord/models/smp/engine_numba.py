"""SMP's compiled engine: :func:`accord.models.smp.engine_numpy.smp_batch` as Numba loops.

Source: the same formulas as :mod:`accord.models.smp` (KTAB's Spatial Model of Politics, brief
``ktab-smp.md`` §3-§10; Wise, Lester & Efird 2015 [Wise2015]). Each draw runs as KTAB's own C++
does: loops over actors with every "in order" sum accumulated left to right, so the results
equal the NumPy engine (and the step functions) bit for bit. Every line below is one formula of
the NumPy engine with the same operands in the same order; IEEE ``+`` and ``*`` are commutative,
so only the order of accumulation matters, and that is always ascending actor (or voter, or
dimension) index. There is no ``fastmath`` and no transcendental function (only ``+ - * /`` and
``sqrt``, all correctly rounded), so the compiled code is exact to the bit on any x86-64 or ARM
machine. ``tests/unit/test_smp_compiled.py`` checks it against the NumPy engine on KTAB's
reference inputs, under every switch the engine covers and on random inputs.

Why compiled: at 30-160 actors the NumPy engine spends its time in thousands of short array
operations per turn (40-element rows), not in arithmetic; the loops here do the O(n^3)
third-party votes of a turn in one pass over registers. :func:`run_batch` runs the draws in
parallel (``numba.prange``, one draw per iteration, so the result does not depend on the
number of threads).

Coverage: PCE=Conditional, STM=Deterministic, BargnModel=InitOnlyInterp (as the NumPy engine),
every value of the other six switches, passed as the integer codes below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.jit import compile_module
from accord.models.base import FloatArray
from accord.models.smp import numba_loops as loops
from accord.models.smp.engine_numpy import SMPBatchResult
from accord.models.smp.pce import BigRAdjust, BigRRange, VictoryModel, VotingRule, pce_sum_error
from accord.models.smp.reference import SMPResult
from accord.models.smp.switches import (
    IntArray,
    SMPSwitches,
    ThirdPartyCommit,
    bargain_utility_error,
    degenerate_start_error,
    engine_supports,
)

VOTE_CODES = {
    VotingRule.BINARY: 0,
    VotingRule.PROP_BIN: 1,
    VotingRule.PROP: 2,
    VotingRule.PROP_CBC: 3,
    VotingRule.CUBIC: 4,
    VotingRule.ASYM_PROSP: 5,
}
VICTORY_CODES = {
    VictoryModel.LINEAR: 0,
    VictoryModel.SQUARE: 1,
    VictoryModel.QUARTIC: 2,
    VictoryModel.OCTIC: 3,
    VictoryModel.BINARY: 4,
}
RANGE_CODES = {BigRRange.MIN: 0, BigRRange.MID: 1, BigRRange.MAX: 2}
ADJUST_CODES = {
    BigRAdjust.NONE: 0,
    BigRAdjust.ONE_THIRD: 1,
    BigRAdjust.HALF: 2,
    BigRAdjust.TWO_THIRDS: 3,
    BigRAdjust.FULL: 4,
}
#: BargnInterp codes: S2P2, S1P1, S2PMax.
INTERP_CODES = {"S2P2": 0, "S1P1": 1, "S2PMax": 2}

#: Turns a recorded run has room for at first (:func:`run_one` doubles it when needed).
HISTORY_TURNS = 128

#: Turns a recorded run has room for at first (:func:`run_one` doubles it when needed).
ERR_DEGENERATE_START = loops.ERR_DEGENERATE_START
ERR_BARGAIN_UTILITY = loops.ERR_BARGAIN_UTILITY
ERR_PCE_SUM = loops.ERR_PCE_SUM
STOP_NAMES = {
    loops.STOP_RATIO: "ratio",
    loops.STOP_MAX_TURNS: "max_turns",
    loops.STOP_DEGENERATE: "degenerate",
}

_compiled: dict[str, Callable[..., Any]] = {}


def loaded() -> bool:
    """Whether this process has compiled (or loaded from the cache) the engine already."""
    return bool(_compiled)


def _compile() -> dict[str, Callable[..., Any]]:
    """The compiled entry points (compiled, or loaded from Numba's cache, on first use)."""
    if not _compiled:
        _compiled.update(compile_module(vars(loops), loops.HELPERS, parallel=(loops._run_many,)))
    return _compiled


@dataclass(frozen=True)
class CompiledRun:
    """One recorded run: the fields :class:`accord.models.smp.SMPResult` needs."""

    positions: FloatArray
    probabilities: FloatArray
    expected: FloatArray
    modal: FloatArray
    final_is_rep: NDArray[np.bool_]
    final_rep_prob: FloatArray
    turns: int
    stop: int
    error: int
    check: float


def run_one(
    x: FloatArray, s: FloatArray, c: FloatArray, codes: IntArray, max_turns: int, strict: bool
) -> CompiledRun:
    """One run with every state recorded (``x``, ``s`` ``(n, m)`` on [0, 1]; ``c`` ``(n,)``).

    The history starts with room for :data:`HISTORY_TURNS` turns and doubles (the run is
    repeated, which is exact because it is deterministic) for the rare run that needs more, so
    a large ``max_turns`` costs no memory up front.
    """
    n, m = x.shape
    x, s, c = np.ascontiguousarray(x), np.ascontiguousarray(s), np.ascontiguousarray(c)
    room = min(int(max_turns), HISTORY_TURNS)
    while True:
        pos = np.empty((room + 1, n, m))
        prob = np.empty((room + 1, n))
        expected = np.empty((room + 1, m))
        modal = np.empty((room + 1, m))
        is_rep = np.zeros(n, dtype=np.bool_)
        rep_prob = np.zeros(n)
        t, stop, err, check = _compile()["_run_one"](
            x, s, c, codes, int(max_turns), bool(strict), True, pos, prob, expected, modal,
            is_rep, rep_prob, np.empty(m), np.empty(m),
        )  # fmt: skip
        if stop != loops.STOP_NONE or err != 0:
            break
        room = min(2 * room, int(max_turns))
    keep = t + 1
    return CompiledRun(
        pos[:keep], prob[:keep], expected[:keep], modal[:keep], is_rep, rep_prob,
        int(t), int(stop), int(err), float(check),
    )  # fmt: skip


@dataclass(frozen=True)
class CompiledBatch:
    """Final states of B runs: ``expected``, ``modal`` ``(B, m)``; codes ``(B,)``."""

    expected: FloatArray
    modal: FloatArray
    turns: IntArray
    stops: IntArray
    errors: IntArray
    checks: FloatArray


def run_many(
    x: FloatArray, s: FloatArray, c: FloatArray, codes: IntArray, max_turns: int
) -> CompiledBatch:
    """B runs (``(B, n, m)``, ``(B, n, m)``, ``(B, n)``) in parallel over the draws."""
    b, _, m = x.shape
    expected = np.empty((b, m))
    modal = np.empty((b, m))
    turns = np.zeros(b, dtype=np.intp)
    stops = np.zeros(b, dtype=np.intp)
    errors = np.zeros(b, dtype=np.intp)
    checks = np.ones(b)
    _compile()["_run_many"](
        np.ascontiguousarray(x, dtype=np.float64),
        np.ascontiguousarray(s, dtype=np.float64),
        np.ascontiguousarray(c, dtype=np.float64),
        codes, int(max_turns), expected, modal, turns, stops, errors, checks,
    )  # fmt: skip
    return CompiledBatch(expected, modal, turns, stops, errors, checks)


def switch_codes(
    voting_rule: VotingRule,
    victory_model: VictoryModel,
    big_r_range: BigRRange,
    big_r_adjust: BigRAdjust,
    semi_commit: bool,
    interpolation: str,
) -> IntArray:
    """The engine's integer codes for the six switches it takes."""
    return cast(
        IntArray,
        np.array(
            [
                VOTE_CODES[voting_rule],
                VICTORY_CODES[victory_model],
                RANGE_CODES[big_r_range],
                ADJUST_CODES[big_r_adjust],
                1 if semi_commit else 0,
                INTERP_CODES[interpolation],
            ],
            dtype=np.intp,
        ),
    )


def _codes(sw: SMPSwitches) -> NDArray[np.intp]:
    return switch_codes(
        sw.voting_rule,
        sw.victory_model,
        sw.big_r_range,
        sw.big_r_adjust,
        sw.third_party_commit is ThirdPartyCommit.SEMI_COMMIT,
        str(sw.bargain_interpolation.value),
    )


def _raise_engine_error(error: int, check: float) -> None:
    if error == loops.ERR_DEGENERATE_START:
        raise degenerate_start_error()
    if error == loops.ERR_BARGAIN_UTILITY:
        raise bargain_utility_error()
    if error == loops.ERR_PCE_SUM:
        raise pce_sum_error(check)


def run_recorded(
    x: FloatArray,
    s: FloatArray,
    c: FloatArray,
    sw: SMPSwitches,
    max_turns: int,
    strict_start: bool,
) -> SMPResult:
    """:func:`smp` through the compiled engine (every state recorded)."""
    res = run_one(x, s, c, _codes(sw), max_turns, strict_start)
    _raise_engine_error(res.error, res.check)
    reps = np.flatnonzero(res.final_is_rep).astype(np.intp)
    return SMPResult(
        positions=res.positions,
        probabilities=res.probabilities,
        expected=res.expected,
        modal=res.modal,
        final_reps=reps,
        final_rep_prob=res.final_rep_prob[reps],
        turns=res.turns,
        converged=res.stop != loops.STOP_MAX_TURNS,
        stop_reason=STOP_NAMES[res.stop],
    )


def smp_batch_compiled(
    positions: FloatArray,
    saliences: FloatArray,
    capabilities: FloatArray,
    switches: SMPSwitches | None = None,
    max_turns: int = 100,
) -> SMPBatchResult:
    """:func:`smp_batch` through the compiled engine, in parallel.

    :func:`smp_batch` (``strict_start=False``, nothing recorded) through the compiled engine,
    the draws in parallel over Numba's threads; equal to :func:`smp_batch` bit for bit.

    Raises the first failing draw's :class:`UsageError` (degenerate input).
    """
    sw = switches if switches is not None else SMPSwitches()
    if not engine_supports(sw):
        raise UsageError(
            "the compiled engine covers PCE=Conditional, STM=Deterministic, InitOnlyInterp"
        )
    res = run_many(positions, saliences, capabilities, _codes(sw), max_turns)
    failed = np.flatnonzero(res.errors)
    if failed.size:
        _raise_engine_error(int(res.errors[failed[0]]), float(res.checks[failed[0]]))
    return SMPBatchResult(
        expected=res.expected,
        modal=res.modal,
        turns=res.turns,
        converged=res.stops != loops.STOP_MAX_TURNS,
        stop_reason=[STOP_NAMES[int(code)] for code in res.stops],
    )
