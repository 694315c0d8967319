"""The scenario library: the shipped scenarios plus those saved or imported through the web.

A scenario is named by a *reference*: ``shipped:<path under scenarios/>`` or ``lib:<id>``.
Each is either a war-game scenario (a file with a top-level ``clock:``) or an accord
negotiation scenario (any format the CLI reads). :func:`validate` checks text the way the CLI
does and reports every problem with its line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from accord.errors import AccordError, UsageError
from accord.limits import TimeLimitError
from accord.web.db import WebStore
from accord.web.security import MAX_ID, check_aliases

_WARGAME = re.compile(r"^clock\s*:", re.MULTILINE)
_TITLE = re.compile(r"^title\s*:\s*(.+?)\s*$", re.MULTILINE)
MAX_SCENARIO_BYTES = 1024 * 1024


def default_scenarios_dir() -> Path:
    """``./scenarios`` when it exists, else the repository's ``scenarios/`` folder."""
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "scenarios"


@dataclass(frozen=True)
class Entry:
    """A scenario of the library: its reference, file name, kind and title."""

    ref: str
    name: str
    kind: str  # "wargame" or "scenario"
    title: str = ""

    @property
    def label(self) -> str:
        """What people read: the scenario's title, else its file name."""
        return self.title or self.name


@dataclass(frozen=True)
class Problem:
    """One problem of a scenario text, with its line and field where known."""

    line: int | None
    field: str | None
    message: str


def title_of(text: str) -> str:
    """The scenario's top-level ``title:`` (first one, quotes stripped), or ``""``."""
    found = _TITLE.search(text)
    if found is None:
        return ""
    title = found.group(1)
    if len(title) > 1 and title[0] == title[-1] == "'":
        title = title[1:-1].replace("''", "'")
    elif len(title) > 1 and title[0] == title[-1] == '"':
        title = title[1:-1]
    return title[:200]


def classify(text: str) -> str:
    """``"wargame"`` for a war-game scenario (it has a ``clock:``), else ``"scenario"``."""
    return "wargame" if _WARGAME.search(text) else "scenario"


def shipped(folder: Path) -> list[Entry]:
    """The shipped scenarios under ``folder`` (``*.yaml`` and ``*/scenario.yaml``)."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*/scenario.yaml"))
    out = []
    for path in files:
        rel = path.relative_to(folder).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        out.append(Entry(f"shipped:{rel}", rel, classify(text), title_of(text)))
    return out


def entries(store: WebStore, folder: Path) -> list[Entry]:
    """Every scenario in the library: shipped ones first, then those saved here."""
    saved = []
    for i, name, kind in store.library():
        item = store.library_item(i)
        saved.append(Entry(f"lib:{i}", name, kind, title_of(item[2]) if item else ""))
    return shipped(folder) + saved


def resolve(store: WebStore, folder: Path, ref: str) -> tuple[str, str, str]:
    """(text, source name, kind) of a scenario reference."""
    prefix, _, rest = ref.partition(":")
    if prefix == "shipped":
        names = {e.ref: e for e in shipped(folder)}
        if ref not in names:
            raise UsageError(f"no shipped scenario '{rest}'", field="scenario")
        text = (folder / rest).read_text(encoding="utf-8")
        return text, Path(rest).name, classify(text)
    # ASCII digits only ('²'.isdigit() is true) and within the ids' column range
    if prefix == "lib" and rest.isascii() and rest.isdigit() and int(rest) <= MAX_ID:
        item = store.library_item(int(rest))
        if item is not None:
            name, kind, text = item
            return text, name, kind
    raise UsageError(
        f"no scenario '{ref}' in the library",
        field="scenario",
        expected="shipped:<file> or lib:<id>",
    )


def validate(
    text: str, source: str, kind: str | None = None, alias_allowance: int = 10_000
) -> tuple[str, list[Problem]]:
    """(kind, problems) of scenario text; no problems means it can be saved and run.

    Raises:
        accord.web.security.BudgetExceededError: YAML aliases that expand beyond the text's size
            plus ``alias_allowance`` values (413), checked before anything is built.
    """
    kind = kind or classify(text)
    if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
        return kind, [Problem(None, None, "the scenario is larger than 1 MiB")]
    check_aliases(text, alias_allowance)
    try:
        if kind == "wargame":
            from accord.wargame import loads_wargame

            loads_wargame(text, source)
        else:
            from accord.scenario.io import loads

            if not loads(text, source):
                return kind, [Problem(None, None, "no scenario in the text")]
    except TimeLimitError:
        raise  # within_budget's deadline: a 422, not a problem of the scenario
    except AccordError as exc:
        loc = exc.location
        text_ = exc.message + (f" (expected {exc.expected})" if exc.expected else "")
        return kind, [Problem(loc.line, loc.field, text_)]
    except Exception as exc:
        return kind, [Problem(None, None, f"cannot read the scenario: {type(exc).__name__}")]
    return kind, []
