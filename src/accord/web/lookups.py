"""Who may see which game, and the game's head: the indexed lookups behind every game request.

A mixin of :class:`accord.web.db.WebStore` (``self.runs`` is its :class:`~accord.runs.RunStore`).
Each statement is built once at import (building a SQLAlchemy statement costs more than running
it on SQLite) and runs as one Core query, without the ORM's unit of work: on an order submission
these are the user's team in the game, who holds which role, and the game's head (web game,
scenario hash, last event seq and control) -- three queries (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, literal, or_, select, union_all

from accord.runs.member_models import WebMember
from accord.runs.models import EventRow, GameRow
from accord.runs.play_models import WebGameControl
from accord.runs.web_models import WebGame, WebSeat

if TYPE_CHECKING:
    from accord.runs import RunStore


@dataclass(frozen=True)
class GameRecord:
    """The web side of a game: title, scenario reference and facilitator."""

    id: int
    title: str
    scenario_ref: str
    facilitator_id: int


CONTROL_COLUMNS = (
    WebGameControl.paused,
    WebGameControl.deadline_turn,
    WebGameControl.deadline_at,
    WebGameControl.auto_release,
    WebGameControl.successor_id,
    WebGameControl.rolled_back_to,
)
"""A game's control columns (:class:`accord.web.play_store.ControlRecord` without the id)."""

_GAME = select(WebGame.game_id, WebGame.title, WebGame.scenario_ref, WebGame.facilitator_id).where(
    WebGame.game_id == bindparam("game_id")
)
_GAME_HEAD = (
    select(
        WebGame.game_id,
        WebGame.title,
        WebGame.scenario_ref,
        WebGame.facilitator_id,
        GameRow.scenario_sha256,
        # the last event's seq: one step down the (game_id, seq) primary key, however long the log
        select(func.max(EventRow.seq))
        .where(EventRow.game_id == bindparam("game_id"))
        .scalar_subquery(),
        *CONTROL_COLUMNS,
    )
    .join(GameRow, GameRow.id == WebGame.game_id)
    .outerjoin(WebGameControl, WebGameControl.game_id == WebGame.game_id)
    .where(WebGame.game_id == bindparam("game_id"))
)
_TEAMS_OF = select(WebSeat.game_id, WebSeat.team).where(WebSeat.user_id == bindparam("user_id"))
_MEMBER_TEAMS_OF = select(WebMember.game_id, WebMember.team).where(
    WebMember.user_id == bindparam("user_id")
)
# the user's seat (first) or membership in one game
_TEAM_IN = union_all(
    select(literal(0).label("rank"), WebSeat.team).where(
        WebSeat.game_id == bindparam("game_id"), WebSeat.user_id == bindparam("user_id")
    ),
    select(literal(1).label("rank"), WebMember.team).where(
        WebMember.game_id == bindparam("game_id"), WebMember.user_id == bindparam("user_id")
    ),
)
# who holds a role in a team, and the role the user holds in the game, in one query
_ROLE_HOLDERS = select(WebMember.team, WebMember.role, WebMember.user_id).where(
    WebMember.game_id == bindparam("game_id"),
    WebMember.role.is_not(None),
    WebMember.user_id.is_not(None),
    or_(WebMember.team == bindparam("team"), WebMember.user_id == bindparam("user_id")),
)


class GameLookups:
    """The game lookups of :class:`accord.web.db.WebStore`."""

    runs: RunStore

    def game(self, game_id: int) -> GameRecord | None:
        """The web game ``game_id``, or ``None`` (a Core query: it runs on most game routes)."""
        with self.runs.engine.connect() as conn:
            row = conn.execute(_GAME, {"game_id": game_id}).first()
        return None if row is None else GameRecord(*row)

    def game_head(self, game_id: int) -> tuple[GameRecord, str, int, tuple[Any, ...]] | None:
        """The web game, its scenario's hash, its last event's seq and its control, in one query.

        What a request needs to reuse a game rebuilt earlier (the log only grows, so the last
        seq names its length) and to check that play is open: the web game ``game_id``, its
        scenario's SHA-256, the seq of its last stored event (-1 when none) and the values of
        :data:`CONTROL_COLUMNS` (all ``None`` when no control row was written), or ``None``.
        """
        with self.runs.engine.connect() as conn:
            row = conn.execute(_GAME_HEAD, {"game_id": game_id}).first()
        if row is None:
            return None
        last = -1 if row[5] is None else int(row[5])
        return GameRecord(*row[:4]), str(row[4]), last, tuple(row[6:])

    def teams_of(self, user_id: int) -> dict[int, str]:
        """Game id -> team for every seat the user holds or team the user is a member of.

        A seat counts before a membership in the same game.
        """
        params = {"user_id": user_id}
        with self.runs.engine.connect() as conn:
            out = {int(g): str(t) for g, t in conn.execute(_MEMBER_TEAMS_OF, params)}
            out.update({int(g): str(t) for g, t in conn.execute(_TEAMS_OF, params)})
        return out

    def team_in(self, user_id: int, game_id: int) -> str | None:
        """The user's team in one game (its seat, else its membership), or ``None``.

        The same answer as ``teams_of(user_id).get(game_id)`` in one indexed query (every game
        route of a team account asks it).
        """
        with self.runs.engine.connect() as conn:
            rows = conn.execute(_TEAM_IN, {"game_id": game_id, "user_id": user_id}).all()
        return str(min(rows)[1]) if rows else None

    def role_holders(
        self, game_id: int, team: str, user_id: int
    ) -> tuple[dict[str, int], str | None]:
        """Who gives which of a team's actors' orders, and the role the user holds, in one query.

        Returns (role -> user id of the person holding it in ``team``, the role ``user_id``
        holds in the game or ``None``); only members who have joined and hold a role count.
        """
        params = {"game_id": game_id, "team": team, "user_id": user_id}
        with self.runs.engine.connect() as conn:
            rows = conn.execute(_ROLE_HOLDERS, params).all()
        holders = {str(r.role): int(r.user_id) for r in rows if r.team == team}
        mine = next((str(r.role) for r in rows if r.user_id == user_id), None)
        return holders, mine
