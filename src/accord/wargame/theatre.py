"""The theatre map of a war game, as a viewer may see it.

The scenario's ``map:`` places with their state, and the coastline GeoJSON the scenario ships.

Audience rules are those of :mod:`accord.wargame.view`: a place with ``visible_to`` is drawn
only for those teams and actors (and the facilitator); a place whose ``when`` or ``variable``
reads a variable hidden from the viewer is drawn without state ("not known to you"). The
facilitator (``who=None``) sees everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.errors import ScenarioError
from accord.wargame.effects import environment
from accord.wargame.expr import compile_expr
from accord.wargame.loader import CompiledScenario
from accord.wargame.schema import MapPlace
from accord.wargame.state import GameState
from accord.wargame.view import sees_audience, visible_variables

Point = tuple[float, float]
"""(longitude, latitude) in degrees."""

MAX_GEOJSON_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Mark:
    """One place to draw: a marker (``points`` of one) or a line/area (several points).

    ``active``: ``True``/``False`` from the game state, ``None`` when the viewer may not see it
    or the place has no condition. ``value``: the printed state (e.g. ``"58%"``), if any.
    """

    id: str
    label: str
    kind: str
    points: tuple[Point, ...]
    active: bool | None = None
    value: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def load_geojson(scenario: CompiledScenario, folder: Path | None) -> dict[str, Any] | None:
    """The scenario's coastline GeoJSON (``map.geojson``, relative to the scenario's folder).

    ``None`` without a map, a file, or a folder (a scenario saved in the web library).
    """
    spec = scenario.spec.map
    if spec is None or spec.geojson is None or folder is None:
        return None
    base = folder.resolve()
    path = (base / spec.geojson).resolve()
    if base not in path.parents:
        raise ScenarioError(
            f"map.geojson '{spec.geojson}' is outside the scenario's folder",
            field="map.geojson",
            expected="a path relative to the scenario file",
        )
    try:
        raw = path.read_bytes()[: MAX_GEOJSON_BYTES + 1]
    except OSError:
        raise ScenarioError(
            f"cannot read map.geojson '{spec.geojson}'", field="map.geojson"
        ) from None
    if len(raw) > MAX_GEOJSON_BYTES:
        raise ScenarioError("map.geojson is larger than 2 MiB", field="map.geojson")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ScenarioError(f"map.geojson is not JSON ({exc})", field="map.geojson") from None
    if not isinstance(data, dict):
        raise ScenarioError("map.geojson is not a GeoJSON object", field="map.geojson")
    return data


def _reads(scenario: CompiledScenario, place: MapPlace, i: int) -> tuple[Any, frozenset[str]]:
    """(compiled ``when`` or ``None``, names read by ``when`` and ``variable``)."""
    names: set[str] = set()
    when = None
    if place.when is not None:
        when = compile_expr(place.when, scenario.names, f"map.places[{i}].when")
        names |= when.names
    if place.variable is not None:
        if place.variable not in scenario.variables:
            raise ScenarioError(
                f"no variable '{place.variable}'",
                field=f"map.places[{i}].variable",
                expected="a variable id",
            )
        names.add(place.variable)
    return when, frozenset(names)


def check_map(scenario: CompiledScenario) -> None:
    """Compile every place's ``when`` and check its ``variable`` (a clear error otherwise)."""
    spec = scenario.spec.map
    for i, place in enumerate(spec.places if spec else []):
        _reads(scenario, place, i)


def _value(scenario: CompiledScenario, variable: str, value: float) -> str:
    var = next(v for v in scenario.spec.variables if v.id == variable)
    unit = getattr(var, "unit", None) or ""
    if var.lo == 0 and var.hi == 1 and unit in ("", "share"):
        # A share reads best as a percentage.
        return f"{100 * value:.0f}%"
    return f"{value:.3g}{(' ' + unit) if unit else ''}"


def marks(scenario: CompiledScenario, state: GameState, who: frozenset[str] | None) -> list[Mark]:
    """The places ``who`` may see, with their state at ``state``."""
    spec = scenario.spec.map
    if spec is None:
        return []
    shown = None if who is None else set(visible_variables(scenario, who))
    gates = {g: s.status == "open" for g, s in state.gates.items()}
    env = environment(scenario, state.values, gates, state.turn)
    out = []
    for i, place in enumerate(spec.places):
        if not sees_audience(place.visible_to, who):
            continue
        when, names = _reads(scenario, place, i)
        hidden = shown is not None and any(
            n in scenario.variables and n not in shown for n in names
        )
        points = (
            tuple((float(a), float(b)) for a, b in place.points)
            if place.points
            else ((float(place.lon or 0.0), float(place.lat or 0.0)),)
        )
        active = None if hidden or when is None else when.truth(env)
        value = None
        if place.variable is not None and not hidden:
            value = _value(scenario, place.variable, env[place.variable])
        out.append(Mark(place.id, place.label, place.kind, points, active, value))
    return out
