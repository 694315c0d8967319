"""The team view's state panel: the variables a team may see, grouped and labelled.

Groups come from :func:`accord.wargame.display.variable_groups` (the scenario's ``display:``
groups, else the default grouping), so the team view and the after-action review name and order
variables the same way. Each row has the label, the value, the unit and the change since the
start of the last released turn; a collapsed group (a per-ally series) also gets a summary:
count, minimum, median, maximum and how many values changed.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from accord.wargame.display import variable_groups, variable_label, variable_unit
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import Event
from accord.wargame.state import fold


def state_panel(
    scenario: CompiledScenario, events: Sequence[Event], shown: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The panel's groups for the variables in ``shown`` after ``events``.

    Args:
        scenario: the compiled scenario.
        events: the game's stored log.
        shown: the variables the team may see.

    Returns:
        One dict per group: ``id``, ``label``, ``collapse``, ``rows`` (``id``, ``label``,
        ``unit``, ``value``, ``delta``: ``None`` before the first turn) and ``summary``.
    """
    state = fold(events)
    values = state.values
    start = next((i for i, e in enumerate(events) if e.turn >= state.turn and e.turn > 0), None)
    previous = fold(events[:start]).values if (start is not None and state.turn) else None
    groups = []
    for g in variable_groups(scenario, only=shown):
        rows = []
        for v in g.variables:
            delta = None if previous is None else values[v] - previous.get(v, values[v])
            rows.append(
                {
                    "id": v,
                    "label": variable_label(scenario, v),
                    "unit": variable_unit(scenario, v) or "",
                    "value": values[v],
                    "delta": delta,
                }
            )
        summary = None
        if g.collapse and rows:
            xs = [float(values[v]) for v in g.variables]
            summary = {
                "count": len(xs),
                "min": min(xs),
                "median": statistics.median(xs),
                "max": max(xs),
                "changed": sum(1 for r in rows if r["delta"]),
            }
        groups.append(
            {
                "id": g.id,
                "label": g.label,
                "collapse": g.collapse,
                "rows": rows,
                "summary": summary,
            }
        )
    return groups
