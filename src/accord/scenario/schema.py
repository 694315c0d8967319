"""The scenario data model: actors, bodies, issues, positions and saliences, validated by pydantic.

A scenario file (YAML) maps one to one onto :class:`Scenario`. Every number an analyst enters
carries its ``source`` and whether it is ``assumed``; uncertain numbers carry a ``range`` that
Monte Carlo draws from. ``docs/scenario-format.md`` documents the file format field by field.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1

#: A number in a scenario: an int or a float, never true/false or text ("50"), never NaN or
#: infinite, and within +-1e15 so that the models' products of capabilities, saliences and
#: squared distances stay finite (issue 15).
NUMBER_BOUND = 1e15
Number = Annotated[
    float, Field(strict=True, allow_inf_nan=False, ge=-NUMBER_BOUND, le=NUMBER_BOUND)
]

Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="letters, digits, '_', '.', '-'; starts with a letter or digit",
    ),
]


class HasId(Protocol):
    """Anything with an ``id`` (actors, issues, bodies, dimensions, programme items)."""

    @property
    def id(self) -> str:
        """The item's identifier."""
        ...


ItemT = TypeVar("ItemT", bound=HasId)


def require_unique_ids(items: list[ItemT], label: str) -> list[ItemT]:
    """Return ``items`` unchanged, or raise ``ValueError`` naming the first repeated ``label``."""
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"duplicate {label} '{item.id}'")
        seen.add(item.id)
    return items


def find_by_id(items: Iterable[ItemT], ident: str) -> ItemT:
    """The item whose ``id`` is ``ident``; ``KeyError`` when there is none."""
    for item in items:
        if item.id == ident:
            return item
    raise KeyError(ident)


class Strict(BaseModel):
    """Base: unknown fields are errors (a typo must not be silently ignored)."""

    # defer_build: each model's validator is built when first used, not on import. Reading a
    # scenario builds Scenario's, with every nested model in it, once; building all 24 at
    # import, each on its own, cost a small forecast about a tenth more (docs/performance.md).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Quantity(Strict):
    """A number with its provenance, e.g. a capability or an actor attribute."""

    value: Number
    source: str = Field(min_length=1)
    assumed: bool = False
    range: tuple[Number, Number] | None = None
    unit: str | None = None
    elicited: dict[str, float] | None = Field(
        default=None, description="expert -> the value that expert gave (an expert panel)"
    )

    @model_validator(mode="after")
    def _range_holds_value(self) -> Quantity:
        if self.range is not None:
            lo, hi = self.range
            if lo > hi:
                raise ValueError(f"range [{lo}, {hi}] has its low end above its high end")
            if not lo <= self.value <= hi:
                raise ValueError(f"value {self.value} lies outside its range [{lo}, {hi}]")
        return self


class Attribute(Strict):
    """A free actor attribute (population, military spending, ...), always with a source."""

    value: Number | str | bool
    source: str = Field(min_length=1)
    assumed: bool = False
    range: tuple[Number, Number] | None = None
    unit: str | None = None


ActorKind = Literal["state", "organisation", "person", "group"]


class Actor(Strict):
    """A participant in bargaining."""

    id: Identifier
    name: str = Field(min_length=1)
    kind: ActorKind = "state"
    capability: Quantity
    attributes: dict[str, Attribute] = Field(default_factory=dict)
    member_of: list[str] = Field(default_factory=list)
    joined: dict[str, dt.date] = Field(
        default_factory=dict,
        description="body id -> the date the actor joined it; an issue with a decision_date "
        "counts the actor as a member only from that date on",
    )
    description: str | None = None


class ConsensusRule(Strict):
    """Every member holds a veto (NATO's consensus, the EU Council's unanimity)."""

    kind: Literal["consensus", "unanimity"]


class SimpleMajorityRule(Strict):
    """More than half of the members (one member, one vote)."""

    kind: Literal["simple-majority"]


class WeightedRule(Strict):
    """Weighted voting: a coalition wins when its weight reaches ``quota``.

    ``weights`` names an actor attribute (numeric) or ``capability``. ``quota`` is absolute unless
    ``relative`` is true, in which case it is a share of the total weight (e.g. 0.5 for a weighted
    majority, 0.6 for a generic qualified majority).
    """

    kind: Literal["weighted", "qualified-majority"]
    weights: str = "capability"
    quota: Number = Field(gt=0)
    relative: bool = True
    strict: bool = False

    @model_validator(mode="after")
    def _relative_quota_is_a_share(self) -> WeightedRule:
        if self.relative and self.quota > 1:
            raise ValueError(f"a relative quota is a share in (0, 1], got {self.quota}")
        return self


class EUNiceRule(Strict):
    """EU Council QMV under the Treaty of Nice.

    255 of 345 votes (scaled to the membership), a majority of states, and 62% of population.
    """

    kind: Literal["eu-nice"]
    votes: str = "council_votes"
    population: str = "population"
    vote_share: Number = Field(default=255 / 345, gt=0, le=1)
    state_share: Number = Field(default=0.5, gt=0, le=1)
    population_share: Number = Field(default=0.62, gt=0, le=1)


class EULisbonRule(Strict):
    """EU Council QMV under the Treaty of Lisbon.

    55% of states and 65% of population (a blocking minority needs at least four states).
    """

    kind: Literal["eu-lisbon"]
    population: str = "population"
    state_share: Number = Field(default=0.55, gt=0, le=1)
    population_share: Number = Field(default=0.65, gt=0, le=1)
    min_blocking_states: int = Field(default=4, ge=1)


RuleSpec = Annotated[
    ConsensusRule | SimpleMajorityRule | WeightedRule | EUNiceRule | EULisbonRule,
    Field(discriminator="kind"),
]

ProcedureName = Literal["strict", "practised"]


class Procedure(Strict):
    """How a body applies its rule in practice (``docs/rules.md``, "Decision procedures").

    ``strict`` reads every member that prefers the status quo as a veto player who uses its veto
    (Tsebelis 2002). ``practised`` is the costly-veto reading of consensus: a member breaks
    silence only when its salience-weighted net loss from the proposal exceeds its
    ``cost_of_objecting``; a loss above ``reservation_threshold`` but within the cost is
    acquiescence with a reservation. ``None`` costs mean the fitted default for the rule's kind.
    """

    name: ProcedureName = "practised"
    cost_of_objecting: Number | None = Field(default=None, ge=0)
    reservation_threshold: Number | None = Field(default=None, ge=0)
    actor_costs: dict[str, Annotated[Number, Field(ge=0)]] = Field(
        default_factory=dict, description="actor id -> that actor's own cost of objecting"
    )
    opt_out: bool = False
    max_dilution: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="largest share of the way back to the status quo a text may be diluted",
    )


RecordOutcome = Literal[
    "passes", "passes_with_reservations", "passes_with_opt_outs", "diluted", "delayed", "blocked"
]


class Record(Strict):
    """What actually happened to an issue: the outcome, its value on the scale, and who objected."""

    outcome: RecordOutcome
    value: Number | list[Number] | None = None
    date: dt.date | None = None
    source: str = Field(min_length=1)
    objectors: list[str] = Field(default_factory=list)
    reservations: list[str] = Field(default_factory=list)
    opt_outs: list[str] = Field(default_factory=list)
    note: str | None = None

    def values(self) -> list[float] | None:
        """The recorded value as a list, one number per dimension (``None`` without one)."""
        if self.value is None:
            return None
        return [self.value] if isinstance(self.value, float | int) else list(self.value)


RULE_KINDS = (
    "consensus",
    "unanimity",
    "simple-majority",
    "qualified-majority",
    "weighted",
    "eu-nice",
    "eu-lisbon",
)


class Body(Strict):
    """A decision-making body (the North Atlantic Council, the EU Council, ...)."""

    id: Identifier
    name: str = Field(min_length=1)
    rule: RuleSpec
    procedure: Procedure | None = None
    founded: dt.date | None = None
    agenda_setter: str | None = None
    description: str | None = None


class Dimension(Strict):
    """One policy dimension of an issue, with its scale."""

    id: Identifier
    name: str | None = None
    lo: Number = 0.0
    hi: Number = 100.0
    lo_label: str = "low"
    hi_label: str = "high"
    unit: str = "points"

    @model_validator(mode="after")
    def _scale_is_increasing(self) -> Dimension:
        if not self.lo < self.hi:
            raise ValueError(f"scale needs lo < hi, got lo={self.lo}, hi={self.hi}")
        return self


class Position(Strict):
    """An actor's position on an issue: one number per dimension (a bare number for 1-D)."""

    value: Number | list[Number]
    source: str = Field(min_length=1)
    assumed: bool = False
    range: tuple[Number, Number] | list[tuple[Number, Number]] | None = None
    elicited: dict[str, float | list[float | None]] | None = Field(
        default=None,
        description="expert -> the position that expert gave (one number per dimension; "
        "null where the expert left a dimension blank)",
    )

    def values(self) -> list[float]:
        """The position as a list, one number per dimension."""
        return [self.value] if isinstance(self.value, float | int) else list(self.value)

    def ranges(self) -> list[tuple[float, float]] | None:
        """The ranges as a list, one ``(lo, hi)`` per dimension (``None`` without ranges)."""
        if self.range is None:
            return None
        if isinstance(self.range, tuple):
            return [self.range]
        return list(self.range)


class Salience(Strict):
    """How much the issue matters to the actor: one number, or one per dimension."""

    value: Number | list[Number]
    source: str = Field(min_length=1)
    assumed: bool = False
    range: tuple[Number, Number] | None = None
    elicited: dict[str, float | list[float | None]] | None = Field(
        default=None,
        description="expert -> the salience that expert gave, on the file's scale",
    )

    def values(self, n_dims: int) -> list[float]:
        """The salience on each of ``n_dims`` dimensions (one number is repeated)."""
        if isinstance(self.value, float | int):
            return [float(self.value)] * n_dims
        return list(self.value)


class Stance(Strict):
    """One actor's position and salience on one issue."""

    actor: str
    position: Position
    salience: Salience


class StatusQuo(Strict):
    """What happens if no decision is taken: one number per dimension."""

    value: Number | list[Number]
    source: str = Field(min_length=1)
    assumed: bool = False

    def values(self) -> list[float]:
        """The status quo as a list, one number per dimension."""
        return [self.value] if isinstance(self.value, float | int) else list(self.value)


class Issue(Strict):
    """A question the actors bargain over, decided by a body under a rule."""

    id: Identifier
    name: str = Field(min_length=1)
    description: str | None = None
    dimensions: list[Dimension] = Field(min_length=1)
    status_quo: StatusQuo | None = None
    body: str | None = None
    rule: RuleSpec | None = None
    salience_scale: Number = Field(default=1.0, gt=0)
    stances: list[Stance] = Field(min_length=1)
    outcome: StatusQuo | None = None
    procedure: Procedure | None = None
    decision_date: dt.date | None = None
    next_window: dt.date | str | None = None
    record: Record | None = None

    @field_validator("dimensions")
    @classmethod
    def _unique_dimension_ids(cls, dims: list[Dimension]) -> list[Dimension]:
        return require_unique_ids(dims, "dimension id")


class FormulaInput(Strict):
    """One input of a formula: a numeric actor attribute, normalised.

    One input of a formula: a numeric actor attribute, normalised to ``[0, 1]`` as
    ``clip((value - lo) / (hi - lo), 0, 1)`` with the ``lo`` and ``hi`` stated here.
    """

    attribute: str = Field(min_length=1)
    lo: Number
    hi: Number

    @model_validator(mode="after")
    def _scale_is_increasing(self) -> FormulaInput:
        if not self.lo < self.hi:
            raise ValueError(f"normalisation needs lo < hi, got lo={self.lo}, hi={self.hi}")
        return self


class Formula(Strict):
    """A transparent linear score over normalised actor attributes (``accord.scenario.derive``).

    ``score = clip(intercept + sum_j weights[j] * z_j, 0, 1)`` where ``z_j`` is input ``j``
    normalised by its :class:`FormulaInput`. The weights live in the scenario file, never in
    code; ``source`` says where they come from (a calibration, a judgement) and why.
    ``half_width`` (on the 0..1 score scale) gives every derived value its ``range``.
    """

    id: Identifier
    source: str = Field(min_length=1)
    actors: list[str] = Field(min_length=1)
    inputs: dict[str, FormulaInput] = Field(min_length=1)
    weights: dict[str, Number]
    intercept: Number = 0.0
    half_width: Number = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _weights_name_inputs(self) -> Formula:
        unknown = sorted(set(self.weights) - set(self.inputs))
        if unknown:
            raise ValueError(
                f"weights for {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'}"
                f" not among the inputs ({', '.join(self.inputs)})"
            )
        return self


class PositionFormula(Formula):
    """Positions (and saliences) of ``actors`` on ``issue`` derived from their attributes.

    Position on dimension ``d``: ``lo_d + (hi_d - lo_d) * clip(score + offsets[d], 0, 1)``.
    Salience: ``salience_scale * clip(salience_intercept + sum_j salience_weights[j] * z_j, 0,
    1)``, with range ``+- salience_half_width`` (same 0..1 units). ``prior`` (keys
    ``intercept`` and input names) is the judgement a calibration starts from and is pulled
    towards (``accord.analysis.calibration``); ``weights`` and ``intercept`` are what derives.
    """

    issue: str
    offsets: dict[str, Number] = Field(default_factory=dict)
    prior: dict[str, Number] | None = None
    salience_weights: dict[str, Number] = Field(default_factory=dict)
    salience_intercept: Number = 0.5
    salience_half_width: Number = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _salience_weights_name_inputs(self) -> PositionFormula:
        unknown = sorted(set(self.salience_weights) - set(self.inputs))
        if unknown:
            raise ValueError(
                f"salience_weights for {', '.join(unknown)}, not among the inputs "
                f"({', '.join(self.inputs)})"
            )
        if self.prior is not None:
            bad = sorted(set(self.prior) - set(self.inputs) - {"intercept"})
            if bad:
                raise ValueError(
                    f"prior for {', '.join(bad)}, expected 'intercept' or an input "
                    f"({', '.join(self.inputs)})"
                )
        return self


class AttributeFormula(Formula):
    """A derived numeric attribute (e.g. a threat perception) of ``actors``.

    ``lo + (hi - lo) * score``, with range ``+- half_width * (hi - lo)``.
    """

    attribute: str = Field(min_length=1)
    lo: Number = 0.0
    hi: Number = 100.0
    unit: str | None = None


class Scenario(Strict):
    """A whole scenario file."""

    accord: Annotated[int, Field(strict=True, ge=1, le=SCHEMA_VERSION)] = Field(
        default=SCHEMA_VERSION, description="schema version of the file"
    )
    id: Identifier
    title: str = Field(min_length=1)
    description: str | None = None
    sources: dict[str, str] = Field(default_factory=dict)
    actors: list[Actor] = Field(min_length=1)
    bodies: list[Body] = Field(default_factory=list)
    issues: list[Issue] = Field(min_length=1)
    attribute_formulas: list[AttributeFormula] = Field(default_factory=list)
    position_formulas: list[PositionFormula] = Field(default_factory=list)

    def actor(self, actor_id: str) -> Actor:
        """The actor with id ``actor_id``.

        Raises:
            KeyError: when the scenario has no such actor.
        """
        try:
            return self.actors[self._actor_rows[actor_id]]
        except KeyError:
            raise KeyError(actor_id) from None

    @functools.cached_property
    def _actor_rows(self) -> dict[str, int]:
        """Actor id -> row, built once.

        A lookup per stance must not scan every actor (a 200,000-actor scenario would take hours).
        """
        rows: dict[str, int] = {}
        for row, item in enumerate(self.actors):
            rows.setdefault(item.id, row)
        return rows

    def issue(self, issue_id: str) -> Issue:
        """The issue with id ``issue_id`` (:func:`find_by_id`)."""
        return find_by_id(self.issues, issue_id)

    def body(self, body_id: str) -> Body:
        """The body with id ``body_id`` (:func:`find_by_id`)."""
        return find_by_id(self.bodies, body_id)
