"""``accord panel merge``: the experts' answers aggregated into the scenario, with their spread.

Each number at least one expert answered becomes
``{value: <aggregate>, range: [min, max], source: "panel: a, b, c", elicited: {a: .., b: ..}}``
(the *elicited* provenance, next to sourced and assumed). Blank cells keep the scenario's value.

Aggregates over the answers ``x_1..x_n`` of one number, with weights ``w_e`` (1 each, or the
experts' stated confidence with ``weights="confidence"``, a blank confidence weighing 1):

* ``median``: the weighted median, the smallest ``x_(k)`` (sorted) whose cumulative weight
  reaches half the total; when it reaches exactly half, the mean of ``x_(k)`` and ``x_(k+1)``
  (with equal weights this is the ordinary median);
* ``mean``: ``sum w_e x_e / sum w_e``;
* ``trimmed``: with ``n >= 3``, drop the ``t = max(1, floor(0.2 n))`` lowest and highest
  answers and take the weighted mean of the rest (a 20% trimmed mean that always trims at
  least one from each end); with fewer answers, the mean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from accord.errors import UsageError
from accord.panel.sheets import Answer, Panel, PanelError
from accord.scenario.schema import Scenario

Aggregate = Literal["median", "mean", "trimmed"]
AGGREGATES: tuple[str, ...] = ("median", "mean", "trimmed")
WEIGHTS: tuple[str, ...] = ("equal", "confidence")


def aggregate(values: Sequence[float], weights: Sequence[float], method: str) -> float:
    """One aggregate of ``values`` under ``weights`` (see the module docstring)."""
    if method not in AGGREGATES:
        raise UsageError(
            f"unknown aggregate '{method}'", field="--aggregate", expected=" | ".join(AGGREGATES)
        )
    x = np.asarray(values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    if method == "trimmed" and x.size >= 3:
        t = max(1, math.floor(0.2 * x.size))
        x, w = x[t:-t], w[t:-t]
        method = "mean"
    if method == "mean":
        return float(np.sum(w * x) / np.sum(w))
    total = float(w.sum())
    cum = np.cumsum(w)
    k = int(np.searchsorted(cum, total / 2.0 - 1e-12 * total))
    if abs(cum[k] - total / 2.0) <= 1e-12 * total and k + 1 < x.size:
        return float((x[k] + x[k + 1]) / 2.0)
    return float(x[k])


def _clean(v: float) -> float:
    r = round(v, 6)
    return float(r) if r != 0 else 0.0


def _weight(a: Answer, by: str) -> float:
    return 1.0 if by == "equal" or a.confidence is None else a.confidence


def _source(experts: Sequence[str]) -> str:
    return "panel: " + ", ".join(experts)


def merge_panel(
    scenario: Scenario, panel: Panel, method: str = "median", weights: str = "equal"
) -> Scenario:
    """The scenario with every answered number replaced by its aggregate (module docstring)."""
    if weights not in WEIGHTS:
        raise UsageError(f"unknown weights '{weights}'", field="--weights", expected="confidence")
    aggregate([0.0], [1.0], method)  # an unknown method fails before any work
    if panel.scenario_id != scenario.id:
        raise PanelError(f"the panel is for scenario '{panel.scenario_id}', not '{scenario.id}'")
    order = {e: i for i, e in enumerate(panel.experts)}
    by_cell: dict[tuple[str, str, str], list[Answer]] = {}
    by_actor: dict[str, dict[str, Answer]] = {}
    for a in panel.answers:
        by_cell.setdefault((a.issue, a.actor, a.dimension), []).append(a)
        if a.capability is not None:
            by_actor.setdefault(a.actor, {})[a.expert] = a
    data = scenario.model_dump(mode="python", exclude_defaults=False)

    def agg(items: Sequence[tuple[str, float, float]]) -> float:
        return _clean(aggregate([v for _, v, _ in items], [w for _, _, w in items], method))

    for actor in data["actors"]:
        got = by_actor.get(actor["id"])
        if not got:
            continue
        items = [(e, float(a.capability or 0.0), _weight(a, weights)) for e, a in got.items()]
        items.sort(key=lambda t: order[t[0]])
        vals = [v for _, v, _ in items]
        actor["capability"].update(
            value=agg(items),
            range=(min(vals), max(vals)),
            source=_source([e for e, _, _ in items]),
            assumed=False,
            elicited={e: v for e, v, _ in items},
        )
    for issue_model, issue in zip(scenario.issues, data["issues"], strict=True):
        dims = [d.id for d in issue_model.dimensions]
        m = len(dims)
        scale = issue_model.salience_scale
        for stance_model, stance in zip(issue_model.stances, issue["stances"], strict=True):
            cells = [by_cell.get((issue_model.id, stance_model.actor, d), []) for d in dims]
            _merge_position(
                stance,
                stance_model.position.values(),
                stance_model.position.ranges(),
                cells,
                m,
                order,
                weights,
                agg,
            )
            _merge_salience(
                stance, stance_model.salience.values(m), cells, m, scale, order, weights, agg
            )
    merged = Scenario.model_validate(data)
    from accord.scenario.validate import check

    problems = check(merged)
    if problems:
        p = problems[0]
        raise PanelError(f"the merged scenario does not validate: {p.message}")
    return merged


def _merge_position(
    stance: dict[str, Any],
    old: list[float],
    old_ranges: list[tuple[float, float]] | None,
    cells: list[list[Answer]],
    m: int,
    order: dict[str, int],
    weights: str,
    agg: Any,
) -> None:
    answered = [[a for a in c if a.position is not None] for c in cells]
    if not any(answered):
        return
    experts = sorted({a.expert for c in answered for a in c}, key=order.__getitem__)
    values: list[float] = []
    ranges: list[tuple[float, float]] = []
    for k in range(m):
        items = [(a.expert, float(a.position or 0.0), _weight(a, weights)) for a in answered[k]]
        if items:
            vals = [v for _, v, _ in items]
            values.append(agg(items))
            ranges.append((min(vals), max(vals)))
        else:
            values.append(old[k])
            # a single range on a several-dimension position applies to every dimension
            if old_ranges:
                ranges.append(old_ranges[k] if k < len(old_ranges) else old_ranges[0])
            else:
                ranges.append((old[k], old[k]))
    elicited: dict[str, Any] = {}
    for e in experts:
        per = [next((a.position for a in answered[k] if a.expert == e), None) for k in range(m)]
        elicited[e] = per[0] if m == 1 else per
    stance["position"] = {
        "value": values[0] if m == 1 else values,
        "source": _source(experts),
        "assumed": False,
        "range": ranges[0] if m == 1 else ranges,
        "elicited": elicited,
    }


def _merge_salience(
    stance: dict[str, Any],
    old: list[float],
    cells: list[list[Answer]],
    m: int,
    scale: float,
    order: dict[str, int],
    weights: str,
    agg: Any,
) -> None:
    answered = [[a for a in c if a.salience is not None] for c in cells]
    if not any(answered):
        return
    experts = sorted({a.expert for c in answered for a in c}, key=order.__getitem__)
    values: list[float] = []
    every: list[float] = []
    for k in range(m):
        items = [
            (a.expert, _clean(float(a.salience or 0.0) * scale), _weight(a, weights))
            for a in answered[k]
        ]
        if items:
            values.append(agg(items))
            every.extend(v for _, v, _ in items)
        else:
            values.append(float(old[k]))
        every.append(values[-1])
    elicited: dict[str, Any] = {}
    for e in experts:
        per = [
            next(
                (_clean(float(a.salience or 0.0) * scale) for a in answered[k] if a.expert == e),
                None,
            )
            for k in range(m)
        ]
        elicited[e] = per[0] if m == 1 or (len(set(per)) == 1 and None not in per) else per
    same = len(set(values)) == 1
    stance["salience"] = {
        "value": values[0] if same else values,
        "source": _source(experts),
        "assumed": False,
        "range": (min(every), max(every)),
        "elicited": elicited,
    }
