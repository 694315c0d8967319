"""Errors that users see.

Every failure caused by input (a scenario file, a CLI argument, an HTTP body) is raised as an
:class:`AccordError` carrying where it happened and what was expected, so that the CLI and the
web app can print one clear line instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest message printed; the rest of a runaway message (a huge value quoted back) is cut.
MAX_MESSAGE = 600


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    r"""Make ``text`` one printable line, escaping control characters.

    ``text`` as one printable line: control characters (newlines, NUL, escape sequences,
    Unicode line separators) shown escaped as ``\n``, ``\x00``, ``\u2028``; cut at
    ``limit`` characters with ``...``.
    """
    out: list[str] = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            escaped = ch.encode("unicode_escape").decode("ascii")
            out.append(escaped)
    line = "".join(out)
    return line if len(line) <= limit else line[: limit - 3] + "..."


@dataclass
class Location:
    """Where in an input the problem is: a file, a 1-based line, and a dotted field path."""

    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)


class AccordError(Exception):
    """A problem with user input, reported as 'where: what (expected ...)'."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.location = Location(file=file, line=line, field=field)
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        where = one_line(str(self.location), 200)
        message = one_line(self.message)
        text = f"{where}: {message}" if where else message
        if self.expected:
            text += f" (expected {one_line(self.expected, 300)})"
        return text


class ScenarioError(AccordError):
    """A scenario file (YAML or an imported format) is malformed or inconsistent."""


class UsageError(AccordError):
    """A CLI argument or API call asks for something that does not exist or does not fit."""
