"""Game files: one game's event log together with the scenario it was played on.

A game file is canonical JSON (sorted keys, compact)::

    {"format": "accord-wargame-game/1",
     "scenario": {"source": "scenario.yaml", "sha256": "...", "text": "<the YAML>"},
     "events": [ ...the event log, as accord.wargame.log.dump_log writes it... ]}

so that ``accord wargame replay``, ``branch`` and ``review`` need nothing else. A bare event log
(a JSON list from :func:`~accord.wargame.log.dump_log`) is read too; then the scenario must be
given separately.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from accord.errors import ScenarioError
from accord.wargame.loader import CompiledScenario, loads_wargame
from accord.wargame.log import Event, load_log

FORMAT = "accord-wargame-game/1"


@dataclass(frozen=True)
class GameFile:
    """A logged game and, if known, its scenario's YAML text and source name."""

    events: list[Event]
    scenario_text: str | None = None
    scenario_source: str | None = None

    def scenario(self) -> CompiledScenario | None:
        """The compiled scenario, or ``None`` if the file does not carry it."""
        if self.scenario_text is None:
            return None
        return loads_wargame(self.scenario_text, self.scenario_source or "<scenario>")


def dump_game(events: Sequence[Event], scenario_text: str, scenario_source: str) -> str:
    """Canonical JSON of a game file (byte-identical for identical games)."""
    data = {
        "format": FORMAT,
        "scenario": {
            "source": scenario_source,
            "sha256": hashlib.sha256(scenario_text.encode("utf-8")).hexdigest(),
            "text": scenario_text,
        },
        "events": [e.model_dump(mode="json") for e in events],
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def loads_game(text: str, source: str = "<game>") -> GameFile:
    """Read a game file or a bare event log.

    Raises:
        ScenarioError: not JSON, an unknown format, or a bad event.
    """
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"not JSON: {exc.msg}", file=source, line=exc.lineno, expected="a game file"
        ) from None
    except ValueError as exc:  # NaN or Infinity, refused by _no_constant
        raise ScenarioError(str(exc), file=source, expected="finite numbers") from None
    except RecursionError:
        raise ScenarioError(
            "the JSON is nested too deeply", file=source, expected="a game file"
        ) from None
    if isinstance(data, list):
        return GameFile(load_log(text, source))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ScenarioError(
            "not an accord game file",
            file=source,
            field="format",
            expected=f"'{FORMAT}' or a JSON list of events",
        )
    scenario = data.get("scenario")
    if not isinstance(scenario, dict) or not isinstance(scenario.get("text"), str):
        raise ScenarioError(
            "the game file has no scenario text", file=source, field="scenario.text"
        )
    events = load_log(json.dumps(data.get("events", [])), source)
    game = GameFile(events, scenario["text"], str(scenario.get("source") or source))
    _check_names(game, source)
    return game


def _no_constant(name: str) -> float:
    raise ValueError(f"the number {name} is not allowed in a game file")


def _check_names(game: GameFile, source: str) -> None:
    """Check that every variable an event changes is one of the scenario's.

    Every variable an event changes or sets is one of the scenario's (a tampered file may
    name others); the scenario itself is checked by loading it.
    """
    try:
        compiled = game.scenario()
    except ScenarioError as exc:
        raise ScenarioError(
            f"the scenario it carries is refused ({exc.location}: {exc.message})",
            file=source,
            field="scenario.text",
            expected=exc.expected or "a valid war-game scenario",
        ) from None
    if compiled is None:
        return
    known = set(compiled.variables) | set(compiled.gates)
    for index, event in enumerate(game.events):
        for field in ("changes", "values", "sampled"):
            names = getattr(event, field, None) or {}
            unknown = sorted(set(names) - known)
            if unknown:
                raise ScenarioError(
                    f"event {index} ({event.kind}) names unknown variable '{unknown[0]}'",
                    file=source,
                    field=f"events[{index}].{field}",
                    expected="the variables of the game's scenario (the file was edited?)",
                )


def load_game(path: str | Path) -> GameFile:
    """Read a game file (or bare log) from disk."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(
            f"no such file: {p}", file=p.name, expected="a game file or event log (JSON)"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the file ({exc})", file=p.name) from None
    return loads_game(text, p.name)
