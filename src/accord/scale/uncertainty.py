"""The uncertain inputs of one issue (every number with a ``range``) and batches drawn from them.

A :class:`Factor` is one uncertain number: an actor's position on one dimension, its salience
(on [0, 1]: the file's range is divided by the issue's ``salience_scale``), or its capability.
:func:`batch_from_unit` maps a matrix of unit-interval samples (one column per factor, e.g.
Monte Carlo or a SALib design) linearly onto the ranges, ``value = lo + u (hi - lo)``, and
returns an :class:`~accord.scale.batch.IssueBatch`; every number without a range keeps its value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray, IssueArrays
from accord.rng import SeedLike, make_rng
from accord.scale.batch import IssueBatch
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import Scenario


@dataclass(frozen=True)
class Factor:
    """One uncertain input: ``kind`` is ``position``, ``salience`` or ``capability``."""

    name: str
    kind: str
    actor: int
    dim: int
    lo: float
    hi: float


def factors(scenario: Scenario, issue_id: str) -> tuple[IssueArrays, list[Factor]]:
    """The issue's arrays and its uncertain inputs, in stance order (position, salience), then
    capabilities in actor-row order."""
    base = issue_arrays(scenario, issue_id)
    issue = scenario.issue(issue_id)
    m = len(issue.dimensions)
    out: list[Factor] = []
    for row, stance in enumerate(issue.stances):
        ranges = stance.position.ranges()
        if ranges is not None:
            for k, (lo, hi) in enumerate(ranges[:m]):
                label = f"{stance.actor}.position" + (f"[{k + 1}]" if m > 1 else "")
                out.append(Factor(label, "position", row, k, float(lo), float(hi)))
        if stance.salience.range is not None:
            lo, hi = stance.salience.range
            scale = issue.salience_scale
            for k in range(m):
                label = f"{stance.actor}.salience" + (f"[{k + 1}]" if m > 1 else "")
                out.append(Factor(label, "salience", row, k, lo / scale, hi / scale))
    for row, actor_id in enumerate(base.actor_ids):
        cap = scenario.actor(actor_id).capability
        if cap.range is not None:
            lo, hi = cap.range
            out.append(Factor(f"{actor_id}.capability", "capability", row, 0, lo, hi))
    return base, out


def batch_from_unit(base: IssueArrays, fs: list[Factor], unit: FloatArray) -> IssueBatch:
    """An :class:`IssueBatch` with one draw per row of ``unit`` ``(B, len(fs))`` on [0, 1]."""
    u = np.atleast_2d(np.asarray(unit, dtype=np.float64))
    if u.shape[1] != len(fs):
        raise UsageError(f"{u.shape[1]} sample columns for {len(fs)} factors", field="samples")
    batch = IssueBatch.repeat(base, u.shape[0])
    x, s, c = batch.positions.copy(), batch.saliences.copy(), batch.capabilities.copy()
    for col, f in enumerate(fs):
        values = f.lo + u[:, col] * (f.hi - f.lo)
        if f.kind == "position":
            x[:, f.actor, f.dim] = values
        elif f.kind == "salience":
            s[:, f.actor, f.dim] = values
        else:
            c[:, f.actor] = values
    return IssueBatch(base.actor_ids, x, s, c, base.lo, base.hi, batch.status_quo)


def draw_batch(
    scenario: Scenario, issue_id: str, draws: int, seed: SeedLike = 0
) -> tuple[IssueBatch, list[Factor]]:
    """``draws`` Monte Carlo draws, each uncertain input uniform on its range."""
    base, fs = factors(scenario, issue_id)
    unit = make_rng(seed).random((draws, len(fs)))
    return batch_from_unit(base, fs, unit), fs


def with_ranges(
    scenario: Scenario, position: float = 0.0, salience: float = 0.0, capability: float = 0.0
) -> Scenario:
    """A copy of ``scenario`` in which every stance and capability without a range gets one
    (marked ``assumed``): positions ``value +- position`` times the dimension's span (clipped to
    the scale), saliences ``value +- salience`` (file units, clipped to [0, salience_scale]), capabilities
    ``value (1 +- capability)``. A width of 0 leaves that kind of number alone."""
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
