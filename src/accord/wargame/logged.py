"""Logged games: loading a game file or a stored log, replaying it, and branching it at a turn.

The command line (``accord wargame replay|branch|review``) and the web (rebuilding a stored
game) both load logged games through here, so that a log means the same thing at either edge
and every refusal is one line (:class:`accord.errors.UsageError`). A stored game comes from any
store with ``game(id)``, ``events(id)`` and ``scenario_text(sha256)`` (:class:`GameStore`,
e.g. :class:`accord.runs.RunStore`); the store itself stays with its caller, above this layer.
See docs/wargame.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from accord.errors import UsageError

if TYPE_CHECKING:
    from accord.wargame.engine import Game
    from accord.wargame.loader import CompiledScenario
    from accord.wargame.log import Event
    from accord.wargame.state import GameState


class GameStore(Protocol):
    """What loading a stored game needs from a store (:class:`accord.runs.RunStore` has it)."""

    def game(self, game_id: int) -> Any:
        """The stored game's record (with ``scenario_sha256``); raises when there is none."""

    def events(self, game_id: int) -> list[Event]:
        """The game's logged events in order."""

    def scenario_text(self, sha256: str) -> tuple[str, str]:
        """(text, source) of a stored scenario."""


@dataclass
class LoggedGame:
    """A logged game.

    Its compiled scenario (``None`` for a bare log read without one), the scenario's text and
    source, its events and, when it came from a store, its id.
    """

    scenario: CompiledScenario | None
    text: str
    source: str
    events: list[Event]
    game_id: int | None = None

    def game(self, players: Mapping[str, Any] | None = None) -> Game:
        """The game rebuilt from its events (the engine checks them as it folds)."""
        from accord.wargame.engine import Game

        return Game(self.compiled(), players=players, events=self.events)

    def compiled(self) -> CompiledScenario:
        """The scenario; a usage error when the log did not carry it."""
        if self.scenario is None:
            raise UsageError(
                "this log does not carry its scenario",
                field="--scenario",
                expected="--scenario FILE with the scenario the game was played on",
            )
        return self.scenario


def scenario_path(path: Path) -> Path:
    """A scenario file, or the ``scenario.yaml`` inside a scenario folder."""
    if path.is_dir():
        inner = path / "scenario.yaml"
        if not inner.is_file():
            raise UsageError(
                f"no scenario.yaml in folder {path}", field="SCENARIO", expected="a scenario file"
            )
        return inner
    return path


def stored_game(
    store: GameStore,
    game_id: int,
    *,
    compiled: Callable[[str], CompiledScenario] | None = None,
) -> LoggedGame:
    """The stored game ``game_id``; ``compiled(sha256)`` may supply the scenario (a cache)."""
    from accord.wargame.loader import loads_wargame

    info = store.game(game_id)
    events = list(store.events(game_id))
    text, source = store.scenario_text(info.scenario_sha256)
    scenario = compiled(info.scenario_sha256) if compiled else loads_wargame(text, source)
    return LoggedGame(scenario, text, source, events, game_id)


def load_logged(
    log: str,
    *,
    scenario: Path | None = None,
    store: GameStore | None = None,
    need_scenario: bool = True,
) -> LoggedGame:
    """The events and scenario of ``log``.

    A game file (``accord.wargame.gamefile``), a bare event log with ``scenario``, or, with
    ``store``, a number naming a stored game.

    ``scenario`` replaces the scenario the log carries. Without ``need_scenario`` a bare log
    without one gives ``scenario = None`` (a replay needs none).
    """
    from accord.scenario.yaml_io import read_text
    from accord.wargame.gamefile import load_game
    from accord.wargame.loader import loads_wargame

    game_id: int | None = None
    if store is not None and log.strip().isdigit() and not Path(log).is_file():
        game_id = int(log)
        info = store.game(game_id)
        events = list(store.events(game_id))
        text, source = store.scenario_text(info.scenario_sha256)
    else:
        gf = load_game(log)
        events = list(gf.events)
        text, source = gf.scenario_text or "", gf.scenario_source or ""
    if scenario is not None:
        path = scenario_path(scenario)
        text, source = read_text(path, path.name), path.name
    if not events:
        raise UsageError("the log holds no events", field="LOG", expected="a logged game")
    if not text and not need_scenario:
        return LoggedGame(None, "", "", events, game_id)
    loaded = LoggedGame(None, text, source, events, game_id)
    if not text:
        loaded.compiled()  # raises: the log does not carry its scenario
    loaded.scenario = loads_wargame(text, source)
    return loaded


# ---------------------------------------------------------------------- replay


@dataclass(frozen=True)
class Replay:
    """A logged game's state rebuilt up to a turn: the events kept and the folded state."""

    events: list[Event]
    state: GameState

    def summary(self) -> dict[str, Any]:
        """Scenario, seed, turn, event count, outcome, values, gates and agreed decisions."""
        state = self.state
        return {
            "scenario": state.scenario,
            "seed": state.seed,
            "turn": state.turn,
            "events": len(self.events),
            "outcome": state.outcome,
            "values": state.values,
            "gates": {g: s.status for g, s in state.gates.items()},
            "agreed": state.agreed,
        }


def replay(events: Sequence[Event], to_turn: int | None = None) -> Replay:
    """The state after ``to_turn`` (the whole log when ``None``).

    A turn outside the log is a usage error naming the valid ones.
    """
    from accord.wargame.state import fold

    if not events:
        raise UsageError("the log holds no events", field="LOG", expected="a logged game")
    last = max(e.turn for e in events)
    if to_turn is not None and not 0 <= to_turn <= last:
        raise UsageError(
            f"--to-turn {to_turn}", field="--to-turn", expected=f"a turn from 0 to {last}"
        )
    kept = [e for e in events if to_turn is None or e.turn <= to_turn]
    return Replay(kept, fold(kept))


# ---------------------------------------------------------------------- branch


@dataclass
class BranchSettings:
    """What changes at the branch point: values, gates, forced draws and one turn's orders."""

    values: dict[str, float] = field(default_factory=dict)
    gates: dict[str, str] = field(default_factory=dict)
    force: dict[str, bool] = field(default_factory=dict)
    orders: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Branch:
    """A what-if branch: the original game's final state and the branch played to its end."""

    at: int
    original: GameState
    game: Game

    def changed_values(self) -> dict[str, tuple[float | None, float]]:
        """Variable -> (original, branch) final values, where they differ."""
        before = self.original.values
        return {
            k: (before.get(k), v) for k, v in self.game.state.values.items() if before.get(k) != v
        }

    def summary(self) -> dict[str, Any]:
        """The branch turn, both outcomes and agreed decisions, and the values that differ."""
        state = self.game.state
        return {
            "branch_turn": self.at,
            "original": {"outcome": self.original.outcome, "agreed": self.original.agreed},
            "branch": {"outcome": state.outcome, "agreed": state.agreed},
            "changed_values": {
                k: {"original": a, "branch": b} for k, (a, b) in self.changed_values().items()
            },
        }


def branch(
    logged: LoggedGame,
    at: int,
    settings: BranchSettings | None = None,
    reason: str = "what-if branch",
    *,
    players: Mapping[str, Any] | None = None,
    on_branch: Callable[[Game], None] | None = None,
) -> Branch:
    """Re-run ``logged`` from the start of turn ``at`` with ``settings`` applied there, to the end.

    Automated players (``players``, default :func:`default_players`) take every other decision.
    ``on_branch(game)`` sees the branch before it changes (e.g. to store it).
    """
    from accord.wargame.players import default_players
    from accord.wargame.state import fold

    settings = settings or BranchSettings()
    compiled = logged.compiled()
    for actor in settings.orders:
        if actor not in compiled.teams:
            raise UsageError(f"no actor '{actor}'", field=f"--set orders.{actor}")
    from accord.wargame.engine import Game

    original = fold(logged.events)
    base = Game(compiled, players=players or default_players(compiled), events=logged.events)
    game = base.branch(at)
    if on_branch is not None:
        on_branch(game)
    if settings.values or settings.gates or settings.force:
        game.override(reason, values=settings.values, gates=settings.gates, force=settings.force)
    if not game.ended:
        game.step(settings.orders or None)
        game.run()
    return Branch(at, original, game)
