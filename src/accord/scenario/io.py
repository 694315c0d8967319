"""Read and write scenarios in any supported format, detected from the file's content.

Formats: accord YAML (``yaml``) and the importers in :data:`IMPORTERS` (``ktab-csv``,
``ktab-xml``, ``bdm-csv``, ``deu-tsv``, ``decide``). :func:`detect_format` asks every importer's
``sniff`` and falls back to YAML; a file claimed by two importers, or by none and not YAML-shaped,
is an error naming the formats tried. Whatever the format, every scenario passes
:func:`accord.scenario.validate.check` before it is returned, and every failure is a
:class:`~accord.errors.ScenarioError` naming the file, the line or field, and what was expected.

Entry points:

- :func:`load`: one scenario (a file holding several is a :class:`~accord.errors.UsageError`).
- :func:`load_all`: every scenario in a file (DEU holds one per issue).
- :func:`import_file`: the same as :func:`load_all`, with the format optionally forced.
- :func:`loads`: the same from text (an HTTP body, a notebook cell).
- :func:`save`: YAML, or an importer's format, written atomically.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from accord import limits
from accord.errors import ScenarioError, UsageError
from accord.scenario import yaml_io
from accord.scenario.importers.common import paused_gc
from accord.scenario.schema import Scenario
from accord.scenario.validate import (
    CombinedScenarioError,
    check,
    format_path,
    problems_error,
)

YAML = "yaml"

#: Importer modules under ``accord.scenario.importers``, asked in this order.
IMPORTERS: tuple[str, ...] = ("ktab_xml", "ktab_csv", "bdm_csv", "deu", "decide")

#: File extensions that name a format when saving.
_EXTENSIONS = {".yaml": YAML, ".yml": YAML, ".xml": "ktab-xml"}


@dataclass(frozen=True)
class Format:
    """One foreign format: its name and its importer module's three functions."""

    name: str
    module: str
    sniff: Callable[[str], bool]
    read: Callable[[str, str], list[Scenario]]
    write: Callable[..., str]


def importers() -> list[Format]:
    """The importer modules present, in :data:`IMPORTERS` order."""
    found: list[Format] = []
    for name in IMPORTERS:
        module_name = f"accord.scenario.importers.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        found.append(
            Format(
                name=str(module.FORMAT),
                module=module_name,
                sniff=cast(Callable[[str], bool], module.sniff),
                read=cast(Callable[[str, str], list[Scenario]], module.read),
                write=cast(Callable[..., str], module.write),
            )
        )
    return found


def formats() -> list[str]:
    """Every format name :func:`load` understands (importers first, ``yaml`` last)."""
    return [f.name for f in importers()] + [YAML]


def _get_format(name: str) -> Format:
    for fmt in importers():
        if fmt.name == name:
            return fmt
    raise UsageError(f"unknown format '{name}'", expected=f"one of {', '.join(formats())}")


_YAML_START = re.compile(
    r"^(---|%YAML|\{|-\s|-$|!|[^\s#,;\t\"'][^,;\t]*?:(\s|$)|[\"'][^\"']*[\"']\s*:)"
)


def _looks_like_yaml(text: str) -> bool:
    """True when the first meaningful line could start a YAML scenario."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return bool(_YAML_START.match(stripped))
    return True  # blank or comments only: YAML reports "the file is empty"


#: The importers whose ``sniff`` :func:`_unclaimable` knows (a new importer turns it off).
_SNIFFS_KNOWN = ("ktab_xml", "ktab_csv", "bdm_csv", "deu", "decide")
_MAYBE_DECIDE = re.compile(r"\s*['\"]?#[APMD]")


def _unclaimable(text: str) -> bool:
    """True when no importer's ``sniff`` can claim ``text``, told without importing them.

    Each test is what the importer's ``sniff`` needs before it can answer yes, loosened:
    ``ktab_xml`` a ``<`` first, ``deu`` a tab on the first line, ``ktab_csv`` a comma (or a
    quote) on the first line, ``bdm_csv`` commas on the first non-blank line, ``decide`` a
    ``#A``/``#P``/``#M``/``#D`` tag starting it. A YAML scenario passes them all, so reading one
    loads no importer (a faster start; ``tests/unit/test_io_detect.py`` checks the implication).
    """
    if IMPORTERS != _SNIFFS_KNOWN or text.lstrip("\ufeff \t\r\n").startswith("<"):
        return False
    body = text.lstrip("\ufeff")
    if "\t" in body.split("\n", 1)[0]:
        return False
    lines = body.splitlines()
    if lines and ("," in lines[0] or '"' in lines[0]):
        return False
    first = next((line for line in lines if line.strip()), "")
    return "," not in first and _MAYBE_DECIDE.match(first) is None


def detect_format(text: str, source: str | None = None) -> str:
    """The format of ``text``: the one importer whose ``sniff`` claims it, else ``yaml``.

    A text no importer can claim (:func:`_unclaimable`) that looks like YAML is YAML without
    asking them.

    Raises:
        ScenarioError: two importers claim the text, or none does and it does not look like
            YAML; the message names the formats tried.
    """
    if _unclaimable(text) and _looks_like_yaml(text):
        return YAML
    claims: list[str] = []
    for fmt in importers():
        try:
            if fmt.sniff(text):
                claims.append(fmt.name)
        except Exception:  # a sniff must not fail on odd input; treat it as "not mine"
            continue
    if len(claims) == 1:
        return claims[0]
    if len(claims) > 1:
        raise ScenarioError(
            f"the content fits several formats ({', '.join(claims)})",
            file=source,
            expected="one format; name it explicitly (e.g. --format " + claims[0] + ")",
        )
    if _looks_like_yaml(text):
        return YAML
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    raise ScenarioError(
        f"cannot tell the file's format (it starts with {first[:40]!r})",
        file=source,
        line=1,
        expected=f"one of the formats tried: {', '.join(formats())}",
    )


def _source_line(scenario: Scenario, path: tuple[str | int, ...]) -> int | None:
    """The input line of a field in an imported scenario.

    The input line of ``path`` in an imported scenario, read from the nearest ``source``
    along the path (importers write ``"<file>, line N"``).
    """
    found: int | None = None
    obj: Any = scenario
    for part in path:
        try:
            obj = (
                obj[part] if isinstance(part, int) or isinstance(obj, dict) else getattr(obj, part)
            )
        except (AttributeError, IndexError, KeyError, TypeError):
            break
        for candidate in (obj, getattr(obj, "position", None), getattr(obj, "capability", None)):
            text = getattr(candidate, "source", None)
            if isinstance(text, str):
                match = re.search(r"\blines? (\d+)\b", text)
                if match:
                    found = int(match.group(1))
                    break
    return found


def _check_size(scenario: Scenario, source: str | None) -> None:
    dims = max((len(issue.dimensions) for issue in scenario.issues), default=0)
    limits.check_scenario_size(len(scenario.actors), len(scenario.issues), dims, source)


def _checked(scenarios: Sequence[Scenario], source: str) -> list[Scenario]:
    """Run :func:`check` on imported scenarios; raise on the first one with problems."""
    for scenario in scenarios:
        limits.check_deadline()  # a web request's time limit; else nothing
        _check_size(scenario, source)
        problems = check(scenario)
        if problems:

            def line_for(path: tuple[str | int, ...], s: Scenario = scenario) -> int | None:
                return _source_line(s, path)

            raise problems_error(problems, file=source, line_for=line_for)
    return list(scenarios)


def _read_foreign(fmt: Format, text: str, source: str) -> list[Scenario]:
    """Call an importer; turn a stray exception into a ScenarioError naming the format."""
    try:
        with paused_gc():
            scenarios = fmt.read(text, source)
    except ScenarioError:
        raise
    except ValidationError as exc:
        errors = [
            ScenarioError(
                yaml_io.translate_error(err)[0],
                file=source,
                field=format_path(tuple(err["loc"])) or None,
                expected=yaml_io.translate_error(err)[1],
            )
            for err in exc.errors()
        ]
        raise CombinedScenarioError(errors) from None
    except (ValueError, KeyError, IndexError, TypeError, ArithmeticError) as exc:
        raise ScenarioError(
            f"cannot read this {fmt.name} file ({type(exc).__name__}: {exc})",
            file=source,
            expected=f"a valid {fmt.name} file",
        ) from None
    if not scenarios:
        raise ScenarioError(
            f"the {fmt.name} file holds no usable scenario", file=source, expected="at least one"
        )
    with paused_gc():
        return _checked(scenarios, source)


def loads(text: str, source: str = "<text>", fmt: str | None = None) -> list[Scenario]:
    """Every scenario in ``text`` (format detected unless ``fmt`` names it)."""
    name = fmt or detect_format(text, source)
    if name == YAML:
        return [yaml_io.loads(text, source)]
    return _read_foreign(_get_format(name), text, source)


def load_all(path: str | os.PathLike[str], fmt: str | None = None) -> list[Scenario]:
    """Every scenario in the file at ``path``: one for YAML and most formats, one per issue for DEU.

    Errors name the file by its base name.
    """
    source = Path(path).name
    text = yaml_io.read_text(path, source)
    return loads(text, source, fmt)


def import_file(path: str | os.PathLike[str], fmt: str | None = None) -> list[Scenario]:
    """Read a file in any supported format into scenarios.

    Read a file in any supported format (``fmt`` forces one) into scenarios, ready to
    :func:`save` as YAML. The same as :func:`load_all`; named for the CLI's ``import``.
    """
    return load_all(path, fmt)


def load(path: str | os.PathLike[str], fmt: str | None = None) -> Scenario:
    """The one scenario in the file at ``path``.

    Raises:
        ScenarioError: the file is malformed or inconsistent.
        UsageError: the file holds several scenarios (DEU data: one per issue).
    """
    scenarios = load_all(path, fmt)
    if len(scenarios) != 1:
        raise UsageError(
            f"the file holds {len(scenarios)} scenarios (one per issue), not one",
            file=Path(path).name,
            expected=(
                "a single-scenario file; use `accord import FILE` to write one YAML per "
                "scenario, or `accord backtest deu FILE` for DEU data"
            ),
        )
    return scenarios[0]


def export_text(scenario: Scenario, fmt: str = YAML, issue_id: str | None = None) -> str:
    """The text of a scenario in a given format.

    The text of ``scenario`` in format ``fmt`` (``issue_id`` picks one issue where the
    format holds one).
    """
    problems = check(scenario)
    if problems:
        raise problems_error(problems, file=None)
    if fmt == YAML:
        if issue_id is not None:
            raise UsageError("YAML holds whole scenarios; issue_id is not used for yaml")
        return yaml_io.dumps(scenario)
    return _get_format(fmt).write(scenario, issue_id)


def save(
    scenario: Scenario,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    issue_id: str | None = None,
) -> None:
    """Write ``scenario`` to ``path`` atomically.

    YAML for ``.yaml``/``.yml``, KTAB XML for ``.xml``, otherwise the format named by ``fmt``.
    """
    name = fmt or _EXTENSIONS.get(Path(path).suffix.lower())
    if name is None:
        raise UsageError(
            f"cannot tell the format to write from the name '{Path(path).name}'",
            expected=f"a .yaml or .xml file, or a format: one of {', '.join(formats())}",
        )
    yaml_io.write_atomic(path, export_text(scenario, name, issue_id))
