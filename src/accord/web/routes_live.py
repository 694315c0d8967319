"""Live updates (server-sent events), messages, requests for information and team members.

* ``GET /api/games/{id}/live``: the game's events for the viewer (:mod:`accord.web.live`) as
  ``text/event-stream`` when the client asks for it (``Accept: text/event-stream``, as the
  browser's ``EventSource`` does); any other client gets the opening ``hello`` event only (a
  probe that does not hang). ``GET /api/live/runs``: analysis-run progress, for analysts.
* Messages and RFIs (:mod:`accord.web.messaging`): each is one committed event of the game log.
* Team members: the white cell invites people into a team, each optionally holding a role (an
  actor of the team); ``/join/member/{token}`` creates their account.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from accord.wargame.log import Message
from accord.web.auth import (
    ANALYST,
    ANYONE,
    ANYONE_PAGE,
    FACILITATOR,
    FACILITATOR_OR_TEAM,
    PUBLIC_ACCESS,
    TEAM,
    allow,
    hash_password,
)
from accord.web.db import User
from accord.web.live import BROKER, RUNS
from accord.web.messaging import channels, display_name, post, rfi_board, visible_messages
from accord.web.play import audience, team_actors
from accord.web.routes_auth import start_session
from accord.web.routes_games import viewer_team
from accord.web.schemas import Done, JoinRequest
from accord.web.security import GameId
from accord.web.services import games_of, store_of
from accord.web.templating import render

router = APIRouter()
FACILITATOR_OR_TEAM_PAGE = allow("facilitator", "team", page=True)

SSE = "text/event-stream"
_SSE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "server-sent events: each has a JSON ``data`` line (with its ``kind``)",
        "content": {
            SSE: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "event": {"type": "string"},
                        "data": {"type": "string"},
                        "id": {"type": "string"},
                    },
                    "required": ["data"],
                }
            }
        },
    }
}


class MessageIn(BaseModel):
    """A message to post on a channel."""

    model_config = {"extra": "forbid"}
    channel: str = Field(min_length=1, max_length=140)
    text: str = Field(min_length=1, max_length=4000)


class TextIn(BaseModel):
    """A request for information, or the white cell's answer to one."""

    model_config = {"extra": "forbid"}
    text: str = Field(min_length=1, max_length=4000)


class MessageOut(BaseModel):
    """A message as the viewer sees it (``seq``: its place in the viewer's log)."""

    seq: int
    turn: int
    channel: str
    sender: str
    author: str
    text: str
    rfi: str | None = None
    answer: bool = False


class RfiOut(BaseModel):
    """A request for information and its answers."""

    id: str
    team: str
    author: str
    question: str
    turn: int
    answers: list[str]
    status: str


class ChannelOut(BaseModel):
    """A channel the viewer reads."""

    id: str
    label: str
    can_post: bool


class Messages(BaseModel):
    """The viewer's channels, messages and requests for information."""

    channels: list[ChannelOut]
    messages: list[MessageOut]
    rfis: list[RfiOut]


class MemberIn(BaseModel):
    """An invitation of a person into a team, optionally holding a role (an actor id)."""

    model_config = {"extra": "forbid"}
    team: str = Field(min_length=1, max_length=64)
    role: str | None = Field(default=None, min_length=1, max_length=64)


class MemberOut(BaseModel):
    """A person of a team (``invite_url`` only in the reply that creates the invitation)."""

    id: int
    team: str
    role: str | None
    display_name: str | None
    joined: bool
    invite_url: str | None = None


def _stream(
    request: Request, game_id: int, who: frozenset[str] | None, hello: dict[str, Any]
) -> StreamingResponse:
    """The SSE response: the live stream for an ``EventSource``, the hello event otherwise."""
    wants_stream = SSE in request.headers.get("accept", "")

    async def events() -> Any:
        if not wants_stream:
            yield f"event: hello\ndata: {_json(hello)}\n\n"
            return
        sub = BROKER.subscribe(game_id, who)
        async for chunk in BROKER.stream(sub, hello=hello):
            yield chunk

    return StreamingResponse(
        events(),
        media_type=SSE,
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


def _json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data, sort_keys=True)


# ---------------------------------------------------------------------- live


@router.get("/api/games/{game_id}/live", response_class=StreamingResponse, responses=_SSE_DOC)
def live(game_id: GameId, request: Request, user: User = ANYONE) -> Response:
    """The game's live events for the viewer: orders in, turn released, overrides, messages."""
    team = viewer_team(request, user, game_id)
    try:
        loaded = games_of(request).load(game_id)
    except KeyError:
        raise HTTPException(404, f"no game {game_id}") from None
    who = audience(loaded.scenario, team)
    viewer = "white" if team is None else (team or "observer")
    return _stream(request, game_id, who, {"game": game_id, "viewer": viewer})


@router.get("/api/live/runs", response_class=StreamingResponse, responses=_SSE_DOC)
def live_runs(request: Request, user: User = ANALYST) -> Response:
    """Analysis-run progress for analysts (facilitators and observers)."""
    return _stream(request, RUNS, None, {"runs": True})


# ---------------------------------------------------------------------- messages


def _out(m: Message) -> MessageOut:
    return MessageOut(
        seq=m.seq,
        turn=m.turn,
        channel=m.channel,
        sender=m.sender,
        author=m.author,
        text=m.text,
        rfi=m.rfi,
        answer=m.answer,
    )


def _messages(request: Request, game_id: int, team: str | None) -> Messages:
    try:
        loaded = games_of(request).load(game_id)
    except KeyError:
        raise HTTPException(404, f"no game {game_id}") from None
    seen = visible_messages(loaded, team)
    return Messages(
        channels=[
            ChannelOut(id=c.id, label=c.label, can_post=c.can_post)
            for c in channels(list(loaded.scenario.spec.teams), team)
        ],
        messages=[_out(m) for m in seen],
        rfis=[RfiOut(**r) for r in rfi_board(seen)],
    )


@router.get("/api/games/{game_id}/messages", response_model=Messages)
def list_messages(game_id: GameId, request: Request, user: User = ANYONE) -> Messages:
    """The channels, messages and RFIs the viewer may see (the log's audience rules)."""
    return _messages(request, game_id, viewer_team(request, user, game_id))


def _author(request: Request, game_id: int, user: User, team: str | None) -> str:
    if team is None:
        return f"white cell ({user.username})"
    return display_name(store_of(request), game_id, user.id, user.username)


@router.post("/api/games/{game_id}/messages", response_model=MessageOut, status_code=201)
def post_message(
    game_id: GameId, body: MessageIn, request: Request, user: User = FACILITATOR_OR_TEAM
) -> MessageOut:
    """Post on a channel the viewer belongs to (one committed event with its audience)."""
    team = viewer_team(request, user, game_id)
    author = _author(request, game_id, user, team)
    return _out(post(games_of(request), game_id, team, author, body.channel, body.text))


@router.post("/api/games/{game_id}/rfis", response_model=MessageOut, status_code=201)
def ask_rfi(game_id: GameId, body: TextIn, request: Request, user: User = TEAM) -> MessageOut:
    """A team's request for information to the white cell."""
    team = viewer_team(request, user, game_id)
    author = _author(request, game_id, user, team)
    return _out(post(games_of(request), game_id, team, author, "", body.text, rfi=True))


@router.post(
    "/api/games/{game_id}/rfis/{rfi_id}/answer", response_model=MessageOut, status_code=201
)
def answer_rfi(
    game_id: GameId, rfi_id: str, body: TextIn, request: Request, user: User = FACILITATOR
) -> MessageOut:
    """The white cell's answer to a request for information (seen by the asking team)."""
    viewer_team(request, user, game_id)
    author = _author(request, game_id, user, None)
    return _out(post(games_of(request), game_id, None, author, "", body.text, answers=rfi_id))


@router.get("/games/{game_id}/messages", response_class=HTMLResponse)
def messages_fragment(game_id: GameId, request: Request, user: User = ANYONE_PAGE) -> Response:
    """The messages panel of a game page (an HTML fragment the page's live script refreshes)."""
    team = viewer_team(request, user, game_id)
    data = _messages(request, game_id, team)
    return render(
        request,
        "_messages.html",
        game_id=game_id,
        data=data,
        viewer="white" if team is None else (team or "observer"),
    )


# ---------------------------------------------------------------------- members


def _member_out(m: Any, url: str | None = None) -> MemberOut:
    return MemberOut(
        id=m.id,
        team=m.team,
        role=m.role,
        display_name=m.display_name,
        joined=m.user_id is not None,
        invite_url=url,
    )


@router.get("/api/games/{game_id}/members", response_model=list[MemberOut])
def list_members(
    game_id: GameId, request: Request, user: User = FACILITATOR_OR_TEAM
) -> list[MemberOut]:
    """The people of every team (white cell) or of the viewer's own team."""
    team = viewer_team(request, user, game_id)
    return [_member_out(m) for m in store_of(request).members(game_id, team)]


@router.get("/games/{game_id}/members", response_class=HTMLResponse)
def members_fragment(
    game_id: GameId, request: Request, user: User = FACILITATOR_OR_TEAM_PAGE
) -> Response:
    """The people of the teams the viewer may see (an HTML fragment of the game page)."""
    team = viewer_team(request, user, game_id)
    rows = store_of(request).members(game_id, team)
    mine = next((m.id for m in rows if m.user_id == user.id), None)
    people = [_member_out(m) for m in rows]
    return render(request, "_member_list.html", people=people, mine=mine)


@router.post("/api/games/{game_id}/members", response_model=MemberOut, status_code=201)
def invite_member(
    game_id: GameId, body: MemberIn, request: Request, user: User = FACILITATOR
) -> MemberOut:
    """Invite a person into a team, holding a role (an actor of the team) or none.

    The reply carries the invitation link (shown once).
    """
    viewer_team(request, user, game_id)
    try:
        loaded = games_of(request).load(game_id)
    except KeyError:
        raise HTTPException(404, f"no game {game_id}") from None
    actors = team_actors(loaded.scenario)
    if body.team not in loaded.scenario.spec.teams:
        raise HTTPException(404, f"no team '{body.team}' in game {game_id}")
    if body.role is not None and body.role not in actors.get(body.team, []):
        raise HTTPException(
            422,
            f"role '{body.role}' is not an actor of team '{body.team}' "
            f"(expected one of: {', '.join(actors.get(body.team, [])) or 'none'})",
        )
    try:
        member, token = store_of(request).invite_member(game_id, body.team, body.role)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    return _member_out(member, f"/join/member/{token}")


@router.get("/join/member/{token}", response_class=HTMLResponse)
def member_join_page(token: str, request: Request, user: User | None = PUBLIC_ACCESS) -> Response:
    """The page a person opens from their invitation into a team."""
    member = store_of(request).member_by_invite(token)
    if member is None:
        raise HTTPException(404, "this invitation is not valid (it may have been replaced)")
    game = store_of(request).game(member.game_id)
    return render(
        request,
        "member_join.html",
        token=token,
        team=member.team,
        role=member.role,
        taken=member.user_id is not None,
        title=game.title if game else "",
    )


@router.post("/api/join/member/{token}", response_model=Done)
def member_join(
    token: str, body: JoinRequest, request: Request, user: User | None = PUBLIC_ACCESS
) -> Response:
    """Accept a member invitation: create the person's account and sign them in."""
    store = store_of(request)
    member = store.member_by_invite(token)
    if member is None:
        raise HTTPException(404, "this invitation is not valid (it may have been replaced)")
    if member.user_id is not None:
        raise HTTPException(409, "this invitation has already been used")
    try:
        created, joined = store.join_member(
            token, body.username, hash_password(body.password), body.team_name.strip()
        )
    except KeyError:
        raise HTTPException(409, "this invitation has already been used") from None
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    from accord.web.live import publish

    publish(joined.game_id, "member", [joined.team], {"team": joined.team, "role": joined.role})
    return start_session(request, created.id, f"/games/{joined.game_id}")
