"""Read a programme file and check its links against a scenario.

Read a programme file (YAML) into a :class:`~accord.programme.model.ProgrammeBook`, and check
its links against a scenario.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from accord.errors import ScenarioError, UsageError
from accord.programme.model import ProgrammeBook
from accord.scenario.schema import Scenario
from accord.scenario.yaml_io import parse_yaml, read_text


def _field(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def loads_programmes(text: str, source: str = "<text>") -> ProgrammeBook:
    """Parse programme YAML; errors name the file, line and field."""
    parsed = parse_yaml(text, source)
    try:
        return ProgrammeBook.model_validate(parsed.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise ScenarioError(
            first["msg"],
            file=source,
            line=parsed.line_for(loc),
            field=_field(loc) or None,
            expected="a programme file as in docs/japan-nato.md",
        ) from None


def load_programmes(path: str | os.PathLike[str]) -> ProgrammeBook:
    """Read the programme file at ``path``."""
    target = Path(path)
    if not target.is_file():
        raise UsageError(f"no such file: {target}", field="FILE", expected="a programme YAML file")
    return loads_programmes(read_text(target), target.name)


def unresolved_links(book: ProgrammeBook, scenario: Scenario) -> list[str]:
    """Links of a programme that name no issue or dimension of the scenario.

    Links (``ISSUE`` or ``ISSUE:DIMENSION``) that name no issue or dimension of ``scenario``,
    as ``"PROGRAMME/ITEM -> LINK"``.
    """
    dims = {i.id: {d.id for d in i.dimensions} for i in scenario.issues}
    bad: list[str] = []
    for programme in book.programmes:
        for item in [*programme.objectives, *programme.areas]:
            for link in item.issues:
                issue, _, dim = link.partition(":")
                if issue not in dims or (dim and dim not in dims[issue]):
                    bad.append(f"{programme.id}/{item.id} -> {link}")
    return bad
