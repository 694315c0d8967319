"""Run a model on a batch of draws of one issue: the entry point Monte Carlo, sweeps and
sensitivity analysis call.

An :class:`IssueBatch` holds ``B`` draws of one issue's uncertain inputs (positions, saliences,
capabilities, status quo) with a leading batch axis. :func:`run_batch` returns every draw's
outcome. Models with a vectorised batch kernel run it directly; others fall back to a loop over
single runs (the reference the batched kernels are tested and benchmarked against).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.models.base import FloatArray, IssueArrays
from accord.models.registry import get_model
from accord.rng import SeedLike, make_rng, spawn


@dataclass(frozen=True)
class IssueBatch:
    """``B`` draws of one issue: arrays with a leading batch axis.

    Attributes:
        actor_ids: actor ids in row order.
        positions: ``(B, n, m)`` on the issue's scale.
        saliences: ``(B, n, m)`` on [0, 1].
        capabilities: ``(B, n)``.
        lo, hi: ``(m,)`` the scale (not drawn).
        status_quo: ``(B, m)`` or ``None``.
    """

    actor_ids: tuple[str, ...]
    positions: FloatArray
    saliences: FloatArray
    capabilities: FloatArray
    lo: FloatArray
    hi: FloatArray
    status_quo: FloatArray | None = None

    @property
    def size(self) -> int:
        return int(self.positions.shape[0])

    def _drawn(self, rows: int | slice) -> dict[str, Any]:
        """The drawn arrays at ``rows`` (one draw or a slice of them), as keyword arguments."""
        return {
            "positions": self.positions[rows],
            "saliences": self.saliences[rows],
            "capabilities": self.capabilities[rows],
            "status_quo": None if self.status_quo is None else self.status_quo[rows],
        }

    def draw(self, b: int) -> IssueArrays:
        """Draw ``b`` as a plain :class:`IssueArrays`."""
        return IssueArrays(actor_ids=self.actor_ids, lo=self.lo, hi=self.hi, **self._drawn(b))

    def take(self, rows: slice) -> IssueBatch:
        """The draws in ``rows`` as a batch (views, not copies)."""
        return IssueBatch(actor_ids=self.actor_ids, lo=self.lo, hi=self.hi, **self._drawn(rows))

    @classmethod
    def repeat(cls, issue: IssueArrays, size: int) -> IssueBatch:
        """``size`` identical copies of ``issue`` (to be perturbed by the caller)."""
        return cls(
            actor_ids=issue.actor_ids,
            positions=np.repeat(issue.positions[None], size, axis=0),
            saliences=np.repeat(issue.saliences[None], size, axis=0),
            capabilities=np.repeat(issue.capabilities[None], size, axis=0),
            lo=issue.lo,
            hi=issue.hi,
            status_quo=None
            if issue.status_quo is None
            else np.repeat(issue.status_quo[None], size, axis=0),
        )


#: Vectorised batch kernels by model name: ``kernel(batch, params, rng) -> (B, m) outcomes``,
#: or ``None`` when the parameters ask for a variant the kernel does not vectorise (the caller
#: then runs the loop). A kernel's outcome for a draw must not depend on the other draws in the
#: batch (so that a batch may run in slices). Filled at the end of this module from
#: :mod:`accord.scale.kernels`.
BatchKernel = Callable[[IssueBatch, Mapping[str, Any], np.random.Generator], FloatArray | None]
BATCH_KERNELS: dict[str, BatchKernel] = {}


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
    kernel = BATCH_KERNELS.get(model)
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
    """Consecutive slices covering ``range(size)``: about :data:`PROGRESS_SLICES` of them, each
    at least :data:`MIN_SLICE` long (the last one absorbs the remainder)."""
    step = max(MIN_SLICE, -(-size // PROGRESS_SLICES))
    starts = list(range(0, size, step)) or [0]
    if len(starts) > 1 and size - starts[-1] < MIN_SLICE:
        starts.pop()
    ends = [*starts[1:], size]
    return [slice(a, b) for a, b in zip(starts, ends, strict=True)]


def _register() -> None:
    from accord.scale.kernels import bdm, compromise, nash, smp

    BATCH_KERNELS.update(
        {"compromise": compromise.kernel, "nash": nash.kernel, "bdm": bdm.kernel, "smp": smp.kernel}
    )


_register()
