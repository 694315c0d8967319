"""Input limits: the one place that bounds how much work or memory an input may ask for.

Every limit has a default, an environment variable that raises (or lowers) it, and a refusal
that says how to raise it, or, for large runs, points to ``accord sweep`` (Dask), which splits
the work into resumable tasks. ``docs/scenario-format.md`` ("Limits") lists them.

The memory budget (``ACCORD_MEMORY_MB``, default half of the machine's RAM) is checked against
an estimate *before* a model allocates (:func:`check_memory`), so that a too-large input is a
clean refusal instead of a ``MemoryError`` or the operating system killing the process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from accord.errors import UsageError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """One bound: its name in messages, default, environment variable and how to raise it."""

    name: str
    default: int
    env: str
    hint: str

    @property
    def value(self) -> int:
        """The bound in force: the environment variable when set to a positive whole number."""
        raw = os.environ.get(self.env, "").strip()
        if raw:
            try:
                number = int(raw)
            except ValueError:
                raise UsageError(
                    f"{self.env}={raw!r} is not a whole number",
                    field=self.env,
                    expected="a positive whole number",
                ) from None
            if number > 0:
                return number
            raise UsageError(
                f"{self.env}={raw!r} is not positive", field=self.env, expected="a number >= 1"
            )
        return self.default

    def check(
        self,
        count: int,
        *,
        what: str | None = None,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        """Raise :class:`UsageError` when ``count`` exceeds the bound."""
        bound = self.value
        if count > bound:
            raise UsageError(
                f"{what or self.name} is {count:,}, above the limit of {bound:,}",
                file=file,
                line=line,
                field=field,
                expected=f"at most {bound:,}; {self.hint}",
            )


_SWEEP = "for larger runs use `accord sweep` (Dask), or set {env}=N"

#: Largest input file, in MiB (scenario YAML, CSV, XML, TSV, game files).
FILE_MB = Limit("the file size (MiB)", 16, "ACCORD_MAX_FILE_MB", "set ACCORD_MAX_FILE_MB=N")
#: Actors in one scenario (linear models handle 200,000 in seconds; the memory budget bounds
#: the quadratic and cubic ones).
ACTORS = Limit("the number of actors", 250_000, "ACCORD_MAX_ACTORS", "set ACCORD_MAX_ACTORS=N")
#: Policy dimensions of one issue.
DIMENSIONS = Limit(
    "the number of dimensions", 64, "ACCORD_MAX_DIMENSIONS", "set ACCORD_MAX_DIMENSIONS=N"
)
#: Issues in one scenario (DEU files hold one scenario per issue; this bounds each).
ISSUES = Limit("the number of issues", 10_000, "ACCORD_MAX_ISSUES", "set ACCORD_MAX_ISSUES=N")
#: Rounds or turns of an iterative model (``--param bdm.rounds``, ``smp.max_turns``).
ROUNDS = Limit("the number of rounds", 10_000, "ACCORD_MAX_ROUNDS", "set ACCORD_MAX_ROUNDS=N")
#: Automated war games in one ``accord wargame run``.
RUNS = Limit(
    "the number of runs",
    100_000,
    "ACCORD_MAX_RUNS",
    _SWEEP.format(env="ACCORD_MAX_RUNS"),
)
#: Monte Carlo draws in one command.
DRAWS = Limit(
    "the number of draws", 1_000_000, "ACCORD_MAX_DRAWS", _SWEEP.format(env="ACCORD_MAX_DRAWS")
)
#: Turns of a war game (its clock).
HORIZON = Limit("the war-game horizon (turns)", 1000, "ACCORD_MAX_TURNS", "set ACCORD_MAX_TURNS=N")


def max_file_bytes() -> int:
    """The file-size limit in bytes."""
    return FILE_MB.value * MB


def machine_memory_mb() -> int:
    """Physical memory of this machine in MiB (4096 where it cannot be read)."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return 4096
    if pages <= 0 or size <= 0:
        return 4096
    return int(pages * size // MB)


MEMORY = Limit(
    "the memory budget (MiB)",
    max(256, machine_memory_mb() // 2),
    "ACCORD_MEMORY_MB",
    "set ACCORD_MEMORY_MB=N (MiB), or use `accord sweep` (Dask) to spread the work",
)


def check_memory(estimate_bytes: float, what: str) -> None:
    """Refuse work whose estimated peak memory exceeds the budget (:data:`MEMORY`).

    Args:
        estimate_bytes: the caller's estimate of the arrays it is about to allocate.
        what: the work, e.g. ``"bdm on 5,000 actors"``.
    """
    budget = MEMORY.value
    need = int(estimate_bytes // MB) + 1
    if need > budget:
        raise UsageError(
            f"{what} needs about {need:,} MiB, above the memory budget of {budget:,} MiB",
            expected=f"at most {budget:,} MiB; {MEMORY.hint}",
        )


#: Model parameters that set a number of rounds or turns.
ROUND_PARAMS = ("rounds", "max_turns", "turns")


def check_seed(seed: object, field: str = "--seed") -> None:
    """A seed is a whole number >= 0 (NumPy's SeedSequence refuses negative ones) or None."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(
            f"the seed {seed!r} is not a whole number >= 0",
            field=field,
            expected="a seed such as 0, 1 or 42",
        )


#: Peak memory of one model run beyond a fixed 128 MiB, in bytes per unit of its cost driver:
#: ``(per n*m, per n^2*m)`` with n actors and m dimensions. Measured with tracemalloc
#: (benchmarks/bench_large_inputs.py, docs/performance.md) and rounded up.
MODEL_MEMORY: dict[str, tuple[float, float]] = {
    "compromise": (200.0, 0.0),
    "median": (200.0, 0.0),
    "agenda_pull": (200.0, 0.0),
    "nash": (400.0, 0.0),
    "exchange": (2000.0, 80.0),
    "bdm": (2000.0, 240.0),
    "smp": (2000.0, 240.0),
}

#: Models whose work grows as n^3 per round (every voter weighs every pair of actors).
CUBIC_MODELS = ("bdm", "smp")

#: Actors for the cubic models (bdm: 8 rounds of n^3 votes; smp: up to 100 turns).
CUBIC_ACTORS = Limit(
    "the number of actors for bdm and smp (their work grows as n^3)",
    500,
    "ACCORD_MAX_CUBIC_ACTORS",
    "set ACCORD_MAX_CUBIC_ACTORS=N (expect minutes to hours), or run many scenarios with "
    "`accord sweep` (Dask)",
)


def model_memory_bytes(name: str, n: int, m: int) -> float:
    """Estimated peak memory of a model run, in bytes.

    Estimated peak bytes of model ``name`` on ``n`` actors and ``m`` dimensions (an unknown
    model is assumed quadratic, like the worst registered one).
    """
    linear, quadratic = MODEL_MEMORY.get(name, (2000.0, 240.0))
    return 128 * MB + linear * n * m + quadratic * n * n * m


def check_model(name: str, n: int, m: int) -> None:
    """Refuse a model run over the actor limit or the memory budget.

    Refuse a model run over the cubic models' actor limit or whose estimated memory exceeds
    the budget (:func:`check_memory`); called before the model allocates anything.
    """
    if name in CUBIC_MODELS:
        CUBIC_ACTORS.check(n, what=f"{name}: the number of actors")
    check_memory(model_memory_bytes(name, n, m), f"{name} on {n:,} actors and {m} dimension(s)")


ALL: tuple[Limit, ...] = (
    FILE_MB,
    ACTORS,
    CUBIC_ACTORS,
    DIMENSIONS,
    ISSUES,
    ROUNDS,
    RUNS,
    DRAWS,
    HORIZON,
    MEMORY,
)


def check_scenario_size(actors: int, issues: int, dimensions: int, file: str | None) -> None:
    """Refuse a scenario over the actor, issue or dimension limits (``file`` named)."""
    ACTORS.check(actors, file=file, field="actors")
    ISSUES.check(issues, file=file, field="issues")
    DIMENSIONS.check(dimensions, what="the number of dimensions of an issue", file=file)


# ---------------------------------------------------------------------- time limits


class TimeLimitError(UsageError):
    """The work ran past the deadline set by :func:`deadline` (and stopped there)."""


_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("accord_deadline", default=None)


@contextmanager
def deadline(seconds: float, start: float | None = None) -> Iterator[None]:
    """Stop the work inside the block at the first :func:`check_deadline` after ``seconds``.

    The deadline is cooperative: a Python thread cannot be stopped from outside, so the
    expensive steps (YAML walking, expression compiling and bounds, war-game checks, the
    importers' rows) call :func:`check_deadline`, and the work ends there with
    :class:`TimeLimitError`. It lives in a context variable, so it bounds only the thread (or
    task) that set it; without one, :func:`check_deadline` does nothing (the command line).

    Args:
        seconds: the time allowed.
        start: the ``time.monotonic()`` the time counts from (default: now), so that a call
            that waited in a queue has only what is left.
    """
    begin = time.monotonic() if start is None else start
    token = _DEADLINE.set((begin + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_deadline() -> None:
    """Raise :class:`TimeLimitError` when the current :func:`deadline` has passed.

    Costs a context-variable read and a clock read, so the loops call it per item.
    """
    current = _DEADLINE.get()
    if current is not None and time.monotonic() > current[0]:
        raise TimeLimitError(
            f"the work took longer than {current[1]:g} s and was stopped",
            expected="a smaller or simpler input",
        )
