"""Batched asymmetric Nash bargaining solution (:mod:`accord.models.nash`).

Without a status quo the solution has a closed form per dimension (the weighted utilitarian
optimum): the ``c s``-weighted mean under quadratic utility (Achen 2006's first-order result) and
the ``c s``-weighted median under linear utility. Both run on all draws at once, as columns of
one ``(n, B m)`` problem. With a status quo the solution is an iterative convex optimisation
(Brent's method or a barrier method) whose path differs per draw; the kernel then calls
:func:`accord.models.nash.nash_bargaining` per draw, which skips only the adapter's overhead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray, check_params
from accord.models.median import weighted_median
from accord.models.nash import DEFAULTS, UTILITIES, nash_bargaining
from accord.scale.kernels.compromise import as_columns, compromise_batch

if TYPE_CHECKING:
    from accord.scale.batch import IssueBatch


def kernel(batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator) -> FloatArray:
    """Registry kernel for ``nash`` (deterministic; ``rng`` unused)."""
    del rng
    p = check_params("nash", DEFAULTS, params)
    utility = str(p["utility"])
    if utility not in UTILITIES:
        raise UsageError(
            f"unknown utility '{utility}'",
            field="utility",
            expected="one of " + ", ".join(UTILITIES),
        )
    b, _, m = batch.positions.shape
    w = batch.capabilities[:, :, None] * batch.saliences
    if batch.status_quo is None:
        if utility == "quadratic":
            return compromise_batch(batch.positions, w)
        out, _ = weighted_median(as_columns(batch.positions), as_columns(w), ties="midpoint")
        return out.reshape(b, m)
    outcomes = np.empty((b, m))
    for d in range(b):
        outcomes[d], _ = nash_bargaining(
            batch.positions[d],
            batch.saliences[d],
            batch.capabilities[d],
            batch.status_quo[d],
            batch.lo,
            batch.hi,
            utility=utility,
        )
    return outcomes
