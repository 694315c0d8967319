"""Build a :class:`~accord.rules.base.DecisionRule` from a scenario's rule spec and its members.

Weights and populations are read from the member actors: the name ``capability`` means the
actor's capability value, any other name an actor attribute (``attributes: {population: ...}``),
which must be a non-negative number. A missing or non-numeric value is a
:class:`~accord.errors.ScenarioError` naming the actor and the attribute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from accord.errors import ScenarioError, UsageError
from accord.rules.base import (
    DecisionRule,
    EULisbon,
    EUNice,
    FloatArray,
    SimpleMajority,
    Unanimity,
    WeightedThreshold,
)
from accord.scenario.schema import (
    Actor,
    ConsensusRule,
    EULisbonRule,
    EUNiceRule,
    RuleSpec,
    SimpleMajorityRule,
    WeightedRule,
)


def member_values(members: Sequence[Actor], attribute: str, rule_kind: str) -> FloatArray:
    """The numeric ``attribute`` (or ``capability``) of each member, in member order.

    Raises:
        ScenarioError: an actor lacks the attribute, or its value is not a finite number >= 0.
    """
    values = np.empty(len(members), dtype=np.float64)
    for j, actor in enumerate(members):
        if attribute == "capability":
            raw: object = actor.capability.value
            field = f"actors.{actor.id}.capability"
        else:
            field = f"actors.{actor.id}.attributes.{attribute}"
            if attribute not in actor.attributes:
                raise ScenarioError(
                    f"actor '{actor.id}' has no attribute '{attribute}' "
                    f"(rule '{rule_kind}' needs it)",
                    field=field,
                    expected=f"a numeric attribute '{attribute}' on every member",
                )
            raw = actor.attributes[attribute].value
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ScenarioError(
                f"attribute '{attribute}' of actor '{actor.id}' is {raw!r}, not a number",
                field=field,
                expected="a number >= 0",
            )
        value = float(raw)
        if not math.isfinite(value) or value < 0:
            raise ScenarioError(
                f"attribute '{attribute}' of actor '{actor.id}' is {value}, "
                f"which rule '{rule_kind}' cannot use",
                field=field,
                expected="a finite number >= 0",
            )
        values[j] = value
    return values


def _positive_total(values: FloatArray, attribute: str, rule_kind: str) -> float:
    total = float(values.sum())
    if total <= 0:
        raise ScenarioError(
            f"the members' '{attribute}' values sum to 0, so rule '{rule_kind}' cannot weigh them",
            field=attribute,
            expected="at least one member with a positive value",
        )
    return total


def build_rule(spec: RuleSpec, members: Sequence[Actor]) -> DecisionRule:
    """Turn a validated rule spec and the body's member actors into a decision rule.

    Args:
        spec: one of the scenario's rule specs (``consensus``/``unanimity``, ``simple-majority``,
            ``weighted``/``qualified-majority``, ``eu-nice``, ``eu-lisbon``).
        members: the actors who vote, in the order the support arrays will use.

    Returns:
        The rule; ``rule.member_ids`` lists the members' ids in the given order.

    Raises:
        ScenarioError: a weight or population is missing or not a number, or a quota cannot be
            reached even by all members together.
        UsageError: no members, or the same actor twice.
    """
    if len(members) == 0:
        raise UsageError(
            f"rule '{spec.kind}' has no members to vote",
            field="members",
            expected="one or more actors",
        )
    ids = [a.id for a in members]
    if isinstance(spec, ConsensusRule):
        return Unanimity(ids, name=spec.kind)
    if isinstance(spec, SimpleMajorityRule):
        return SimpleMajority(ids)
    if isinstance(spec, WeightedRule):
        weights = member_values(members, spec.weights, spec.kind)
        total = _positive_total(weights, spec.weights, spec.kind)
        quota = spec.quota * total if spec.relative else spec.quota
        if quota > total * (1 + 1e-12) or (spec.strict and quota >= total):
            raise ScenarioError(
                f"rule '{spec.kind}' needs weight {'>' if spec.strict else '>='} {quota:g}, "
                f"but all members together hold {total:g}: no coalition could ever win",
                field="rule.quota",
                expected=f"a quota the members can reach (at most {total:g})",
            )
        return WeightedThreshold(ids, weights, quota, strict=spec.strict, name=spec.kind)
    if isinstance(spec, EUNiceRule):
        votes = member_values(members, spec.votes, spec.kind)
        population = member_values(members, spec.population, spec.kind)
        _positive_total(votes, spec.votes, spec.kind)
        _positive_total(population, spec.population, spec.kind)
        return EUNice(
            ids,
            votes,
            population,
            vote_share=spec.vote_share,
            state_share=spec.state_share,
            population_share=spec.population_share,
        )
    if isinstance(spec, EULisbonRule):
        population = member_values(members, spec.population, spec.kind)
        _positive_total(population, spec.population, spec.kind)
        return EULisbon(
            ids,
            population,
            state_share=spec.state_share,
            population_share=spec.population_share,
            min_blocking_states=spec.min_blocking_states,
        )
    raise UsageError(
        f"unknown rule kind '{getattr(spec, 'kind', spec)}'", expected="a scenario RuleSpec"
    )
