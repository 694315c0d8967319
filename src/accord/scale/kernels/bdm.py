"""Batched BDM (:mod:`accord.models.bdm`): a thin adapter over :func:`accord.models.bdm.run_batch`.

The model package holds both batch engines (NumPy, and Numba for reading S1) and the checks;
``update="sequential"`` returns ``None`` (the caller runs the loop of single runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.models import bdm as model
from accord.models.base import FloatArray

if TYPE_CHECKING:
    from accord.scale.batch import IssueBatch


def kernel(
    batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator
) -> FloatArray | None:
    """Registry kernel for ``bdm``: ``(B, m)`` final medians (or means, ``forecast="mean"``)."""
    del rng
    return model.run_batch(
        batch.positions, batch.saliences, batch.capabilities, batch.lo, batch.hi, params
    )
