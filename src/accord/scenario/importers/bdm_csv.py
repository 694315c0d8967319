"""Import and export the four-column CSV used for Bueno de Mesquita's model (``bdm-csv``).

The format (e.g. ``emission_standards.csv``, Scholz et al. 2011 Table 1) is one header line and
one row per actor::

    Actor,Capability,Position,Salience
    Netherlands,0.08,4,0.8

The header names are matched without regard to case or surrounding blanks, in any order, and a few
synonyms used by published data sets are accepted: ``Stakeholder`` or ``Name`` for ``Actor``,
``Resources``, ``Power``, ``Influence`` or ``Clout`` for ``Capability``.

Mapping onto :class:`~accord.scenario.schema.Scenario`:

- one scenario holding one issue with one dimension; the scenario and issue ids come from the file
  name (``emission_standards.csv`` gives ``emission_standards``);
- each row is an actor (id = the name with every run of characters other than letters, digits,
  ``_``, ``.`` and ``-`` replaced by ``-``; a clash gets ``-2``, ``-3`` ...) with its capability,
  and a stance with its position and salience; every number's ``source`` is
  ``"<file>, line N"`` and ``assumed`` is false;
- ``salience_scale`` is 1 when every salience is <= 1 (BDM's 0-1 data) and 100 otherwise (data
  printed as percentages), as in ``bdm-scholz.md`` §1;
- the dimension's scale: the file gives none, so it is [0, 1] or [0, 100] when every position
  lies in that standard scale and the positions cover at least half of it (``honduras_crisis``:
  [0, 1]; ``china_democratization``: [0, 100]); otherwise the positions' own minimum and maximum
  (``emission_standards``: years 4 to 10; ``sultan``: 12.85 to 14.25). When all positions are equal
  the scale is the smallest standard scale holding them, else that value +- 1. BDM's model reads
  only the positions' range, so this choice changes no forecast.

Errors (a missing or non-numeric value, a negative capability, a salience outside 0-100, a wrong
header, fewer than two actors, a duplicate actor name) raise
:class:`~accord.errors.ScenarioError` with the file, the line and the column name.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from dataclasses import dataclass
from pathlib import PurePath

from accord import limits
from accord.errors import ScenarioError, UsageError
from accord.scenario.columns import remember
from accord.scenario.importers.common import (
    NUMBER,
    checked_model,
    first_line,
    make_id,
    make_ids,
    model_builder,
    pick_issue,
)
from accord.scenario.schema import (
    NUMBER_BOUND,
    Actor,
    Dimension,
    Issue,
    Position,
    Quantity,
    Salience,
    Scenario,
    Stance,
)

FORMAT = "bdm-csv"

#: A number as the format writes it: optional sign, digits with an optional decimal point, an
#: optional exponent. Python's float() also reads '1_000', 'inf', 'nan' and ' 0x1p3'-like text;
#: the format has none of these, so they are refused rather than silently read.
#: Three numbers joined by commas: one match checks a row's numbers (the fast path of
#: :func:`read`; a row it does not take goes through :func:`_parse_row` and its messages).
_THREE = re.compile(",".join([NUMBER.pattern] * 3))


@functools.cache
def _row_pattern(order: tuple[str, ...]) -> re.Pattern[str]:
    """A whole line of a plain file whose columns come in ``order`` (:func:`_read_columns`).

    The actor's cell is any text without a comma; each number cell is a number as
    :data:`NUMBER` writes it with blanks around it (any white space but the newline: the
    characters ``str.strip`` removes), captured without them, as ``cell.strip()`` gives it.
    """
    blank = r"[^\S\n]*"
    cells = [
        "([^,\n]*)" if column == "Actor" else f"{blank}({NUMBER.pattern}){blank}"
        for column in order
    ]
    return re.compile("^" + ",".join(cells) + "$", re.MULTILINE)


#: Canonical column -> accepted header names (lower case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "Actor": ("actor", "stakeholder", "name"),
    "Capability": ("capability", "resources", "power", "influence", "clout"),
    "Position": ("position",),
    "Salience": ("salience",),
}
HEADER = tuple(COLUMNS)


def _canonical(name: str) -> str | None:
    key = name.strip().lower()
    for column, aliases in COLUMNS.items():
        if key in aliases:
            return column
    return None


def sniff(text: str) -> bool:
    """Return True if the first non-blank line is a BDM CSV header (the four columns, any order)."""
    first = first_line(text)
    if first is None:
        return False
    try:
        cells = next(csv.reader([first[1]]))
    except csv.Error:
        return False
    names = [c for c in cells if c.strip()]
    return sorted(str(_canonical(c)) for c in names) == sorted(HEADER)


def _number(cell: str, source: str, line: int, column: str, expected: str) -> float:
    text = cell.strip()
    if not text:
        raise ScenarioError(
            f"{column} is missing", file=source, line=line, field=column, expected=expected
        )
    shown = text if len(text) <= 40 else text[:37] + "..."
    if NUMBER.fullmatch(text) is None:
        try:
            infinite = not math.isfinite(float(text))
        except ValueError:
            infinite = False
        raise ScenarioError(
            f"'{shown}' is not a {'finite ' if infinite else ''}number",
            file=source,
            line=line,
            field=column,
            expected=f"{expected}, written like 12, -0.5 or 1.5e3",
        )
    value = float(text)
    if not math.isfinite(value) or abs(value) > NUMBER_BOUND:
        raise ScenarioError(
            f"'{shown}' is not a finite number within +-{NUMBER_BOUND:g}",
            file=source,
            line=line,
            field=column,
            expected=expected,
        )
    return value


def _scale(positions: list[float]) -> tuple[float, float]:
    lo, hi = min(positions), max(positions)
    for top in (1.0, 100.0):
        if lo >= 0.0 and hi <= top and (hi - lo >= top / 2 or hi == lo):
            return 0.0, top
    if hi == lo:
        return lo - 1.0, hi + 1.0
    return lo, hi


@dataclass(frozen=True)
class _Rows:
    """The actor rows of a file, column by column, checked one value at a time."""

    lines: list[int]
    names: list[str]
    capabilities: list[float]
    positions: list[float]
    saliences: list[float]
    labels: dict[str, str]
    header_line: int


def read(text: str, source: str, *, columnar: bool = True) -> list[Scenario]:
    """Parse a BDM CSV file into one :class:`Scenario` with one 1-D issue (see module docstring).

    Args:
        text: the file's content.
        source: the file name, used in error messages and provenance.
        columnar: try the column-wise reader first (:func:`_read_columns`); it takes only files
            it can prove every row of valid and gives the same rows as the row-by-row reader
            (:func:`_read_rows`), which reads every other file and words every error. False
            reads row by row (the tests compare both).

    Returns:
        A list holding the one scenario.

    Raises:
        ScenarioError: on malformed content, naming the file, the line and the column.
    """
    name = PurePath(source).name or source
    stem = PurePath(source).stem or "bdm"
    body = text.lstrip("\ufeff")
    rows = (_read_columns(body) if columnar else None) or _read_rows(body, source)
    names = rows.names
    if len(names) < 2:
        raise ScenarioError(
            f"{len(names)} actor(s) found",
            file=source,
            line=rows.lines[0] if names else rows.header_line,
            field=rows.labels["Actor"],
            expected="at least 2 actors",
        )
    if len(set(names)) != len(names):
        seen: dict[str, int] = {}
        for line, actor_name in zip(rows.lines, names, strict=True):
            if actor_name in seen:
                raise ScenarioError(
                    f"duplicate actor '{actor_name}' (first on line {seen[actor_name]})",
                    file=source,
                    line=line,
                    field=rows.labels["Actor"],
                    expected="each actor once",
                )
            seen[actor_name] = line
    salience_scale = 1.0 if max(rows.saliences) <= 1.0 else 100.0
    lo, hi = _scale(rows.positions)
    ids = make_ids(names, "actor")
    # The values are checked (finite numbers within NUMBER_BOUND, capability >= 0, salience in
    # 0..100, ids from make_ids), so the rows become models without pydantic's per-object
    # validation (model_builder); validate.check still runs on the whole scenario.
    quantity = model_builder(Quantity, ("value", "source"))
    actor = model_builder(Actor, ("id", "name", "capability"))
    position = model_builder(Position, ("value", "source"))
    salience = model_builder(Salience, ("value", "source"))
    stance = model_builder(Stance, ("actor", "position", "salience"))
    where = list(map(f"{name}, line ".__add__, map(str, rows.lines)))  # each number's source
    actors = list(map(actor, ids, names, map(quantity, rows.capabilities, where)))
    stances = list(
        map(
            stance,
            ids,
            map(position, rows.positions, where),
            map(salience, rows.saliences, where),
        )
    )
    scenario_id = make_id(stem, set(), "actor")
    issue = checked_model(
        Issue,
        id=scenario_id,
        name=stem,
        dimensions=[Dimension(id="position", lo=lo, hi=hi)],
        salience_scale=salience_scale,
        stances=stances,
    )
    scenario = checked_model(
        Scenario,
        id=scenario_id,
        title=stem,
        sources={name: f"BDM CSV ({FORMAT}) imported from {name}"},
        actors=actors,
        issues=[issue],
    )
    # the same numbers as columns, so that checking and forecasting need not walk the models
    remember(issue, actors, stances, rows.positions, rows.saliences, rows.capabilities)
    return [scenario]


def _read_columns(text: str) -> _Rows | None:
    """The rows of a plain, valid file read column-wise, or None for :func:`_read_rows` to read.

    A plain file has no quotes, carriage returns or NUL characters, a header of exactly the
    four columns, and after it one data row per line up to the end (blank lines only at the
    end). Then the CSV reader's cells are the text between commas: one regular expression over
    the whole text (:func:`_row_pattern`) takes every line whose number cells are numbers as
    :data:`NUMBER` writes them (blanks around a cell ignored, as ``str.strip`` does), and each
    column is then checked at once the way :func:`_read_rows` checks one row: an actor name that
    is not blank, each number in its range, no line longer than the CSV reader's field limit,
    and no more rows than the actor limit. Anything else (a quote, a blank line between rows, a value out of range, a row
    the expression does not take, too many rows) gives None, and :func:`_read_rows` reads the
    file again and raises its error: both readers refuse the same files with the same
    messages, and accept the same files with the same rows (tests/unit/test_bdm_csv_columnar.py).
    A 200,000-row file takes a fraction of a second instead of several seconds (issue 15).
    """
    if '"' in text or "\r" in text or "\0" in text:
        return None
    start, number = 0, 1
    while True:  # the header: the first line with a non-blank cell
        stop = text.find("\n", start)
        line = text[start:] if stop < 0 else text[start:stop]
        if any(cell.strip() for cell in line.split(",")):
            break
        if stop < 0:
            return None
        start, number = stop + 1, number + 1
    cells = line.split(",")
    if len(cells) != len(HEADER) or not all(map(_canonical, cells)):
        return None
    try:
        columns = _parse_header(cells, "", number)
    except ScenarioError:
        return None
    rest = "" if stop < 0 else text[stop + 1 :].rstrip()
    limit = csv.field_size_limit()
    if len(rest) > limit and max(map(len, rest.split("\n"))) > limit:
        return None  # a cell may be over the CSV reader's limit ("field larger than ...")
    order = sorted(columns, key=columns.__getitem__)
    found = _row_pattern(tuple(order)).findall(rest)
    n = len(found)
    if n == 0 or n != rest.count("\n") + 1 or n > limits.ACTORS.value:
        return None
    by_column = dict(zip(order, zip(*found, strict=True), strict=True))
    names = list(map(str.strip, by_column["Actor"]))
    if not all(names):
        return None
    capabilities, positions, saliences = (
        list(map(float, by_column[column])) for column in ("Capability", "Position", "Salience")
    )
    if (
        not 0.0 <= min(capabilities) <= max(capabilities) <= NUMBER_BOUND
        or not -NUMBER_BOUND <= min(positions) <= max(positions) <= NUMBER_BOUND
        or not 0.0 <= min(saliences) <= max(saliences) <= 100.0
    ):
        return None
    limits.check_deadline()  # a web request's time limit
    return _Rows(
        lines=list(range(number + 1, number + 1 + n)),
        names=names,
        capabilities=capabilities,
        positions=positions,
        saliences=saliences,
        labels={column: cells[index].strip() for column, index in columns.items()},
        header_line=number,
    )


def _read_rows(text: str, source: str) -> _Rows:
    """Every row read and checked one at a time by the CSV reader; errors name line and column."""
    rows = csv.reader(io.StringIO(text))
    columns: dict[str, int] | None = None
    labels: dict[str, str] = {}
    header_line = 0
    width = 0
    max_actors = limits.ACTORS.value
    records: list[tuple[int, str, float, float, float]] = []
    ia = ic = ip = isal = 0
    try:
        for cells in rows:
            if columns is not None and len(cells) == width:
                # fast path for a well-formed row (most of a large file): one regex match for
                # the three numbers, then the same range checks as _parse_row; anything else
                # falls through to _parse_row, which names the line and the column
                actor_name = cells[ia].strip()
                cap, pos, sal = cells[ic].strip(), cells[ip].strip(), cells[isal].strip()
                if actor_name and _THREE.fullmatch(f"{cap},{pos},{sal}"):
                    c, p, s = float(cap), float(pos), float(sal)
                    if 0.0 <= c <= NUMBER_BOUND and abs(p) <= NUMBER_BOUND and 0.0 <= s <= 100.0:
                        records.append((rows.line_num, actor_name, c, p, s))
                        if len(records) > max_actors:
                            limits.ACTORS.check(len(records), file=source, line=rows.line_num)
                        if len(records) & 4095 == 0:
                            limits.check_deadline()  # a web request's time limit
                        continue
            line = rows.line_num
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                header_line = line
                width = len(cells)
                columns = _parse_header(cells, source, line)
                labels = {column: cells[index].strip() for column, index in columns.items()}
                ia, ic = columns["Actor"], columns["Capability"]
                ip, isal = columns["Position"], columns["Salience"]
                continue
            if len(cells) > width:
                raise _extra_cells(cells, width, source, line)
            records.append(_parse_row(cells, columns, labels, source, line))
            if len(records) & 4095 == 0:
                limits.check_deadline()
            if len(records) > max_actors:
                limits.ACTORS.check(len(records), file=source, line=line)
    except csv.Error as err:
        raise ScenarioError(
            f"malformed CSV: {err}", file=source, line=rows.line_num, expected="comma-separated"
        ) from None
    if columns is None:
        raise ScenarioError(
            "the file is empty", file=source, expected="a header " + ",".join(HEADER)
        )
    return _Rows(
        lines=[r[0] for r in records],
        names=[r[1] for r in records],
        capabilities=[r[2] for r in records],
        positions=[r[3] for r in records],
        saliences=[r[4] for r in records],
        labels=labels,
        header_line=header_line,
    )


def _parse_header(cells: list[str], source: str, line: int) -> dict[str, int]:
    expected = "the header " + ",".join(HEADER)
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if not cell.strip() and index == len(cells) - 1:
            continue  # a trailing comma
        column = _canonical(cell)
        if column is None:
            raise ScenarioError(
                f"unknown column '{cell.strip()}'", file=source, line=line, expected=expected
            )
        if column in columns:
            raise ScenarioError(
                f"column '{column}' appears twice", file=source, line=line, expected=expected
            )
        columns[column] = index
    missing = [c for c in HEADER if c not in columns]
    if missing:
        raise ScenarioError(
            "missing column " + ", ".join(f"'{c}'" for c in missing),
            file=source,
            line=line,
            expected=expected,
        )
    return columns


def _extra_cells(cells: list[str], width: int, source: str, line: int) -> ScenarioError:
    extra = cells[width:]
    what = (
        f"{len(extra)} empty column(s) after the last"
        if not any(c.strip() for c in extra)
        else f"{len(cells)} values, the header has {width}"
    )
    return ScenarioError(
        what, file=source, line=line, expected=f"{width} comma-separated values, as the header"
    )


def _parse_row(
    cells: list[str], columns: dict[str, int], labels: dict[str, str], source: str, line: int
) -> tuple[int, str, float, float, float]:
    """One actor row: (line, name, capability, position, salience); errors name the column."""

    def cell(column: str) -> str:
        index = columns[column]
        return cells[index] if index < len(cells) else ""

    actor_name = cell("Actor").strip()
    if not actor_name:
        raise ScenarioError(
            f"{labels['Actor']} is missing",
            file=source,
            line=line,
            field=labels["Actor"],
            expected="an actor name",
        )
    capability = _number(cell("Capability"), source, line, labels["Capability"], "a number >= 0")
    if capability < 0:
        raise ScenarioError(
            f"capability {capability:g} is negative",
            file=source,
            line=line,
            field=labels["Capability"],
            expected="a number >= 0",
        )
    position = _number(cell("Position"), source, line, labels["Position"], "a number")
    salience = _number(
        cell("Salience"), source, line, labels["Salience"], "a number in 0..1 or in 0..100"
    )
    if not 0.0 <= salience <= 100.0:
        raise ScenarioError(
            f"salience {salience:g} is outside 0..100",
            file=source,
            line=line,
            field=labels["Salience"],
            expected="a number in 0..1 or in 0..100",
        )
    return line, actor_name, capability, position, salience


def _format(value: float) -> str:
    """Shortest text that reads back to the same float (integers without '.0')."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def write(scenario: Scenario, issue_id: str | None = None) -> str:
    """Export one 1-D issue of ``scenario`` as BDM CSV (``Actor,Capability,Position,Salience``).

    The actor column holds the actor's name; actors without a stance on the issue are left out.
    Saliences are written on the file's own scale when :func:`read` would detect that scale again
    (1, or 100 with some salience above 1); otherwise they are written on 0-1.

    Raises:
        UsageError: when the scenario has several issues and ``issue_id`` is not given, when the
            issue does not exist, or when it has more than one dimension.
    """
    issue = pick_issue(scenario, issue_id, "bdm-csv")
    if len(issue.dimensions) != 1:
        raise UsageError(
            f"issue '{issue.id}' has {len(issue.dimensions)} dimensions",
            expected="a 1-D issue (bdm-csv holds one dimension)",
        )
    raw = [stance.salience.values(1)[0] for stance in issue.stances]
    scale = issue.salience_scale
    keep_raw = scale == 1.0 or (scale == 100.0 and any(v > 1.0 for v in raw))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for stance, salience in zip(issue.stances, raw, strict=True):
        try:
            actor = scenario.actor(stance.actor)
        except KeyError:
            raise UsageError(
                f"issue '{issue.id}' has a stance for unknown actor '{stance.actor}'",
                expected="an actor id of the scenario",
            ) from None
        writer.writerow(
            [
                actor.name,
                _format(actor.capability.value),
                _format(stance.position.values()[0]),
                _format(salience if keep_raw else salience / scale),
            ]
        )
    return out.getvalue()
