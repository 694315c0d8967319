"""Turn one issue of a validated :class:`Scenario` into the arrays the models work on."""

from __future__ import annotations

import numpy as np

from accord.errors import UsageError
from accord.models.base import IssueArrays
from accord.scenario.schema import Scenario


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
    ids = tuple(stance.actor for stance in issue.stances)
    positions = np.array([stance.position.values() for stance in issue.stances], dtype=np.float64)
    saliences = np.array([stance.salience.values(m) for stance in issue.stances], dtype=np.float64)
    saliences = saliences / issue.salience_scale
    capabilities = np.array([scenario.actor(a).capability.value for a in ids], dtype=np.float64)
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
