"""After-action review of a war game.

After-action review: the timeline, the state over time, key decision points, what-ifs, the
start-of-turn debrief, and a self-contained HTML page.

Everything is computed from the event log alone (plus the scenario for names and visibility).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from accord.files import write_atomic
from accord.wargame.alternatives import OptionOutcomes, consequences
from accord.wargame.display import variable_groups, variable_unit
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
    Message,
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
        if event.by_hand:
            text += f"; voted by hand: {', '.join(event.by_hand)}"
        return text
    if isinstance(event, Override):
        return f"Facilitator override: {event.reason}"
    if isinstance(event, GameEnded):
        return f"Game over: {event.outcome}"
    if isinstance(event, Message):
        head = f"Message on {event.channel}"
        if event.rfi:
            head = ("Answer to " if event.answer else "Request for information ") + event.rfi
        return f"{head} from {event.sender} ({event.author or 'unnamed'}): {event.text}"
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
    """The key decision points of a game.

    Decision points: group decisions, gate declarations and openings, overrides, failed
    draws, rejected orders and the end.
    """
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
    """Re-run a game from the start of a turn with other orders.

    Re-run ``game`` from the start of ``turn`` with other orders for that turn (and other
    players, if given), to the end. The original game is untouched.
    """
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


# Tokens of variable ids that name a team or a country, for naming and grouping variables
# that have no description (``jp_threat`` -> Japan's threat, in Japan's team).
_TOKENS = {
    "jp": "Japan's",
    "us": "US",
    "tw": "Taiwan's",
    "cn": "China's",
    "rus": "Russia's",
    "prk": "North Korea's",
    "nac": "the NAC's",
    "eu": "EU",
    "econ": "economic",
    "wpr": "War Powers Resolution",
    "usfk": "US Forces Korea",
    "edca": "EDCA",
    "thr": "threat perception",
    "exp": "exports",
    "def": "defence effort",
    "aln": "alignment",
    "sq": "status quo",
    "china": "China",
    "russia": "Russia",
}
_TOKEN_TEAMS = {"jp": "jp", "us": "us", "tw": "taiwan", "cn": "china", "rus": "russia"}
_TOKEN_TEAMS |= {"prk": "dprk", "nac": "nac", "eu": "eu", "korea": "rok", "cabinet": "jp"}
SHARED = "The situation (shared variables)"


class Names:
    """Readable names for a war game's ids.

    Actors, teams, variables, actions, gates, decisions, outcomes; and each variable's theme (the
    team it belongs to, else shared).
    """

    def __init__(self, scenario: CompiledScenario) -> None:
        spec = scenario.spec
        self.scenario = scenario
        self.actors = {a.id: a.name or a.id for a in spec.actors}
        self.actor_team = {a.id: a.team or a.id for a in spec.actors}
        self.teams = dict(spec.teams)
        self.labels: dict[str, str] = {}
        for group in (spec.actions, spec.gates, spec.decisions, spec.outcomes, spec.injects):
            for item in group:
                label = getattr(item, "label", None)
                if label:
                    self.labels[item.id] = str(label)
        self.variables = {v.id: v for v in spec.variables}

    def actor(self, actor_id: str) -> str:
        """An actor's label (a team's, or the id made readable)."""
        return self.actors.get(actor_id, self.teams.get(actor_id, _humanise(actor_id)))

    def team(self, team_id: str) -> str:
        """A team's label (an actor's, or the id made readable)."""
        return self.teams.get(team_id, self.actors.get(team_id, _humanise(team_id)))

    def thing(self, item_id: str) -> str:
        """An action, gate, decision, inject or outcome by its label (``inject:ID`` too)."""
        kind, _, bare = item_id.rpartition(":")
        label = self.labels.get(bare, _humanise(bare))
        return f"{kind.capitalize()}: {label}" if kind else label

    def _owner(self, var_id: str) -> tuple[str | None, str]:
        """(actor id the variable belongs to, the rest of its id)."""
        v = self.variables.get(var_id)
        if v is not None and v.fact:
            actor, attribute = v.fact.split(".", 1)
            return actor, attribute
        head, _, tail = var_id.rpartition("_")
        if head and tail in self.actors:
            return tail, head
        return None, var_id

    def variable(self, var_id: str) -> str:
        """The variable's name for a reader.

        Its declared ``label`` (:func:`accord.wargame.display.variable_label`), else the first
        clause of its description, else a name made from its id (``Belgium: thr``).
        """
        v = self.variables.get(var_id)
        if v is not None and v.label:
            return v.label
        if v is not None and v.description:
            text = v.description.split(";")[0].strip()
            if len(text) <= 70:
                return text
        actor, rest = self._owner(var_id)
        if actor is not None:
            return f"{self.actor(actor)}: {_humanise(rest)}"
        return _humanise(var_id)

    def theme(self, var_id: str) -> str:
        """The team (by its label) a variable belongs to, else :data:`SHARED`."""
        actor, _ = self._owner(var_id)
        if actor is not None:
            return self.team(self.actor_team.get(actor, actor))
        token = var_id.split("_")[0]
        team = _TOKEN_TEAMS.get(token, token)
        for candidate in (team, f"{team}_nsc"):
            if candidate in self.teams:
                return self.teams[candidate]
        return SHARED

    def changes(self, changes: Mapping[str, float]) -> str:
        """Changed values in words: ``"<variable> now <value>"``, separated by semicolons."""
        return "; ".join(f"{self.variable(k)} now {v:.3g}" for k, v in changes.items())


def _humanise(item_id: str) -> str:
    words = [_TOKENS.get(w, w) for w in item_id.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def story(event: Event, names: Names) -> str:
    """One sentence of plain text for an event, with names instead of ids."""
    if isinstance(event, InjectFired):
        return f"News: {event.text}"
    if isinstance(event, ActionExecuted):
        return f"{names.actor(event.actor)}: {names.thing(event.action)}"
    if isinstance(event, OrderRejected):
        return (
            f"{names.actor(event.actor)} could not {names.thing(event.action).lower()}: "
            f"{event.reason}"
        )
    if isinstance(event, Draw):
        how = "the facilitator decided" if event.forced else "the dice said"
        return (
            f"{names.thing(event.subject)}: {_chance(event.probability)}{how} "
            f"{'it worked' if event.success else 'it failed'}"
        )
    if isinstance(event, GateDeclared):
        return (
            f"{names.actor(event.actor)} declares: {names.thing(event.gate)} "
            f"(in force from turn {event.opens_at})"
        )
    if isinstance(event, GateOpened):
        return f"In force: {names.thing(event.gate)}"
    if isinstance(event, DecisionTaken):
        yes = [names.actor(m) for m, s in event.support.items() if s]
        text = f"{names.thing(event.decision)}: {'agreed' if event.agreed else 'blocked'}"
        text += f" ({len(yes)} of {len(event.support)} in support)"
        if event.blockers:
            text += "; blocked by " + ", ".join(names.actor(b) for b in event.blockers)
        return text
    if isinstance(event, Override):
        return f"Facilitator override: {event.reason}"
    if isinstance(event, Message):
        return describe(event)
    if isinstance(event, GameEnded):
        return f"Game over: {names.thing(event.outcome)}"
    if isinstance(event, TurnStarted):
        return f"Turn {event.turn}"
    return "Game started"


def decision_points(
    scenario: CompiledScenario,
    events: Sequence[Event],
    *,
    runs: int = 0,
    seed: int = 0,
    max_points: int = 3,
) -> list[dict[str, Any]]:
    """The game's decision points, each with its alternatives (names, not ids).

    With ``runs > 0``, the first ``max_points`` points where an actor chose an action also get
    ``consequences``: each option (as played, then the alternatives) played on ``runs`` times
    from that turn with the war-game Monte Carlo's players and seeds
    (:func:`accord.wargame.alternatives.consequences`), as a list of
    :class:`~accord.wargame.alternatives.OptionOutcomes`.

    * a group decision: who supported, the blockers, and the pivotal members (each one's switch
      alone would have changed the result);
    * a legal-gate declaration, an adjudicated action or a rejected order: the other actions the
      actor could have ordered at that moment (from the state folded up to the event; the action
      taken is not listed), and the ``accord wargame branch`` what-if to try one turn earlier.
    """
    from accord.wargame.view import available_actions

    names = Names(scenario)
    declaring = {(a.actor, a.declares_gate): a.id for a in scenario.spec.actions if a.declares_gate}
    state = GameState()
    adjudicated = set(scenario.probabilities)
    rows: list[dict[str, Any]] = []
    budget = max_points
    for e in events:
        row: dict[str, Any] | None = None
        if isinstance(e, DecisionTaken):
            alts = []
            flipped = "blocked" if e.agreed else "agreed"
            if len(e.pivotal) > 4:  # a unanimity: one line, not one per member
                verb = "withholding support" if e.agreed else "supporting it"
                alts.append(
                    f"any one of {len(e.pivotal)} members {verb} would have {flipped} it "
                    f"({', '.join(names.actor(m) for m in e.pivotal[:3])}, ...)"
                )
            else:
                for m in e.pivotal:
                    verb = "withheld support" if e.support.get(m) else "supported it"
                    alts.append(f"had {names.actor(m)} {verb}, it would have been {flipped}")
            row = {"turn": e.turn, "kind": e.kind, "text": story(e, names), "alternatives": alts}
        elif isinstance(e, GateDeclared | OrderRejected) or (
            isinstance(e, ActionExecuted) and e.action in adjudicated
        ):
            actor = e.actor
            chosen = (
                declaring.get((actor, e.gate))
                if isinstance(e, GateDeclared)
                else getattr(e, "action", None)
            )
            others = [a for a in available_actions(scenario, state, actor, e.turn) if a != chosen]
            alts = [
                f"{names.actor(actor)} could instead have ordered: "
                + ("; ".join(names.thing(a) for a in others) or "nothing else")
            ]
            if isinstance(e, GateDeclared) and e.turn > 1 and chosen:
                alts.append(
                    "what if it had been declared a turn earlier: accord wargame branch LOG "
                    f"--at {e.turn - 1} --set orders.{actor}={chosen}"
                )
            row = {"turn": e.turn, "kind": e.kind, "text": story(e, names), "alternatives": alts}
            if runs > 0 and chosen and others and budget > 0:
                budget -= 1
                row["consequences"] = consequences(
                    scenario,
                    events,
                    turn=e.turn,
                    actor=actor,
                    chosen=chosen,
                    alternatives=others,
                    runs=runs,
                    seed=seed,
                )
        elif isinstance(e, Override | GameEnded) or (isinstance(e, Draw) and not e.success):
            row = {"turn": e.turn, "kind": e.kind, "text": story(e, names), "alternatives": []}
        if row is not None:
            rows.append(row)
        state.apply(e)
    return rows


def _charts(scenario: CompiledScenario, data: Mapping[str, list[float]]) -> list[str]:
    """Inline SVG charts of the variables that change, each as a share of its range.

    One chart per theme (the scenario's ``display:`` groups, else the default grouping of
    :func:`accord.wargame.display.variable_groups`), at most eight lines each, labelled by
    name. A collapsed series (the allies' threat perceptions, say) is one band: the median of
    its members with their minimum-maximum range shaded.
    """
    from accord.svg import figure_to_svg, new_figure

    names = Names(scenario)
    moving = tuple(k for k, v in data.items() if v and max(v) != min(v))
    charts = []

    def share(name: str) -> list[float]:
        lo, hi = scenario.lo[name], scenario.hi[name]
        return [(v - lo) / (hi - lo) for v in data[name]]

    for group in variable_groups(scenario, only=moving):
        if group.collapse:
            rows = np.array([share(v) for v in group.variables])
            turns = np.arange(rows.shape[1])
            fig = new_figure(10.0, 3.0)
            ax = fig.add_subplot(1, 1, 1)
            ax.fill_between(turns, rows.min(axis=0), rows.max(axis=0), alpha=0.25,
                            label=f"range of the {len(group.variables)} that change")  # fmt: skip
            ax.plot(turns, np.median(rows, axis=0), marker="o", markersize=3, label="median")
            chunks = [(group.label, fig, ax)]
        else:
            chunks = []
            for start in range(0, len(group.variables), 8):
                fig = new_figure(10.0, 3.4)
                ax = fig.add_subplot(1, 1, 1)
                for name in group.variables[start : start + 8]:
                    unit = variable_unit(scenario, name)
                    label = names.variable(name) + (f" ({unit})" if unit else "")
                    ys = share(name)
                    ax.plot(range(len(ys)), ys, marker="o", markersize=3, label=label)
                title = group.label if start == 0 else f"{group.label} (continued)"
                chunks.append((title, fig, ax))
        for title, fig, ax in chunks:
            ax.set_title(title, fontsize=11)
            ax.set_xlabel("turn (0 = start)", fontsize=10)
            ax.set_ylabel("share of range", fontsize=10)
            ax.set_ylim(-0.05, 1.05)
            ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.0, 0.5))
            charts.append(f"<figure>{figure_to_svg(fig)}</figure>")
    return charts


def _chance(probability: float | None) -> str:
    """``a 56 % chance; `` or nothing where the viewer may not see the draw's probability."""
    return "" if probability is None else f"a {100 * probability:.0f} % chance; "


def _page(title: str, body: Sequence[str]) -> str:
    from accord.style import CSS

    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}{_STYLE}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


_STYLE = (
    ".k-decision{background:#eef}.k-inject{background:#fee}.k-draw{background:#ffe}"
    ".k-override{background:#fdd}ol.story>li{margin-bottom:.6rem}ol.story ul{margin:.2rem 0}"
    ".chg{color:#555;font-size:.86rem}"
)


def team_members(scenario: CompiledScenario) -> dict[str, list[str]]:
    """Team id -> its actors (an actor without a team is its own team)."""
    out: dict[str, list[str]] = {}
    for actor, team in scenario.teams.items():
        out.setdefault(team, []).append(actor)
    return out


def team_debrief_html(scenario: CompiledScenario, events: Sequence[Event], team: str) -> str:
    """A page of start-of-turn debriefs for one team.

    At the start of each turn, what happened in the previous turn as the team may see it
    (:func:`accord.wargame.view.debrief`: hidden variables' changes removed).
    """
    esc = html.escape
    names = Names(scenario)
    members = team_members(scenario).get(team, [])
    who = frozenset((team, *members))
    last = max((e.turn for e in events), default=0)
    label = names.team(team)
    parts = [
        f"<h1>Start-of-turn debrief: {esc(label)}</h1>",
        f"<p>Team <b>{esc(label)}</b>; actors: {esc(', '.join(names.actor(m) for m in members))}. "
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
            changes = names.changes(e.changes)
            extra = f' <span class="chg">({esc(changes)})</span>' if changes else ""
            parts.append(f"<li>{esc(story(e, names))}{extra}</li>")
        parts.append("</ul>")
    return _page(f"Debrief: {label}", parts)


def _headline(scenario: CompiledScenario, events: Sequence[Event], names: Names) -> str:
    """The outcome by its event-defined label (the first outcome whose ``when`` held)."""
    end = next((e for e in events if isinstance(e, GameEnded)), None)
    if end is None:
        return "The game is still in progress."
    return f"Outcome: {names.thing(end.outcome)}."


def _consequences_html(options: Sequence[OptionOutcomes], names: Names) -> str:
    """The outcome distribution of each option, as played first (escaped HTML)."""
    if not options:
        return ""
    runs = options[0].runs
    items = []
    for o in options:
        head = "as played" if o.as_played else f"had it ordered {names.thing(o.action).lower()}"
        spread = ", ".join(f"{names.thing(k)} {n}/{o.runs}" for k, n in o.outcomes.items())
        items.append(f"<li>{html.escape(f'{head}: {spread}')}</li>")
    return (
        f'<p class="chg">Monte Carlo: {runs} seeded continuations of each option from this '
        "turn, automated players, the same seeds for every option:</p><ul>"
        + "".join(items)
        + "</ul>"
    )


def full_review_html(
    scenario: CompiledScenario,
    events: Sequence[Event],
    debrief_href: Callable[[str], str] | None = None,
    *,
    runs: int = 0,
    seed: int = 0,
) -> str:
    """The after-action review page.

    The outcome, the state charts by theme, decision points with the alternatives not taken, the
    timeline as a story, and links to each team's debrief.

    ``debrief_href(team)`` gives each link's target: by default the file name that
    ``accord wargame review`` writes next to the review (``debrief-TEAM.html``). With
    ``runs > 0`` the first decision points also show the Monte Carlo consequences of each
    alternative (:func:`decision_points`).
    """
    esc = html.escape
    href = debrief_href or (lambda team: f"debrief-{team}.html")
    names = Names(scenario)
    spec = scenario.spec
    data = series(events)
    turns = max((e.turn for e in events), default=0)
    parts = [
        f"<h1>After-action review: {esc(spec.title)}</h1>",
        f'<p class="bl"><b>{esc(_headline(scenario, events, names))}</b></p>',
        f'<p class="note">{turns} turns of {esc(spec.clock.turn_length)}; {len(events)} events. '
        "Start-of-turn debriefs (what each team could see): "
        + ", ".join(
            f"<a href='{esc(href(team))}'>{esc(names.team(team))}</a>"
            for team in team_members(scenario)
        )
        + ".</p>",
        '<h2>Decision points and alternatives</h2><table><tr><th class="n">turn</th>'
        "<th>decision point</th><th>alternatives not taken</th></tr>",
    ]
    for row in decision_points(scenario, events, runs=runs, seed=seed):
        alts = "<br>".join(esc(a) for a in row["alternatives"]) or "-"
        alts += _consequences_html(row.get("consequences", ()), names)
        parts.append(
            f"<tr class='k-{esc(row['kind'])}'><td class=\"n\">{row['turn']}</td>"
            f"<td>{esc(row['text'])}</td><td>{alts}</td></tr>"
        )
    parts.append("</table><h2>State over turns, by theme</h2>")
    parts += _charts(scenario, data)
    parts.append("<h2>Timeline</h2><ol class='story'>")
    by_turn: dict[int, list[Event]] = {}
    for e in events:
        if not isinstance(e, TurnStarted):
            by_turn.setdefault(e.turn, []).append(e)
    for turn, items in sorted(by_turn.items()):
        parts.append(f"<li><b>Turn {turn}</b><ul>")
        for e in items:
            changes = names.changes(e.changes)
            extra = f' <span class="chg">\u2192 {esc(changes)}</span>' if changes else ""
            parts.append(f"<li class='k-{esc(e.kind)}'>{esc(story(e, names))}{extra}</li>")
        parts.append("</ul></li>")
    parts.append("</ol>")
    return _page(f"After-action review: {spec.title}", parts)


def write_review(
    scenario: CompiledScenario,
    events: Sequence[Event],
    folder: Path,
    *,
    runs: int = 0,
    seed: int = 0,
) -> list[Path]:
    """Write ``index.html`` and one ``debrief-<team>.html`` per team into ``folder``.

    ``runs`` and ``seed``: the Monte Carlo continuations of the alternatives not taken
    (:func:`full_review_html`; 0 runs: none).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "index.html"]
    write_atomic(written[0], full_review_html(scenario, events, runs=runs, seed=seed))
    for team in team_members(scenario):
        path = folder / f"debrief-{team}.html"
        write_atomic(path, team_debrief_html(scenario, events, team))
        written.append(path)
    return written
