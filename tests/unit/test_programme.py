"""Partnership programmes as data (accord.programme) and ``accord programme diff``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accord.errors import ScenarioError, UsageError
from accord.programme import diff_programmes, load_programmes, loads_programmes, unresolved_links
from accord.scenario.io import load

CASE = Path(__file__).resolve().parents[2] / "scenarios" / "japan-nato"
PROGRAMMES = CASE / "programmes.yaml"

TOY = """
partner: P
programmes:
- id: old
  name: Old
  date: '2000'
  source: s
  areas:
  - {id: a, name: A, verified: true, source: s}
  - {id: b, name: B, verified: true, source: s}
- id: new
  name: New
  date: '2001'
  source: s
  areas:
  - {id: b, name: B, verified: true, source: s, issues: [x]}
  - {id: c, name: C, verified: true, source: s}
"""


def test_toy_diff() -> None:
    book = loads_programmes(TOY, "toy.yaml")
    result = diff_programmes(book, "old", "new")
    assert [a.id for a in result.of("added")] == ["c"]
    assert [a.id for a in result.of("dropped")] == ["a"]
    assert [a.id for a in result.of("kept")] == ["b"]
    assert result.of("kept")[0].issues == ("x",)


def test_placeholders_make_drops_unresolved() -> None:
    text = TOY.replace(
        "  - {id: c, name: C, verified: true, source: s}",
        "  - {id: c, name: C, verified: true, source: s}\n"
        "  - {id: u, name: U, verified: false, source: s}",
    )
    result = diff_programmes(loads_programmes(text, "toy.yaml"), "old", "new")
    assert [a.id for a in result.of("unresolved")] == ["a"]
    assert result.of("dropped") == []
    assert [a.id for a in result.of("unverified")] == ["u"]


def test_bad_file_and_bad_ids() -> None:
    with pytest.raises(ScenarioError) as info:
        loads_programmes(TOY.replace("verified: true, source: s}", "source: s}", 1), "toy.yaml")
    assert "toy.yaml:" in str(info.value) and "verified" in str(info.value)
    with pytest.raises(UsageError):
        diff_programmes(loads_programmes(TOY, "toy.yaml"), "old", "nope")
    with pytest.raises(UsageError):
        load_programmes(CASE / "missing.yaml")


def test_case_programmes_match_the_facts() -> None:
    book = load_programmes(PROGRAMMES)
    itpp = book.programme("ITPP-2023")
    assert len(itpp.objectives) == 3 and len(itpp.areas) == itpp.n_areas == 16
    assert sum(a.verified for a in itpp.areas) == 11
    ipcp = book.programme("IPCP-2020")
    assert len(ipcp.areas) == ipcp.n_areas == 9
    # Only the five areas MOFA's 2020 release names are verified; non-proliferation and science
    # and technology rest on NATO's 2018 page, which cannot verify the 2020 revision.
    assert sum(a.verified for a in ipcp.areas) == 5
    by_id = {a.id: a for a in ipcp.areas}
    for aid in ("arms-control-nonproliferation", "science-technology"):
        assert not by_id[aid].verified
    for programme in book.programmes:
        for item in [*programme.objectives, *programme.areas]:
            assert "tests/data/facts/" in item.source


def test_every_link_resolves_in_the_scenario() -> None:
    book = load_programmes(PROGRAMMES)
    assert unresolved_links(book, load(CASE / "scenario.yaml")) == []
    itpp = book.programme("ITPP-2023")
    assert all(a.issues for a in itpp.areas)


def test_case_diff() -> None:
    result = diff_programmes(load_programmes(PROGRAMMES), "IPCP-2020", "ITPP-2023")
    kept = {a.id for a in result.of("kept")}
    assert {"cyber-defence", "maritime-security", "hadr"} <= kept
    new = {a.id for a in result.of("possibly-new")}
    assert {"space-security", "emerging-technologies", "climate-security"} <= new
    assert [a.id for a in result.of("unresolved")] == ["human-security"]
    assert len(result.of("unverified")) == 4 + 5  # 4 IPCP 2020 areas, 5 ITPP areas
    json.dumps(result.to_json_dict())


def test_programme_cli(run_cli: Callable[..., Any]) -> None:
    result = run_cli("programme", "diff", PROGRAMMES, "--format", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["before"] == "IPCP-2020" and data["after"] == "ITPP-2023"
    table = run_cli("programme", "diff", PROGRAMMES, "--from", "IPCP-2014", "--to", "IPCP-2020")
    assert table.code == 0 and "IPCP-2014" in table.stdout
    bad = run_cli("programme", "diff", PROGRAMMES, "--to", "ITPP-2099")
    assert bad.code == 2 and "ITPP-2023" in bad.stderr
