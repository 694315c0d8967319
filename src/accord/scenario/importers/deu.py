"""DEU TSV importer: one :class:`Scenario` per issue row of the DEU data set.

DEU III (Arregui & Perarnaud 2021, "Decision-making in the European Union", doi:10.34810/data53,
CC BY 4.0) has one row per controversial issue of an EU legislative proposal. The file is
tab-separated with quoted headers. Columns used:

* ``p<code>`` / ``s<code>``: position and salience (0-100) of actor ``<code>`` (``com``, ``ep``
  and the member states, see :mod:`accord.data.eu_council`);
* ``rp``: the reference point (status quo); ``out``: the outcome;
* ``counvte``: the Council rule (``QMV``, ``QMV(10)`` or ``Unan``);
* metadata: ``prnr`` (proposal number), ``prname``, ``isnr`` (issue id), ``type``, ``council``,
  ``proc``, ``proccde``, ``issues``, ``prnrnmc``, ``isnrnmc`` and ``intro`` (introduction date).
  ``finact`` was damaged by a spreadsheet date conversion and is ignored.

Cleaning (models.md section 6): empty cells, 999 and values outside 0..100 are missing. An actor
takes part in an issue when it has both a position and a salience (a salience of 0 counts). A
row forms a scenario only with a valid outcome and at least :data:`MIN_ACTORS` such actors; other
rows are skipped and counted in the :class:`CleaningReport` (see :func:`read_with_report`).
Malformed content (a non-numeric value, an unreadable date, an unknown rule or actor code, a row
with the wrong number of fields) raises :class:`~accord.errors.ScenarioError` with the line and
column.

``intro`` dates come in three forms: ``DD-MM-YY``, ``DD-MM-YYYY``, and ``YYYY-MM-DD``. The last
form is the same spreadsheet damage as ``finact``: a ``DD-MM-YY`` text read as ``YY-MM-DD``
(``14-07-04`` became ``2014-07-04``). It is read back as day = the last two digits of the first
field, month = the middle field, two-digit year = the last field (``2014-07-04`` -> 14 July 2004);
the report counts these reconstructions and checks every intro year against the year digits of
the proposal number (``d04218`` -> 2004). Two-digit years below 50 are 20YY, others 19YY.

Where the metadata goes: ``Issue.description`` holds it as ``key=value`` pairs separated by
``"; "`` after the prefix :data:`METADATA_PREFIX` (read it back with :func:`issue_metadata`). The
intro date is stored as ISO ``intro=YYYY-MM-DD`` with the file's text as ``intro_raw``.

The Council is the one body (id ``council``): QMV gives a pre-Nice weighted rule (62/87 of the
votes of the members present) before 1 May 2004 and an ``eu-nice`` rule after (votes share of
the EU size of the date, majority of states, 62% of population); ``Unan`` gives unanimity. The
member states with a Council weight in that period are its members and carry the attributes
``council_votes`` and ``population``. Capabilities follow the chosen option of
:data:`accord.data.eu_council.CAPABILITY_OPTIONS`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from accord.data import eu_council
from accord.errors import ScenarioError, UsageError
from accord.scenario.importers.common import pick_issue, strict_float
from accord.scenario.schema import (
    Actor,
    Attribute,
    Body,
    ConsensusRule,
    Dimension,
    EUNiceRule,
    Issue,
    Position,
    Quantity,
    RuleSpec,
    Salience,
    Scenario,
    Stance,
    StatusQuo,
    WeightedRule,
)

FORMAT = "deu-tsv"

MIN_ACTORS = 3
"""An issue is scored only with at least this many actors with both position and salience."""

MISSING_CODE = 999.0
SCALE_LO = 0.0
SCALE_HI = 100.0
SALIENCE_SCALE = 100.0
COUNCIL = "council"
METADATA_PREFIX = "DEU metadata: "
DEFAULT_CAPABILITY = "council-votes"

REASON_NO_OUTCOME = "no valid outcome"
REASON_FEW_ACTORS = f"fewer than {MIN_ACTORS} actors with position and salience"

METADATA_COLUMNS = (
    "prnrnmc",
    "isnrnmc",
    "prnr",
    "prname",
    "isnr",
    "type",
    "council",
    "proc",
    "counvte",
    "proccde",
    "issues",
    "intro",
    "finact",
)
REQUIRED_COLUMNS = ("prnr", "isnr", "counvte", "intro", "out")
ACTOR_ORDER = ("com", "ep", *eu_council.STATE_NAMES)
DATA_SOURCE = "DEU III (Arregui & Perarnaud 2021), doi:10.34810/data53, CC BY 4.0"

_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]")
_PRNR_YEAR = re.compile(r"^[A-Za-z](\d\d)")


@dataclass(frozen=True)
class SkippedRow:
    """A row that formed no scenario: its 1-based line, its issue id and why."""

    line: int
    issue: str
    reasons: tuple[str, ...]


@dataclass
class CleaningReport:
    """What cleaning did to a DEU file: rows read, scored, skipped (with reasons) and cell counts.

    Attributes:
        source: the file name.
        rows_read: data rows read (blank lines are not rows).
        scored: rows that formed a scenario.
        skipped: the rows that did not, with their reasons.
        missing_cells: counts of position, salience, ``rp`` and ``out`` cells treated as missing,
            by kind: ``"empty"``, ``"999"``, ``"out of range"``.
        positions_without_salience: actors dropped from an issue because they had a position
            but no salience.
        intro_reconstructed: intro dates read back from the ``YYYY-MM-DD`` spreadsheet damage.
        intro_year_mismatches: ``(line, prnr, intro)`` where the intro year differs from the year
            digits of the proposal number.
    """

    source: str
    rows_read: int = 0
    scored: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    missing_cells: Counter[str] = field(default_factory=Counter)
    positions_without_salience: int = 0
    intro_reconstructed: int = 0
    intro_year_mismatches: list[tuple[int, str, str]] = field(default_factory=list)

    def skipped_by_reason(self) -> dict[str, int]:
        """How many rows each reason excluded (a row with two reasons counts under both)."""
        counts: Counter[str] = Counter()
        for row in self.skipped:
            counts.update(row.reasons)
        return {reason: counts[reason] for reason in sorted(counts)}

    def summary(self) -> str:
        """One readable line with the counts."""
        reasons = "; ".join(f"{r}: {n}" for r, n in self.skipped_by_reason().items())
        text = (
            f"{self.source}: {self.rows_read} rows read, {self.scored} scored, "
            f"{len(self.skipped)} skipped"
        )
        if reasons:
            text += f" ({reasons})"
        cells = ", ".join(f"{n} {k}" for k, n in sorted(self.missing_cells.items()))
        if cells:
            text += f"; cells treated as missing: {cells}"
        text += (
            f"; {self.positions_without_salience} positions without salience dropped"
            f"; {self.intro_reconstructed} intro dates reconstructed"
        )
        return text


# ---------------------------------------------------------------------------------------------
# parsing helpers


def _cell_value(
    text: str, report: CleaningReport, *, source: str, line: int, column: str
) -> float | None:
    """A 0..100 number, or None when missing (empty, 999 or out of range), counted in ``report``."""
    raw = text.strip()
    if raw == "":
        report.missing_cells["empty"] += 1
        return None
    try:
        value = strict_float(raw)
    except ValueError:
        raise ScenarioError(
            f"'{raw}' is not a number",
            file=source,
            line=line,
            field=column,
            expected="a number 0-100, 999 or an empty cell",
        ) from None
    if value == MISSING_CODE:
        report.missing_cells["999"] += 1
        return None
    if not (math.isfinite(value) and SCALE_LO <= value <= SCALE_HI):
        report.missing_cells["out of range"] += 1
        return None
    return value


def _two_digit_year(yy: int) -> int:
    return 2000 + yy if yy < 50 else 1900 + yy


def parse_intro(
    text: str, *, source: str = "<text>", line: int | None = None
) -> tuple[dt.date, bool]:
    """Parse a DEU ``intro`` date; return it and whether it was reconstructed from damage.

    Accepts ``DD-MM-YY``, ``DD-MM-YYYY`` and the damaged ``YYYY-MM-DD`` (see the module
    docstring). Raises :class:`ScenarioError` for anything else.
    """
    raw = text.strip()
    parts = raw.split("-")
    try:
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(raw)
        a, b, c = parts
        if len(a) == 4 and len(b) == 2 and len(c) == 2:
            return dt.date(_two_digit_year(int(c)), int(b), int(a) % 100), True
        if len(a) <= 2 and len(b) <= 2 and len(c) == 2:
            return dt.date(_two_digit_year(int(c)), int(b), int(a)), False
        if len(a) <= 2 and len(b) <= 2 and len(c) == 4:
            return dt.date(int(c), int(b), int(a)), False
        raise ValueError(raw)
    except ValueError:
        raise ScenarioError(
            f"'{raw}' is not a date",
            file=source,
            line=line,
            field="intro",
            expected="DD-MM-YY (or DD-MM-YYYY)",
        ) from None


def _rule_kind(text: str, *, source: str, line: int) -> str:
    raw = text.strip()
    if raw.upper().startswith("QMV"):
        return "qmv"
    if raw.lower().startswith("unan"):
        return "unanimity"
    raise ScenarioError(
        f"unknown Council rule '{raw}'",
        file=source,
        line=line,
        field="counvte",
        expected="QMV, QMV(<n>) or Unan",
    )


def council_rule(kind: str, date: dt.date) -> RuleSpec:
    """The Council's rule for an issue: unanimity, or QMV under the weights of ``date``."""
    if kind == "unanimity":
        return ConsensusRule(kind="unanimity")
    share, _ = eu_council.qmv_vote_share(date)
    if eu_council.vote_period(date) == "pre-nice":
        return WeightedRule(kind="qualified-majority", weights="council_votes", quota=share)
    return EUNiceRule(kind="eu-nice", vote_share=share)


def _safe_id(text: str, fallback: str) -> str:
    cleaned = _ID_BAD.sub("-", text.strip())[:64].lstrip("_.-")
    return cleaned or fallback


def _clean_meta(text: str) -> str:
    return text.replace(";", ",").replace("=", "-").replace("\n", " ").strip()


def issue_metadata(issue: Issue) -> dict[str, str]:
    """The DEU metadata stored in ``issue.description`` (empty when it holds none)."""
    text = issue.description or ""
    if not text.startswith(METADATA_PREFIX):
        return {}
    meta: dict[str, str] = {}
    for pair in text[len(METADATA_PREFIX) :].split("; "):
        key, sep, value = pair.partition("=")
        if sep:
            meta[key.strip()] = value.strip()
    return meta


def _actor_codes(header: list[str], source: str) -> list[str]:
    p_codes = {c[1:] for c in header if c.startswith("p") and c not in METADATA_COLUMNS}
    s_codes = {c[1:] for c in header if c.startswith("s") and c not in METADATA_COLUMNS}
    codes = p_codes & s_codes
    unknown = sorted(c for c in codes if not eu_council.is_known_actor(c))
    if unknown:
        raise ScenarioError(
            f"unknown actor code '{unknown[0]}'",
            file=source,
            line=1,
            field="p" + unknown[0],
            expected="com, ep or one of " + ", ".join(eu_council.STATE_NAMES),
        )
    return [c for c in ACTOR_ORDER if c in codes]


def sniff(text: str) -> bool:
    """True when the first line is a tab-separated header with DEU columns."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if "\t" not in first:
        return False
    names = {c.strip().strip('"').lower() for c in first.split("\t")}
    return {"counvte", "out", "pcom", "scom"} <= names


# ---------------------------------------------------------------------------------------------
# reading


def read_with_report(
    text: str, source: str, capability: str = DEFAULT_CAPABILITY
) -> tuple[list[Scenario], CleaningReport]:
    """Read a DEU TSV text into one scenario per valid issue row, and the cleaning report.

    Args:
        text: the whole file.
        source: the file name (for errors and provenance).
        capability: one of :data:`accord.data.eu_council.CAPABILITY_OPTIONS`.

    Raises:
        ScenarioError: for malformed content (with line and column).
        UsageError: for an unknown capability option.
    """
    if capability not in eu_council.CAPABILITY_OPTIONS:
        raise UsageError(
            f"unknown capability option '{capability}'",
            field="capability",
            expected="one of " + ", ".join(eu_council.CAPABILITY_OPTIONS),
        )
    report = CleaningReport(source=source)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t", quotechar='"')
    try:
        header = [c.strip().lower() for c in next(reader)]
    except StopIteration:
        raise ScenarioError("the file is empty", file=source, expected="a DEU TSV header") from None
    except csv.Error as exc:
        raise ScenarioError(f"unreadable header: {exc}", file=source, line=1) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ScenarioError(
            f"column '{missing[0]}' is missing",
            file=source,
            line=1,
            field=missing[0],
            expected="a DEU TSV header with " + ", ".join(REQUIRED_COLUMNS),
        )
    codes = _actor_codes(header, source)
    if not codes:
        raise ScenarioError(
            "no actor columns",
            file=source,
            line=1,
            expected="pairs of p<actor> and s<actor> columns (e.g. pcom, scom)",
        )
    scenarios: list[Scenario] = []
    seen_ids: Counter[str] = Counter()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ScenarioError(
                f"unreadable row: {exc}", file=source, line=reader.line_num
            ) from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ScenarioError(
                f"the row has {len(row)} fields",
                file=source,
                line=line,
                expected=f"{len(header)} tab-separated fields, as in the header",
            )
        scenario = _read_row(
            dict(zip(header, row, strict=True)), codes, line, source, capability, report
        )
        report.rows_read += 1
        if scenario is None:
            continue
        seen_ids[scenario.id] += 1
        if seen_ids[scenario.id] > 1:
            raise ScenarioError(
                f"issue id '{scenario.id}' appears twice",
                file=source,
                line=line,
                field="isnr",
                expected="one row per issue",
            )
        scenarios.append(scenario)
        report.scored += 1
    return scenarios, report


def _read_row(
    cells: dict[str, str],
    codes: list[str],
    line: int,
    source: str,
    capability: str,
    report: CleaningReport,
) -> Scenario | None:
    where = f"{source}, line {line}"
    prnr = cells["prnr"].strip()
    isnr = cells["isnr"].strip()
    issue_id = _safe_id(isnr, f"line{line}")
    date, reconstructed = parse_intro(cells["intro"], source=source, line=line)
    if reconstructed:
        report.intro_reconstructed += 1
    match = _PRNR_YEAR.match(prnr)
    if match and int(match.group(1)) != date.year % 100:
        report.intro_year_mismatches.append((line, prnr, cells["intro"].strip()))
    rule_kind = _rule_kind(cells["counvte"], source=source, line=line)

    def value(column: str) -> float | None:
        return _cell_value(cells[column], report, source=source, line=line, column=column)

    stance_values: list[tuple[str, float, float]] = []
    for code in codes:
        pos = value("p" + code)
        sal = value("s" + code)
        if pos is not None and sal is not None:
            stance_values.append((code, pos, sal))
        elif pos is not None:
            report.positions_without_salience += 1
    rp = value("rp") if "rp" in cells else None
    out = value("out")
    reasons: list[str] = []
    if out is None:
        reasons.append(REASON_NO_OUTCOME)
    if len(stance_values) < MIN_ACTORS:
        reasons.append(REASON_FEW_ACTORS)
    if reasons:
        report.skipped.append(SkippedRow(line, isnr or issue_id, tuple(reasons)))
        return None
    assert out is not None

    actors = [_actor(code, date, capability, where) for code, _, _ in stance_values]
    stances = [
        Stance(
            actor=code,
            position=Position(value=pos, source=f"{where}, column p{code}"),
            salience=Salience(value=sal, source=f"{where}, column s{code}"),
        )
        for code, pos, sal in stance_values
    ]
    share_text = eu_council.qmv_vote_share(date)[1] if rule_kind == "qmv" else "unanimity"
    rule = council_rule(rule_kind, date)
    meta = {
        "prnr": prnr,
        "prname": cells.get("prname", ""),
        "isnr": isnr,
        "prnrnmc": cells.get("prnrnmc", ""),
        "isnrnmc": cells.get("isnrnmc", ""),
        "type": cells.get("type", ""),
        "council": cells.get("council", ""),
        "proc": cells.get("proc", ""),
        "counvte": cells["counvte"],
        "proccde": cells.get("proccde", ""),
        "issues": cells.get("issues", ""),
        "intro": date.isoformat(),
        "intro_raw": cells["intro"],
        "line": str(line),
    }
    description = METADATA_PREFIX + "; ".join(f"{k}={_clean_meta(v)}" for k, v in meta.items())
    prname = _clean_meta(cells.get("prname", "")) or prnr
    issue = Issue(
        id=issue_id,
        name=f"{prname}: issue {isnr}",
        description=description,
        dimensions=[Dimension(id="position", name=prname, lo=SCALE_LO, hi=SCALE_HI)],
        status_quo=None if rp is None else StatusQuo(value=rp, source=f"{where}, column rp"),
        body=COUNCIL,
        salience_scale=SALIENCE_SCALE,
        stances=stances,
        outcome=StatusQuo(value=out, source=f"{where}, column out"),
    )
    body = Body(
        id=COUNCIL,
        name="Council of the European Union",
        rule=rule,
        agenda_setter="com" if any(a.id == "com" for a in actors) else None,
        description=f"counvte '{cells['counvte'].strip()}': {share_text}",
    )
    return Scenario(
        id=issue_id,
        title=f"DEU {prnr} {prname}: issue {isnr}",
        description=(
            f"EU legislative proposal {prnr} ({cells.get('type', '').strip()}, "
            f"{cells.get('proc', '').strip()}), introduced {date.isoformat()}; Council rule "
            f"{cells['counvte'].strip()}. Issue row of the DEU data set."
        ),
        sources={
            "data": f"{DATA_SOURCE}; {where}",
            "capability": f"{capability}: {eu_council.CAPABILITY_OPTIONS[capability]}",
        },
        actors=actors,
        bodies=[body],
        issues=[issue],
    )


def _actor(code: str, date: dt.date, capability: str, where: str) -> Actor:
    cap = eu_council.capability(code, date, capability)
    quantity = Quantity(value=cap.value, source=cap.source, unit=cap.unit)
    if not eu_council.is_state(code):
        return Actor(
            id=code, name=eu_council.actor_name(code), kind="organisation", capability=quantity
        )
    table = eu_council.vote_table(date)
    votes = eu_council.council_votes(code, date)
    pop = eu_council.population(code)
    half = eu_council.POPULATION_PRECISION
    attributes = {
        "council_votes": Attribute(
            value=float(votes),
            source=table.source if votes else f"no Council vote in the {table.period} period",
            unit="Council votes",
        ),
        "population": Attribute(
            value=pop,
            source=eu_council.POPULATION_SOURCE,
            range=(round(max(pop - half, 0.0), 6), round(pop + half, 6)),
            unit="million inhabitants",
        ),
    }
    return Actor(
        id=code,
        name=eu_council.actor_name(code),
        kind="state",
        capability=quantity,
        attributes=attributes,
        member_of=[COUNCIL] if votes > 0 else [],
        description=f"DEU actor code '{code}' ({where})",
    )


def read(text: str, source: str, capability: str = DEFAULT_CAPABILITY) -> list[Scenario]:
    """Read a DEU TSV text into one scenario per valid issue row.

    Read a DEU TSV text: one scenario per valid issue row (invalid rows are skipped; use
    :func:`read_with_report` for the counts). Raises ScenarioError when no row is valid.
    """
    scenarios, report = read_with_report(text, source, capability)
    if not scenarios:
        raise ScenarioError(
            "no issue row forms a valid scenario: " + report.summary(),
            file=source,
            expected=f"rows with a valid outcome and at least {MIN_ACTORS} actors with "
            "position and salience",
        )
    return scenarios


# ---------------------------------------------------------------------------------------------
# writing


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _intro_text(meta: dict[str, str], issue_id: str) -> str:
    try:
        date = dt.date.fromisoformat(meta.get("intro", ""))
    except ValueError:
        raise UsageError(
            f"issue '{issue_id}' has no DEU intro date",
            field=f"issues.{issue_id}.description",
            expected=f"'{METADATA_PREFIX}...; intro=YYYY-MM-DD; ...' as the importer writes",
        ) from None
    return f"{date.day:02d}-{date.month:02d}-{date.year % 100:02d}"


def write(scenario: Scenario, issue_id: str | None = None) -> str:
    """Export issues of ``scenario`` as DEU TSV: the header, then one row per issue.

    ``issue_id`` picks one issue (default: all). Each issue needs one dimension on 0..100 and
    actors with DEU codes; metadata comes from the issue description (:func:`issue_metadata`),
    and ``finact`` is written as 999 (missing).
    """
    issues = list(scenario.issues) if issue_id is None else [pick_issue(scenario, issue_id, "DEU")]
    columns = [
        *METADATA_COLUMNS,
        *(f"p{c}" for c in ACTOR_ORDER),
        *(f"s{c}" for c in ACTOR_ORDER),
        "rp",
        "out",
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(columns)
    rows = csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    for issue in issues:
        rows.writerow(_row(scenario, issue, columns))
    return buffer.getvalue()


def _row(scenario: Scenario, issue: Issue, columns: list[str]) -> list[str]:
    if len(issue.dimensions) != 1:
        raise UsageError(
            f"issue '{issue.id}' has {len(issue.dimensions)} dimensions",
            field=f"issues.{issue.id}.dimensions",
            expected="one dimension for the DEU format",
        )
    dim = issue.dimensions[0]
    if (dim.lo, dim.hi) != (SCALE_LO, SCALE_HI):
        raise UsageError(
            f"issue '{issue.id}' has the scale {dim.lo}..{dim.hi}",
            field=f"issues.{issue.id}.dimensions",
            expected="the DEU scale 0..100",
        )
    meta = issue_metadata(issue)
    values: dict[str, str] = {c: "" for c in columns}
    for key in ("prnrnmc", "isnrnmc", "prnr", "prname", "type", "council", "proc", "proccde"):
        values[key] = meta.get(key, "")
    values["issues"] = meta.get("issues", "")
    values["isnr"] = meta.get("isnr", issue.id)
    values["prnr"] = values["prnr"] or scenario.id
    values["intro"] = _intro_text(meta, issue.id)
    values["finact"] = "999"
    rule = issue.rule
    if rule is None and issue.body is not None:
        try:
            rule = scenario.body(issue.body).rule
        except KeyError:
            rule = None
    values["counvte"] = meta.get("counvte") or (
        "Unan" if rule is not None and rule.kind in ("unanimity", "consensus") else "QMV"
    )
    for stance in issue.stances:
        if not eu_council.is_known_actor(stance.actor):
            raise UsageError(
                f"actor '{stance.actor}' has no DEU code",
                field=f"issues.{issue.id}.stances",
                expected="com, ep or one of " + ", ".join(eu_council.STATE_NAMES),
            )
        values[f"p{stance.actor}"] = _fmt(stance.position.values()[0])
        salience = stance.salience.values(1)[0]
        if issue.salience_scale != SALIENCE_SCALE:
            salience = salience / issue.salience_scale * SALIENCE_SCALE
        values[f"s{stance.actor}"] = _fmt(salience)
    if issue.status_quo is not None:
        values["rp"] = _fmt(issue.status_quo.values()[0])
    values["out"] = "999" if issue.outcome is None else _fmt(issue.outcome.values()[0])
    return [values[c] for c in columns]
