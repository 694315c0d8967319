"""Tables and lines written without rich, where rich would write exactly the same characters.

Loading rich and rendering one table through it costs a small forecast about a tenth of its
time. Where the output is not a terminal (a pipe, a file, CI logs, a test's capture) rich writes
no styles, and a table of plain ASCII cells is a fixed pattern of box-drawing characters: the
title on its own line, then rich's ``HEAVY_HEAD`` box, each cell padded by one space, each column
as wide as its longest cell, capped by :func:`fit` as :class:`accord.cli.console.FittingConsole`
caps it. :func:`render` writes that pattern, and returns ``None`` for anything else (a terminal,
``FORCE_COLOR``, console markup or emoji codes in the text, wide or control characters, a table
that still would not fit), which rich then prints. ``tests/unit/test_fast_start.py`` checks the
two against each other on generated tables and lines.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import Any, TextIO

#: Width of stdout when it is not a terminal (rich would use 80): see :mod:`accord.cli.console`.
PIPE_WIDTH = 120
#: A column is never shortened below this many characters (or its longest cell).
MIN_CELL = 14

#: What rich reads as console markup (``[bold]``) or an emoji code (``:smile:``).
_RICH_SYNTAX = re.compile(r"\[|:\S*?:")


class PlainTable:
    """A table with a title, named columns and rows: what the command line's tables hold.

    It records its columns and rows, with any of rich's options for them; :func:`render` writes
    it when it has none, and :meth:`to_rich` gives the rich table with the same content.
    """

    def __init__(self, title: str | None = None) -> None:
        """A table with an optional title and no columns yet."""
        self.title = title
        self.headers: list[Any] = []
        self.rows: list[tuple[Any, ...]] = []
        self._columns: list[tuple[Any, dict[str, Any]]] = []
        self._rows: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        #: Whether a column or row has an option of rich's (``justify="right"``, ...).
        self.options = False

    def add_column(self, header: Any = "", **options: Any) -> None:
        """Add a column with this header (and rich's column options, if any)."""
        self.headers.append(header)
        self._columns.append((header, options))
        self.options = self.options or bool(options)

    def add_row(self, *cells: Any, **options: Any) -> None:
        """Add a row, one text per column (and rich's row options, if any)."""
        self.rows.append(cells)
        self._rows.append((cells, options))
        self.options = self.options or bool(options)

    def to_rich(self) -> Any:
        """The same table as a rich ``Table``."""
        from rich.table import Table

        table = Table(title=self.title)
        for header, options in self._columns:
            table.add_column(header, **options)
        for cells, options in self._rows:
            table.add_row(*cells, **options)
        return table


def fit(lengths: Sequence[int], width: int) -> int | None:
    """The cap on column widths that fits columns of these natural ``lengths`` in ``width``.

    Water-filling: every column keeps its natural width up to a common cap, never under
    :data:`MIN_CELL`. ``None`` when the columns fit as they are.
    """
    room = width - 3 * len(lengths) - 1  # borders and padding
    if sum(lengths) <= room or not lengths:
        return None
    cap = max(lengths)
    while cap > MIN_CELL and sum(min(n, cap) for n in lengths) > room:
        cap -= 1
    return cap


def _plain_text(text: object) -> bool:
    """Whether rich prints ``text`` unchanged: printable, no markup, no emoji code."""
    return (
        isinstance(text, str)
        and all(line.isprintable() for line in text.split("\n"))
        and not _RICH_SYNTAX.search(text)
    )


def _narrow_text(text: object) -> bool:
    """Whether ``text`` is printable ASCII without markup, so that its width is its length."""
    return isinstance(text, str) and text.isascii() and text.isprintable() and _plain_text(text)


def is_terminal(file: TextIO) -> bool | None:
    """Whether a rich console writing to ``file`` takes it for a terminal (rich's rules).

    ``None`` where only rich can tell (IPython, Windows, IDLE).
    """
    import builtins

    if hasattr(builtins, "get_ipython") or sys.platform == "win32":
        return None
    if getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return None
    tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "1"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    isatty = getattr(file, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:  # a closed file (at the end of a test run, say)
        return False


def writes_plain(file: TextIO) -> bool:
    """Whether rich would write to ``file`` without styles, in UTF-8 box characters."""
    if is_terminal(file) is not False or "JUPYTER_COLUMNS" in os.environ:
        return False
    encoding = (getattr(file, "encoding", "utf-8") or "utf-8").lower()
    return encoding.startswith("utf")


def render_table(table: PlainTable, width: int) -> str | None:
    """The characters rich prints for ``table`` on a console of ``width`` columns.

    ``None`` where the table needs rich: an option of rich's on a column or row, a cell or
    title that is not plain ASCII text, or columns that do not fit even when capped.
    """
    columns = len(table.headers)
    if table.options or not columns or any(len(row) != columns for row in table.rows):
        return None
    texts = [table.headers, *table.rows]
    if not all(_narrow_text(cell) for row in texts for cell in row):
        return None
    if table.title is not None and not _plain_text(table.title):
        return None
    widths = [max(len(row[i]) for row in texts) for i in range(columns)]
    cap = fit(widths, width)
    if cap is not None:
        if cap < 1:
            return None
        widths = [min(w, cap) for w in widths]
    if sum(widths) + 3 * columns + 1 > width:
        return None  # rich would shrink or wrap the columns further

    def line(cells: Sequence[str], edge: str, sep: str) -> str:
        padded = []
        for cell, w in zip(cells, widths, strict=True):
            if len(cell) > w:
                cell = cell[: w - 1] + "…"
            padded.append(f" {cell:<{w}} ")
        return edge + sep.join(padded) + edge

    def rule(left: str, fill: str, sep: str, right: str) -> str:
        return left + sep.join(fill * (w + 2) for w in widths) + right

    lines = [table.title] if table.title else []
    lines.append(rule("┏", "━", "┳", "┓"))
    lines.append(line(table.headers, "┃", "┃"))
    lines.append(rule("┡", "━", "╇", "┩"))
    lines.extend(line(row, "│", "│") for row in table.rows)
    lines.append(rule("└", "─", "┴", "┘"))
    return "\n".join(lines) + "\n"


def render(objects: Sequence[object], kwargs: dict[str, Any], width: int | None) -> str | None:
    """What rich's ``Console.print(*objects, **kwargs)`` writes, or ``None`` if rich must.

    Args:
        objects: what is printed: one plain table or one line of text is written here.
        kwargs: the keyword arguments of ``print``: any makes rich print.
        width: the console's width; ``None`` (rich measures it) makes a table print by rich.
    """
    if kwargs or len(objects) != 1:
        return None
    (item,) = objects
    if isinstance(item, PlainTable):
        return None if width is None else render_table(item, width)
    if _plain_text(item):
        return f"{item}\n"
    return None
