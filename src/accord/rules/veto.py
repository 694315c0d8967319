r"""Veto players of a decision rule.

Member ``i`` is a veto player when the grand coalition without ``i`` does not win:

.. math:: i \in V \iff N \setminus \{i\} \notin \mathcal{W}

For a monotone rule (all rules in :mod:`accord.rules.base`) this is exact: if ``N - {i}`` loses,
every coalition without ``i`` loses too, so nothing passes against ``i``'s will (Tsebelis 2002,
*Veto Players*, ch. 1). Under consensus every member is a veto player; under a weighted rule a
member holding more than ``total - quota`` of the weight is one.
"""

from __future__ import annotations

import numpy as np

from accord.rules.base import DecisionRule


def veto_players(rule: DecisionRule) -> list[int]:
    """Indices (in member order) of the members without whom no coalition wins.

    If even the grand coalition loses, nothing can pass and every member is reported.
    """
    all_but_one = ~np.eye(rule.k, dtype=np.bool_)
    wins = rule.is_winning(all_but_one)
    return [int(i) for i in np.flatnonzero(~wins)]


def veto_player_ids(rule: DecisionRule) -> list[str]:
    """The veto players' actor ids."""
    return [rule.member_ids[i] for i in veto_players(rule)]
