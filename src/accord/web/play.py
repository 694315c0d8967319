"""War-game play through the web: games rebuilt from the stored log, fog-of-war views,
proposals, overrides and turn release.

The database is the only state. Each request rebuilds the :class:`~accord.wargame.Game` from the
stored events (compiled scenarios are cached by their SHA-256), so a server killed at any moment
restarts with every order and event it had acknowledged:

* an order submission is one committed row (``web_orders``) before the reply;
* an override is one committed event;
* releasing turn *T* plays it (the same engine call as the proposal: same seed, same orders,
  same overrides give the same events) and commits all of turn *T*'s events in ONE transaction,
  so a crash leaves either the whole turn or none of it (the orders stay, and the facilitator
  releases again).

A release names its turn (``{"turn": N}``); any turn but the next one is refused. A per-game lock
serialises overrides, releases and order submissions within the server process; the events'
primary key (game, seq) refuses a second release of the same turn from anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.errors import UsageError
from accord.wargame import Game, loads_wargame
from accord.wargame.loader import CompiledScenario
from accord.wargame.log import Event
from accord.wargame.players import DoctrinePlayer, PassivePlayer, UtilityPlayer
from accord.wargame.review import describe
from accord.wargame.view import Player, audience_log, debrief
from accord.web.db import OrderRecord, WebStore

AUTO_PLAYERS = ("doctrine", "utility", "passive")


@dataclass(frozen=True)
class Loaded:
    """A game rebuilt from the database."""

    id: int
    scenario: CompiledScenario
    game: Game
    title: str

    @property
    def turn(self) -> int:
        """The last released turn (0 before the first)."""
        return self.game.state.turn

    @property
    def next_turn(self) -> int:
        return self.game.state.turn + 1


def team_actors(scenario: CompiledScenario) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for actor, team in scenario.teams.items():
        out.setdefault(team, []).append(actor)
    return out


def audience(scenario: CompiledScenario, team: str | None) -> frozenset[str] | None:
    """Who a viewer is for fog of war: ``None`` (facilitator: everything), a team with its
    actors, or the empty set (an observer: public information only)."""
    if team is None:
        return None
    if team == "":
        return frozenset()
    return frozenset((team, *team_actors(scenario).get(team, [])))


def visible_events(
    scenario: CompiledScenario, events: Sequence[Event], who: frozenset[str] | None
) -> list[Event]:
    """The log as ``who`` may see it: the engine's audience rules
    (:func:`accord.wargame.view.audience_log`: no dice, no seed, no hidden values or events,
    renumbered)."""
    return audience_log(scenario, events, who)


class StaleTurnError(Exception):
    """A release names a turn other than the next one."""


class GameService:
    """Loads, plays and exports web games stored in a :class:`WebStore`."""

    def __init__(self, store: WebStore) -> None:
        self.store = store
        self._compiled: dict[str, CompiledScenario] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._loaded: dict[int, Loaded] = {}
        self._guard = threading.Lock()

    def lock(self, game_id: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(game_id, threading.Lock())

    def compiled(self, sha: str) -> CompiledScenario:
        hit = self._compiled.get(sha)
        if hit is None:
            text, source = self.store.runs.scenario_text(sha)
            hit = loads_wargame(text, source)
            self._compiled[sha] = hit
        return hit

    # ------------------------------------------------------------------ create and load

    def create(
        self, text: str, source: str, ref: str, title: str, seed: int, facilitator_id: int
    ) -> int:
        scenario = loads_wargame(text, source)
        sha = self.store.runs.add_scenario(text, source, scenario.spec.id)
        self._compiled.setdefault(sha, scenario)
        game_id = self.store.runs.start_game(sha, scenario.spec.id, seed, label=title[:255])
        game = Game(scenario, seed)
        self.store.runs.append_events_atomic(game_id, game.events)
        self.store.add_game(game_id, title, ref, facilitator_id, list(scenario.spec.teams))
        return game_id

    def load(self, game_id: int) -> Loaded:
        """The game rebuilt from its stored log. The log only grows, so a game rebuilt earlier
        with as many events as are stored now is the same game: it is reused (a cache per
        process; the database stays the only state). A reuse costs one query."""
        head = self.store.game_head(game_id)
        if head is None:
            raise KeyError(game_id)
        record, sha, stored = head
        hit = self._loaded.get(game_id)
        if hit is not None and len(hit.game.events) == stored:
            return Loaded(game_id, hit.scenario, hit.game, record.title)
        scenario = self.compiled(sha)
        events = self.store.runs.events(game_id)
        game = Game(scenario, events=events)
        loaded = Loaded(game_id, scenario, game, record.title)
        if len(self._loaded) >= 64:
            self._loaded.clear()
        self._loaded[game_id] = loaded
        return loaded

    # ------------------------------------------------------------------ orders

    def effective_orders(self, loaded: Loaded) -> dict[str, list[str]]:
        """actor -> actions of the latest submission per actor for the next turn."""
        out: dict[str, list[str]] = {}
        for order in self.store.orders(loaded.id, loaded.next_turn):
            out[order.actor] = order.actions
        return out

    def submit(
        self,
        game_id: int,
        team: str,
        actor: str,
        actions: Sequence[str],
        user_id: int,
        client_key: str | None,
    ) -> tuple[OrderRecord, bool]:
        with self.lock(game_id):
            loaded = self.load(game_id)
            if loaded.game.ended:
                raise UsageError("the game has ended", field="orders")
            if loaded.scenario.teams.get(actor) != team:
                raise UsageError(
                    f"actor '{actor}' is not in team '{team}'",
                    field="actor",
                    expected="one of " + ", ".join(team_actors(loaded.scenario).get(team, [])),
                )
            own = {a.id for a in loaded.scenario.spec.actions if a.actor == actor}
            for action in actions:
                if action not in own:
                    raise UsageError(
                        f"'{action}' is not an action of '{actor}'",
                        field="actions",
                        expected="one of " + ", ".join(sorted(own)),
                    )
            if len(set(actions)) != len(actions):
                raise UsageError("an action is listed twice", field="actions")
            return self.store.add_order(
                game_id, loaded.next_turn, team, actor, actions, user_id, client_key
            )

    # ------------------------------------------------------------------ adjudication

    def players(self, loaded: Loaded) -> dict[str, Player]:
        scenario = loaded.scenario
        actors = team_actors(scenario)
        spec = {a.id: a for a in scenario.spec.actors}
        out: dict[str, Player] = {}
        for team, seat in self.store.seats(loaded.id).items():
            if seat.kind != "auto":
                continue
            for actor in actors.get(team, []):
                kind = seat.player or "doctrine"
                if kind == "doctrine" and spec[actor].doctrine:
                    out[actor] = DoctrinePlayer(scenario, actor)
                elif kind in ("doctrine", "utility") and spec[actor].preferences:
                    out[actor] = UtilityPlayer(scenario, actor)
                else:
                    out[actor] = PassivePlayer()
        return out

    def _play_next(self, loaded: Loaded) -> list[Event]:
        """The events the engine produces for the next turn (nothing is stored)."""
        if loaded.game.ended:
            raise UsageError("the game has ended", expected="a game still in progress")
        players = self.players(loaded)
        submitted = self.effective_orders(loaded)
        orders: dict[str, list[str]] = {}
        for actor in loaded.scenario.teams:
            if actor not in players:
                orders[actor] = submitted.get(actor, [])
        game = Game(loaded.scenario, players=players, events=loaded.game.events)
        before = len(game.events)
        game.step(orders=orders)
        return game.events[before:]

    def proposal(self, game_id: int) -> tuple[Loaded, list[Event]]:
        loaded = self.load(game_id)
        return loaded, self._play_next(loaded)

    def override(
        self,
        game_id: int,
        reason: str,
        values: Mapping[str, float],
        gates: Mapping[str, str],
        force: Mapping[str, bool],
    ) -> Event:
        with self.lock(game_id):
            loaded = self.load(game_id)
            if loaded.game.ended:
                raise UsageError("the game has ended", expected="a game still in progress")
            game = Game(loaded.scenario, events=loaded.game.events)  # the cached one stays as is
            event = game.override(reason, values=values, gates=gates, force=force)
            self.store.runs.append_events_atomic(game_id, [event])
            return event

    def release(self, game_id: int, turn: int) -> list[Event]:
        """Play and store ``turn``, which must be the next one (else :class:`StaleTurnError`).
        Serialised per game in this process; across processes, the events' primary key
        refuses a second release of the same turn (``IntegrityError``)."""
        with self.lock(game_id):
            loaded = self.load(game_id)
            if turn != loaded.next_turn:
                raise StaleTurnError(
                    f"turn {turn} cannot be released: the next turn is turn {loaded.next_turn}"
                )
            events = self._play_next(loaded)
            self.store.runs.append_events_atomic(game_id, events)
            return events

    # ------------------------------------------------------------------ views and exports

    def team_view(self, loaded: Loaded, team: str) -> dict[str, Any]:
        """What a team sees: per actor its fog-of-war view, and the debrief of the last turn."""
        scenario = loaded.scenario
        who = audience(scenario, team)
        assert who is not None
        actors = []
        for actor in team_actors(scenario).get(team, []):
            view = loaded.game.view(actor)
            actors.append(
                {
                    "actor": actor,
                    "values": view.values,
                    "available": list(view.available),
                    "all_actions": [a.id for a in scenario.spec.actions if a.actor == actor],
                }
            )
        brief = debrief(scenario, loaded.game.events, loaded.turn, who) if loaded.turn else ()
        return {
            "team": team,
            "actors": actors,
            "debrief": [
                {"turn": e.turn, "kind": e.kind, "text": describe(e), "changes": dict(e.changes)}
                for e in brief
            ],
        }

    def export_events(self, loaded: Loaded, who: frozenset[str] | None) -> list[dict[str, Any]]:
        return [
            e.model_dump(mode="json")
            for e in visible_events(loaded.scenario, loaded.game.events, who)
        ]

    def export_json(
        self, loaded: Loaded, who: frozenset[str] | None, team: str | None
    ) -> dict[str, Any]:
        orders = self.store.orders(loaded.id, team=team) if who is None or team else []
        return {
            "game": loaded.id,
            "title": loaded.title,
            "scenario": loaded.scenario.spec.id,
            "viewer": "facilitator" if who is None else (team or "observer"),
            "events": self.export_events(loaded, who),
            "orders": [
                {
                    "id": o.id,
                    "turn": o.turn,
                    "team": o.team,
                    "actor": o.actor,
                    "actions": o.actions,
                    "submitted_at": o.created_at,
                }
                for o in orders
            ],
        }

    def export_csv(self, loaded: Loaded, who: frozenset[str] | None, team: str | None) -> str:
        data = self.export_json(loaded, who, team)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["record", "seq", "turn", "kind", "actor", "text", "changes"])
        visible = visible_events(loaded.scenario, loaded.game.events, who)
        for e in visible:
            actor = getattr(e, "actor", "")
            writer.writerow(
                ["event", e.seq, e.turn, e.kind, actor, describe(e), json.dumps(e.changes)]
            )
        for o in data["orders"]:
            writer.writerow(
                ["order", o["id"], o["turn"], "order", o["actor"], " ".join(o["actions"]), ""]
            )
        return buffer.getvalue()


def scenario_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
