"""Build scenarios/taiwan-strait/scenario.yaml from its hand-written core and the shared facts.

Usage: .venv/bin/python scripts/build_taiwan_strait.py

* ``scenarios/taiwan-strait/core.yaml``: Japan, the US, China, Taiwan, South Korea, Australia,
  the Philippines, Russia, North Korea and the EU; gates, actions, injects, labels, invariants.
* ``scenarios/facts/actor_attributes.csv`` (scripts/build_actor_attributes.py): each ally's
  threat perception of China (``thr_<iso>``, 0-100), China's share of its imports (``exp_<iso>``,
  %) and its defence spending (``def_<iso>``, % of GDP), copied with their sources and marked
  with ``fact: <iso>.<attribute>`` so a test can check them against the table.
* The cited fact rows (``facts:``) are read from tests/data/facts/*.csv with their line numbers.

The builder adds the 32 allies as actors of team ``nac`` and writes their support formulas:

* NAC statement (consensus, the practised procedure of :mod:`accord.rules.procedure`): ally
  *X* wants a text of strength ``100 (thr/100 + 0.3 (aln - 0.5) - 0.5 exp/100)``; the text
  tabled is 100, no text 0; it objects only when its loss exceeds ``nac_cost_of_objecting``.
* Euro-Atlantic backfill (consensus): ``thr/100 + 0.5 second_front + 0.1 (def - 2)
  + cost/100 >= 0.5``.
* EU sanctions (unanimity of the 27, EU-01): the 23 EU allies ``thr/100 - exp/100 - 0.3 econ``
  ``>= 0.5`` and the four non-aligned members as one actor.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml
from facts import REL, ROOT, rows

CORE = ROOT / "scenarios" / "taiwan-strait" / "core.yaml"
TABLE = ROOT / "scenarios" / "facts" / "actor_attributes.csv"
OUT = ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml"
FACT_FILES = ("japan_legal_gates.csv", "regional_gates.csv")
ALIAS = {"Türkiye": "Turkey", "United States of America": "United States"}
#: NATO allies outside the EU (the EU-01 unanimity covers the other 23).
NOT_EU = {"usa", "can", "gbr", "nor", "isl", "tur", "alb", "mne", "mkd"}
#: Allies on the eastern flank (the Russian second front draws their attention).
EASTERN = {"est", "lva", "ltu", "pol", "fin", "rou", "bgr", "svk", "cze", "hun"}
#: Stance on NATO in the Indo-Pacific (0-1), from nato_members_china.csv positions; 0.5 where
#: none is recorded. Judgements, marked assumed.
ALIGNMENT = {
    "fra": (0.3, "opposed the NATO liaison office in Tokyo in 2023: 'NATO means North Atlantic'"),
    "deu": (0.45, "wanted more time on the Tokyo office in 2023"),
    "hun": (0.2, "FM Szijjarto: 'we don't want NATO to become an anti-China bloc'"),
    "ita": (
        0.55,
        "exited the BRI MoU 2023-24; defence minister 2025: NATO should open to the East",
    ),
    "ltu": (0.8, "hawkish on China; 2023 Indo-Pacific strategy with red lines"),
    "gbr": (0.7, "Indo-Pacific tilt (illustrative; no position recorded in the fact files)"),
    "usa": (0.9, "supports NATO engagement with Indo-Pacific partners and the Tokyo office"),
}


class _Dumper(yaml.SafeDumper):
    pass


def _flow_small(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    small = len(data) <= 6 and all(not isinstance(v, dict | list) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=small)


_Dumper.add_representer(dict, _flow_small)


def table() -> dict[tuple[str, str], dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return {(r["actor"], r["attribute"]): r for r in csv.DictReader(fh)}


#: The per-ally series: variable prefix -> (label before the ally's name, unit).
SERIES_LABELS = {
    "thr": ("Threat perception of China", "0-100"),
    "exp": ("China's share of imports", "%"),
    "def": ("Defence spending", "% of GDP"),
    "aln": ("Stance on NATO in the Indo-Pacific", "0-1"),
}


def series_label(vid: str, names: dict[str, str]) -> dict[str, str]:
    """The ``label`` and ``unit`` of a per-ally variable such as ``thr_alb``.

    The label is the series' theme and the ally's name (``Threat perception of China:
    Albania``); the unit is the table's (``scenarios/facts/actor_attributes.csv``).
    """
    prefix, _, ally = vid.partition("_")
    text, unit = SERIES_LABELS[prefix]
    return {"label": f"{text}: {names.get(ally, ally)}", "unit": unit}


def fact_variable(
    vid: str, row: dict[str, str], hi: float, spread: float, names: dict[str, str]
) -> dict[str, Any]:
    """A variable copied from the table; a sourced value gets an assumed +-spread range (the
    proxy's uncertainty), an assumed one the table's range. It is labelled by
    :func:`series_label`."""
    value = float(row["value"])
    v: dict[str, Any] = {"id": vid, **series_label(vid, names), "lo": 0, "hi": hi}
    v["initial"] = value
    v["fact"] = f"{row['actor']}.{row['attribute']}"
    if row["assumed"] == "true":
        v["range"] = [float(row["range_lo"]), float(row["range_hi"])]
        v["assumed"] = True
        v["reason"] = f"{row['source']} (scenarios/facts/actor_attributes.csv)"
    else:
        v["source"] = row["source"]
        if spread:
            v["range"] = [max(0.0, value - spread), min(hi, value + spread)]
            v["assumed"] = True
            v["reason"] = f"range +-{spread:g} assumed around the sourced value"
    return v


def main() -> None:
    core: dict[str, Any] = yaml.safe_load(CORE.read_text(encoding="utf-8"))
    attrs = table()
    china = {r["member"]: r["iso3"].lower() for _, r in rows("nato_members_china.csv")}
    allies = [
        (china[ALIAS.get(r["country"], r["country"])], r["country"], ln)
        for ln, r in rows("nato_members_accession.csv")
    ]
    iso = [a for a, _, _ in allies]
    actors = core["actors"]
    for a, name, ln in allies:
        if a == "usa":
            continue  # the US is its own team; it votes in the Council as an ally
        actors.append(
            {
                "id": a,
                "name": name,
                "team": "nac",
                "source": f"{REL}/nato_members_accession.csv, line {ln}",
            }
        )
    variables = core["variables"]
    # Short names for labels ("Republic of Korea", not the actor's full description).
    names = {a: name for a, name, _ in allies} | {"kor": "South Korea", "aus": "Australia"}
    for a in [*iso, "kor", "aus"]:
        variables.append(fact_variable(f"thr_{a}", attrs[(a, "threat_china")], 100, 10, names))
    for a in iso:
        share = attrs[(a, "china_import_share_pct")]
        variables.append(fact_variable(f"exp_{a}", share, 100, 0, names))
        variables.append(fact_variable(f"def_{a}", attrs[(a, "defence_pct_gdp")], 10, 0, names))
        value, why = ALIGNMENT.get(a, (0.5, "no recorded stance on NATO in the Indo-Pacific"))
        variables.append(
            {
                "id": f"aln_{a}",
                **series_label(f"aln_{a}", names),
                "lo": 0,
                "hi": 1,
                "initial": value,
                "assumed": True,
                "reason": f"{why} ({REL}/nato_members_china.csv); neutral 0.5 where none",
            }
        )
    for inj in core["injects"]:
        shift = inj.pop("allies_threat", None)
        east = inj.pop("eastern_threat", None)
        effects = inj.setdefault("effects", {})
        if shift is not None:
            for a in iso:
                effects[f"thr_{a}"] = shift
            effects["eu_nonaligned_threat"] = shift
        if east is not None:
            for a in sorted(EASTERN):
                effects[f"thr_{a}"] = east
    decisions = core["decisions"]
    decisions.append(
        {
            "id": "nac_statement",
            "label": "North Atlantic Council statement condemning China's coercion of Taiwan",
            "members": iso,
            "rule": {"kind": "consensus"},
            "procedure": {
                "name": "practised",
                "position": {
                    a: f"100 * (thr_{a} / 100 + 0.3 * (aln_{a} - 0.5) - 0.5 * exp_{a} / 100)"
                    for a in iso
                },
                "cost_of_objecting": "nac_cost_of_objecting",
                "reservation_threshold": 2.0,
                "max_dilution": 0.5,
                "strength": "nac_statement_strength",
            },
            "when": "escalation >= 2 or nac_consulted >= 1",
            "effects": {"cn_resolve": -0.03},
            "source": "NATO-01, NATO-05; nato_decision_rules.csv; accord.rules.procedure",
            "assumed": True,
            "reason": "statements are agreed by consensus of all 32 (NATO-05), practised as "
            "silence (accord.rules.procedure, practised): the text tabled has strength 100; "
            "each ally wants the strength 100 x (threat/100 + 0.3 (alignment - 0.5) - 0.5 "
            "import share/100), objects only when its loss exceeds the cost of objecting, and "
            "the text may be diluted half-way (NATO_CONSENSUS's prior); weights illustrative, "
            "inputs from scenarios/facts/actor_attributes.csv",
        }
    )
    decisions.append(
        {
            "id": "nac_backfill",
            "label": "Euro-Atlantic backfill: allies raise their posture in Europe as US forces "
            "move to the Pacific",
            "members": iso,
            "rule": {"kind": "consensus"},
            "support": {
                a: f"thr_{a} / 100 + 0.5 * second_front + 0.1 * (def_{a} - 2) "
                "+ nac_cost_of_objecting / 100 >= 0.5"
                for a in iso
            },
            "when": "us_intervention >= 1 or us_forces >= 0.6",
            "effects": {"euro_backfill": 0.5, "us_forces": 0.05, "rus_opportunism": -0.1},
            "source": "NATO-03, NATO-04, NATO-05",
            "assumed": True,
            "reason": "NATO has no collective-defence role near Taiwan (NATO-03/04/05); what it "
            "can do is cover Europe so US forces can leave; weights illustrative, spending "
            "from scenarios/facts/actor_attributes.csv",
        }
    )
    eu = [a for a in iso if a not in NOT_EU]
    eu_support = {a: f"thr_{a} / 100 - exp_{a} / 100 - 0.3 * econ_damage >= 0.5" for a in eu}
    eu_support["eu_nonaligned"] = "eu_nonaligned_threat / 100 - 0.15 - 0.3 * econ_damage >= 0.5"
    decisions.append(
        {
            "id": "eu_sanctions",
            "label": "EU restrictive measures on China (Council, unanimity)",
            "members": [*eu, "eu_nonaligned"],
            "rule": {"kind": "unanimity"},
            "support": eu_support,
            "when": "blockade > 0 or invaded >= 1",
            "effects": {"cn_resolve": -0.05, "econ_damage": 0.05},
            "source": "EU-01",
            "assumed": True,
            "reason": "any member can block (EU-01); each weighs its threat perception against "
            "its China import share (scenarios/facts/actor_attributes.csv); weights "
            "illustrative; the non-aligned four: import share ~15% assumed",
        }
    )
    g7 = ["usa", "jp_pm", "gbr", "fra", "deu", "ita", "can", "eu"]
    g7_support = {
        a: f"thr_{a} / 100 + 0.3 * (aln_{a} - 0.5) - 0.5 * exp_{a} / 100 >= 0.5"
        for a in g7
        if a in iso
    }
    g7_support["jp_pm"] = "jp_threat >= 0.45"
    g7_support["eu"] = "escalation >= 2"
    decisions.append(
        {
            "id": "g7_statement",
            "label": "G7 statement on peace and stability across the Taiwan Strait",
            "members": g7,
            "rule": {"kind": "consensus"},
            "support": g7_support,
            "when": "escalation >= 2",
            "effects": {"cn_resolve": -0.02},
            "source": "G7-01",
            "assumed": True,
            "reason": "repeated since 2021 (G7-01); the decision rule is not stated in the "
            "sources: consensus assumed",
        }
    )
    decisions.append(
        {
            "id": "g7_sanctions",
            "label": "G7 coordinated sanctions on China",
            "members": ["usa", "jp_pm", "gbr", "can", "eu"],
            "rule": {"kind": "consensus"},
            "support": {
                "usa": "thr_usa / 100 - exp_usa / 100 - 0.3 * econ_damage >= 0.55",
                "jp_pm": "jp_threat >= 0.5 and jp_public_support >= 0.5",
                "gbr": "thr_gbr / 100 - exp_gbr / 100 - 0.3 * econ_damage >= 0.5",
                "can": "thr_can / 100 - exp_can / 100 - 0.3 * econ_damage >= 0.5",
                "eu": "agreed(eu_sanctions) >= 1",
            },
            "when": "blockade > 0 or invaded >= 1",
            "effects": {"cn_resolve": -0.08, "econ_damage": 0.1},
            "source": "G7-01, EU-01",
            "assumed": True,
            "reason": "the G7 coordinates national sanctions pledges (G7-01); the EU can join "
            "only once its Council has agreed by unanimity (EU-01); weights illustrative",
        }
    )
    cited = sorted({f for g in core["gates"] for f in g.get("legal_source", [])})
    facts = []
    for name in FACT_FILES:
        for ln, r in rows(name):
            if r["id"] in cited:
                text = r.get("situation_type_en") or r.get("gate") or ""
                facts.append({"id": r["id"], "file": f"{REL}/{name}", "line": ln, "text": text})
    missing = set(cited) - {f["id"] for f in facts}
    if missing:
        raise SystemExit(f"gates cite fact rows that do not exist: {sorted(missing)}")
    header = (
        "# GENERATED by scripts/build_taiwan_strait.py from scenarios/taiwan-strait/core.yaml\n"
        "# and scenarios/facts/actor_attributes.csv: edit those, then rebuild.\n"
    )
    core["facts"] = facts
    body = yaml.dump(core, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    OUT.write_text(header + body, encoding="utf-8")
    print("wrote", Path(OUT).relative_to(ROOT))


if __name__ == "__main__":
    main()
