"""Procedures, records and dates in scenario files: bad input gets one clear line, and membership
follows the decision date."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import AccordError, ScenarioError, UsageError
from accord.forecast import forecast, issue_rule
from accord.rules import procedure as procedure_module
from accord.scenario import io, validate

DATA = Path(__file__).parents[1] / "data"
SMALL_TEXT = (DATA / "scenarios" / "small.yaml").read_text(encoding="utf-8")

OFFICE_BODY = "    body: council\n    salience_scale: 100\n"
COUNCIL = "  - id: council\n    name: The council\n    rule: {kind: consensus}\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(tmp_path: Path, *pairs: tuple[str, str]) -> Path:
    text = SMALL_TEXT
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return write(tmp_path, text)


def one_line_error(path: Path) -> AccordError:
    with pytest.raises(ScenarioError) as info:
        io.load(path)
    text = str(info.value).splitlines()[0]
    assert text.startswith("case.yaml:")
    assert "Traceback" not in str(info.value) and "pydantic" not in str(info.value)
    assert info.value.expected
    return info.value


def with_record(record: str) -> tuple[str, str]:
    return (OFFICE_BODY, OFFICE_BODY + f"    record: {record}\n")


def test_record_outcome_not_in_the_list(tmp_path: Path) -> None:
    path = edited(tmp_path, with_record("{outcome: vetoed, source: made-up}"))
    err = one_line_error(path)
    assert err.location.field == "issues[0].record.outcome"
    assert "passes_with_reservations" in str(err)


def test_recorded_objector_who_is_not_a_member(tmp_path: Path) -> None:
    path = edited(tmp_path, with_record("{outcome: blocked, source: made-up, objectors: [jp]}"))
    err = one_line_error(path)
    assert err.location.field == "issues[0].record.objectors[0]"
    assert "'jp' is not a member of body 'council'" in str(err)


def test_recorded_reservation_by_an_unknown_actor(tmp_path: Path) -> None:
    path = edited(tmp_path, with_record("{outcome: passes, source: made-up, reservations: [xx]}"))
    err = one_line_error(path)
    assert err.location.field == "issues[0].record.reservations[0]"


def test_recorded_opt_out_before_joining(tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        (
            "    member_of: [council]\n  - id: de",
            "    member_of: [council]\n    joined: {council: 2024-03-07}\n  - id: de",
        ),
        (
            OFFICE_BODY,
            OFFICE_BODY + "    decision_date: 2023-07-11\n"
            "    record: {outcome: passes_with_opt_outs, source: made-up, opt_outs: [fr]}\n",
        ),
    )
    err = one_line_error(path)
    assert err.location.field == "issues[0].record.opt_outs[0]"
    assert "on 2023-07-11" in str(err)


def test_negative_cost_of_objecting(tmp_path: Path) -> None:
    path = edited(tmp_path, (COUNCIL, COUNCIL + "    procedure: {cost_of_objecting: -5}\n"))
    err = one_line_error(path)
    assert err.location.field == "bodies[0].procedure.cost_of_objecting"
    path = edited(tmp_path, (COUNCIL, COUNCIL + "    procedure: {actor_costs: {fr: -1}}\n"))
    err = one_line_error(path)
    assert err.location.field is not None
    assert err.location.field.startswith("bodies[0].procedure.actor_costs")


def test_opt_out_on_a_rule_that_cannot_allow_it(tmp_path: Path) -> None:
    # the second issue is decided by a weighted rule
    old = "    rule: {kind: weighted, weights: population, quota: 0.6}\n"
    path = edited(tmp_path, (old, old + "    procedure: {opt_out: true}\n"))
    err = one_line_error(path)
    assert err.location.field == "issues[1].procedure.opt_out"
    assert "cannot" in str(err)
    # on a consensus body it is fine
    path = edited(tmp_path, (COUNCIL, COUNCIL + "    procedure: {opt_out: true}\n"))
    assert io.load(path).bodies[0].procedure is not None
    # and a majority body cannot
    path = edited(
        tmp_path,
        (
            "    rule: {kind: consensus}\n",
            "    rule: {kind: simple-majority}\n    procedure: {opt_out: true}\n",
        ),
    )
    err = one_line_error(path)
    assert err.location.field == "bodies[0].procedure.opt_out"


def test_decision_date_before_the_body_was_founded(tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        (COUNCIL, COUNCIL + "    founded: 1949-08-24\n"),
        (OFFICE_BODY, OFFICE_BODY + "    decision_date: 1948-01-01\n"),
    )
    err = one_line_error(path)
    assert err.location.field == "issues[0].decision_date"
    assert "1949-08-24" in str(err)


def test_opt_out_rule_lists_agree() -> None:
    assert validate.OPT_OUT_RULES == procedure_module.OPT_OUT_RULES


def test_membership_follows_the_decision_date(tmp_path: Path) -> None:
    joined = (
        "    member_of: [council]\n  - id: de",
        "    member_of: [council]\n    joined: {council: 2024-03-07}\n  - id: de",
    )
    before = io.load(
        edited(tmp_path, joined, (OFFICE_BODY, OFFICE_BODY + "    decision_date: 2023-07-11\n"))
    )
    _, members = issue_rule(before, before.issue("office"), None)
    assert [m.id for m in members] == ["us", "de"]
    after = io.load(
        edited(tmp_path, joined, (OFFICE_BODY, OFFICE_BODY + "    decision_date: 2024-07-10\n"))
    )
    _, members = issue_rule(after, after.issue("office"), None)
    assert [m.id for m in members] == ["us", "fr", "de"]
    undated = io.load(edited(tmp_path, joined))
    _, members = issue_rule(undated, undated.issue("office"), None)
    assert [m.id for m in members] == ["us", "fr", "de"]
    # the forecast's members and its procedure follow the same date
    result = forecast(before, "compromise", issues=["office"])
    assert result.issues[0].members == ("us", "de")


def test_forecast_json_carries_procedure_and_record(tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        with_record("{outcome: blocked, value: 0, source: made-up, objectors: [fr]}"),
    )
    result = forecast(io.load(path), "compromise", issues=["office"]).to_json_dict()
    issue = result["issues"][0]
    assert issue["record"]["outcome"] == "blocked" and issue["record"]["objectors"] == ["fr"]
    fc = issue["forecasts"][0]
    assert set(fc["procedure"]) >= {
        "name",
        "outcome",
        "value",
        "objectors",
        "reservations",
        "opt_outs",
    }
    assert fc["procedure"]["name"] == "practised"
    assert "allowed_outcome" in fc and "blockers" in fc
    strict = forecast(io.load(path), "compromise", issues=["office"], procedure="strict")
    strict_fc = strict.to_json_dict()["issues"][0]["forecasts"][0]
    assert strict_fc["procedure"]["name"] == "strict"
    # strict objectors are the strict blockers of the rule
    assert sorted(strict_fc["procedure"]["objectors"]) == sorted(strict_fc["blockers"])
    with pytest.raises(UsageError, match="unknown procedure"):
        forecast(io.load(path), "compromise", procedure="lenient")


def test_actor_cost_for_an_unknown_actor(tmp_path: Path) -> None:
    path = edited(tmp_path, (COUNCIL, COUNCIL + "    procedure: {actor_costs: {zz: 3}}\n"))
    err = one_line_error(path)
    assert err.location.field == "bodies[0].procedure.actor_costs.zz"
    assert "unknown actor 'zz'" in str(err)
