"""scenarios/nato-record: one file per recorded NATO consensus decision, coded from
tests/data/facts/nato_consensus_decisions.csv by the rules of its README."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from accord.scenario.io import load
from accord.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "scenarios" / "nato-record"
FACTS = Path(__file__).parents[1] / "data" / "facts"

OUTCOMES = {
    "passed": {"passes", "passes_with_reservations"},
    "passed_diluted": {"diluted"},
    "passed_with_opt_out": {"passes_with_opt_outs"},
    "delayed_then_passed": {"delayed"},
    "shelved": {"blocked"},
    "blocked": {"blocked"},
}


def _rows() -> dict[str, dict[str, str]]:
    with open(FACTS / "nato_consensus_decisions.csv", newline="", encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def cases() -> dict[str, Scenario]:
    return {p.stem: load(p) for p in sorted(FOLDER.glob("*.yaml"))}


def _split(cell: str) -> list[str]:
    return [c.strip().lower() for c in cell.split(";") if c.strip()]


def _numbers(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        value = node.get("value")
        if isinstance(value, int | float | list) and not isinstance(value, bool):
            found.append((path, node))
        for key, child in node.items():
            found += _numbers(child, f"{path}.{key}")
    elif isinstance(node, list):
        for k, child in enumerate(node):
            found += _numbers(child, f"{path}[{k}]")
    return found


def test_one_file_per_decision(cases: dict[str, Scenario]) -> None:
    rows = _rows()
    assert len(rows) == 30
    assert set(cases) == set(rows)
    for rid, scenario in cases.items():
        (issue,) = scenario.issues
        assert issue.id == rid


def test_records_follow_the_mapping(cases: dict[str, Scenario]) -> None:
    rows = _rows()
    for rid, scenario in cases.items():
        row, (issue,) = rows[rid], scenario.issues
        record = issue.record
        assert record is not None and "nato_consensus_decisions.csv, line" in record.source
        assert record.outcome in OUTCOMES[row["outcome_code"]]
        if row["outcome_code"] == "passed":
            reserved = bool(row["acquiesced_with_reservation"].strip())
            assert (record.outcome == "passes_with_reservations") == reserved
        assert record.objectors == _split(row["objectors"])
        assert record.reservations == _split(row["acquiesced_with_reservation"])
        assert record.opt_outs == _split(row["opt_outs"])
        assert record.date is not None and record.date.isoformat()[:7] in row["date_resolved"]
        # next_window exactly on the delayed decisions; opt-outs only where the record shows them
        assert (issue.next_window is not None) == (row["outcome_code"] == "delayed_then_passed")
        opt_out = issue.procedure is not None and issue.procedure.opt_out
        assert opt_out == bool(row["opt_outs"].strip())


def test_membership_follows_the_decision_date(cases: dict[str, Scenario]) -> None:
    sizes = {}
    for rid, scenario in cases.items():
        (issue,) = scenario.issues
        assert issue.decision_date is not None and issue.body is not None
        members = {
            a.id
            for a in scenario.actors
            if issue.body in a.member_of and a.joined[issue.body] <= issue.decision_date
        }
        voters = {s.actor for s in issue.stances} - {"nato-sg"}
        assert voters == members, rid
        assert issue.record is not None
        named = set(issue.record.objectors + issue.record.reservations + issue.record.opt_outs)
        assert named <= members, rid
        sizes[rid] = len(members)
    assert sizes["2003-isaf-command"] == 19
    assert sizes["2009-nrc-resumption"] == 26  # before Albania and Croatia (1 April 2009)
    assert sizes["2009-rasmussen-secretary-general"] == 28
    assert sizes["2023-tokyo-liaison-office"] == 31  # Sweden joined on 7 March 2024
    assert sizes["2024-washington-china-language"] == 32


def test_every_figure_is_sourced_and_every_judgement_has_a_range(
    cases: dict[str, Scenario],
) -> None:
    for rid, scenario in cases.items():
        for path, node in _numbers(scenario.model_dump(mode="json")):
            assert str(node.get("source") or "").strip(), (rid, path)
            if node.get("assumed"):
                assert node.get("range") is not None, (rid, path)
        for stance in scenario.issues[0].stances:
            # every stance is a judgement coded by a role of the README's table
            assert stance.position.assumed and stance.salience.assumed
            assert re.search(r"role '[a-z]+'", stance.position.source), (rid, stance.actor)


def test_named_objectors_are_coded_and_the_rest_acquiesce(cases: dict[str, Scenario]) -> None:
    rows = _rows()
    for rid, scenario in cases.items():
        (issue,) = scenario.issues
        named = set(
            _split(rows[rid]["objectors"])
            + _split(rows[rid]["acquiesced_with_reservation"])
            + _split(rows[rid]["opt_outs"])
        )
        for stance in issue.stances:
            default = "role 'default'" in stance.position.source
            if stance.actor in named:
                assert not default, (rid, stance.actor)
            if default:
                assert "no public position" in stance.position.source
                assert stance.salience.value <= 0.25


def test_cited_lines_exist(cases: dict[str, Scenario]) -> None:
    lines = len((FACTS / "nato_consensus_decisions.csv").read_text(encoding="utf-8").splitlines())
    for scenario in cases.values():
        text = scenario.model_dump_json()
        for line in re.findall(r"nato_consensus_decisions\.csv, line (\d+)", text):
            assert 2 <= int(line) <= lines
