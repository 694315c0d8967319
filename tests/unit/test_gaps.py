"""Perception gaps (accord.analysis.gaps) on hand-made data and on the Japan-NATO case."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accord.analysis.gaps import focal_gap, perception_gaps, spread_stats, ward_clusters
from accord.errors import ScenarioError, UsageError
from accord.scenario.io import load
from accord.scenario.yaml_io import loads

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "japan-nato" / "scenario.yaml"


def _actor(aid: str, china: float, russia: float, dprk: float, member: bool = True) -> str:
    attrs = ", ".join(
        f"threat_{k}: {{value: {v}, source: s}}"
        for k, v in (("china", china), ("russia", russia), ("dprk", dprk))
    )
    body = ", member_of: [b]" if member else ""
    return f"- {{id: {aid}, name: {aid}, capability: {{value: 1, source: s}}, attributes: {{{attrs}}}{body}}}"


def _scenario(rows: list[str]) -> str:
    return "\n".join(
        [
            "id: g",
            "title: gaps",
            "actors:",
            *rows,
            "bodies: [{id: b, name: B, rule: {kind: consensus}}]",
            "issues:",
            "- id: i",
            "  name: I",
            "  dimensions: [{id: x}]",
            "  stances: [{actor: a1, position: {value: 1, source: s}, "
            "salience: {value: 1, source: s}}]",
        ]
    )


HAND = _scenario(
    [
        _actor("f", 90, 60, 90, member=False),
        _actor("a1", 80, 20, 20),
        _actor("a2", 82, 22, 18),
        _actor("a3", 40, 90, 10),
        _actor("a4", 42, 88, 12),
    ]
)


def test_pure_functions() -> None:
    m = np.array([[10.0, 0.0], [30.0, 4.0]])
    stats = spread_stats(m)
    assert stats["mean"].tolist() == [20.0, 2.0]
    assert stats["std"].tolist() == [10.0, 2.0]
    assert focal_gap(m, np.array([50.0, 2.0])).tolist() == [30.0, 0.0]
    assert focal_gap(m, np.array([50.0, 2.0]), np.array([3.0, 1.0])).tolist() == [35.0, 1.0]


def test_hand_made_gaps_and_clusters() -> None:
    result = perception_gaps(loads(HAND, "g.yaml"), focal="f", body="b", n_clusters=2)
    assert result.actors == ("f", "a1", "a2", "a3", "a4")
    assert result.gap == pytest.approx((90 - 61, 60 - 55, 90 - 15))
    assert result.spread["china"]["min_actor"] == "a3"
    assert result.spread["russia"]["max_actor"] == "a3"
    groups = {c.members for c in result.clusters}
    assert groups == {("a1", "a2"), ("a3", "a4")}
    assert result.cluster_of("a1") == result.cluster_of("a2") != result.cluster_of("a3")
    nearest = min(result.distance_to_focal, key=lambda a: result.distance_to_focal[a])
    assert nearest == "a1"  # 6600 against 6692 (squared distances)


def test_clusters_do_not_depend_on_actor_order() -> None:
    m = np.array([[80.0, 20, 20], [40, 90, 10], [82, 22, 18], [42, 88, 12]])
    labels = ward_clusters(m, 2)
    flipped = ward_clusters(m[::-1], 2)[::-1]
    assert (labels[0] == labels[2]) and (labels[1] == labels[3])
    assert labels.tolist() == flipped.tolist()


def test_missing_threat_is_a_clear_error() -> None:
    text = HAND.replace("threat_dprk: {value: 12, source: s}", "other: {value: 1, source: s}")
    with pytest.raises(ScenarioError) as info:
        perception_gaps(loads(text, "g.yaml"), focal="f", body="b")
    assert "threat_dprk" in str(info.value) and "a4" in str(info.value)


def test_bad_arguments() -> None:
    scenario = loads(HAND, "g.yaml")
    with pytest.raises(UsageError):
        perception_gaps(scenario, focal="nobody", body="b")
    with pytest.raises(UsageError):
        perception_gaps(scenario, focal="f", body="nobody")
    with pytest.raises(UsageError):
        perception_gaps(scenario, focal="f", body="b", n_clusters=0)


def test_japan_nato_gaps() -> None:
    result = perception_gaps(load(SCENARIO))
    data = result.to_json_dict()
    assert len(data["actors"]) == 33 and data["actors"][0] == "jpn"
    assert np.asarray(data["matrix"]).shape == (33, 3)
    json.dumps(data)  # serialisable
    # Japan perceives every threat more strongly than the average ally
    assert all(g > 0 for g in result.gap)
    assert sum(len(c.members) for c in result.clusters) == 32
    assert 0 < result.assumed_share < 1


def test_gaps_cli(run_cli: Callable[..., Any]) -> None:
    result = run_cli("gaps", SCENARIO, "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["focal"] == "jpn"
    table = run_cli("gaps", SCENARIO)
    assert table.code == 0 and "china" in table.stdout
    assert run_cli("gaps", SCENARIO, "--focal", "xyz").code == 2
