"""Build scenarios/facts/actor_attributes.csv, the one table of actor attributes that every case
scenario draws from (the japan-nato case, the taiwan-strait war game).

Usage: .venv/bin/python scripts/build_actor_attributes.py

One row per (actor, attribute), on one scale per attribute:

* ``pew_china_unfavourable_pct`` (% of adults): Pew, latest year per country (2023, else 2022).
* ``threat_china`` (0-100): the Pew share, as the proxy for threat perception of China; for an
  ally Pew did not survey, the mean of the surveyed allies (assumed, range = their min and max).
* ``china_import_share_pct`` (% of imports): CIA World Factbook via nato_members_china.csv,
  2023, else 2022; where China is not in the top five, half the stated upper bound (assumed,
  range 0 to the bound).
* ``milex_2023_usd_bn`` (SIPRI, current US$ bn) and ``defence_pct_gdp`` (NATO 2024 estimate;
  SIPRI's 2023 share for non-members).

These are the conventions of scripts/build_japan_nato.py, so the two scenarios agree by
construction; tests/unit/test_wargame_facts.py checks both scenarios against this table.
"""

from __future__ import annotations

import csv
import re
import statistics
from pathlib import Path

from facts import REL, ROOT, rows

OUT = ROOT / "scenarios" / "facts" / "actor_attributes.csv"
FIELDS = ["actor", "attribute", "value", "unit", "assumed", "range_lo", "range_hi", "source"]
#: Countries outside NATO that the case scenarios use (iso3 lower-case -> SIPRI name).
PARTNERS = {"jpn": "Japan", "kor": "Korea, South", "aus": "Australia"}
ALIAS = {"Türkiye": "Turkey", "United States of America": "United States"}


def cite(name: str, line: int, label: str) -> str:
    return f"{REL}/{name}, line {line} ({label})"


def build() -> list[dict[str, str]]:
    china = {r["iso3"].lower(): (ln, r) for ln, r in rows("nato_members_china.csv")}
    iso_of = {r["member"]: a for a, (_, r) in china.items()}
    allies = [
        (iso_of[ALIAS.get(r["country"], r["country"])], r["country"])
        for _, r in rows("nato_members_accession.csv")
    ]
    pew: dict[str, dict[str, tuple[int, dict[str, str]]]] = {}
    for ln, r in rows("pew_china_unfavorable_2022_2023.csv"):
        pew.setdefault(r["iso3"].lower(), {})[r["year"]] = (ln, r)
    sipri = {r["country_sipri"]: (ln, r) for ln, r in rows("sipri_milex_2022_2023.csv")}
    sipri_iso = {}
    for name, (ln, r) in sipri.items():
        if r["nato_member_2024"] == "yes":
            sipri_iso[iso_of[ALIAS.get(name, name)]] = (ln, r)
    for a, name in PARTNERS.items():
        sipri_iso[a] = sipri[name]
    nato: dict[str, dict[str, tuple[int, dict[str, str]]]] = {}
    for ln, r in rows("nato_defence_expenditure_pct_gdp_2014_2024.csv"):
        if r["series"] == "NATO June 2024 release (estimate)" and r["year"] == "2024":
            nato[r["country"]] = {"2024": (ln, r)}

    out: list[dict[str, str]] = []

    def add(actor: str, attribute: str, value: float, unit: str, source: str,
            rng: tuple[float, float] | None = None) -> None:  # fmt: skip
        out.append(
            {
                "actor": actor,
                "attribute": attribute,
                "value": f"{value:.10g}",
                "unit": unit,
                "assumed": "true" if rng is not None else "false",
                "range_lo": "" if rng is None else f"{rng[0]:g}",
                "range_hi": "" if rng is None else f"{rng[1]:g}",
                "source": source,
            }
        )

    def latest(a: str) -> tuple[str, int, float] | None:
        if a not in pew:
            return None
        year = "2023" if "2023" in pew[a] else "2022"
        ln, r = pew[a][year]
        return year, ln, float(r["unfavorable_pct"])

    surveyed = {a: p[2] for a, _ in allies if (p := latest(a)) is not None}
    mean = round(statistics.fmean(surveyed.values()), 1)
    lo, hi = min(surveyed.values()), max(surveyed.values())
    pew_file = "pew_china_unfavorable_2022_2023.csv"
    for a, name in [*allies, *((a, n) for a, n in PARTNERS.items())]:
        p = latest(a)
        if p is not None:
            year, ln, v = p
            where = cite(pew_file, ln, f"{name}, {year}")
            add(a, "pew_china_unfavourable_pct", v, "% of adults", where)
            add(a, "threat_china", v, "0-100", where + "; share unfavourable to China as proxy")
        else:
            add(
                a,
                "threat_china",
                mean,
                "0-100",
                f"assumed: Pew did not survey {name} in 2022-2023; mean of the {len(surveyed)} "
                f"allies surveyed ({REL}/{pew_file}, latest year per ally), range = their "
                f"lowest and highest",
                (lo, hi),
            )
        if a in china:
            ln, r = china[a]
            f = "nato_members_china.csv"
            if r["china_share_imports_2023_pct"]:
                add(a, "china_import_share_pct", float(r["china_share_imports_2023_pct"]),
                    "% of imports", cite(f, ln, f"{r['member']}, imports 2023"))  # fmt: skip
            elif r["china_share_imports_2022_pct"]:
                add(a, "china_import_share_pct", float(r["china_share_imports_2022_pct"]),
                    "% of imports", cite(f, ln, f"{r['member']}, imports 2022") +
                    "; 2022 figure used, China not in the 2023 top five")  # fmt: skip
            else:
                notes = r["trade_share_notes"]
                m = re.search(r"imports 2023: China not in top-5 partners \(<=(\d+)%", notes)
                m = m or re.search(r"imports 2022: China not in top-5 \(<=(\d+)%", notes)
                if m is None:
                    raise ValueError(f"{f}, line {ln}: no China import share for {name}")
                ub = float(m.group(1))
                add(a, "china_import_share_pct", ub / 2, "% of imports",
                    cite(f, ln, r["member"]) + f": China not among the top five import partners "
                    f"(share <= {ub:g}%); assumed half the upper bound, range 0 to the bound",
                    (0.0, ub))  # fmt: skip
        if a in sipri_iso:
            ln, r = sipri_iso[a]
            f = "sipri_milex_2022_2023.csv"
            add(a, "milex_2023_usd_bn", round(float(r["milex_2023_current_usd_m"]) / 1000, 4),
                "USD bn", cite(f, ln, f"{r['country_sipri']}, 2023, current US$ m / 1000"))  # fmt: skip
            if name in nato:
                ln2, r2 = nato[name]["2024"]
                add(a, "defence_pct_gdp", float(r2["pct_gdp"]), "% of GDP",
                    cite("nato_defence_expenditure_pct_gdp_2014_2024.csv", ln2,
                         f"{name}, 2024 estimate"))  # fmt: skip
            elif name == "Iceland":
                add(a, "defence_pct_gdp", 0.0, "% of GDP",
                    "assumed: Iceland has no armed forces and is left out of NATO's table "
                    f"({REL}/nato_defence_expenditure_pct_gdp_2014_2024.csv); range 0 to 0.5 "
                    "for its coast guard and host-nation costs", (0.0, 0.5))  # fmt: skip
            elif a in PARTNERS and r["milex_share_gdp_2023_pct"]:
                add(a, "defence_pct_gdp", float(r["milex_share_gdp_2023_pct"]), "% of GDP",
                    cite(f, ln, f"{r['country_sipri']}, share of GDP 2023") +
                    "; SIPRI's figure, as NATO publishes none for non-members")  # fmt: skip
    return out


def main() -> None:
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    print("wrote", Path(OUT).relative_to(ROOT), len(data), "rows")


if __name__ == "__main__":
    main()
