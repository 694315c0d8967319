"""Shared HTML pieces of the reports.

The style sheet, escaping, number formatting, tables, figures, "not available" notes and actor
names. Every piece of scenario text goes through :func:`html.escape` here (:func:`_e`).
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accord.scenario.schema import Issue, Scenario
from accord.style import CSS

__all__ = ["CSS"]  # re-exported: the report's pages import it from here


MAX_TABLE_ROWS = 40


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: Any, digits: int = 3) -> str:
    if not isinstance(value, int | float) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        return "-"
    return f"{value:.{digits}g}"


def _vals(values: Any, digits: int = 3) -> str:
    """Numbers as text; several equal numbers as "all N" (e.g. a 16-dimension status quo)."""
    if values is None:
        return "none"
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size > 2 and np.all(np.isfinite(array)) and np.allclose(array, array[0], 1e-9, 1e-9):
        return f"all {array.size}: {_num(float(array[0]), digits)}"
    return ", ".join(_num(float(v), digits) for v in array)


@dataclass(frozen=True)
class Unavailable:
    """An analysis that could not be included, and why (shown in the report)."""

    reason: str


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _na(item: Unavailable | str) -> str:
    reason = item.reason if isinstance(item, Unavailable) else item
    return f'<p class="na">Not available: {_e(reason)}</p>'


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", "").replace("+", "").replace("\u2212", "-"))
    except ValueError:
        return False
    return True


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """An HTML table; cells are already escaped.

    Cells holding one number align right; the first ``left`` columns always align left.
    """
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = [f"<tr>{cells}</tr>"]
    for row in rows[:MAX_TABLE_ROWS]:
        body.append(
            "<tr>"
            + "".join(
                f'<td class="n">{c}</td>' if j >= left and _is_number(c) else f"<td>{c}</td>"
                for j, c in enumerate(row)
            )
            + "</tr>"
        )
    extra = len(rows) - MAX_TABLE_ROWS
    note = f'<p class="note">{extra} more rows in report.json.</p>' if extra > 0 else ""
    return "<table>" + "".join(body) + "</table>" + note


def _names(scenario: Scenario, ids: Sequence[str], limit: int = 6) -> str:
    """Actor names, the first ``limit`` of them and how many more."""
    names = [_actor_name(scenario, a) for a in ids]
    if len(names) <= limit:
        return ", ".join(names) or "-"
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _dim_label(dim: Any) -> str:
    """A dimension's short label for charts: its name when short, else its id."""
    name = dim.name or dim.id
    return str(name if len(name) <= 32 else dim.id)


def _actor_name(scenario: Scenario, actor_id: str) -> str:
    try:
        return scenario.actor(actor_id).name
    except KeyError:
        return actor_id


def _shared_scale(issue: Issue) -> bool:
    first = issue.dimensions[0]
    return all(
        (d.lo, d.hi, d.unit, d.lo_label, d.hi_label)
        == (first.lo, first.hi, first.unit, first.lo_label, first.hi_label)
        for d in issue.dimensions
    )


# An absolute file path (two or more segments) not inside a URL, a relative path or base64
# (an inline PNG: its "/" follow letters, digits, "+" or "=").
_ABSOLUTE = re.compile(r"(?<![\w.:/~+=-])/(?:[\w.+-]+/)+[\w.+-]+")


def display_path(path: str | Path) -> str:
    """A path as the report shows it.

    Relative to the working folder when inside it, else its last two parts (never the machine's
    absolute path).
    """
    text = str(path)
    if not os.path.isabs(text):
        return text
    try:
        return str(Path(text).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return "/".join(Path(text).parts[-2:])


def scrub_paths(text: str) -> str:
    """``text`` with every absolute path shortened by :func:`display_path`.

    Every absolute path in ``text`` replaced by :func:`display_path` (scenario sources may
    cite a file by its absolute path; the report must not carry the machine's layout).
    """
    return _ABSOLUTE.sub(lambda m: display_path(m.group(0)), text)
