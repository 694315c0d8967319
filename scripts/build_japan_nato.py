"""Build scenarios/japan-nato/scenario.yaml from tests/data/facts/*.csv (scratch generator).

Usage: .venv/bin/python scripts/build_japan_nato.py [weights.json]
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
import sys
from pathlib import Path
from typing import Any

from facts import ITPP_AREA_SLUGS, REL, ROOT, rows

from accord.scenario import derive
from accord.scenario.io import save
from accord.scenario.schema import Scenario

ORIGIN = {
    "sipri_milex_2022_2023.csv": "SIPRI Military Expenditure Database, April 2024 release",
    "nato_defence_expenditure_pct_gdp_2014_2024.csv": "NATO 'Defence Expenditure of NATO "
    "Countries (2014-2024)', June 2024 (2024 = estimates)",
    "pew_china_unfavorable_2022_2023.csv": "Pew Global Attitudes microdata (derived share "
    "unfavourable to China)",
    "nato_members_china.csv": "CIA World Factbook top-5 partners and documented positions",
    "nato_members_accession.csv": "EATA 'NATO Member Countries'",
    "tokyo_liaison_office_timeline.csv": "Tokyo liaison office timeline",
    "nato_summit_china_indopacific_text.csv": "NATO summit texts",
    "nato_decision_rules.csv": "NATO 'Consensus decision-making at NATO'",
    "itpp_japan_nato_structure.csv": "ITPP structure",
    "ipcp_itpp_history.csv": "IPCP/ITPP history",
}


def src(name: str, line: int | str, label: str, extra: str = "") -> str:
    text = f"{REL}/{name}, line {line} ({label}); {ORIGIN[name]}"
    return text + (f"; {extra}" if extra else "")


# ------------------------------------------------------------------ allies
ISO = {}
china_rows = rows("nato_members_china.csv")
for _line, r in china_rows:
    ISO[r["member"]] = r["iso3"].lower()
ALIAS = {"Türkiye": "Turkey", "United States of America": "United States"}


def iso(name: str) -> str:
    return ISO[ALIAS.get(name, name)]


accession = rows("nato_members_accession.csv")
ALLIES = [(iso(r["country"]), r["country"], line, r) for line, r in accession]
NAMES = {a: n for a, n, _, _ in ALLIES}

sipri = {}
for line, r in rows("sipri_milex_2022_2023.csv"):
    sipri[r["country_sipri"]] = (line, r)
SIPRI_ID = {}
for name, (line, r) in sipri.items():
    if r["nato_member_2024"] == "yes":
        SIPRI_ID[iso(name)] = (line, r)

nato: dict[str, list[tuple[int, dict[str, str]]]] = {}
for line, r in rows("nato_defence_expenditure_pct_gdp_2014_2024.csv"):
    nato.setdefault(r["country"], []).append((line, r))

pew: dict[str, dict[str, tuple[int, dict[str, str]]]] = {}
for line, r in rows("pew_china_unfavorable_2022_2023.csv"):
    pew.setdefault(r["iso3"].lower(), {})[r["year"]] = (line, r)

china = {iso(r["member"]): (line, r) for line, r in china_rows}


def attr(value: Any, source: str, unit: str | None = None, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"value": value, "source": source}
    d.update(kw)
    if unit:
        d["unit"] = unit
    return d


actors: list[dict[str, Any]] = []
pew_allies: dict[str, float] = {}
for a, _name, _line, _r in ALLIES:
    if a in pew:
        y = "2023" if "2023" in pew[a] else "2022"
        pew_allies[a] = float(pew[a][y][1]["unfavorable_pct"])
pew_mean = round(statistics.fmean(pew_allies.values()), 1)
pew_lo, pew_hi = min(pew_allies.values()), max(pew_allies.values())

for a, name, line, r in ALLIES:
    at: dict[str, Any] = {}
    at["accession_year"] = attr(
        int(r["accession_year"]), src("nato_members_accession.csv", line, name)
    )
    sl, sr = SIPRI_ID[a]
    milex = float(sr["milex_2023_current_usd_m"]) / 1000
    if milex > 0:
        cap = attr(
            round(milex, 4),
            src("sipri_milex_2022_2023.csv", sl, sr["country_sipri"], "2023, current US$ m / 1000"),
            "USD bn",
        )
    else:
        cap = attr(
            0.05,
            src("sipri_milex_2022_2023.csv", sl, sr["country_sipri"])
            + "; SIPRI reports 0 (no armed forces): assumed 0.05 so that Iceland keeps a small "
            "voice in the bargaining models; range 0 to 0.1",
            "USD bn",
            assumed=True,
            range=[0.0, 0.1],
        )
    at["milex_2023_usd_bn"] = attr(
        round(milex, 4), src("sipri_milex_2022_2023.csv", sl, sr["country_sipri"]), "USD bn"
    )
    with contextlib.suppress(ValueError):  # no 2023 share in SIPRI: leave the attribute out
        at["milex_share_gdp_2023_pct"] = attr(
            float(sr["milex_share_gdp_2023_pct"]),
            src("sipri_milex_2022_2023.csv", sl, sr["country_sipri"]),
            "% of GDP",
        )
    nrows = nato.get(name, [])
    by = {(x["series"], x["year"]): (ln, x) for ln, x in nrows}
    k24 = ("NATO June 2024 release (estimate)", "2024")
    k14 = ("NATO June 2024 release", "2014")
    if k24 in by:
        l24, r24 = by[k24]
        at["defence_pct_gdp"] = attr(
            float(r24["pct_gdp"]),
            src("nato_defence_expenditure_pct_gdp_2014_2024.csv", l24, f"{name}, 2024 estimate"),
            "% of GDP",
        )
        l14, r14 = by[k14]
        at["nato_pct_gdp_2014"] = attr(
            float(r14["pct_gdp"]),
            src("nato_defence_expenditure_pct_gdp_2014_2024.csv", l14, f"{name}, 2014"),
            "% of GDP",
        )
        at["defence_increase_2014_2024_pp"] = attr(
            round(float(r24["pct_gdp"]) - float(r14["pct_gdp"]), 2),
            f"{REL}/nato_defence_expenditure_pct_gdp_2014_2024.csv, lines {l14} and {l24} "
            f"({name}): 2024 estimate minus 2014; {ORIGIN['nato_defence_expenditure_pct_gdp_2014_2024.csv']}",
            "percentage points",
        )
    else:
        (ln, x) = nrows[0]
        reason = (
            src("nato_defence_expenditure_pct_gdp_2014_2024.csv", ln, name)
            + ": Iceland has no armed forces and is left out of NATO's table; assumed 0 "
            "(range 0 to 0.5 for its coast guard and host-nation costs)"
        )
        at["defence_pct_gdp"] = attr(0.0, reason, "% of GDP", assumed=True, range=[0.0, 0.5])
        at["defence_increase_2014_2024_pp"] = attr(
            0.0, reason, "percentage points", assumed=True, range=[0.0, 0.5]
        )
    if a in pew:
        y = "2023" if "2023" in pew[a] else "2022"
        pl, pr = pew[a][y]
        v = float(pr["unfavorable_pct"])
        at["pew_china_unfavourable_pct"] = attr(
            v, src("pew_china_unfavorable_2022_2023.csv", pl, f"{name}, {y}"), "% of adults"
        )
        at["threat_china"] = attr(
            v,
            src("pew_china_unfavorable_2022_2023.csv", pl, f"{name}, {y}")
            + "; the share unfavourable to China is the proxy for threat perception of China",
            "0-100",
        )
    else:
        at["threat_china"] = attr(
            pew_mean,
            "assumed: Pew did not survey this ally in 2022-2023; value = mean of the "
            f"{len(pew_allies)} allies surveyed ({REL}/pew_china_unfavorable_2022_2023.csv, "
            f"latest year per ally), range = their lowest and highest ({pew_lo:g}, {pew_hi:g})",
            "0-100",
            assumed=True,
            range=[pew_lo, pew_hi],
        )
    cl, cr = china[a]
    nm = cr["member"]
    notes = cr["trade_share_notes"]
    if cr["china_share_imports_2023_pct"]:
        at["china_import_share_pct"] = attr(
            float(cr["china_share_imports_2023_pct"]),
            src("nato_members_china.csv", cl, f"{nm}, imports 2023"),
            "% of imports",
        )
    elif cr["china_share_imports_2022_pct"]:
        at["china_import_share_pct"] = attr(
            float(cr["china_share_imports_2022_pct"]),
            src("nato_members_china.csv", cl, f"{nm}, imports 2022")
            + "; 2022 figure used, China not in the 2023 top five",
            "% of imports",
        )
    else:
        m = re.search(r"imports 2023: China not in top-5 partners \(<=(\d+)%", notes)
        if m is None:
            m = re.search(r"imports 2022: China not in top-5 \(<=(\d+)%", notes)
        if m is None:
            raise ValueError(f"nato_members_china.csv, line {cl}: no China import share for {nm}")
        ub = float(m.group(1))
        at["china_import_share_pct"] = attr(
            ub / 2,
            src("nato_members_china.csv", cl, nm)
            + f": China is not among the top five import partners (share <= {ub:g}%); "
            "assumed half the upper bound, range 0 to the bound",
            "% of imports",
            assumed=True,
            range=[0.0, ub],
        )
    bri = cr["bri_mou"].strip().lower()
    if bri == "yes":
        at["bri_mou_2023"] = attr(
            1.0, src("nato_members_china.csv", cl, f"{nm}, bri_mou"), "1 = signed"
        )
    elif bri == "unclear":
        at["bri_mou_2023"] = attr(
            0.5,
            src("nato_members_china.csv", cl, f"{nm}, bri_mou = unclear") + "; assumed 0.5",
            "1 = signed",
            assumed=True,
            range=[0.0, 1.0],
        )
    else:
        at["bri_mou_2023"] = attr(
            0.0,
            src("nato_members_china.csv", cl, f"{nm}, bri_mou = '{cr['bri_mou'] or 'none found'}'"),
            "1 = signed",
        )
    ips = cr["indo_pacific_strategy"].strip()
    has = 1.0 if ips and not ips.lower().startswith("no ") else 0.0
    at["indo_pacific_strategy"] = attr(
        has,
        src("nato_members_china.csv", cl, f"{nm}, indo_pacific_strategy = '{ips[:60] or 'none'}'"),
        "1 = national strategy",
    )
    pos = cr["position_nato_china_or_tokyo_office"].strip()
    if pos:
        at["stated_position"] = attr(pos, src("nato_members_china.csv", cl, nm))
    actors.append(
        {
            "id": a,
            "name": name,
            "kind": "state",
            "capability": cap,
            "attributes": at,
            "member_of": ["nac"],
        }
    )

# Japan, SG, outside actors
jl, jr = sipri["Japan"]
pjl, pjr = pew["jpn"]["2023"]
japan = {
    "id": "jpn",
    "name": "Japan",
    "kind": "state",
    "capability": attr(
        round(float(jr["milex_2023_current_usd_m"]) / 1000, 4),
        src("sipri_milex_2022_2023.csv", jl, "Japan", "2023, current US$ m / 1000"),
        "USD bn",
    ),
    "attributes": {
        "milex_2023_usd_bn": attr(
            round(float(jr["milex_2023_current_usd_m"]) / 1000, 4),
            src("sipri_milex_2022_2023.csv", jl, "Japan"),
            "USD bn",
        ),
        "defence_pct_gdp": attr(
            float(jr["milex_share_gdp_2023_pct"]),
            src("sipri_milex_2022_2023.csv", jl, "Japan, share of GDP 2023")
            + "; SIPRI's figure, as NATO publishes none for Japan",
            "% of GDP",
        ),
        "pew_china_unfavourable_pct": attr(
            float(pjr["unfavorable_pct"]),
            src("pew_china_unfavorable_2022_2023.csv", pjl, "Japan, 2023"),
            "% of adults",
        ),
        "threat_china": attr(
            float(pjr["unfavorable_pct"]),
            src("pew_china_unfavorable_2022_2023.csv", pjl, "Japan, 2023")
            + "; the share unfavourable to China is the proxy for threat perception of China",
            "0-100",
        ),
        "threat_russia": attr(
            70.0,
            "assumed: Japan has a territorial dispute with Russia and calls its security "
            "environment the most severe since 1945 (project brief, /work/shared/brief/README.md; "
            "Japan's National Security Strategy 2022); no survey figure in the facts; range 50-85",
            "0-100",
            assumed=True,
            range=[50.0, 85.0],
        ),
        "threat_dprk": attr(
            90.0,
            "assumed: North Korean missiles overfly and land near Japan, and Japan names North "
            "Korea among its three territorial/security disputes (project brief); no survey "
            "figure in the facts; range 75-100",
            "0-100",
            assumed=True,
            range=[75.0, 100.0],
        ),
        "china_import_share_pct": attr(
            20.0,
            "assumed: not in the facts files (they cover NATO allies only); China is Japan's "
            "largest import source at about a fifth of imports in 2023 (Japan MOF trade "
            "statistics, not stored); range 15-25",
            "% of imports",
            assumed=True,
            range=[15.0, 25.0],
        ),
        "indo_pacific_strategy": attr(
            1.0,
            "Japan's 'Free and Open Indo-Pacific' vision (2016; new plan 2023) - not in the "
            "facts files; coded 1 like the allies with a national Indo-Pacific strategy",
            "1 = national strategy",
        ),
    },
    "description": "Partner outside the alliance: holds stances (it bargains with the allies) "
    "but no vote in the North Atlantic Council.",
}
sg = {
    "id": "nato-sg",
    "name": "NATO Secretary General",
    "kind": "organisation",
    "capability": attr(
        10.0,
        "assumed: the Secretary General chairs the Council and facilitates consensus "
        f"({REL}/nato_decision_rules.csv, line 2) but commands no budget of his own; influence "
        "put on the allies' scale (USD bn of military spending) at about a small ally's, range 2-30",
        "USD bn",
        assumed=True,
        range=[2.0, 30.0],
    ),
    "description": "Agenda setter of the North Atlantic Council (circulates drafts; silence "
    f"procedure, {REL}/nato_decision_rules.csv, line 4); no vote and no veto, so not a member "
    "of the 'nac' body.",
}


def outside(
    aid: str, name: str, sipri_name: str | None, desc: str, extra_attrs: dict[str, Any]
) -> dict[str, Any]:
    if sipri_name is not None:
        ln, r = sipri[sipri_name]
        cap = attr(
            round(float(r["milex_2023_current_usd_m"]) / 1000, 4),
            src(
                "sipri_milex_2022_2023.csv",
                ln,
                sipri_name,
                f"2023, current US$ m / 1000; SIPRI flag '{r['sipri_flag_2023'] or 'none'}'",
            ),
            "USD bn",
        )
        attrs = {
            "milex_2023_usd_bn": dict(cap),
            "milex_share_gdp_2023_pct": attr(
                float(r["milex_share_gdp_2023_pct"]),
                src("sipri_milex_2022_2023.csv", ln, sipri_name),
                "% of GDP",
            ),
        }
    else:
        cap = attr(
            4.0,
            "assumed: SIPRI publishes no figure for North Korea (not in "
            f"{REL}/sipri_milex_2022_2023.csv); order-of-magnitude guess, range 1-10",
            "USD bn",
            assumed=True,
            range=[1.0, 10.0],
        )
        attrs = {}
    attrs.update(extra_attrs)
    return {
        "id": aid,
        "name": name,
        "kind": "state",
        "capability": cap,
        "attributes": attrs,
        "description": desc,
    }


tl = {r["date"]: (ln, r) for ln, r in rows("tokyo_liaison_office_timeline.csv")}
l_may = tl["2023-05"][0]
chn = outside(
    "chn",
    "China",
    "China",
    "Outside actor: an object of the allies' threat perception; no seat in the Council, so no "
    "stance in the Council's issues (its stated view is kept as an attribute).",
    {
        "stated_position_tokyo_office": attr(
            "oppose: an office 'would not be welcome'",
            src("tokyo_liaison_office_timeline.csv", l_may, "2023-05"),
        )
    },
)
rus = outside(
    "rus",
    "Russia",
    "Russia",
    "Outside actor: an object of the allies' threat perception; no stances.",
    {},
)
prk = outside(
    "prk",
    "North Korea",
    None,
    "Outside actor: an object of Japan's and the allies' threat perception; no stances.",
    {},
)
actors = [japan, sg, *actors, chn, rus, prk]
ALLY_IDS = [a for a, *_ in ALLIES]

# ------------------------------------------------------------------ body
rules = rows("nato_decision_rules.csv")
body = {
    "id": "nac",
    "name": "North Atlantic Council",
    "rule": {"kind": "consensus"},
    "agenda_setter": "nato-sg",
    "description": f"Decides by consensus, no voting, at every level ({REL}/nato_decision_rules.csv, "
    f"line {rules[0][0]}); a single ally's objection sufficed to shelve the Tokyo office "
    f"(line {rules[3][0]}). Members: the 32 allies (Sweden joined on 7 March 2024).",
}

# ------------------------------------------------------------------ issues


def point(value: Any, source: str, assumed: bool = False) -> dict[str, Any]:
    d = {"value": value, "source": source}
    if assumed:
        d["assumed"] = True
    return d


def stance(
    actor: str,
    pos: Any,
    psrc: str,
    sal: float,
    ssrc: str,
    *,
    prange: list[Any] | None = None,
    srange: list[float] | None = None,
    passumed: bool = False,
) -> dict[str, Any]:
    p: dict[str, Any] = {"value": pos, "source": psrc}
    if passumed:
        p["assumed"] = True
    if prange is not None:
        p["range"] = prange
    s: dict[str, Any] = {"value": sal, "source": ssrc, "assumed": True}
    if srange is not None:
        s["range"] = srange
    return {"actor": actor, "position": p, "salience": s}


TL = "tokyo_liaison_office_timeline.csv"
MC = "nato_members_china.csv"
ST = "nato_summit_china_indopacific_text.csv"
mc_line = {iso(r["member"]): ln for ln, r in china_rows}
summit = rows(ST)

office = {
    "id": "tokyo-office",
    "name": "NATO liaison office in Tokyo",
    "description": "Whether NATO opens a liaison office in Tokyo (its first in Asia), decided by "
    "the North Atlantic Council by consensus in 2023. 0 = no office (status quo), 100 = office "
    "opened now; values between are a smaller or later office (a liaison officer, a decision "
    "deferred to a later summit). Record: shelved in July 2023 after France objected.",
    "dimensions": [
        {
            "id": "office",
            "name": "Tokyo liaison office",
            "lo": 0,
            "hi": 100,
            "lo_label": "no office",
            "hi_label": "office opened now",
            "unit": "points",
        }
    ],
    "status_quo": point(
        0.0,
        src(
            TL,
            tl["2023-07-10"][0],
            "2023-07-10",
            "no office exists; decision deferred, consensus of all allies required",
        ),
    ),
    "body": "nac",
    "salience_scale": 1.0,
    "outcome": point(
        0.0,
        src(TL, tl["2023-07-12"][0], "2023-07-12", "not in the communique; shelved")
        + f"; {REL}/nato_decision_rules.csv, line {rules[3][0]}",
    ),
    "stances": [
        stance(
            "jpn",
            100.0,
            src(TL, tl["2023-05"][0], "2023-05: Japan (support)"),
            0.6,
            "assumed: Japan proposed the office, but an Elysee official said Japan was 'not "
            f"very attached to it' ({REL}/{TL}, line {tl['2023-07-07'][0]}); range 0.4-0.8",
            srange=[0.4, 0.8],
        ),
        stance(
            "nato-sg",
            100.0,
            src(TL, tl["2023-05-10"][0], "2023-05-10: NATO SG (support)")
            + f"; line {tl['2023-07-12'][0]} ('still on the table')",
            0.8,
            "assumed: the SG confirmed the talks and kept the office 'on the table' in public; "
            "range 0.6-1",
            srange=[0.6, 1.0],
        ),
        stance(
            "usa",
            100.0,
            src(TL, tl["2023-06"][0], "2023-06: United States (support)")
            + f"; {REL}/{MC}, line {mc_line['usa']}",
            0.4,
            "assumed: US support was reported, not campaigned for; range 0.2-0.6",
            srange=[0.2, 0.6],
        ),
        stance(
            "fra",
            0.0,
            src(TL, tl["2023-06 (early)"][0], "2023-06: France (oppose)")
            + f"; lines {tl['2023-07-07'][0]} and {tl['2023-07-12'][0]}; {REL}/{MC}, line "
            f"{mc_line['fra']}",
            0.8,
            "assumed: Macron objected in person and in public, repeatedly; range 0.6-1",
            srange=[0.6, 1.0],
        ),
        stance(
            "deu",
            35.0,
            src(
                MC,
                mc_line["deu"],
                "Germany: 'more time/discussion needed on "
                "Tokyo office; other mechanisms possible' (2023-07-10)",
            )
            + "; coded 35 (a deferral or a lesser mechanism), range 20-50",
            0.4,
            "assumed: hesitant, not opposed in public; range 0.2-0.6",
            prange=[20.0, 50.0],
            srange=[0.2, 0.6],
            passumed=True,
        ),
    ],
}

vil = [
    ln
    for ln, r in summit
    if r["document"].startswith("Vilnius") and r["paragraph"] in ("6", "23", "24")
]
was = [
    ln
    for ln, r in summit
    if r["document"].startswith("Washington") and r["topic"].startswith("China")
]
language = {
    "id": "china-language",
    "name": "Hardness of the summit communique's language on China",
    "description": "How hard the summit text is on the People's Republic of China. The scale is "
    "anchored on the actual wording: 50 = Vilnius 2023 (the PRC's 'stated ambitions and coercive "
    "policies challenge our interests, security and values'; 'open to constructive engagement'; "
    f"{REL}/{ST}, lines {', '.join(map(str, vil))}); 75 = Washington 2024 (adds that the PRC is "
    "a 'decisive enabler of Russia's war', 'profound concern', and warns of a 'negative impact "
    f"on its interests and reputation'; lines {', '.join(map(str, was))}, paragraph numbers "
    "unverified). The ends are conventions: 0 = no mention of China, 100 = China named a direct "
    "threat to the Alliance (no summit text has said so). Decided by the Council by consensus.",
    "dimensions": [
        {
            "id": "hardness",
            "name": "hardness of China language",
            "lo": 0,
            "hi": 100,
            "lo_label": "no mention of China",
            "hi_label": "China named a direct threat",
            "unit": "points (50 = Vilnius 2023, 75 = Washington 2024)",
        }
    ],
    "status_quo": point(
        50.0,
        src(ST, vil[0], "Vilnius 2023 communique, para 6")
        + f"; lines {vil[1]}-{vil[2]} (paras 23-24): the anchor of 50",
    ),
    "body": "nac",
    "salience_scale": 1.0,
    "outcome": point(
        75.0,
        src(ST, was[0], "Washington 2024 declaration")
        + f"; line {was[1]}: the anchor of 75 (adopted by all 32 allies, line "
        f"{next(ln for ln, r in summit if r['topic'] == 'Structure')})",
    ),
    "stances": [
        stance(
            "nato-sg",
            70.0,
            "assumed: the SG drafts the text the allies adopt (silence procedure, "
            f"{REL}/nato_decision_rules.csv, line {rules[2][0]}) and carried both the Vilnius "
            "and the Washington wording; put between them, range 55-85",
            0.6,
            "assumed: range 0.4-0.8",
            prange=[55.0, 85.0],
            srange=[0.4, 0.8],
            passumed=True,
        ),
        stance(
            "usa",
            85.0,
            src(
                MC,
                mc_line["usa"],
                "United States: supports NATO engagement with Indo-Pacific partners",
            )
            + "; the project brief: the US drives NATO's China "
            "policy; coded 85 (harder than Washington), range 75-100",
            0.7,
            "assumed: range 0.5-0.9",
            prange=[75.0, 100.0],
            srange=[0.5, 0.9],
            passumed=True,
        ),
        stance(
            "fra",
            40.0,
            src(
                MC,
                mc_line["fra"],
                "France: April 2023, Europe should not be "
                "dragged into a US-China confrontation over Taiwan",
            )
            + "; coded 40 (softer than "
            "Vilnius), range 30-50",
            0.5,
            "assumed: range 0.3-0.7",
            prange=[30.0, 50.0],
            srange=[0.3, 0.7],
            passumed=True,
        ),
        stance(
            "hun",
            40.0,
            src(
                MC,
                mc_line["hun"],
                "Hungary: 'We don't want NATO to become an "
                "anti-China bloc' (2023-04-05, 2024-07-11)",
            )
            + "; coded 40, range 25-50",
            0.6,
            "assumed: said twice at NATO meetings; range 0.4-0.8",
            prange=[25.0, 50.0],
            srange=[0.4, 0.8],
            passumed=True,
        ),
        stance(
            "ltu",
            85.0,
            src(
                MC,
                mc_line["ltu"],
                "Lithuania: hawkish on China, 'red lines' in "
                "its 2023 Indo-Pacific strategy, left 17+1",
            )
            + "; coded 85, range 70-100",
            0.7,
            "assumed: range 0.5-0.9",
            prange=[70.0, 100.0],
            srange=[0.5, 0.9],
            passumed=True,
        ),
    ],
}

itpp = rows("itpp_japan_nato_structure.csv")
areas = [(ln, r) for ln, r in itpp if r["element_type"] == "cooperation_area"]
SLUG = ITPP_AREA_SLUGS
dims = []
for ln, r in areas:
    i = int(r["index"])
    if i in SLUG:
        dims.append(
            {
                "id": SLUG[i],
                "name": f"{r['label_en']} (ITPP area {i}; named by sources, {REL}/"
                f"itpp_japan_nato_structure.csv, line {ln})",
                "lo": 0,
                "hi": 100,
                "lo_label": "no cooperation",
                "hi_label": "integrated as with an ally",
                "unit": "points (50 = ITPP 2023-26 level)",
            }
        )
    else:
        dims.append(
            {
                "id": f"unverified-area-{i}",
                "name": f"UNVERIFIED ITPP area {i}: not found in stored sources ({REL}/"
                f"itpp_japan_nato_structure.csv, line {ln}); assumed to exist (16 areas "
                "confirmed), content unknown",
                "lo": 0,
                "hi": 100,
                "lo_label": "no cooperation",
                "hi_label": "integrated as with an ally",
                "unit": "points (50 = ITPP 2023-26 level)",
            }
        )
itpp_line = next(ln for ln, r in rows("ipcp_itpp_history.csv") if r["programme"] == "ITPP")
depth = {
    "id": "itpp-depth",
    "name": "Depth of NATO-Japan cooperation per ITPP area",
    "description": "One dimension per cooperation area of the ITPP 2023-26 (16 areas: 11 named "
    "by public sources, 5 UNVERIFIED and marked so in their names; their status quo is assumed). "
    "0 = no cooperation in the area, 50 = the level agreed in the ITPP (status quo), 100 = "
    "cooperation as deep as between allies. Decided by the Council by consensus (a partnership "
    f"programme needs every ally, {REL}/nato_decision_rules.csv, line {rules[3][0]}).",
    "dimensions": dims,
    "status_quo": point(
        [50.0] * 16,
        f"{REL}/ipcp_itpp_history.csv, line {itpp_line} (ITPP 2023-2026, 16 areas, agreed at "
        "Vilnius): 50 is by definition the agreed level; for the 5 unverified areas the level is "
        "assumed the same",
        assumed=False,
    ),
    "body": "nac",
    "salience_scale": 1.0,
    "stances": [
        stance(
            "jpn",
            [75.0] * 16,
            src(
                TL,
                tl["2023-01-31"][0],
                "2023-01-31: Kishida-Stoltenberg: raise cooperation to 'new heights'",
            )
            + "; coded 75 in every area, range 60-90",
            0.7,
            "assumed: range 0.5-0.9",
            prange=[[60.0, 90.0]] * 16,
            srange=[0.5, 0.9],
            passumed=True,
        ),
        stance(
            "nato-sg",
            [75.0] * 16,
            src(TL, tl["2023-01-31"][0], "2023-01-31: joint statement with Japan")
            + "; coded 75 in every area, range 60-90",
            0.6,
            "assumed: range 0.4-0.8",
            prange=[[60.0, 90.0]] * 16,
            srange=[0.4, 0.8],
            passumed=True,
        ),
    ],
}

p2 = next(ln for ln, r in summit if r["paragraph"] == "2")
ip4 = {
    "id": "ip4-summits",
    "name": "Indo-Pacific partners (IP4) at NATO summits",
    "description": "How far NATO brings its Indo-Pacific partners (Australia, Japan, New "
    "Zealand, Republic of Korea) into its summits. 50 = the Vilnius 2023 practice: their "
    f"leaders invited to 'valuable exchanges' ({REL}/{ST}, line {p2}, para 2, verified) - the "
    "status quo; 0 = no partner session; 100 = a standing NATO-IP4 summit format with joint "
    "statements (a convention; nothing of the kind exists).",
    "dimensions": [
        {
            "id": "ip4",
            "name": "IP4 participation",
            "lo": 0,
            "hi": 100,
            "lo_label": "no partner session",
            "hi_label": "standing NATO-IP4 format",
            "unit": "points (50 = Vilnius 2023)",
        }
    ],
    "status_quo": point(50.0, src(ST, p2, "Vilnius 2023 communique, para 2")),
    "body": "nac",
    "salience_scale": 1.0,
    "stances": [
        stance(
            "jpn",
            90.0,
            src(ST, p2, "Vilnius para 2: Japan's leader at the summit")
            + f"; {REL}/{TL}, line {tl['2023-01-31'][0]}; coded 90, range 80-100",
            0.6,
            "assumed: range 0.4-0.8",
            prange=[80.0, 100.0],
            srange=[0.4, 0.8],
            passumed=True,
        ),
        stance(
            "nato-sg",
            75.0,
            src(TL, tl["2023-07-12"][0], "2023-07-12: SG keeps the office 'on the table'")
            + f"; {REL}/ipcp_itpp_history.csv, line {itpp_line} (ITPP "
            "agreed with Japan at Vilnius); coded 75, range 60-90",
            0.5,
            "assumed: range 0.3-0.7",
            prange=[60.0, 90.0],
            srange=[0.3, 0.7],
            passumed=True,
        ),
        stance(
            "usa",
            80.0,
            src(
                MC,
                mc_line["usa"],
                "United States: supports NATO engagement with Indo-Pacific partners",
            )
            + "; coded 80, range 65-95",
            0.5,
            "assumed: range 0.3-0.7",
            prange=[65.0, 95.0],
            srange=[0.3, 0.7],
            passumed=True,
        ),
        stance(
            "ltu",
            80.0,
            src(MC, mc_line["ltu"], "Lithuania: hosted the 2023 Vilnius summit with IP4 leaders")
            + "; coded 80, range 65-95",
            0.5,
            "assumed: range 0.3-0.7",
            prange=[65.0, 95.0],
            srange=[0.3, 0.7],
            passumed=True,
        ),
        stance(
            "hun",
            35.0,
            src(
                MC,
                mc_line["hun"],
                "Hungary at the Washington summit "
                "2024-07-11: 'we can't organise it into an anti-China bloc'",
            )
            + "; coded 35, range 20-50",
            0.5,
            "assumed: range 0.3-0.7",
            prange=[20.0, 50.0],
            srange=[0.3, 0.7],
            passumed=True,
        ),
    ],
}

# ------------------------------------------------------------------ formulas
W = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else {}


def known_of(issue: dict[str, Any]) -> set[str]:
    return {s["actor"] for s in issue["stances"]}


INPUTS = {
    "threat": {"attribute": "threat_china", "lo": 40, "hi": 90},
    "defence": {"attribute": "defence_pct_gdp", "lo": 1, "hi": 4},
    "exposure": {"attribute": "china_import_share_pct", "lo": 0, "hi": 20},
    "indo_pacific": {"attribute": "indo_pacific_strategy", "lo": 0, "hi": 1},
}


def pformula(
    fid: str, issue: dict[str, Any], prior: dict[str, Any], text: str, sal: dict[str, Any]
) -> dict[str, Any]:
    w = W.get(fid, prior)
    return {
        "id": fid,
        "source": text,
        "actors": [a for a in ALLY_IDS if a not in known_of(issue)],
        "inputs": INPUTS,
        "weights": w["weights"],
        "intercept": w["intercept"],
        "prior": {"intercept": prior["intercept"], **prior["weights"]},
        "half_width": 0.15,
        "issue": issue["id"],
        "salience_weights": sal["weights"],
        "salience_intercept": sal["intercept"],
        "salience_half_width": 0.15,
    }


CAL = (
    "Weights calibrated with `accord derive --calibrate` (ridge fit towards the prior "
    "weights {prior}, see docs/japan-nato.md) on the positions known from the record; "
    "salience: assumed, rises with threat perception. "
)
office_prior = {
    "intercept": 0.2,
    "weights": {"threat": 0.5, "defence": 0.2, "exposure": -0.3, "indo_pacific": 0.2},
}
lang_prior = {
    "intercept": 0.3,
    "weights": {"threat": 0.5, "defence": 0.1, "exposure": -0.3, "indo_pacific": 0.1},
}
depth_prior = {
    "intercept": 0.45,
    "weights": {"threat": 0.2, "defence": 0.1, "exposure": -0.1, "indo_pacific": 0.15},
}
ip4_prior = {
    "intercept": 0.35,
    "weights": {"threat": 0.3, "defence": 0.05, "exposure": -0.2, "indo_pacific": 0.2},
}


def prior_text(p: dict[str, Any]) -> str:
    return f"intercept {p['intercept']}, " + ", ".join(f"{k} {v}" for k, v in p["weights"].items())


formulas = [
    pformula(
        "office-support",
        office,
        office_prior,
        CAL.format(prior=prior_text(office_prior))
        + "Reasoning: allies who see China as a threat, spend more on defence and have an "
        "Indo-Pacific strategy favour a NATO presence in Asia; economic exposure to China "
        "(import share) pulls the other way. Range +-15 points.",
        {"intercept": 0.2, "weights": {"threat": 0.3, "indo_pacific": 0.2}},
    ),
    pformula(
        "china-hardness",
        language,
        lang_prior,
        CAL.format(prior=prior_text(lang_prior))
        + "Same reasoning as office-support: threat perception of China hardens, exposure to "
        "Chinese trade softens. Range +-15 points.",
        {"intercept": 0.3, "weights": {"threat": 0.3, "exposure": 0.1}},
    ),
    pformula(
        "itpp-deepening",
        depth,
        depth_prior,
        "Assumed, NOT calibrated (the record gives only Japan's and the SG's stance on the "
        f"programme): prior weights {prior_text(depth_prior)}; the same score in every area "
        "(no area-specific information), so each ally's 16 coordinates are equal. Allies "
        "near the ITPP level (50) by default, pulled up by threat perception and an "
        "Indo-Pacific strategy. Salience: assumed low. Range +-15 points.",
        {"intercept": 0.2, "weights": {"threat": 0.1, "indo_pacific": 0.1}},
    ),
    pformula(
        "ip4-participation",
        ip4,
        ip4_prior,
        CAL.format(prior=prior_text(ip4_prior))
        + "Reasoning as office-support, on a less contested question. Range +-15 points.",
        {"intercept": 0.2, "weights": {"threat": 0.2, "indo_pacific": 0.2}},
    ),
]

attr_formulas = [
    {
        "id": "threat-russia",
        "source": "Assumed (no survey of Russia threat perception in the facts): revealed by "
        "defence effort (NATO % of GDP 2024), its rise since the 2014 annexation of Crimea, and "
        "accession after the Cold War (former Warsaw Pact, Soviet or Yugoslav states: accession "
        "year normalised 1949-2004). Weights intercept 0.2, defence 0.3, rise 0.3, accession 0.2 "
        "are a judgement. Range +-10 points.",
        "actors": ALLY_IDS,
        "inputs": {
            "defence": {"attribute": "defence_pct_gdp", "lo": 1, "hi": 4},
            "rise": {"attribute": "defence_increase_2014_2024_pp", "lo": 0, "hi": 2.5},
            "accession": {"attribute": "accession_year", "lo": 1949, "hi": 2004},
        },
        "weights": {"defence": 0.3, "rise": 0.3, "accession": 0.2},
        "intercept": 0.2,
        "half_width": 0.1,
        "attribute": "threat_russia",
        "lo": 0,
        "hi": 100,
        "unit": "0-100",
    },
    {
        "id": "threat-dprk",
        "source": "Assumed (no survey in the facts): allies with a national Indo-Pacific "
        "strategy engage in North-East Asia and rate North Korea a larger threat; threat "
        "perception of China adds a little. Weights intercept 0.1, indo_pacific 0.3, china 0.1 "
        "are a judgement. Range +-15 points.",
        "actors": ALLY_IDS,
        "inputs": {
            "indo_pacific": {"attribute": "indo_pacific_strategy", "lo": 0, "hi": 1},
            "china": {"attribute": "threat_china", "lo": 40, "hi": 90},
        },
        "weights": {"indo_pacific": 0.3, "china": 0.1},
        "intercept": 0.1,
        "half_width": 0.15,
        "attribute": "threat_dprk",
        "lo": 0,
        "hi": 100,
        "unit": "0-100",
    },
]

data = {
    "accord": 1,
    "id": "japan-nato",
    "title": "Japan and NATO: the Tokyo liaison office, China language, the ITPP and the IP4",
    "description": "The 32 NATO allies, the Secretary General and Japan bargain over four "
    "questions the North Atlantic Council decides by consensus; China, Russia and North Korea "
    "are outside actors whose threat the allies perceive differently. Every number cites a row "
    f"of {REL}/*.csv (copies of /work/shared/data/facts, with their source columns) or says "
    "why it is assumed, with a range. Positions not on the record come from the formulas in "
    "position_formulas (weights stated here). See scenarios/japan-nato/README.md and "
    "docs/japan-nato.md.",
    "sources": {
        "facts": f"{REL}/ (copies of the project's fact files; each row keeps its source column)",
        "capability": "SIPRI military expenditure 2023 in current USD bn (sipri_milex_2022_2023.csv)",
        "threat_china": "Pew unfavourable view of China 2023 (2022 for Belgium), imputed where "
        "Pew has no survey",
        "programmes": "scenarios/japan-nato/programmes.yaml (ITPP 2023-26, IPCP 2020)",
    },
    "actors": actors,
    "bodies": [body],
    "issues": [office, language, depth, ip4],
    "attribute_formulas": attr_formulas,
    "position_formulas": formulas,
}

scenario = Scenario.model_validate(data)
scenario = derive.apply(scenario)
out = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"
out.parent.mkdir(parents=True, exist_ok=True)
save(scenario, out)
print("wrote", out, "pew mean", pew_mean, pew_lo, pew_hi)
