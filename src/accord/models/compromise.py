r"""The compromise model: the capability- and salience-weighted mean of the positions.

Implements the compromise model of Achen (2006), "Institutional realism and bargaining models",
in Thomson, Stokman, Achen & König (eds.), *The European Union Decides*, Cambridge UP, ch. 4
and ch. 10 (the comparison of models, where it is the hardest to beat). Per dimension ``k``:

.. math:: x^*_k = \frac{\sum_i w_{ik}\, x_{ik}}{\sum_i w_{ik}}, \qquad
          w_{ik} = c_i\, s_{ik}

with capability ``c_i`` and salience ``s_ik`` of actor ``i`` on dimension ``k``. It is the
first-order (quadratic-utility) approximation of the asymmetric Nash bargaining solution: it
maximises :math:`\sum_i c_i u_i(x)` with :math:`u_i(x) = -\sum_k s_{ik}(x_k - x_{ik})^2`
(set the gradient to zero: :math:`\sum_i c_i s_{ik} (x_k - x_{ik}) = 0`), see
:mod:`accord.models.nash`.

Parameter ``weights`` (the weight :math:`w_{ik}`):

* ``"capability*salience"`` (default): :math:`c_i s_{ik}`, Achen's model;
* ``"salience"``: :math:`s_{ik}` (the salience-weighted mean);
* ``"capability"``: :math:`c_i`;
* ``"equal"``: 1 (the plain mean of positions).

A dimension whose weights sum to zero (every weight zero) falls back to the plain mean and is
listed in ``diagnostics["zero_weight_dimensions"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray, IssueArrays, IssueBatch, ModelParams, ModelRun, ModelSpec

WEIGHTINGS = ("capability*salience", "salience", "capability", "equal")


def check_weighting(weights: str) -> None:
    """A usage error unless ``weights`` names a weighting."""
    if weights not in WEIGHTINGS:
        raise UsageError(
            f"unknown weighting '{weights}'",
            field="weights",
            expected="one of " + ", ".join(WEIGHTINGS),
        )


def actor_weights(
    capabilities: FloatArray, saliences: FloatArray, weights: str = "capability*salience"
) -> FloatArray:
    """The ``(n, m)`` weights :math:`w_{ik}` for a weighting name (see the module docstring).

    Leading batch axes broadcast: capabilities ``(..., n)`` with saliences ``(..., n, m)`` give
    ``(..., n, m)`` weights (the batch kernel passes ``(B, n)`` and ``(B, n, m)``).
    """
    c = np.asarray(capabilities, dtype=np.float64)[..., None]
    s = np.asarray(saliences, dtype=np.float64)
    if weights == "capability*salience":
        return np.asarray(c * s)
    if weights == "salience":
        return s.copy()
    if weights == "capability":
        return np.asarray(np.broadcast_to(c, s.shape), dtype=np.float64).copy()
    if weights == "equal":
        return np.ones_like(s)
    raise UsageError(
        f"unknown weighting '{weights}'",
        field="weights",
        expected="one of " + ", ".join(WEIGHTINGS),
    )


def compromise(positions: FloatArray, weights: FloatArray) -> tuple[FloatArray, list[int]]:
    """Weighted mean of ``positions`` (``(n, m)``) with weights ``(n, m)``, per dimension.

    Returns:
        The ``(m,)`` outcome and the dimensions whose weights summed to zero (plain mean used).
    """
    x = np.asarray(positions, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    total = w.sum(axis=0)
    zero = total <= 0
    safe = np.where(zero, 1.0, total)
    outcome = np.where(zero, x.mean(axis=0), (w * x).sum(axis=0) / safe)
    return np.asarray(outcome, dtype=np.float64), [int(d) for d in np.flatnonzero(zero)]


@dataclass(frozen=True)
class CompromiseParams(ModelParams):
    """Parameters of the compromise model: ``weights``, the weighting name (module docstring)."""

    model: ClassVar[str] = "compromise"

    weights: str = "capability*salience"

    def __post_init__(self) -> None:
        check_weighting(self.weights)


DEFAULTS: dict[str, Any] = CompromiseParams.defaults()


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


def batch_kernel(
    batch: IssueBatch, params: Mapping[str, Any], rng: np.random.Generator
) -> FloatArray:
    """The batch kernel: every draw at once (deterministic; ``rng`` unused)."""
    del rng
    p = CompromiseParams.from_mapping(params)
    return compromise_batch(
        batch.positions, actor_weights(batch.capabilities, batch.saliences, p.weights)
    )


def run(issue: IssueArrays, params: Mapping[str, Any], rng: np.random.Generator) -> ModelRun:
    """Registry adapter: the compromise model on one issue (deterministic; ``rng`` unused)."""
    p = CompromiseParams.from_mapping(params)
    w = actor_weights(issue.capabilities, issue.saliences, p.weights)
    outcome, zero = compromise(issue.positions, w)
    return ModelRun(
        model="compromise",
        positions=issue.positions[None, :, :].copy(),
        outcome=outcome,
        series={},
        diagnostics={"weights": p.weights, "zero_weight_dimensions": zero},
    )


SPEC = ModelSpec(
    name="compromise",
    summary="Capability- and salience-weighted mean of positions (Achen's compromise model).",
    citation="Achen2006",
    run=run,
    params=CompromiseParams,
    batch_kernel=batch_kernel,
    uses_status_quo=False,
)
