"""Checks a scenario needs that the pydantic schema cannot express on its own.

The schema (:mod:`accord.scenario.schema`) checks each field in isolation: types, required
fields, id syntax. This module checks how the fields fit together: ids are unique, every
reference (a stance's actor, an issue's body, an actor's ``member_of``, a rule's weight
attribute) names something that exists, every position has one coordinate per dimension and
lies on the dimension's scale, saliences lie in ``[0, salience_scale]``, and every uncertainty
``range`` contains its value and stays on the scale.

:func:`check` returns every :class:`Problem` it finds, each with the data path of the offending
field (the same path as in the YAML file, e.g. ``('issues', 0, 'stances', 3, 'salience',
'value')``), so that the loaders can point at a file line. :func:`problems_error` turns a list of
problems into one :class:`CombinedScenarioError` error, the first problem on its first line.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter

from accord.errors import ScenarioError
from accord.scenario.columns import StanceColumns, recall
from accord.scenario.schema import (
    Actor,
    Body,
    EULisbonRule,
    EUNiceRule,
    Issue,
    Procedure,
    RuleSpec,
    Scenario,
    WeightedRule,
)

Path = tuple[str | int, ...]

_MEMBER_OF = attrgetter("member_of")
_ATTRIBUTES = attrgetter("attributes")

#: How many problems one error message lists (the rest are counted).
MAX_LISTED = 10


@dataclass(frozen=True)
class Problem:
    """One inconsistency: where it is (a data path), what is wrong, and what was expected."""

    path: Path
    message: str
    expected: str | None = None


def format_path(path: Path) -> str:
    """Render a data path the way a user reads it: ``issues[0].stances[3].salience.value``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class CombinedScenarioError(ScenarioError):
    """Several scenario errors at once; the first one is the headline.

    ``str()`` gives the first error in full (``file:LINE, field 'f': message (expected ...)``) on
    the first line, then up to :data:`MAX_LISTED` - 1 further errors, one per line. ``message``
    holds the first message followed by the other lines, ``errors`` every error.
    """

    def __init__(self, errors: Sequence[ScenarioError]) -> None:
        if not errors:
            raise ValueError("CombinedScenarioError needs at least one error")
        self.errors: list[ScenarioError] = list(errors)
        first = self.errors[0]
        super().__init__(
            first.message,
            file=first.location.file,
            line=first.location.line,
            field=first.location.field,
            expected=first.expected,
        )
        self.message = first.message + "".join("\n" + line for line in self._more_lines())
        self.args = (str(self),)

    def __reduce__(self) -> tuple[type[CombinedScenarioError], tuple[list[ScenarioError]]]:
        return (type(self), (self.errors,))  # picklable (process pools, Dask workers)

    def _more_lines(self) -> list[str]:
        shown = self.errors[1:MAX_LISTED]
        lines = [f"  {error}" for error in shown]
        hidden = len(self.errors) - 1 - len(shown)
        if hidden > 0:
            lines.append(f"  ... and {hidden} more")
        return lines

    def __str__(self) -> str:
        first = self.errors[0]
        return "\n".join([str(first), *self._more_lines()])


def problems_error(
    problems: Sequence[Problem],
    *,
    file: str | None,
    line_for: Callable[[Path], int | None] | None = None,
) -> CombinedScenarioError:
    """One error for a list of problems, sorted by line (problems without a line come last)."""
    errors: list[ScenarioError] = []
    for problem in problems:
        line = line_for(problem.path) if line_for is not None else None
        errors.append(
            ScenarioError(
                problem.message,
                file=file,
                line=line,
                field=format_path(problem.path) or None,
                expected=problem.expected,
            )
        )
    return CombinedScenarioError(sort_errors(errors))


def sort_errors(errors: Sequence[ScenarioError]) -> list[ScenarioError]:
    """Errors in file order: by line, those without a line last (stable otherwise)."""
    return sorted(
        errors,
        key=lambda e: (e.location.line is None, e.location.line or 0),
    )


def _num(x: float) -> str:
    """A number as a user wrote it: 4 rather than 4.0."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _scale(lo: float, hi: float) -> str:
    return f"{_num(lo)}..{_num(hi)}"


def _duplicates(ids: Sequence[str], prefix: Path, what: str) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, ident in enumerate(ids):
        if ident in first:
            yield Problem(
                (*prefix, index, "id"),
                f"duplicate {what} id '{ident}' (first used by {prefix[0]}[{first[ident]}])",
                f"a unique {what} id",
            )
        else:
            first[ident] = index


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rule_attributes(rule: RuleSpec) -> list[tuple[str, str]]:
    """(field name, attribute name) pairs a rule reads from its members' attributes."""
    if isinstance(rule, WeightedRule):
        return [] if rule.weights == "capability" else [("weights", rule.weights)]
    if isinstance(rule, EUNiceRule):
        return [("votes", rule.votes), ("population", rule.population)]
    if isinstance(rule, EULisbonRule):
        return [("population", rule.population)]
    return []


def _check_rule_members(
    rule: RuleSpec, members: Sequence[Actor], at: Path, who: str
) -> Iterator[Problem]:
    for field_name, attribute in _rule_attributes(rule):
        missing = [a.id for a in members if attribute not in a.attributes]
        wrong = [
            a.id
            for a in members
            if attribute in a.attributes and not _is_number(a.attributes[attribute].value)
        ]
        expected = f"a numeric attribute '{attribute}' on every member of {who}"
        if missing:
            yield Problem(
                (*at, field_name),
                f"the rule weighs members by attribute '{attribute}', which "
                f"{_list_ids(missing)} {'lacks' if len(missing) == 1 else 'lack'}",
                expected,
            )
        if wrong:
            yield Problem(
                (*at, field_name),
                f"the rule weighs members by attribute '{attribute}', which is not a number for "
                f"{_list_ids(wrong)}",
                expected,
            )


def _list_ids(ids: Sequence[str], limit: int = 5) -> str:
    quoted = [f"'{i}'" for i in ids[:limit]]
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ("actor " if len(ids) == 1 else "actors ") + ", ".join(quoted) + more


def _check_vector(
    values: list[float], issue: Issue, at: Path, what: str, *, on_scale: bool = True
) -> Iterator[Problem]:
    """A position, status quo or outcome: one finite number per dimension, on the scale."""
    dims = issue.dimensions
    if len(values) != len(dims):
        yield Problem(
            at,
            f"{what} has {len(values)} coordinate{'s' if len(values) != 1 else ''} but issue "
            f"'{issue.id}' has {len(dims)} dimension{'s' if len(dims) != 1 else ''}",
            _per_dimension(issue),
        )
        return
    for k, (x, dim) in enumerate(zip(values, dims, strict=True)):
        sub = at if len(dims) == 1 else (*at, k)
        if not math.isfinite(x):
            yield Problem(sub, f"{what} is {x}", f"a finite number in {_scale(dim.lo, dim.hi)}")
        elif on_scale and not dim.lo <= x <= dim.hi:
            yield Problem(
                sub,
                f"{what} {_num(x)} lies outside the scale of dimension '{dim.id}'",
                f"a number in {_scale(dim.lo, dim.hi)}",
            )


def _per_dimension(issue: Issue) -> str:
    if len(issue.dimensions) == 1:
        return "one number"
    names = ", ".join(d.id for d in issue.dimensions)
    return f"a list of {len(issue.dimensions)} numbers, one per dimension ({names})"


def _check_range(
    rng: tuple[float, float],
    values: Sequence[float],
    lo: float,
    hi: float,
    at: Path,
    what: str,
) -> Iterator[Problem]:
    a, b = rng
    if not (math.isfinite(a) and math.isfinite(b)):
        yield Problem(at, f"{what} range [{a}, {b}] is not finite", "two finite numbers")
        return
    if a > b:
        yield Problem(
            at,
            f"{what} range [{_num(a)}, {_num(b)}] has its low end above its high end",
            "[low, high] with low <= high",
        )
        return
    outside = [v for v in values if not a <= v <= b]
    if outside:
        yield Problem(
            at,
            f"{what} range [{_num(a)}, {_num(b)}] does not contain the value {_num(outside[0])}",
            "a range that contains the value",
        )
    if a < lo or b > hi:
        yield Problem(
            at,
            f"{what} range [{_num(a)}, {_num(b)}] reaches outside the scale {_scale(lo, hi)}",
            f"a range within {_scale(lo, hi)}",
        )


def _plain_columns(
    columns: StanceColumns, lo: float, hi: float, top: float, actor_ids: set[str]
) -> bool:
    """True when no stance of remembered columns has a problem the stance checks report.

    The columns' stances are one per actor, in the actors' order, with bare numbers and no
    ranges (:mod:`accord.scenario.columns`); so with unique actor ids, each stance names an
    actor once, and only the positions' scale and the saliences' range are left to check,
    column-wise (the comparisons are false for NaN). Any problem sends the stances through the
    checks one by one, which word it.
    """
    x, s = columns.positions, columns.saliences
    return (
        len(actor_ids) == len(columns.actor_ids)
        and bool(((lo <= x) & (x <= hi)).all())
        and bool(((s >= 0.0) & (s <= top)).all())
    )


def _check_issue(
    issue: Issue, i: int, scenario: Scenario, actor_ids: set[str]
) -> Iterator[Problem]:
    at: Path = ("issues", i)
    dims = issue.dimensions
    m = len(dims)
    body_ids = {b.id for b in scenario.bodies}
    if issue.body is not None and issue.body not in body_ids:
        yield Problem(
            (*at, "body"),
            f"issue '{issue.id}' is decided by body '{issue.body}', which is not defined",
            _one_of("the id of a body in 'bodies'", sorted(body_ids)),
        )
    if issue.status_quo is not None:
        yield from _check_vector(
            issue.status_quo.values(), issue, (*at, "status_quo", "value"), "status quo"
        )
    if issue.outcome is not None:
        yield from _check_vector(
            issue.outcome.values(), issue, (*at, "outcome", "value"), "outcome"
        )

    seen: dict[str, int] = {}
    top = issue.salience_scale
    lo, hi = (dims[0].lo, dims[0].hi) if m == 1 else (math.nan, math.nan)
    columns = recall(scenario, issue)
    if columns is not None and _plain_columns(columns, lo, hi, top, actor_ids):
        return  # the stances as the importer read them: nothing below would be reported
    for j, stance in enumerate(issue.stances):
        # the common case, with nothing to report, without the paths and generators of the
        # full checks (most of the time a 200,000-actor scenario took here; issue 15)
        bare_position, bare_salience = stance.position, stance.salience
        x0, s0 = bare_position.value, bare_salience.value
        if (
            type(x0) is float  # a bare float: not a list, nor an int
            and type(s0) is float
            and lo <= x0 <= hi  # false for NaN
            and 0.0 <= s0 <= top
            and bare_position.range is None
            and bare_salience.range is None
            and stance.actor in actor_ids
            and stance.actor not in seen
        ):
            seen[stance.actor] = j
            continue
        st: Path = (*at, "stances", j)
        if stance.actor not in actor_ids:
            yield Problem(
                (*st, "actor"),
                f"stance for unknown actor '{stance.actor}'",
                _one_of("the id of an actor in 'actors'", sorted(actor_ids)),
            )
        elif stance.actor in seen:
            yield Problem(
                (*st, "actor"),
                f"actor '{stance.actor}' has a second stance on issue '{issue.id}' "
                f"(the first is stances[{seen[stance.actor]}])",
                "one stance per actor and issue",
            )
        else:
            seen[stance.actor] = j
        who = f"actor '{stance.actor}'"
        position = stance.position.values()
        pos_at: Path = (*st, "position", "value")
        yield from _check_vector(position, issue, pos_at, f"the position of {who}")
        ranges = stance.position.ranges()
        if ranges is not None and len(position) == m:
            if len(ranges) != m:
                yield Problem(
                    (*st, "position", "range"),
                    f"the position range of {who} gives {len(ranges)} range"
                    f"{'s' if len(ranges) != 1 else ''} for {m} dimension{'s' if m != 1 else ''}",
                    "[low, high] for a 1-D issue, else one [low, high] per dimension",
                )
            else:
                for k, (rng, x, dim) in enumerate(zip(ranges, position, dims, strict=True)):
                    sub: Path = (
                        (*st, "position", "range")
                        if m == 1
                        else (
                            *st,
                            "position",
                            "range",
                            k,
                        )
                    )
                    yield from _check_range(rng, [x], dim.lo, dim.hi, sub, f"the position of {who}")

        sal = stance.salience
        sal_at: Path = (*st, "salience", "value")
        if isinstance(sal.value, list) and len(sal.value) != m:
            yield Problem(
                sal_at,
                f"the salience of {who} gives {len(sal.value)} numbers for "
                f"{m} dimension{'s' if m != 1 else ''}",
                f"one number, or {m} numbers (one per dimension)",
            )
            continue
        values = sal.values(m) if not isinstance(sal.value, list) else list(sal.value)
        for k, s in enumerate(values):
            sub_at = sal_at if not isinstance(sal.value, list) else (*sal_at, k)
            if not math.isfinite(s) or not 0 <= s <= top:
                yield Problem(
                    sub_at,
                    f"the salience {_num(s)} of {who} lies outside 0..{_num(top)}",
                    f"a number in 0..{_num(top)} (the issue's salience_scale)",
                )
                break
        if sal.range is not None:
            yield from _check_range(
                sal.range, values, 0.0, top, (*st, "salience", "range"), f"the salience of {who}"
            )


def _one_of(what: str, options: Sequence[str], limit: int = 8) -> str:
    if not options:
        return what
    shown = ", ".join(options[:limit]) + (", ..." if len(options) > limit else "")
    return f"{what}: {shown}"


def _check_actor(actor: Actor, i: int, body_ids: set[str]) -> Iterator[Problem]:
    at: Path = ("actors", i)
    cap = actor.capability
    if not math.isfinite(cap.value):
        yield Problem((*at, "capability", "value"), f"capability is {cap.value}", "a number >= 0")
    elif cap.value < 0:
        yield Problem(
            (*at, "capability", "value"),
            f"capability {_num(cap.value)} of actor '{actor.id}' is negative",
            "a number >= 0",
        )
    if cap.range is not None and cap.range[0] < 0:
        yield Problem(
            (*at, "capability", "range"),
            f"capability range of actor '{actor.id}' reaches below 0",
            "a range within 0 and above",
        )
    for k, body in enumerate(actor.member_of):
        if body not in body_ids:
            yield Problem(
                (*at, "member_of", k),
                f"actor '{actor.id}' is a member of body '{body}', which is not defined",
                _one_of("the id of a body in 'bodies'", sorted(body_ids)),
            )
    for name, attr in actor.attributes.items():
        if attr.range is None:
            continue
        a, b = attr.range
        if a > b:
            yield Problem(
                (*at, "attributes", name, "range"),
                f"range [{_num(a)}, {_num(b)}] has its low end above its high end",
                "[low, high] with low <= high",
            )
        elif not _is_number(attr.value):
            yield Problem(
                (*at, "attributes", name, "range"),
                f"attribute '{name}' has a range but its value is not a number",
                "a numeric value, or no range",
            )
        elif not a <= float(attr.value) <= b:
            yield Problem(
                (*at, "attributes", name, "range"),
                f"range [{_num(a)}, {_num(b)}] does not contain the value {attr.value}",
                "a range that contains the value",
            )


OPT_OUT_RULES = ("consensus", "unanimity")
"""Rule kinds that can allow a member to opt out (the same list as
:data:`accord.rules.procedure.OPT_OUT_RULES`, which a test keeps equal)."""


def _check_opt_out(rule_kind: str, at: Path, where: str) -> Iterator[Problem]:
    if rule_kind not in OPT_OUT_RULES:
        yield Problem(
            at,
            f"{where} allows opt-outs, but its rule '{rule_kind}' cannot (an objector under a "
            "majority rule is outvoted or blocks)",
            "opt_out only where the rule is " + " or ".join(OPT_OUT_RULES),
        )


def _check_actor_costs(procedure: Procedure, at: Path, actor_ids: set[str]) -> Iterator[Problem]:
    for actor_id in procedure.actor_costs:
        if actor_id not in actor_ids:
            yield Problem(
                (*at, "actor_costs", actor_id),
                f"cost of objecting for unknown actor '{actor_id}'",
                _one_of("the id of an actor in 'actors'", sorted(actor_ids)),
            )


def _member_on(actor: Actor, body_id: str, date: dt.date | None) -> bool:
    joined = actor.joined.get(body_id)
    return body_id in actor.member_of and (date is None or joined is None or joined <= date)


def _check_procedures(
    issue: Issue, i: int, scenario: Scenario, bodies: dict[str, Body]
) -> Iterator[Problem]:
    """The issue's procedure, decision date and record against its body and its members."""
    at: Path = ("issues", i)
    body = bodies.get(issue.body) if issue.body is not None else None
    if issue.procedure is not None:
        yield from _check_actor_costs(
            issue.procedure, (*at, "procedure"), {a.id for a in scenario.actors}
        )
    if issue.procedure is not None and issue.procedure.opt_out:
        kind = issue.rule.kind if issue.rule is not None else (body.rule.kind if body else None)
        if kind is not None:
            yield from _check_opt_out(kind, (*at, "procedure", "opt_out"), f"issue '{issue.id}'")
    founded = body.founded if body is not None else None
    if founded is not None and issue.decision_date is not None and issue.decision_date < founded:
        assert body is not None
        yield Problem(
            (*at, "decision_date"),
            f"issue '{issue.id}' is decided on {issue.decision_date.isoformat()}, before body "
            f"'{body.id}' was founded ({founded.isoformat()})",
            f"a date on or after {founded.isoformat()}",
        )
    record = issue.record
    if record is None:
        return
    actors = {a.id: a for a in scenario.actors}
    if founded is not None and record.date is not None and record.date < founded:
        assert body is not None
        yield Problem(
            (*at, "record", "date"),
            f"the record of issue '{issue.id}' is dated {record.date.isoformat()}, before "
            f"body '{body.id}' was founded ({founded.isoformat()})",
            f"a date on or after {founded.isoformat()}",
        )
    values = record.values()
    if values is not None:
        yield from _check_vector(values, issue, (*at, "record", "value"), "the recorded value")
    date = issue.decision_date or record.date
    for key in ("objectors", "reservations", "opt_outs"):
        for j, actor_id in enumerate(getattr(record, key)):
            actor = actors.get(actor_id)
            if actor is None:
                yield Problem(
                    (*at, "record", key, j),
                    f"recorded {key[:-1].replace('_', '-')} '{actor_id}' is not an actor",
                    _one_of("the id of an actor in 'actors'", sorted(actors)),
                )
            elif body is not None and not _member_on(actor, body.id, date):
                when = f" on {date.isoformat()}" if date is not None else ""
                yield Problem(
                    (*at, "record", key, j),
                    f"recorded {key[:-1].replace('_', '-')} '{actor_id}' is not a member of "
                    f"body '{body.id}'{when}",
                    f"a member of '{body.id}' (member_of, joined on or before the decision date)",
                )


def _members(scenario: Scenario, body: Body) -> list[Actor]:
    return [a for a in scenario.actors if body.id in a.member_of]


def _actor_problems(scenario: Scenario, body_ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for i, actor in enumerate(scenario.actors):
        cap = actor.capability
        if (
            0.0 <= cap.value < math.inf
            and cap.range is None
            and not actor.member_of
            and not actor.attributes
        ):
            continue  # nothing _check_actor would report (a large file: issue 15)
        problems += _check_actor(actor, i, body_ids)
    return problems


def _plain_actors(scenario: Scenario) -> bool:
    """True when no actor has anything :func:`_check_actor` reports, known without a walk.

    Only for actors an importer kept as columns (:mod:`accord.scenario.columns`): bare
    capabilities without ranges, checked here column-wise (finite, >= 0), and no body
    memberships or attributes (two C-level passes). Otherwise False, and every actor is
    checked one by one.
    """
    if not scenario.issues:
        return False
    columns = recall(scenario, scenario.issues[0])
    if columns is None:
        return False
    caps = columns.capabilities
    return (
        bool(((caps >= 0.0) & (caps < math.inf)).all())
        and not any(map(_MEMBER_OF, scenario.actors))
        and not any(map(_ATTRIBUTES, scenario.actors))
    )


def check(scenario: Scenario) -> list[Problem]:
    """Every cross-reference and range problem of ``scenario``, in data order.

    An empty list means the scenario is consistent.
    """
    problems: list[Problem] = []
    ids = [a.id for a in scenario.actors]
    actor_ids = set(ids)
    if len(actor_ids) < len(ids):
        problems += _duplicates(ids, ("actors",), "actor")
    problems += _duplicates([b.id for b in scenario.bodies], ("bodies",), "body")
    problems += _duplicates([s.id for s in scenario.issues], ("issues",), "issue")
    body_ids = {b.id for b in scenario.bodies}
    if not _plain_actors(scenario):
        problems += _actor_problems(scenario, body_ids)
    for b, body in enumerate(scenario.bodies):
        if body.procedure is not None:
            problems += _check_actor_costs(body.procedure, ("bodies", b, "procedure"), actor_ids)
        if body.procedure is not None and body.procedure.opt_out:
            problems += _check_opt_out(
                body.rule.kind, ("bodies", b, "procedure", "opt_out"), body.id
            )
        if body.agenda_setter is not None and body.agenda_setter not in actor_ids:
            problems.append(
                Problem(
                    ("bodies", b, "agenda_setter"),
                    f"agenda setter '{body.agenda_setter}' is not an actor",
                    _one_of("the id of an actor in 'actors'", sorted(actor_ids)),
                )
            )
        problems += _check_rule_members(
            body.rule, _members(scenario, body), ("bodies", b, "rule"), f"body '{body.id}'"
        )
    bodies = {b.id: b for b in scenario.bodies}
    for i, issue in enumerate(scenario.issues):
        problems += _check_issue(issue, i, scenario, actor_ids)
        if issue.body in bodies and not _members(scenario, bodies[issue.body]):
            problems.append(
                Problem(
                    ("issues", i, "body"),
                    f"body '{issue.body}' has no members (no actor lists it in member_of)",
                    f"at least one actor with member_of: [{issue.body}]",
                )
            )
        problems += _check_procedures(issue, i, scenario, bodies)
        if issue.rule is not None:
            if issue.body in bodies:
                members = _members(scenario, bodies[issue.body])
                who = f"body '{issue.body}'"
            else:
                present = {s.actor for s in issue.stances}
                members = [a for a in scenario.actors if a.id in present]
                who = f"issue '{issue.id}' (its actors)"
            problems += _check_rule_members(issue.rule, members, ("issues", i, "rule"), who)
    return problems
