"""Live updates: an in-process broker that pushes game events to the open pages (server-sent events).

The interface other modules use is ONE function::

    from accord.web.live import publish

    publish(game_id, kind, audience, payload)

* ``game_id``: the game (``0``: the workbench itself, e.g. analysis-run progress, which analysts
  -- facilitators and observers -- receive on ``/api/live/runs``).
* ``kind``: a short name the pages react to: ``order`` (a team's order is in), ``released`` (a
  turn was released), ``override``, ``message``, ``rfi``, ``member``, ``run-progress``, ... Pages
  refresh their live regions on any kind; the name is shown in the page's live feed.
* ``audience``: who may receive it, with the SAME rule as the game log's events
  (:func:`accord.wargame.view.sees_audience`): ``None`` = everyone in the game (teams and
  observers); a list of team or actor ids = those teams only; ``[]`` = the white cell only. The
  white cell (facilitator) receives everything. The broker never decides visibility itself.
* ``payload``: a small JSON-able dict. It must hold nothing the audience may not see (e.g. send
  ``{"team": ..., "turn": ...}`` for an order, not its actions, when the audience is wider than
  the team).

``publish`` may be called from any thread (the sync route handlers run in a thread pool); it
never blocks and never fails the request that calls it (a full subscriber queue drops the event:
the page's next refresh fetches the current state from the database anyway).

Single-process constraint: the broker lives in the server process, so events reach the pages
connected to the same process. ``accord serve`` runs one process (uvicorn, one worker), which is
what this supports; with several worker processes, a page connected to another worker would get
its updates only on its next reconnect (every :data:`STREAM_LIFETIME` seconds the stream ends
and the browser's ``EventSource`` reconnects, and the page then refreshes its regions), so a
multi-worker deployment needs a shared broker (e.g. PostgreSQL ``LISTEN/NOTIFY``) in place of
this one. The database stays the only state: a lost event costs a refresh, never data.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.wargame.view import sees_audience

QUEUE_SIZE = 256
HEARTBEAT = 15.0
"""Seconds between keep-alive comments on an idle stream (proxies close silent connections)."""
STREAM_LIFETIME = 300.0
"""Seconds after which a stream ends; the browser reconnects (and its sign-in is checked again)."""
RUNS = 0
"""The ``game_id`` of workbench-wide topics (analysis runs)."""


@dataclass(frozen=True)
class LiveEvent:
    """One published event."""

    id: int
    game_id: int
    kind: str
    audience: tuple[str, ...] | None
    payload: dict[str, Any]

    def sse(self) -> str:
        """The event as server-sent-events text.

        An ``id`` and a ``data`` line holding the JSON payload with its ``kind`` (no ``event``
        line, so a browser's ``EventSource.onmessage`` receives every kind, including kinds
        added later).
        """
        data = json.dumps({**self.payload, "kind": self.kind}, sort_keys=True, default=str)
        return f"id: {self.id}\ndata: {data}\n\n"


@dataclass
class Subscription:
    """A page's subscription to one game as one viewer (``who``: see :func:`sees_audience`)."""

    game_id: int
    who: frozenset[str] | None
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[LiveEvent] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def offer(self, event: LiveEvent) -> None:
        """Queue ``event`` if this viewer may see it (called on the subscriber's loop)."""
        if sees_audience(None if event.audience is None else list(event.audience), self.who):
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(event)


class Broker:
    """Fan-out of published events to the subscriptions of their game (thread-safe)."""

    def __init__(self) -> None:
        """An empty broker."""
        self._subs: dict[int, list[Subscription]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.published = 0

    def subscribe(self, game_id: int, who: frozenset[str] | None) -> Subscription:
        """A new subscription (call from the event loop that will read it)."""
        sub = Subscription(game_id, who, asyncio.get_running_loop())
        with self._lock:
            self._subs.setdefault(game_id, []).append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Forget ``sub`` (the page went away)."""
        with self._lock:
            subs = self._subs.get(sub.game_id, [])
            if sub in subs:
                subs.remove(sub)
            if not subs:
                self._subs.pop(sub.game_id, None)

    def subscribers(self, game_id: int) -> int:
        """How many pages follow ``game_id`` now."""
        with self._lock:
            return len(self._subs.get(game_id, []))

    def publish(
        self,
        game_id: int,
        kind: str,
        audience: Sequence[str] | None,
        payload: dict[str, Any] | None = None,
    ) -> LiveEvent:
        """Send an event to the subscribers of ``game_id`` that may see it (module docstring)."""
        event = LiveEvent(
            next(self._ids),
            game_id,
            kind,
            None if audience is None else tuple(audience),
            dict(payload or {}),
        )
        with self._lock:
            subs = list(self._subs.get(game_id, []))
            self.published += 1
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, event)
            except RuntimeError:  # the subscriber's loop is closed: it is going away
                self.unsubscribe(sub)
        return event

    async def stream(
        self,
        sub: Subscription,
        *,
        heartbeat: float = HEARTBEAT,
        lifetime: float = STREAM_LIFETIME,
        hello: dict[str, Any] | None = None,
    ) -> AsyncIterator[str]:
        """Server-sent-events text for ``sub``.

        Runs until ``lifetime`` seconds have passed (then the browser reconnects), with a
        keep-alive comment every ``heartbeat`` seconds; unsubscribes when the client goes away.
        """
        loop = asyncio.get_running_loop()
        end = loop.time() + lifetime
        try:
            yield "retry: 2000\n"
            yield f"event: hello\ndata: {json.dumps(hello or {}, sort_keys=True)}\n\n"
            while True:
                left = end - loop.time()
                if left <= 0:
                    return
                try:
                    event = await asyncio.wait_for(sub.queue.get(), timeout=min(heartbeat, left))
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield event.sse()
        finally:
            self.unsubscribe(sub)


BROKER = Broker()
"""The process's broker (the app's routes and :func:`publish` use it)."""


def publish(
    game_id: int,
    kind: str,
    audience: Sequence[str] | None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Push ``kind`` with ``payload`` to the open pages of ``game_id`` that ``audience`` admits.

    See the module docstring for the audience rule (``None`` everyone, ``[ids]`` those teams,
    ``[]`` the white cell only; the white cell always). Never raises.
    """
    try:
        BROKER.publish(game_id, kind, audience, payload)
    except Exception:  # a live update must never fail the request that made the change
        return
