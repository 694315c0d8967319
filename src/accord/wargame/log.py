"""The append-only event log: every inject, move, draw, decision and override is one event.

The game state is a fold over this log (:func:`accord.wargame.state.fold`): each event carries the
absolute new values of the variables it changed (``changes``, after the bounds policy), so
replaying the log needs neither the scenario's expressions nor the random generator. Events are
pydantic models with a ``kind`` discriminator; :func:`dump_log` writes them as canonical JSON
(sorted keys, no spaces), so two games with the same seed and orders give byte-identical text.

``audience`` says who may see an event in a debrief (``None``: everyone; otherwise actor or team
ids); the facilitator sees everything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    model_serializer,
)

from accord.errors import ScenarioError


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=0)
    turn: int = Field(ge=0)
    changes: dict[str, float] = Field(default_factory=dict)
    audience: list[str] | None = None


class GameStarted(_Event):
    """The first event: the scenario, the seed and the starting values."""

    kind: Literal["game-started"] = "game-started"
    scenario: str
    seed: int | None
    """Always set in the stored log; ``None`` only in a team's or observer's view of it."""
    values: dict[str, float]
    sampled: dict[str, float] = Field(default_factory=dict)


class TurnStarted(_Event):
    """A new turn begins."""

    kind: Literal["turn-started"] = "turn-started"


class InjectFired(_Event):
    """A white-cell inject fired, with its text."""

    kind: Literal["inject"] = "inject"
    inject: str
    text: str


class OrderRejected(_Event):
    """An order that could not be played, and why."""

    kind: Literal["order-rejected"] = "order-rejected"
    actor: str
    action: str
    reason: str


class ActionExecuted(_Event):
    """An actor's action was played."""

    kind: Literal["action"] = "action"
    actor: str
    action: str
    label: str | None = None


class Draw(_Event):
    """A seeded random draw: ``success = u < probability`` unless ``forced`` by the facilitator.

    ``probability`` and ``u`` are always set in the stored log; ``None`` only in a team's or an
    observer's view of it (the dice stay with the facilitator: accord.wargame.view.redact).
    """

    kind: Literal["draw"] = "draw"
    subject: str
    probability: float | None
    u: float | None
    success: bool
    forced: bool = False


class GateDeclared(_Event):
    """An actor declared a gate, which opens at turn ``opens_at``."""

    kind: Literal["gate-declared"] = "gate-declared"
    gate: str
    actor: str
    opens_at: int


class GateOpened(_Event):
    """A gate opened."""

    kind: Literal["gate-opened"] = "gate-opened"
    gate: str


class DecisionTaken(_Event):
    """A group decision put to its members.

    Who supports, whether the rule lets it pass, the members who withhold support (``blockers``) and
    the members whose switch alone would change the result (``pivotal``).
    """

    kind: Literal["decision"] = "decision"
    decision: str
    rule: str
    support: dict[str, bool]
    agreed: bool
    blockers: list[str]
    pivotal: list[str]
    procedure: str | None = None
    """``strict`` or ``practised`` when the decision has a procedure (then ``support`` is "does
    not object", and ``procedure_outcome`` one of :data:`accord.rules.procedure.OUTCOMES`)."""
    procedure_outcome: str | None = None
    value: float | None = None
    """the strength (0-100) of the text adopted, 0 when none."""
    reservations: list[str] = Field(default_factory=list)
    by_hand: list[str] = Field(default_factory=list)
    """the members whose support was cast by a person in their role, not their formula."""

    @model_serializer(mode="wrap")
    def _omit_no_hand_votes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # without hand votes the event's JSON is byte-identical to logs written before votes
        data: dict[str, Any] = handler(self)
        if not data.get("by_hand"):
            data.pop("by_hand", None)
        return data


class Override(_Event):
    """A facilitator override, with its reason: new values, gate states or forced draws."""

    kind: Literal["override"] = "override"
    reason: str = Field(min_length=1)
    gates: dict[str, Literal["closed", "open"]] = Field(default_factory=dict)
    force: dict[str, bool] = Field(default_factory=dict)


class Message(_Event):
    """A message of the play, logged with its audience.

    Between teams, between a team and the white cell, a request for information (RFI) from a
    team, or the white cell's answer to one. ``channel`` is ``white:<team>`` (a team and the white cell), ``teams:<a>+<b>`` (two teams,
    ids sorted) or ``all`` (everyone); ``audience`` follows from it (the white cell sees all).
    ``sender`` is the sending team's id or ``white``; ``author`` the person's display name.
    ``rfi`` names the request a message asks (``answer`` false) or answers (``answer`` true).
    A message changes no variable, so folding the log ignores it.
    """

    kind: Literal["message"] = "message"
    channel: str = Field(min_length=1, max_length=140)
    sender: str = Field(min_length=1)
    author: str = ""
    text: str = Field(min_length=1)
    rfi: str | None = None
    answer: bool = False


class GameEnded(_Event):
    """The last event: the game ended with ``outcome``."""

    kind: Literal["game-ended"] = "game-ended"
    outcome: str


Event = Annotated[
    GameStarted
    | TurnStarted
    | InjectFired
    | OrderRejected
    | ActionExecuted
    | Draw
    | GateDeclared
    | GateOpened
    | DecisionTaken
    | Override
    | Message
    | GameEnded,
    Field(discriminator="kind"),
]

_LOG = TypeAdapter(list[Event])
_EVENT: TypeAdapter[Event] = TypeAdapter(Event)


def dump_event(event: Event) -> str:
    """Canonical JSON text of one event (as in :func:`dump_log`)."""
    data = event.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def load_event(text: str, source: str = "<event>") -> Event:
    """One event from :func:`dump_event` text.

    Raises:
        ScenarioError: not JSON, or not a known event.
    """
    try:
        return _EVENT.validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ScenarioError(
            f"bad event: {err['msg']}", file=source, field=where or None, expected="a game event"
        ) from None


def dump_log(events: Sequence[Event]) -> str:
    """Canonical JSON text of the log (sorted keys, compact), byte-stable for equal logs."""
    data = [e.model_dump(mode="json") for e in events]
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def load_log(text: str, source: str = "<log>") -> list[Event]:
    """Events from :func:`dump_log` text.

    Raises:
        ScenarioError: not JSON, or an entry is not a known event.
    """
    try:
        return _LOG.validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ScenarioError(
            f"bad event: {err['msg']}", file=source, field=where or None, expected="a game log"
        ) from None
