"""Shared pieces of the command line: consoles, output formats, the progress bar, JSON output.

Every command module in this package imports from here, never from :mod:`accord.cli` (which imports them).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table as Table  # re-exported: the command modules import it here

    from accord.scenario.schema import Scenario
else:

    def Table(*args: Any, **kwargs: Any) -> Any:
        """A table: a :class:`accord.cli.plain.PlainTable` or, with other options, rich's.

        Loading rich at import would cost every start, ``--help`` included, about a fifth of its
        time (docs/performance.md); a plain table is printed without rich where rich would
        print the same characters (:mod:`accord.cli.plain`).
        """
        if not args and set(kwargs) <= {"title"}:
            from accord.cli.plain import PlainTable

            return PlainTable(**kwargs)
        from rich.table import Table as RichTable

        return RichTable(*args, **kwargs)


class _LazyConsole:
    """A rich console made on first use, so that importing the command line loads no rich."""

    def __init__(
        self,
        make: Callable[[], Console],
        stream: Callable[[], Any],
        width: Callable[[], int | None],
    ) -> None:
        self._make = make
        self._stream = stream
        self._width = width
        self._console: Console | None = None

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Print as the rich console does; without loading rich where it writes plain text."""
        from accord.cli.plain import PlainTable, render, writes_plain

        if self._console is None:
            stream = self._stream()
            if writes_plain(stream):
                text = render(objects, kwargs, self._width())
                if text is not None:
                    stream.write(text)
                    return
        objects = tuple(o.to_rich() if isinstance(o, PlainTable) else o for o in objects)
        self.get().print(*objects, **kwargs)

    def get(self) -> Console:
        """The console itself, made now if it was not yet."""
        if self._console is None:
            self._console = self._make()
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


def _stdout_console() -> Console:
    from accord.cli.console import FittingConsole, stdout_width

    return FittingConsole(highlight=False, soft_wrap=True, width=stdout_width())


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


#: The consoles of stdout (tables fitted to the width: :mod:`accord.cli.console`) and stderr.
out = cast("Console", _LazyConsole(_stdout_console, lambda: sys.stdout, lambda: _stdout_width()))
err = cast("Console", _LazyConsole(_stderr_console, lambda: sys.stderr, lambda: None))


def _stdout_width() -> int | None:
    from accord.cli.plain import PIPE_WIDTH

    return None if sys.stdout.isatty() else PIPE_WIDTH


def print_error(text: str) -> None:
    """One line on stderr, never wrapped or styled (Rich would wrap at the terminal width).

    Control characters are shown escaped (:func:`accord.errors.one_line`).
    """
    from accord.errors import one_line

    sys.stderr.write(one_line(text, 2000) + "\n")
    sys.stderr.flush()


class Format(StrEnum):
    """Output format of a command that can print a table, JSON or CSV."""

    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
    """Output format of a command that can print a table or JSON."""

    table = "table"
    json = "json"


FileArg = Annotated[Path, typer.Argument(help="Scenario file: accord YAML or an import format.")]

RULE_HELP = (
    "Override the decision rule: consensus, unanimity, simple-majority, "
    "qualified-majority[:Q], weighted[:Q], eu-nice, eu-lisbon."
)
RuleOpt = Annotated[str | None, typer.Option(help=RULE_HELP)]

INPUTS_HELP = (
    "Where the stances come from: 'record' (as the file codes them from what each actor said or "
    "did) or 'formulas' (the sensitivity in which the file's position_formulas replace the "
    "stances of the actors they list)."
)
InputsOpt = Annotated[str, typer.Option("--inputs", help=INPUTS_HELP)]


def load_with_inputs(file: Path, inputs: str) -> Scenario:
    """Load a scenario file and apply ``--inputs`` (:func:`accord.scenario.derive.apply_inputs`)."""
    import gc

    from accord.scenario.importers.common import paused_gc
    from accord.scenario.io import load

    with paused_gc():  # the collector must not walk a large import before the freeze
        scenario = load(file)
        if inputs != "record":  # the stances as stated: the formulas module loads only when asked
            from accord.scenario.derive import apply_inputs

            scenario = apply_inputs(scenario, inputs)
        if len(scenario.actors) > 10_000:
            # a large scenario lives until the command ends: move it out of the collector's
            # way, so that its objects are not walked again on every later collection (issue 15)
            gc.freeze()
    return scenario


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, so that stdout stays clean for JSON and CSV."""
    from accord.cli.plain import is_terminal

    terminal = is_terminal(sys.stderr)
    if not enabled or not (err.is_terminal if terminal is None else terminal):
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # no refresh thread (auto_refresh=False): the bar redraws on progress, at most 10 times a
    # second, so that a report can still fork its side analyses (accord.analysis.case.can_fork)
    console = cast(_LazyConsole, err).get()
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(label, total=None)
        last = [0.0]

        def update(done: int, total: int) -> None:
            now = time.monotonic()
            redraw = now - last[0] >= 0.1 or done >= total
            if redraw:
                last[0] = now
            bar.update(task, completed=done, total=total, refresh=redraw)

        yield update


def print_json(data: Any) -> None:
    """Print ``data`` on stdout as indented JSON (UTF-8, not ASCII-escaped)."""
    from accord.json_text import dumps  # json.dumps(indent=2)'s text, faster (issue 15)

    sys.stdout.write(dumps(data) + "\n")


def fmt_values(values: Any) -> str:
    """Numbers as ``"1.000, 2.500"`` for a table cell; ``"-"`` for ``None``."""
    if values is None:
        return "-"
    return ", ".join(f"{float(v):.3f}" for v in values)


def headline(exc: Exception) -> str:
    """The one line for an input error.

    A file with several problems gives its first (in file order) and a count of the others.
    """
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and len(errors) > 1:
        return f"{errors[0]} [and {len(errors) - 1} more problem(s) in this input]"
    if isinstance(errors, list) and errors:
        return str(errors[0])
    return str(exc)


def naming(exc: Exception, file: Path) -> Exception:
    """``exc`` naming ``file`` as its location when it names none.

    ``exc`` with ``file`` as its location when it names none (a model's error does not know
    the file it read), so that every refusal names the file.
    """
    from accord.errors import AccordError

    if isinstance(exc, AccordError) and not exc.location.file:
        exc.location.file = file.name
        exc.args = (str(exc),)
    return exc
