"""The war-game scenario file, as pydantic models (what the YAML holds, field by field).

Actors, variables, tables, gates, actions, injects, group decisions and outcomes all carry the
provenance fields ``source``, ``assumed`` and ``reason``. Expressions are kept as text here; :mod:`accord.wargame.loader` compiles and cross-checks them.
Every model forbids unknown fields, so a typo is an error rather than silently ignored. Every
number a scenario author had to assume carries ``assumed: true`` with a ``source`` or ``reason``.

Effects are *changes*: ``effects: {escalation: "1"}`` adds 1, ``set: {escalation: "3"}`` sets 3.
All the right-hand sides of one action, inject or decision are evaluated on the state before any
of them is applied, then applied together; values leaving a variable's range are handled by the
scenario's ``bounds`` policy (``clamp``, the default, or ``error``).
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="letters, digits and '_', not starting with a digit",
    ),
]
ExprText = Annotated[
    str | float | bool, Field(description="an expression (see accord.wargame.expr)")
]
Changes = dict[str, ExprText]
FactId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="a fact row id such as A05 or JPN-01",
    ),
]


class Strict(BaseModel):
    """Base: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(Strict):
    """Where a number comes from; ``assumed: true`` needs a ``source`` or a ``reason``."""

    source: str | None = None
    assumed: bool = False
    reason: str | None = None

    @model_validator(mode="after")
    def _assumption_explained(self) -> Provenance:
        if self.assumed and not (self.source or self.reason):
            raise ValueError("an assumed value needs a 'source' or a 'reason'")
        return self


class Clock(Strict):
    """Turns run 1..``turns``; ``turn_length`` is a label shown to players (e.g. ``3.5 days``)."""

    turns: int = Field(ge=1, le=1000)
    turn_length: str = "1 turn"


class DoctrineRule(Strict):
    """If ``when`` holds on the actor's view, order action ``then``."""

    when: ExprText = Field(alias="if")
    then: Id

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Actor(Provenance):
    """A party to the crisis, played by a team (people or an automated player).

    ``preferences`` weigh state variables for the expected-utility player (utility = sum of
    weight * value); ``doctrine`` lists if-then rules for the doctrine player.
    """

    id: Id
    name: str | None = None
    team: Id | None = None
    preferences: dict[str, float] = Field(default_factory=dict)
    doctrine: list[DoctrineRule] = Field(default_factory=list)


class Fact(Strict):
    """A row of a fact file that the scenario cites (``facts:``).

    Gates name these ids in ``legal_source``. ``file`` and ``line`` say where the row is (a test
    checks them against the file), ``text`` is what the row says, in short.
    """

    id: FactId
    file: str = Field(min_length=1)
    line: int = Field(ge=2)
    text: str = Field(min_length=1)


class Variable(Provenance):
    """A state variable on ``[lo, hi]``.

    ``range`` makes the initial value uncertain (Monte Carlo draws it uniformly); ``visible_to``
    lists the actors or teams that see it (absent: everyone).
    """

    id: Id
    lo: float
    hi: float
    initial: float
    label: str | None = Field(
        default=None, max_length=120, description="the name shown to people (default: the id)"
    )
    unit: str | None = Field(default=None, max_length=32, description="e.g. '%', 'ships', '0-5'")
    description: str | None = None
    range: tuple[float, float] | None = None
    visible_to: list[Id] | None = None
    fact: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$",
        description="'<actor>.<attribute>' in the shared facts table "
        "(scenarios/facts/actor_attributes.csv) this value is copied from",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Variable:
        if not self.lo < self.hi:
            raise ValueError(f"lo {self.lo} must be below hi {self.hi}")
        if not self.lo <= self.initial <= self.hi:
            raise ValueError(f"initial {self.initial} is outside [{self.lo}, {self.hi}]")
        if self.range is not None:
            a, b = self.range
            if not (self.lo <= a <= self.initial <= b <= self.hi):
                raise ValueError(
                    f"range [{a}, {b}] must contain initial {self.initial} and lie in "
                    f"[{self.lo}, {self.hi}]"
                )
        return self


class Table(Provenance):
    """A piecewise-linear table that expressions can read.

    A probability (or any) table: piecewise-linear in ``input`` through ``points`` (x, y),
    constant beyond the end points. Its id is a name expressions can read.
    """

    id: Id
    input: ExprText
    points: list[tuple[float, float]] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted(self) -> Table:
        xs = [p[0] for p in self.points]
        if any(b <= a for a, b in itertools.pairwise(xs)):
            raise ValueError("table points must have strictly increasing x")
        return self


class Adjudication(Strict):
    """A seeded draw deciding between success and failure effects.

    A seeded draw: success with probability ``probability`` (an expression, clipped to [0, 1]),
    then ``success`` or ``failure`` changes apply on top of the action's own effects.
    """

    probability: ExprText
    success: Changes = Field(default_factory=dict)
    failure: Changes = Field(default_factory=dict)


class Action(Provenance):
    """One entry of an actor's action catalogue."""

    id: Id
    actor: Id
    label: str | None = None
    precondition: ExprText = "true"
    requires_gates: list[Id] = Field(default_factory=list)
    declares_gate: Id | None = None
    proposes: Id | None = None
    effects: Changes = Field(default_factory=dict)
    set: Changes = Field(default_factory=dict)
    costs: Changes = Field(default_factory=dict)
    adjudication: Adjudication | None = None
    covert: bool = False


class Inject(Provenance):
    """A white-cell inject, scripted or triggered.

    A white-cell inject: scripted ``at_turn`` or triggered ``when`` a condition holds (once,
    unless ``once: false``), with an optional ``probability`` drawn with the game's seed.
    """

    id: Id
    text: str
    at_turn: int | None = Field(default=None, ge=1)
    when: ExprText | None = None
    once: bool = True
    probability: ExprText | None = None
    effects: Changes = Field(default_factory=dict)
    set: Changes = Field(default_factory=dict)
    visible_to: list[Id] | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> Inject:
        if (self.at_turn is None) == (self.when is None):
            raise ValueError("an inject needs exactly one of 'at_turn' and 'when'")
        return self


class GateCondition(Strict):
    """One legal condition of a gate.

    The law's words (``text``) and how the game tests them (``when``, an expression that may read
    the event history).
    """

    text: str = Field(min_length=1)
    when: ExprText


class LegalGate(Provenance):
    """A legal situation an actor must declare before some actions are lawful.

    Declaring it (an action with ``declares_gate``) needs ``requires`` and every one of
    ``conditions`` to hold and, if ``decision`` names a group decision (e.g. the cabinet), that
    decision to be agreed the same turn; the gate then opens ``delay_turns`` turns later (or
    ``delay`` turns, an expression rounded to a whole number of turns, when given). Its id reads
    1 in expressions when open, else 0. ``legal_source`` names the fact rows (``facts:``) the
    gate follows; ``who_decides`` and ``permits`` restate them for players and the docs.
    """

    id: Id
    actor: Id
    label: str | None = None
    requires: ExprText = "true"
    conditions: list[GateCondition] = Field(default_factory=list)
    delay_turns: int = Field(default=0, ge=0)
    delay: ExprText | None = None
    decision: Id | None = None
    legal_source: list[FactId] = Field(default_factory=list)
    who_decides: str | None = None
    permits: str | None = None


class RuleKind(Strict):
    """The decision rule of a group decision.

    Decision rule: ``consensus``/``unanimity``, ``simple-majority``, or ``weighted`` with
    member ``weights`` and a ``quota`` as a share of the total weight (``strict``: more than).
    """

    kind: Literal["consensus", "unanimity", "simple-majority", "weighted"]
    weights: dict[Id, float] | None = None
    quota: float | None = Field(default=None, gt=0, le=1)
    strict: bool = False

    @model_validator(mode="after")
    def _weighted_complete(self) -> RuleKind:
        if self.kind == "weighted" and (self.weights is None or self.quota is None):
            raise ValueError("a weighted rule needs 'weights' and 'quota'")
        return self


class DecisionProcedure(Strict):
    """How the body applies its rule in practice (:mod:`accord.rules.procedure`).

    The text tabled has strength 100 on a 0-100 scale; the status quo (no text) is 0. Each
    member's ``position`` is the strength it wants (an expression, clipped to [0, 100]); its net
    loss from a text of strength ``y`` is ``|y - x| - |0 - x|`` (salience 1). Under ``practised``
    a member objects only when that loss exceeds ``cost_of_objecting`` (an expression, points on
    the 0-100 scale), acquiesces with a reservation above ``reservation_threshold``, and the text
    may be diluted towards 0 by at most ``max_dilution``; ``strict`` objects at any loss. The
    adopted strength / 100 is written to the variable ``strength`` (0 when nothing is adopted).
    """

    name: Literal["strict", "practised"] = "practised"
    position: dict[Id, ExprText]
    cost_of_objecting: ExprText = 0.0
    reservation_threshold: float = Field(default=0.0, ge=0)
    max_dilution: float = Field(default=0.5, gt=0, lt=1)
    strength: Id | None = None


class GroupDecision(Provenance):
    """A collective decision inside the game.

    A collective decision inside the game (a NATO statement, a sanctions package, a cabinet
    decision). Each member supports when its ``support`` formula holds on the current state;
    the rule decides. With a ``procedure``, members' ``position`` formulas replace ``support``
    and :func:`accord.rules.procedure.run_procedure` decides (passes, with reservations,
    diluted, blocked). It is put on the table every turn ``when`` holds (or when an action
    ``proposes`` it), until agreed if ``once``.
    """

    id: Id
    label: str | None = None
    members: list[Id] = Field(min_length=1)
    rule: RuleKind
    support: dict[Id, ExprText] = Field(default_factory=dict)
    procedure: DecisionProcedure | None = None
    when: ExprText | None = None
    once: bool = True
    effects: Changes = Field(default_factory=dict)
    set: Changes = Field(default_factory=dict)


class Outcome(Provenance):
    """A named end state; the first whose ``when`` holds at the end labels the game.

    ``when`` may read the event history (``done(chn_invasion)``, ...), so a label can be defined by
    what happened, not only by where the state ended.
    """

    id: Id
    when: ExprText
    label: str | None = None


class Invariant(Provenance):
    """A condition that must hold after every event of every game (``accord wargame check``).

    It may read the state and the event history.
    """

    id: Id
    expression: ExprText
    label: str | None = None


class DisplayGroup(Strict):
    """A themed group of variables shown together in the team view and the review.

    Members are the listed ``variables`` plus every variable whose id starts with ``prefix``
    (a per-ally series such as ``thr_``). ``collapse: true`` shows a long series as a summary
    (count, min, median, max) that people can expand.
    """

    id: Id
    label: str = Field(min_length=1, max_length=120)
    variables: list[Id] = Field(default_factory=list)
    prefix: str | None = Field(default=None, min_length=1, max_length=64)
    collapse: bool = False

    @model_validator(mode="after")
    def _has_members(self) -> DisplayGroup:
        if not self.variables and self.prefix is None:
            raise ValueError("a display group needs 'variables' or a 'prefix'")
        return self


class MapPlace(Strict):
    """A place on the theatre map.

    A marker at ``lon``/``lat``, or a line or area through ``points`` (``[lon, lat]`` pairs,
    e.g. a blockade line). Its state comes from the game: ``when`` (an expression; the place is
    drawn as active while it holds) and ``variable`` (whose value is printed by the label).
    ``visible_to`` (team or actor ids) hides the place from others; a viewer who may not see a
    variable that ``when`` or ``variable`` reads sees no state.
    """

    id: Id
    label: str = Field(min_length=1, max_length=120)
    kind: Literal["base", "city", "island", "line", "area"] = "base"
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    points: list[tuple[float, float]] = Field(default_factory=list, max_length=200)
    when: ExprText | None = None
    variable: Id | None = None
    visible_to: list[Id] | None = None

    @model_validator(mode="after")
    def _where(self) -> MapPlace:
        if self.kind in ("line", "area"):
            if len(self.points) < 2:
                raise ValueError(f"a {self.kind} needs at least two [lon, lat] points")
        elif self.lon is None or self.lat is None:
            raise ValueError("a marker needs lon and lat")
        return self


class TheatreMap(Strict):
    """The theatre map (docs/wargame.md, "Map").

    Coastlines from a GeoJSON file that ships with the scenario (path relative to the scenario
    file), the box to draw (``[lon_min, lat_min, lon_max, lat_max]``; default: around the
    places) and the places.
    """

    geojson: str | None = Field(default=None, max_length=255)
    bounds: tuple[float, float, float, float] | None = None
    note: str | None = Field(default=None, max_length=300)
    places: list[MapPlace] = Field(default_factory=list, max_length=200)


class WargameScenario(Strict):
    """A whole crisis war game."""

    id: str = Field(min_length=1, max_length=64)
    title: str
    description: str | None = None
    clock: Clock
    bounds: Literal["clamp", "error"] = "clamp"
    actors: list[Actor] = Field(min_length=1)
    teams: dict[Id, str] = Field(default_factory=dict)
    variables: list[Variable] = Field(min_length=1)
    tables: list[Table] = Field(default_factory=list)
    gates: list[LegalGate] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    injects: list[Inject] = Field(default_factory=list)
    decisions: list[GroupDecision] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    invariants: list[Invariant] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    display: list[DisplayGroup] = Field(default_factory=list)
    map: TheatreMap | None = None
    end_when: ExprText | None = None
