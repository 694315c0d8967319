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


def _members_on(scenario: Scenario, issue_id: str) -> list[str]:
    issue = scenario.issue(issue_id)
    assert issue.decision_date is not None
    return [
        a.id
        for a in scenario.actors
        if "nac" in a.member_of and a.joined["nac"] <= issue.decision_date
    ]


def test_actors_body_and_issues(scenario: Scenario) -> None:
    ids = {a.id for a in scenario.actors}
    nac = scenario.body("nac")
    members = [a.id for a in scenario.actors if "nac" in a.member_of]
    assert len(members) == 32
    assert nac.rule.kind == "consensus"
    assert nac.procedure is not None and nac.procedure.name == "practised"
    assert nac.agenda_setter == "nato-sg"
    assert "nato-sg" not in members and "jpn" not in members
    assert scenario.actor("nato-sg").kind == "organisation"
    assert {"jpn", "chn", "rus", "prk", "nato-sg"} <= ids
    assert {"tokyo-office", "japan-mission", "china-language", "itpp-depth", "ip4-summits"} <= {
        i.id for i in scenario.issues
    }
    depth = scenario.issue("itpp-depth")
    assert len(depth.dimensions) == 16
    unverified = [d for d in depth.dimensions if "UNVERIFIED" in (d.name or "")]
    assert len(unverified) == 5
    assert all(d.id.startswith("unverified-") for d in unverified)
    with open(FACTS / "nato_members_accession.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == len(members)


def test_membership_follows_the_decision_date(scenario: Scenario) -> None:
    """July 2023: 31 allies (Sweden joined on 7 March 2024); July 2024: 32."""
    assert scenario.actor("swe").joined["nac"].isoformat() == "2024-03-07"
    assert scenario.actor("fin").joined["nac"].isoformat() == "2023-04-04"
    for issue in scenario.issues:
        assert issue.decision_date is not None
        assert issue.record is not None and issue.record.source
        members = set(_members_on(scenario, issue.id))
        with_stance = {s.actor for s in issue.stances}
        # every member on the day holds a stance; no later member does
        assert members <= with_stance
        assert not ({a.id for a in scenario.actors if "nac" in a.member_of} - members) & with_stance
    assert len(_members_on(scenario, "tokyo-office")) == 31
    assert "swe" not in _members_on(scenario, "tokyo-office")
    assert len(_members_on(scenario, "china-language")) == 32


def test_one_salience_per_issue(scenario: Scenario) -> None:
    """The 16-area ITPP issue shares one salience per actor across its dimensions."""
    for stance in scenario.issue("itpp-depth").stances:
        assert isinstance(stance.salience.value, float | int)


def test_allies_without_a_public_position_acquiesce_by_default(scenario: Scenario) -> None:
    for issue in scenario.issues:
        for stance in issue.stances:
            if "role 'default'" not in stance.position.source:
                continue
            assert "no public position" in stance.position.source
            assert stance.salience.assumed and stance.salience.range is not None
            assert stance.salience.value <= 0.25 and stance.salience.range[1] <= 0.25
            assert stance.position.assumed and stance.position.range is not None


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


def test_known_office_positions_cite_the_record(scenario: Scenario) -> None:
    issue = scenario.issue(OFFICE)
    stances = {s.actor: s for s in issue.stances}
    assert issue.status_quo is not None and issue.status_quo.values() == [0.0]
    for actor, value in (("jpn", 100.0), ("usa", 100.0), ("nato-sg", 100.0), ("fra", 0.0)):
        position = stances[actor].position
        assert position.values() == [value]
        assert position.assumed and position.range is not None  # coded by a role: judgement
        assert "tokyo_liaison_office_timeline.csv" in position.source
    assert "role 'veto'" in stances["fra"].position.source
    assert "nato_members_china.csv" in stances["deu"].position.source
    assert issue.record is not None and issue.record.objectors == ["fra"]


def test_formulas_are_a_sensitivity_only(scenario: Scenario) -> None:
    """The file states record-coded stances; ``--inputs formulas`` swaps in the formulas'."""
    assert derive.check(scenario, keep_record=True) == []
    assert derive.check(scenario) != []  # the formulas' stances are not the file's
    assert derive.apply_inputs(scenario, "record") is scenario
    swapped = derive.apply_inputs(scenario, "formulas")
    derivation = derive.derive(scenario)
    office = [s for s in derivation.stances if s.issue == OFFICE]
    known = {"usa", "fra", "deu"}
    assert {s.actor for s in office} == set(_members_on(scenario, OFFICE)) - known
    stated = {s.actor: s for s in scenario.issue(OFFICE).stances}
    after = {s.actor: s for s in swapped.issue(OFFICE).stances}
    for item in office:
        assert "role 'default'" in stated[item.actor].position.source
        assert after[item.actor].position.values() == list(item.position)
    for actor in known:
        assert after[actor] == stated[actor]


def _procedures(issue: dict[str, Any]) -> list[dict[str, Any]]:
    return [f["procedure"] for f in issue["forecasts"]]


def test_forecast_matches_the_record(run_cli: Callable[..., Any]) -> None:
    """The issue's "What must be shown": office blocked or delayed by France alone for every
    model that moves, the China language passing at 75 +- 10 (compromise), ITPP and IP4 pass."""
    result = run_cli("forecast", SCENARIO, "--format", "json")
    assert result.code == 0, result.stderr
    data = {i["id"]: i for i in json.loads(result.stdout)["issues"]}

    office = data[OFFICE]
    assert office["record"]["outcome"] == "blocked"
    moved = [f for f in office["forecasts"] if abs(f["outcome"][0] - 0.0) > 1e-6]
    assert len(moved) >= 3
    for f in moved:
        assert f["procedure"]["outcome"] in ("blocked", "delayed"), f["model"]
        assert f["procedure"]["objectors"] == ["fra"], f["model"]

    lang = data["china-language"]
    (compromise,) = [f for f in lang["forecasts"] if f["model"] == "compromise"]
    assert compromise["procedure"]["outcome"].startswith("passes")
    assert compromise["procedure"]["value"][0] == pytest.approx(75.0, abs=10.0)

    for iid in ("itpp-depth", "ip4-summits", "japan-mission"):
        for proc in _procedures(data[iid]):
            assert proc["outcome"].startswith("passes"), (iid, proc)


def test_strict_reading_still_available(scenario: Scenario) -> None:
    result = forecast(scenario, "compromise", issues=[OFFICE], seed=0, procedure="strict")
    (fc,) = result.issue(OFFICE).forecasts
    assert fc.procedure is not None and fc.procedure.outcome == "blocked"
    assert not fc.passes and "fra" in fc.blockers


def test_bad_issue_and_rule_get_clear_errors(run_cli: Callable[..., Any]) -> None:
    result = run_cli("forecast", SCENARIO, "--issue", "no-such-issue")
    assert result.code == 2
    assert "no-such-issue" in result.stderr and "tokyo-office" in result.stderr
    result = run_cli("forecast", SCENARIO, "--issue", OFFICE, "--rule", "eu-nice")
    assert result.code == 2
    assert "council_votes" in result.stderr
