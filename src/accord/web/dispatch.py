"""Where a request's database work runs: on the event loop for SQLite, else in a worker thread.

FastAPI runs every ``def`` route and dependency in a worker thread. Each hand-over costs about a
millisecond of server CPU on the 2-core development machine (thread wake-ups and the GIL passing
between the event loop and the worker; docs/performance.md), more than all the SQLite work of an
order submission. On SQLite a query reads a local file in a fraction of a millisecond, so the
busiest paths (the role check of every route, the order submission) run it on the event loop;
on PostgreSQL a query waits on the network, during which the loop must go on serving others, so
it goes to a worker thread as before.

On SQLite the loop may wait for the store's write lock or a game's lock while a worker thread
holds it (a release holds its game's lock for the turn's play, tens of milliseconds); neither
holder ever waits on the loop, so this delays, and never deadlocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from accord.web.db import WebStore

P = ParamSpec("P")
T = TypeVar("T")


async def run_db(store: WebStore, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)``: inline on SQLite, in a worker thread on PostgreSQL.

    Exceptions propagate unchanged either way.
    """
    if store.local:
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)
