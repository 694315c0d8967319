"""Cross-reference checks: each problem with its data path, a clear message and an expectation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from accord.errors import ScenarioError
from accord.scenario import yaml_io
from accord.scenario.schema import Scenario
from accord.scenario.validate import (
    CombinedScenarioError,
    Problem,
    check,
    format_path,
    problems_error,
)

SMALL = Path(__file__).parents[1] / "data" / "scenarios" / "small.yaml"
BASE: dict[str, Any] = yaml.safe_load(SMALL.read_text(encoding="utf-8"))


def problems_after(edit: Callable[[dict[str, Any]], None]) -> list[Problem]:
    data = copy.deepcopy(BASE)
    edit(data)
    return check(Scenario.model_validate(data))


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_the_small_scenario_is_consistent() -> None:
    assert check(Scenario.model_validate(BASE)) == []


def test_duplicate_ids() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["actors"][2]["id"] = "fr"
        d["issues"][1]["id"] = "office"

    problems = problems_after(edit)
    paths = [p.path for p in problems]
    assert ("actors", 2, "id") in paths and ("issues", 1, "id") in paths
    dup = next(p for p in problems if p.path == ("actors", 2, "id"))
    assert dup.message == "duplicate actor id 'fr' (first used by actors[1])"
    assert dup.expected == "a unique actor id"


def test_stance_for_unknown_actor_and_second_stance() -> None:
    def unknown(d: dict[str, Any]) -> None:
        d["issues"][0]["stances"][3]["actor"] = "cn"

    p = only(problems_after(unknown))
    assert p.path == ("issues", 0, "stances", 3, "actor")
    assert p.message == "stance for unknown actor 'cn'"
    assert p.expected is not None and "us" in p.expected

    def twice(d: dict[str, Any]) -> None:
        d["issues"][0]["stances"][3]["actor"] = "us"

    p = only(problems_after(twice))
    assert p.path == ("issues", 0, "stances", 3, "actor")
    assert "second stance on issue 'office' (the first is stances[0])" in p.message


def test_unknown_body_references() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["issues"][0]["body"] = "nac"
        d["actors"][0]["member_of"] = ["council", "g7"]

    problems = problems_after(edit)
    by_path = {p.path: p for p in problems}
    assert "body 'nac', which is not defined" in by_path[("issues", 0, "body")].message
    assert "member of body 'g7'" in by_path[("actors", 0, "member_of", 1)].message


def test_body_without_members() -> None:
    def edit(d: dict[str, Any]) -> None:
        for actor in d["actors"]:
            actor.pop("member_of", None)
        d["issues"][1].pop("rule")

    problems = problems_after(edit)
    assert {p.path for p in problems} == {("issues", 0, "body"), ("issues", 1, "body")}
    assert "has no members" in problems[0].message


def test_rule_weights_missing_or_not_numeric() -> None:
    def missing(d: dict[str, Any]) -> None:
        del d["actors"][2]["attributes"]

    p = only(problems_after(missing))
    assert p.path == ("issues", 1, "rule", "weights")
    assert "attribute 'population', which actor 'de' lacks" in p.message
    assert p.expected == "a numeric attribute 'population' on every member of body 'council'"

    def text(d: dict[str, Any]) -> None:
        d["actors"][0]["attributes"]["population"]["value"] = "many"

    p = only(problems_after(text))
    assert "is not a number for actor 'us'" in p.message

    def nice(d: dict[str, Any]) -> None:
        d["bodies"][0]["rule"] = {"kind": "eu-nice"}

    problems = problems_after(nice)
    assert [p.path for p in problems] == [("bodies", 0, "rule", "votes")]
    assert "council_votes" in problems[0].message and "'us', 'fr', 'de'" in problems[0].message


def test_position_coordinates_and_scale() -> None:
    def wrong_count(d: dict[str, Any]) -> None:
        d["issues"][1]["stances"][0]["position"]["value"] = [1, 2, 3]

    p = only(problems_after(wrong_count))
    assert p.path == ("issues", 1, "stances", 0, "position", "value")
    assert "has 3 coordinates but issue 'cooperation' has 2 dimensions" in p.message
    assert p.expected == "a list of 2 numbers, one per dimension (cyber, space)"

    def outside(d: dict[str, Any]) -> None:
        d["issues"][0]["stances"][0]["position"]["value"] = 120
        d["issues"][1]["stances"][2]["position"]["value"] = [5, -1]

    problems = problems_after(outside)
    assert problems[0].path == ("issues", 0, "stances", 0, "position", "value")
    assert (
        problems[0].message
        == "the position of actor 'us' 120 lies outside the scale of dimension 'scope'"
    )
    assert problems[0].expected == "a number in 0..100"
    assert problems[1].path == ("issues", 1, "stances", 2, "position", "value", 1)
    assert problems[1].expected == "a number in 0..10"


def test_status_quo_and_outcome_on_the_scale() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["issues"][0]["status_quo"]["value"] = -5
        d["issues"][1]["outcome"] = {"value": [1], "source": "x"}

    problems = problems_after(edit)
    assert problems[0].path == ("issues", 0, "status_quo", "value")
    assert "status quo -5 lies outside" in problems[0].message
    assert problems[1].path == ("issues", 1, "outcome", "value")
    assert (
        "outcome has 1 coordinate but issue 'cooperation' has 2 dimensions" in problems[1].message
    )


def test_salience_bounds_and_count() -> None:
    def high(d: dict[str, Any]) -> None:
        d["issues"][0]["stances"][0]["salience"]["value"] = 150
        d["issues"][1]["stances"][0]["salience"]["value"] = [0.5, -0.1]

    problems = problems_after(high)
    assert problems[0].path == ("issues", 0, "stances", 0, "salience", "value")
    assert problems[0].message == "the salience 150 of actor 'us' lies outside 0..100"
    assert problems[0].expected == "a number in 0..100 (the issue's salience_scale)"
    assert problems[1].path == ("issues", 1, "stances", 0, "salience", "value", 1)

    def count(d: dict[str, Any]) -> None:
        d["issues"][1]["stances"][0]["salience"]["value"] = [0.5, 0.2, 0.1]

    p = only(problems_after(count))
    assert "gives 3 numbers for 2 dimensions" in p.message


def test_ranges() -> None:
    def not_containing(d: dict[str, Any]) -> None:
        d["issues"][0]["stances"][1]["position"]["range"] = [20, 30]

    p = only(problems_after(not_containing))
    assert p.path == ("issues", 0, "stances", 1, "position", "range")
    assert "range [20, 30] does not contain the value 10" in p.message

    def off_scale(d: dict[str, Any]) -> None:
        d["issues"][1]["stances"][1]["position"]["range"] = [[3, 5], [1, 40]]
        d["issues"][0]["stances"][1]["salience"]["range"] = [50, 120]

    problems = problems_after(off_scale)
    paths = {p.path: p for p in problems}
    assert (
        "reaches outside the scale 0..10"
        in paths[("issues", 1, "stances", 1, "position", "range", 1)].message
    )
    assert (
        "reaches outside the scale 0..100"
        in paths[("issues", 0, "stances", 1, "salience", "range")].message
    )

    def one_range_for_two_dims(d: dict[str, Any]) -> None:
        d["issues"][1]["stances"][1]["position"]["range"] = [3, 5]

    p = only(problems_after(one_range_for_two_dims))
    assert "gives 1 range for 2 dimensions" in p.message

    def reversed_range(d: dict[str, Any]) -> None:
        d["issues"][0]["stances"][1]["position"]["range"] = [30, 0]

    assert "low end above its high end" in only(problems_after(reversed_range)).message


def test_negative_capability() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["actors"][3]["capability"]["value"] = -1

    p = only(problems_after(edit))
    assert p.path == ("actors", 3, "capability", "value")
    assert p.message == "capability -1 of actor 'jp' is negative"
    assert p.expected == "a number >= 0"


def test_agenda_setter_and_attribute_range() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["bodies"][0]["agenda_setter"] = "eu"
        d["actors"][0]["attributes"]["population"]["range"] = [1, 2]

    problems = problems_after(edit)
    assert [p.path for p in problems] == [
        ("actors", 0, "attributes", "population", "range"),
        ("bodies", 0, "agenda_setter"),
    ]


def test_problems_error_sorts_by_line_and_formats_paths() -> None:
    problems = [
        Problem(("issues", 0, "body"), "second", "x"),
        Problem(("actors", 1, "id"), "first", "y"),
    ]
    lines = {("issues", 0, "body"): 20, ("actors", 1, "id"): 5}
    err = problems_error(problems, file="f.yaml", line_for=lines.get)
    assert isinstance(err, CombinedScenarioError) and isinstance(err, ScenarioError)
    assert str(err) == (
        "f.yaml:5, field 'actors[1].id': first (expected y)\n"
        "  f.yaml:20, field 'issues[0].body': second (expected x)"
    )
    assert err.location.line == 5 and err.expected == "y"
    assert format_path(("a", 0, "b", 2)) == "a[0].b[2]"


def test_loader_reports_check_problems_with_lines() -> None:
    text = SMALL.read_text(encoding="utf-8").replace(
        "{value: 45, source: made-up}", "{value: -45, source: made-up}"
    )
    with pytest.raises(ScenarioError) as info:
        yaml_io.loads(text, "small.yaml")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "value: -45" in row)
    assert str(info.value) == (
        f"small.yaml:{line}, field 'actors[2].capability.value': capability -45 of actor 'de' "
        "is negative (expected a number >= 0)"
    )


def test_a_one_item_salience_list_on_a_two_dimension_issue_is_refused() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["issues"][1]["stances"][0]["salience"]["value"] = [0.5]

    p = only(problems_after(edit))
    assert p.path == ("issues", 1, "stances", 0, "salience", "value")
    assert p.expected == "one number, or 2 numbers (one per dimension)"


def test_combined_error_pickles() -> None:
    import pickle

    err = problems_error([Problem(("a",), "m1", "e1"), Problem(("b",), "m2")], file="f.yaml")
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, CombinedScenarioError)
    assert str(again) == str(err) and again.expected == "e1" and len(again.errors) == 2
