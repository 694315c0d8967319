"""The column-wise BDM CSV reader against the row-by-row one (issue 15).

The column-wise reader (``bdm_csv._read_columns``) takes a plain file in a few whole-column
steps; anything it cannot prove valid goes to the row-by-row reader, which words every error.
These tests show that both accept the same files with the same scenarios and refuse the same
files with the same one-line messages, on chosen and on generated (mutated) files.
"""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.errors import AccordError
from accord.scenario.importers import bdm_csv
from accord.scenario.importers.common import checked_model, make_id, make_ids, model_builder
from accord.scenario.schema import Actor, Quantity, Scenario

HEADER = "Actor,Capability,Position,Salience"
ROWS = ["Netherlands,0.08,4,0.8", "Germany,0.16,4,0.8", "France,0.16,10,0.6"]


def outcome(text: str, columnar: bool) -> tuple[str, object]:
    """``("ok", dump)`` or ``("error", message)`` of one reader."""
    try:
        [scenario] = bdm_csv.read(text, "f.csv", columnar=columnar)
    except AccordError as exc:
        return "error", str(exc)
    sets = [
        (a.model_fields_set, a.capability.model_fields_set, s.model_fields_set)
        for a, s in zip(scenario.actors, scenario.issues[0].stances, strict=True)
    ]
    return "ok", (scenario.model_dump(), sets)


def same(text: str) -> tuple[str, object]:
    fast, slow = outcome(text, True), outcome(text, False)
    assert fast == slow, text
    return fast


def plain(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_plain_file_is_read_column_wise_with_the_same_scenario() -> None:
    text = plain(*ROWS)
    rows = bdm_csv._read_columns(text)
    assert rows is not None  # the fast path is taken, so the comparison below means something
    assert rows.lines == [2, 3, 4] and rows.names == ["Netherlands", "Germany", "France"]
    assert rows.positions == [4.0, 4.0, 10.0]
    kind, _ = same(text)
    assert kind == "ok"


@pytest.mark.parametrize(
    "text",
    [
        plain(
            "0.8,Netherlands,4,0.08", "0.6,France,10,0.1", header="Salience,Actor,Position,Power"
        ),
        plain(" Netherlands , 0.08 ,\t4 , 0.8", "Germany,\u00a00.16\u2003,4,0.8"),
        "\n\n" + plain(*ROWS) + "\n  \n\n",
        "\ufeff" + plain(*ROWS),
        plain(*ROWS).replace("\n", "\r\n"),
        plain('"Bosnia, and Herzegovina",0.1,4,0.5', *ROWS),
        plain(ROWS[0], "", *ROWS[1:]),
        plain(*ROWS, header=HEADER + ","),
        plain("a b,1,2,3", "a-b,1,2,3"),
        plain("Ünïcode name,1e3,-4.5E-2,.5", "x,+1.,2,100"),
    ],
)
def test_other_accepted_shapes_give_the_same_scenario(text: str) -> None:
    assert same(text)[0] == "ok"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Spain,1_000,4,0.5", "'1_000' is not a number"),
        ("Spain,inf,4,0.5", "'inf' is not a finite number"),
        ("Spain,0.1,1e999,0.5", "not a finite number within"),
        ("Spain,-0.1,4,0.5", "capability -0.1 is negative"),
        ("Spain,0.1,4,101", "salience 101 is outside 0..100"),
        ("Spain,0.1,4,", "Salience is missing"),
        ("   ,0.1,4,0.5", "Actor is missing"),
        ("Spain,0.1,4,0.5,9", "5 values, the header has 4"),
        ("Spain,0.1,4", "Salience is missing"),
        ("Spain,0.1,٤,0.5", "is not a number"),
        ("Netherlands,0.1,4,0.5", "duplicate actor 'Netherlands' (first on line 2)"),
        ("Spain,0x10,4,0.5", "'0x10' is not a number"),
        ("Spain,0.1,4,0.5\0", "is not a number"),
    ],
)
def test_refusals_are_the_row_readers_messages(row: str, message: str) -> None:
    text = plain(*ROWS, row, "Italy,0.1,5,0.5")
    kind, error = same(text)
    assert kind == "error"
    assert message in str(error) and "f.csv:5" in str(error)


def test_a_cell_over_the_csv_field_limit_is_refused_alike() -> None:
    kind, error = same(plain("a" * 200_000 + ",1,4,0.5", *ROWS))
    assert kind == "error" and "field larger than field limit" in str(error)


def test_one_actor_and_header_only_files_are_refused_alike() -> None:
    assert same(plain(ROWS[0]))[0] == "error"
    assert same(plain())[0] == "error"
    assert same("")[0] == "error"


def test_too_many_rows_are_refused_on_the_same_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_MAX_ACTORS", "2")
    kind, error = same(plain(*ROWS))
    assert kind == "error" and "f.csv:4" in str(error) and "ACCORD_MAX_ACTORS" in str(error)


CELL = st.one_of(
    st.sampled_from(
        ["0", "1", "0.5", "100", "-3", "1e3", "1_0", "nan", "inf", "", " 2 ", "x", "1e400"]
    ),
    st.text(alphabet='0123456789.,-+eE "\t\x0b\u00a0\nab', max_size=6),
)
NAME = st.one_of(
    st.sampled_from(["a", "b", "a b", "a-b", "A", " ", "", "c\u00a0", "é"]),
    st.text(alphabet="ab ,-._\u00a0é", max_size=4),
)
ROW = st.tuples(NAME, CELL, CELL, CELL).map(lambda cells: ",".join(cells))
SEPARATOR = st.sampled_from(["\n", "\n", "\n", "\r\n", "\n\n", "\n , ,\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(
        [
            HEADER,
            "actor, capability ,POSITION,salience",
            "Name,Power,Position,Salience",
            HEADER + ",",
        ]
    ),
    rows=st.lists(ROW, min_size=0, max_size=6),
    seps=st.lists(SEPARATOR, min_size=7, max_size=7),
    tail=st.sampled_from(["", "\n", "\n\n  \n", " "]),
)
def test_generated_files_get_the_same_answer_from_both_readers(
    header: str, rows: list[str], seps: list[str], tail: str
) -> None:
    text = header + "".join(sep + row for sep, row in zip(seps, rows, strict=False)) + tail
    same(text)


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,6}", fullmatch=True),
            st.floats(0, 10, allow_nan=False),
            st.floats(-50, 50, allow_nan=False),
            st.floats(0, 1, allow_nan=False),
        ),
        min_size=2,
        max_size=8,
        unique_by=lambda row: row[0].strip(),
    )
)
def test_valid_generated_files_take_the_column_path(
    data: list[tuple[str, float, float, float]],
) -> None:
    text = plain(*(f"{n},{c!r},{p!r},{s!r}" for n, c, p, s in data))
    assert bdm_csv._read_columns(text) is not None
    assert same(text)[0] == "ok"


@given(st.lists(st.text(alphabet="ab-._ 1é", max_size=5), max_size=8))
def test_make_ids_is_make_id_in_turn(names: list[str]) -> None:
    taken: set[str] = set()
    assert make_ids(names, "actor") == [make_id(name, taken, "actor") for name in names]


def test_model_builder_builds_what_checked_model_builds() -> None:
    make_actor = model_builder(Actor, ("id", "name", "capability"))
    make_quantity = model_builder(Quantity, ("value", "source"))
    quantity = make_quantity(0.5, "f.csv, line 2")
    assert quantity == checked_model(Quantity, value=0.5, source="f.csv, line 2")
    assert quantity.model_fields_set == {"value", "source"}
    one, two = make_actor("a", "A", quantity), make_actor("b", "B", quantity)
    assert one == checked_model(Actor, id="a", name="A", capability=quantity)
    assert one.member_of is not two.member_of  # a fresh list per actor, not a shared one
    copy = one.model_copy(update={"kind": "person"})
    assert copy.model_fields_set == {"id", "name", "capability", "kind"}
    assert two.model_fields_set == {"id", "name", "capability"}  # the shared set is unchanged
    assert Actor.model_validate(one.model_dump()) == one
    assert pickle.loads(pickle.dumps(one)) == one
    with pytest.raises(ValueError, match="not distinct field names"):
        model_builder(Actor, ("id", "nope"))


def test_a_file_name_with_braces_keeps_its_sources() -> None:
    [scenario] = bdm_csv.read(plain(*ROWS), "a{0}b.csv")
    assert scenario.actors[1].capability.source == "a{0}b.csv, line 3"
    assert isinstance(scenario, Scenario)
    assert re.fullmatch(r"a\{0\}b\.csv, line 4", scenario.issues[0].stances[2].position.source)
