"""YAML load/save: line-numbered errors in plain words, safe parsing, atomic round-trip saves."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.errors import ScenarioError
from accord.scenario import yaml_io
from accord.scenario.schema import Scenario
from accord.scenario.validate import CombinedScenarioError

DATA = Path(__file__).parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"


def small_text() -> str:
    return SMALL.read_text(encoding="utf-8")


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first occurrence of ``needle`` at or after line ``start``."""
    lines = text.splitlines()
    for number, line in enumerate(lines[start:], start=start + 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def error_of(text: str, name: str = "s.yaml") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        yaml_io.loads(text, name)
    return info.value


# ----------------------------------------------------------------------------- loading


def test_small_scenario_loads_with_every_field() -> None:
    scenario = yaml_io.load_yaml(SMALL)
    assert scenario.id == "small-alliance"
    assert [a.id for a in scenario.actors] == ["us", "fr", "de", "jp"]
    office = scenario.issue("office")
    assert office.salience_scale == 100
    assert office.stances[1].position.range == (0.0, 30.0)
    coop = scenario.issue("cooperation")
    assert coop.stances[1].position.ranges() == [(3.0, 5.0), (1.0, 4.0)]
    assert coop.rule is not None and coop.rule.kind == "weighted"
    assert scenario.actor("fr").capability.assumed is True


def test_line_map_records_keys_and_items() -> None:
    text = small_text()
    parsed = yaml_io.parse_yaml(text, "s.yaml")
    assert parsed.lines[("actors", 1)] == line_of(text, "- id: fr")
    assert parsed.lines[("actors", 1, "capability")] == line_of(text, "value: 40")
    salience_line = line_of(text, "salience: {value: 40")
    assert parsed.lines[("issues", 0, "stances", 2, "salience")] == salience_line
    # a path that is not in the file falls back to its nearest ancestor
    assert parsed.line_for(("issues", 0, "stances", 2, "salience", "nope", 3)) == salience_line


# ------------------------------------------------------------------ errors, in plain words


def test_missing_field_names_line_field_and_expectation() -> None:
    text = small_text().replace("salience: {value: 40, source: made-up}", "salience: {source: x}")
    err = error_of(text)
    assert str(err) == (
        f"s.yaml:{line_of(text, 'salience: {source: x}')}, "
        "field 'issues[0].stances[2].salience.value': is missing "
        "(expected a number or a list of numbers)"
    )
    assert err.location.line == line_of(text, "salience: {source: x}")
    assert err.expected == "a number or a list of numbers"


def test_text_for_a_number_in_a_union_gives_the_number_message() -> None:
    text = small_text().replace("position: {value: 50,", "position: {value: abc,")
    err = error_of(text)
    assert "field 'issues[0].stances[2].position.value': 'abc' is not a number" in str(err)
    assert str(err).endswith("(expected a number)")
    assert "list" not in str(err)  # the list branch of the union is not reported


def test_bad_item_in_a_list_points_at_the_item() -> None:
    text = small_text().replace("salience: {value: [0.6, 0.3]", "salience: {value: [0.6, x]")
    err = error_of(text)
    assert "field 'issues[1].stances[0].salience.value[1]': 'x' is not a number" in str(err)


def test_wrong_type_for_every_branch_says_what_is_accepted() -> None:
    text = small_text().replace(
        "position: {value: 80, source: made-up}", "position: {value: {a: 1}, source: s}"
    )
    err = error_of(text)
    assert "field 'issues[0].stances[0].position.value': got a mapping" in str(err)
    assert "(expected a number or a list of numbers)" in str(err)


def test_unknown_field_lists_the_allowed_fields() -> None:
    text = small_text().replace("    name: Japan\n", "    name: Japan\n    colour: red\n")
    err = error_of(text)
    assert err.location.line == line_of(text, "colour: red")
    assert "field 'actors[3].colour': unknown field" in str(err)
    assert "expected one of id, name, kind, capability" in str(err)


def test_literal_and_rule_kind_errors() -> None:
    err = error_of(small_text().replace("kind: state", "kind: robot"))
    assert "field 'actors[3].kind': 'robot' is not allowed here" in str(err)
    assert "'state', 'organisation', 'person' or 'group'" in str(err)
    err = error_of(small_text().replace("{kind: consensus}", "{kind: veto}"))
    assert "field 'bodies[0].rule': unknown rule kind 'veto'" in str(err)
    assert "consensus, unanimity, simple-majority" in str(err)


def test_rule_branch_errors_keep_the_data_path() -> None:
    text = small_text().replace("weights: population, quota: 0.6", "weights: population")
    err = error_of(text)
    assert "field 'issues[1].rule.quota': is missing (expected a number)" in str(err)
    text = small_text().replace("quota: 0.6", "quota: 2")
    assert "a relative quota is a share in (0, 1]" in str(error_of(text))


def test_yes_no_hint_for_bool_where_text_belongs() -> None:
    text = small_text().replace("- id: jp", "- id: NO").replace("actor: jp", "actor: NO")
    err = error_of(text)
    assert "field 'actors[3].id': false is not text" in str(err)
    assert "put the text in quotes" in str(err)


def test_several_errors_are_listed_first_in_file_order() -> None:
    text = small_text().replace("made-up}", "1}")  # 'source: 1' is a number, not text, everywhere
    err = error_of(text)
    assert isinstance(err, CombinedScenarioError)
    lines = str(err).splitlines()
    assert len(lines) == 10 + 1  # ten errors and "... and N more"
    assert lines[-1].startswith("  ... and ")
    assert lines[0].startswith(f"s.yaml:{line_of(text, 'capability: {value: 100')}, field")
    numbers = [e.location.line or 0 for e in err.errors]
    assert numbers == sorted(numbers)
    assert err.message.splitlines()[0] == "1 is not text (put it in quotes to make it text)"


def test_value_error_from_a_model_validator() -> None:
    err = error_of(small_text().replace("{id: cyber, lo: 0, hi: 10}", "{id: cyber, lo: 5, hi: 1}"))
    assert "field 'issues[1].dimensions[0]': scale needs lo < hi" in str(err)


def test_validate_problems_carry_lines() -> None:
    text = small_text().replace(
        "actor: de\n        position: {value: 50", "actor: xx\n        position: {value: 50"
    )
    err = error_of(text)
    assert err.location.line == line_of(text, "actor: xx")
    assert "field 'issues[0].stances[2].actor': stance for unknown actor 'xx'" in str(err)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "the file is empty"),
        ("# only a comment\n\n", "the file is empty"),
        ("- a\n- b\n", "the file holds a list, not a mapping"),
        ("just words\n", "the file holds only 'just words', not a mapping"),
        ("id: x\nid: y\n", "duplicate key 'id' (first on line 1)"),
        ("a: [1, 2\nb: 3\n", "YAML syntax error"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("a: !!binary aGVsbG8=\n", "the tag '!!binary' is not allowed"),
        ("a: !custom 3\n", "the tag '!custom' is not allowed"),
    ],
)
def test_file_level_errors(text: str, needle: str) -> None:
    err = error_of(text)
    assert needle in str(err)
    assert err.location.file == "s.yaml"
    assert err.expected


def test_python_object_tag_is_rejected_before_construction(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"id: x\ntitle: !!python/object/apply:os.system ['touch {marker}']\n"
    err = error_of(text)
    assert str(err).startswith("s.yaml:2, field 'title': the tag '!!python/object/apply:os.system'")
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly() -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for k in range(1, 9):
        rows.append(f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 10)}]")
    err = error_of("\n".join(rows) + "\n")
    assert "expands to more than" in str(err)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    err = error_of("a: " + "[" * 20000 + "]" * 20000 + "\n")
    assert err.location.file == "s.yaml"


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("id: x\ntitle: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        yaml_io.load_yaml(path)
    assert str(info.value).startswith("latin.yaml:2: the file is not UTF-8 text")
    assert info.value.expected == "a text file saved as UTF-8"


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.read_bytes())
    assert yaml_io.load_yaml(path) == yaml_io.load_yaml(SMALL)


def test_too_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_MAX_FILE_MB", "1")
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * (1024 * 1024 + 10) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        yaml_io.load_yaml(path)
    assert "too large" in str(info.value) and info.value.location.file == "big.yaml"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        yaml_io.load_yaml(tmp_path / "absent.yaml")
    with pytest.raises(ScenarioError, match="is a folder"):
        yaml_io.load_yaml(tmp_path)


# ------------------------------------------------------------------------------ saving


def test_dump_is_readable_and_round_trips() -> None:
    scenario = yaml_io.load_yaml(SMALL)
    text = yaml_io.dumps(scenario)
    assert text.startswith(yaml_io.HEADER)
    assert "capability: {value: 100, source: made-up}" in text
    assert "assumed: false" not in text  # defaults are left out ...
    assert "lo: 0" in text and "salience_scale: 100" in text  # ... except scales
    assert text.index("accord: 1") < text.index("id: small-alliance") < text.index("actors:")
    assert yaml_io.loads(text, "again.yaml") == scenario


def test_save_is_atomic_and_keeps_the_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = yaml_io.load_yaml(SMALL)
    target = tmp_path / "out.yaml"
    target.write_text("old content\n", encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        yaml_io.save_yaml(scenario, target)
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml"]  # no temp file left
    monkeypatch.undo()
    yaml_io.save_yaml(scenario, target)
    assert yaml_io.load_yaml(target) == scenario
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml"]


def test_new_file_is_not_private_only(tmp_path: Path) -> None:
    target = tmp_path / "new.yaml"
    yaml_io.save_yaml(yaml_io.load_yaml(SMALL), target)
    mode = stat.S_IMODE(target.stat().st_mode)
    assert mode & stat.S_IRUSR and mode & stat.S_IRGRP  # not mkstemp's 0600


# -------------------------------------------------------------- round trip (hypothesis)

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,8}", fullmatch=True)
NUM = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def quantities(draw: st.DrawFn) -> dict[str, Any]:
    value = draw(st.floats(0, 1e6, allow_nan=False))
    out: dict[str, Any] = {"value": value, "source": draw(TEXT)}
    if draw(st.booleans()):
        out["assumed"] = True
        out["range"] = [value * draw(st.floats(0, 1)), value + draw(st.floats(0, 10))]
    return out


@st.composite
def scenario_data(draw: st.DrawFn) -> dict[str, Any]:
    actor_ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    actors = []
    for ident in actor_ids:
        actor: dict[str, Any] = {"id": ident, "name": draw(TEXT), "capability": draw(quantities())}
        if draw(st.booleans()):
            actor["attributes"] = {
                draw(TEXT): {
                    "value": draw(st.one_of(NUM, TEXT, st.booleans())),
                    "source": draw(TEXT),
                }
            }
        if draw(st.booleans()):
            actor["description"] = draw(st.text(max_size=30))
        actors.append(actor)
    issues = []
    for n_issue in range(draw(st.integers(1, 2))):
        m = draw(st.integers(1, 3))
        lo = draw(st.lists(st.floats(-100, 100), min_size=m, max_size=m))
        width = draw(st.lists(st.floats(0.5, 100), min_size=m, max_size=m))
        dims = [{"id": f"d{k}", "lo": lo[k], "hi": lo[k] + width[k]} for k in range(m)]
        scale = draw(st.sampled_from([1.0, 100.0]))

        def point(m: int = m, lo: list[float] = lo, width: list[float] = width) -> Any:
            x = [lo[k] + width[k] * draw(st.floats(0, 1)) for k in range(m)]
            return x[0] if m == 1 and draw(st.booleans()) else x

        stances = []
        for ident in draw(st.lists(st.sampled_from(actor_ids), min_size=1, unique=True)):
            sal: Any = draw(st.floats(0, scale))
            if m > 1 and draw(st.booleans()):
                sal = [draw(st.floats(0, scale)) for _ in range(m)]
            stances.append(
                {
                    "actor": ident,
                    "position": {"value": point(), "source": draw(TEXT)},
                    "salience": {"value": sal, "source": draw(TEXT)},
                }
            )
        issue: dict[str, Any] = {
            "id": f"i{n_issue}",
            "name": draw(TEXT),
            "dimensions": dims,
            "salience_scale": scale,
            "stances": stances,
        }
        if draw(st.booleans()):
            issue["status_quo"] = {"value": point(), "source": draw(TEXT)}
        issues.append(issue)
    return {
        "id": draw(IDS),
        "title": draw(TEXT),
        "description": draw(st.one_of(st.none(), st.text(max_size=60))),
        "sources": draw(st.dictionaries(TEXT, TEXT, max_size=2)),
        "actors": actors,
        "issues": issues,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_data())
def test_save_load_round_trip(data: dict[str, Any]) -> None:
    scenario = Scenario.model_validate(data)
    text = yaml_io.dumps(scenario)
    assert yaml_io.loads(text, "rt.yaml") == scenario


def test_the_documented_example_is_the_test_file() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert block == small_text()
    assert yaml_io.loads(block, "doc.yaml") == yaml_io.load_yaml(SMALL)
