r"""Perception gaps: how differently actors see the same threats.

Each actor's threat perception of each threat (China, Russia, North Korea by default) is read
from its numeric attribute ``threat_<name>`` on a 0..100 scale, as data or as the output of an
attribute formula (the scenario says which, and where from; see ``accord derive``). From the
``(n, t)`` matrix :math:`P` of the alliance's members (the members of a body) and the focal
actor's row :math:`p_f` we compute

* the focal gap per threat, :math:`g = p_f - \bar P` (the alliance mean), and the same against
  the capability-weighted mean :math:`\sum_i c_i P_i / \sum_i c_i`;
* the spread inside the alliance per threat: mean, median, standard deviation (population,
  ``ddof = 0``), interquartile range, lowest and highest with their actors;
* each member's Euclidean distance to the focal actor over the threat profile (who sees the world
  most like the focal actor);
* clusters of like-minded allies: agglomerative clustering with Ward's linkage on the threat
  profiles (SciPy ``linkage(method="ward")``, cut into ``n_clusters`` with ``fcluster``), which is
  deterministic (no random start). Clusters are numbered from the most to the least threatened
  (by the mean of their centroid).

Everything is vectorised over actors; the result is a :class:`PerceptionGaps` with
``to_json_dict()`` (the actor x threat matrix included, for the report's heatmap).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.cluster.hierarchy import fcluster, linkage

from accord.errors import ScenarioError, UsageError
from accord.scenario.schema import Scenario

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

THREATS = ("china", "russia", "dprk")
PREFIX = "threat_"


def spread_stats(matrix: FloatArray) -> dict[str, FloatArray]:
    """Per-column mean, median, std (ddof 0), IQR, min, max and argmin/argmax of ``(n, t)``."""
    q75, q25 = np.percentile(matrix, [75, 25], axis=0)
    return {
        "mean": matrix.mean(axis=0),
        "median": np.median(matrix, axis=0),
        "std": matrix.std(axis=0),
        "iqr": q75 - q25,
        "min": matrix.min(axis=0),
        "max": matrix.max(axis=0),
        "argmin": matrix.argmin(axis=0).astype(np.float64),
        "argmax": matrix.argmax(axis=0).astype(np.float64),
    }


def focal_gap(
    matrix: FloatArray, focal: FloatArray, weights: FloatArray | None = None
) -> FloatArray:
    """``focal - mean(matrix)`` per column; a weighted mean when ``weights`` (``(n,)``) given."""
    if weights is None:
        return np.asarray(focal - matrix.mean(axis=0), dtype=np.float64)
    w = weights / weights.sum()
    return np.asarray(focal - w @ matrix, dtype=np.float64)


def ward_clusters(matrix: FloatArray, n_clusters: int) -> IntArray:
    """Ward cluster labels of the rows of a matrix, ordered by mean threat.

    Cluster labels 1..k of the rows of ``matrix`` (Ward linkage, ``maxclust`` cut), renumbered
    so that cluster 1 has the highest mean threat; ties keep the order of first appearance.
    """
    n = matrix.shape[0]
    if n == 1:
        return np.ones(1, dtype=np.intp)
    raw = fcluster(linkage(matrix, method="ward"), t=n_clusters, criterion="maxclust")
    labels = np.unique(raw)
    level = np.array([matrix[raw == lab].mean() for lab in labels])
    order = labels[np.argsort(-level, kind="stable")]
    relabel = {int(old): new for new, old in enumerate(order, start=1)}
    return np.array([relabel[int(r)] for r in raw], dtype=np.intp)


@dataclass(frozen=True)
class Cluster:
    """A group of like-minded allies and its mean threat profile."""

    label: int
    members: tuple[str, ...]
    centroid: tuple[float, ...]


@dataclass(frozen=True)
class PerceptionGaps:
    """The perception gaps of one scenario (see the module docstring)."""

    focal: str
    body: str
    threats: tuple[str, ...]
    actors: tuple[str, ...]
    matrix: FloatArray
    assumed: NDArray[np.bool_]
    sources: tuple[tuple[str, ...], ...]
    focal_values: tuple[float, ...]
    alliance_mean: tuple[float, ...]
    gap: tuple[float, ...]
    gap_weighted: tuple[float, ...]
    spread: dict[str, dict[str, Any]]
    distance_to_focal: dict[str, float]
    clusters: tuple[Cluster, ...]

    @property
    def allies(self) -> tuple[str, ...]:
        """The alliance's members other than the focal actor."""
        return tuple(a for a in self.actors if a != self.focal)

    @property
    def assumed_share(self) -> float:
        """Share of the alliance's cells that are assumed (imputed or from a formula)."""
        rows = [i for i, a in enumerate(self.actors) if a != self.focal]
        return float(self.assumed[rows].mean()) if rows else 0.0

    def cluster_of(self, actor: str) -> int:
        """The cluster label of ``actor``; ``KeyError`` when it is in no cluster."""
        for cluster in self.clusters:
            if actor in cluster.members:
                return cluster.label
        raise KeyError(actor)

    def to_json_dict(self) -> dict[str, Any]:
        """The perception gaps as a JSON-serialisable dict."""
        return {
            "focal": self.focal,
            "body": self.body,
            "threats": list(self.threats),
            "scale": [0, 100],
            "actors": list(self.actors),
            "matrix": [[float(v) for v in row] for row in self.matrix],
            "assumed": [[bool(v) for v in row] for row in self.assumed],
            "sources": [list(row) for row in self.sources],
            "focal_values": dict(zip(self.threats, self.focal_values, strict=True)),
            "alliance_mean": dict(zip(self.threats, self.alliance_mean, strict=True)),
            "gap": dict(zip(self.threats, self.gap, strict=True)),
            "gap_capability_weighted": dict(zip(self.threats, self.gap_weighted, strict=True)),
            "spread": self.spread,
            "distance_to_focal": self.distance_to_focal,
            "clusters": [
                {
                    "label": c.label,
                    "members": list(c.members),
                    "centroid": dict(zip(self.threats, c.centroid, strict=True)),
                }
                for c in self.clusters
            ],
            "assumed_share": self.assumed_share,
        }


def _threat_row(
    scenario: Scenario, actor_id: str, threats: Sequence[str]
) -> tuple[list[float], list[bool], list[str]]:
    actor = scenario.actor(actor_id)
    values: list[float] = []
    assumed: list[bool] = []
    sources: list[str] = []
    for threat in threats:
        name = PREFIX + threat
        attr = actor.attributes.get(name)
        value = None if attr is None else attr.value
        if (
            attr is None
            or isinstance(value, bool | str)
            or value is None
            or not math.isfinite(float(value))
        ):
            index = scenario.actors.index(actor)
            raise ScenarioError(
                f"actor '{actor_id}' has no numeric threat perception '{name}'",
                field=f"actors[{index}].attributes.{name}",
                expected=f"a number on 0..100 for every actor compared (threats: "
                f"{', '.join(threats)})",
            )
        values.append(float(value))
        assumed.append(bool(attr.assumed))
        sources.append(attr.source)
    return values, assumed, sources


def perception_gaps(
    scenario: Scenario,
    *,
    focal: str = "jpn",
    body: str = "nac",
    threats: Sequence[str] = THREATS,
    n_clusters: int = 3,
) -> PerceptionGaps:
    """Threat perceptions of ``threats``: ``focal`` against the members of ``body``.

    Raises:
        UsageError: unknown focal actor or body, or ``n_clusters`` < 1.
        ScenarioError: an actor compared lacks a ``threat_<name>`` attribute.
    """
    ids = {a.id for a in scenario.actors}
    if focal not in ids:
        raise UsageError(
            f"scenario '{scenario.id}' has no actor '{focal}'",
            field="--focal",
            expected="an actor id",
        )
    if body not in {b.id for b in scenario.bodies}:
        raise UsageError(
            f"scenario '{scenario.id}' has no body '{body}'",
            field="--body",
            expected="one of " + (", ".join(b.id for b in scenario.bodies) or "(none)"),
        )
    if n_clusters < 1:
        raise UsageError(f"--clusters must be at least 1, got {n_clusters}", field="--clusters")
    members = [a.id for a in scenario.actors if body in a.member_of and a.id != focal]
    if not members:
        raise UsageError(f"body '{body}' has no members besides '{focal}'", field="--body")
    order = [focal, *members]
    rows = [_threat_row(scenario, a, threats) for a in order]
    matrix = np.array([r[0] for r in rows], dtype=np.float64)
    assumed = np.array([r[1] for r in rows], dtype=np.bool_)
    sources = tuple(tuple(r[2]) for r in rows)
    allies = matrix[1:]
    caps = np.array([scenario.actor(a).capability.value for a in members], dtype=np.float64)
    stats = spread_stats(allies)
    gap = focal_gap(allies, matrix[0])
    gap_w = focal_gap(allies, matrix[0], caps) if caps.sum() > 0 else gap
    spread: dict[str, dict[str, Any]] = {}
    for k, threat in enumerate(threats):
        spread[threat] = {
            "mean": float(stats["mean"][k]),
            "median": float(stats["median"][k]),
            "std": float(stats["std"][k]),
            "iqr": float(stats["iqr"][k]),
            "min": float(stats["min"][k]),
            "max": float(stats["max"][k]),
            "min_actor": members[int(stats["argmin"][k])],
            "max_actor": members[int(stats["argmax"][k])],
        }
    dist = np.sqrt(((allies - matrix[0]) ** 2).sum(axis=1))
    labels = ward_clusters(allies, min(n_clusters, len(members)))
    clusters = tuple(
        Cluster(
            label=int(lab),
            members=tuple(m for m, lb in zip(members, labels, strict=True) if lb == lab),
            centroid=tuple(float(v) for v in allies[labels == lab].mean(axis=0)),
        )
        for lab in np.unique(labels)
    )
    return PerceptionGaps(
        focal=focal,
        body=body,
        threats=tuple(threats),
        actors=tuple(order),
        matrix=matrix,
        assumed=assumed,
        sources=sources,
        focal_values=tuple(float(v) for v in matrix[0]),
        alliance_mean=tuple(float(v) for v in stats["mean"]),
        gap=tuple(float(v) for v in gap),
        gap_weighted=tuple(float(v) for v in gap_w),
        spread=spread,
        distance_to_focal={m: float(d) for m, d in zip(members, dist, strict=True)},
        clusters=clusters,
    )
