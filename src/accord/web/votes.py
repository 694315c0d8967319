"""Votes cast by hand on group decisions (issue 19, item 5: people within teams).

A person holding a member's role (``web_members.role``, the member's actor) casts that member's
vote, support or oppose, on a group decision the next turn may put: it travels with the order for
that actor (``votes: {decision id: true|false}``, stored in ``web_orders.votes``, migration 0007)
and, as for actions, the latest submission counts. At release the engine uses a cast vote instead
of the member's support formula, under the decision's rule
(:meth:`accord.wargame.engine.Game.step`), and the decision event lists who voted by hand.
Decisions that follow a consensus procedure are not open to hand votes (positions, not votes,
decide them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from accord.errors import UsageError
from accord.wargame.loader import CompiledScenario
from accord.wargame.schema import GroupDecision
from accord.wargame.state import GameState
from accord.web.db import OrderRecord


class VoteError(UsageError):
    """A vote on a decision the actor may not vote on (the API answers 422)."""


def open_decisions(scenario: CompiledScenario, state: GameState, actor: str) -> list[GroupDecision]:
    """The group decisions ``actor`` may vote on for the next turn.

    Those it is a member of, decided by support formulas (no procedure), and not already agreed
    when agreed only once.
    """
    return [
        d
        for d in scenario.spec.decisions
        if actor in d.members and d.procedure is None and not (d.once and d.id in state.agreed)
    ]


def check_votes(
    scenario: CompiledScenario, state: GameState, actor: str, votes: Mapping[str, bool]
) -> None:
    """Refuse votes on decisions ``actor`` may not vote on now.

    Raises:
        VoteError: a decision unknown, not open, or of which the actor is not a member.
    """
    allowed = {d.id for d in open_decisions(scenario, state, actor)}
    for did in votes:
        if did not in allowed:
            raise VoteError(
                f"'{actor}' cannot vote on decision '{did}'",
                field=f"votes.{did}",
                expected="one of " + (", ".join(sorted(allowed)) or "(none open)"),
            )


def turn_votes(
    orders: Iterable[OrderRecord], automated: Iterable[str]
) -> dict[str, dict[str, bool]]:
    """Decision id -> member -> vote, from the latest order per actor (automated actors skipped).

    ``orders`` come in submission order, so a later order of an actor replaces its earlier votes.
    """
    latest: dict[str, Mapping[str, bool]] = {}
    for order in orders:
        latest[order.actor] = order.votes
    skip = set(automated)
    out: dict[str, dict[str, bool]] = {}
    for actor, votes in latest.items():
        if actor in skip:
            continue
        for did, support in votes.items():
            out.setdefault(did, {})[actor] = bool(support)
    return out
