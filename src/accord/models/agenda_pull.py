r"""The agenda-setter pull model: the compromise model pulled towards named agenda setters.

A learned variant of the compromise model (Achen 2006, *The European Union Decides*, ch. 4 and
ch. 10), fitted on the DEU dev split (see ``docs/models/agenda_pull.md`` and
``docs/accuracy.md``). Per dimension ``k``, with the compromise

.. math:: C_k = \frac{\sum_i c_i s_{ik} x_{ik}}{\sum_i c_i s_{ik}}

(the ``weights`` parameter picks the weights as in :mod:`accord.models.compromise`) and a pull
``a_j >= 0`` for each agenda setter ``j`` present in the issue (``sum_j a_j <= 1``):

.. math:: x^*_k = C_k + \sum_j a_j\,(x_{jk} - C_k)
          = \Big(1 - \sum_j a_j\Big) C_k + \sum_j a_j\, x_{jk}

so the forecast is a convex combination of the compromise and the setters' positions, and stays
within the range of the positions. The idea is the agenda-setting power of the proposer
(Commission) and of the co-legislator (Parliament) in EU legislation (Tsebelis & Garrett 2000,
"Legislative politics in the European Union", *European Union Politics* 1(1) 9-36; Thomson et
al. 2006 ch. 1), used here as an empirical correction, not as a game. Actors not named in
``pulls`` (and issues with none of them, e.g. every non-EU scenario) get the plain compromise.

Parameters: ``pulls`` (actor id -> ``a_j``; default the values fitted on the DEU dev split,
:data:`accord.models.agenda_pull_params.FITTED_PULLS`, which name the DEU ids ``com`` and
``ep``) and ``weights``. The pulls are data shipped with the package; nothing is fitted at
forecast time and no outcome is used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from accord.errors import UsageError
from accord.models.agenda_pull_params import FITTED_PULLS
from accord.models.base import FloatArray, IssueArrays, ModelParams, ModelRun, ModelSpec
from accord.models.compromise import actor_weights, check_weighting, compromise


def pull_vector(actor_ids: tuple[str, ...], pulls: Mapping[str, float]) -> FloatArray:
    """The ``(n,)`` pulls ``a_i`` of the actors in row order (0 for actors not in ``pulls``).

    Raises:
        UsageError: a pull that is negative or not finite, or pulls that sum above 1.
    """
    for actor, value in pulls.items():
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise UsageError(
                f"pull {value!r} of actor '{actor}' is not a number >= 0",
                field="pulls",
                expected="a mapping actor id -> pull >= 0",
            )
    if sum(float(v) for v in pulls.values()) > 1.0 + 1e-12:
        raise UsageError(
            "the pulls sum above 1", field="pulls", expected="pulls >= 0 with a sum <= 1"
        )
    return np.array([float(pulls.get(a, 0.0)) for a in actor_ids], dtype=np.float64)


def agenda_pull(positions: FloatArray, weights: FloatArray, pulls: FloatArray) -> FloatArray:
    """``x* = C + sum_i a_i (x_i - C)`` per dimension (see the module docstring).

    Args:
        positions: ``(n, m)`` positions.
        weights: ``(n, m)`` compromise weights ``w_ik``.
        pulls: ``(n,)`` pulls ``a_i`` (0 for actors that are not setters).

    Returns:
        The ``(m,)`` forecast.
    """
    x = np.asarray(positions, dtype=np.float64)
    c, _ = compromise(x, weights)
    a = np.asarray(pulls, dtype=np.float64).reshape(-1, 1)
    return np.asarray(c + (a * (x - c)).sum(axis=0), dtype=np.float64)


@dataclass(frozen=True)
class AgendaPullParams(ModelParams):
    """Parameters: ``pulls`` ({actor id: pull}, fitted by default) and ``weights``."""

    model: ClassVar[str] = "agenda_pull"

    pulls: Mapping[str, float] = field(default_factory=lambda: dict(FITTED_PULLS))
    weights: str = "capability*salience"

    def __post_init__(self) -> None:
        if not isinstance(self.pulls, Mapping):
            raise UsageError(
                "pulls must map actor ids to numbers", field="pulls", expected="{actor id: pull}"
            )
        check_weighting(self.weights)


DEFAULTS: dict[str, Any] = AgendaPullParams.defaults()


def run(issue: IssueArrays, params: Mapping[str, Any], rng: np.random.Generator) -> ModelRun:
    """Registry adapter: the agenda-setter pull model on one issue (deterministic)."""
    p = AgendaPullParams.from_mapping(params)
    pulls = p.pulls
    a = pull_vector(issue.actor_ids, pulls)
    w = actor_weights(issue.capabilities, issue.saliences, p.weights)
    outcome = agenda_pull(issue.positions, w, a)
    c, zero = compromise(issue.positions, w)
    return ModelRun(
        model="agenda_pull",
        positions=issue.positions[None, :, :].copy(),
        outcome=outcome,
        series={},
        diagnostics={
            "compromise": [float(v) for v in c],
            "setters": [i for i, v in zip(issue.actor_ids, a, strict=True) if v > 0],
            "pulls": {str(k): float(v) for k, v in pulls.items()},
            "weights": p.weights,
            "zero_weight_dimensions": zero,
        },
    )


SPEC = ModelSpec(
    name="agenda_pull",
    summary="Compromise model pulled towards the agenda setters (pulls fitted on DEU dev).",
    citation="Achen2006; TsebelisGarrett2000",
    run=run,
    params=AgendaPullParams,
    uses_status_quo=False,
)
