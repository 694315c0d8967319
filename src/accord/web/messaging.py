"""Messaging in web games: channels, requests for information (RFIs) and who gives which orders.

Every message is ONE committed event of the game's log (:class:`accord.wargame.log.Message`,
appended under the game's lock in its own transaction), with its audience, so the exports, the
debriefs and the after-action review show it to exactly the audience the log's rules admit
(:func:`accord.wargame.view.audience_log`); nothing here decides visibility on its own.

Channels (``channel`` -> audience):

* ``white:<team>``: the team and the white cell (audience ``[team]``);
* ``teams:<a>+<b>``: two teams, ids sorted (audience ``[a, b]``);
* ``all``: everyone, observers included (audience ``None``); only the white cell posts there.

A team posts only on channels it belongs to; the white cell (facilitator) on any; observers
read the public channel only. An RFI is a message on ``white:<team>`` with an id
``RFI-<team>-<n>``; the white cell answers it with a message naming the same id. Roles: a person
who holds a role (an actor of the team) is the only one who gives that actor's orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlalchemy.exc import IntegrityError

from accord.errors import UsageError
from accord.wargame.log import Message
from accord.wargame.view import audience_log
from accord.web.db import WebStore
from accord.web.live import publish
from accord.web.play import GameService, Loaded, audience

WHITE = "white"
PUBLIC = "all"


@dataclass(frozen=True)
class Channel:
    """A channel a viewer may read (and post on, when ``can_post``)."""

    id: str
    label: str
    can_post: bool


def pair(a: str, b: str) -> str:
    """The channel id of two teams."""
    first, second = sorted((a, b))
    return f"teams:{first}+{second}"


def channel_audience(channel: str, teams: list[str]) -> list[str] | None:
    """The log audience of ``channel`` (``None``: everyone).

    Raises:
        UsageError: not a channel of this game.
    """
    if channel == PUBLIC:
        return None
    kind, _, rest = channel.partition(":")
    if kind == "white" and rest in teams:
        return [rest]
    if kind == "teams":
        a, _, b = rest.partition("+")
        if a in teams and b in teams and a < b:
            return [a, b]
    raise UsageError(
        f"no channel '{channel}' in this game",
        field="channel",
        expected="all, white:<team> or teams:<a>+<b> (team ids sorted)",
    )


def channels(teams: list[str], viewer: str | None) -> list[Channel]:
    """The channels ``viewer`` (``None`` white cell, ``""`` observer, else a team) reads."""
    if viewer is None:
        return [Channel(PUBLIC, "Everyone (public)", True)] + [
            Channel(f"white:{t}", f"White cell and {t}", True) for t in teams
        ]
    if viewer == "":
        return [Channel(PUBLIC, "Everyone (public)", False)]
    out = [
        Channel(f"white:{viewer}", "White cell", True),
        Channel(PUBLIC, "Everyone (public)", False),
    ]
    out += [Channel(pair(viewer, t), f"Team {t}", True) for t in teams if t != viewer]
    return out


def _teams(loaded: Loaded) -> list[str]:
    return list(loaded.scenario.spec.teams)


def visible_messages(loaded: Loaded, viewer: str | None) -> list[Message]:
    """The messages ``viewer`` may see, oldest first (the log's audience rules)."""
    who = audience(loaded.scenario, viewer)
    return [
        e for e in audience_log(loaded.scenario, loaded.game.events, who) if isinstance(e, Message)
    ]


def rfi_board(messages: list[Message]) -> list[dict[str, Any]]:
    """One row per request for information: id, team, question, turn, answers, status."""
    rows: dict[str, dict[str, Any]] = {}
    for m in messages:
        if not m.rfi:
            continue
        if not m.answer:
            rows[m.rfi] = {
                "id": m.rfi,
                "team": m.sender,
                "author": m.author,
                "question": m.text,
                "turn": m.turn,
                "answers": [],
                "status": "open",
            }
        elif m.rfi in rows:
            rows[m.rfi]["answers"].append(m.text)
            rows[m.rfi]["status"] = "answered"
    return list(rows.values())


def post(
    games: GameService,
    game_id: int,
    viewer: str | None,
    author: str,
    channel: str,
    text: str,
    *,
    rfi: bool = False,
    answers: str | None = None,
) -> Message:
    """Log one message, RFI or answer as ONE committed event and push it to its audience.

    ``viewer``: ``None`` the white cell, else a team. ``rfi``: a team's request for information
    (on its white-cell channel); ``answers``: the white cell's answer to that RFI id.

    Raises:
        UsageError: an empty text or an unknown channel.
        HTTPException: 403 for a channel the viewer is not in, 404 for an unknown RFI, 409 when
            another process logged an event at the same place first.
    """
    text = text.strip()
    if not text:
        raise UsageError("the message is empty", field="text", expected="some text")
    if viewer == "":
        raise HTTPException(403, "observers read; they do not post")
    with games.lock(game_id):
        loaded = games.load(game_id)
        teams = _teams(loaded)
        sender = WHITE if viewer is None else viewer
        rfi_id: str | None = None
        if answers is not None:
            if viewer is not None:
                raise HTTPException(403, "only the white cell answers requests for information")
            board = {r["id"]: r for r in rfi_board(visible_messages(loaded, None))}
            if answers not in board:
                raise HTTPException(404, f"no request for information '{answers}'")
            channel, rfi_id = f"white:{board[answers]['team']}", answers
        elif rfi:
            if viewer is None:
                raise UsageError("the white cell answers requests; teams ask them", field="rfi")
            channel = f"white:{viewer}"
            asked = sum(1 for m in visible_messages(loaded, viewer) if m.rfi and not m.answer)
            rfi_id = f"RFI-{viewer}-{asked + 1}"
        aud = channel_audience(channel, teams)
        if viewer is not None and (aud is None or viewer not in aud):
            raise HTTPException(403, f"team {viewer} may not post on '{channel}'")
        event = Message(
            seq=len(loaded.game.events),
            turn=loaded.game.state.turn,
            audience=aud,
            channel=channel,
            sender=sender,
            author=author[:100],
            text=text,
            rfi=rfi_id,
            answer=answers is not None,
        )
        try:
            games.store.runs.append_events_atomic(game_id, [event])
        except IntegrityError:  # another process logged an event at this seq first
            raise HTTPException(409, "the game changed meanwhile: send again") from None
    kind = "rfi" if rfi_id else "message"
    publish(game_id, kind, aud, {"channel": channel, "sender": sender, "rfi": rfi_id})
    return event


def check_may_order(store: WebStore, game_id: int, team: str, user_id: int, actor: str) -> None:
    """Refuse (403) an order for ``actor`` from anyone but the person holding its role.

    Applies when a person holds that role; a member without a role (and the seat holder) orders
    the team's other actors, and a person with a role orders only that actor.
    """
    holders, mine = store.role_holders(game_id, team, user_id)  # one query: every order asks
    holder = holders.get(actor)
    if holder is not None and holder != user_id:
        raise HTTPException(403, f"the orders of '{actor}' are given by the person in that role")
    if mine is not None and mine != actor:
        raise HTTPException(403, f"you give the orders of '{mine}' only")


def display_name(store: WebStore, game_id: int, user_id: int, username: str) -> str:
    """The name shown with a person's messages: their display name in the game, else user name."""
    member = store.member_of(user_id, game_id)
    if member is not None and member.display_name:
        return member.display_name
    for seat in store.seats(game_id).values():
        if seat.user_id == user_id and seat.display_name:
            return seat.display_name
    return username
