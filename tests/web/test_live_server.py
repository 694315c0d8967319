"""Live updates and messaging against the real server (a subprocess): every open page gets the
events its audience may see within 2 s, and none other; SIGKILL while teams are messaging
(messages and requests for information) loses no acknowledged one (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.web.conftest import Database, Game, ok, setup_game
from tests.web.server import Server, refresh


@pytest.fixture
def server(database: Database) -> Iterator[Server]:
    srv = Server(database.url, database.schema)
    srv.start()
    yield srv
    srv.stop()


class Listener(threading.Thread):
    """Reads a game's event stream (as a browser's EventSource does) until the ``END`` message."""

    def __init__(self, client: httpx.Client, gid: int) -> None:
        super().__init__(daemon=True)
        self.client, self.gid = client, gid
        self.events: list[tuple[float, dict[str, object]]] = []
        self.open = threading.Event()

    def run(self) -> None:
        url = f"/api/games/{self.gid}/live"
        headers = {"Accept": "text/event-stream"}
        with (
            contextlib.suppress(httpx.HTTPError),
            self.client.stream("GET", url, headers=headers, timeout=20.0) as r,
        ):
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("event: hello"):
                    self.open.set()
                if not line.startswith("data: ") or "kind" not in line:
                    continue
                data = json.loads(line[6:])
                self.events.append((time.monotonic(), data))
                if data.get("kind") == "message" and data.get("channel") == "all":
                    return

    def kinds(self) -> list[str]:
        return [str(e["kind"]) for _, e in self.events]


def test_each_page_gets_what_its_audience_may_see_within_2s(server: Server) -> None:
    game = setup_game(server.client)
    gid, fac = game.id, game.facilitator
    red, blue = game.teams["red"], game.teams["blue"]
    listeners = {
        name: Listener(client, gid)
        for name, client in (("white", fac), ("red", red), ("blue", blue), ("obs", game.observer))
    }
    for listener in listeners.values():
        listener.start()
        assert listener.open.wait(10)
    sent = time.monotonic()
    ok(
        red.post(f"/api/games/{gid}/orders", json={"actor": "cn", "actions": [], "rationale": "R"}),
        201,
    )
    ok(red.post(f"/api/games/{gid}/messages", json={"channel": "white:red", "text": "hello"}), 201)
    ok(red.post(f"/api/games/{gid}/rfis", json={"text": "where?"}), 201)
    ok(fac.post(f"/api/games/{gid}/release", json={"turn": 1}))
    ok(fac.post(f"/api/games/{gid}/messages", json={"channel": "all", "text": "END"}), 201)
    for listener in listeners.values():
        listener.join(10)
        assert not listener.is_alive()
    white = listeners["white"]
    assert white.kinds() == ["order", "message", "rfi", "release", "message"]
    first = white.events[0]
    assert first[1]["team"] == "red" and first[0] - sent < 2.0
    assert listeners["red"].kinds() == ["order", "message", "rfi", "release", "message"]
    assert listeners["blue"].kinds() == ["release", "message"]
    assert listeners["obs"].kinds() == ["release", "message"]
    # nothing of red's traffic in blue's or the observer's stream
    for name in ("blue", "obs"):
        assert all(
            e.get("team") != "red" and e.get("sender") != "red" for _, e in listeners[name].events
        )
    # an open stream does not keep the server from stopping (graceful shutdown is bounded)
    still = Listener(fac, gid)
    still.start()
    assert still.open.wait(10)
    assert server.process is not None
    server.process.terminate()
    server.process.wait(timeout=15)
    for c in (fac, game.observer, red, blue):
        c.close()


_ACKED: list[str] = []
_TEN = threading.Event()


def _post(client: httpx.Client, gid: int, channel: str, text: str) -> str | None:
    """Post a message on ``channel`` (an RFI when ``channel`` is ``rfi``); its text if acked."""
    path, body = (
        ("rfis", {"text": text})
        if channel == "rfi"
        else ("messages", {"channel": channel, "text": text})
    )
    try:
        r = client.post(f"/api/games/{gid}/{path}", json=body)
    except httpx.HTTPError:
        return None
    if r.status_code != 201:
        return None
    _ACKED.append(text)
    if len(_ACKED) >= 10:
        _TEN.set()
    return text


def test_sigkill_while_messaging_loses_no_acknowledged_message(server: Server) -> None:
    _ACKED.clear()
    _TEN.clear()
    game: Game = setup_game(server.client)
    gid, fac = game.id, game.facilitator
    red, blue = game.teams["red"], game.teams["blue"]
    ok(red.post(f"/api/games/{gid}/rfis", json={"text": "RFI before the crash"}), 201)
    ok(fac.post(f"/api/games/{gid}/rfis/RFI-red-1/answer", json={"text": "ANSWERED"}), 201)
    jobs = [(red, "white:red", f"r{i}") for i in range(40)]
    jobs += [(blue, "teams:blue+red", f"b{i}") for i in range(40)]
    jobs += [(blue, "rfi", f"q{i}") for i in range(20)]  # requests for information too
    jobs.sort(key=lambda job: int(job[2][1:]))  # interleaved: r0, b0, q0, r1, ...
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(_post, c, gid, ch, t) for c, ch, t in jobs]
        assert _TEN.wait(60)
        server.kill()  # while messages are being posted (ten acknowledged so far)
        acked = {f.result() for f in futures} - {None}
    server.start()
    for c in (fac, red, blue):
        refresh(c)
    stored = [m["text"] for m in ok(fac.get(f"/api/games/{gid}/messages"))["messages"]]
    assert len(acked) >= 10
    assert acked <= set(stored), sorted(acked - set(stored))
    assert len(stored) == len(set(stored))  # nothing twice
    assert "ANSWERED" in stored
    assert any(t.startswith("q") for t in acked)  # RFIs were acknowledged before the kill
    # the log is whole: the game plays on and messaging works after the restart
    ok(red.post(f"/api/games/{gid}/messages", json={"channel": "white:red", "text": "after"}), 201)
    ok(fac.post(f"/api/games/{gid}/release", json={"turn": 1}))
    log = ok(fac.get(f"/api/games/{gid}/export.json"))["events"]
    assert [e["seq"] for e in log] == list(range(len(log)))
    for c in (fac, game.observer, red, blue):
        c.close()
