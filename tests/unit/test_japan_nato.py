"""The Japan-NATO scenario: loads, is fully sourced, traces to the fact files, and forecasts the
2023 outcome of the Tokyo liaison office (status quo, France among the blockers)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.forecast import forecast
from accord.scenario import derive
from accord.scenario.io import load
from accord.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"
FACTS = Path(__file__).parents[1] / "data" / "facts"
OFFICE = "tokyo-office"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load(SCENARIO)


def _numbers(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every mapping that carries a numeric ``value`` (a figure of the scenario), with its path."""
    if isinstance(node, dict):
        value = node.get("value")
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if numeric or (isinstance(value, list) and value):
            yield path, node
        for key, child in node.items():
            yield from _numbers(child, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for k, child in enumerate(node):
            yield from _numbers(child, f"{path}[{k}]")


def test_actors_body_and_issues(scenario: Scenario) -> None:
    ids = {a.id for a in scenario.actors}
    nac = scenario.body("nac")
    members = [a.id for a in scenario.actors if "nac" in a.member_of]
    assert len(members) == 32
    assert nac.rule.kind == "consensus"
    assert nac.agenda_setter == "nato-sg"
    assert "nato-sg" not in members and "jpn" not in members
    assert scenario.actor("nato-sg").kind == "organisation"
    assert {"jpn", "chn", "rus", "prk", "nato-sg"} <= ids
    assert {"tokyo-office", "china-language", "itpp-depth", "ip4-summits"} <= {
        i.id for i in scenario.issues
    }
    depth = scenario.issue("itpp-depth")
    assert len(depth.dimensions) == 16
    unverified = [d for d in depth.dimensions if "UNVERIFIED" in (d.name or "")]
    assert len(unverified) == 5
    assert all(d.id.startswith("unverified-") for d in unverified)
    with open(FACTS / "nato_members_accession.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == len(members)


def test_every_figure_has_a_source(scenario: Scenario) -> None:
    data = scenario.model_dump(mode="json")
    figures = list(_numbers(data))
    assert len(figures) > 500
    unsourced = [p for p, node in figures if not str(node.get("source") or "").strip()]
    assert unsourced == []
    # an assumed number says so and carries a range (status quo points carry none by schema)
    no_range = [
        p
        for p, node in figures
        if node.get("assumed") and node.get("range") is None and "status_quo" not in p
    ]
    assert no_range == []


def test_every_formula_states_its_reason(scenario: Scenario) -> None:
    for formula in [*scenario.attribute_formulas, *scenario.position_formulas]:
        assert len(formula.source) > 40
        assert formula.weights


def test_cited_fact_lines_exist(scenario: Scenario) -> None:
    """Every 'tests/data/facts/FILE, line N' points at a real row of that file."""
    text = SCENARIO.read_text(encoding="utf-8")
    text = re.sub(r"\n\s+", " ", text)  # YAML folds long sources over lines
    cited = re.findall(r"tests/data/facts/([a-z0-9_]+\.csv), lines? (\d+)", text)
    assert len(cited) > 100
    lengths = {}
    for name, line in cited:
        if name not in lengths:
            lengths[name] = len((FACTS / name).read_text(encoding="utf-8").splitlines())
        assert 2 <= int(line) <= lengths[name], (name, line)


def test_attributes_match_the_fact_files(scenario: Scenario) -> None:
    def rows(name: str) -> list[dict[str, str]]:
        with open(FACTS / name, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    sipri = {r["country_sipri"]: r for r in rows("sipri_milex_2022_2023.csv")}
    assert scenario.actor("fra").attributes["milex_2023_usd_bn"].value == pytest.approx(
        float(sipri["France"]["milex_2023_current_usd_m"]) / 1000
    )
    pew = {(r["iso3"], r["year"]): r for r in rows("pew_china_unfavorable_2022_2023.csv")}
    assert scenario.actor("jpn").attributes["threat_china"].value == float(
        pew[("JPN", "2023")]["unfavorable_pct"]
    )
    nato = [
        r
        for r in rows("nato_defence_expenditure_pct_gdp_2014_2024.csv")
        if r["country"] == "Poland" and r["year"] == "2024"
    ]
    assert scenario.actor("pol").attributes["defence_pct_gdp"].value == float(nato[0]["pct_gdp"])
    accession = {r["country"]: r for r in rows("nato_members_accession.csv")}
    assert scenario.actor("fin").attributes["accession_year"].value == int(
        accession["Finland"]["accession_year"]
    )


def test_known_office_positions_cite_the_timeline(scenario: Scenario) -> None:
    issue = scenario.issue(OFFICE)
    stances = {s.actor: s for s in issue.stances}
    assert issue.status_quo is not None and issue.status_quo.values() == [0.0]
    for actor, value in (("jpn", 100.0), ("usa", 100.0), ("nato-sg", 100.0), ("fra", 0.0)):
        position = stances[actor].position
        assert position.values() == [value]
        assert not position.assumed
        assert "tokyo_liaison_office_timeline.csv" in position.source


def test_derived_values_equal_the_formula(scenario: Scenario) -> None:
    assert derive.check(scenario) == []
    derivation = derive.derive(scenario)
    office = [s for s in derivation.stances if s.issue == OFFICE]
    assert len(office) == 29  # 32 allies less the three on the record (usa, fra, deu)
    stances = {s.actor: s for s in scenario.issue(OFFICE).stances}
    for item in office:
        assert stances[item.actor].position.assumed
        assert stances[item.actor].position.values() == list(item.position)


def test_office_forecast_is_the_status_quo_with_france_blocking(scenario: Scenario) -> None:
    result = forecast(scenario, "all", issues=[OFFICE], seed=0)
    item = result.issue(OFFICE)
    assert item.rule == "consensus"
    assert "fra" in item.veto_players
    moved = [fc for fc in item.forecasts if fc.outcome[0] > 1.0]
    assert len(moved) >= 3  # the models do forecast an office...
    for fc in item.forecasts:
        assert fc.allowed_outcome[0] == pytest.approx(0.0)  # ...the rule allows none
    for fc in moved:
        assert not fc.passes
        assert "fra" in fc.blockers


def test_office_forecast_cli(run_cli: Callable[..., Any]) -> None:
    result = run_cli("forecast", SCENARIO, "--issue", OFFICE, "--format", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    (issue,) = data["issues"]
    assert issue["status_quo"] == [0.0]
    blocked = [f for f in issue["forecasts"] if not f["passes"]]
    assert blocked and all("fra" in f["blockers"] for f in blocked)
    assert all(f["allowed_outcome"] == [0.0] for f in issue["forecasts"])


def test_bad_issue_and_rule_get_clear_errors(run_cli: Callable[..., Any]) -> None:
    result = run_cli("forecast", SCENARIO, "--issue", "no-such-issue")
    assert result.code == 2
    assert "no-such-issue" in result.stderr and "tokyo-office" in result.stderr
    result = run_cli("forecast", SCENARIO, "--issue", OFFICE, "--rule", "eu-nice")
    assert result.code == 2
    assert "council_votes" in result.stderr
