"""The turn loop: injects, orders, legal gates, seeded adjudication and group decisions.

One turn ``t`` (:meth:`Game.step`) runs these phases, logging every step as an event
(:mod:`accord.wargame.log`) and folding it into the state at once:

1. ``turn-started``; pending legal gates whose ``opens_at <= t`` open (``gate-opened``).
2. Injects, in file order: a scripted one fires at its turn, a triggered one when its condition
   holds on the state (once, unless ``once: false``); one with a ``probability`` is drawn first.
3. Orders: every actor's orders are collected from the state after the injects (simultaneous
   moves: explicit orders passed to ``step``, else the actor's player, else none), then executed
   actor by actor in file order, each re-checked when it runs. An order is rejected (and the
   rejection logged) when the action is unknown, belongs to another actor, was already taken this
   turn, needs a legal gate that is not open, or its precondition fails. Declaring a gate needs
   its ``requires`` condition and each of its legal ``conditions`` (the first that fails is named
   in the rejection) and, if it names one, its group decision agreed now; the gate opens
   ``delay_turns`` later (or its ``delay`` expression, rounded, evaluated at the declaration). An action with ``adjudication`` draws ``u ~ U[0, 1)`` and succeeds when
   ``u < p`` (``p`` clipped to [0, 1]) unless the facilitator forced the result.
4. Group decisions whose ``when`` holds (and, if ``once``, not yet agreed): each member's
   support is its formula on the current state; the decision rule (:mod:`accord.rules.base`)
   says whether the supporters win.
5. The game ends after the last turn or when ``end_when`` holds; its outcome is the first
   ``outcomes`` entry whose condition holds (conditions may read the event history), else
   :data:`NO_DECISIVE_OUTCOME`.

Randomness: turn ``t`` uses its own generator, ``make_rng(SeedSequence([seed, t]))`` (turn 0 draws
uncertain initial values), so a game resumed or branched at a turn boundary continues with the
same draws as the original. Same seed and orders give a byte-identical log
(:meth:`Game.log_json`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from accord.errors import UsageError
from accord.rng import make_rng
from accord.rules.base import DecisionRule, SimpleMajority, Unanimity, WeightedThreshold
from accord.rules.procedure import run_procedure
from accord.wargame.effects import environment, resolve
from accord.wargame.loader import ChangeSet, CompiledScenario
from accord.wargame.log import (
    ActionExecuted,
    DecisionTaken,
    Draw,
    Event,
    GameEnded,
    GameStarted,
    GateDeclared,
    GateOpened,
    InjectFired,
    OrderRejected,
    Override,
    TurnStarted,
    dump_log,
)
from accord.wargame.schema import GroupDecision, RuleKind
from accord.wargame.state import GameState, fold
from accord.wargame.view import Order, Player, View, make_view

NO_DECISIVE_OUTCOME = "no_decisive_outcome"
"""The label of a game none of whose scenario's outcome conditions holds at the horizon."""


def build_decision_rule(members: Sequence[str], rule: RuleKind) -> DecisionRule:
    """The :mod:`accord.rules.base` rule for a group decision's ``rule`` entry."""
    if rule.kind in ("consensus", "unanimity"):
        return Unanimity(members, name=rule.kind)
    if rule.kind == "simple-majority":
        return SimpleMajority(members)
    weights = rule.weights or {}
    w = np.array([weights[m] for m in members], dtype=np.float64)
    quota = float(rule.quota or 0.0) * float(w.sum())
    return WeightedThreshold(members, w, quota, strict=rule.strict)


def turn_rng(seed: int, turn: int) -> np.random.Generator:
    """The generator of turn ``turn`` (0: initial draws) for game seed ``seed``."""
    return make_rng(np.random.SeedSequence([seed, turn]))


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UsageError(f"seed {seed!r} is not a non-negative integer", field="seed")
    return int(seed)


class Game:
    """A war game in progress: the scenario, the players, the event log and the state.

    Args:
        scenario: a compiled scenario (:func:`accord.wargame.loader.load_wargame`).
        seed: a non-negative integer; the game's random draws follow from it.
        players: actor id -> player; actors without one pass unless given explicit orders.
        initial: values that replace the scenario's initial values (a Monte Carlo draw, a
            what-if); they must lie in the variables' ranges.
        sample_uncertain: draw each variable that has a ``range`` uniformly from it (turn-0
            generator), logged in ``game-started.sampled``.
        events: resume from this log instead of starting (the seed is taken from it).
        on_event: called with every event this game logs from now on (not with the ``events``
            it resumes from), right after the event is folded into the state; e.g. a
            :class:`accord.runs.RunStore` recorder that commits each event in its own
            transaction, so that a crash loses nothing already logged.
    """

    def __init__(
        self,
        scenario: CompiledScenario,
        seed: int = 0,
        players: Mapping[str, Player] | None = None,
        *,
        initial: Mapping[str, float] | None = None,
        sample_uncertain: bool = False,
        events: Sequence[Event] | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> None:
        self.scenario = scenario
        self.on_event: Callable[[Event], None] | None = None
        self.players: dict[str, Player] = dict(players or {})
        for actor in self.players:
            if actor not in scenario.teams:
                raise UsageError(f"no actor '{actor}' to play", field="players")
        self.rules = {d.id: build_decision_rule(d.members, d.rule) for d in scenario.spec.decisions}
        self._decisions = {d.id: d for d in scenario.spec.decisions}
        self._actions = {a.id: a for a in scenario.spec.actions}
        self._gates = {g.id: g for g in scenario.spec.gates}
        self._rng: np.random.Generator | None = None
        self._taken: set[tuple[str, str]] = set()
        self._votes: dict[str, dict[str, bool]] = {}
        self._env_cache: dict[str, float] | None = None
        self.events: list[Event] = []
        self.state = GameState()
        if events is not None:
            if not events or not isinstance(events[0], GameStarted):
                raise UsageError("a log must start with a game-started event", field="events")
            for event in events:
                self._emit_event(event)
            self.seed = self.state.seed
            self.on_event = on_event
            return
        self.on_event = on_event
        self.seed = _check_seed(seed)
        values = {v.id: v.initial for v in scenario.spec.variables}
        sampled: dict[str, float] = {}
        if sample_uncertain:
            rng = turn_rng(self.seed, 0)
            for v in scenario.spec.variables:
                if v.range is not None:
                    sampled[v.id] = float(rng.uniform(v.range[0], v.range[1]))
            values.update(sampled)
        for name, value in (initial or {}).items():
            if name not in values:
                raise UsageError(f"unknown variable '{name}'", field=f"initial.{name}")
            if not scenario.lo[name] <= float(value) <= scenario.hi[name]:
                raise UsageError(
                    f"initial value {value} of '{name}' is out of range",
                    field=f"initial.{name}",
                    expected=f"a value in [{scenario.lo[name]:g}, {scenario.hi[name]:g}]",
                )
            values[name] = float(value)
        self._emit(
            GameStarted,
            scenario=scenario.spec.id,
            seed=self.seed,
            values=values,
            sampled=sampled,
        )

    # ------------------------------------------------------------------ log plumbing

    def _emit_event(self, event: Event) -> None:
        self.events.append(event)
        self.state.apply(event)
        self._env_cache = None
        if self.on_event is not None:
            self.on_event(event)

    def _emit(self, cls: type[Event], **fields: object) -> Event:
        fields.setdefault("turn", self.state.turn)
        event = cls(seq=len(self.events), **fields)
        self._emit_event(event)
        return event

    def _env(self) -> dict[str, float]:
        """The expression environment of the current state (cached).

        The expression environment of the current state (cached until the next event;
        callers must not modify it).
        """
        if self._env_cache is None:
            opened = {g: s.status == "open" for g, s in self.state.gates.items()}
            self._env_cache = environment(
                self.scenario, self.state.values, opened, self.state.turn, self.state.history
            )
        return self._env_cache

    def _draw(self, subject: str, probability: float, audience: list[str] | None) -> bool:
        assert self._rng is not None
        p = min(max(probability, 0.0), 1.0)
        u = float(self._rng.random())
        forced = subject in self.state.forced
        success = self.state.forced[subject] if forced else u < p
        self._emit(
            Draw,
            subject=subject,
            probability=p,
            u=u,
            success=success,
            forced=forced,
            audience=audience,
        )
        return success

    # ------------------------------------------------------------------ public API

    @property
    def ended(self) -> bool:
        """Whether the game has ended."""
        return self.state.ended

    def view(self, actor: str) -> View:
        """What ``actor`` sees now (fog of war applied)."""
        if actor not in self.scenario.teams:
            raise UsageError(f"no actor '{actor}'", field="actor")
        return make_view(self.scenario, self.state, self.events, actor)

    def log_json(self) -> str:
        """The event log as canonical JSON (byte-identical for identical games)."""
        return dump_log(self.events)

    def replay(self) -> GameState:
        """The state rebuilt from the log alone."""
        return fold(self.events)

    def branch(
        self,
        turn: int,
        players: Mapping[str, Player] | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> Game:
        """A new game from the start of ``turn`` (events of earlier turns kept), e.g. a what-if.

        Overrides made between turns ``turn - 1`` and ``turn`` are kept. ``on_event`` receives
        the branch's new events only.
        """
        if not 1 <= turn <= self.state.turn + 1:
            raise UsageError(
                f"cannot branch at turn {turn}",
                field="turn",
                expected=f"a turn from 1 to {self.state.turn + 1}",
            )
        kept = [e for e in self.events if e.turn < turn and not isinstance(e, GameEnded)]
        return Game(self.scenario, players=players or self.players, events=kept, on_event=on_event)

    def override(
        self,
        reason: str,
        *,
        values: Mapping[str, float] | None = None,
        gates: Mapping[str, str] | None = None,
        force: Mapping[str, bool] | None = None,
    ) -> Event:
        """A facilitator override, logged with its reason.

        Args:
            reason: why (required, shown in the after-action review).
            values: variables to set (within their ranges).
            gates: gate id -> ``"open"`` or ``"closed"``.
            force: draw subject (an action id, or ``inject:<id>``) -> the result its next draw
                must give.
        """
        if not reason or not reason.strip():
            raise UsageError("an override needs a reason", field="reason", expected="some text")
        changes: dict[str, float] = {}
        for name, value in (values or {}).items():
            if name not in self.scenario.lo:
                raise UsageError(f"unknown variable '{name}'", field=f"values.{name}")
            lo, hi = self.scenario.lo[name], self.scenario.hi[name]
            if not (math.isfinite(value) and lo <= value <= hi):
                raise UsageError(
                    f"{value} is outside the range of '{name}'",
                    field=f"values.{name}",
                    expected=f"a value in [{lo:g}, {hi:g}]",
                )
            changes[name] = float(value)
        for gate, status in (gates or {}).items():
            if gate not in self._gates or status not in ("open", "closed"):
                raise UsageError(
                    f"cannot set gate '{gate}' to '{status}'",
                    field=f"gates.{gate}",
                    expected="a gate id and 'open' or 'closed'",
                )
        subjects = set(self._actions) | {f"inject:{i.id}" for i in self.scenario.spec.injects}
        for subject in force or {}:
            if subject not in subjects:
                raise UsageError(f"nothing to force called '{subject}'", field=f"force.{subject}")
        return self._emit(
            Override,
            reason=reason.strip(),
            changes=changes,
            gates=dict(gates or {}),
            force=dict(force or {}),
        )

    def run(self, max_turns: int | None = None) -> Game:
        """Step until the game ends (or ``max_turns`` more turns); returns ``self``."""
        count = 0
        while not self.ended and (max_turns is None or count < max_turns):
            self.step()
            count += 1
        return self

    def step(
        self,
        orders: Mapping[str, Sequence[Order | str]] | None = None,
        votes: Mapping[str, Mapping[str, bool]] | None = None,
    ) -> None:
        """Play one turn (see the module docstring).

        Args:
            orders: actor id -> orders (an :class:`Order` or an action id) for this turn; these
                actors' players are not asked.
            votes: decision id -> member -> support cast by hand (a person in the member's
                role) for this turn; a cast vote replaces the member's support formula in any
                decision of that id put this turn, and the decision event lists the member in
                ``by_hand``. Without votes the turn is exactly as before.
        """
        if self.ended:
            raise UsageError("the game has ended", expected="a game still in progress")
        scenario = self.scenario
        turn = self.state.turn + 1
        self._rng = turn_rng(self.seed, turn)
        self._taken = set()
        self._votes = self._check_votes(votes or {})
        self._emit(TurnStarted, turn=turn)
        for gate_id in scenario.gates:
            gate = self.state.gates.get(gate_id)
            if (
                gate
                and gate.status == "pending"
                and gate.opens_at is not None
                and (gate.opens_at <= turn)
            ):
                self._emit(GateOpened, gate=gate_id)
        self._injects(turn)
        collected: dict[str, list[Order]] = {}
        for actor in scenario.teams:
            if orders is not None and actor in orders:
                collected[actor] = [
                    o if isinstance(o, Order) else Order(actor, str(o)) for o in orders[actor]
                ]
            elif actor in self.players:
                player = self.players[actor]
                view = make_view(
                    scenario,
                    self.state,
                    self.events,
                    actor,
                    with_debrief=getattr(player, "needs_debrief", True),
                )
                collected[actor] = list(player.orders(view))
        if orders is not None:
            for actor in orders:
                if actor not in scenario.teams:
                    raise UsageError(f"no actor '{actor}' to give orders", field="orders")
        for actor in scenario.teams:
            for order in collected.get(actor, []):
                self._execute(actor, order)
        for d in scenario.spec.decisions:
            if d.once and d.id in self.state.agreed:
                continue
            when = scenario.decision_when.get(d.id)
            if when is not None and when.truth(self._env()):
                self._decide(d)
        env = self._env()
        end = scenario.end_when is not None and scenario.end_when.truth(env)
        if end or turn >= scenario.spec.clock.turns:
            outcome = next((o for o, e in scenario.outcomes if e.truth(env)), NO_DECISIVE_OUTCOME)
            self._emit(GameEnded, outcome=outcome)
        self._rng = None
        self._votes = {}

    def _check_votes(self, votes: Mapping[str, Mapping[str, bool]]) -> dict[str, dict[str, bool]]:
        """Votes cast by hand, checked: known decisions, their members, support-formula rule.

        Raises:
            UsageError: a vote for an unknown decision, for a non-member, or on a decision
                decided by a consensus procedure (hand votes replace support formulas only).
        """
        out: dict[str, dict[str, bool]] = {}
        for did, cast in votes.items():
            decision = self._decisions.get(did)
            if decision is None:
                raise UsageError(f"no decision '{did}' to vote on", field=f"votes.{did}")
            if decision.procedure is not None:
                raise UsageError(
                    f"decision '{did}' follows a procedure; members cannot vote by hand",
                    field=f"votes.{did}",
                )
            for member, support in cast.items():
                if member not in decision.members:
                    raise UsageError(
                        f"'{member}' is not a member of decision '{did}'",
                        field=f"votes.{did}.{member}",
                        expected="one of " + ", ".join(decision.members),
                    )
                out.setdefault(did, {})[member] = bool(support)
        return out

    # ------------------------------------------------------------------ phases

    def _injects(self, turn: int) -> None:
        scenario = self.scenario
        for inj in scenario.spec.injects:
            if inj.once and inj.id in self.state.fired:
                continue
            env = self._env()
            when = scenario.inject_when.get(inj.id)
            if inj.at_turn != turn and not (when is not None and when.truth(env)):
                continue
            prob = scenario.inject_probability.get(inj.id)
            if prob is not None and not self._draw(
                f"inject:{inj.id}", prob.value(env), inj.visible_to
            ):
                continue
            changes = resolve(scenario, env, [scenario.inject_changes[inj.id]], f"injects.{inj.id}")
            self._emit(
                InjectFired,
                inject=inj.id,
                text=inj.text,
                changes=changes,
                audience=inj.visible_to,
            )

    def _reject(self, actor: str, action: str, reason: str) -> None:
        team = self.scenario.teams[actor]
        self._emit(
            OrderRejected,
            actor=actor,
            action=action,
            reason=reason,
            audience=sorted({actor, team}),
        )

    def _execute(self, actor: str, order: Order) -> None:
        scenario = self.scenario
        spec = self._actions.get(order.action)
        if order.actor != actor:
            self._reject(actor, order.action, f"an order of '{actor}' names actor '{order.actor}'")
            return
        if spec is None:
            self._reject(actor, order.action, "no such action")
            return
        if spec.actor != actor:
            self._reject(actor, spec.id, f"the action belongs to '{spec.actor}'")
            return
        if (actor, spec.id) in self._taken:
            self._reject(actor, spec.id, "already taken this turn")
            return
        closed = [g for g in spec.requires_gates if not self.state.gate_open(g)]
        if closed:
            self._reject(actor, spec.id, f"legal gate(s) not open: {', '.join(closed)}")
            return
        env = self._env()
        if not scenario.preconditions[spec.id].truth(env):
            self._reject(actor, spec.id, f"precondition fails: {spec.precondition}")
            return
        gate = self._gates.get(spec.declares_gate) if spec.declares_gate else None
        if gate is not None:
            status = self.state.gates.get(gate.id)
            if status is not None and status.status != "closed":
                self._reject(actor, spec.id, f"gate '{gate.id}' is already {status.status}")
                return
            if not scenario.gate_requires[gate.id].truth(env):
                self._reject(actor, spec.id, f"gate '{gate.id}' requires {gate.requires}")
                return
            for text, condition in scenario.gate_conditions.get(gate.id, ()):
                if not condition.truth(env):
                    self._reject(actor, spec.id, f"gate '{gate.id}': condition not met: {text}")
                    return
            if gate.decision is not None and not self._decide(self._decisions[gate.decision]):
                self._reject(actor, spec.id, f"decision '{gate.decision}' was not agreed")
                return
            env = self._env()
        self._taken.add((actor, spec.id))
        audience = sorted({actor, scenario.teams[actor]}) if spec.covert else None
        sets: list[ChangeSet] = [scenario.action_changes[spec.id], scenario.action_costs[spec.id]]
        prob = scenario.probabilities.get(spec.id)
        if prob is not None:
            ok = self._draw(spec.id, prob.value(env), audience)
            sets.append(scenario.successes[spec.id] if ok else scenario.failures[spec.id])
        changes = resolve(scenario, env, sets, f"actions.{spec.id}")
        self._emit(
            ActionExecuted,
            actor=actor,
            action=spec.id,
            label=spec.label,
            changes=changes,
            audience=audience,
        )
        if gate is not None:
            delay = gate.delay_turns
            expr = scenario.gate_delay.get(gate.id)
            if expr is not None:
                delay = max(0, round(expr.value(env)))
            opens_at = self.state.turn + delay
            self._emit(GateDeclared, gate=gate.id, actor=actor, opens_at=opens_at)
            if delay == 0:
                self._emit(GateOpened, gate=gate.id)
        if spec.proposes is not None:
            decision = self._decisions[spec.proposes]
            if not (decision.once and decision.id in self.state.agreed):
                self._decide(decision)

    def _decide(self, decision: GroupDecision) -> bool:
        env = self._env()
        members = decision.members
        rule = self.rules[decision.id]
        proc = self.scenario.procedures.get(decision.id)
        extra: dict[str, object] = {}
        by_hand: list[str] = []
        value = 0.0
        if proc is not None and decision.procedure is not None:
            # the practised (or strict) procedure: support = does not object to the text tabled
            spec = decision.procedure
            x = np.array([min(max(proc.position[m].value(env), 0.0), 100.0) for m in members])
            result = run_procedure(
                rule,
                x,
                None,
                [0.0],
                [100.0],
                name=spec.name,
                cost=max(proc.cost.value(env), 0.0),
                reservation_threshold=spec.reservation_threshold,
                max_dilution=spec.max_dilution,
            )
            vector = np.ones(len(members), dtype=np.bool_)
            vector[result.objectors] = False
            agreed = result.adopted
            value = float(result.value[0]) if agreed else 0.0
            extra = {
                "procedure": spec.name,
                "procedure_outcome": result.outcome,
                "value": value,
                "reservations": [members[i] for i in result.reservations],
            }
        else:
            formulas = self.scenario.support[decision.id]
            # a vote cast by the person in a member's role replaces that member's formula
            cast = self._votes.get(decision.id, {})
            by_hand = [m for m in members if m in cast]
            vector = np.array(
                [cast[m] if m in cast else formulas[m].truth(env) for m in members],
                dtype=np.bool_,
            )
            agreed = bool(rule.is_winning(vector))
        flipped = np.tile(vector, (len(members), 1))
        flipped[np.arange(len(members)), np.arange(len(members))] ^= True
        pivotal = [m for m, w in zip(members, rule.is_winning(flipped), strict=True) if w != agreed]
        blockers = [] if agreed else [m for m, s in zip(members, vector, strict=True) if not s]
        changes: dict[str, float] = {}
        if agreed:
            changes = resolve(
                self.scenario,
                env,
                [self.scenario.decision_changes[decision.id]],
                f"decisions.{decision.id}",
            )
        if decision.procedure is not None and decision.procedure.strength is not None:
            strength = decision.procedure.strength
            if agreed or env[strength] != 0.0:
                lo, hi = self.scenario.lo[strength], self.scenario.hi[strength]
                changes[strength] = min(max(value / 100.0, lo), hi)
        self._emit(
            DecisionTaken,
            decision=decision.id,
            rule=rule.name,
            support={m: bool(s) for m, s in zip(members, vector, strict=True)},
            agreed=agreed,
            blockers=blockers,
            pivotal=pivotal,
            changes=changes,
            by_hand=by_hand,
            **extra,
        )
        return agreed


def play(
    scenario: CompiledScenario,
    seed: int = 0,
    players: Mapping[str, Player] | None = None,
    *,
    sample_uncertain: bool = False,
) -> Game:
    """Start a game and run it to the end."""
    return Game(scenario, seed, players, sample_uncertain=sample_uncertain).run()
