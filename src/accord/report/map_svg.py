"""A theatre map as plain SVG: coastlines from GeoJSON and the scenario's places with their state.

Nothing is loaded from the internet: no tiles, no fonts, no scripts. The projection is
equirectangular with the longitude scaled by the cosine of the box's middle latitude (distances
are right to within a few per cent over a box of 15 degrees of latitude, which is all a
schematic theatre map needs): ``x = (lon - lon_min) cos(lat_mid)``, ``y = lat_max - lat``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.wargame.loader import CompiledScenario
from accord.wargame.state import GameState
from accord.wargame.theatre import Mark, load_geojson, marks

Point = tuple[float, float]

ACTIVE = "#c0392b"
INACTIVE = "#7f8c8d"
UNKNOWN = "#b0b0b0"
LAND = "#e8e4d8"
COAST = "#8a8170"
SEA = "#eaf2f8"


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to SVG pixels inside ``bounds`` (lon_min, lat_min, lon_max, lat_max)."""

    bounds: tuple[float, float, float, float]
    width: float = 760.0

    @property
    def _kx(self) -> float:
        _, lat0, _, lat1 = self.bounds
        return math.cos(math.radians((lat0 + lat1) / 2))

    @property
    def scale(self) -> float:
        """Pixels per degree of latitude."""
        lon0, _, lon1, _ = self.bounds
        return self.width / max((lon1 - lon0) * self._kx, 1e-9)

    @property
    def height(self) -> float:
        """The map's height in pixels for its width."""
        _, lat0, _, lat1 = self.bounds
        return (lat1 - lat0) * self.scale

    def __call__(self, lon: float, lat: float) -> Point:
        """The pixel (x, y) of ``lon``/``lat`` (x east, y south from the box's north-west)."""
        lon0, _, _, lat1 = self.bounds
        return ((lon - lon0) * self._kx * self.scale, (lat1 - lat) * self.scale)


def bounds_around(
    points: Iterable[Point], margin: float = 1.0
) -> tuple[float, float, float, float]:
    """The box around ``points`` with ``margin`` degrees on each side."""
    pts = list(points)
    if not pts:
        return (-180.0, -80.0, 180.0, 80.0)
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    return (min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin)


def _rings(geometry: Mapping[str, Any]) -> Iterable[tuple[str, Sequence[Sequence[float]]]]:
    """(kind, ring) of a GeoJSON geometry: ``polygon`` rings and ``line`` strings."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        for ring in coords:
            yield "polygon", ring
    elif kind == "MultiPolygon":
        for polygon in coords:
            for ring in polygon:
                yield "polygon", ring
    elif kind == "LineString":
        yield "line", coords
    elif kind == "MultiLineString":
        for line in coords:
            yield "line", line
    elif kind == "GeometryCollection":
        for item in geometry.get("geometries") or []:
            yield from _rings(item)


def _features(geojson: Mapping[str, Any] | None) -> Iterable[Mapping[str, Any]]:
    if not geojson:
        return []
    if geojson.get("type") == "FeatureCollection":
        return [f for f in geojson.get("features") or [] if isinstance(f, Mapping)]
    if geojson.get("type") == "Feature":
        return [geojson]
    return [{"type": "Feature", "geometry": geojson, "properties": {}}]


def _path(points: Sequence[Sequence[float]], proj: Projection, close: bool) -> str:
    xy = [proj(float(p[0]), float(p[1])) for p in points if len(p) >= 2]
    if not xy:
        return ""
    d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    return d + (" Z" if close else "")


def theatre_svg(
    *,
    title: str,
    geojson: Mapping[str, Any] | None,
    marks: Sequence[Mark],
    bounds: tuple[float, float, float, float] | None = None,
    width: float = 760.0,
    note: str | None = None,
) -> str:
    """The map as one ``<svg>`` element.

    Land comes from ``geojson`` (polygons filled, lines drawn), then each mark coloured by its
    state (red: active, grey: not, light grey: unknown to the viewer) with its label and value.
    """
    e = html.escape
    box = bounds or bounds_around([p for m in marks for p in m.points])
    proj = Projection(box, width)
    h = proj.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="theatre-map" viewBox="0 0 {width:.0f} '
        f'{h + 28:.0f}" width="{width:.0f}" height="{h + 28:.0f}" role="img" '
        f'aria-label="{e(title)}"><title>{e(title)}</title>',
        f'<rect x="0" y="0" width="{width:.0f}" height="{h:.0f}" fill="{SEA}"/>',
        f'<clipPath id="map-box"><rect x="0" y="0" width="{width:.0f}" height="{h:.0f}"/>'
        '</clipPath><g clip-path="url(#map-box)">',
    ]
    for feature in _features(geojson):
        name = str((feature.get("properties") or {}).get("name", ""))
        for kind, ring in _rings(feature.get("geometry") or {}):
            d = _path(ring, proj, close=kind == "polygon")
            if not d:
                continue
            fill = LAND if kind == "polygon" else "none"
            parts.append(
                f'<path class="land" d="{d}" fill="{fill}" stroke="{COAST}" stroke-width="0.8">'
                f"<title>{e(name)}</title></path>"
            )
    # graticule: every 2 degrees, light
    lon0, lat0, lon1, lat1 = box
    for lon in range(math.ceil(lon0 / 2) * 2, math.floor(lon1) + 1, 2):
        x, _ = proj(lon, lat1)
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{h:.0f}" stroke="#c9d6e2" '
            f'stroke-width="0.5"/><text x="{x + 2:.1f}" y="{h - 3:.0f}" font-size="9" '
            f'fill="#6b7d8f">{lon}°E</text>'
        )
    for lat in range(math.ceil(lat0 / 2) * 2, math.floor(lat1) + 1, 2):
        _, y = proj(lon0, lat)
        parts.append(
            f'<line x1="0" y1="{y:.1f}" x2="{width:.0f}" y2="{y:.1f}" stroke="#c9d6e2" '
            f'stroke-width="0.5"/><text x="2" y="{y - 2:.1f}" font-size="9" '
            f'fill="#6b7d8f">{lat}°N</text>'
        )
    for m in marks:
        colour = UNKNOWN if m.active is None else ACTIVE if m.active else INACTIVE
        state = "unknown" if m.active is None else "active" if m.active else "inactive"
        text = m.label + (f": {m.value}" if m.value else "")
        tip = "; ".join((text, *m.notes))
        if m.kind in ("line", "area") and len(m.points) > 1:
            d = _path(m.points, proj, close=m.kind == "area")
            dash = "" if m.active else ' stroke-dasharray="6,4"'
            fill = f'fill="{colour}" fill-opacity="0.15"' if m.kind == "area" else 'fill="none"'
            parts.append(
                f'<g class="place" data-place="{e(m.id)}" data-state="{state}"><path d="{d}" '
                f'{fill} stroke="{colour}" stroke-width="{3 if m.active else 2}"{dash}>'
                f"<title>{e(tip)}</title></path>"
            )
            x, y = proj(*m.points[0])
        else:
            x, y = proj(*m.points[0])
            shape = (
                f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"'
                if m.kind == "base"
                else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5"'
            )
            parts.append(
                f'<g class="place" data-place="{e(m.id)}" data-state="{state}">{shape} '
                f'fill="{colour}" stroke="#fff" stroke-width="1.2"><title>{e(tip)}</title>'
                + ("</rect>" if m.kind == "base" else "</circle>")
            )
        left = x > 0.62 * width  # labels near the right edge run leftwards
        parts.append(
            f'<text x="{x - 8 if left else x + 8:.1f}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="{"end" if left else "start"}" fill="#1d2430" '
            f'paint-order="stroke" stroke="#fff" stroke-width="3">{e(text)}</text></g>'
        )
    parts.append("</g>")
    legend = (
        f'<g font-size="10" transform="translate(4,{h + 16:.0f})">'
        f'<rect width="9" height="9" y="-8" fill="{ACTIVE}"/><text x="13">active</text>'
        f'<rect x="60" width="9" height="9" y="-8" fill="{INACTIVE}"/>'
        '<text x="73">not active</text>'
        f'<rect x="140" width="9" height="9" y="-8" fill="{UNKNOWN}"/>'
        '<text x="153">not known to you</text>'
        f'<text x="260">{e(note or "")}</text></g>'
    )
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)


def map_svg(
    scenario: CompiledScenario,
    state: GameState,
    who: frozenset[str] | None,
    folder: Path | None,
    geojson: Mapping[str, Any] | None = None,
) -> str:
    """The theatre map at ``state`` as ``who`` may see it (``""`` for a scenario without a map)."""
    spec = scenario.spec.map
    if spec is None:
        return ""
    data = geojson if geojson is not None else load_geojson(scenario, folder)
    return theatre_svg(
        title=f"{scenario.spec.title}: the theatre at turn {state.turn}",
        geojson=data,
        marks=marks(scenario, state, who),
        bounds=spec.bounds,
        note=spec.note,
    )
