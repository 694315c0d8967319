"""One source of facts: the shared actor-attribute table and the scenarios that copy from it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from accord.wargame import load_wargame

ROOT = Path(__file__).parents[2]
TABLE = ROOT / "scenarios" / "facts" / "actor_attributes.csv"


def _table() -> dict[tuple[str, str], dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return {(r["actor"], r["attribute"]): r for r in csv.DictReader(fh)}


def _taiwan() -> dict[tuple[str, str], float]:
    """(actor, attribute) -> value, for every taiwan-strait variable copied from the table."""
    spec = load_wargame(ROOT / "scenarios" / "taiwan-strait" / "scenario.yaml").spec
    out = {}
    for v in spec.variables:
        if v.fact is not None:
            actor, attribute = v.fact.split(".")
            out[(actor, attribute)] = v.initial
    return out


def _japan_nato() -> dict[tuple[str, str], float]:
    """(actor, attribute) -> value of the japan-nato case's numeric actor attributes."""
    data = yaml.safe_load((ROOT / "scenarios" / "japan-nato" / "scenario.yaml").read_text("utf-8"))
    out = {}
    for actor in data["actors"]:
        for name, attr in (actor.get("attributes") or {}).items():
            if isinstance(attr.get("value"), int | float):
                out[(actor["id"], name)] = float(attr["value"])
    return out


def test_the_table_has_one_scale_per_attribute_and_a_source_for_every_row() -> None:
    table = _table()
    units: dict[str, set[str]] = {}
    for (_, attribute), row in table.items():
        units.setdefault(attribute, set()).add(row["unit"])
        assert row["source"]
        if row["assumed"] == "true":
            assert float(row["range_lo"]) <= float(row["value"]) <= float(row["range_hi"])
    assert all(len(u) == 1 for u in units.values()), units
    assert units["threat_china"] == {"0-100"} and units["china_import_share_pct"] == {
        "% of imports"
    }


def test_the_taiwan_strait_game_copies_its_allied_figures_from_the_table() -> None:
    table, taiwan = _table(), _taiwan()
    assert len(taiwan) >= 3 * 32  # threat, import share and spending of every ally
    for key, value in taiwan.items():
        assert value == pytest.approx(float(table[key]["value"])), key
    # the two disagreements issue 12 found are settled on the table's values
    assert taiwan[("fra", "china_import_share_pct")] == 4.0
    assert taiwan[("cze", "threat_china")] == taiwan[("isl", "threat_china")] == 68.8


def test_an_attribute_two_scenarios_share_has_the_same_value_in_both() -> None:
    table, taiwan, japan = _table(), _taiwan(), _japan_nato()
    shared = set(taiwan) & set(japan)
    assert len(shared) >= 64, "the two cases should share the allies' threat and trade figures"
    disagree = {k: (taiwan[k], japan[k]) for k in shared if taiwan[k] != pytest.approx(japan[k])}
    assert not disagree
    # and every japan-nato value the table also holds is the table's
    off = {
        k: (japan[k], table[k]["value"])
        for k in set(japan) & set(table)
        if japan[k] != pytest.approx(float(table[k]["value"]))
    }
    assert not off
