"""Build scenarios/japan-nato/programmes.yaml from tests/data/facts/*.csv (scratch generator).

Usage: .venv/bin/python scripts/build_programmes.py
"""

from typing import Any

import yaml
from facts import ITPP_AREA_SLUGS as SLUG
from facts import REL as R
from facts import ROOT, rows

hist = rows("ipcp_itpp_history.csv")
st = rows("itpp_japan_nato_structure.csv")
H = {(x["programme"], x["version"]): ln for ln, x in hist}
l14 = H[("IPCP", "2014 original")]
l20 = H[("IPCP", "2nd revision")]
l18 = H[("NATO topic page", "2018")]
l23 = H[("NATO topic page", "2023")]
litpp = H[("ITPP", "2023-2026")]


def h(ln: int, what: str) -> str:
    return f"{R}/ipcp_itpp_history.csv, line {ln} ({what})"


areas = []
for ln, x in st:
    if x["element_type"] != "cooperation_area":
        continue
    i = int(x["index"])
    if i in SLUG:
        areas.append(
            {
                "id": SLUG[i],
                "name": x["label_en"],
                "verified": True,
                "source": f"{R}/itpp_japan_nato_structure.csv, line {ln} (area {i}: {x['verification']})",
                "issues": [f"itpp-depth:{SLUG[i]}"],
            }
        )
    else:
        areas.append(
            {
                "id": f"unverified-area-{i}",
                "name": f"UNVERIFIED ITPP area {i}",
                "verified": False,
                "source": f"{R}/itpp_japan_nato_structure.csv, line {ln} (not found in stored sources)",
                "note": x["note"],
                "issues": [f"itpp-depth:unverified-area-{i}"],
            }
        )
objs = []
OBJ_ISSUES = {
    1: ["tokyo-office", "ip4-summits"],
    2: ["itpp-depth:capability-interoperability"],
    3: ["itpp-depth"],
}
OBJ_ID = {1: "dialogue-consultations", 2: "interoperability", 3: "resilience"}
for ln, x in st:
    if x["element_type"] == "strategic_objective":
        i = int(x["index"])
        objs.append(
            {
                "id": OBJ_ID[i],
                "name": x["label_en"],
                "verified": True,
                "source": f"{R}/itpp_japan_nato_structure.csv, line {ln} ({x['verification']})",
                "issues": OBJ_ISSUES[i],
            }
        )


def area(
    aid: str,
    name: str,
    src: str,
    issues: list[str],
    note: str | None = None,
    verified: bool = True,
) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": aid,
        "name": name,
        "verified": verified,
        "source": src,
        "issues": issues,
    }
    if note:
        d["note"] = note
    return d


ipcp20 = [
    area(
        "cyber-defence",
        "Cyber defence",
        h(l20, "MOFA 2020: cyber") + "; " + h(l18, "NATO topic page 2018"),
        ["itpp-depth:cyber-defence"],
    ),
    area(
        "maritime-security",
        "Maritime security",
        h(l20, "MOFA 2020: maritime security") + "; " + h(l18, "NATO topic page 2018"),
        ["itpp-depth:maritime-security"],
    ),
    area(
        "hadr",
        "Humanitarian assistance and disaster relief",
        h(l20, "MOFA 2020: HA/DR") + "; " + h(l18, "NATO topic page 2018"),
        ["itpp-depth:hadr"],
    ),
    area(
        "women-peace-security",
        "Women, Peace and Security",
        h(l20, "MOFA 2020: WPS") + "; " + h(l18, "NATO topic page 2018"),
        ["itpp-depth:women-peace-security"],
    ),
    area(
        "human-security",
        "Human security",
        h(l20, "MOFA 2020: 'human security' added to the priority areas")
        + "; "
        + h(l23, "NATO topic page 2023 still lists it"),
        [],
        note="new in 2020; not among the 11 named ITPP areas (a candidate for one of the 5 unverified ones)",
    ),
    area(
        "arms-control-nonproliferation",
        "Non-proliferation",
        h(l18, "NATO topic page 2018: non-proliferation")
        + "; not in MOFA's 2020 list (line "
        + str(l20)
        + "): a 2018 page cannot verify the 2020 revision",
        ["itpp-depth:arms-control-nonproliferation"],
        note="listed by NATO in 2018 and 2023; its place among the 9 areas of 2020 is not verified",
        verified=False,
    ),
    area(
        "science-technology",
        "(Defence) science and technology",
        h(l18, "NATO topic page 2018: defence science and technology")
        + "; not in MOFA's 2020 list (line "
        + str(l20)
        + "): a 2018 page cannot verify the 2020 revision",
        ["itpp-depth:science-technology"],
        note="listed by NATO in 2018 and 2023; its place among the 9 areas of 2020 is not verified",
        verified=False,
    ),
    area(
        "ipcp-unverified-8",
        "UNVERIFIED IPCP 2020 area 8",
        h(l20, "count of 9 from Kyodo and The Diplomat; full list NOT verified"),
        [],
        note="candidates from the 2014 list: counter-piracy; personnel exchange/training",
        verified=False,
    ),
    area(
        "ipcp-unverified-9",
        "UNVERIFIED IPCP 2020 area 9",
        h(l20, "count of 9; full list NOT verified"),
        [],
        note="candidates from the 2014 list: counter-piracy; personnel exchange/training",
        verified=False,
    ),
]
ipcp14 = [
    area("counter-piracy", "Counter-piracy", h(l14, "press paraphrase"), []),
    area(
        "hadr",
        "Disaster relief and humanitarian assistance",
        h(l14, "press paraphrase"),
        ["itpp-depth:hadr"],
    ),
    area(
        "maritime-security",
        "Maritime security",
        h(l14, "press paraphrase"),
        ["itpp-depth:maritime-security"],
    ),
    area(
        "cyber-defence", "Cyber defence", h(l14, "press paraphrase"), ["itpp-depth:cyber-defence"]
    ),
    area(
        "training-exchange",
        "Personnel exchange and training (NATO Defense College)",
        h(l14, "press paraphrase"),
        [],
    ),
    area(
        "women-peace-security",
        "Women, Peace and Security",
        h(l14, "press paraphrase; MOFA WPS secondment"),
        ["itpp-depth:women-peace-security"],
    ),
]
book = {
    "accord_programmes": 1,
    "partner": "Japan",
    "scenario": "japan-nato",
    "description": "NATO's partnership programmes with Japan: IPCP 2014, IPCP 2020 (2nd revision) and the ITPP 2023-26. "
    "Every objective and area cites a row of tests/data/facts/ipcp_itpp_history.csv or itpp_japan_nato_structure.csv; "
    "areas counted by the sources but not named are placeholders with verified: false. 'issues' links an area to the "
    "issues (ISSUE or ISSUE:DIMENSION) of scenarios/japan-nato/scenario.yaml that depend on it.",
    "programmes": [
        {
            "id": "IPCP-2014",
            "name": "Individual Partnership and Cooperation Programme (original)",
            "date": "2014-05-06",
            "source": h(l14, "signed by Abe and Rasmussen")
            + "; areas are press paraphrases, not the document's list",
            "areas": ipcp14,
        },
        {
            "id": "IPCP-2020",
            "name": "Individual Partnership and Cooperation Programme (2nd revision)",
            "date": "2020-06-26",
            "source": h(l20, "revised; 9 priority areas, list not verified"),
            "n_areas": 9,
            "areas": ipcp20,
        },
        {
            "id": "ITPP-2023",
            "name": "Individually Tailored Partnership Programme 2023-2026",
            "date": "2023-07-12",
            "source": h(
                litpp, "agreed at Vilnius; 16 areas confirmed by Kyodo, Jiji, TBS, MOD, MOFA"
            ),
            "n_areas": 16,
            "objectives": objs,
            "areas": areas,
        },
    ],
}
text = "# accord programme file (format: docs/japan-nato.md, 'Programmes')\n" + yaml.safe_dump(
    book, sort_keys=False, allow_unicode=True, width=100
)
(ROOT / "scenarios/japan-nato/programmes.yaml").write_text(text, encoding="utf-8")
print("ok")
