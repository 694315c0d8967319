"""After-action review: the timeline, the state over time, key decision points, what-ifs, the
start-of-turn debrief, and a self-contained HTML page.

Everything is computed from the event log alone (plus the scenario for names and visibility).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from accord.wargame.engine import Game
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import (
    ActionExecuted,
    DecisionTaken,
    Draw,
    Event,
    GameEnded,
    GateDeclared,
    GateOpened,
    InjectFired,
    OrderRejected,
    Override,
    TurnStarted,
)
from accord.wargame.state import GameState
from accord.wargame.view import Order, Player, audience_of, debrief


def describe(event: Event) -> str:
    """One line of plain text for an event."""
    if isinstance(event, InjectFired):
        return f"Inject {event.inject}: {event.text}"
    if isinstance(event, ActionExecuted):
        return f"{event.actor} takes {event.action}"
    if isinstance(event, OrderRejected):
        return f"{event.actor}'s order {event.action} rejected: {event.reason}"
    if isinstance(event, Draw):
        how = "forced by the facilitator" if event.forced else f"u = {event.u:.3f}"
        result = "success" if event.success else "failure"
        return f"Draw for {event.subject}: p = {event.probability:.3f}, {how} -> {result}"
    if isinstance(event, GateDeclared):
        return f"{event.actor} declares {event.gate} (in force from turn {event.opens_at})"
    if isinstance(event, GateOpened):
        return f"Legal gate {event.gate} is open"
    if isinstance(event, DecisionTaken):
        who = ", ".join(m for m, s in event.support.items() if s) or "nobody"
        text = f"{event.decision} ({event.rule}): {'agreed' if event.agreed else 'blocked'}"
        text += f"; support: {who}"
        if event.blockers:
            text += f"; blocked by {', '.join(event.blockers)}"
        return text
    if isinstance(event, Override):
        return f"Facilitator override: {event.reason}"
    if isinstance(event, GameEnded):
        return f"Game over: {event.outcome}"
    if isinstance(event, TurnStarted):
        return f"Turn {event.turn}"
    return "Game started"


def timeline(events: Sequence[Event]) -> list[dict[str, Any]]:
    """One row per event: seq, turn, kind, text, changes."""
    return [
        {
            "seq": e.seq,
            "turn": e.turn,
            "kind": e.kind,
            "text": describe(e),
            "changes": dict(e.changes),
        }
        for e in events
    ]


def series(events: Sequence[Event]) -> dict[str, list[float]]:
    """Each variable's value at the end of every turn (index 0: the start)."""
    state = GameState()
    out: dict[str, list[float]] = {}
    last = 0
    for event in events:
        if isinstance(event, TurnStarted) and state.values:
            for k, v in state.values.items():
                out.setdefault(k, []).append(v)
            last = event.turn
        state.apply(event)
    if state.values and (len(next(iter(out.values()), [])) <= last):
        for k, v in state.values.items():
            out.setdefault(k, []).append(v)
    return out


KEY_KINDS = ("decision", "gate-declared", "gate-opened", "override", "game-ended")


def key_points(events: Sequence[Event]) -> list[dict[str, Any]]:
    """Decision points: group decisions, gate declarations and openings, overrides, failed
    draws, rejected orders and the end."""
    rows = []
    for e in events:
        if (
            e.kind in KEY_KINDS
            or isinstance(e, OrderRejected)
            or (isinstance(e, Draw) and not e.success)
        ):
            rows.append({"seq": e.seq, "turn": e.turn, "kind": e.kind, "text": describe(e)})
    return rows


def start_of_turn_debrief(
    scenario: CompiledScenario, events: Sequence[Event], turn: int, actor: str | None = None
) -> list[str]:
    """What happened in ``turn - 1`` as ``actor`` may see it (``None``: the facilitator)."""
    who = None if actor is None else audience_of(scenario, actor)
    return [describe(e) for e in debrief(scenario, events, turn - 1, who)]


def what_if(
    game: Game,
    turn: int,
    orders: Mapping[str, Sequence[Order | str]] | None = None,
    players: Mapping[str, Player] | None = None,
) -> Game:
    """Re-run ``game`` from the start of ``turn`` with other orders for that turn (and other
    players, if given), to the end. The original game is untouched."""
    branch = game.branch(turn, players)
    if not branch.ended:
        branch.step(orders)
        branch.run()
    return branch


def review_html(scenario: CompiledScenario, events: Sequence[Event]) -> str:
    """A self-contained HTML after-action review (every text escaped)."""
    esc = html.escape
    spec = scenario.spec
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>After-action review: {esc(spec.title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}</style></head><body>",
        f"<h1>After-action review: {esc(spec.title)}</h1>",
    ]
    end = next((e for e in events if isinstance(e, GameEnded)), None)
    parts.append(f"<p>Outcome: <b>{esc(end.outcome if end else 'in progress')}</b></p>")
    parts.append("<h2>Key decision points</h2><ul>")
    parts += [f"<li>Turn {r['turn']}: {esc(r['text'])}</li>" for r in key_points(events)]
    parts.append("</ul><h2>State over time</h2><table><tr><th>variable</th>")
    data = series(events)
    width = max((len(v) for v in data.values()), default=0)
    parts += [f"<th>{t}</th>" for t in range(width)]
    parts.append("</tr>")
    for name, values in data.items():
        cells = "".join(f"<td>{v:.3g}</td>" for v in values)
        parts.append(f"<tr><td>{esc(name)}</td>{cells}</tr>")
    parts.append("</table><h2>Timeline</h2><table><tr><th>turn</th><th>event</th>")
    parts.append("<th>changes</th></tr>")
    for row in timeline(events):
        changes = ", ".join(f"{k} = {v:.3g}" for k, v in row["changes"].items())
        parts.append(
            f"<tr><td>{row['turn']}</td><td>{esc(row['text'])}</td><td>{esc(changes)}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)
