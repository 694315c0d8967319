"""The contract every forecasting model follows.

A model is a pure function over NumPy arrays (its own module, its own docstring with formula and
source). Each module also exposes ``SPEC``, a :class:`ModelSpec` whose ``run`` adapts an
:class:`IssueArrays` to that function. The registry (:mod:`accord.models.registry`) lists the specs
by name, and the CLI, the Python API and the web app call models only through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class IssueArrays:
    """One issue as arrays: ``n`` actors on ``m`` dimensions.

    Attributes:
        actor_ids: actor ids in row order.
        positions: ``(n, m)`` positions on the issue's own scale (e.g. years, or 0-100).
        saliences: ``(n, m)`` saliences normalised to [0, 1] (the file's scale is divided out).
        capabilities: ``(n,)`` capabilities, >= 0, in the file's own units.
        lo: ``(m,)`` lower end of each dimension's scale.
        hi: ``(m,)`` upper end of each dimension's scale.
        status_quo: ``(m,)`` the reference point, or ``None`` when the issue has none.
    """

    actor_ids: tuple[str, ...]
    positions: FloatArray
    saliences: FloatArray
    capabilities: FloatArray
    lo: FloatArray
    hi: FloatArray
    status_quo: FloatArray | None = None

    @property
    def n_actors(self) -> int:
        return int(self.positions.shape[0])

    @property
    def n_dims(self) -> int:
        return int(self.positions.shape[1])

    def to_unit(self, x: FloatArray) -> FloatArray:
        """Map positions from the issue's scale to [0, 1] per dimension."""
        return (x - self.lo) / (self.hi - self.lo)

    def from_unit(self, u: FloatArray) -> FloatArray:
        """Map positions from [0, 1] back to the issue's scale."""
        return self.lo + u * (self.hi - self.lo)


@dataclass(frozen=True)
class ModelRun:
    """What a model returns for one issue.

    Attributes:
        model: registry name of the model.
        positions: ``(T + 1, n, m)`` actor positions per round on the issue's scale; round 0 is
            the input.
        outcome: ``(m,)`` the model's forecast on the issue's scale.
        series: per-round aggregates, each ``(T + 1, m)`` (e.g. BDM's ``median`` and ``mean``).
        diagnostics: JSON-serialisable facts about the run (converged, turns, parameters, ...).
    """

    model: str
    positions: FloatArray
    outcome: FloatArray
    series: Mapping[str, FloatArray] = field(default_factory=dict)
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_rounds(self) -> int:
        """Number of rounds after the initial one."""
        return int(self.positions.shape[0]) - 1


RunFunction = Callable[[IssueArrays, Mapping[str, Any], np.random.Generator], ModelRun]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    Attributes:
        name: the registry name users type (``--model NAME``).
        summary: one line for ``accord models`` and the docs.
        citation: bibliography key(s) in ``docs/bibliography.md``.
        run: adapter from :class:`IssueArrays` and a parameter mapping to :class:`ModelRun`.
        defaults: default parameter values; ``run`` accepts any subset of these keys.
        stochastic: whether the result depends on the generator.
        uses_status_quo: whether the model reads ``IssueArrays.status_quo``.
    """

    name: str
    summary: str
    citation: str
    run: RunFunction
    defaults: Mapping[str, Any]
    stochastic: bool = False
    uses_status_quo: bool = False


def check_params(
    spec_name: str, defaults: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """Merge ``params`` over ``defaults``; unknown keys are a usage error naming the valid ones."""
    from accord.errors import UsageError

    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise UsageError(
            f"model '{spec_name}' has no parameter {', '.join(repr(u) for u in unknown)}",
            expected="one of " + ", ".join(sorted(defaults)) if defaults else "no parameters",
        )
    merged = dict(defaults)
    merged.update(params)
    return merged
