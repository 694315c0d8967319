"""Bad input through io.load: one clear message naming the file, the line or field, and what was
expected, and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import AccordError, ScenarioError
from accord.scenario import io

DATA = Path(__file__).parents[1] / "data"
SMALL_TEXT = (DATA / "scenarios" / "small.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)


def load_error(path: Path) -> AccordError:
    with pytest.raises(ScenarioError) as info:
        io.load(path)
    err = info.value
    text = str(err)
    assert "Traceback" not in text and 'File "' not in text
    assert not any(name in text for name in ("KeyError", "ValueError", "IndexError", "pydantic"))
    assert text.startswith(path.name)  # the file comes first
    assert err.expected  # and what was expected
    return err


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    assert old in SMALL_TEXT
    text = SMALL_TEXT.replace(old, new, 1)
    return write(tmp_path, text), text


def test_missing_salience(tmp_path: Path) -> None:
    path, text = edited(
        tmp_path,
        "        salience: {value: 40, source: made-up}\n",
        "",
    )
    err = load_error(path)
    line = line_of(text, "actor: de")
    assert str(err) == (
        f"case.yaml:{line}, field 'issues[0].stances[2].salience': is missing "
        "(expected a mapping with value and source)"
    )


def test_text_where_a_number_belongs(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "{value: 45, source: made-up}", "{value: lots, source: made-up}")
    err = load_error(path)
    assert str(err) == (
        f"case.yaml:{line_of(text, 'value: lots')}, field 'actors[2].capability.value': "
        "'lots' is not a number (expected a number)"
    )


def test_position_outside_the_scale(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "position: {value: 100, source", "position: {value: 130, source")
    err = load_error(path)
    assert str(err) == (
        f"case.yaml:{line_of(text, 'value: 130')}, field 'issues[0].stances[3].position.value': "
        "the position of actor 'jp' 130 lies outside the scale of dimension 'scope' "
        "(expected a number in 0..100)"
    )


def test_unknown_actor_id(tmp_path: Path) -> None:
    path, text = edited(
        tmp_path,
        "actor: de\n        position: {value: 50",
        "actor: dk\n        position: {value: 50",
    )
    err = load_error(path)
    assert err.location.line == line_of(text, "actor: dk")
    assert err.location.field == "issues[0].stances[2].actor"
    assert err.message == "stance for unknown actor 'dk'"
    assert err.expected == "the id of an actor in 'actors': de, fr, jp, us"


def test_duplicate_ids(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "  - id: de\n", "  - id: fr\n")
    err = load_error(path)
    assert err.location.line is not None
    assert err.location.field == "actors[2].id"
    assert err.message.splitlines()[0] == "duplicate actor id 'fr' (first used by actors[1])"
    assert err.expected == "a unique actor id"
    rows = text.splitlines()
    assert rows[err.location.line - 1].strip() == "- id: fr"
    assert rows[err.location.line].strip() == "name: Germany"


def test_blank_coordinate_in_smp_example() -> None:
    path = DATA / "ktab" / "smpExample.xml"
    err = load_error(path)
    line = line_of(path.read_text(encoding="utf-8-sig"), "<dCoord></dCoord>")
    assert str(err) == (
        f"smpExample.xml:{line}, field 'Actors/Actor[1] (Alice)/Position/dCoord[1]': "
        "empty coordinate (expected a number in 0..100)"
    )


def test_empty_file(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, ""))
    assert str(err) == (
        "case.yaml: the file is empty (expected a YAML mapping with id, title, actors and issues)"
    )
    err = load_error(write(tmp_path, "\n  \n# nothing\n", "blank.yaml"))
    assert err.message == "the file is empty"


def test_python_object_tag(tmp_path: Path) -> None:
    path, text = edited(
        tmp_path,
        "title: A small alliance decides two questions",
        "title: !!python/object/apply:os.system ['echo pwned']",
    )
    err = load_error(path)
    assert err.location.line == line_of(text, "!!python")
    assert err.location.field == "title"
    assert err.message == "the tag '!!python/object/apply:os.system' is not allowed"
    assert err.expected is not None and "no tags" in err.expected


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "member_of: [council]", "member_of: [council")
    err = load_error(path)
    assert err.message.startswith("YAML syntax error:")
    assert err.location.line is not None
    assert line_of(text, "member_of: [council") <= err.location.line <= line_of(text, "- id: fr")
    assert err.expected == "valid YAML (check indentation, colons and quotes)"


def test_unknown_field(tmp_path: Path) -> None:
    path, text = edited(tmp_path, "    salience_scale: 100\n", "    salience_scael: 100\n")
    err = load_error(path)
    assert str(err).startswith(
        f"case.yaml:{line_of(text, 'salience_scael')}, field 'issues[0].salience_scael': "
        "unknown field (expected one of id, name, description, dimensions, status_quo, body, "
        "rule, salience_scale, stances, outcome"  # then the consensus fields (procedure, ...)
    )


def test_not_utf8_and_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(SMALL_TEXT.replace("Germany", "Deutschland \u00e4").encode("latin-1"))
    err = load_error(path)
    assert err.location.line == line_of(SMALL_TEXT, "Germany")
    err = load_error(write(tmp_path, "\t\t;;;\n1;2;3\n", "odd.dat"))
    assert "cannot tell the file's format" in err.message
