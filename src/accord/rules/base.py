"""Decision rules: which coalitions of a body's members win.

A rule is a small object over the ``k`` members of one body (in the order given at
construction) with one method that matters, :meth:`DecisionRule.is_winning`. It takes a boolean
support array of shape ``(..., k)`` (``True`` where a member supports) and returns a boolean array
of shape ``(...)``, so that thousands of coalitions are tested in one vectorised call. Every
rule here is *monotone*: adding supporters to a winning coalition never makes it lose; the
veto-player test
(:mod:`accord.rules.veto`), the winset (:mod:`accord.rules.winset`) and the power indices
(:mod:`accord.rules.power`) rely on that.

Comparisons of sums of floating-point weights with a quota use a tolerance of
``RULE_RTOL = 1e-9`` of the total weight, so that e.g. weights ``0.1 + 0.2`` reach a quota of
``0.3``. A weak threshold (``>= quota``) is met when ``sum >= quota - tol``; a strict one
(``> quota``) when ``sum > quota + tol``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from accord.errors import UsageError

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]

RULE_RTOL = 1e-9
"""Relative tolerance (of the total weight) for comparing weight sums with a quota."""


def _weights(values: ArrayLike, k: int, what: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.shape != (k,):
        raise UsageError(
            f"{what} has {array.shape[0]} entries for {k} members",
            field=what,
            expected=f"{k} numbers",
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise UsageError(
            f"{what} must be finite and non-negative", field=what, expected="numbers >= 0"
        )
    return array


class DecisionRule(ABC):
    """A monotone simple game over the members of one body.

    Attributes:
        name: the rule's kind as users type it (``consensus``, ``weighted``, ``eu-lisbon`` ...).
        member_ids: the members' actor ids; position ``j`` of a support array is member ``j``.
    """

    name: str = "rule"

    def __init__(self, member_ids: Sequence[str]) -> None:
        ids = tuple(str(m) for m in member_ids)
        if not ids:
            raise UsageError(
                "a decision rule needs at least one member",
                field="members",
                expected="one or more actors",
            )
        if len(set(ids)) != len(ids):
            raise UsageError(
                "a member appears twice in a decision rule",
                field="members",
                expected="distinct actor ids",
            )
        self.member_ids: tuple[str, ...] = ids

    @property
    def k(self) -> int:
        """Number of members."""
        return len(self.member_ids)

    @property
    def weights(self) -> FloatArray | None:
        """The voting weights where the rule has one weight vector, else ``None``."""
        return None

    def _support(self, support: ArrayLike) -> BoolArray:
        array = np.asarray(support, dtype=np.bool_)
        if array.ndim == 0 or array.shape[-1] != self.k:
            raise UsageError(
                f"support has shape {array.shape}, but the rule has {self.k} members",
                field="support",
                expected=f"a boolean array of shape (..., {self.k})",
            )
        return array

    def is_winning(self, support: ArrayLike) -> BoolArray:
        """Whether each coalition wins.

        Args:
            support: booleans of shape ``(..., k)``; ``support[..., j]`` is whether member ``j``
                is in the coalition.

        Returns:
            Booleans of shape ``(...)``.
        """
        return np.asarray(self._winning(self._support(support)), dtype=np.bool_)

    @abstractmethod
    def _winning(self, support: BoolArray) -> BoolArray:
        """The rule's test on a validated support array."""

    def describe(self) -> str:
        """One line for tables and reports."""
        return f"{self.name} over {self.k} members"

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable description (kind, members and parameters)."""
        return {"kind": self.name, "members": list(self.member_ids)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


class Unanimity(DecisionRule):
    """Consensus or unanimity: a coalition wins only if every member supports.

    .. math:: W(S) = [S = N]

    NATO decides by consensus at every level (no voting; a silence procedure); the EU Council
    acts unanimously where the Treaties require it (TFEU Art. 238(4): abstentions do not prevent
    unanimity, so an abstaining member is simply not counted as a member here). Every member is a
    veto player.
    """

    def __init__(self, member_ids: Sequence[str], name: str = "consensus") -> None:
        super().__init__(member_ids)
        if name not in ("consensus", "unanimity"):
            raise UsageError(
                f"unknown unanimity rule name '{name}'", expected="'consensus' or 'unanimity'"
            )
        self.name = name

    def _winning(self, support: BoolArray) -> BoolArray:
        return np.asarray(np.all(support, axis=-1))


Consensus = Unanimity


class SimpleMajority(DecisionRule):
    r"""One member, one vote: a coalition wins with more than half of the members.

    .. math:: W(S) = [\,2|S| > k\,]

    Ties (``|S| = k/2`` for even ``k``) lose: the proposal fails and the status quo stands.
    """

    name = "simple-majority"

    def _winning(self, support: BoolArray) -> BoolArray:
        return np.asarray(2 * np.count_nonzero(support, axis=-1) > self.k)

    @property
    def quota(self) -> int:
        """Smallest number of supporters that wins, ``floor(k/2) + 1``."""
        return self.k // 2 + 1


class WeightedThreshold(DecisionRule):
    r"""Weighted voting: a coalition wins when its weight reaches the quota.

    .. math:: W(S) = [\,\sum_{i\in S} w_i \ge q\,] \quad\text{or, strict,}\quad
              [\,\sum_{i\in S} w_i > q\,]

    Covers the scenario kinds ``weighted`` (e.g. a weighted majority, ``q = 0.5 * sum(w)`` strict)
    and the generic ``qualified-majority`` (e.g. ``q = 0.6 * sum(w)``). ``quota`` here is always
    absolute (:func:`accord.rules.build.build_rule` converts relative quotas). The pre-Nice EU
    Council QMV (62 of 87 votes, Art. 205(2) TEC as in force 1995-2004) is this rule with the
    Council votes as weights and ``q = 62``.
    """

    def __init__(
        self,
        member_ids: Sequence[str],
        weights: ArrayLike,
        quota: float,
        *,
        strict: bool = False,
        name: str = "weighted",
    ) -> None:
        super().__init__(member_ids)
        self._w = _weights(weights, self.k, "weights")
        quota = float(quota)
        if not math.isfinite(quota) or quota <= 0:
            raise UsageError(
                f"quota {quota} is not a positive number", field="quota", expected="a number > 0"
            )
        self.quota = quota
        self.strict = bool(strict)
        self.name = name
        self.tolerance = RULE_RTOL * float(self._w.sum())

    @property
    def weights(self) -> FloatArray:
        """A copy of the members' voting weights."""
        return self._w.copy()

    def _winning(self, support: BoolArray) -> BoolArray:
        total = support.astype(np.float64) @ self._w
        if self.strict:
            return np.asarray(total > self.quota + self.tolerance)
        return np.asarray(total >= self.quota - self.tolerance)

    def describe(self) -> str:
        """One line with the quota, its share of the total weight and the members."""
        op = ">" if self.strict else ">="
        share = self.quota / float(self._w.sum()) if self._w.sum() > 0 else float("nan")
        total = float(self._w.sum())
        return (
            f"{self.name}: weight {op} {self.quota:g} of {total:g} ({share:.1%}), {self.k} members"
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable description, with weights, quota and strictness."""
        return {
            **super().as_dict(),
            "weights": [float(w) for w in self._w],
            "quota": self.quota,
            "strict": self.strict,
        }


def _states_needed(share: float, k: int) -> int:
    """Smallest member count meeting a state criterion.

    ``share = 1/2`` is read as "a majority of the members" (more than half, Art. 205(2) TEC as
    amended at Nice); any other share as "at least ``share`` of the members" (at least two-thirds,
    at least 55 %).
    """
    if share == 0.5:
        return k // 2 + 1
    return math.ceil(share * k - RULE_RTOL * k)


class EUNice(DecisionRule):
    r"""EU Council qualified majority under the Treaty of Nice (in force 2005-2014).

    A coalition wins when all three hold (Art. 205(2) and (4) TEC as amended by Art. 3 of the
    Protocol on the enlargement of the European Union annexed to the Treaty of Nice):

    1. its Council votes reach ``vote_share`` of all votes: 255 of 345 in the EU-27, so the
       default ``vote_share = 255/345`` (scaled to whatever total the members hold; the treaty's
       own thresholds were 232 of 321 for the EU-25 and 260 of 352 for the EU-28, so set
       ``vote_share`` accordingly for those periods),

       .. math:: \sum_{i\in S} v_i \ge \text{vote\_share}\cdot\sum_{i\in N} v_i;

    2. it holds a majority of the member states (``state_share = 0.5``, read as *more than half*;
       "at least two-thirds" applied when the Council did not act on a Commission proposal, set
       ``state_share = 2/3``), and
    3. its members hold at least ``population_share = 62 %`` of the total population (the
       "verification" clause of Art. 205(4), applied here always).
    """

    name = "eu-nice"

    def __init__(
        self,
        member_ids: Sequence[str],
        votes: ArrayLike,
        population: ArrayLike,
        *,
        vote_share: float = 255 / 345,
        state_share: float = 0.5,
        population_share: float = 0.62,
    ) -> None:
        super().__init__(member_ids)
        self.votes = _weights(votes, self.k, "votes")
        self.population = _weights(population, self.k, "population")
        for label, share in (
            ("vote_share", vote_share),
            ("state_share", state_share),
            ("population_share", population_share),
        ):
            if not 0 < share <= 1:
                raise UsageError(
                    f"{label} {share} is not a share", field=label, expected="a number in (0, 1]"
                )
        self.vote_share = float(vote_share)
        self.state_share = float(state_share)
        self.population_share = float(population_share)
        self.vote_quota = self.vote_share * float(self.votes.sum())
        self.population_quota = self.population_share * float(self.population.sum())
        self.states_needed = _states_needed(self.state_share, self.k)

    @property
    def weights(self) -> FloatArray:
        """A copy of the members' Council votes."""
        return self.votes.copy()

    def _winning(self, support: BoolArray) -> BoolArray:
        s = support.astype(np.float64)
        votes_ok = s @ self.votes >= self.vote_quota - RULE_RTOL * float(self.votes.sum())
        states_ok = np.count_nonzero(support, axis=-1) >= self.states_needed
        pop_ok = s @ self.population >= self.population_quota - RULE_RTOL * float(
            self.population.sum()
        )
        return np.asarray(votes_ok & states_ok & pop_ok)

    def describe(self) -> str:
        """One line with the three Nice thresholds."""
        return (
            f"eu-nice: votes >= {self.vote_quota:.2f} of {self.votes.sum():g}, "
            f">= {self.states_needed} of {self.k} states, population >= {self.population_share:.0%}"
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable description, with votes, populations and the three shares."""
        return {
            **super().as_dict(),
            "votes": [float(v) for v in self.votes],
            "population": [float(p) for p in self.population],
            "vote_share": self.vote_share,
            "state_share": self.state_share,
            "population_share": self.population_share,
        }


class EULisbon(DecisionRule):
    r"""EU Council qualified majority under the Treaty of Lisbon (double majority, since 2014).

    TEU Art. 16(4): a qualified majority is "at least 55 % of the members of the Council,
    comprising at least fifteen of them and representing Member States comprising at least 65 %
    of the population of the Union. A blocking minority must include at least four Council
    members, failing which the qualified majority shall be deemed attained." TFEU Art. 238(2)
    raises the state share to 72 % when the Council does not act on a proposal from the
    Commission or the High Representative (set ``state_share = 0.72``); Art. 238(3) adapts the
    thresholds when not all members take part in the vote.

    .. math:: W(S) = \big[\,|S| \ge \lceil 0.55k \rceil\,\big] \wedge
              \big[\,\textstyle\sum_{i\in S} p_i \ge 0.65\sum_{i\in N} p_i
              \;\vee\; k - |S| < 4\,\big]

    The blocking-minority clause is applied only to coalitions that meet the state criterion.
    For ``k >= 7`` this is the treaty rule exactly (a coalition with at most three members
    against has ``k - 3 >= 0.55 k`` members); for tiny made-up bodies it stops the clause from
    making the empty coalition win. The "at least fifteen" clause is implied by 55 % for the
    EU-27 (ceil(14.85) = 15) and is not modelled separately.
    """

    name = "eu-lisbon"

    def __init__(
        self,
        member_ids: Sequence[str],
        population: ArrayLike,
        *,
        state_share: float = 0.55,
        population_share: float = 0.65,
        min_blocking_states: int = 4,
    ) -> None:
        super().__init__(member_ids)
        self.population = _weights(population, self.k, "population")
        for label, share in (("state_share", state_share), ("population_share", population_share)):
            if not 0 < share <= 1:
                raise UsageError(
                    f"{label} {share} is not a share", field=label, expected="a number in (0, 1]"
                )
        if int(min_blocking_states) < 1:
            raise UsageError(
                "min_blocking_states must be at least 1",
                field="min_blocking_states",
                expected="an integer >= 1",
            )
        self.state_share = float(state_share)
        self.population_share = float(population_share)
        self.min_blocking_states = int(min_blocking_states)
        self.population_quota = self.population_share * float(self.population.sum())
        self.states_needed = _states_needed(self.state_share, self.k)

    @property
    def weights(self) -> FloatArray:
        """A copy of the members' populations (the weights of the population test)."""
        return self.population.copy()

    def _winning(self, support: BoolArray) -> BoolArray:
        count = np.count_nonzero(support, axis=-1)
        pop = support.astype(np.float64) @ self.population
        states_ok = count >= self.states_needed
        pop_ok = pop >= self.population_quota - RULE_RTOL * float(self.population.sum())
        no_blocking_minority = (self.k - count) < self.min_blocking_states
        return np.asarray(states_ok & (pop_ok | no_blocking_minority))

    def describe(self) -> str:
        """One line with the Lisbon thresholds and the blocking-minority clause."""
        return (
            f"eu-lisbon: >= {self.states_needed} of {self.k} states and population >= "
            f"{self.population_share:.0%}, or fewer than {self.min_blocking_states} states against"
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable description, with populations, shares and the blocking minority."""
        return {
            **super().as_dict(),
            "population": [float(p) for p in self.population],
            "state_share": self.state_share,
            "population_share": self.population_share,
            "min_blocking_states": self.min_blocking_states,
        }
