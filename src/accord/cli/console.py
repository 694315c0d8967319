"""The stdout console of the command line: tables fitted to the terminal's width.

Loaded on first output (:data:`accord.cli.common.out`), so that starting the command line, and
``accord --help``, loads no rich.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console

from accord.cli.plain import MIN_CELL as MIN_CELL
from accord.cli.plain import PIPE_WIDTH, PlainTable, fit


class FittingConsole(Console):
    """The stdout console: tables fitted to the width.

    Tables take the terminal's width (``PIPE_WIDTH`` when not a terminal), and a cell too long
    for its column is shortened with an ellipsis instead of wrapping over several lines.
    """

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Print as rich does, each table fitted to the width first."""
        from rich.table import Table

        objects = tuple(o.to_rich() if isinstance(o, PlainTable) else o for o in objects)
        for item in objects:
            if isinstance(item, Table):
                self._fit(item)
        super().print(*objects, **kwargs)

    def _fit(self, table: Any) -> None:
        """Cap the longest columns so the table fits the width.

        Water-filling: every column keeps its natural width up to a common cap, never under
        ``MIN_CELL``.
        """
        lengths = []
        for column in table.columns:
            column.no_wrap = True
            column.overflow = "ellipsis"
            cells = [column.header, *column._cells]
            lengths.append(max((len(str(c)) for c in cells), default=0))
        cap = fit(lengths, self.width)
        if cap is None:
            return
        for column, n in zip(table.columns, lengths, strict=True):
            if n > cap:
                column.max_width = cap


def stdout_width() -> int | None:
    """The width for the stdout console.

    ``None`` (rich measures it) on a terminal, else :data:`PIPE_WIDTH`.
    """
    # A terminal is measured by rich; anything else (a pipe, a file, CI logs) gets PIPE_WIDTH,
    # whatever COLUMNS says (test runners and CI set it to 80).
    return None if sys.stdout.isatty() else PIPE_WIDTH
