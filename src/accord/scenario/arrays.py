"""Turn one issue of a validated :class:`Scenario` into the arrays the models work on."""

from __future__ import annotations

from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.models.base import IssueArrays, ScenarioArrays
from accord.scenario.columns import recall
from accord.scenario.schema import Issue, Scenario


def _all_numbers(values: list[object]) -> bool:
    """True when every value is a bare float or int (not a list, not a bool)."""
    return all(type(v) is float or type(v) is int for v in values)


def _walk(
    scenario: Scenario, issue: Issue
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """Actor ids, positions, saliences (on [0, 1]) and capabilities, read stance by stance."""
    m = len(issue.dimensions)
    stances = issue.stances
    ids = tuple(stance.actor for stance in stances)
    x: list[Any] = [stance.position.value for stance in stances]
    s: list[Any] = [stance.salience.value for stance in stances]
    # Bare numbers (a 1-D issue) become arrays at once; lists and per-dimension saliences go
    # through the schema's helpers. Both give the same arrays; the first spares a large file a
    # method call per stance (issue 15).
    if not (m == 1 and _all_numbers(x) and _all_numbers(s)):
        x = [stance.position.values() for stance in stances]
        s = [stance.salience.values(m) for stance in stances]
    positions = np.array(x, dtype=np.float64)
    saliences = np.array(s, dtype=np.float64) / issue.salience_scale
    actors = scenario.actors
    if list(ids) == [a.id for a in actors]:  # the stances in the actors' order: no lookups
        capabilities = np.array([a.capability.value for a in actors], dtype=np.float64)
    else:
        capabilities = np.array([scenario.actor(a).capability.value for a in ids], dtype=np.float64)
    return ids, positions, saliences, capabilities


def issue_arrays(scenario: Scenario, issue_id: str) -> IssueArrays:
    """Return the :class:`IssueArrays` of ``issue_id``: stances in file order, saliences on [0, 1]."""
    try:
        issue = scenario.issue(issue_id)
    except KeyError:
        known = ", ".join(i.id for i in scenario.issues)
        raise UsageError(
            f"scenario '{scenario.id}' has no issue '{issue_id}'", expected=f"one of {known}"
        ) from None
    m = len(issue.dimensions)
    columns = recall(scenario, issue)
    if columns is not None:  # as the importer read them (issue 15): the same arrays, no walk
        ids = columns.actor_ids
        positions = np.array(columns.positions, dtype=np.float64)
        saliences = columns.saliences / issue.salience_scale
        capabilities = np.array(columns.capabilities, dtype=np.float64)
    else:
        ids, positions, saliences, capabilities = _walk(scenario, issue)
    lo = np.array([d.lo for d in issue.dimensions], dtype=np.float64)
    hi = np.array([d.hi for d in issue.dimensions], dtype=np.float64)
    status_quo = None
    if issue.status_quo is not None:
        status_quo = np.array(issue.status_quo.values(), dtype=np.float64)
    return IssueArrays(
        actor_ids=ids,
        positions=positions.reshape(len(ids), m),
        saliences=saliences.reshape(len(ids), m),
        capabilities=capabilities,
        lo=lo,
        hi=hi,
        status_quo=status_quo,
    )


def scenario_arrays(scenario: Scenario, issue_ids: list[str] | None = None) -> ScenarioArrays:
    """The scenario's one-dimensional issues as matrices.

    The scenario's one-dimensional issues as matrices (the input of scenario models such as
    :data:`accord.models.exchange.SCENARIO`).

    ``issue_ids`` defaults to every issue; a multi-dimensional one among them is a usage error.
    Positions are NaN where an actor holds no stance; power is the actor's ``power_<issue id>``
    attribute when it has one (the decide importer keeps per-issue power), else its capability.
    """
    actors = tuple(a.id for a in scenario.actors)
    issues = tuple(issue_ids if issue_ids is not None else [i.id for i in scenario.issues])
    row = {a: k for k, a in enumerate(actors)}
    n, p = len(actors), len(issues)
    x, s, c = np.full((n, p), np.nan), np.zeros((n, p)), np.zeros((n, p))
    lo, hi = np.zeros(p), np.zeros(p)
    for d, ident in enumerate(issues):
        arrays = issue_arrays(scenario, ident)
        if arrays.n_dims != 1:
            raise UsageError(
                f"issue '{ident}' has {arrays.n_dims} dimensions",
                field="issues",
                expected="one-dimensional issues for the exchange model",
            )
        rows = np.array([row[a] for a in arrays.actor_ids], dtype=np.intp)
        x[rows, d], s[rows, d] = arrays.positions[:, 0], arrays.saliences[:, 0]
        c[rows, d] = arrays.capabilities
        lo[d], hi[d] = arrays.lo[0], arrays.hi[0]
        for k, a in zip(rows, arrays.actor_ids, strict=True):
            attr = scenario.actor(a).attributes.get(f"power_{ident}")
            if attr is not None and isinstance(attr.value, int | float):
                c[k, d] = float(attr.value)
    return ScenarioArrays(actors, issues, x, s, c, lo, hi)
