"""Batched KTAB SMP (:mod:`accord.models.smp`): many draws through the batched engine at once.

Each draw is prepared exactly as :func:`accord.models.smp.run` prepares a single issue (unit
scale, salience rows above 1 divided by their sum), then every draw whose actors all have a
positive salience and capability runs through the engine a single run also uses, chosen by the
``engine`` parameter: :func:`accord.models.smp.smp_batch_compiled` (default; the draws in
parallel over Numba's threads) or :func:`accord.models.smp.smp_batch` (NumPy), so the outcomes
equal the loop of single runs bit for bit. Draws with
inactive actors (a different actor set) run through the single-run adapter. The kernel returns
``None`` (the caller runs the loop) for switches the engine does not cover (PCE=Markov*,
STM=Stochastic, BargnModel other than InitOnlyInterp), for ``abort_on_degenerate``, and for
inputs the single run would reject (so the loop raises the same error).

Memory: the compiled engine keeps O(n^2) scratch per draw being run (one per thread). The NumPy
engine runs chunks of about ``2^21 / n^3`` draws (at least 1) and keeps its O(n^3) temporaries
near :data:`accord.models.smp.ENGINE_CHUNK` elements each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.errors import UsageError
from accord.models import smp as model
from accord.models.base import FloatArray, check_params
from accord.scale.kernels import chunk_size

if TYPE_CHECKING:
    from accord.scale.batch import IssueBatch

#: Draws per chunk target: ``draws * n^3`` near this many elements.
DRAW_CHUNK_ELEMENTS = 1 << 21


def kernel(
    batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator
) -> FloatArray | None:
    """Registry kernel for ``smp`` (deterministic under the supported switches; ``rng`` unused)."""
    del rng
    p = check_params("smp", model.DEFAULTS, params)
    switches = model.SMPSwitches.from_names(
        **{key: p[key] for key in model.SMPSwitches().as_dict()}
    )
    if not model.engine_supports(switches) or bool(p["abort_on_degenerate"]):
        return None
    max_turns = p["max_turns"]
    if isinstance(max_turns, bool) or not isinstance(max_turns, int | np.integer) or max_turns < 1:
        return None
    outcome = str(p["outcome"])
    if outcome not in ("mean", "mode") or p["engine"] not in model.ENGINES:
        return None
    span = batch.hi - batch.lo
    x = (batch.positions - batch.lo) / span
    sal = np.array(batch.saliences, dtype=np.float64)
    totals = sal.sum(axis=2)
    over = totals > 1.0 + model.SALIENCE_SUM_TOL
    sal[over] = sal[over] / totals[over][:, None]
    cap = np.asarray(batch.capabilities, dtype=np.float64)
    active = np.all((sal.sum(axis=2) > 0.0) & (cap > 0.0), axis=1)
    finite = np.all(np.isfinite(x), axis=(1, 2)) & np.all(np.isfinite(cap), axis=1)
    in_range = np.all((x >= 0.0) & (x <= 1.0) & (sal >= 0.0) & (sal <= 1.0), axis=(1, 2))
    if not bool(np.all(finite & in_range)):
        return None
    b, n, m = x.shape
    out = np.empty((b, m))
    fast = np.flatnonzero(active)
    if p["engine"] == "compiled":
        res = model.smp_batch_compiled(x[fast], sal[fast], cap[fast], switches, int(max_turns))
        out[fast] = batch.lo + (res.modal if outcome == "mode" else res.expected) * span
    else:
        step = chunk_size(n**3, DRAW_CHUNK_ELEMENTS)
        for start in range(0, fast.size, step):
            idx = fast[start : start + step]
            res = model.smp_batch(
                x[idx], sal[idx], cap[idx], switches, int(max_turns), strict_start=False
            )
            out[idx] = batch.lo + (res.modal if outcome == "mode" else res.expected) * span
    for d in np.flatnonzero(~active):
        try:
            out[d] = model.run(batch.draw(int(d)), params, np.random.default_rng(0)).outcome
        except UsageError:
            return None
    return out
