"""The fast paths of an order submission (issue #14, load): the single-query lookups give the
answers of the queries they replace, the per-process game cache notices writes made by another
process, and database work runs on the event loop only on SQLite."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI
from sqlalchemy import update

from accord.runs.member_models import WebMember
from accord.web.db import WebStore
from accord.web.dispatch import run_db
from accord.web.play import GameService
from tests.web.conftest import Game, ok
from tests.web.server import Server


def _user_id(store: WebStore, name: str) -> int:
    found = store.user_by_name(name)
    assert found is not None
    return found[0].id


def _old_role_check(store: WebStore, game_id: int, team: str, user_id: int) -> Any:
    """What check_may_order computed before, with three ORM queries."""
    holders = {m.role: m.user_id for m in store.members(game_id, team) if m.role and m.user_id}
    mine = store.member_of(user_id, game_id)
    return holders, (mine.role if mine is not None else None)


def test_team_and_role_lookups_match_the_queries_they_replace(app: FastAPI, game: Game) -> None:
    store: WebStore = app.state.store
    gid = game.id
    red, blue = _user_id(store, "p_red"), _user_id(store, "p_blue")
    fac = _user_id(store, "fac")
    # a member holding red's actor cn, and a member of blue without a role
    _, token = store.invite_member(gid, "red", "cn")
    minister, _ = store.join_member(token, "minister", "x" * 60, "Minister")
    _, token = store.invite_member(gid, "blue", None)
    aide, _ = store.join_member(token, "aide", "x" * 60, "Aide")
    # and the blue seat holder also listed as a member of red (a seat counts first)
    _, token = store.invite_member(gid, "red", None)
    extra, _ = store.join_member(token, "extra", "x" * 60, "Extra")
    with store.write() as session:
        session.execute(update(WebMember).where(WebMember.user_id == extra.id).values(user_id=blue))
    for user in (red, blue, fac, minister.id, aide.id, 999_999):
        assert store.team_in(user, gid) == store.teams_of(user).get(gid)
        assert store.team_in(user, gid + 1) is None
        for team in ("red", "blue", "europe"):
            assert store.role_holders(gid, team, user) == _old_role_check(store, gid, team, user)
    assert store.team_in(blue, gid) == "blue"
    assert store.team_in(minister.id, gid) == "red"
    assert store.role_holders(gid, "red", minister.id) == ({"cn": minister.id}, "cn")


def test_the_game_cache_sees_writes_of_another_process(app: FastAPI, game: Game) -> None:
    """Two services on one database stand for two server processes: each reuses its rebuilt game
    only while the stored log ends at the same event, and reads pause and rollback fresh."""
    store: WebStore = app.state.store
    ours, theirs = GameService(store), GameService(store)
    loaded, ctl = ours.head(game.id)
    assert loaded.turn == 0 and not ctl.paused
    again, _ = ours.head(game.id)
    assert again.game is loaded.game  # reused: nothing was written
    theirs.release(game.id, 1)
    after, _ = ours.head(game.id)
    assert after.game is not loaded.game
    assert after.turn == 1
    assert [e.seq for e in after.game.events] == [e.seq for e in theirs.load(game.id).game.events]
    theirs.pause(game.id, True)
    assert ours.head(game.id)[1].paused
    # an inject stored through the app (one more event) is seen as well
    ok(game.facilitator.post(f"/api/games/{game.id}/pause", json={"paused": False}))
    ok(game.facilitator.post(f"/api/games/{game.id}/injects", json={"text": "news"}), 201)
    latest, ctl = ours.head(game.id)
    assert not ctl.paused
    assert latest.game.events[-1].kind == "inject"


def test_database_work_runs_on_the_loop_only_on_sqlite() -> None:
    def where() -> threading.Thread:
        return threading.current_thread()

    async def both() -> tuple[threading.Thread, threading.Thread, threading.Thread]:
        local = await run_db(SimpleNamespace(local=True), where)  # type: ignore[arg-type]
        remote = await run_db(SimpleNamespace(local=False), where)  # type: ignore[arg-type]
        return threading.current_thread(), local, remote

    loop_thread, local, remote = asyncio.run(both())
    assert local is loop_thread
    assert remote is not loop_thread


def test_orders_and_conflicts_through_the_async_route(app: FastAPI, game: Game) -> None:
    """The submission route (async, no worker thread on SQLite) keeps its replies: 201, a retry
    200 with the same order, 400 for another team's actor, 409 while paused."""
    gid, red, fac = game.id, game.teams["red"], game.facilitator
    body = {"actor": "cn", "actions": [], "client_key": "k1"}
    first = ok(red.post(f"/api/games/{gid}/orders", json=body), 201)
    retry = ok(red.post(f"/api/games/{gid}/orders", json=body), 200)
    assert retry["id"] == first["id"] and retry["stored"] is False
    other = red.post(f"/api/games/{gid}/orders", json={"actor": "us", "actions": []})
    assert other.status_code == 400
    ok(fac.post(f"/api/games/{gid}/pause", json={"paused": True}))
    paused = red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": []})
    assert paused.status_code == 409
    assert "paused" in paused.json()["detail"]


def _get_login(sock: socket.socket) -> bytes:
    """Send ``GET /login`` on a kept-alive connection and read the whole reply."""
    sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


def test_an_idle_keep_alive_connection_outlives_the_clients_expiry(tmp_path: Path) -> None:
    """A client may reuse a connection idle for up to 5 s (httpx's default); the server closed
    them at 5 s, so such a request could be reset. It now keeps them longer."""
    with (
        Server(f"sqlite:///{tmp_path / 'k.db'}") as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock,
    ):
        assert _get_login(sock).startswith(b"HTTP/1.1 200")
        time.sleep(6.0)
        assert _get_login(sock).startswith(b"HTTP/1.1 200")
