"""What the scenario builders share: the facts folder, its CSV rows with their line numbers,
and the ITPP cooperation areas' ids."""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "tests" / "data" / "facts"
#: How sources cite the facts folder (relative to the repository root).
REL = "tests/data/facts"

#: ITPP cooperation area (index in itpp_japan_nato_structure.csv) -> id in the scenario files.
ITPP_AREA_SLUGS = {
    1: "cyber-defence",
    2: "strategic-communications",
    3: "emerging-technologies",
    4: "space-security",
    5: "climate-security",
    6: "maritime-security",
    7: "arms-control-nonproliferation",
    8: "science-technology",
    9: "capability-interoperability",
    10: "hadr",
    11: "women-peace-security",
}


def rows(name: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of ``FACTS/name`` with the line number each ends on (for source citations)."""
    with open(FACTS / name, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return [(reader.line_num, row) for row in reader]
