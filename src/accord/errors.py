"""Errors that users see.

Every failure caused by input (a scenario file, a CLI argument, an HTTP body) is raised as an
:class:`AccordError` carrying where it happened and what was expected, so that the CLI and the
web app can print one clear line instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class ScenarioError(AccordError):
    """A scenario file (YAML or an imported format) is malformed or inconsistent."""


class UsageError(AccordError):
    """A CLI argument or API call asks for something that does not exist or does not fit."""
