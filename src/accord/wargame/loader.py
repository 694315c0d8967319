"""Load a war-game scenario (YAML), check how its parts fit, and compile its expressions.

:func:`load_wargame` / :func:`loads_wargame` parse with accord's safe YAML reader
(:func:`accord.scenario.yaml_io.parse_yaml`: no tags, no code, duplicate keys rejected), validate
with :class:`~accord.wargame.schema.WargameScenario`, then cross-check and compile into a
:class:`CompiledScenario`. Every failure is a :class:`~accord.errors.ScenarioError` with the file,
the line and the field path.

Cross-checks: ids unique (variables, gates and tables share one namespace, the names expressions
read); every reference names something that exists (an action's actor, gates and proposed
decision; a gate's actor and decision; a decision's members, support formulas and weights; an
actor's doctrine actions and preferences; ``visible_to`` actors or teams); every change targets a
variable; a scripted inject fires within the clock, and a triggered inject's condition can hold
somewhere in the variables' ranges (interval arithmetic, :func:`accord.wargame.expr.can_hold`);
a ``set`` whose value can only lie outside the variable's range is rejected.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from accord import limits
from accord.errors import ScenarioError
from accord.scenario.validate import format_path
from accord.scenario.yaml_io import parse_yaml, read_text
from accord.wargame.bounds import check as check_bounds
from accord.wargame.expr import RESERVED, Events, Expr, can_hold, compile_expr, interval
from accord.wargame.schema import Changes, WargameScenario

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class ChangeSet:
    """Compiled changes: ``deltas`` are added, ``sets`` replace, both evaluated on one state."""

    deltas: Mapping[str, Expr] = field(default_factory=dict)
    sets: Mapping[str, Expr] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.deltas or self.sets)


@dataclass(frozen=True)
class CompiledTable:
    """A table compiled for evaluation: its input expression and its points."""

    id: str
    input: Expr
    xs: np.ndarray
    ys: np.ndarray

    def value(self, env: Mapping[str, float]) -> float:
        """The table's value at the input's value in ``env`` (linear interpolation)."""
        return float(np.interp(self.input.value(env), self.xs, self.ys))


@dataclass(frozen=True)
class CompiledProcedure:
    """A group decision's procedure: each member's position and the cost of objecting."""

    position: Mapping[str, Expr]
    cost: Expr


@dataclass(frozen=True)
class CompiledScenario:
    """A checked scenario with every expression compiled; the engine's input."""

    spec: WargameScenario
    source: str
    variables: tuple[str, ...]
    lo: Mapping[str, float]
    hi: Mapping[str, float]
    gates: tuple[str, ...]
    tables: tuple[CompiledTable, ...]
    preconditions: Mapping[str, Expr]
    action_changes: Mapping[str, ChangeSet]
    action_costs: Mapping[str, ChangeSet]
    probabilities: Mapping[str, Expr]
    successes: Mapping[str, ChangeSet]
    failures: Mapping[str, ChangeSet]
    inject_when: Mapping[str, Expr]
    inject_probability: Mapping[str, Expr]
    inject_changes: Mapping[str, ChangeSet]
    gate_requires: Mapping[str, Expr]
    support: Mapping[str, Mapping[str, Expr]]
    decision_when: Mapping[str, Expr]
    decision_changes: Mapping[str, ChangeSet]
    outcomes: tuple[tuple[str, Expr], ...]
    end_when: Expr | None
    doctrine: Mapping[str, tuple[tuple[Expr, str], ...]]
    teams: Mapping[str, str]
    """actor id -> team id (an actor without a team is its own team)."""
    gate_conditions: Mapping[str, tuple[tuple[str, Expr], ...]] = field(default_factory=dict)
    """gate id -> its legal conditions (text, compiled test)."""
    gate_delay: Mapping[str, Expr] = field(default_factory=dict)
    invariants: tuple[tuple[str, Expr], ...] = ()
    procedures: Mapping[str, CompiledProcedure] = field(default_factory=dict)

    @property
    def names(self) -> frozenset[str]:
        """Every name an expression may read."""
        return frozenset((*self.variables, *self.gates, *(t.id for t in self.tables), "turn"))


class _Checker:
    def __init__(self, spec: WargameScenario, source: str, lines: Any) -> None:
        self.spec = spec
        self.source = source
        self.lines = lines
        self.box = _box(spec)

    def error(self, path: PathT, message: str, expected: str | None = None) -> ScenarioError:
        line = self.lines.line_for(path) if self.lines is not None else None
        return ScenarioError(
            message, file=self.source, line=line, field=format_path(path), expected=expected
        )

    def expr(
        self, text: Any, known: frozenset[str], path: PathT, events: Events | None = None
    ) -> Expr:
        try:  # bounds.check: no overflow or division by zero over the declared ranges
            return check_bounds(compile_expr(text, known, format_path(path), events), self.box)
        except ScenarioError as exc:
            raise self.error(path, exc.message, exc.expected) from None

    def unique(self, ids: Sequence[str], path: PathT, what: str) -> None:
        seen: set[str] = set()
        for i, name in enumerate(ids):
            if name in seen:
                raise self.error(
                    (*path, i, "id"), f"{what} '{name}' is defined twice", "unique ids"
                )
            seen.add(name)

    def ref(self, name: str, pool: Mapping[str, Any] | set[str], path: PathT, what: str) -> None:
        if name not in pool:
            some = ", ".join(sorted(pool)[:10]) or "none defined"
            raise self.error(path, f"unknown {what} '{name}'", f"one of: {some}")


def _changes(
    c: _Checker,
    changes: Changes,
    sets: Changes,
    known: frozenset[str],
    path: PathT,
    events: Events | None = None,
) -> ChangeSet:
    variables = {v.id: v for v in c.spec.variables}
    out_d: dict[str, Expr] = {}
    out_s: dict[str, Expr] = {}
    box = _box(c.spec)
    for key, store, what in (("effects", out_d, changes), ("set", out_s, sets)):
        for name, text in what.items():
            p = (*path, key, name)
            c.ref(name, variables, p, "state variable")
            store[name] = c.expr(text, known, p, events)
            if key == "set":
                lo, hi = interval(store[name], box)
                v = variables[name]
                if lo > v.hi or hi < v.lo:
                    raise c.error(
                        p,
                        f"this always sets '{name}' to [{lo:g}, {hi:g}], outside its range",
                        f"values in [{v.lo:g}, {v.hi:g}]",
                    )
    return ChangeSet(deltas=out_d, sets=out_s)


def _box(spec: WargameScenario) -> dict[str, tuple[float, float]]:
    box: dict[str, tuple[float, float]] = {v.id: (v.lo, v.hi) for v in spec.variables}
    box.update({g.id: (0.0, 1.0) for g in spec.gates})
    for t in spec.tables:
        ys = [p[1] for p in t.points]
        box[t.id] = (min(ys), max(ys))
    box["turn"] = (1.0, float(spec.clock.turns))
    return box


def compile_scenario(
    spec: WargameScenario, source: str = "<scenario>", lines: Any = None
) -> CompiledScenario:
    """Cross-check ``spec`` and compile its expressions (see the module docstring)."""
    c = _Checker(spec, source, lines)
    _check_values(c, spec)
    _actors_and_teams(c, spec)
    c.unique([a.id for a in spec.actions], ("actions",), "action")
    c.unique([i.id for i in spec.injects], ("injects",), "inject")
    c.unique([d.id for d in spec.decisions], ("decisions",), "decision")
    c.unique([o.id for o in spec.outcomes], ("outcomes",), "outcome")
    c.unique([o.id for o in spec.invariants], ("invariants",), "invariant")
    c.unique([f.id for f in spec.facts], ("facts",), "fact")
    shared = (
        [("variables", i, v.id) for i, v in enumerate(spec.variables)]
        + [("gates", i, g.id) for i, g in enumerate(spec.gates)]
        + [("tables", i, t.id) for i, t in enumerate(spec.tables)]
    )
    seen: dict[str, str] = {}
    for group, i, name in shared:
        if name in RESERVED:
            raise c.error((group, i, "id"), f"'{name}' is a reserved name", "another id")
        if name in seen:
            raise c.error(
                (group, i, "id"),
                f"'{name}' is already the id of one of the {seen[name]}",
                "variables, gates and tables with distinct ids",
            )
        seen[name] = group
    _check_display(c, spec)

    actors = {a.id: a for a in spec.actors}
    teams: dict[str, str] = {a.id: a.team or a.id for a in spec.actors}
    audiences = set(actors) | set(teams.values()) | set(spec.teams)
    variables = {v.id: v for v in spec.variables}
    gates = {g.id: g for g in spec.gates}
    decisions = {d.id: d for d in spec.decisions}
    actions = {a.id: a for a in spec.actions}
    table_ids = {t.id for t in spec.tables}
    known = frozenset((*variables, *gates, *table_ids, "turn"))
    _check_map(c, spec, known, audiences)
    base = known - table_ids  # a table's input may not read tables
    box = _box(spec)
    # the event history may be read where the engine evaluates on the whole state (not in
    # actions or doctrine, which players also evaluate on their own picture of the state)
    action_ids = frozenset(actions)
    events: Events = {
        "done": action_ids,
        "succeeded": action_ids,
        "failed": action_ids,
        "fired": frozenset(i.id for i in spec.injects),
        "agreed": frozenset(decisions),
        "declared": frozenset(gates),
    }
    facts = {f.id for f in spec.facts}

    for i, v in enumerate(spec.variables):
        for j, who in enumerate(v.visible_to or []):
            c.ref(who, audiences, ("variables", i, "visible_to", j), "actor or team")

    tables = []
    for i, t in enumerate(spec.tables):
        inp = c.expr(t.input, base, ("tables", i, "input"))
        xs = np.array([p[0] for p in t.points], dtype=np.float64)
        ys = np.array([p[1] for p in t.points], dtype=np.float64)
        tables.append(CompiledTable(t.id, inp, xs, ys))

    doctrine: dict[str, tuple[tuple[Expr, str], ...]] = {}
    for i, a in enumerate(spec.actors):
        for name in a.preferences:
            c.ref(name, variables, ("actors", i, "preferences", name), "state variable")
        rules = []
        for j, rule in enumerate(a.doctrine):
            p: PathT = ("actors", i, "doctrine", j)
            c.ref(rule.then, actions, (*p, "then"), "action")
            if actions[rule.then].actor != a.id:
                raise c.error(
                    (*p, "then"),
                    f"action '{rule.then}' belongs to '{actions[rule.then].actor}', not '{a.id}'",
                    f"one of {a.id}'s actions",
                )
            rules.append((c.expr(rule.when, known, (*p, "if")), rule.then))
        doctrine[a.id] = tuple(rules)

    gate_requires, gate_conditions, gate_delay = {}, {}, {}
    for i, g in enumerate(spec.gates):
        c.ref(g.actor, actors, ("gates", i, "actor"), "actor")
        if g.decision is not None:
            c.ref(g.decision, decisions, ("gates", i, "decision"), "group decision")
        for j, fact in enumerate(g.legal_source):
            if fact not in facts:
                some = ", ".join(sorted(facts)[:10]) or "none listed"
                raise c.error(
                    ("gates", i, "legal_source", j),
                    f"gate '{g.id}' cites fact row '{fact}', which the scenario's facts do not "
                    "list",
                    f"a fact id listed under 'facts:' ({some})",
                )
        gate_requires[g.id] = c.expr(g.requires, known, ("gates", i, "requires"), events)
        gate_conditions[g.id] = tuple(
            (cond.text, c.expr(cond.when, known, ("gates", i, "conditions", j, "when"), events))
            for j, cond in enumerate(g.conditions)
        )
        if g.delay is not None:
            gate_delay[g.id] = c.expr(g.delay, known, ("gates", i, "delay"), events)

    pre, chg, cost, prob, succ, fail = {}, {}, {}, {}, {}, {}
    for i, act in enumerate(spec.actions):
        p = ("actions", i)
        c.ref(act.actor, actors, (*p, "actor"), "actor")
        for j, gid in enumerate(act.requires_gates):
            c.ref(gid, gates, (*p, "requires_gates", j), "legal gate")
        if act.declares_gate is not None:
            c.ref(act.declares_gate, gates, (*p, "declares_gate"), "legal gate")
            owner = gates[act.declares_gate].actor
            if owner != act.actor:
                raise c.error(
                    (*p, "declares_gate"),
                    f"gate '{act.declares_gate}' is declared by '{owner}', not '{act.actor}'",
                    f"a gate of actor '{act.actor}'",
                )
        if act.proposes is not None:
            c.ref(act.proposes, decisions, (*p, "proposes"), "group decision")
        pre[act.id] = c.expr(act.precondition, known, (*p, "precondition"))
        chg[act.id] = _changes(c, act.effects, act.set, known, p)
        cost[act.id] = _changes(c, act.costs, {}, known, (*p, "costs"))
        if act.adjudication is not None:
            q = (*p, "adjudication")
            prob[act.id] = c.expr(act.adjudication.probability, known, (*q, "probability"))
            succ[act.id] = _changes(c, act.adjudication.success, {}, known, (*q, "success"))
            fail[act.id] = _changes(c, act.adjudication.failure, {}, known, (*q, "failure"))

    inj_when, inj_prob, inj_chg = {}, {}, {}
    for i, inj in enumerate(spec.injects):
        p = ("injects", i)
        for j, who in enumerate(inj.visible_to or []):
            c.ref(who, audiences, (*p, "visible_to", j), "actor or team")
        if inj.at_turn is not None and inj.at_turn > spec.clock.turns:
            raise c.error(
                (*p, "at_turn"),
                f"inject '{inj.id}' is scripted for turn {inj.at_turn} but the game ends after "
                f"turn {spec.clock.turns}, so it can never fire",
                f"a turn from 1 to {spec.clock.turns}",
            )
        if inj.when is not None:
            expr = c.expr(inj.when, known, (*p, "when"), events)
            if not can_hold(expr, box):
                raise c.error(
                    (*p, "when"),
                    f"inject '{inj.id}' can never fire: its condition is false for every value "
                    "in the variables' ranges",
                    "a condition that can hold",
                )
            inj_when[inj.id] = expr
        if inj.probability is not None:
            inj_prob[inj.id] = c.expr(inj.probability, known, (*p, "probability"), events)
        inj_chg[inj.id] = _changes(c, inj.effects, inj.set, known, p, events)

    support, dec_when, dec_chg = {}, {}, {}
    procedures: dict[str, CompiledProcedure] = {}
    for i, d in enumerate(spec.decisions):
        p = ("decisions", i)
        c.unique(d.members, (*p, "members"), "member")
        for j, m in enumerate(d.members):
            c.ref(m, actors, (*p, "members", j), "actor")
        for m in d.support:
            c.ref(m, set(d.members), (*p, "support", m), "member of this decision")
        formulas = d.support if d.procedure is None else d.procedure.position
        key = "support" if d.procedure is None else "procedure.position"
        if d.procedure is not None:
            if d.support:
                raise c.error(
                    (*p, "support"),
                    "a decision with a procedure takes positions, not support formulas",
                    "procedure.position only",
                )
            for m in d.procedure.position:
                c.ref(
                    m, set(d.members), (*p, "procedure", "position", m), "member of this decision"
                )
            if d.procedure.strength is not None:
                c.ref(d.procedure.strength, variables, (*p, "procedure", "strength"), "variable")
            procedures[d.id] = CompiledProcedure(
                position={
                    m: c.expr(
                        d.procedure.position[m], known, (*p, "procedure", "position", m), events
                    )
                    for m in d.members
                    if m in d.procedure.position
                },
                cost=c.expr(
                    d.procedure.cost_of_objecting,
                    known,
                    (*p, "procedure", "cost_of_objecting"),
                    events,
                ),
            )
        missing = [m for m in d.members if m not in formulas]
        if missing:
            raise c.error(
                (*p, *key.split(".")),
                f"no {'support formula' if d.procedure is None else 'position'} for member(s) "
                f"{', '.join(missing)}",
                "one formula per member",
            )
        if d.rule.weights is not None:
            if set(d.rule.weights) != set(d.members):
                raise c.error(
                    (*p, "rule", "weights"),
                    "the weights do not name exactly the members",
                    "one weight per member",
                )
            if any(w < 0 for w in d.rule.weights.values()) or sum(d.rule.weights.values()) <= 0:
                raise c.error((*p, "rule", "weights"), "weights must be >= 0 with a positive sum")
        support[d.id] = {
            m: c.expr(d.support[m], known, (*p, "support", m), events)
            for m in d.members
            if d.procedure is None
        }
        if d.when is not None:
            dec_when[d.id] = c.expr(d.when, known, (*p, "when"), events)
        dec_chg[d.id] = _changes(c, d.effects, d.set, known, p, events)

    outcomes = tuple(
        (o.id, c.expr(o.when, known, ("outcomes", i, "when"), events))
        for i, o in enumerate(spec.outcomes)
    )
    invariants = tuple(
        (o.id, c.expr(o.expression, known, ("invariants", i, "expression"), events))
        for i, o in enumerate(spec.invariants)
    )
    end_when = (
        None if spec.end_when is None else c.expr(spec.end_when, known, ("end_when",), events)
    )
    return CompiledScenario(
        spec=spec,
        source=source,
        variables=tuple(variables),
        lo={v.id: v.lo for v in spec.variables},
        hi={v.id: v.hi for v in spec.variables},
        gates=tuple(gates),
        tables=tuple(tables),
        preconditions=pre,
        action_changes=chg,
        action_costs=cost,
        probabilities=prob,
        successes=succ,
        failures=fail,
        inject_when=inj_when,
        inject_probability=inj_prob,
        inject_changes=inj_chg,
        gate_requires=gate_requires,
        support=support,
        decision_when=dec_when,
        decision_changes=dec_chg,
        outcomes=outcomes,
        end_when=end_when,
        doctrine=doctrine,
        teams=teams,
        gate_conditions=gate_conditions,
        gate_delay=gate_delay,
        invariants=invariants,
        procedures=procedures,
    )


def _non_finite(value: Any, path: PathT) -> PathT | None:
    """The path of the first NaN or infinite number in ``value`` (plain data), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list | tuple)
        else ()
    )
    for key, item in items:
        found = _non_finite(item, (*path, key))
        if found is not None:
            return found
    return None


def _check_values(c: _Checker, spec: WargameScenario) -> None:
    """Check numbers, gate delays and actors' teams of a loaded scenario.

    Numbers finite everywhere (ranges, preferences, tables, weights), gate delays within the
    horizon limit, and actors' teams among the declared teams (issue 15).
    """
    found = _non_finite(spec.model_dump(mode="python"), ())
    if found is not None:
        raise c.error(found, "the number is not finite (NaN or infinite)", "a finite number")
    horizon = limits.HORIZON.value
    if spec.clock.turns > horizon:
        limits.HORIZON.check(spec.clock.turns, file=c.source, field="clock.turns")
    for i, g in enumerate(spec.gates):
        if g.delay_turns > horizon:
            raise c.error(
                ("gates", i, "delay_turns"),
                f"a delay of {g.delay_turns:g} turns is beyond the horizon limit",
                f"at most {horizon} turns; {limits.HORIZON.hint}",
            )
    if spec.teams:
        for i, a in enumerate(spec.actors):
            if a.team is not None and a.team not in spec.teams:
                raise c.error(
                    ("actors", i, "team"),
                    f"unknown team '{a.team}'",
                    "one of the teams declared under teams: " + ", ".join(sorted(spec.teams)),
                )


def _check_display(c: _Checker, spec: WargameScenario) -> None:
    """Display groups have unique ids, name declared variables, and a prefix matches one."""
    c.unique([g.id for g in spec.display], ("display",), "display group")
    names = {v.id for v in spec.variables}
    for i, g in enumerate(spec.display):
        for j, name in enumerate(g.variables):
            c.ref(name, names, ("display", i, "variables", j), "variable")
        if g.prefix is not None and not any(n.startswith(g.prefix) for n in names):
            raise c.error(
                ("display", i, "prefix"),
                f"no variable id starts with '{g.prefix}'",
                "the common start of a series of variable ids, such as 'thr_'",
            )


def _check_map(
    c: _Checker, spec: WargameScenario, known: frozenset[str], audiences: set[str]
) -> None:
    """Check the theatre map's places.

    Ids are unique, ``when`` compiles, ``variable`` and ``visible_to`` name what exists
    (:mod:`accord.wargame.theatre` draws them).
    """
    if spec.map is None:
        return
    places = spec.map.places
    c.unique([p.id for p in places], ("map", "places"), "map place")
    variables = {v.id for v in spec.variables}
    for i, p in enumerate(places):
        if p.when is not None:
            c.expr(p.when, known, ("map", "places", i, "when"))
        if p.variable is not None:
            c.ref(p.variable, variables, ("map", "places", i, "variable"), "variable")
        for j, who in enumerate(p.visible_to or []):
            c.ref(who, audiences, ("map", "places", i, "visible_to", j), "actor or team")


def _actors_and_teams(c: _Checker, spec: WargameScenario) -> None:
    """Actor ids are unique, so an actor is on one team (unknown teams: :func:`_check_values`)."""
    seen: dict[str, str | None] = {}
    for i, a in enumerate(spec.actors):
        if a.id in seen:
            if seen[a.id] != a.team:
                raise c.error(
                    ("actors", i, "team"),
                    f"actor '{a.id}' is on two teams ('{seen[a.id] or a.id}' and "
                    f"'{a.team or a.id}')",
                    "each actor listed once, on one team",
                )
            raise c.error(("actors", i, "id"), f"actor '{a.id}' is defined twice", "unique ids")
        seen[a.id] = a.team


def loads_wargame(text: str, source: str = "<text>") -> CompiledScenario:
    """Parse, validate and compile a war-game scenario from YAML text."""
    parsed = parse_yaml(text, source)
    if not isinstance(parsed.data, dict):
        raise ScenarioError(
            f"the file holds {type(parsed.data).__name__}, not a mapping of fields",
            file=source,
            line=parsed.line_for(()),
            expected="a war-game scenario mapping with id, clock, actors and variables "
            "(docs/wargame.md)",
        )
    try:
        spec = WargameScenario.model_validate(parsed.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(part for part in err["loc"] if isinstance(part, str | int))
        raise ScenarioError(
            err["msg"].removeprefix("Value error, "),
            file=source,
            line=parsed.line_for(loc),
            field=format_path(loc) or None,
            expected=_expected(err),
        ) from None
    return compile_scenario(spec, source, parsed)


def _expected(err: Any) -> str | None:
    kind = str(err.get("type", ""))
    if kind == "extra_forbidden":
        return "only the fields documented in docs/wargame.md"
    if kind == "missing":
        return "this field"
    ctx = err.get("ctx") or {}
    if "pattern" in ctx:
        return "a name of letters, digits and '_' not starting with a digit"
    return _EXPECTED_BY_TYPE.get(kind.split("_")[0], "a value as docs/wargame.md describes")


#: What a pydantic error type asks for, by its first word (``float_parsing`` -> ``float``).
_EXPECTED_BY_TYPE = {
    "float": "a number",
    "int": "a whole number",
    "bool": "true or false",
    "string": "text",
    "list": "a list",
    "dict": "a mapping",
    "model": "a mapping",
    "literal": "one of the values docs/wargame.md lists",
    "greater": "a larger number",
    "less": "a smaller number",
}


def load_wargame(path: str | os.PathLike[str]) -> CompiledScenario:
    """Load a war-game scenario file (errors name the file by its base name).

    A file read from disk also has its cited fact rows checked against their files, when
    those can be found (see :func:`check_fact_rows`).
    """
    name = Path(path).name
    text = read_text(path, name)
    compiled = loads_wargame(text, name)
    check_fact_rows(compiled, Path(path), parse_yaml(text, name))
    return compiled


def check_fact_rows(scenario: CompiledScenario, path: Path, lines: Any = None) -> None:
    """Check that each ``facts:`` entry is the row of its file at its line.

    Each ``facts:`` entry must be the row of its file at its line (the row starts with the
    fact's id). The file is looked up relative to the scenario's folder and each folder above
    it (``tests/data/facts/...`` from the repository root); a file that is not found is not
    checked, so a scenario copied elsewhere still loads.

    Raises:
        ScenarioError: the file exists but its line ``line`` is not the row ``id``.
    """
    c = _Checker(scenario.spec, scenario.source, lines)
    bases = [path.resolve().parent, *path.resolve().parent.parents]
    for i, fact in enumerate(scenario.spec.facts):
        found = next((b / fact.file for b in bases if (b / fact.file).is_file()), None)
        if found is None:
            continue
        rows = found.read_text(encoding="utf-8").splitlines()
        row = rows[fact.line - 1] if fact.line <= len(rows) else ""
        if not row.lstrip('"').startswith((f'{fact.id}"', f"{fact.id},")):
            raise c.error(
                ("facts", i, "line"),
                f"fact '{fact.id}' is not at {fact.file}, line {fact.line}",
                f"the line of {fact.file} whose row has id '{fact.id}'",
            )
