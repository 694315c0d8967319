"""The theatre map (issue 19, item 6): the ``map:`` schema, the projection, the SVG, and the
audience rules (a team sees only the places and states it may)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from accord.errors import ScenarioError
from accord.report.map_svg import Projection, map_svg, theatre_svg
from accord.wargame.loader import CompiledScenario, load_wargame, loads_wargame
from accord.wargame.schema import MapPlace, TheatreMap
from accord.wargame.state import GameState
from accord.wargame.theatre import Mark, check_map, load_geojson, marks

ROOT = Path(__file__).resolve().parents[2]
TAIWAN = ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml"


def _state(scenario: CompiledScenario, **values: float) -> GameState:
    base = {v.id: v.initial for v in scenario.spec.variables}
    return GameState(turn=2, values={**base, **values})


def test_places_need_coordinates() -> None:
    with pytest.raises(ValidationError, match="lon and lat"):
        MapPlace(id="x", label="X")
    with pytest.raises(ValidationError, match="two"):
        MapPlace(id="x", label="X", kind="line", points=[(120.0, 24.0)])
    with pytest.raises(ValidationError):
        MapPlace(id="x", label="X", lon=200.0, lat=0.0)
    TheatreMap(places=[MapPlace(id="x", label="X", lon=121.0, lat=24.0)])


def test_projection_keeps_north_up_and_distances_in_proportion() -> None:
    proj = Projection((120.0, 20.0, 130.0, 30.0), width=500)
    assert proj(120.0, 30.0) == pytest.approx((0.0, 0.0))
    assert proj(130.0, 20.0) == pytest.approx((500.0, proj.height))
    # a degree of longitude at 25 N is cos(25 deg) of a degree of latitude
    x, _ = proj(121.0, 25.0)
    _, y = proj(120.0, 29.0)
    assert x / y == pytest.approx(0.9063, abs=1e-3)


def test_svg_draws_land_and_places_by_state() -> None:
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Island"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[121, 24], [122, 24], [121.5, 25]]],
                },
            }
        ],
    }
    svg = theatre_svg(
        title="t",
        geojson=geojson,
        marks=[
            Mark("a", "Base A", "base", ((121.2, 24.2),), True, "3"),
            Mark("b", "Line B", "line", ((120.5, 23.5), (122.5, 25.5)), False),
            Mark("c", "Town C", "city", ((121.8, 24.8),), None),
        ],
        bounds=(120.0, 23.0, 123.0, 26.0),
    )
    assert svg.startswith("<svg") and "<script" not in svg and "http://www.w3.org/2000/svg" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing external
    assert '<path class="land"' in svg and "<title>Island</title>" in svg
    states = dict(re.findall(r'data-place="(\w+)" data-state="(\w+)"', svg))
    assert states == {"a": "active", "b": "inactive", "c": "unknown"}
    assert "Base A: 3" in svg


def test_taiwan_map_states_and_audiences() -> None:
    scenario = load_wargame(TAIWAN)
    check_map(scenario)
    folder = TAIWAN.parent
    assert load_geojson(scenario, folder)["type"] == "FeatureCollection"  # type: ignore[index]
    state = _state(scenario, blockade=0.8, sakishima_evacuated=0.58, us_access=0.0)
    everyone = {m.id: m for m in marks(scenario, state, None)}
    assert everyone["blockade_zone"].active is True and everyone["blockade_zone"].value == "80%"
    assert everyone["sakishima"].active is True and everyone["sakishima"].value == "58%"
    assert everyone["kadena"].active is False
    assert "china_resolve" in everyone  # the facilitator sees everything
    japan = {m.id: m for m in marks(scenario, state, frozenset({"jp_nsc", "jp_pm"}))}
    assert "china_resolve" not in japan  # visible_to: [china]
    assert japan["blockade_zone"].active is True
    china = {m.id: m for m in marks(scenario, state, frozenset({"china", "chn"}))}
    assert china["china_resolve"].value is not None
    svg = map_svg(scenario, state, frozenset(), folder)
    assert 'data-place="china_resolve"' not in svg and 'data-place="sakishima"' in svg


def _variant(edit: Callable[[dict[str, Any]], None]) -> CompiledScenario:
    data = yaml.safe_load(TAIWAN.read_text(encoding="utf-8"))
    edit(data)
    return loads_wargame(yaml.safe_dump(data, sort_keys=False), "variant.yaml")


def _place(data: dict[str, Any], place: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in data["map"]["places"] if p["id"] == place)
    return found


def test_a_hidden_variable_hides_the_state_and_bad_maps_are_refused(tmp_path: Path) -> None:
    # the place is public, but cn_resolve is China's alone: others see it without state
    scenario = _variant(lambda d: _place(d, "china_resolve").pop("visible_to"))
    japan = {m.id: m for m in marks(scenario, _state(scenario), frozenset({"jp_nsc"}))}
    assert japan["china_resolve"].active is None and japan["china_resolve"].value is None
    # the loader checks the places, with the field and line
    with pytest.raises(ScenarioError, match="no_such") as info:
        _variant(lambda d: _place(d, "kadena").update(when="no_such >= 1"))
    assert "map.places[4].when" in str(info.value) and info.value.location.line
    with pytest.raises(ScenarioError, match="unknown actor or team 'nobody'"):
        _variant(lambda d: _place(d, "china_resolve").update(visible_to=["nobody"]))
    outside = _variant(lambda d: d["map"].update(geojson="../x.json"))
    with pytest.raises(ScenarioError, match="outside"):
        load_geojson(outside, tmp_path)
