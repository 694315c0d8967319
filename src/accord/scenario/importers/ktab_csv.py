"""Import and export KTAB's SMP CSV format (``smpread::SMPModel::csvRead``).

Layout::

    name,description,nActors,nDims[,ignored...]
    Actor,Description,Power,<dim 1 position>,<dim 1 salience>,...   (header, names only)
    <name>,<description>,<capability>,<position 1>,<salience 1>,...  (n rows)

Positions and saliences are on 0-100. Fields may carry spaces, quotes, trailing commas and
CR/LF line ends; extra trailing fields are ignored, as in KTAB. KTAB's checks are enforced
(3 <= n <= 250, m >= 1, 0 <= capability <= 1e8, position and salience in [0, 100], an actor's
running salience total <= 100) and reported with file, line and field.

The result is one :class:`~accord.scenario.schema.Scenario` with one issue of m dimensions on
0..100 (ids from the header's position column names), ``salience_scale`` 100, no status quo and
no body.
"""

from __future__ import annotations

import csv
import io
import math
import re

from pydantic import ValidationError

from accord.errors import ScenarioError, UsageError
from accord.scenario.importers.common import pick_issue, strict_float
from accord.scenario.schema import (
    Actor,
    Dimension,
    Issue,
    Position,
    Quantity,
    Salience,
    Scenario,
    Stance,
)

FORMAT = "ktab-csv"

MIN_ACTORS = 3
MAX_ACTORS = 250
MAX_CAPABILITY = 1e8
SCALE_MAX = 100.0


def _rows(text: str) -> list[list[str]]:
    """Split into lines (any line ending) and fields; fields are stripped of spaces."""
    lines = text.lstrip("\ufeff").splitlines()
    return [[f.strip() for f in row] for row in csv.reader(lines, skipinitialspace=True)]


def _int(text: str) -> int | None:
    try:
        value = strict_float(text)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value == int(value) else None


def sniff(text: str) -> bool:
    """True if the first row reads ``name, description, n, m`` and the data rows fit n and m."""
    try:
        rows = _rows(text[:20000])
    except csv.Error:
        return False
    if len(rows) < 3 or len(rows[0]) < 4:
        return False
    n, m = _int(rows[0][2]), _int(rows[0][3])
    if n is None or m is None or n < 1 or m < 1:
        return False
    first = rows[2]
    if len(first) < 3 + 2 * m:
        return False
    try:
        [float(v) for v in first[2 : 3 + 2 * m]]
    except ValueError:
        return False
    return True


_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


def sanitise(text: str, fallback: str) -> str:
    """An :data:`~accord.scenario.schema.Identifier` from free text (runs of other chars -> _)."""
    out = _BAD.sub("_", text.strip()).lstrip("_.-")[:64]
    return out or fallback


def _unique(ids: list[str]) -> list[str]:
    """Make ids unique by appending -2, -3, ... to repeats."""
    used: set[str] = set()
    out = []
    for base in ids:
        name, count = base, 1
        while name in used:
            count += 1
            suffix = f"-{count}"
            name = base[: 64 - len(suffix)] + suffix
        used.add(name)
        out.append(name)
    return out


def _number(text: str, *, source: str, line: int, field: str, lo: float, hi: float) -> float:
    try:
        value = strict_float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ScenarioError(
            f"{field} is {text!r}, not a number",
            file=source,
            line=line,
            field=field,
            expected=f"a number in [{lo:g}, {hi:g}]",
        )
    if not lo <= value <= hi:
        raise ScenarioError(
            f"{field} {value:g} is out of range",
            file=source,
            line=line,
            field=field,
            expected=f"a number in [{lo:g}, {hi:g}]",
        )
    return value


def read(text: str, source: str) -> list[Scenario]:
    """Parse KTAB CSV ``text`` (from file ``source``) into one scenario."""
    try:
        rows = _rows(text)
    except csv.Error as exc:
        raise ScenarioError(f"not readable as CSV: {exc}", file=source) from None
    # Keep 1-based line numbers; blank lines are skipped but counted.
    numbered = [(no, row) for no, row in enumerate(rows, start=1) if any(row)]
    if not numbered:
        raise ScenarioError("the file is empty", file=source, expected="a KTAB CSV file")
    line1, head = numbered[0]
    if len(head) < 4:
        raise ScenarioError(
            "the first row has fewer than 4 fields",
            file=source,
            line=line1,
            expected="name,description,nActors,nDims",
        )
    n = _int(head[2])
    if n is None or not MIN_ACTORS <= n <= MAX_ACTORS:
        raise ScenarioError(
            f"nActors is {head[2]!r}",
            file=source,
            line=line1,
            field="nActors",
            expected=f"an integer from {MIN_ACTORS} to {MAX_ACTORS}",
        )
    m = _int(head[3])
    if m is None or m < 1:
        raise ScenarioError(
            f"nDims is {head[3]!r}",
            file=source,
            line=line1,
            field="nDims",
            expected="an integer >= 1",
        )
    if len(numbered) < 2:
        raise ScenarioError("the header row is missing", file=source, expected="a header row")
    header = numbered[1][1]
    data = numbered[2:]
    if len(data) < n:
        raise ScenarioError(
            f"{len(data)} actor rows for nActors = {n}",
            file=source,
            line=data[-1][0] if data else numbered[1][0],
            expected=f"{n} actor rows",
        )
    if len(data) > n:
        raise ScenarioError(
            f"more actor rows than nActors = {n}",
            file=source,
            line=data[n][0],
            field="nActors",
            expected=f"{n} actor rows",
        )

    dim_names = []
    for k in range(m):
        col = 3 + 2 * k
        name = header[col] if col < len(header) and header[col] else f"Pstn{k + 1}"
        dim_names.append(name)
    dim_ids = _unique([sanitise(name, f"d{k + 1}") for k, name in enumerate(dim_names)])
    dimensions = [
        Dimension(id=i, name=nm, lo=0.0, hi=SCALE_MAX, unit="points")
        for i, nm in zip(dim_ids, dim_names, strict=True)
    ]

    names: list[str] = []
    raw: list[tuple[int, str, float, list[float], list[float]]] = []
    for line, row in data[:n]:
        if len(row) < 3 + 2 * m:
            raise ScenarioError(
                f"{len(row)} fields",
                file=source,
                line=line,
                expected=f"at least {3 + 2 * m}: name, description, capability, then "
                f"position and salience for each of {m} dimensions",
            )
        if not row[0]:
            raise ScenarioError("the actor name is empty", file=source, line=line, field="name")
        cap = _number(
            row[2], source=source, line=line, field="capability", lo=0.0, hi=MAX_CAPABILITY
        )
        pos: list[float] = []
        sal: list[float] = []
        total = 0.0
        for k in range(m):
            label = dim_ids[k]
            pos.append(
                _number(
                    row[3 + 2 * k],
                    source=source,
                    line=line,
                    field=f"position.{label}",
                    lo=0.0,
                    hi=SCALE_MAX,
                )
            )
            s = _number(
                row[4 + 2 * k],
                source=source,
                line=line,
                field=f"salience.{label}",
                lo=0.0,
                hi=SCALE_MAX,
            )
            total += s
            if total > SCALE_MAX:
                raise ScenarioError(
                    f"the saliences add up to {total:g} by dimension {label}",
                    file=source,
                    line=line,
                    field=f"salience.{label}",
                    expected="an actor's saliences to sum to at most 100",
                )
            sal.append(s)
        names.append(row[0])
        raw.append((line, row[1], cap, pos, sal))

    ids = _unique([sanitise(name, f"actor{i + 1}") for i, name in enumerate(names)])
    title = head[0] or source
    try:
        actors = []
        stances = []
        for aid, name, (line, desc, cap, pos, sal) in zip(ids, names, raw, strict=True):
            where = f"{source}, line {line}"
            actors.append(
                Actor(
                    id=aid,
                    name=name,
                    capability=Quantity(value=cap, source=where),
                    description=desc or None,
                )
            )
            stances.append(
                Stance(
                    actor=aid,
                    position=Position(value=pos[0] if m == 1 else pos, source=where),
                    salience=Salience(value=sal[0] if m == 1 else sal, source=where),
                )
            )
        scenario_id = sanitise(title, "ktab")
        issue = Issue(
            id=scenario_id,
            name=title,
            description=head[1] or None,
            dimensions=dimensions,
            salience_scale=SCALE_MAX,
            stances=stances,
        )
        scenario = Scenario(
            id=scenario_id,
            title=title,
            description=head[1] or None,
            sources={FORMAT: source},
            actors=actors,
            issues=[issue],
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ScenarioError(
            f"invalid scenario: {err['msg']}",
            file=source,
            field=".".join(str(p) for p in err["loc"]),
        ) from None
    return [scenario]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def write(scenario: Scenario, issue_id: str | None = None) -> str:
    """Export one issue of ``scenario`` as KTAB CSV (positions and saliences on 0-100).

    Positions are rescaled from each dimension's ``[lo, hi]`` to 0-100 (unchanged when the scale
    already is 0-100) and saliences from ``salience_scale`` to 100.

    Raises:
        UsageError: if the issue is ambiguous or cannot be expressed in KTAB's limits.
    """
    issue = pick_issue(scenario, issue_id, "KTAB CSV")
    n, m = len(issue.stances), len(issue.dimensions)
    if not MIN_ACTORS <= n <= MAX_ACTORS:
        raise UsageError(
            f"issue '{issue.id}' has {n} actors", expected=f"{MIN_ACTORS} to {MAX_ACTORS} for KTAB"
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([scenario.title, scenario.description or issue.name, n, m])
    header = ["Actor", "Description", "Capability"]
    for dim in issue.dimensions:
        label = dim.name or dim.id
        stem = label[: -len("Position")] if label.endswith("Position") else label + " "
        header += [label, f"{stem}Salience"]
    writer.writerow(header)
    for stance in issue.stances:
        try:
            actor = scenario.actor(stance.actor)
        except KeyError:
            raise UsageError(
                f"stance for unknown actor '{stance.actor}'", field="stances"
            ) from None
        pos = stance.position.values()
        sal = stance.salience.values(m)
        if len(pos) != m or len(sal) != m:
            raise UsageError(
                f"actor '{actor.id}' has {len(pos)} positions and {len(sal)} saliences",
                field=f"issues.{issue.id}.stances",
                expected=f"{m} of each",
            )
        row: list[str] = [actor.id, actor.description or actor.name, _fmt(actor.capability.value)]
        for dim, x, s in zip(issue.dimensions, pos, sal, strict=True):
            x100 = (
                x
                if (dim.lo, dim.hi) == (0.0, SCALE_MAX)
                else (x - dim.lo) / (dim.hi - dim.lo) * 100
            )
            s100 = s if issue.salience_scale == SCALE_MAX else s / issue.salience_scale * 100
            row += [_fmt(x100), _fmt(s100)]
        writer.writerow(row)
    return out.getvalue()
