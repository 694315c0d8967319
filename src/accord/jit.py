"""Lazy Numba compilation for the compiled kernels.

Lazy Numba compilation for the compiled kernels (``accord.models.smp.numba_loops``,
``accord.models.bdm.engine_numba``).

The kernels are written as plain Python functions over NumPy arrays (readable, and runnable
uncompiled in a debugger). :func:`compile_module` compiles them on first use, not at import, so
that ``import accord`` stays fast; Numba's on-disk cache (``cache=True``) makes every later
process load them in well under a second. Options, the same for every kernel:

- no ``fastmath``: IEEE operations in the written order, so results are exact to the bit;
- ``error_model="numpy"``: a float division by zero gives inf/NaN as in NumPy instead of a
  Python exception; without it the zero check in every division stops LLVM from vectorising;
- the functions listed as parallel iterate over independent problems with ``numba.prange``;
  each problem is computed by one thread alone, so results do not depend on the thread count.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

#: Numba's workqueue threading layer (the fallback where OpenMP and TBB are missing) aborts the
#: process if two Python threads launch parallel kernels at once: every parallel entry point
#: returned by :func:`compile_module` holds this lock while it runs.
PARALLEL_LOCK = threading.Lock()
_COMPILE_LOCK = threading.Lock()


def prange(n: int) -> range:
    """``range`` for uncompiled code; :func:`compile_module` swaps in ``numba.prange``."""
    return range(n)


def compile_module(
    namespace: MutableMapping[str, Any],
    helpers: Iterable[Callable[..., Any]],
    parallel: Iterable[Callable[..., Any]] = (),
) -> dict[str, Callable[..., Any]]:
    """Compile a kernel module's functions; returns the entry points by name.

    Args:
        namespace: the module's ``globals()``. Each helper is replaced there by its compiled
            version (Numba resolves calls through module globals), and the name ``_prange`` is
            bound to ``numba.prange``.
        helpers: functions compiled serially (also returned).
        parallel: functions compiled with ``parallel=True``; they are returned wrapped so that
            each call holds :data:`PARALLEL_LOCK`.
    """
    with _COMPILE_LOCK:
        numba: Any = importlib.import_module("numba")
        options: dict[str, Any] = {"cache": True, "error_model": "numpy"}
        out: dict[str, Callable[..., Any]] = {}
        namespace["_prange"] = numba.prange
        for func in helpers:
            out[func.__name__] = namespace[func.__name__] = numba.njit(**options)(func)
        for func in parallel:
            out[func.__name__] = _one_at_a_time(numba.njit(parallel=True, **options)(func))
        return out


def _one_at_a_time(kernel: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        with PARALLEL_LOCK:
            return kernel(*args)

    return run
