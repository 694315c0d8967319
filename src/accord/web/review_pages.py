"""The after-action review and the start-of-turn debriefs as pages of the app.

They have the app's header and layout, and are built from :mod:`accord.wargame.review` with
the audience rules of :mod:`accord.wargame.view`.

A debrief shows, at the start of each turn, what happened in the previous one as the team may
see it, up to and including the last turn released (so it never lags a turn). Override reasons
are the white cell's: a team reads "facilitator adjustment" and the changes it may see.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse

from accord.wargame.loader import CompiledScenario
from accord.wargame.log import Event, GameEnded, Override
from accord.wargame.review import Names, full_review_html, story, team_members
from accord.wargame.view import WITHHELD_REASON, debrief
from accord.web.templating import render

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)


@dataclass(frozen=True)
class Entry:
    """One line of a debrief: the story of an event and the changes the team may see."""

    kind: str
    text: str
    changes: str


@dataclass(frozen=True)
class Section:
    """What a team learnt at one point of the game."""

    heading: str
    entries: tuple[Entry, ...]


def debrief_sections(
    scenario: CompiledScenario, events: Sequence[Event], team: str, *, white_cell: bool = False
) -> list[Section]:
    """The team's debriefs, one per turn played.

    Each holds the events of turn ``t`` as the team may see them, headed "Start of turn t+1"
    (or "End of the game" after the last turn).

    ``white_cell``: the facilitator reading a team's debrief sees override reasons; a team
    never does (it reads :data:`~accord.wargame.view.WITHHELD_REASON`).
    """
    names = Names(scenario)
    members = team_members(scenario).get(team, [])
    who = frozenset((team, *members))
    last = max((e.turn for e in events), default=0)
    ended = any(isinstance(e, GameEnded) for e in events)
    out = []
    for turn in range(0, last + 1):
        seen = debrief(scenario, events, turn, who)
        entries = []
        for e in seen:
            shown = e
            if isinstance(e, Override) and not white_cell:
                shown = e.model_copy(update={"reason": WITHHELD_REASON})
            entries.append(Entry(e.kind, story(shown, names), names.changes(e.changes)))
        heading = "End of the game" if ended and turn == last else f"Start of turn {turn + 1}"
        out.append(Section(heading, tuple(entries)))
    return out


def review_page(
    request: Request, game_id: int, scenario: CompiledScenario, events: Sequence[Event]
) -> HTMLResponse:
    """The after-action review inside the app's layout, linking to each team's debrief."""
    document = full_review_html(
        scenario,
        events,
        debrief_href=lambda team: f"/games/{game_id}/review/debrief/{team}",
    )
    found = _BODY.search(document)
    return render(
        request,
        "review.html",
        game_id=game_id,
        body=found.group(1) if found else document,
        title=scenario.spec.title,
    )


def debrief_page(
    request: Request,
    game_id: int,
    scenario: CompiledScenario,
    events: Sequence[Event],
    team: str,
    *,
    white_cell: bool,
) -> HTMLResponse:
    """A team's debriefs inside the app's layout.

    The facilitator's copy links back to the review, the team's to its game page.
    """
    names = Names(scenario)
    members = team_members(scenario).get(team, [])
    return render(
        request,
        "debrief.html",
        game_id=game_id,
        team=names.team(team),
        actors=[names.actor(m) for m in members],
        sections=debrief_sections(scenario, events, team, white_cell=white_cell),
        back=(f"/games/{game_id}/review", "Back to the review")
        if white_cell
        else (f"/games/{game_id}", "Back to the game"),
    )
