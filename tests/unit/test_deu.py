"""The DEU TSV importer and the EU Council data it uses."""

from __future__ import annotations

import csv
import datetime as dt
import io
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.data import eu_council
from accord.errors import ScenarioError, UsageError
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import deu
from accord.scenario.schema import ConsensusRule, EUNiceRule, Scenario, WeightedRule

DATA = Path(__file__).parents[1] / "data"
DEV = DATA / "deu" / "deu3_dev.tsv"

HEADER = ["prnr", "isnr", "counvte", "intro", "pcom", "pep", "pde", "pfr", "ppl"]
HEADER += ["scom", "sep", "sde", "sfr", "spl", "rp", "out"]


@cache
def dev_text() -> str:
    return DEV.read_text(encoding="utf-8")


@cache
def dev() -> tuple[list[Scenario], deu.CleaningReport]:
    return deu.read_with_report(dev_text(), DEV.name)


def by_id(issue_id: str) -> Scenario:
    return next(s for s in dev()[0] if s.id == issue_id)


def tsv(*rows: list[str], header: list[str] = HEADER) -> str:
    lines = ["\t".join(f'"{c}"' for c in header)]
    lines += ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def row(
    pos: list[str], sal: list[str], *, out: str = "50", rp: str = "0", rule: str = "QMV"
) -> list[str]:
    return ["d00001", "d00001i1", rule, "01-02-00", *pos, *sal, rp, out]


# --- EU Council data ---------------------------------------------------------------------------


def test_vote_tables_add_up_to_the_treaty_totals() -> None:
    assert sum(eu_council.PRE_NICE.weights.values()) == 87
    nice = eu_council.NICE.weights
    assert sum(nice.values()) == 352
    assert sum(v for k, v in nice.items() if k != "cr") == 345
    assert sum(v for k, v in nice.items() if k not in ("cr", "bu", "ro")) == 321
    assert set(nice) == set(eu_council.STATE_NAMES) == set(eu_council.POPULATION_MILLIONS)


def test_period_switches_on_the_2004_enlargement() -> None:
    assert eu_council.vote_period(dt.date(2004, 4, 30)) == "pre-nice"
    assert eu_council.vote_period(dt.date(2004, 5, 1)) == "nice"
    assert eu_council.largest_weight(dt.date(1999, 1, 1)) == 10
    assert eu_council.largest_weight(dt.date(2010, 1, 1)) == 29
    assert eu_council.council_votes("pl", dt.date(2003, 12, 23)) == 0
    assert eu_council.council_votes("pl", dt.date(2004, 7, 14)) == 27
    assert eu_council.council_votes("bu", dt.date(2005, 5, 30)) == 10
    assert eu_council.council_votes("bu", dt.date(2005, 5, 30), accession_aware=True) == 0
    assert eu_council.qmv_vote_share(dt.date(2000, 1, 1))[0] == pytest.approx(62 / 87)
    assert eu_council.qmv_vote_share(dt.date(2008, 1, 1))[0] == pytest.approx(255 / 345)


def test_capability_options() -> None:
    d = dt.date(2000, 1, 26)
    assert eu_council.capability("com", d, "council-votes").value == 10
    assert eu_council.capability("ep", dt.date(2010, 1, 1), "council-votes").value == 29
    assert eu_council.capability("com", d, "population").value == eu_council.population("de")
    assert eu_council.capability("pl", d, "population").value == 0
    assert eu_council.capability("fr", d, "equal").value == 1
    with pytest.raises(UsageError, match="capability"):
        eu_council.capability("fr", d, "gdp")
    with pytest.raises(UsageError, match="actor code"):
        eu_council.capability("xx", d, "equal")


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date", "reconstructed"),
    [
        ("26-01-00", dt.date(2000, 1, 26), False),
        ("13-03-96", dt.date(1996, 3, 13), False),
        ("14-12-1999", dt.date(1999, 12, 14), False),
        ("2014-07-04", dt.date(2004, 7, 14), True),
        ("1930-05-05", dt.date(2005, 5, 30), True),
    ],
)
def test_parse_intro(text: str, date: dt.date, reconstructed: bool) -> None:
    assert deu.parse_intro(text) == (date, reconstructed)


@pytest.mark.parametrize("text", ["31-02-00", "abc", "2004/07/14", "", "1-2"])
def test_parse_intro_rejects_bad_dates(text: str) -> None:
    with pytest.raises(ScenarioError, match="intro"):
        deu.parse_intro(text, source="x.tsv", line=7)


# --- the dev file --------------------------------------------------------------------------------


def test_sniff() -> None:
    assert deu.sniff(dev_text())
    assert not deu.sniff((DATA / "ktab" / "dummyData_3Dim.csv").read_text())
    assert not deu.sniff("a\tb\nc\td\n")


def test_dev_cleaning_counts() -> None:
    scenarios, report = dev()
    assert report.rows_read == 256
    assert report.scored == len(scenarios) == 244
    assert report.skipped_by_reason() == {deu.REASON_NO_OUTCOME: 10, deu.REASON_FEW_ACTORS: 2}
    assert report.positions_without_salience == 37
    assert report.intro_reconstructed == 92
    assert report.intro_year_mismatches == []
    line = report.summary()
    assert "256 rows read" in line and "244 scored" in line and "12 skipped" in line


def test_every_intro_year_matches_the_proposal_number() -> None:
    for scenario in dev()[0]:
        meta = deu.issue_metadata(scenario.issues[0])
        assert int(meta["prnr"][1:3]) == dt.date.fromisoformat(meta["intro"]).year % 100


def test_first_row() -> None:
    s = by_id("d00032i1")
    issue = s.issues[0]
    assert [a.id for a in s.actors][:4] == ["com", "ep", "at", "be"]
    assert issue.outcome is not None and issue.outcome.value == 100
    assert issue.status_quo is not None and issue.status_quo.value == 0
    assert issue.salience_scale == 100
    assert (issue.dimensions[0].lo, issue.dimensions[0].hi) == (0, 100)
    assert s.actor("com").capability.value == 10
    assert s.actor("de").capability.value == 10
    assert s.actor("at").attributes["council_votes"].value == 4
    assert s.actor("at").member_of == ["council"]
    assert s.actor("com").member_of == []
    rule = s.body("council").rule
    assert isinstance(rule, WeightedRule) and rule.weights == "council_votes"
    assert rule.quota == pytest.approx(62 / 87)
    stance = issue.stances[0]
    assert stance.position.source == "deu3_dev.tsv, line 2, column pcom"
    assert not stance.position.assumed and not stance.salience.assumed
    meta = deu.issue_metadata(issue)
    assert meta["prnr"] == "d00032" and meta["proc"] == "COD" and meta["type"] == "Reg"
    assert meta["intro"] == "2000-01-26" and meta["counvte"] == "QMV"


def test_nice_period_and_unanimity_rows() -> None:
    nice = next(s for s in dev()[0] if deu.issue_metadata(s.issues[0])["prnr"] == "a04163")
    assert nice.actor("com").capability.value == 29
    assert nice.actor("pl").capability.value == 27
    assert isinstance(nice.body("council").rule, EUNiceRule)
    assert nice.body("council").rule.vote_share == pytest.approx(232 / 321)
    unan = [s for s in dev()[0] if deu.issue_metadata(s.issues[0])["counvte"] == "Unan"]
    assert unan and all(isinstance(s.body("council").rule, ConsensusRule) for s in unan)


def test_new_member_before_2004_has_no_council_vote() -> None:
    s = by_id("n03318i3")  # introduced 23-12-03, with positions of five 2004 entrants
    assert deu.issue_metadata(s.issues[0])["intro"] == "2003-12-23"
    for code in ("ee", "lv", "lt", "mt", "pl"):
        assert s.actor(code).capability.value == 0
        assert s.actor(code).member_of == []
        assert code in [st.actor for st in s.issues[0].stances]
    assert s.actor("fr").capability.value == 10


def test_vote_weight_salience_mean_reproduces_the_brief() -> None:
    """models.md section 6: vote-weight x salience mean 22.40 on the dev split."""
    errors = []
    for s in dev()[0]:
        a = issue_arrays(s, s.issues[0].id)
        w = a.capabilities * a.saliences[:, 0]
        assert w.sum() > 0
        forecast = float(w @ a.positions[:, 0] / w.sum())
        assert s.issues[0].outcome is not None
        errors.append(abs(forecast - float(s.issues[0].outcome.values()[0])))
    assert np.mean(errors) == pytest.approx(22.40, abs=0.01)


def test_dev_scenarios_pass_validation() -> None:
    from accord.scenario import validate

    problems = [(s.id, p) for s in dev()[0][:60] for p in validate.check(s)]
    assert problems == []


@pytest.mark.parametrize("option", ["population", "equal", "council-votes-accession"])
def test_other_capability_options(option: str) -> None:
    text = "\n".join(dev_text().splitlines()[:21]) + "\n"
    scenarios, _ = deu.read_with_report(text, "slice.tsv", option)
    caps = {a.id: a.capability.value for a in scenarios[0].actors}
    if option == "equal":
        assert set(caps.values()) == {1.0}
    elif option == "population":
        assert caps["com"] == caps["ep"] == eu_council.population("de")
        assert caps["fr"] == eu_council.population("fr")
    else:
        assert caps["com"] == 10 and caps["fr"] == 10
    with pytest.raises(UsageError):
        deu.read_with_report(text, "slice.tsv", "gdp")


# --- cleaning on small texts ----------------------------------------------------------------------


def test_missing_values_and_salience_zero() -> None:
    header = [*HEADER[:4], "pcom", "pep", "pde", "pfr", "ppl", "pit"]
    header += ["scom", "sep", "sde", "sfr", "spl", "sit", "rp", "out"]
    cells = ["d00001", "d00001i1", "QMV", "01-02-00", "100", "999", "30", "150", "40", "-1"]
    cells += ["50", "50", "", "50", "0", "20", "100", "70"]
    scenarios, report = deu.read_with_report(tsv(cells, header=header), "t.tsv")
    assert report.missing_cells == {"999": 1, "empty": 1, "out of range": 2}
    assert report.positions_without_salience == 1  # de
    assert report.skipped_by_reason() == {deu.REASON_FEW_ACTORS: 1}  # com and pl only
    cells[9] = "60"  # it now has a position
    scenarios, report = deu.read_with_report(tsv(cells, header=header), "t.tsv")
    issue = scenarios[0].issues[0]
    assert [(st.actor, st.position.value, st.salience.value) for st in issue.stances] == [
        ("com", 100, 50),
        ("it", 60, 20),
        ("pl", 40, 0),
    ]  # the DEU column order of the actors
    assert issue.status_quo is not None and issue.status_quo.value == 100


def test_rows_that_cannot_form_a_scenario_are_counted() -> None:
    good = row(["100", "50", "0", "20", "40"], ["50", "50", "50", "50", "0"])
    few = row(["100", "999", "", "150", "40"], ["50", "50", "50", "50", ""])
    no_out = row(["100", "50", "0", "20", "40"], ["50", "50", "50", "50", "0"], out="999")
    both = row(["", "", "", "", ""], ["", "", "", "", ""], out="")
    few[1], no_out[1], both[1] = "d00001i2", "d00001i3", "d00001i4"
    scenarios, report = deu.read_with_report(tsv(good, few, no_out, both), "t.tsv")
    assert len(scenarios) == 1
    assert report.rows_read == 4 and report.scored == 1
    assert [(r.line, r.issue) for r in report.skipped] == [
        (3, "d00001i2"),
        (4, "d00001i3"),
        (5, "d00001i4"),
    ]
    assert report.skipped_by_reason() == {deu.REASON_FEW_ACTORS: 2, deu.REASON_NO_OUTCOME: 2}
    assert deu.read(tsv(good, few), "t.tsv")[0].id == "d00001i1"
    with pytest.raises(ScenarioError, match="no issue row"):
        deu.read(tsv(few, no_out), "t.tsv")


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (tsv(row(["x", "50", "0", "20", "40"], ["50"] * 5)), 2, "pcom"),
        (tsv(row(["1", "50", "0", "20", "40"], ["50"] * 5, rule="Majority")), 2, "counvte"),
        (tsv(row(["1", "50", "0", "20", "40"], ["50"] * 5)[:-1]), 2, None),
        (tsv(header=[*HEADER[:4], "pcom", "pxx", "scom", "sxx", "out"]), 1, "pxx"),
        (tsv(header=HEADER[:-1]), 1, "out"),
    ],
)
def test_malformed_content_raises_with_line_and_field(
    text: str, line: int, field: str | None
) -> None:
    with pytest.raises(ScenarioError) as info:
        deu.read_with_report(text, "bad.tsv")
    assert info.value.location.file == "bad.tsv"
    assert info.value.location.line == line
    assert info.value.location.field == field


def test_empty_file_raises() -> None:
    with pytest.raises(ScenarioError, match="empty"):
        deu.read("", "empty.tsv")


# --- writing -------------------------------------------------------------------------------------


def stance_table(s: Scenario) -> list[tuple[str, float, float]]:
    issue = s.issues[0]
    return [(st.actor, st.position.values()[0], st.salience.values(1)[0]) for st in issue.stances]


def test_write_then_read_keeps_the_content() -> None:
    for original in dev()[0][:25]:
        text = deu.write(original)
        assert deu.sniff(text)
        back = deu.read(text, "back.tsv")[0]
        assert stance_table(back) == stance_table(original)
        assert back.issues[0].outcome.values() == original.issues[0].outcome.values()  # type: ignore[union-attr]
        assert (back.issues[0].status_quo is None) == (original.issues[0].status_quo is None)
        assert back.bodies[0].rule == original.bodies[0].rule
        assert [a.capability.value for a in back.actors] == [
            a.capability.value for a in original.actors
        ]
        meta_back, meta = deu.issue_metadata(back.issues[0]), deu.issue_metadata(original.issues[0])
        assert {k: meta_back[k] for k in ("prnr", "isnr", "proc", "type", "intro")} == {
            k: meta[k] for k in ("prnr", "isnr", "proc", "type", "intro")
        }


@settings(max_examples=25, deadline=None)
@given(
    positions=st.lists(st.integers(0, 100) | st.floats(0, 100), min_size=5, max_size=5),
    saliences=st.lists(st.integers(0, 100), min_size=5, max_size=5),
    out=st.integers(0, 100),
)
def test_round_trip_property(positions: list[float], saliences: list[int], out: int) -> None:
    text = tsv(row([repr(p) for p in positions], [str(s) for s in saliences], out=str(out)))
    original = deu.read(text, "h.tsv")[0]
    back = deu.read(deu.write(original), "h.tsv")[0]
    assert stance_table(back) == stance_table(original)
    written = {st.actor: st.position.values()[0] for st in back.issues[0].stances}
    codes = ["com", "ep", "de", "fr", "pl"]
    assert written == {a: float(p) for a, p in zip(codes, positions, strict=True)}


def test_write_rejects_what_deu_cannot_hold() -> None:
    s = by_id("d00032i1")
    issue = s.issues[0]
    wide = s.model_copy(
        update={
            "issues": [
                issue.model_copy(
                    update={"dimensions": [issue.dimensions[0].model_copy(update={"hi": 10.0})]}
                )
            ]
        }
    )
    with pytest.raises(UsageError, match="scale"):
        deu.write(wide)
    with pytest.raises(UsageError, match="no issue"):
        deu.write(s, "nope")


def test_written_header_is_quoted_and_tab_separated() -> None:
    text = deu.write(by_id("d00032i1"))
    header = next(csv.reader(io.StringIO(text), delimiter="\t"))
    assert header[:3] == ["prnrnmc", "isnrnmc", "prnr"]
    assert text.startswith('"prnrnmc"\t"isnrnmc"')
