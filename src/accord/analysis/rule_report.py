"""What an issue's decision rule means: members, veto players, power indices and the winset."""

from __future__ import annotations

from typing import Any

import numpy as np

from accord.forecast import parse_rule, required_issue_rule
from accord.rules.build import build_rule
from accord.rules.power import power_indices
from accord.rules.veto import veto_players
from accord.rules.winset import winset_1d
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import Scenario


def rule_report(
    scenario: Scenario, issue_id: str, rule: str | None = None, *, seed: int = 0
) -> dict[str, Any]:
    """A JSON-serialisable description of the rule that decides ``issue_id``.

    ``rule`` overrides the file's rule (same syntax as ``accord forecast --rule``). Power indices
    are exact where the rule allows it and seeded Monte Carlo otherwise (``power_method`` says).
    """
    arrays = issue_arrays(scenario, issue_id)
    spec, members = required_issue_rule(
        scenario, scenario.issue(issue_id), parse_rule(rule) if rule else None
    )
    decision_rule = build_rule(spec, members)
    power = power_indices(decision_rule, seed=seed)
    index = {a: i for i, a in enumerate(arrays.actor_ids)}
    rows = np.array([index[m.id] for m in members], dtype=np.intp)
    winset = None
    if arrays.status_quo is not None and arrays.n_dims == 1:
        intervals = winset_1d(
            decision_rule,
            arrays.positions[rows, 0],
            float(arrays.status_quo[0]),
            lo=float(arrays.lo[0]),
            hi=float(arrays.hi[0]),
        )
        winset = [(float(a), float(b)) for a, b in intervals]
    return {
        "issue": issue_id,
        "rule": spec.kind,
        "status_quo": None if arrays.status_quo is None else [float(v) for v in arrays.status_quo],
        "members": [m.id for m in members],
        "veto_players": [members[i].id for i in veto_players(decision_rule)],
        "shapley_shubik": [float(v) for v in power.shapley_shubik],
        "banzhaf": [float(v) for v in power.banzhaf],
        "power_method": power.method
        + ("" if power.exact else f" ({power.samples} samples, seed {seed})"),
        "winset": winset,
    }
