"""Typed bodies of the white cell's routes and the team view (pydantic; the OpenAPI spec)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


Reason = Field(min_length=1, max_length=2000)


class DiffRow(BaseModel):
    """One outcome or end-of-turn value that a change of the adjudication flips."""

    what: str
    before: str | None
    after: str | None


class PendingOut(BaseModel):
    """A pending ruling or override (``kind``), with what it did to the proposal."""

    id: int
    turn: int
    kind: str
    actor: str | None = None
    action: str | None = None
    verdict: str | None = None
    reason: str
    published: bool
    changes: dict[str, float] = Field(default_factory=dict)
    gates: dict[str, str] = Field(default_factory=dict)
    force: dict[str, bool] = Field(default_factory=dict)
    created_at: str
    diff: list[DiffRow] = Field(default_factory=list)


class RulingIn(_In):
    """Accept or reject one order of the next turn, with a reason."""

    actor: str = Field(min_length=1, max_length=64)
    action: str = Field(min_length=1, max_length=64)
    verdict: Literal["accept", "reject"]
    reason: str = Reason
    publish: bool = Field(default=False, description="teams may read the reason")


class UndoOut(BaseModel):
    """What taking back a pending item changed in the proposal."""

    id: int
    diff: list[DiffRow]


class InjectIn(_In):
    """A white-cell inject, logged now for the next turn."""

    text: str = Field(min_length=1, max_length=2000)
    audience: list[str] | None = Field(
        default=None, max_length=100, description="team ids; absent: every team"
    )


class PauseIn(_In):
    """Pause (``true``) or resume (``false``) play."""

    paused: bool


class ClockIn(_In):
    """The next turn's deadline, ``seconds`` from now (``null`` clears it)."""

    seconds: int | None = Field(default=None, ge=1, le=7 * 24 * 3600)
    auto_release: bool = False


class ControlOut(BaseModel):
    """A game's pause flag, turn clock and rollback successor."""

    paused: bool
    deadline_turn: int | None
    deadline: str | None
    auto_release: bool
    successor: int | None
    rolled_back_to: int | None


class TurnIn(_In):
    """The turn to roll back or branch to (its start)."""

    turn: int = Field(ge=1, le=2**31 - 1)
    title: str | None = Field(default=None, min_length=1, max_length=200)


class BranchOut(BaseModel):
    """The new game of a rollback or branch, and its page."""

    id: int
    redirect: str


class AdjudicationOut(BaseModel):
    """The white cell's desk: pending items of the next turn and who has not submitted."""

    turn: int
    pending: list[PendingOut]
    waiting: list[str]
    control: ControlOut
