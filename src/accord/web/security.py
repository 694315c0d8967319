"""Security settings and controls of the web workbench that are not role checks.

Session lifetimes, sign-in throttling, safe redirects, bounded ids and request CPU budgets.

See docs/security.md for the threat model and what each control defends.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import unquote, urlsplit

import yaml
from fastapi import HTTPException, Path, Query

from accord.limits import TimeLimitError, check_deadline, deadline

log = logging.getLogger("accord.web.security")

MAX_ID = 2**31 - 1
"""Largest id or turn in a path or query: ids are 32-bit ``INTEGER`` columns on PostgreSQL."""

GameId = Annotated[int, Path(ge=1, le=MAX_ID, description="a game id")]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="a library entry id")]
AnalysisId = Annotated[int, Path(ge=1, le=MAX_ID, description="an analysis id")]
RunId = Annotated[int, Query(ge=1, le=MAX_ID, description="an analysis id")]
TurnQuery = Annotated[int | None, Query(ge=0, le=MAX_ID, description="a turn")]


@dataclass
class SecuritySettings:
    """Tunable limits (``create_app(security=...)``); the defaults are the served values."""

    idle_timeout: float = 4 * 3600.0
    """Seconds a session may go unused before it ends."""
    absolute_timeout: float = 24 * 3600.0
    """Seconds a session lasts at most, used or not."""
    touch_interval: float = 60.0
    """A session's ``last_seen`` is written at most this often (seconds)."""
    account_failures: int = 5
    """Wrong passwords for one account within ``failure_window`` that lock it."""
    address_failures: int = 20
    """Failed sign-ins from one address within ``failure_window`` that lock the address."""
    failure_window: float = 900.0
    lockout: float = 300.0
    """Seconds a lock lasts."""
    cpu_seconds: float = 5.0
    """Time limit of one validation or import (422 when exceeded)."""
    alias_allowance: int = 10_000
    """Values that YAML aliases may add beyond the body's size in bytes (else 413)."""

    def timedelta(self, seconds: float) -> timedelta:
        """``seconds`` as a :class:`datetime.timedelta`."""
        return timedelta(seconds=seconds)


# ---------------------------------------------------------------------- redirects

_CONTROL = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(target: str | None) -> str:
    r"""``target`` when it is a same-origin relative path, else ``/``.

    Refused: anything with a scheme or host, a leading ``//``, backslashes, whitespace or
    control characters (browsers strip tabs and newlines and read ``\`` as ``/``, which turns
    ``/\evil`` or ``/<TAB>/evil`` into ``//evil``), checked both as given and percent-decoded.
    """
    if not target:
        return "/"
    for form in (target, unquote(target)):
        if _CONTROL.search(form) or not form.startswith("/") or form.startswith("//"):
            return "/"
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return "/"
    return target


# ---------------------------------------------------------------------- CPU budgets


class BudgetExceededError(Exception):
    """A request would cost more than its budget; ``status`` is 413 or 422."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _expanded(root: yaml.Node) -> tuple[int, int]:
    """Values after alias expansion, and distinct nodes, of a YAML document.

    (values after alias expansion, distinct nodes) of a composed YAML document; aliases
    point at shared nodes, so this costs one visit per distinct node.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            else:
                children = []
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if key in sizes:
            continue
        if key in active:  # a recursive alias: an endless expansion
            return 10**18, len(sizes)
        active.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            stack.extend((n, False) for pair in node.value for n in pair if id(n) not in sizes)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((n, False) for n in node.value if id(n) not in sizes)
    return sizes[id(root)], len(sizes)


_COMPOSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_aliases(text: str, allowance: int) -> None:
    """Refuse YAML whose aliases expand to more values than the body's size allows.

    A plain document has at most about one value per byte; aliases may add
    ``len(text) + allowance`` more. Text that is not YAML is left to the parser's own error.

    Raises:
        BudgetExceededError: 413 with the counts.
    """
    if "*" not in text or "&" not in text:  # an alias needs an anchor
        return
    try:
        # libyaml's composer when present (the pure-Python one took 7 s on a 300 KB war game
        # whose expressions hold '*'); both share one node per anchor, as _expanded expects
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError:
        return
    except RecursionError:
        raise BudgetExceededError(413, "the document is nested too deeply") from None
    if root is None:
        return
    total, distinct = _expanded(root)
    cap = len(text.encode("utf-8")) + allowance
    if total - distinct > cap:
        raise BudgetExceededError(
            413,
            f"the document's YAML aliases expand to more than {cap} extra values "
            f"(at most the body's size in bytes plus {allowance})",
        )


T = TypeVar("T")
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="accord-budget")
_POOL_LOCK = threading.Lock()


def within_budget(fn: Callable[[], T], seconds: float, what: str) -> T:
    """Run ``fn`` on the CPU budget pool, waiting at most ``seconds``.

    Run ``fn`` on the budget pool (two workers: at most two validations or imports use the
    CPU at once, however many clients send them) and wait at most ``seconds``, queueing
    included.

    The work itself stops too: ``fn`` runs under :func:`accord.limits.deadline` counted from
    now, so the YAML walk, the expression compiler and bounds, the war-game checks and the
    importers end at their next :func:`accord.limits.check_deadline` once the time is up
    (a thread cannot be killed; these checks are how a hostile body gives its worker back).

    Raises:
        BudgetExceededError: 422 when the time runs out (a queued call is cancelled).
    """
    start = time.monotonic()

    def bounded() -> T:
        with deadline(seconds, start):
            check_deadline()  # waited its whole budget in the queue: do nothing
            return fn()

    with _POOL_LOCK:
        future = _POOL.submit(bounded)
    try:
        return future.result(timeout=seconds)
    except (FutureTimeout, TimeLimitError):
        future.cancel()
        log.warning("%s exceeded its time limit of %.1f s", what, seconds)
        raise BudgetExceededError(
            422, f"{what} took longer than {seconds:g} s: simplify the scenario"
        ) from None


def budget_http(exc: BudgetExceededError) -> HTTPException:
    """The HTTP error of a request over its CPU budget."""
    return HTTPException(exc.status, exc.detail)


def retry_after(seconds: float) -> dict[str, Any]:
    """The ``Retry-After`` header for a wait of ``seconds`` (at least 1)."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
