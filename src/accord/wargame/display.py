"""How variables are shown to people: names, units and themed groups.

The team view (web) and the after-action review (report) both read variables through
:func:`variable_groups`, so a scenario's ``display:`` groups (docs/wargame.md) order and name
them the same way everywhere. Without declared groups the variables are grouped by who may see
them (the shared state, then one group per team), and a per-actor series (five or more
variables ``<prefix>_<actor id>``, such as ``thr_bel``, ``thr_can``, ...) becomes one collapsed
group.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from accord.wargame.loader import CompiledScenario

SERIES_MIN = 5
"""Variables sharing a prefix form a collapsed series from this many on (judgement: shorter
runs read well as plain rows)."""


@dataclass(frozen=True)
class VariableGroup:
    """Variables shown together, in display order."""

    id: str
    label: str
    variables: tuple[str, ...]
    collapse: bool = False


def variable_label(scenario: CompiledScenario, variable: str) -> str:
    """The variable's ``label``, else its id."""
    for v in scenario.spec.variables:
        if v.id == variable:
            if v.label:
                return v.label
            return variable
    return variable


def variable_unit(scenario: CompiledScenario, variable: str) -> str | None:
    """The variable's declared unit, if any."""
    for v in scenario.spec.variables:
        if v.id == variable:
            return v.unit
    return None


def _series_prefix(name: str, actors: set[str]) -> str | None:
    """``thr_`` for ``thr_bel`` when ``bel`` is an actor id."""
    head, sep, tail = name.partition("_")
    return head + "_" if sep and head and tail in actors else None


def variable_groups(
    scenario: CompiledScenario, only: tuple[str, ...] | None = None
) -> list[VariableGroup]:
    """Every variable (or those in ``only``, e.g. what an audience may see) in one group.

    Declared ``display`` groups come first, in file order; a variable claimed by an earlier
    group is not repeated. What no group claims falls to the default grouping.
    """
    allowed = (
        scenario.variables
        if only is None
        else tuple(v for v in scenario.variables if v in set(only))
    )
    claimed: set[str] = set()
    groups: list[VariableGroup] = []
    for g in scenario.spec.display:
        members = [
            v
            for v in allowed
            if v not in claimed
            and (v in g.variables or (g.prefix is not None and v.startswith(g.prefix)))
        ]
        # Listed variables keep their listed order; prefix members follow in file order.
        listed = [v for v in g.variables if v in members]
        members = listed + [v for v in members if v not in listed]
        if members:
            groups.append(VariableGroup(g.id, g.label, tuple(members), g.collapse))
            claimed.update(members)
    rest = [v for v in allowed if v not in claimed]
    groups.extend(_default_groups(scenario, rest))
    return groups


def _default_groups(scenario: CompiledScenario, names: list[str]) -> list[VariableGroup]:
    """The default display groups of a scenario's variables.

    Series first (collapsed), then one group per team that alone may see a variable, then
    the shared state.
    """
    actors = {a.id for a in scenario.spec.actors}
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for n in names:
        p = _series_prefix(n, actors)
        if p is not None:
            by_prefix[p].append(n)
    series = {p: vs for p, vs in by_prefix.items() if len(vs) >= SERIES_MIN}
    in_series = {v for vs in series.values() for v in vs}
    visible = {v.id: v.visible_to for v in scenario.spec.variables}
    team_names = dict(scenario.spec.teams)
    by_team: dict[str, list[str]] = defaultdict(list)
    shared: list[str] = []
    for n in names:
        if n in in_series:
            continue
        who = visible.get(n)
        if who is not None and len(who) == 1:
            by_team[who[0]].append(n)
        else:
            shared.append(n)
    groups: list[VariableGroup] = []
    if shared:
        groups.append(VariableGroup("shared", "Shared state", tuple(shared)))
    for team, vs in by_team.items():
        label = team_names.get(team, team)
        groups.append(VariableGroup(f"team_{team}", f"Seen only by {label}", tuple(vs)))
    for p, vs in series.items():
        groups.append(
            VariableGroup(
                f"series_{p.rstrip('_')}",
                f"{p}<actor> ({len(vs)} values)",
                tuple(vs),
                collapse=True,
            )
        )
    return groups
