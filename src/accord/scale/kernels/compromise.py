"""Batched compromise model (Achen 2006): the weighted mean of each draw, all draws at once.

Same formula as :func:`accord.models.compromise.compromise`, ``x*_k = sum_i w_ik x_ik /
sum_i w_ik`` with ``w_ik`` from the ``weights`` parameter, on ``(B, n, m)`` arrays. A dimension
whose weights sum to zero falls back to the plain mean, as in the single run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.models.base import FloatArray, check_params
from accord.models.compromise import DEFAULTS, actor_weights, compromise

if TYPE_CHECKING:
    from accord.scale.batch import IssueBatch


def as_columns(a: FloatArray) -> FloatArray:
    """``(B, n, m)`` -> ``(n, B * m)``: every (draw, dimension) pair becomes one column."""
    arr = np.asarray(a, dtype=np.float64)
    out: FloatArray = np.ascontiguousarray(arr.transpose(1, 0, 2)).reshape(arr.shape[1], -1)
    return out


def compromise_batch(positions: FloatArray, weights: FloatArray) -> FloatArray:
    """``(B, m)`` weighted means of ``positions`` ``(B, n, m)`` with ``weights`` ``(B, n, m)``.

    The draws become columns of one ``(n, B m)`` problem for the single-run function, whose
    formula is per column: each column sums over the actors the same way as a single run.
    """
    b, _, m = positions.shape
    out, _ = compromise(as_columns(positions), as_columns(weights))
    return out.reshape(b, m)


def kernel(batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator) -> FloatArray:
    """Registry kernel for ``compromise`` (deterministic; ``rng`` unused)."""
    del rng
    p = check_params("compromise", DEFAULTS, params)
    w = actor_weights(batch.capabilities, batch.saliences, str(p["weights"]))
    return compromise_batch(batch.positions, w)
