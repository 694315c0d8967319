"""Reading filled panel sheets (CSV or XLSX), strictly.

Anything that is not exactly a number where a number belongs, on its scale, for a known actor, issue
and dimension of *this* scenario, is refused with one line naming the sheet, the line (row) and what
was expected.

A CSV sheet's line 1 is ``# accord panel sheet for scenario ID``; an XLSX sheet holds the same
text in cell A1 of its ``README`` sheet and its answers in the ``answers`` sheet. XLSX cells must
hold values: a formula, or text where a number belongs, is refused (a typed "10" stored as text
would otherwise be read differently by different tools).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from accord.errors import AccordError
from accord.panel.rows import COLUMNS, MARKER, NUMERIC
from accord.scenario.schema import Scenario

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_SHEET_BYTES = 10 * 1024 * 1024


class PanelError(AccordError):
    """A panel sheet cannot be read, or does not fit its scenario."""


@dataclass(frozen=True)
class Answer:
    """One expert's answer for one (actor, issue, dimension); ``None`` where left blank.

    ``salience`` is on [0, 1]; ``where`` is ``sheet:line`` for messages.
    """

    expert: str
    actor: str
    issue: str
    dimension: str
    position: float | None
    salience: float | None
    capability: float | None
    confidence: float | None
    note: str
    sheet: str
    line: int

    @property
    def where(self) -> str:
        """Where the answer was read, as ``SHEET:LINE``."""
        return f"{self.sheet}:{self.line}"


@dataclass(frozen=True)
class Panel:
    """Every answer of every sheet, checked against one scenario."""

    scenario_id: str
    answers: tuple[Answer, ...]

    @property
    def experts(self) -> tuple[str, ...]:
        """Experts in order of first appearance."""
        return tuple(dict.fromkeys(a.expert for a in self.answers))


RawCell = str | float | int | bool | None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


class _Checker:
    """Checks one sheet's rows against the scenario (scales, ids), with the sheet's name."""

    def __init__(self, scenario: Scenario, sheet: str) -> None:
        self.scenario = scenario
        self.sheet = sheet
        self.actor_ids = [a.id for a in scenario.actors]

    def fail(self, line: int, field: str | None, message: str, expected: str | None) -> PanelError:
        return PanelError(message, file=self.sheet, line=line, field=field, expected=expected)

    def scenario_line(self, line: int, text: str | None) -> None:
        text = (text or "").strip()
        if not text.startswith(MARKER.strip()):
            raise self.fail(
                line,
                None,
                "not an accord panel sheet" if text else "the sheet is empty",
                f"'{MARKER}{self.scenario.id}' on the first line",
            )
        found = text[len(MARKER.strip()) :].strip()
        if found != self.scenario.id:
            raise self.fail(
                line,
                None,
                f"this sheet is for scenario '{found}', not '{self.scenario.id}'",
                f"a sheet made by 'accord panel template' for '{self.scenario.id}'",
            )

    def header(self, line: int, cells: Sequence[RawCell]) -> None:
        names = [str(c).strip() if c is not None else "" for c in cells]
        while names and names[-1] == "":
            names.pop()
        if tuple(names) != COLUMNS:
            raise self.fail(
                line,
                None,
                f"the columns are {', '.join(names) or 'missing'}",
                "the columns " + ", ".join(COLUMNS) + " in this order",
            )

    def number(self, line: int, name: str, raw: RawCell, *, from_text: bool) -> float | None:
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            return None
        if isinstance(raw, bool):
            raise self.fail(line, name, f"holds {raw!s}", "a number")
        if isinstance(raw, int | float):
            value = float(raw)
        elif from_text:
            try:
                value = float(raw.strip())
            except ValueError:
                raise self.fail(line, name, f"'{raw}' is not a number", "a number") from None
        else:
            raise self.fail(
                line, name, f"the cell holds text '{raw}'", "a number (a value, not text)"
            )
        if not math.isfinite(value):
            raise self.fail(line, name, f"{raw} is not a finite number", "a number")
        return value

    def row(self, line: int, cells: Sequence[RawCell], *, from_text: bool) -> Answer | None:
        values = list(cells) + [None] * (len(COLUMNS) - len(cells))
        if len(values) > len(COLUMNS) and any(v not in (None, "") for v in values[len(COLUMNS) :]):
            raise self.fail(line, None, "values beyond the last column", "the 9 columns only")
        raw = dict(zip(COLUMNS, values[: len(COLUMNS)], strict=True))
        if all(v is None or str(v).strip() == "" for v in raw.values()):
            return None  # a blank line
        text = {k: "" if raw[k] is None else str(raw[k]).strip() for k in COLUMNS}
        expert = text["expert"]
        if not _ID.match(expert):
            raise self.fail(
                line,
                "expert",
                f"expert id '{expert}' is not valid" if expert else "no expert id",
                "letters, digits, '_', '.', '-', starting with a letter or digit",
            )
        actor_id = text["actor"]
        if actor_id not in self.actor_ids:
            shown = ", ".join(self.actor_ids[:8]) + (", ..." if len(self.actor_ids) > 8 else "")
            raise self.fail(
                line,
                "actor",
                f"unknown actor '{actor_id}' in scenario '{self.scenario.id}'",
                f"one of {shown}",
            )
        try:
            issue = self.scenario.issue(text["issue"])
        except KeyError:
            raise self.fail(
                line,
                "issue",
                f"unknown issue '{text['issue']}'",
                "one of " + ", ".join(i.id for i in self.scenario.issues),
            ) from None
        dims = {d.id: d for d in issue.dimensions}
        dim = dims.get(text["dimension"])
        if dim is None:
            raise self.fail(
                line,
                "dimension",
                f"issue '{issue.id}' has no dimension '{text['dimension']}'",
                "one of " + ", ".join(dims),
            )
        if actor_id not in {s.actor for s in issue.stances}:
            raise self.fail(
                line,
                "actor",
                f"actor '{actor_id}' has no stance on issue '{issue.id}'",
                "a row of the template",
            )
        nums = {k: self.number(line, k, raw[k], from_text=from_text) for k in NUMERIC}
        pos, sal, cap, conf = (nums[k] for k in NUMERIC)
        if pos is not None and not dim.lo <= pos <= dim.hi:
            raise self.fail(
                line,
                "position",
                f"{_fmt(pos)} is outside the scale of '{issue.id}/{dim.id}'",
                f"a number in {_fmt(dim.lo)}..{_fmt(dim.hi)}",
            )
        if sal is not None and not 0.0 <= sal <= 1.0:
            raise self.fail(line, "salience", f"{_fmt(sal)} is outside 0..1", "a salience in 0..1")
        if cap is not None and cap < 0:
            raise self.fail(line, "capability", f"{_fmt(cap)} is negative", "a number >= 0")
        if conf is not None and not 0.0 < conf <= 1.0:
            raise self.fail(
                line, "confidence", f"{_fmt(conf)} is outside (0, 1]", "a number in (0, 1]"
            )
        if pos is None and sal is None and cap is None:
            return None  # no view on this row: the scenario's values are kept
        return Answer(
            expert, actor_id, issue.id, dim.id, pos, sal, cap, conf, text["note"], self.sheet, line
        )


def read_csv(path: Path, scenario: Scenario) -> list[Answer]:
    """Read one filled CSV sheet, strictly (module docstring).

    Raises:
        PanelError: on the first thing that is not as expected, naming the sheet and line.
    """
    sheet = str(path)
    data = path.read_bytes()
    checker = _Checker(scenario, sheet)
    if len(data) > MAX_SHEET_BYTES:
        raise checker.fail(1, None, "the sheet is larger than 10 MB", "a smaller sheet")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise checker.fail(
            line, None, "the sheet is not UTF-8 text", "UTF-8 (save as CSV UTF-8)"
        ) from None
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, cells) for cells in reader]
    rows = [(n, c) for n, c in rows if any(x.strip() for x in c)]
    if not rows:
        raise checker.fail(1, None, "the sheet is empty", f"'{MARKER}{scenario.id}' on line 1")
    # a spreadsheet may have split the marker at a comma or padded it with empty cells
    first_line, first = rows[0]
    checker.scenario_line(first_line, ",".join(c for c in first if c).strip())
    if len(rows) < 2:
        raise checker.fail(first_line, None, "the sheet has no header", ", ".join(COLUMNS))
    checker.header(rows[1][0], rows[1][1])
    return _answers(checker, ((n, list(c)) for n, c in rows[2:]), from_text=True)


def _answers(
    checker: _Checker, rows: Iterable[tuple[int, Sequence[RawCell]]], *, from_text: bool
) -> list[Answer]:
    out: list[Answer] = []
    last = 2
    for line, cells in rows:
        last = line
        answer = checker.row(line, cells, from_text=from_text)
        if answer is not None:
            out.append(answer)
    if not out:
        raise checker.fail(last, None, "the sheet has no answers", "at least one filled row")
    return out


def read_xlsx(path: Path, scenario: Scenario) -> list[Answer]:
    """Read one filled XLSX workbook's answers sheet, strictly (module docstring).

    Raises:
        PanelError: on the first thing that is not as expected, naming the sheet and row.
    """
    from openpyxl import load_workbook

    checker = _Checker(scenario, str(path))
    if path.stat().st_size > MAX_SHEET_BYTES:
        raise checker.fail(1, None, "the sheet is larger than 10 MB", "a smaller workbook")
    try:
        wb = load_workbook(path, data_only=False, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise checker.fail(
            1, None, f"cannot open the workbook ({type(exc).__name__})", "an .xlsx file"
        ) from None
    try:
        if "README" not in wb.sheetnames or "answers" not in wb.sheetnames:
            raise checker.fail(
                1,
                None,
                "the workbook has no 'README' and 'answers' sheets",
                "the template's sheets",
            )
        readme_a1 = next(wb["README"].iter_rows(min_row=1, max_row=1, values_only=True), (None,))
        checker.scenario_line(1, None if not readme_a1 else str(readme_a1[0] or ""))
        ws = wb["answers"]
        checker.sheet = f"{path}[answers]"
        rows: list[tuple[int, list[RawCell]]] = []
        for r, cells in enumerate(ws.iter_rows(), start=1):
            values: list[RawCell] = []
            for c, cell in enumerate(cells, start=1):
                value = cell.value
                if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                    field = COLUMNS[c - 1] if c <= len(COLUMNS) else None
                    raise checker.fail(
                        r, field, f"the cell holds a formula '{value}'", "a value, not a formula"
                    )
                if value is not None and not isinstance(value, str | int | float | bool):
                    field = COLUMNS[c - 1] if c <= len(COLUMNS) else None
                    raise checker.fail(
                        r, field, f"the cell holds a {type(value).__name__}", "a number or text"
                    )
                values.append(value)
            rows.append((r, values))
    finally:
        wb.close()
    rows = [(n, c) for n, c in rows if any(v is not None and str(v).strip() for v in c)]
    if not rows:
        raise checker.fail(1, None, "the sheet is empty", ", ".join(COLUMNS))
    checker.header(rows[0][0], rows[0][1])
    # text columns read as text; numeric columns must hold numbers
    fixed: list[tuple[int, Sequence[RawCell]]] = []
    for n, cells in rows[1:]:
        fixed.append((n, cells))
    return _answers(checker, fixed, from_text=False)


def read_sheet(path: str | Path, scenario: Scenario) -> list[Answer]:
    """The answers of one sheet (``.csv`` or ``.xlsx``), checked against ``scenario``."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return read_csv(p, scenario)
    if suffix == ".xlsx":
        return read_xlsx(p, scenario)
    raise PanelError(
        f"cannot read '{p.suffix or p.name}' sheets", file=str(p), expected="a .csv or .xlsx sheet"
    )


def read_panel(paths: Sequence[str | Path], scenario: Scenario) -> Panel:
    """Every sheet's answers, refusing duplicates and contradictions.

    Every sheet's answers; the same expert and row twice is refused (naming both places),
    and so are two different capabilities for one actor from one expert.
    """
    if not paths:
        raise PanelError("no sheets given", field="SHEET", expected="one or more .csv/.xlsx sheets")
    answers: list[Answer] = []
    seen: dict[tuple[str, str, str, str], Answer] = {}
    caps: dict[tuple[str, str], Answer] = {}
    for path in paths:
        for a in read_sheet(path, scenario):
            key = (a.expert, a.actor, a.issue, a.dimension)
            if key in seen:
                raise PanelError(
                    f"expert '{a.expert}' answers {a.actor}/{a.issue}/{a.dimension} twice "
                    f"(also at {seen[key].where})",
                    file=a.sheet,
                    line=a.line,
                    expected="one row per expert, actor, issue and dimension",
                )
            seen[key] = a
            if a.capability is not None:
                old = caps.get((a.expert, a.actor))
                if old is not None and old.capability != a.capability:
                    raise PanelError(
                        f"expert '{a.expert}' gives {a.actor} capability {_fmt(a.capability)}, "
                        f"but {_fmt(old.capability or 0.0)} at {old.where}",
                        file=a.sheet,
                        line=a.line,
                        field="capability",
                        expected="one capability per actor and expert",
                    )
                caps[(a.expert, a.actor)] = a
            answers.append(a)
    return Panel(scenario.id, tuple(answers))
