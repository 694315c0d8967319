"""``accord panel template``: the sheet an expert fills, as CSV or XLSX.

``accord panel template``: the sheet an expert fills, as CSV (with a README beside it) and as
XLSX (a header sheet, the answers sheet with data validation, and drop-down lists).

Every row is pre-filled with the scenario's current values and marked (the note says
"pre-filled from the scenario: position assumed, ..."; in the XLSX the pre-filled cells are
shaded). Leaving a value confirms it; changing it answers; clearing it means "no view" (the merge
then keeps the scenario's value and the cell does not count as that expert's answer).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from accord.panel.rows import COLUMNS, MARKER, Row, select_issues, template_rows
from accord.scenario.schema import Scenario
from accord.scenario.yaml_io import write_atomic


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _cells(row: Row, expert: str) -> list[object]:
    return [
        expert,
        row.actor,
        row.issue,
        row.dimension,
        row.position,
        row.salience,
        row.capability,
        None,
        row.note,
    ]


def csv_text(scenario: Scenario, issues: Sequence[str] | None = None, expert: str = "") -> str:
    """The CSV sheet: line 1 names the scenario, line 2 the columns, then one row per cell."""
    buffer = io.StringIO()
    buffer.write(f"{MARKER}{scenario.id}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in template_rows(scenario, issues):
        writer.writerow(
            [
                "" if v is None else (_num(v) if isinstance(v, float) else v)
                for v in _cells(row, expert)
            ]
        )
    return buffer.getvalue()


def header_lines(scenario: Scenario, issues: Sequence[str] | None = None) -> list[str]:
    """Scale, labels and status quo of every issue a sheet covers (the README / header sheet)."""
    lines: list[str] = []
    for issue_id in select_issues(scenario, issues):
        issue = scenario.issue(issue_id)
        sq = (
            "none"
            if issue.status_quo is None
            else ", ".join(_num(v) for v in issue.status_quo.values())
        )
        lines.append(f"Issue '{issue.id}': {issue.name}. Status quo: {sq}.")
        for dim in issue.dimensions:
            lines.append(
                f"  dimension '{dim.id}': {_num(dim.lo)} = {dim.lo_label} .. "
                f"{_num(dim.hi)} = {dim.hi_label} ({dim.unit})"
            )
    return lines


INSTRUCTIONS = [
    "One row per actor, issue and dimension. Columns:",
    "  expert: your id (letters, digits, '-', '_', '.'), the same on every row;",
    "  position: where the actor stands, a number on the dimension's scale (below);",
    "  salience: how much the issue matters to the actor, a number in 0..1;",
    "  capability: the actor's resources, a number >= 0, given once per actor (its first row);",
    "  confidence: how sure you are of the row, a number in (0, 1]; blank counts as 1;",
    "  note: anything you want the facilitator to read.",
    "Cells are pre-filled with the scenario's current values (the note says so and whether the",
    "value is sourced, assumed or elicited). Leave a value to confirm it, change it to answer,",
    "or clear it if you have no view (the scenario's value is then kept, and not counted as yours).",
    "Do not add, remove or reorder columns, and do not change the first line (the scenario id).",
]


def readme_text(scenario: Scenario, issues: Sequence[str] | None = None) -> str:
    """The README beside a CSV sheet: instructions, scales, labels and status quo."""
    lines = [
        f"# Expert panel sheet for scenario '{scenario.id}'",
        "",
        scenario.title,
        "",
        *INSTRUCTIONS,
        "",
        "Scales, labels and status quo:",
        "",
        *header_lines(scenario, issues),
    ]
    return "\n".join(lines) + "\n"


_SHADE = "DDDDDD"


def write_xlsx(
    scenario: Scenario, path: Path, issues: Sequence[str] | None = None, expert: str = ""
) -> None:
    """Write the XLSX panel sheet.

    The XLSX sheet: ``README`` (scenario id in A1, scales, instructions), ``answers`` (data
    validation: scale ranges, salience 0..1, capability >= 0, confidence (0, 1], drop-downs of
    actors, issues and dimensions) and ``lists`` (the drop-downs' values, hidden).
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = template_rows(scenario, issues)
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = "README"
    readme["A1"] = f"{MARKER}{scenario.id}"
    readme["A1"].font = Font(bold=True)
    readme["A2"] = scenario.title
    for i, line in enumerate([*INSTRUCTIONS, "", *header_lines(scenario, issues)], start=4):
        readme.cell(row=i, column=1, value=line)
    readme.column_dimensions["A"].width = 100

    ws = wb.create_sheet("answers")
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    shade = PatternFill("solid", start_color=_SHADE, end_color=_SHADE)
    for row in rows:
        ws.append(_cells(row, expert))
        r = ws.max_row
        for col in (5, 6) + ((7,) if row.capability is not None else ()):
            ws.cell(row=r, column=col).fill = shade
        ws.cell(row=r, column=5).comment = Comment(f"scenario value {_num(row.position)}", "accord")
    for letter, width in zip("ABCDEFGHI", (14, 12, 18, 26, 10, 10, 11, 11, 60), strict=True):
        ws.column_dimensions[letter].width = width

    lists = wb.create_sheet("lists")
    actors = sorted({r.actor for r in rows}, key=[a.id for a in scenario.actors].index)
    chosen = select_issues(scenario, issues)
    dims = sorted({r.dimension for r in rows})
    for col, values in enumerate((actors, chosen, dims), start=1):
        for i, value in enumerate(values, start=1):
            lists.cell(row=i, column=col, value=value)
    lists.sheet_state = "hidden"
    last = max(ws.max_row, 2)

    def add(dv: DataValidation, ref: str) -> None:
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(ref)

    for target, letter, values in zip("BCD", "ABC", (actors, chosen, dims), strict=True):
        add(
            DataValidation(type="list", formula1=f"lists!${letter}$1:${letter}${len(values)}"),
            f"{target}2:{target}{last}",
        )
    # one range check per run of rows on the same scale
    start = 2
    for i in range(len(rows) + 1):
        if i == len(rows) or (
            i > 0 and (rows[i].lo, rows[i].hi) != (rows[i - 1].lo, rows[i - 1].hi)
        ):
            if i > 0:
                lo, hi = rows[i - 1].lo, rows[i - 1].hi
                dv = DataValidation(
                    type="decimal", operator="between", formula1=_num(lo), formula2=_num(hi)
                )
                dv.error = f"a number in {_num(lo)}..{_num(hi)}"
                add(dv, f"E{start}:E{i + 1}")
            start = i + 2
    sal = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
    sal.error = "a number in 0..1"
    add(sal, f"F2:F{last}")
    cap = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    cap.error = "a number >= 0"
    add(cap, f"G2:G{last}")
    conf = DataValidation(type="decimal", operator="between", formula1="0.000001", formula2="1")
    conf.error = "a number in (0, 1]"
    add(conf, f"H2:H{last}")
    ws.freeze_panes = "A2"
    wb.active = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def write_template(
    scenario: Scenario,
    folder: Path,
    issues: Sequence[str] | None = None,
    experts: Sequence[str] = (),
    formats: Sequence[str] = ("csv", "xlsx"),
) -> list[Path]:
    """Write the sheet(s) and the README into ``folder``.

    One sheet per expert named in ``experts`` (``<expert>.csv``/``.xlsx`` with the expert column
    filled), else ``panel-sheet.csv``/``.xlsx``. Returns the paths written.
    """
    select_issues(scenario, issues)  # fail before writing anything
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    readme = folder / "README-panel.md"
    write_atomic(readme, readme_text(scenario, issues))
    written.append(readme)
    for name in experts or [""]:
        stem = name or "panel-sheet"
        if "csv" in formats:
            path = folder / f"{stem}.csv"
            write_atomic(path, csv_text(scenario, issues, name))
            written.append(path)
        if "xlsx" in formats:
            path = folder / f"{stem}.xlsx"
            write_xlsx(scenario, path, issues, name)
            written.append(path)
    return written
