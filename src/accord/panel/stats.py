"""``accord panel stats``: how far the experts agree, and where they disagree most.

For every number the panel answered (a cell: a position on one dimension, a salience, a
capability) it reports the spread across experts: the median, the interquartile range
(``numpy.percentile``, linear interpolation) and the range ``max - min``, each also as a share
of the scale (the dimension's ``hi - lo``; 1 for saliences, on [0, 1]; for capabilities the
largest answer, so that shares compare).

**Agreement** is Krippendorff's alpha with the interval metric (Krippendorff 2011, "Computing
Krippendorff's Alpha-Reliability", Annenberg School for Communication, University of
Pennsylvania; computed by the maintained ``krippendorff`` package, not by hand): experts are the
coders and the cells the units, with missing answers allowed. It is computed per issue (its
positions; its saliences) and over the whole panel (positions as shares of their scale, so
that issues on different scales combine). Alpha is 1 for perfect agreement and 0 for agreement
no better than chance; it is undefined (``None``) with fewer than two pairable units or no
variation at all.

**Outlying experts.** For expert ``e`` and each position or salience cell ``c`` it answered
with at least one other expert, ``d_ec = |x_ec - median of the others' answers| / scale_c``;
``D_e`` is the mean of ``d_ec`` over those cells. An expert is flagged as outlying when ``D_e``
is at least ``ratio`` times (default 1.5) the median of the other experts' ``D`` and above
:data:`MIN_DISTANCE` (0.05 of the scale, so that a panel in near agreement flags nobody).
The report also gives alpha over the positions without that expert.

**The largest disagreements** are the cells with the largest range as a share of the scale
(ties by IQR share), the first questions for a second round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.panel.sheets import Answer, Panel
from accord.scenario.schema import Scenario

OUTLIER_RATIO = 1.5
MIN_DISTANCE = 0.05


@dataclass(frozen=True)
class Cell:
    """One answered number and the experts' answers to it (saliences on [0, 1])."""

    issue: str | None  # None for a capability
    actor: str
    dimension: str | None
    quantity: str  # position | salience | capability
    scale: float
    values: dict[str, float]

    @property
    def label(self) -> str:
        """The cell in words, e.g. ``"usa position trade/tariff"``."""
        where = f"{self.issue}/{self.dimension}" if self.issue else "capability"
        return f"{self.actor} {self.quantity} {where}" if self.issue else f"{self.actor} capability"

    def summary(self) -> dict[str, Any]:
        """The cell's spread: median, interquartile range and range, also as shares of the scale."""
        x = np.array(list(self.values.values()), dtype=np.float64)
        q1, med, q3 = (float(v) for v in np.percentile(x, [25, 50, 75]))
        rng = float(x.max() - x.min())
        return {
            "issue": self.issue,
            "actor": self.actor,
            "dimension": self.dimension,
            "quantity": self.quantity,
            "n": int(x.size),
            "values": dict(self.values),
            "median": med,
            "iqr": q3 - q1,
            "min": float(x.min()),
            "max": float(x.max()),
            "range": rng,
            "scale": self.scale,
            "range_share": rng / self.scale if self.scale > 0 else 0.0,
            "iqr_share": (q3 - q1) / self.scale if self.scale > 0 else 0.0,
        }


@dataclass(frozen=True)
class ExpertAgreement:
    """One expert's agreement with the others: distance ``D_e``, alpha without it, outlying flag."""

    expert: str
    answers: int
    distance: float | None  # D_e, None when no cell is shared with another expert
    alpha_without: float | None
    outlying: bool

    def to_json_dict(self) -> dict[str, Any]:
        """The expert's agreement as a JSON-serialisable dict."""
        return {
            "expert": self.expert,
            "answers": self.answers,
            "distance": self.distance,
            "alpha_without": self.alpha_without,
            "outlying": self.outlying,
        }


@dataclass(frozen=True)
class PanelStats:
    """The statistics of ``accord panel stats`` (module docstring): spread, alpha and outliers."""

    scenario_id: str
    experts: tuple[str, ...]
    cells: tuple[Cell, ...]
    alpha_positions: float | None
    alpha_saliences: float | None
    by_issue: dict[str, dict[str, float | None]]
    expert_agreement: tuple[ExpertAgreement, ...]
    threshold: float
    top: int = 10
    summaries: list[dict[str, Any]] = field(default_factory=list)

    def largest_disagreements(self, top: int | None = None) -> list[dict[str, Any]]:
        """The cells the experts disagree on most, by range then IQR as shares of the scale.

        Args:
            top: how many (the ``top`` field when ``None``).
        """
        rows = [s for s in self.summaries if s["n"] >= 2]
        rows.sort(key=lambda s: (-round(s["range_share"], 12), -round(s["iqr_share"], 12)))
        return rows[: self.top if top is None else top]

    def to_json_dict(self) -> dict[str, Any]:
        """The panel statistics as a JSON-serialisable dict."""
        return {
            "scenario": self.scenario_id,
            "experts": list(self.experts),
            "alpha": {
                "metric": "interval",
                "positions": self.alpha_positions,
                "saliences": self.alpha_saliences,
                "by_issue": self.by_issue,
            },
            "experts_agreement": [e.to_json_dict() for e in self.expert_agreement],
            "outlier_ratio": self.threshold,
            "largest_disagreements": self.largest_disagreements(),
            "cells": self.summaries,
        }


def alpha_interval(matrix: np.ndarray) -> float | None:
    """Krippendorff's alpha (interval) of a coders-by-units matrix.

    Krippendorff's alpha (interval) of ``matrix`` (coders x units, NaN = missing), or
    ``None`` where it is undefined (fewer than two pairable values, or no variation).
    """
    import krippendorff

    if matrix.size == 0:
        return None
    pairable = np.sum(~np.isnan(matrix), axis=0) >= 2
    data = matrix[:, pairable]
    if data.shape[1] < 1 or data.shape[0] < 2:
        return None
    values = data[~np.isnan(data)]
    if values.size < 2 or np.all(values == values[0]):
        return None
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
    except (ValueError, ZeroDivisionError):
        return None


def cells_of(scenario: Scenario, panel: Panel) -> list[Cell]:
    """Every answered number, in scenario order (issues, stances, dimensions; then capabilities)."""
    by: dict[tuple[str, str, str], list[Answer]] = {}
    caps: dict[str, dict[str, float]] = {}
    for a in panel.answers:
        by.setdefault((a.issue, a.actor, a.dimension), []).append(a)
        if a.capability is not None:
            caps.setdefault(a.actor, {})[a.expert] = a.capability
    out: list[Cell] = []
    for issue in scenario.issues:
        for quantity in ("position", "salience"):
            for stance in issue.stances:
                for dim in issue.dimensions:
                    answers = by.get((issue.id, stance.actor, dim.id), [])
                    values = {
                        a.expert: float(v)
                        for a in answers
                        if (v := getattr(a, quantity)) is not None
                    }
                    if values:
                        scale = dim.hi - dim.lo if quantity == "position" else 1.0
                        out.append(Cell(issue.id, stance.actor, dim.id, quantity, scale, values))
    for actor in scenario.actors:
        values = caps.get(actor.id, {})
        if values:
            top = max(max(values.values()), 1e-12)
            out.append(Cell(None, actor.id, None, "capability", top, dict(values)))
    return out


def _matrix(cells: Sequence[Cell], experts: Sequence[str], normalise: bool) -> np.ndarray:
    m = np.full((len(experts), len(cells)), np.nan)
    for j, c in enumerate(cells):
        for i, e in enumerate(experts):
            if e in c.values:
                m[i, j] = c.values[e] / c.scale if normalise else c.values[e]
    return m


def panel_stats(
    scenario: Scenario, panel: Panel, threshold: float = OUTLIER_RATIO, top: int = 10
) -> PanelStats:
    """Spread, alpha and outlying experts of ``panel`` (module docstring)."""
    experts = panel.experts
    cells = cells_of(scenario, panel)
    positions = [c for c in cells if c.quantity == "position"]
    saliences = [c for c in cells if c.quantity == "salience"]
    by_issue: dict[str, dict[str, float | None]] = {}
    for issue in scenario.issues:
        p = [c for c in positions if c.issue == issue.id]
        s = [c for c in saliences if c.issue == issue.id]
        if p or s:
            by_issue[issue.id] = {
                "positions": alpha_interval(_matrix(p, experts, False)),
                "saliences": alpha_interval(_matrix(s, experts, False)),
            }
    distances: dict[str, float | None] = {}
    for e in experts:
        dists: list[float] = []
        for c in positions + saliences:
            if e in c.values and len(c.values) >= 2:
                others = [v for k, v in c.values.items() if k != e]
                dists.append(abs(c.values[e] - float(np.median(others))) / c.scale)
        distances[e] = float(np.mean(dists)) if dists else None
    agreement: list[ExpertAgreement] = []
    for i, e in enumerate(experts):
        rest = [x for j, x in enumerate(experts) if j != i]
        d = distances[e]
        others_d = [v for k, v in distances.items() if k != e and v is not None]
        outlying = (
            d is not None
            and bool(others_d)
            and d > MIN_DISTANCE
            and d >= threshold * float(np.median(others_d))
        )
        agreement.append(
            ExpertAgreement(
                expert=e,
                answers=sum(1 for a in panel.answers if a.expert == e),
                distance=d,
                alpha_without=alpha_interval(_matrix(positions, rest, True)) if rest else None,
                outlying=outlying,
            )
        )
    return PanelStats(
        scenario_id=scenario.id,
        experts=experts,
        cells=tuple(cells),
        alpha_positions=alpha_interval(_matrix(positions, experts, True)),
        alpha_saliences=alpha_interval(_matrix(saliences, experts, False)),
        by_issue=by_issue,
        expert_agreement=tuple(agreement),
        threshold=threshold,
        top=top,
        summaries=[c.summary() for c in cells],
    )
