"""SMP's batch kernel: many draws of one issue through one of its engines at once.

A thin adapter: the parameters are checked by :meth:`accord.models.smp.SMPParams.from_mapping`
and every draw is prepared by :func:`accord.models.smp.prepare`, exactly as a single run does.
Every draw whose actors all have a positive salience and capability then runs through the engine
the ``engine`` parameter names: :func:`accord.models.smp.smp_batch_compiled` (the draws in
parallel over Numba's threads) or :func:`accord.models.smp.smp_batch` (NumPy); ``"auto"`` (the
default) takes NumPy for small batches while Numba is not loaded
(:func:`accord.models.smp.choose_batch_engine`). The outcomes equal the loop of single runs bit
for bit. Draws with inactive actors (a different actor set) run
through the single-run adapter. The kernel returns ``None`` (the caller runs the loop) for
switches the engines do not cover (:func:`accord.models.smp.engine_supports`), for
``engine="reference"``, for ``abort_on_degenerate``, and for inputs outside the model's domain
(:func:`accord.models.smp.in_domain`, so that the loop raises the single run's error).

Memory: the compiled engine keeps O(n^2) scratch per draw being run (one per thread). The NumPy
engine runs chunks of about ``2^21 / n^3`` draws (at least 1) and keeps its O(n^3) temporaries
near :data:`accord.models.smp.ENGINE_CHUNK` elements each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.models import smp as model
from accord.models.base import FloatArray, IssueBatch, chunk_size

#: Draws per chunk target: ``draws * n^3`` near this many elements.
DRAW_CHUNK_ELEMENTS = 1 << 21


def kernel(
    batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator
) -> FloatArray | None:
    """``(B, m)`` outcomes of every draw, or ``None`` (the caller runs the loop of single runs)."""
    del rng
    p = model.SMPParams.from_mapping(params)
    if p.engine == "reference" or not model.engine_supports(p.switches) or p.abort_on_degenerate:
        return None
    prep = model.prepare(batch.positions, batch.saliences, batch.capabilities, batch.lo, batch.hi)
    x, sal, cap = prep.positions, prep.saliences, prep.capabilities
    if not bool(np.all(model.in_domain(x, sal, cap))):
        return None
    span = batch.hi - batch.lo
    b, n, m = x.shape
    out = np.empty((b, m))
    active = np.all(prep.active, axis=1)
    fast = np.flatnonzero(active)
    if model.choose_batch_engine(p.engine, fast.size, n, m) == "compiled":
        res = model.smp_batch_compiled(x[fast], sal[fast], cap[fast], p.switches, p.max_turns)
        out[fast] = batch.lo + (res.modal if p.outcome == "mode" else res.expected) * span
    else:
        step = chunk_size(n**3, DRAW_CHUNK_ELEMENTS)
        for start in range(0, fast.size, step):
            idx = fast[start : start + step]
            res = model.smp_batch(
                x[idx], sal[idx], cap[idx], p.switches, p.max_turns, strict_start=False
            )
            out[idx] = batch.lo + (res.modal if p.outcome == "mode" else res.expected) * span
    for d in np.flatnonzero(~active):
        try:
            out[d] = model.run(batch.draw(int(d)), params, np.random.default_rng(0)).outcome
        except UsageError:
            return None
    return out
