"""A one-dimensional issue's stances as columns, kept by the importer that read them (issue 15).

A 200,000-actor BDM CSV becomes a million schema objects (actors, capabilities, stances,
positions, saliences). Walking them again to check the scenario, to build the models' arrays
and to look for uncertainty ranges took more time than reading the file. The importer already
holds the numbers as columns, so it hands them over here (:func:`remember`), and those steps
read the columns instead (:func:`recall`): :func:`accord.scenario.validate.check` checks the
positions and saliences column-wise, :func:`accord.scenario.arrays.issue_arrays` copies them,
and :func:`accord.scale.uncertainty.uncertain_inputs` knows that no stance has a range.

The columns are only used for the very objects they describe: :func:`recall` checks that the
issue is the one remembered (a weak reference, so nothing is kept alive), and that its stance
list and the scenario's actor list still hold exactly the remembered objects, in order
(identity, not equality). The schema's models are frozen, so those objects still hold the
remembered values; a copy with other stances or actors (``model_copy(update=...)``), an
unpickled or deep-copied scenario, or a list changed in place gets None, and the callers walk
the objects as before. Nothing is stored on the models themselves, so their equality, copies,
pickles and dumps are unchanged.
"""

from __future__ import annotations

import operator
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accord.scenario.schema import Actor, Issue, Scenario, Stance

if TYPE_CHECKING:
    from accord.models.base import FloatArray


@dataclass(frozen=True, eq=False)
class StanceColumns:
    """The stances of a one-dimensional issue as columns, with what the importer guarantees.

    Row ``i`` is stance ``i`` of the issue, held by actor ``i`` of the scenario (the stances
    are in the actors' order, one each). Every position and salience is a bare float without a
    range, and every capability is a bare float without a range. The arrays are read-only.
    """

    actors: tuple[Actor, ...]
    stances: tuple[Stance, ...]
    actor_ids: tuple[str, ...]
    positions: FloatArray
    saliences: FloatArray
    """On the file's scale (the issue's ``salience_scale``), not divided by it."""
    capabilities: FloatArray


_KEPT: dict[int, tuple[weakref.ref[Issue], StanceColumns]] = {}


def _frozen(values: list[float]) -> FloatArray:
    import numpy as np  # here, so that importing the validator does not load NumPy

    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


def remember(
    issue: Issue,
    actors: list[Actor],
    stances: list[Stance],
    positions: list[float],
    saliences: list[float],
    capabilities: list[float],
) -> None:
    """Keep the columns an importer read for ``issue`` (stance ``i`` held by actor ``i``).

    The caller guarantees what :class:`StanceColumns` states: ``issue`` is one-dimensional,
    its stances are ``stances``, the scenario's actors are ``actors``, stance ``i`` is actor
    ``i``'s, and the numbers are the bare, range-free values of those objects.

    Raises:
        ValueError: when the stances are not the actors' in order, or a column's length differs.
    """
    ids = [a.id for a in actors]
    n = len(ids)
    if [s.actor for s in stances] != ids or not len(positions) == len(saliences) == n:
        raise ValueError("remembered columns must hold one stance per actor, in the actors' order")
    if len(capabilities) != n:
        raise ValueError("remembered columns must hold one capability per actor")
    key = id(issue)

    def forget(_: object, key: int = key) -> None:
        _KEPT.pop(key, None)

    columns = StanceColumns(
        actors=tuple(actors),
        stances=tuple(stances),
        actor_ids=tuple(ids),
        positions=_frozen(positions),
        saliences=_frozen(saliences),
        capabilities=_frozen(capabilities),
    )
    _KEPT[key] = (weakref.ref(issue, forget), columns)


def recall(scenario: Scenario, issue: Issue) -> StanceColumns | None:
    """The columns remembered for ``issue``, or None when they may not describe it any more.

    None unless ``issue`` is the remembered object, its stances and ``scenario``'s actors are
    exactly the remembered objects in the same order, and the issue is still one-dimensional.
    """
    entry = _KEPT.get(id(issue))
    if entry is None or entry[0]() is not issue:
        return None
    columns = entry[1]
    stances, actors = issue.stances, scenario.actors
    if (
        len(issue.dimensions) != 1
        or len(stances) != len(columns.stances)
        or len(actors) != len(columns.actors)
        or not all(map(operator.is_, stances, columns.stances))
        or not all(map(operator.is_, actors, columns.actors))
    ):
        return None
    return columns
