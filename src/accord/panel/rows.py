"""The rows of a panel sheet: one per (actor, issue, dimension) of a scenario's stances.

The sheet layout is shared by the template writer, the readers and the web form:
``expert, actor, issue, dimension, position, salience, capability, confidence, note``.
Positions are on the dimension's scale; saliences always on [0, 1] (the merge multiplies by the
issue's ``salience_scale``); a capability is given once per actor (on its first row);
confidence is in (0, 1] (blank counts as 1 when answers are weighted by confidence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from accord.errors import UsageError
from accord.scenario.schema import Scenario

COLUMNS: tuple[str, ...] = (
    "expert",
    "actor",
    "issue",
    "dimension",
    "position",
    "salience",
    "capability",
    "confidence",
    "note",
)
NUMERIC: tuple[str, ...] = ("position", "salience", "capability", "confidence")
MARKER = "# accord panel sheet for scenario "
"""Line 1 of a CSV sheet (and cell A1 of the XLSX header sheet) starts with this, then the id."""
PREFILLED = "pre-filled from the scenario"
"""The note of a pre-filled row starts with this (leave the values to confirm them)."""


@dataclass(frozen=True)
class Row:
    """One template row: where it points and the scenario's current values (pre-filled)."""

    actor: str
    issue: str
    dimension: str
    lo: float
    hi: float
    position: float
    salience: float  # on [0, 1]
    capability: float | None  # only on the actor's first row
    note: str


def _kind(assumed: bool, elicited: object) -> str:
    if elicited:
        return "elicited"
    return "assumed" if assumed else "sourced"


def select_issues(scenario: Scenario, issues: Sequence[str] | None) -> list[str]:
    """The issue ids a sheet covers (all of them when ``issues`` is empty)."""
    known = [i.id for i in scenario.issues]
    if not issues:
        return known
    for issue_id in issues:
        if issue_id not in known:
            raise UsageError(
                f"scenario '{scenario.id}' has no issue '{issue_id}'",
                field="--issue",
                expected="one of " + ", ".join(known),
            )
    return [i for i in known if i in set(issues)]


def template_rows(scenario: Scenario, issues: Sequence[str] | None = None) -> list[Row]:
    """Every (actor, issue, dimension) row of the chosen issues, in file order."""
    rows: list[Row] = []
    seen_actor: set[str] = set()
    for issue_id in select_issues(scenario, issues):
        issue = scenario.issue(issue_id)
        m = len(issue.dimensions)
        for stance in issue.stances:
            pos = stance.position.values()
            sal = stance.salience.values(m)
            for k, dim in enumerate(issue.dimensions):
                cap: float | None = None
                actor = scenario.actor(stance.actor)
                if stance.actor not in seen_actor:
                    seen_actor.add(stance.actor)
                    cap = actor.capability.value
                what = [
                    "position " + _kind(stance.position.assumed, stance.position.elicited),
                    "salience " + _kind(stance.salience.assumed, stance.salience.elicited),
                ]
                if cap is not None:
                    what.append(
                        "capability " + _kind(actor.capability.assumed, actor.capability.elicited)
                    )
                rows.append(
                    Row(
                        actor=stance.actor,
                        issue=issue.id,
                        dimension=dim.id,
                        lo=dim.lo,
                        hi=dim.hi,
                        position=float(pos[k]),
                        salience=float(sal[k]) / issue.salience_scale,
                        capability=cap,
                        note=f"{PREFILLED}: " + ", ".join(what),
                    )
                )
    return rows
