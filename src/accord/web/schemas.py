"""Typed request and response bodies of the web API (pydantic; they make the OpenAPI spec)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


Name = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
Password = Field(min_length=8, max_length=256)


class Credentials(_In):
    """A user name and password."""

    username: str = Name
    password: str = Password


class NewPassword(_In):
    """A password change: the current password and the new one."""

    current: str = Field(min_length=1, max_length=256)
    new: str = Password


class NewUser(Credentials):
    """A new facilitator or observer account."""

    role: Literal["facilitator", "observer"]


class JoinRequest(Credentials):
    """Joining a game through an invitation: a new team account and its team's name."""

    team_name: str = Field(min_length=1, max_length=100)


class UserOut(BaseModel):
    """An account as the API returns it."""

    id: int
    username: str
    role: str


class Done(BaseModel):
    """A done reply, with the page to go to next if any."""

    ok: bool = True
    redirect: str | None = None


class NewGame(_In):
    """A new war game: scenario reference, title and seed."""

    scenario: str = Field(min_length=1, max_length=255)
    title: str = Field(min_length=1, max_length=200)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class GameCreated(BaseModel):
    """The created game's id and its page."""

    id: int
    redirect: str


class SeatIn(_In):
    """A seat's setting: a human team, an automated player or open."""

    kind: Literal["human", "auto", "open"]
    player: Literal["doctrine", "utility", "passive"] | None = None


class SeatOut(BaseModel):
    """A seat as the API returns it."""

    team: str
    kind: str
    player: str | None
    display_name: str | None
    joined: bool
    invite_url: str | None = None


class GameSummary(BaseModel):
    """A game in the list of games."""

    id: int
    title: str
    scenario: str
    turn: int
    turns: int
    ended: bool
    outcome: str | None
    my_team: str | None = None
    scenario_title: str = ""
    """the scenario's title (its ``title``), shown instead of its id."""


class OrderIn(_In):
    """A team's orders for one actor (``client_key`` makes a retry idempotent)."""

    actor: str = Field(min_length=1, max_length=64)
    actions: list[str] = Field(default_factory=list, max_length=50)
    client_key: str | None = Field(default=None, min_length=1, max_length=64)
    rationale: str | None = Field(default=None, max_length=4000)
    votes: dict[str, bool] = Field(default_factory=dict, max_length=50)
    """decision id -> the actor's vote cast by hand (support true, oppose false)."""


class OrderOut(BaseModel):
    """A stored order as the API returns it."""

    id: int
    turn: int
    team: str
    actor: str
    actions: list[str]
    submitted_at: str
    stored: bool = True
    rationale: str | None = None
    votes: dict[str, bool] = Field(default_factory=dict)


class EventOut(BaseModel):
    """A logged event as the API returns it, in words."""

    seq: int
    turn: int
    kind: str
    text: str
    changes: dict[str, float]


class Proposal(BaseModel):
    """The engine's proposal for the next turn."""

    turn: int
    events: list[EventOut]
    outcome: str | None


class ReleaseIn(_In):
    """The release of a turn."""

    turn: int = Field(ge=1, le=2**31 - 1, description="the turn to release: the next one")


class OverrideIn(_In):
    """A facilitator's override: the reason and the values, gates and draws changed."""

    reason: str = Field(min_length=1, max_length=2000)
    values: dict[str, float] = Field(default_factory=dict)
    gates: dict[str, Literal["open", "closed"]] = Field(default_factory=dict)
    force: dict[str, bool] = Field(default_factory=dict)
    publish: bool = Field(default=False, description="teams may read the reason")


class GameState(BaseModel):
    """A game as the viewer may see it."""

    id: int
    title: str
    scenario: str
    viewer: str
    turn: int
    turns: int
    ended: bool
    outcome: str | None
    values: dict[str, float]
    seats: list[SeatOut]
    submitted: list[str]
    team_view: dict[str, Any] | None = None
    clock: dict[str, Any] | None = None
    waiting: list[str] = Field(default_factory=list)


class TextIn(_In):
    """A scenario text to check or import."""

    text: str = Field(max_length=1024 * 1024)
    kind: Literal["wargame", "scenario"] | None = None


class SaveIn(TextIn):
    """A scenario text to save in the library under ``name``."""

    name: str = Field(min_length=1, max_length=200)


class ProblemOut(BaseModel):
    """One problem of a scenario text."""

    line: int | None
    field: str | None
    message: str


class Validation(BaseModel):
    """Whether a scenario text is valid, and its problems."""

    valid: bool
    kind: str
    problems: list[ProblemOut]


class Saved(BaseModel):
    """The library references saved, and the page to go to."""

    refs: list[str]
    redirect: str


class AnalysisIn(_In):
    """An analysis to start: its kind, scenario and settings."""

    kind: Literal["forecast", "deadlock", "gaps", "montecarlo"]
    scenario: str = Field(min_length=1, max_length=255)
    model: str = Field(default="all", max_length=200)
    issue: str | None = Field(default=None, max_length=100)
    draws: int = Field(default=200, ge=1, le=20000)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class AnalysisOut(BaseModel):
    """An analysis run as the API returns it."""

    id: int
    kind: str
    scenario: str
    params: dict[str, Any]
    status: str
    progress: float
    error: str | None
    created_at: str
    result: Any = None


class WargameRunIn(_In):
    """A war-game Monte Carlo started from the web (``accord wargame montecarlo``)."""

    scenario: str = Field(min_length=1, max_length=255)
    runs: int = Field(default=200, ge=1, le=100_000, description="automated games to play")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    fixed: bool = Field(default=False, description="play every run at the scenario's values")
