"""Run a model on a batch of draws of one issue.

The entry point Monte Carlo, sweeps and sensitivity analysis call.

An :class:`IssueBatch` holds ``B`` draws of one issue's uncertain inputs (positions, saliences,
capabilities, status quo) with a leading batch axis. :func:`run_batch` returns every draw's
outcome. Models with a vectorised batch kernel (``ModelSpec.batch_kernel``, kept with the model)
run it directly; others fall back to a loop over single runs (the reference the batched kernels
are tested and benchmarked against). :class:`IssueBatch` lives in :mod:`accord.models.base` and
is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from accord.models.base import BatchKernel, FloatArray, IssueBatch
from accord.models.registry import get_model
from accord.rng import SeedLike, make_rng, spawn


def batch_kernel(model: str) -> BatchKernel | None:
    """The registered model's vectorised kernel (``ModelSpec.batch_kernel``), or ``None``."""
    return get_model(model).batch_kernel


def run_batch_loop(
    model: str,
    batch: IssueBatch,
    params: Mapping[str, Any] | None = None,
    seed: SeedLike = 0,
    progress: Callable[[int, int], None] | None = None,
) -> FloatArray:
    """Outcomes ``(B, m)`` by running the model once per draw (the reference implementation)."""
    spec = get_model(model)
    generators = spawn(seed, batch.size)
    outcomes = np.empty((batch.size, batch.lo.shape[0]))
    for b in range(batch.size):
        outcomes[b] = spec.run(batch.draw(b), dict(params or {}), generators[b]).outcome
        if progress is not None:
            progress(b + 1, batch.size)
    return outcomes


def run_batch(
    model: str,
    batch: IssueBatch,
    params: Mapping[str, Any] | None = None,
    seed: SeedLike = 0,
    progress: Callable[[int, int], None] | None = None,
) -> FloatArray:
    """Outcomes ``(B, m)`` of ``model`` on every draw: the batch kernel if the model has one."""
    kernel = batch_kernel(model)
    if kernel is None:
        return run_batch_loop(model, batch, params, seed, progress)
    parts = []
    for rows in progress_slices(batch.size) if progress is not None else [slice(0, batch.size)]:
        part = kernel(batch.take(rows), dict(params or {}), make_rng(seed))
        if part is None:
            return run_batch_loop(model, batch, params, seed, progress)
        parts.append(part)
        if progress is not None:
            progress(rows.stop, batch.size)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


#: With a progress callback, a kernel runs in about this many slices, so that the bar moves...
PROGRESS_SLICES = 20
#: ...of at least this many draws each (a slice costs one kernel call).
MIN_SLICE = 256


def progress_slices(size: int) -> list[slice]:
    """Consecutive slices covering ``range(size)``.

    About :data:`PROGRESS_SLICES` of them, each at least :data:`MIN_SLICE` long (the last one
    absorbs the remainder).
    """
    step = max(MIN_SLICE, -(-size // PROGRESS_SLICES))
    starts = list(range(0, size, step)) or [0]
    if len(starts) > 1 and size - starts[-1] < MIN_SLICE:
        starts.pop()
    ends = [*starts[1:], size]
    return [slice(a, b) for a, b in zip(starts, ends, strict=True)]


__all__ = ["IssueBatch", "batch_kernel", "progress_slices", "run_batch", "run_batch_loop"]
