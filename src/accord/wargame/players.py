r"""Automated players behind the same interface a human team uses (:class:`~.view.Player`).

* :class:`DoctrinePlayer`: the actor's ``doctrine`` rules, in order: every rule whose condition
  holds on the actor's picture of the state orders its action, if that action is available.
* :class:`UtilityPlayer`: chooses the available action with the best expected utility,
  :math:`EU(a) = \sum_o p_o\,U(s_o)` with :math:`U(s) = \sum_v w_v s_v` over the actor's
  ``preferences`` (weights ``w_v``), the outcomes ``o`` being success (probability ``p``) and
  failure (``1 - p``) for an adjudicated action, and the action's sure effects otherwise. It
  orders it only if it beats doing nothing (:math:`EU(a) > U(s)`); ties go to the earlier action.
  ``max_actions`` > 1 takes that many of the best actions.
* :class:`HumanPlayer`: a queue that a web or console front end fills with :meth:`submit`.
* :class:`ScriptedPlayer`: fixed orders by turn (tests, replays of a recorded game).

Automated players see only their :class:`~.view.View`. Variables hidden from them are replaced by
their *belief*: the scenario's initial value (the prior a team starts with).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from accord.errors import UsageError
from accord.wargame.effects import environment, resolve
from accord.wargame.loader import ChangeSet, CompiledScenario
from accord.wargame.view import Order, Player, View


def belief(scenario: CompiledScenario, view: View) -> dict[str, float]:
    """The actor's picture of the state: visible values, hidden ones at their initial value."""
    values = {v.id: v.initial for v in scenario.spec.variables}
    values.update(view.values)
    opened = {g: status == "open" for g, status in view.gates.items()}
    return environment(scenario, values, opened, view.turn)


class PassivePlayer:
    """Never orders anything."""

    needs_debrief = False

    def orders(self, view: View) -> list[Order]:
        """No orders."""
        return []


class ScriptedPlayer:
    """Orders the given action ids at the given turns."""

    needs_debrief = False

    def __init__(self, script: Mapping[int, Sequence[str]]) -> None:
        self.script = {int(t): list(a) for t, a in script.items()}

    def orders(self, view: View) -> list[Order]:
        """The scripted actions of this turn."""
        return [Order(view.actor, a) for a in self.script.get(view.turn, [])]


class HumanPlayer:
    """A human team: orders submitted before the turn are played (then the queue empties)."""

    def __init__(self) -> None:
        self._queue: dict[str, list[str]] = {}
        self.last_view: View | None = None

    def submit(self, actor: str, actions: Sequence[str]) -> None:
        """Queue ``actions`` as the orders of ``actor`` for the next turn."""
        self._queue[actor] = list(actions)

    def orders(self, view: View) -> list[Order]:
        """The queued orders of the viewing actor (the queue then empties)."""
        self.last_view = view
        return [Order(view.actor, a) for a in self._queue.pop(view.actor, [])]


class DoctrinePlayer:
    """If-then rules from the scenario (``actors[].doctrine``) for one actor."""

    needs_debrief = False

    def __init__(self, scenario: CompiledScenario, actor: str) -> None:
        if actor not in scenario.doctrine:
            raise UsageError(f"no actor '{actor}'", field="actor")
        self.scenario = scenario
        self.rules = scenario.doctrine[actor]

    def orders(self, view: View) -> list[Order]:
        """The available actions whose doctrine conditions hold on the actor's belief."""
        env = belief(self.scenario, view)
        chosen: list[str] = []
        for condition, action in self.rules:
            if action in view.available and action not in chosen and condition.truth(env):
                chosen.append(action)
        return [Order(view.actor, a) for a in chosen]


class UtilityPlayer:
    """Best expected utility over the actor's ``preferences`` (see the module docstring)."""

    needs_debrief = False

    def __init__(
        self,
        scenario: CompiledScenario,
        actor: str,
        preferences: Mapping[str, float] | None = None,
        max_actions: int = 1,
    ) -> None:
        spec = {a.id: a for a in scenario.spec.actors}
        if actor not in spec:
            raise UsageError(f"no actor '{actor}'", field="actor")
        self.scenario = scenario
        self.weights = dict(preferences if preferences is not None else spec[actor].preferences)
        for name in self.weights:
            if name not in scenario.lo:
                raise UsageError(f"unknown variable '{name}'", field=f"preferences.{name}")
        self.max_actions = max_actions

    def utility(self, values: Mapping[str, float]) -> float:
        """The actor's utility, the preference-weighted sum of ``values``."""
        return sum(w * values[v] for v, w in self.weights.items())

    def expected_utility(self, action: str, env: Mapping[str, float]) -> float:
        """:math:`EU(a)` on the environment ``env``."""
        sc = self.scenario
        base: list[ChangeSet] = [sc.action_changes[action], sc.action_costs[action]]
        where = f"actions.{action}"
        prob = sc.probabilities.get(action)
        if prob is None:
            return self.utility({**env, **resolve(sc, env, base, where)})
        p = min(max(prob.value(env), 0.0), 1.0)
        win = {**env, **resolve(sc, env, [*base, sc.successes[action]], where)}
        lose = {**env, **resolve(sc, env, [*base, sc.failures[action]], where)}
        return p * self.utility(win) + (1.0 - p) * self.utility(lose)

    def orders(self, view: View) -> list[Order]:
        """Up to ``max_actions`` available actions that raise expected utility, best first."""
        env = belief(self.scenario, view)
        now = self.utility(env)
        scored = [(self.expected_utility(a, env), -i, a) for i, a in enumerate(view.available)]
        scored.sort(reverse=True)
        best = [a for eu, _, a in scored if eu > now + 1e-12][: self.max_actions]
        return [Order(view.actor, a) for a in best]


def default_players(scenario: CompiledScenario) -> dict[str, Player]:
    """The automated players of a scenario's actors.

    A doctrine player for each actor with doctrine, else a utility player for each actor
    with preferences; other actors pass.
    """
    out: dict[str, Player] = {}
    for actor in scenario.spec.actors:
        if actor.doctrine:
            out[actor.id] = DoctrinePlayer(scenario, actor.id)
        elif actor.preferences:
            out[actor.id] = UtilityPlayer(scenario, actor.id)
    return out
