"""Build scenarios/nato-record/*.yaml from tests/data/facts/nato_consensus_decisions.csv.

One scenario file per recorded NATO consensus decision: the allies that were members on the
decision date (``Actor.joined``), the Secretary General, one issue with its status quo, the
stances coded from the row's text by the rules in scenarios/nato-record/README.md, and the
``record`` block mapped from the row's ``outcome_code``.

The coding is a table (:data:`CODES`): for every ally the row names, the role it played and the
words of the row that justify the role. Roles map to numbers by :data:`ROLES` only; nothing here
looks at a forecast.

Usage: PYTHONPATH=src .venv/bin/python scripts/build_nato_record.py
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from facts import REL, ROOT, rows

from accord.scenario.io import save
from accord.scenario.schema import Scenario

DECISIONS = "nato_consensus_decisions.csv"
ACCESSION = "nato_members_accession.csv"
SIPRI = "sipri_milex_2022_2023.csv"
OUT = ROOT / "scenarios" / "nato-record"

# ------------------------------------------------------------------ roles -> numbers


@dataclass(frozen=True)
class Role:
    """How a role is coded on the 0 (status quo) .. 100 (proposal as tabled) scale."""

    position: float
    position_range: tuple[float, float]
    salience: float
    salience_range: tuple[float, float]
    meaning: str


#: The coding rules (README, "Roles"): one row per role, the same numbers for every decision.
ROLES: dict[str, Role] = {
    "proposer": Role(
        100, (80, 100), 0.7, (0.5, 0.9), "tabled or pressed for the proposal (named as such)"
    ),
    "support": Role(100, (80, 100), 0.5, (0.3, 0.7), "said it backed the proposal"),
    "sg": Role(
        100,
        (80, 100),
        0.5,
        (0.3, 0.7),
        "the Secretary General circulates the draft (agenda setter, no vote)",
    ),
    "veto": Role(
        0,
        (0, 10),
        0.9,
        (0.7, 1.0),
        "vetoed, blocked, withheld ratification, or made the decision conditional "
        "('no X without Y')",
    ),
    "oppose": Role(
        10,
        (0, 30),
        0.7,
        (0.5, 0.9),
        "opposed, objected, refused, feared the step, led the opposition, or threatened a veto "
        "it did not use",
    ),
    "weaker": Role(
        25,
        (10, 40),
        0.5,
        (0.3, 0.7),
        "wanted a weaker, later or different version ('too early', 'not ready', 'more measured', "
        "'preferred ...', 'caution', proposed an alternative), or objected at first and dropped "
        "the objection",
    ),
    "reserve": Role(
        40,
        (25, 55),
        0.3,
        (0.1, 0.5),
        "acquiesced with a reservation or criticism (the row's reservation column), or was "
        "expected by a third party to resist",
    ),
    "optout": Role(
        0, (0, 20), 0.6, (0.4, 0.8), "stayed out of the decision's application (opt-out column)"
    ),
    "default": Role(
        100,
        (60, 100),
        0.1,
        (0.05, 0.25),
        "no public position: acquiesces in the draft on the table (low salience near the "
        "mainstream, i.e. the draft)",
    ),
}

# ------------------------------------------------------------------ the coding table


@dataclass(frozen=True)
class Code:
    """One ally's role in one decision and the row's words that justify it."""

    actor: str
    role: str
    cue: str


@dataclass(frozen=True)
class Case:
    """The per-decision coding: named allies, the SG's part, and a diluted outcome's value."""

    codes: tuple[Code, ...] = ()
    sg: bool = True
    diluted_value: float | None = None
    diluted_cue: str = ""
    scale_note: str = ""


KEPT = "key element of the proposal kept with conditions added"
DROPPED = "key element of the proposal dropped, replaced by something close to the status quo"
MIDDLE = "no cue either way (midpoint convention)"

CODES: dict[str, Case] = {
    "2003-isaf-command": Case(
        (
            Code("deu", "proposer", "'at DEU/NLD request'"),
            Code("nld", "proposer", "'at DEU/NLD request'"),
            Code("fra", "weaker", "'FRA initially resisted ... and dropped its objection'"),
            Code("bel", "reserve", "reservation column: FRA;BEL ('had expressed reservations')"),
        )
    ),
    "2008-bucharest-croatia-albania-invitation": Case(
        (Code("grc", "support", "'Greece said it backed inviting them'"),)
    ),
    "2008-bucharest-macedonia-invitation": Case(
        (Code("grc", "veto", "'no solution means no invitation'"),)
    ),
    "2008-bucharest-ukraine-georgia-map": Case(
        (
            Code("usa", "proposer", "'US had pressed for MAP'"),
            Code("deu", "weaker", "'Too early; risk of antagonising Russia'"),
            Code("fra", "weaker", "'Too early; risk of antagonising Russia'"),
        ),
        diluted_value=25,
        diluted_cue="'No MAP; declaration instead stated these countries will become members': "
        + DROPPED,
    ),
    "2008-12-map-deferred-anp": Case(
        (
            Code(
                "deu", "oppose", "'Germany led the opposing group'; 'Fear that MAPs would provoke'"
            ),
            Code("fra", "oppose", "'Fear that MAPs would provoke Russia (BBC on DEU/FRA/ITA)'"),
            Code("ita", "oppose", "'Fear that MAPs would provoke Russia (BBC on DEU/FRA/ITA)'"),
        )
    ),
    "2009-nrc-resumption": Case(
        (
            Code("ltu", "weaker", "'Lithuania initially objected, calling resumption premature'"),
            Code("cze", "reserve", "'Czech Republic also criticised the move'; reservation column"),
        )
    ),
    "2009-rasmussen-secretary-general": Case(
        (
            Code("dnk", "proposer", "the nominee's own state ('Anders Fogh Rasmussen (Denmark)')"),
            Code("tur", "oppose", "'Turkey dropped its veto threat after US mediation'"),
            Code("usa", "support", "'Obama mediation'; 'Obama guaranteed a Turkish deputy'"),
        ),
        sg=False,
    ),
    "2011-libya-unified-protector": Case(
        (
            Code("tur", "oppose", "'TUR: opposed Western air strikes and any role beyond ...'"),
            Code("fra", "weaker", "'FRA: preferred coalition/political control outside NATO'"),
        ),
        diluted_value=75,
        diluted_cue="'full command on 27 Mar ... rules of engagement strictly limiting strikes': "
        + KEPT,
    ),
    "2014-wales-defence-investment-pledge": Case(),
    "2015-montenegro-invitation": Case(),
    "2016-warsaw-enhanced-forward-presence": Case(),
    "2016-2017-partnership-austria-veto": Case(
        (Code("tur", "veto", "'Turkey's veto aimed at Austria froze partnership activities'"),)
    ),
    "2018-north-macedonia-invitation": Case(
        (Code("grc", "veto", "'Invitation blocked by Greece since Bucharest 2008'"),)
    ),
    "2019-london-china-language": Case(),
    "2021-brussels-china-language": Case(
        (
            Code(
                "fra", "reserve", "reservation column; Macron: 'China has nothing to do with ...'"
            ),
            Code("deu", "reserve", "reservation column; Merkel: threat should not be overstated"),
        )
    ),
    "2022-finland-sweden-invitation": Case(
        (Code("tur", "veto", "'Turkey stopped the NAC from opening accession talks'"),)
    ),
    "2022-madrid-ip4-participation": Case(),
    "2022-madrid-strategic-concept-china": Case(
        (
            Code("usa", "proposer", "'US and UK pushed stronger language'"),
            Code("gbr", "proposer", "'US and UK pushed stronger language'"),
            Code("fra", "weaker", "'France and Germany ... favoured more measured wording'"),
            Code("deu", "weaker", "'France and Germany ... favoured more measured wording'"),
        ),
        diluted_value=50,
        diluted_cue="'systemic challenges ... short of adversary, balanced by openness': " + MIDDLE,
    ),
    "2017-2023-nato-ukraine-commission-hungary": Case(
        (Code("hun", "veto", "'Hungary vetoed the 6 Dec 2017 NUC ministerial'"),)
    ),
    "2022-2023-finland-ratification": Case(
        (
            Code("tur", "veto", "'TUR: tied ratification to Nordic counter-terrorism steps'"),
            Code("hun", "veto", "'HUN: repeated postponement'"),
        ),
        sg=False,
    ),
    "2023-secretary-general-succession": Case(sg=False),
    "2023-vilnius-ukraine-membership-language": Case(
        (
            Code(
                "usa",
                "weaker",
                "'absence of an invitation mainly [due] to US caution' (single source)",
            ),
        ),
        diluted_value=25,
        diluted_cue="'no invitation or timetable; NATO-Ukraine Council created': " + DROPPED,
    ),
    "2023-nato-japan-itpp": Case(),
    "2023-tokyo-liaison-office": Case(
        (Code("fra", "oppose", "'France opposed (FT, 5 Jun 2023)'"),)
    ),
    "2022-2024-sweden-ratification": Case(
        (
            Code("tur", "veto", "'TUR: ... linked parliamentary approval to US F-16 sale'"),
            Code("hun", "veto", "'Hungarian parliament ratified on 26 Feb 2024' after delay"),
        ),
        sg=False,
    ),
    "2024-ukraine-funding-pledge": Case(
        (Code("hun", "optout", "opt-out column: 'Hungary allowed to stay out'"),),
        diluted_value=25,
        diluted_cue="'Fund idea abandoned ... replaced by ... roughly the existing average': "
        + DROPPED,
    ),
    "2024-washington-china-language": Case(),
    "2024-washington-irreversible-path": Case(
        (
            Code("usa", "weaker", "'US and German officials had proposed bridge ... instead'"),
            Code("deu", "weaker", "'US and German officials had proposed bridge ... instead'"),
            Code("hun", "reserve", "'a US official expected Hungary to resist'"),
        ),
        diluted_value=75,
        diluted_cue="''irreversible' paired with reform conditions': " + KEPT,
    ),
    "2025-hague-5pct-spending": Case(
        (
            Code("esp", "optout", "opt-out column; '5% unreasonable and counterproductive'"),
            Code("svk", "reserve", "reservation column; Pellegrini 'would not break consensus'"),
        )
    ),
    "2025-hague-declaration-scope": Case(
        (
            Code("usa", "oppose", "'Trump refused traditional accusations against Russia'"),
            Code(
                "hun", "weaker", "'Hungary's FM said there would be no irreversible path wording'"
            ),
        ),
        diluted_value=25,
        diluted_cue="'five-paragraph declaration ... no explicit condemnation ... no Ukraine "
        "membership language': " + DROPPED,
        scale_note="Here 100 = a declaration that restates Washington 2024's Russia and Ukraine "
        "language and 0 = no new text on them (the Washington text stays the last word).",
    ),
}

#: outcome_code -> record outcome (README, "Record").
OUTCOMES = {
    "passed": "passes",
    "passed_diluted": "diluted",
    "passed_with_opt_out": "passes_with_opt_outs",
    "delayed_then_passed": "delayed",
    "shelved": "blocked",
    "blocked": "blocked",
}

RATIFICATION_IDS = {"2022-2023-finland-ratification", "2022-2024-sweden-ratification"}

# ------------------------------------------------------------------ allies and joining dates

ISO = {
    "Belgium": "bel",
    "Canada": "can",
    "Denmark": "dnk",
    "France": "fra",
    "Iceland": "isl",
    "Italy": "ita",
    "Luxembourg": "lux",
    "Netherlands": "nld",
    "Norway": "nor",
    "Portugal": "prt",
    "United Kingdom": "gbr",
    "United States": "usa",
    "Greece": "grc",
    "Türkiye": "tur",
    "Germany": "deu",
    "Spain": "esp",
    "Czechia": "cze",
    "Hungary": "hun",
    "Poland": "pol",
    "Bulgaria": "bgr",
    "Estonia": "est",
    "Latvia": "lva",
    "Lithuania": "ltu",
    "Romania": "rou",
    "Slovakia": "svk",
    "Slovenia": "svn",
    "Albania": "alb",
    "Croatia": "hrv",
    "Montenegro": "mne",
    "North Macedonia": "mkd",
    "Finland": "fin",
    "Sweden": "swe",
}
SIPRI_NAME = {"United States": "United States of America"}

#: The day each accession year stands for where the accession file gives only the year.
#: These days are NATO's published accession dates (not in the facts file); what decides
#: membership for the record is only whether a decision falls before or after them, and no
#: decision of the record falls between 1 January and the day in the same year except those
#: listed in the README ("Membership").
ACCESSION_DAY = {
    1949: dt.date(1949, 8, 24),  # North Atlantic Treaty in force
    1952: dt.date(1952, 2, 18),
    1955: dt.date(1955, 5, 6),
    1982: dt.date(1982, 5, 30),
    1999: dt.date(1999, 3, 12),
    2004: dt.date(2004, 3, 29),
    2009: dt.date(2009, 4, 1),
    2017: dt.date(2017, 6, 5),  # also in nato_consensus_decisions.csv, 2015-montenegro row
    2020: dt.date(2020, 3, 27),  # also in nato_consensus_decisions.csv, 2018 North Macedonia row
}


def parse_date(text: str, fallback_text: str = "") -> dt.date:
    """A row's date: ISO day, or year-month (the day named in ``fallback_text`` if it gives one
    for that month, else the 1st)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m is None:
        raise ValueError(f"unreadable date {text!r}")
    year, month = int(m.group(1)), int(m.group(2))
    month_name = dt.date(year, month, 1).strftime("%b")
    d = re.search(rf"(\d{{1,2}})(?:-\d{{1,2}})? {month_name}\w* {year}", fallback_text)
    return dt.date(year, month, int(d.group(1)) if d else 1)


def cite(name: str, line: int, what: str) -> str:
    return f"{REL}/{name}, line {line} ({what})"


def main() -> None:
    sipri = {r["country_sipri"]: (ln, r) for ln, r in rows(SIPRI)}
    allies: list[dict[str, Any]] = []
    joined: dict[str, dt.date] = {}
    for ln, r in rows(ACCESSION):
        aid = ISO[r["country"]]
        day = (
            dt.date.fromisoformat(r["accession_date"])
            if r["accession_date"]
            else ACCESSION_DAY[int(r["accession_year"])]
        )
        joined[aid] = day
        sl, sr = sipri[SIPRI_NAME.get(r["country"], r["country"])]
        milex = float(sr["milex_2023_current_usd_m"]) / 1000
        if milex > 0:
            cap: dict[str, Any] = {
                "value": round(milex, 4),
                "source": cite(SIPRI, sl, r["country"])
                + "; SIPRI 2023, current US$ bn; the 2023 figure stands for every year of the "
                "record (the procedure itself does not use capability, only the value models do)",
                "unit": "USD bn",
            }
        else:
            cap = {
                "value": 0.05,
                "source": cite(SIPRI, sl, r["country"])
                + "; SIPRI reports 0 (no armed forces): assumed 0.05, range 0-0.1",
                "assumed": True,
                "range": [0.0, 0.1],
                "unit": "USD bn",
            }
        how = (
            "accession_date column"
            if r["accession_date"]
            else f"year {r['accession_year']}; day from NATO's accession record (README)"
        )
        allies.append(
            {
                "id": aid,
                "name": r["country"],
                "capability": cap,
                "joined_day": day,
                "description": f"NATO member from {day.isoformat()} "
                f"({cite(ACCESSION, ln, r['country'])}, {how}).",
            }
        )
    sg = {
        "id": "nato-sg",
        "name": "NATO Secretary General",
        "kind": "organisation",
        "capability": {
            "value": 10.0,
            "source": "assumed: chairs the Council and circulates drafts "
            f"({REL}/nato_decision_rules.csv, line 4, silence procedure) but has no budget or "
            "vote; put at a small ally's military spending, range 2-30 (as in japan-nato)",
            "assumed": True,
            "range": [2.0, 30.0],
            "unit": "USD bn",
        },
        "description": "Agenda setter; no vote, no veto (not a member of the bodies).",
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.yaml"):
        old.unlink()
    seen = set()
    for line, row in rows(DECISIONS):
        rid = row["id"]
        seen.add(rid)
        write_case(line, row, CODES[rid], allies, sg)
    missing = set(CODES) - seen
    if missing:
        raise ValueError(f"codes for unknown decisions: {sorted(missing)}")


def split(cell: str) -> list[str]:
    return [c.strip().lower() for c in cell.split(";") if c.strip()]


def stance(actor: str, role: str, source: str) -> dict[str, Any]:
    r = ROLES[role]
    return {
        "actor": actor,
        "position": {
            "value": r.position,
            "source": source,
            "assumed": True,
            "range": list(r.position_range),
        },
        "salience": {
            "value": r.salience,
            "source": source,
            "assumed": True,
            "range": list(r.salience_range),
        },
    }


def write_case(
    line: int, row: dict[str, str], case: Case, allies: list[dict[str, Any]], sg: dict[str, Any]
) -> None:
    rid = row["id"]
    here = cite(DECISIONS, line, rid)
    code = row["outcome_code"]
    delayed = code == "delayed_then_passed"
    resolved = parse_date(row["date_resolved"], row["outcome_description"])
    proposed = parse_date(row["date_proposed"]) if row["date_proposed"] else None
    # A delayed decision is first taken (and blocked) when proposed; it passes at the next window.
    decision = proposed if delayed and proposed is not None else resolved
    ratification = rid in RATIFICATION_IDS
    body_id = "allied-ratification" if ratification else "nac"

    members = [a for a in allies if a["joined_day"] <= decision]
    member_ids = {a["id"] for a in members}
    named = {c.actor: c for c in case.codes}
    unknown = set(named) - member_ids
    if unknown:
        raise ValueError(f"{rid}: coded actors {sorted(unknown)} were not members on {decision}")
    for column in ("objectors", "acquiesced_with_reservation", "opt_outs"):
        missing = set(split(row[column])) - set(named)
        if missing:
            raise ValueError(f"{rid}: {column} {sorted(missing)} have no code")

    stances: list[dict[str, Any]] = []
    if case.sg:
        stances.append(
            stance(
                "nato-sg",
                "sg",
                f"{here}; role 'sg' ({ROLES['sg'].meaning}); assumed, coding rule in "
                "scenarios/nato-record/README.md",
            )
        )
    for a in members:
        c = named.get(a["id"])
        if c is None:
            text = (
                f"{here}: no public position of {a['name']} in the row; role 'default' "
                f"({ROLES['default'].meaning}); assumed, coding rule in "
                "scenarios/nato-record/README.md"
            )
            stances.append(stance(a["id"], "default", text))
        else:
            text = (
                f"{here}: {c.cue}; role '{c.role}' ({ROLES[c.role].meaning}); assumed, coding "
                "rule in scenarios/nato-record/README.md"
            )
            stances.append(stance(a["id"], c.role, text))

    outcome = OUTCOMES[code]
    reservations = split(row["acquiesced_with_reservation"])
    if outcome == "passes" and reservations:
        outcome = "passes_with_reservations"
    if outcome == "diluted":
        if case.diluted_value is None:
            raise ValueError(f"{rid}: diluted without a coded value")
        value = case.diluted_value
        value_note = f"value {value:g} assumed: {case.diluted_cue}"
    elif outcome == "blocked":
        value, value_note = 0.0, "value 0: nothing adopted (the status quo stands)"
    else:
        value, value_note = 100.0, "value 100: the proposal as tabled was adopted"
        if delayed:
            value_note += f" at the next window ({resolved.isoformat()})"
    record: dict[str, Any] = {
        "outcome": outcome,
        "value": value,
        "date": resolved,
        "source": f"{here}: outcome_code '{code}' -> '{outcome}' (mapping in "
        f"scenarios/nato-record/README.md); {row['outcome_description']}",
        "objectors": split(row["objectors"]),
        "reservations": reservations,
        "opt_outs": split(row["opt_outs"]),
        "note": value_note
        + (f"; delay {row['delay_months']} months" if row["delay_months"] else "")
        + (
            f"; linkage or side payment: {row['linkage_or_side_payment']}"
            if row["linkage_or_side_payment"]
            else ""
        ),
    }

    issue: dict[str, Any] = {
        "id": rid,
        "name": row["decision"],
        "description": f"{row['scale_description']}. 0 = the status quo ({row['status_quo']}); "
        f"100 = the proposal as tabled ({row['decision']}). {case.scale_note} "
        f"Objectors' stance in the record: {row['objector_stance']}. Coded from {here}.".replace(
            "  ", " "
        ),
        "dimensions": [
            {
                "id": "adoption",
                "name": "how much of the proposal is adopted",
                "lo": 0,
                "hi": 100,
                "lo_label": "status quo",
                "hi_label": "proposal as tabled",
                "unit": "points",
            }
        ],
        "status_quo": {"value": 0.0, "source": f"{here}: status_quo '{row['status_quo']}'"},
        "body": body_id,
        "decision_date": decision,
        "stances": stances,
        "record": record,
    }
    if delayed:
        issue["next_window"] = resolved
    if row["opt_outs"].strip():
        issue["procedure"] = {"name": "practised", "opt_out": True}

    actors: list[dict[str, Any]] = [sg]
    for a in allies:
        actors.append(
            {
                "id": a["id"],
                "name": a["name"],
                "kind": "state",
                "capability": a["capability"],
                "member_of": ["nac", "allied-ratification"],
                "joined": {"nac": a["joined_day"], "allied-ratification": a["joined_day"]},
                "description": a["description"],
            }
        )
    bodies: list[dict[str, Any]] = [
        {
            "id": "nac",
            "name": "North Atlantic Council",
            "rule": {"kind": "consensus"},
            "procedure": {"name": "practised"},
            "founded": ACCESSION_DAY[1949],
            "agenda_setter": "nato-sg",
            "description": "Decides by consensus, no voting ("
            f"{REL}/nato_decision_rules.csv, line 2); silence procedure (line 4). Founded when "
            "the North Atlantic Treaty entered into force.",
        },
        {
            "id": "allied-ratification",
            "name": "Ratification of an accession protocol by every ally",
            "rule": {"kind": "consensus"},
            "procedure": {"name": "practised"},
            "founded": ACCESSION_DAY[1949],
            "description": "Not a Council decision: each ally's parliament ratifies the "
            "protocol (Article 10, unanimity of the existing members; "
            f"{REL}/{DECISIONS}, ratification rows). Every ally holds a veto, as in the "
            "Council, so the rule is written 'consensus' and the NATO parameters of the "
            "practised procedure apply (one parameter set per kind of body, not the EU's); its "
            "members are the allies on the protocol's signature date; withholding ratification "
            "is the veto.",
        },
    ]
    data = {
        "accord": 1,
        "id": f"nato-record-{rid}"[:64],
        "title": f"NATO record: {row['decision']}"[:200],
        "description": f"One recorded NATO consensus decision ({here}; verification "
        f"'{row['verification']}'; sources: {row['source_urls']}). Stances coded by the rules "
        "in scenarios/nato-record/README.md; every ally without a public position acquiesces "
        "by default (low salience, at the draft, with a range).",
        "sources": {
            "record": f"{REL}/{DECISIONS}",
            "membership": f"{REL}/{ACCESSION} (joining day: README, 'Membership')",
            "capability": f"{REL}/{SIPRI} (2023, current USD bn)",
        },
        "actors": actors,
        "bodies": bodies,
        "issues": [issue],
    }
    scenario = Scenario.model_validate(data)
    save(scenario, OUT / f"{rid}.yaml")


if __name__ == "__main__":
    main()
    print("wrote", len(list(OUT.glob("*.yaml"))), "files to", OUT)
