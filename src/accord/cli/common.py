"""Shared pieces of the command line: consoles, output formats, the progress bar, JSON output.

Every command module in this package imports from here, never from :mod:`accord.cli` (which imports them).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from accord.scenario.schema import Scenario

#: Width of stdout when it is not a terminal (a pipe, a file, CI logs): rich would use 80.
PIPE_WIDTH = 120
#: A column is never shortened below this many characters (or its longest cell).
MIN_CELL = 14


class FittingConsole(Console):
    """The stdout console: tables take the terminal's width (``PIPE_WIDTH`` when not a
    terminal), and a cell too long for its column is shortened with
    an ellipsis instead of wrapping over several lines."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        from rich.table import Table

        for item in objects:
            if isinstance(item, Table):
                self._fit(item)
        super().print(*objects, **kwargs)

    def _fit(self, table: Any) -> None:
        """Cap the longest columns so the table fits the width (water-filling: every column
        keeps its natural width up to a common cap, never under ``MIN_CELL``)."""
        lengths = []
        for column in table.columns:
            column.no_wrap = True
            column.overflow = "ellipsis"
            cells = [column.header, *column._cells]
            lengths.append(max((len(str(c)) for c in cells), default=0))
        room = self.width - 3 * len(lengths) - 1  # borders and padding
        if sum(lengths) <= room or not lengths:
            return
        cap = max(lengths)
        while cap > MIN_CELL and sum(min(n, cap) for n in lengths) > room:
            cap -= 1
        for column, n in zip(table.columns, lengths, strict=True):
            if n > cap:
                column.max_width = cap


def _stdout_width() -> int | None:
    # A terminal is measured by rich; anything else (a pipe, a file, CI logs) gets PIPE_WIDTH,
    # whatever COLUMNS says (test runners and CI set it to 80).
    return None if sys.stdout.isatty() else PIPE_WIDTH


out = FittingConsole(highlight=False, soft_wrap=True, width=_stdout_width())
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(text: str) -> None:
    """One line on stderr, never wrapped or styled (Rich would wrap at the terminal width);
    control characters are shown escaped (:func:`accord.errors.one_line`)."""
    from accord.errors import one_line

    sys.stderr.write(one_line(text, 2000) + "\n")
    sys.stderr.flush()


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
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

    from accord.scenario.derive import apply_inputs
    from accord.scenario.io import load

    scenario = apply_inputs(load(file), inputs)
    if len(scenario.actors) > 10_000:
        # a large scenario lives until the command ends: move it out of the collector's way,
        # so that its objects are not walked again on every later collection (issue 15)
        gc.freeze()
    return scenario


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, so that stdout stays clean for JSON and CSV."""
    if not enabled or not err.is_terminal:
        yield lambda done, total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def fmt_values(values: Any) -> str:
    if values is None:
        return "-"
    return ", ".join(f"{float(v):.3f}" for v in values)


def headline(exc: Exception) -> str:
    """The one line for an input error: a file with several problems gives its first (in file
    order) and a count of the others."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and len(errors) > 1:
        return f"{errors[0]} [and {len(errors) - 1} more problem(s) in this input]"
    if isinstance(errors, list) and errors:
        return str(errors[0])
    return str(exc)


def naming(exc: Exception, file: Path) -> Exception:
    """``exc`` with ``file`` as its location when it names none (a model's error does not know
    the file it read), so that every refusal names the file."""
    from accord.errors import AccordError

    if isinstance(exc, AccordError) and not exc.location.file:
        exc.location.file = file.name
        exc.args = (str(exc),)
    return exc
