"""Import and export the input format of the ``decide-exchange-model`` (``decide``).

The format (Stokman's exchange model; e.g. ``cop21.csv``, ``sample_data.txt``) is one record per
line, each starting with a tag; values are quoted with ``'`` or ``"`` and separated by tabs or
semicolons::

    '#A'  'USA'   'USA'   ''                       an actor: id, name, comment
    '#P'  'mrv'   'mrv'   'description'            an issue: id, name, description
    '#M'  'mrv'   0                                a point on the issue's scale (and a label)
    '#M'  'mrv'   100
    '#D'  'USA'   'mrv'   90.0   1.0   0.26        data: actor, issue, position, salience, power

Mapping onto :class:`~accord.scenario.schema.Scenario`:

- one scenario (id and title from the file name) holding one issue per ``#P`` row, in file order.
  Each issue has one dimension (id ``position``) whose scale runs from the smallest to the largest
  ``#M`` point of that issue; the labels of those two points, when given, become ``lo_label`` and
  ``hi_label``. An issue without ``#M`` rows gets the scale 0..100 when its positions fit in it
  (decide's usual scale; said in the issue's description), else it is an error.
- ``salience_scale`` is chosen from the data: 1 when every salience in the file is <= 1 (decide's
  own 0..1 convention), 100 when they run up to 100.
- each ``#A`` row is an actor (id from its id field: characters outside ``[A-Za-z0-9_.-]`` become
  ``-``, made unique; name from the name field; a non-empty comment becomes the description), and
  each ``#D`` row a stance. Every number's ``source`` is ``"<file>, line N"``, ``assumed: false``.
- **power**: decide gives an actor's power per issue; accord's capability is per actor. When an
  actor's power is the same on every issue (as in all the files shipped in ``tests/data/stokman``),
  that value is its capability. When it varies, the capability is the mean over the actor's
  issues, marked ``assumed: true`` with ``range`` [min, max] (so Monte Carlo explores the spread),
  and the per-issue values are kept exactly as numeric actor attributes ``power_<issue id>``,
  which :func:`write` exports again.

Errors (an unknown tag, a ``#D`` row naming an unknown actor or issue, a missing value, text where
a number belongs, a position outside the issue's scale, a negative salience or power, a duplicate
id or data row) raise :class:`~accord.errors.ScenarioError` with the file, the line and the field.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from accord.errors import ScenarioError, UsageError
from accord.scenario.importers.common import first_line, make_id, pick_issue, strict_float
from accord.scenario.schema import (
    Actor,
    Attribute,
    Dimension,
    Issue,
    Position,
    Quantity,
    Salience,
    Scenario,
    Stance,
)

FORMAT = "decide"

TAGS = ("#A", "#P", "#M", "#D")
_FIRST = re.compile(r"""^\s*(['"]?)#[APMD]\1\s*[\t;]""")
_FIELDS = {
    "#A": ("tag", "actor id", "name", "comment"),
    "#P": ("tag", "issue id", "name", "description"),
    "#M": ("tag", "issue id", "scale point", "label"),
    "#D": ("tag", "actor id", "issue id", "position", "salience", "power"),
}


def sniff(text: str) -> bool:
    """Whether a text looks like a decide file.

    True if the first non-blank line is a decide record (``'#A'``, ``#P``, ... then a tab or
    semicolon).
    """
    first = first_line(text)
    return first is not None and bool(_FIRST.match(first[1]))


def _cells(line: str, source: str, number: int) -> list[str]:
    """The values of one record, unquoted."""
    stripped = line.strip()
    delimiter = "\t" if "\t" in stripped else ";"
    quote = stripped[0] if stripped[:1] in ("'", '"') else '"'
    try:
        row = next(csv.reader([stripped], delimiter=delimiter, quotechar=quote))
    except (csv.Error, StopIteration) as exc:
        raise ScenarioError(
            f"cannot split the line ({exc})",
            file=source,
            line=number,
            expected="values separated by tabs or semicolons, quoted with ' or \"",
        ) from None
    return [
        cell.strip().strip("'\"") if cell.strip()[:1] in "'\"" else cell.strip() for cell in row
    ]


@dataclass
class _Issue:
    ident: str
    name: str
    description: str
    line: int
    points: list[tuple[float, str, int]] = field(default_factory=list)
    rows: list[tuple[int, str, float, float, float]] = field(default_factory=list)


def _field(cells: list[str], index: int, tag: str, source: str, line: int) -> str:
    name = _FIELDS[tag][index]
    if index >= len(cells) or not cells[index]:
        raise ScenarioError(
            f"{name} is missing",
            file=source,
            line=line,
            field=name,
            expected=f"{tag} rows with: {', '.join(_FIELDS[tag][1:])}",
        )
    return cells[index]


def _number(cells: list[str], index: int, tag: str, source: str, line: int, expected: str) -> float:
    text = _field(cells, index, tag, source, line)
    name = _FIELDS[tag][index]
    try:
        value = strict_float(
            text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
        )
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ScenarioError(
            f"'{text[:40]}' is not a number", file=source, line=line, field=name, expected=expected
        )
    return value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def read(text: str, source: str) -> list[Scenario]:
    """Parse a decide input file into one :class:`Scenario` (see the module docstring).

    Raises:
        ScenarioError: malformed content, with the file, the line and the field.
    """
    name = PurePath(source).name or source
    actors: dict[str, tuple[str, str, int]] = {}  # raw id -> (name, comment, line)
    issues: dict[str, _Issue] = {}
    data: dict[str, list[tuple[int, str, float, float, float]]] = {}  # actor -> rows
    seen_rows: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        cells = _cells(line, source, number)
        tag = cells[0].upper() if cells else ""
        if tag not in TAGS:
            raise ScenarioError(
                f"unknown record '{(cells[0] if cells else line)[:20]}'",
                file=source,
                line=number,
                expected="a line starting with '#A', '#P', '#M' or '#D'",
            )
        if tag == "#A":
            ident = _field(cells, 1, tag, source, number)
            if ident in actors:
                raise ScenarioError(
                    f"duplicate actor '{ident}' (first on line {actors[ident][2]})",
                    file=source,
                    line=number,
                    field="actor id",
                    expected="each actor once",
                )
            label = cells[2] if len(cells) > 2 and cells[2] else ident
            comment = cells[3] if len(cells) > 3 else ""
            actors[ident] = (label, comment, number)
        elif tag == "#P":
            ident = _field(cells, 1, tag, source, number)
            if ident in issues:
                raise ScenarioError(
                    f"duplicate issue '{ident}' (first on line {issues[ident].line})",
                    file=source,
                    line=number,
                    field="issue id",
                    expected="each issue once",
                )
            label = cells[2] if len(cells) > 2 and cells[2] else ident
            desc = cells[3] if len(cells) > 3 and cells[3] not in ("", ident, label) else ""
            issues[ident] = _Issue(ident, label, desc, number)
        elif tag == "#M":
            issue = _known(issues, _field(cells, 1, tag, source, number), source, number, "#P")
            value = _number(cells, 2, tag, source, number, "a number on the issue's scale")
            issue.points.append((value, cells[3] if len(cells) > 3 else "", number))
        else:
            actor = _field(cells, 1, tag, source, number)
            if actor not in actors:
                raise ScenarioError(
                    f"data row for unknown actor '{actor}'",
                    file=source,
                    line=number,
                    field="actor id",
                    expected="an actor declared in an '#A' row above",
                )
            issue = _known(issues, _field(cells, 2, tag, source, number), source, number, "#P")
            key = (actor, issue.ident)
            if key in seen_rows:
                raise ScenarioError(
                    f"second data row for actor '{actor}' on issue '{issue.ident}' "
                    f"(first on line {seen_rows[key]})",
                    file=source,
                    line=number,
                    expected="one '#D' row per actor and issue",
                )
            seen_rows[key] = number
            position = _number(cells, 3, tag, source, number, "a number on the issue's scale")
            salience = _number(cells, 4, tag, source, number, "a number in 0..1 (or 0..100)")
            power = _number(cells, 5, tag, source, number, "a number >= 0")
            if salience < 0:
                raise ScenarioError(
                    f"salience {_num(salience)} is negative",
                    file=source,
                    line=number,
                    field="salience",
                    expected="a number in 0..1 (or 0..100)",
                )
            if power < 0:
                raise ScenarioError(
                    f"power {_num(power)} is negative",
                    file=source,
                    line=number,
                    field="power",
                    expected="a number >= 0",
                )
            issue.rows.append((number, actor, position, salience, power))
            data.setdefault(actor, []).append((number, issue.ident, position, salience, power))
    if not actors or not issues:
        raise ScenarioError(
            "no actors" if not actors else "no issues",
            file=source,
            expected="'#A' actor rows, '#P' issue rows and '#D' data rows",
        )
    return [_build(name, source, actors, issues, data)]


def _known(issues: dict[str, _Issue], ident: str, source: str, line: int, tag: str) -> _Issue:
    if ident not in issues:
        raise ScenarioError(
            f"unknown issue '{ident}'",
            file=source,
            line=line,
            field="issue id",
            expected=f"an issue declared in a '{tag}' row above",
        )
    return issues[ident]


def _build(
    name: str,
    source: str,
    actors: dict[str, tuple[str, str, int]],
    issues: dict[str, _Issue],
    data: dict[str, list[tuple[int, str, float, float, float]]],
) -> Scenario:
    saliences = [row[3] for rows in data.values() for row in rows]
    top = max(saliences, default=0.0)
    if top > 100:
        line = next(r[0] for rows in data.values() for r in rows if r[3] == top)
        raise ScenarioError(
            f"salience {_num(top)} is above 100",
            file=source,
            line=line,
            field="salience",
            expected="saliences in 0..1 (or all in 0..100)",
        )
    salience_scale = 1.0 if top <= 1.0 else 100.0

    taken: set[str] = set()
    actor_ids = {raw: make_id(raw, taken, "actor") for raw in actors}
    taken_issues: set[str] = set()
    issue_ids = {raw: make_id(raw, taken_issues, "issue") for raw in issues}

    built_issues: list[Issue] = []
    for raw, issue in issues.items():
        if not issue.rows:
            raise ScenarioError(
                f"issue '{raw}' has no data rows",
                file=source,
                line=issue.line,
                expected=f"'#D' rows for issue '{raw}'",
            )
        built_issues.append(_issue(issue, issue_ids[raw], actor_ids, salience_scale, name, source))

    built_actors: list[Actor] = []
    for raw, (label, comment, line) in actors.items():
        rows = data.get(raw, [])
        built_actors.append(
            Actor(
                id=actor_ids[raw],
                name=label,
                description=comment or None,
                capability=_capability(rows, name, line),
                attributes=_powers(rows, issue_ids, name),
            )
        )
    stem = PurePath(source).stem or "decide"
    scenario_id = make_id(stem, set(), "decide")
    return Scenario(
        id=scenario_id,
        title=stem,
        sources={FORMAT: f"decide exchange-model input imported from {name}"},
        actors=built_actors,
        issues=built_issues,
    )


def _issue(
    issue: _Issue,
    ident: str,
    actor_ids: dict[str, str],
    salience_scale: float,
    name: str,
    source: str,
) -> Issue:
    note = ""
    if issue.points:
        ordered = sorted(issue.points)
        (lo, lo_label, _), (hi, hi_label, line) = ordered[0], ordered[-1]
        if not lo < hi:
            raise ScenarioError(
                f"issue '{issue.ident}' has a scale from {_num(lo)} to {_num(hi)}",
                file=source,
                line=line,
                field="scale point",
                expected="two '#M' points with different values (the scale's ends)",
            )
    else:
        lo, hi, lo_label, hi_label = 0.0, 100.0, "", ""
        note = "No '#M' scale points in the file: the scale 0..100 is assumed."
    for line, _actor, position, _sal, _power in issue.rows:
        if not lo <= position <= hi:
            raise ScenarioError(
                f"position {_num(position)} is outside the scale of issue '{issue.ident}'",
                file=source,
                line=line,
                field="position",
                expected=f"a number in {_num(lo)}..{_num(hi)} (its '#M' points)",
            )
    dimension = Dimension(
        id="position",
        name=issue.name,
        lo=lo,
        hi=hi,
        **({"lo_label": lo_label} if lo_label else {}),
        **({"hi_label": hi_label} if hi_label else {}),
    )
    stances = [
        Stance(
            actor=actor_ids[actor],
            position=Position(value=position, source=f"{name}, line {line}"),
            salience=Salience(value=salience, source=f"{name}, line {line}"),
        )
        for line, actor, position, salience, _power in issue.rows
    ]
    description = " ".join(part for part in (issue.description, note) if part) or None
    return Issue(
        id=ident,
        name=issue.name,
        description=description,
        dimensions=[dimension],
        salience_scale=salience_scale,
        stances=stances,
    )


def _capability(rows: list[tuple[int, str, float, float, float]], name: str, line: int) -> Quantity:
    if not rows:
        return Quantity(
            value=0.0,
            source=f"{name}, line {line}: no data rows for this actor (power 0 assumed)",
            assumed=True,
        )
    powers = [row[4] for row in rows]
    if all(p == powers[0] for p in powers):
        return Quantity(value=powers[0], source=f"{name}, line {rows[0][0]}")
    lines = ", ".join(str(row[0]) for row in rows)
    mean = math.fsum(powers) / len(powers)
    return Quantity(
        value=min(max(mean, min(powers)), max(powers)),
        source=f"{name}, lines {lines}: mean of the per-issue powers (see power_* attributes)",
        assumed=True,
        range=(min(powers), max(powers)),
    )


def _powers(
    rows: list[tuple[int, str, float, float, float]], issue_ids: dict[str, str], name: str
) -> dict[str, Attribute]:
    powers = [row[4] for row in rows]
    if all(p == powers[0] for p in powers):
        return {}
    return {
        f"power_{issue_ids[issue]}": Attribute(value=power, source=f"{name}, line {line}")
        for line, issue, _pos, _sal, power in rows
    }


# ----------------------------------------------------------------------------- writing


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''").replace("\t", " ").replace("\n", " ") + "'"


def write(scenario: Scenario, issue_id: str | None = None) -> str:
    """Export ``scenario`` (every issue, or only ``issue_id``) in the decide format.

    Saliences are written on 0..1 (divided by the issue's ``salience_scale``). Power is the actor's
    ``power_<issue>`` attribute where it has one, else its capability. The scale ends become the
    ``#M`` rows (with their labels).

    Raises:
        UsageError: an unknown ``issue_id``, or an issue with more than one dimension.
    """
    if issue_id is None:
        chosen = list(scenario.issues)
    else:
        chosen = [pick_issue(scenario, issue_id, "decide")]
    for issue in chosen:
        if len(issue.dimensions) != 1:
            raise UsageError(
                f"issue '{issue.id}' has {len(issue.dimensions)} dimensions",
                expected="one-dimensional issues (decide holds one dimension per issue)",
            )
    present = {stance.actor for issue in chosen for stance in issue.stances}
    lines: list[str] = []
    for actor in scenario.actors:
        if actor.id in present:
            lines.append(
                "\t".join(
                    ["'#A'", _quote(actor.id), _quote(actor.name), _quote(actor.description or "")]
                )
            )
    for issue in chosen:
        dim = issue.dimensions[0]
        lines.append(
            "\t".join(
                ["'#P'", _quote(issue.id), _quote(issue.name), _quote(issue.description or "")]
            )
        )
        lines.append("\t".join(["'#M'", _quote(issue.id), _num(dim.lo), _quote(dim.lo_label)]))
        lines.append("\t".join(["'#M'", _quote(issue.id), _num(dim.hi), _quote(dim.hi_label)]))
    for issue in chosen:
        for stance in issue.stances:
            actor = scenario.actor(stance.actor)
            attribute = actor.attributes.get(f"power_{issue.id}")
            power = (
                float(attribute.value)
                if attribute is not None
                and isinstance(attribute.value, int | float)
                and not isinstance(attribute.value, bool)
                else actor.capability.value
            )
            salience = stance.salience.values(1)[0] / issue.salience_scale
            lines.append(
                "\t".join(
                    [
                        "'#D'",
                        _quote(actor.id),
                        _quote(issue.id),
                        _num(stance.position.values()[0]),
                        _num(salience),
                        _num(power),
                    ]
                )
            )
    return "\n".join(lines) + "\n"
