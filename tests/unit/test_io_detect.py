"""Format detection without the importers: a text ``_unclaimable`` says no sniff can claim.

``accord.scenario.io.detect_format`` answers ``yaml`` for such a text without importing the
importer modules (a faster start, issue 17); these tests check that the shortcut never hides a
format: whenever ``_unclaimable`` is true, every importer's ``sniff`` says no.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.scenario import io

ROOT = Path(__file__).parents[2]
SNIFFS = [
    importlib.import_module(f"accord.scenario.importers.{name}").sniff for name in io.IMPORTERS
]

# The characters the sniffs look for, in lines that read like each format's first line.
_PIECES = [
    "<",
    "<Scenario>",
    "<?xml version='1.0'?>",
    "<!DOCTYPE x>",
    "<Actors/>",
    "\t",
    ",",
    ";",
    '"',
    "'",
    "#",
    "#A",
    "#P",
    "'#M'",
    '"#D"',
    "\ufeff",
    "\n",
    "\r\n",
    "\r",
    " ",
    "1",
    "2.5",
    "a",
    "id: x",
    "counvte",
    "out",
    "pcom",
    "scom",
    "actor",
    "position",
    "salience",
    "capability",
    "name,description,3,1",
    "x,y,1,1",
    "a,a,1,2,3",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_no_sniff_claims_a_text_said_unclaimable(pieces: list[str]) -> None:
    text = "".join(pieces)
    if io._unclaimable(text):
        assert [sniff(text) for sniff in SNIFFS] == [False] * len(SNIFFS)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_no_sniff_claims_any_text_said_unclaimable(text: str) -> None:
    if io._unclaimable(text):
        assert not any(sniff(text) for sniff in SNIFFS)


def test_every_foreign_sample_file_is_left_to_the_importers() -> None:
    samples = [
        *sorted((ROOT / "tests" / "data" / "ktab").glob("*.csv")),
        *sorted((ROOT / "tests" / "data" / "bdm").glob("*.csv")),
        *sorted((ROOT / "tests" / "data" / "stokman").glob("*.csv")),
        ROOT / "tests" / "data" / "deu" / "deu3_dev.tsv",
    ]
    for path in samples:
        text = path.read_text(encoding="utf-8")
        assert not io._unclaimable(text), path


def test_shipped_yaml_scenarios_are_read_without_the_importers() -> None:
    """The scenario files (their first line is the format comment); any YAML is still YAML."""
    for path in sorted((ROOT / "scenarios").glob("**/*.yaml")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("# accord scenario file (format: docs/scenario-format.md)\n"):
            assert io._unclaimable(text), path
        assert io.detect_format(text) == io.YAML, path
    assert io._unclaimable((ROOT / "scenarios" / "ktab-d3.yaml").read_text(encoding="utf-8"))


def test_a_new_importer_turns_the_shortcut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(io, "IMPORTERS", (*io.IMPORTERS, "another"))
    assert not io._unclaimable("id: x\n")


@pytest.mark.parametrize(
    "text",
    [
        "counvte\tout\tpcom\tscom\n1\t2\t3\t4\n",  # deu: a tab-separated header
        '"name\n",description,3,1\n\nx,y,1,2,3\n',  # ktab-csv: a quoted cell over two lines
        "#A\tx\tname\n",  # decide
        "\ufeff \n<Scenario><Actors/></Scenario>",  # ktab-xml after a mark and a blank line
        "\n\nactor, position, salience, capability\n",  # bdm-csv after blank lines
    ],
)
def test_texts_an_importer_claims_are_left_to_it(text: str) -> None:
    assert any(sniff(text) for sniff in SNIFFS)
    assert not io._unclaimable(text)
