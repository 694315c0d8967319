"""The one uncertainty pipeline.

Which numbers of an issue are uncertain, how they are drawn, and the batch of draws the models run
on.

Every number with a ``range`` is an :class:`UncertainInput` (:func:`uncertain_inputs`): an
actor's position on a dimension, its salience (on [0, 1]: the file's range is divided by the
issue's ``salience_scale``), its capability, or the issue's status quo. Draws are uniform on the
range (the range says "anywhere in here", nothing more) or triangular with the mode at the stated
value: :func:`unit_to_values` maps unit-interval samples (Monte Carlo's generator, or a SALib
design) onto the ranges, :func:`draw_values` draws them, and :func:`apply_draws` writes them into
an :class:`~accord.models.base.IssueBatch` (numbers without a range keep their value). Monte
Carlo (:mod:`accord.analysis.montecarlo`), parameter sweeps (:mod:`accord.scale.sweep`) and SALib
sensitivity (:mod:`accord.scale.sensitivity`) all draw through here; seeds come from
:func:`accord.rng.seed_for`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from accord.errors import UsageError
from accord.models.base import FloatArray, IssueBatch
from accord.rng import SeedLike, make_rng
from accord.scenario.arrays import issue_arrays
from accord.scenario.columns import recall
from accord.scenario.schema import Scenario

InputKind = Literal["position", "salience", "capability", "status_quo"]
Distribution = Literal["uniform", "triangular"]
DISTRIBUTIONS: tuple[str, ...] = ("uniform", "triangular")


@dataclass(frozen=True)
class UncertainInput:
    """One number of the scenario that is drawn, and where it goes in the issue's arrays.

    Attributes:
        name: a readable label, e.g. ``position fr`` or ``salience us [area-3]``.
        kind: ``position``, ``salience``, ``capability`` or ``status_quo``.
        actor: the actor's id (``None`` for the status quo).
        dimension: the dimension's id (``None`` for capabilities and for a salience used on
            every dimension).
        value: the stated value, on the issue's scale (saliences on [0, 1]).
        lo, hi: the range, on the same scale as ``value``.
        row: the actor's row in :class:`~accord.models.base.IssueArrays` (``-1`` for the
            status quo).
        cols: the dimension columns the draw is written to.
    """

    name: str
    kind: InputKind
    actor: str | None
    dimension: str | None
    value: float
    lo: float
    hi: float
    row: int
    cols: tuple[int, ...]

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: name, kind, actor, dimension, value and range."""
        return {
            "name": self.name,
            "kind": self.kind,
            "actor": self.actor,
            "dimension": self.dimension,
            "value": self.value,
            "range": [self.lo, self.hi],
        }


def _pairs(raw: object, m: int) -> list[tuple[float, float]] | None:
    """A range field as ``m`` (lo, hi) pairs: one pair is used on every dimension."""
    if raw is None:
        return None
    if isinstance(raw, tuple) and len(raw) == 2 and all(isinstance(v, int | float) for v in raw):
        return [(float(raw[0]), float(raw[1]))] * m
    pairs = [(float(a), float(b)) for a, b in raw]  # type: ignore[attr-defined]
    return pairs * m if len(pairs) == 1 else pairs


def uncertain_inputs(scenario: Scenario, issue_id: str) -> list[UncertainInput]:
    """Every number of an issue that has a range, in a fixed order.

    Every number of ``issue_id`` that has a range, in a fixed order (stances in file order:
    positions, saliences, then capabilities, then the status quo).
    """
    arrays = issue_arrays(scenario, issue_id)  # a UsageError for an unknown issue
    issue = scenario.issue(issue_id)
    dims = [d.id for d in issue.dimensions]
    m = len(dims)
    found: list[UncertainInput] = []
    # stances and capabilities an importer kept as columns have no ranges: no walk (issue 15)
    walk = recall(scenario, issue) is None
    stances = issue.stances if walk else []

    def label(kind: str, actor: str | None, dim: str | None) -> str:
        text = kind.replace("_", " ") + (f" {actor}" if actor else "")
        return text + (f" [{dim}]" if dim is not None and m > 1 else "")

    for row, stance in enumerate(stances):
        ranges = _pairs(stance.position.range, m)
        if ranges is not None:
            for k, (a, b) in enumerate(ranges[:m]):
                found.append(
                    UncertainInput(
                        label("position", stance.actor, dims[k]),
                        "position",
                        stance.actor,
                        dims[k],
                        float(arrays.positions[row, k]),
                        a,
                        b,
                        row,
                        (k,),
                    )
                )
    for row, stance in enumerate(stances):
        sal = stance.salience
        if sal.range is None:
            continue
        scale = issue.salience_scale
        a, b = float(sal.range[0]) / scale, float(sal.range[1]) / scale
        if isinstance(sal.value, list):
            for k in range(m):
                found.append(
                    UncertainInput(
                        label("salience", stance.actor, dims[k]),
                        "salience",
                        stance.actor,
                        dims[k],
                        float(arrays.saliences[row, k]),
                        a,
                        b,
                        row,
                        (k,),
                    )
                )
        else:
            found.append(
                UncertainInput(
                    label("salience", stance.actor, None),
                    "salience",
                    stance.actor,
                    None,
                    float(arrays.saliences[row, 0]),
                    a,
                    b,
                    row,
                    tuple(range(m)),
                )
            )
    for row, actor_id in enumerate(arrays.actor_ids if walk else ()):
        cap = scenario.actor(actor_id).capability
        if cap.range is not None:
            found.append(
                UncertainInput(
                    label("capability", actor_id, None),
                    "capability",
                    actor_id,
                    None,
                    float(cap.value),
                    float(cap.range[0]),
                    float(cap.range[1]),
                    row,
                    (),
                )
            )
    sq_ranges = _pairs(getattr(issue.status_quo, "range", None), m)
    if sq_ranges is not None and arrays.status_quo is not None:
        for k, (a, b) in enumerate(sq_ranges[:m]):
            found.append(
                UncertainInput(
                    label("status_quo", None, dims[k]),
                    "status_quo",
                    None,
                    dims[k],
                    float(arrays.status_quo[k]),
                    a,
                    b,
                    -1,
                    (k,),
                )
            )
    return found


def draw_values(
    inputs: Sequence[UncertainInput],
    draws: int,
    rng: np.random.Generator,
    distribution: Distribution = "uniform",
) -> FloatArray:
    r"""``(draws, p)`` values, column ``j`` drawn on ``inputs[j]``'s range.

    Uniform: :math:`v = lo + u (hi - lo)`. Triangular with mode ``c`` (the stated value), by the
    inverse CDF: :math:`v = lo + \sqrt{u (hi - lo)(c - lo)}` for :math:`u < (c - lo)/(hi - lo)`,
    else :math:`v = hi - \sqrt{(1 - u)(hi - lo)(hi - c)}`. One uniform matrix ``u`` is drawn for
    both, so the two differ only by the transform. A range of zero width gives its value.
    """
    return unit_to_values(inputs, rng.random((draws, len(inputs))), distribution)


def unit_to_values(
    inputs: Sequence[UncertainInput], unit: FloatArray, distribution: Distribution = "uniform"
) -> FloatArray:
    """Input values from unit-interval samples.

    ``(B, p)`` values from unit-interval samples ``u`` ``(B, p)`` (formulas in
    :func:`draw_values`): the one transform for Monte Carlo and for SALib designs.
    """
    lo = np.array([i.lo for i in inputs], dtype=np.float64)
    hi = np.array([i.hi for i in inputs], dtype=np.float64)
    mode = np.array([i.value for i in inputs], dtype=np.float64)
    u = np.atleast_2d(np.asarray(unit, dtype=np.float64))
    if u.shape[1] != len(inputs):
        raise UsageError(f"{u.shape[1]} sample columns for {len(inputs)} inputs", field="samples")
    width = hi - lo
    if distribution == "uniform":
        values = lo + u * width
    elif distribution == "triangular":
        safe = np.where(width > 0, width, 1.0)
        c = (mode - lo) / safe
        left = lo + np.sqrt(u * width * (mode - lo))
        right = hi - np.sqrt((1.0 - u) * width * (hi - mode))
        values = np.where(u < c, left, right)
    else:
        raise UsageError(
            f"unknown distribution '{distribution}'", expected="one of " + ", ".join(DISTRIBUTIONS)
        )
    return np.asarray(np.where(width > 0, values, mode), dtype=np.float64)


def apply_draws(
    scenario: Scenario, issue_id: str, inputs: Sequence[UncertainInput], values: FloatArray
) -> IssueBatch:
    """An :class:`IssueBatch` of the issue with each draw's values written in (one row per draw)."""
    arrays = issue_arrays(scenario, issue_id)
    batch = IssueBatch.repeat(arrays, int(values.shape[0]))
    positions = batch.positions.copy()
    saliences = batch.saliences.copy()
    capabilities = batch.capabilities.copy()
    status_quo = None if batch.status_quo is None else batch.status_quo.copy()

    def targets(kind: str) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        idx, rows, cols = [], [], []
        for j, item in enumerate(inputs):
            if item.kind == kind:
                for k in item.cols or (0,):
                    idx.append(j)
                    rows.append(item.row)
                    cols.append(k)
        return (
            np.asarray(idx, dtype=np.intp),
            np.asarray(rows, dtype=np.intp),
            np.asarray(cols, dtype=np.intp),
        )

    j, r, c = targets("position")
    positions[:, r, c] = values[:, j]
    j, r, c = targets("salience")
    saliences[:, r, c] = values[:, j]
    j, r, _ = targets("capability")
    capabilities[:, r] = values[:, j]
    j, _, c = targets("status_quo")
    if status_quo is not None:
        status_quo[:, c] = values[:, j]
    return IssueBatch(
        actor_ids=batch.actor_ids,
        positions=positions,
        saliences=saliences,
        capabilities=capabilities,
        lo=batch.lo,
        hi=batch.hi,
        status_quo=status_quo,
    )


def draw_batch(
    scenario: Scenario,
    issue_id: str,
    draws: int,
    seed: SeedLike = 0,
    distribution: Distribution = "uniform",
) -> tuple[IssueBatch, list[UncertainInput]]:
    """Monte Carlo draws of every uncertain input and their batch.

    ``draws`` Monte Carlo draws of every uncertain input (ranges of zero width included: they
    give their value) and the batch they make.
    """
    inputs = uncertain_inputs(scenario, issue_id)
    values = draw_values(inputs, draws, make_rng(seed), distribution)
    return apply_draws(scenario, issue_id, inputs, values), inputs


def with_ranges(
    scenario: Scenario, position: float = 0.0, salience: float = 0.0, capability: float = 0.0
) -> Scenario:
    """A copy of the scenario with a range on every stance and capability.

    A copy of ``scenario`` in which every stance and capability without a range gets one
    (marked ``assumed``): positions ``value +- position`` times the dimension's span (clipped to
    the scale), saliences ``value +- salience`` (file units, clipped to [0, salience_scale]), capabilities
    ``value (1 +- capability)``. A width of 0 leaves that kind of number alone.
    """
    data = scenario.model_dump(mode="python")
    for actor in data["actors"]:
        cap = actor["capability"]
        if capability > 0 and cap.get("range") is None:
            v = float(cap["value"])
            cap["range"] = (v * (1 - capability), v * (1 + capability))
            cap["assumed"] = True
    for issue in data["issues"]:
        dims = issue["dimensions"]
        for stance in issue["stances"]:
            pos = stance["position"]
            if position > 0 and pos.get("range") is None:
                values = pos["value"] if isinstance(pos["value"], list) else [pos["value"]]
                ranges = []
                for v, d in zip(values, dims, strict=True):
                    half = position * (d["hi"] - d["lo"])
                    ranges.append((max(d["lo"], v - half), min(d["hi"], v + half)))
                pos["range"] = ranges if isinstance(pos["value"], list) else ranges[0]
                pos["assumed"] = True
            sal = stance["salience"]
            if salience > 0 and sal.get("range") is None and not isinstance(sal["value"], list):
                v = float(sal["value"])
                top = float(issue.get("salience_scale", 1.0))
                sal["range"] = (max(0.0, v - salience), min(top, v + salience))
                sal["assumed"] = True
    return Scenario.model_validate(data)
