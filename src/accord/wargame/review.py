"""After-action review: the timeline, the state over time, key decision points, what-ifs, the
start-of-turn debrief, and a self-contained HTML page.

Everything is computed from the event log alone (plus the scenario for names and visibility).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from accord.files import write_atomic
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
        result = "success" if event.success else "failure"
        if event.probability is None or event.u is None:  # a team's view: no dice
            return f"Draw for {event.subject}: {result}"
        how = "forced by the facilitator" if event.forced else f"u = {event.u:.3f}"
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


def _state_rows(data: Mapping[str, Sequence[float]]) -> list[str]:
    """The rest of a state table's header row (one column a turn) and one row a variable."""
    width = max((len(v) for v in data.values()), default=0)
    rows = [f"<th>{t}</th>" for t in range(width)]
    rows.append("</tr>")
    for name, values in data.items():
        cells = "".join(f"<td>{v:.3g}</td>" for v in values)
        rows.append(f"<tr><td>{html.escape(name)}</td>{cells}</tr>")
    return rows


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
    parts += _state_rows(data)
    parts.append("</table><h2>Timeline</h2><table><tr><th>turn</th><th>event</th>")
    parts.append("<th>changes</th></tr>")
    for row in timeline(events):
        changes = ", ".join(f"{k} = {v:.3g}" for k, v in row["changes"].items())
        parts.append(
            f"<tr><td>{row['turn']}</td><td>{esc(row['text'])}</td><td>{esc(changes)}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------- full review (HTML files)


def decision_points(scenario: CompiledScenario, events: Sequence[Event]) -> list[dict[str, Any]]:
    """The game's decision points, each with its alternatives.

    * a group decision: who supported, the blockers, and the pivotal members (each one's switch
      alone would have changed the result);
    * a legal-gate declaration, an adjudicated action or a rejected order: the other actions the
      actor could have ordered at that moment (from the state folded up to the event), and the
      ``accord wargame branch`` what-if to try one turn earlier.
    """
    from accord.wargame.view import available_actions

    state = GameState()
    adjudicated = set(scenario.probabilities)
    rows: list[dict[str, Any]] = []
    for e in events:
        row: dict[str, Any] | None = None
        if isinstance(e, DecisionTaken):
            alts = []
            for m in e.pivotal:
                verb = "withheld" if e.support.get(m) else "supported"
                alts.append(
                    f"had {m} {verb} it, it would have been {'blocked' if e.agreed else 'agreed'}"
                )
            row = {"turn": e.turn, "kind": e.kind, "text": describe(e), "alternatives": alts}
        elif isinstance(e, GateDeclared | OrderRejected) or (
            isinstance(e, ActionExecuted) and e.action in adjudicated
        ):
            actor = e.actor
            chosen = getattr(e, "action", None)
            others = [a for a in available_actions(scenario, state, actor, e.turn) if a != chosen]
            alts = [f"{actor} could instead have ordered: {', '.join(others) or 'nothing else'}"]
            if isinstance(e, GateDeclared) and e.turn > 1:
                alts.append(
                    f"what if it had been declared a turn earlier: accord wargame branch LOG "
                    f"--at {e.turn - 1} --set orders.{actor}=<the declaring action>"
                )
            row = {"turn": e.turn, "kind": e.kind, "text": describe(e), "alternatives": alts}
        elif isinstance(e, Override | GameEnded) or (isinstance(e, Draw) and not e.success):
            row = {"turn": e.turn, "kind": e.kind, "text": describe(e), "alternatives": []}
        if row is not None:
            rows.append(row)
        state.apply(e)
    return rows


def _charts(scenario: CompiledScenario, data: Mapping[str, list[float]]) -> list[str]:
    """Inline SVG charts of the variables that change, each as a share of its range."""
    from accord.svg import figure_to_svg, new_figure

    moving = [k for k, v in data.items() if v and max(v) != min(v)]
    charts = []
    for start in range(0, len(moving), 8):
        names = moving[start : start + 8]
        fig = new_figure(7.5, 3.0)
        ax = fig.add_subplot(1, 1, 1)
        for name in names:
            lo, hi = scenario.lo[name], scenario.hi[name]
            ys = [(v - lo) / (hi - lo) for v in data[name]]
            ax.plot(range(len(ys)), ys, marker="o", markersize=3, label=name)
        ax.set_xlabel("turn (0 = start)")
        ax.set_ylabel("share of range")
        ax.set_ylim(-0.05, 1.05)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
        charts.append(figure_to_svg(fig))
    return charts


_STYLE = (
    "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%;vertical-align:top}"
    ".k-decision{background:#eef}.k-inject{background:#fee}.k-draw{background:#ffe}"
    ".k-override{background:#fdd}</style>"
)


def team_members(scenario: CompiledScenario) -> dict[str, list[str]]:
    """team id -> its actors (an actor without a team is its own team)."""
    out: dict[str, list[str]] = {}
    for actor, team in scenario.teams.items():
        out.setdefault(team, []).append(actor)
    return out


def team_debrief_html(scenario: CompiledScenario, events: Sequence[Event], team: str) -> str:
    """A page of start-of-turn debriefs for one team: at the start of each turn, what happened
    in the previous turn as the team may see it (hidden variables' changes removed)."""
    esc = html.escape
    members = team_members(scenario).get(team, [])
    who = frozenset((team, *members))
    last = max((e.turn for e in events), default=0)
    label = scenario.spec.teams.get(team, team)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Debrief: {esc(label)}</title>{_STYLE}</head><body>",
        f"<h1>Start-of-turn debrief: {esc(label)}</h1>",
        f"<p>Team <b>{esc(team)}</b>; actors: {esc(', '.join(members))}. "
        "<a href='index.html'>Back to the review</a></p>",
    ]
    for turn in range(1, last + 1):
        seen = debrief(scenario, events, turn - 1, who)
        parts.append(f"<h2>Start of turn {turn}</h2>")
        if not seen:
            parts.append("<p>Nothing to report.</p>")
            continue
        parts.append("<ul>")
        for e in seen:
            changes = ", ".join(f"{k} = {v:.3g}" for k, v in e.changes.items())
            extra = f" <small>({esc(changes)})</small>" if changes else ""
            parts.append(f"<li>{esc(describe(e))}{extra}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def full_review_html(
    scenario: CompiledScenario,
    events: Sequence[Event],
    debrief_href: Callable[[str], str] | None = None,
) -> str:
    """The after-action review page: outcome, state charts, decision points with their
    alternatives, the state table, the timeline, and links to each team's debrief page.

    ``debrief_href(team)`` gives each link's target: by default the file name that
    ``accord wargame review`` writes next to the review (``debrief-TEAM.html``).
    """
    esc = html.escape
    href = debrief_href or (lambda team: f"debrief-{team}.html")
    spec = scenario.spec
    end = next((e for e in events if isinstance(e, GameEnded)), None)
    data = series(events)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>After-action review: {esc(spec.title)}</title>{_STYLE}</head><body>",
        f"<h1>After-action review: {esc(spec.title)}</h1>",
        f"<p>Outcome: <b>{esc(end.outcome if end else 'in progress')}</b>; "
        f"{len(events)} events; turn length {esc(spec.clock.turn_length)}.</p>",
        "<h2>Start-of-turn debriefs</h2><ul>",
    ]
    for team in team_members(scenario):
        label = spec.teams.get(team, team)
        parts.append(f"<li><a href='{esc(href(team))}'>{esc(label)}</a></li>")
    parts.append("</ul><h2>State over turns</h2>")
    parts += _charts(scenario, data)
    parts.append("<h2>Decision points and alternatives</h2><table>")
    parts.append("<tr><th>turn</th><th>decision point</th><th>alternatives</th></tr>")
    for row in decision_points(scenario, events):
        alts = "<br>".join(esc(a) for a in row["alternatives"]) or "-"
        parts.append(
            f"<tr class='k-{esc(row['kind'])}'><td>{row['turn']}</td>"
            f"<td>{esc(row['text'])}</td><td>{alts}</td></tr>"
        )
    parts.append("</table><h2>State table</h2><table><tr><th>variable</th>")
    parts += _state_rows(data)
    parts.append("</table><h2>Timeline</h2><table><tr><th>turn</th><th>kind</th>")
    parts.append("<th>event</th><th>changes</th></tr>")
    for row in timeline(events):
        if row["kind"] == "turn-started":
            continue
        changes = ", ".join(f"{k} = {v:.3g}" for k, v in row["changes"].items())
        parts.append(
            f"<tr class='k-{esc(row['kind'])}'><td>{row['turn']}</td><td>{esc(row['kind'])}</td>"
            f"<td>{esc(row['text'])}</td><td>{esc(changes)}</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts)


def write_review(scenario: CompiledScenario, events: Sequence[Event], folder: Path) -> list[Path]:
    """Write ``index.html`` and one ``debrief-<team>.html`` per team into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "index.html"]
    write_atomic(written[0], full_review_html(scenario, events))
    for team in team_members(scenario):
        path = folder / f"debrief-{team}.html"
        write_atomic(path, team_debrief_html(scenario, events, team))
        written.append(path)
    return written
