"""Remembered stance columns (``accord.scenario.columns``, issue 15).

The BDM CSV importer hands its columns over so that checking, the models' arrays and the
uncertainty inputs need not walk a million objects. These tests show that the columns are used
only for the very objects they describe, and that every result read from them equals the
result of walking the objects (a copy of the scenario, which has no columns).
"""

from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pytest

from accord.forecast import forecast
from accord.scale.uncertainty import uncertain_inputs
from accord.scenario.arrays import issue_arrays
from accord.scenario.columns import recall, remember
from accord.scenario.importers import bdm_csv
from accord.scenario.schema import Dimension, Scenario
from accord.scenario.validate import check

ROWS = [
    f"actor {i},{(i * 7) % 10 / 10 + 0.05},{(i * 37) % 101},{(i * 13) % 10 / 10}" for i in range(40)
]
TEXT = "Actor,Capability,Position,Salience\n" + "\n".join(ROWS) + "\n"


def imported() -> Scenario:
    [scenario] = bdm_csv.read(TEXT, "many.csv")
    return scenario


def walked(scenario: Scenario) -> Scenario:
    """The same scenario as new objects, which have no remembered columns."""
    copied = Scenario.model_validate(scenario.model_dump())
    assert recall(copied, copied.issues[0]) is None
    return copied


def test_the_importer_remembers_its_columns() -> None:
    scenario = imported()
    columns = recall(scenario, scenario.issues[0])
    assert columns is not None
    assert columns.actor_ids == tuple(a.id for a in scenario.actors)
    assert columns.positions.tolist() == [s.position.value for s in scenario.issues[0].stances]
    assert not columns.positions.flags.writeable


def test_copies_and_changed_lists_get_no_columns() -> None:
    scenario = imported()
    issue = scenario.issues[0]
    stances = issue.stances
    other = issue.model_copy(update={"stances": stances[::-1]})
    assert recall(scenario, other) is None
    assert recall(scenario.model_copy(update={"actors": scenario.actors[:-1]}), issue) is None
    assert recall(copy.deepcopy(scenario), copy.deepcopy(issue)) is None
    unpickled = pickle.loads(pickle.dumps(scenario))
    assert recall(unpickled, unpickled.issues[0]) is None
    stances[3] = stances[4]  # a list changed in place (the models are frozen, lists are not)
    assert recall(scenario, issue) is None


def test_remember_refuses_stances_out_of_the_actors_order() -> None:
    scenario = imported()
    issue = scenario.issues[0]
    values = [0.5] * len(scenario.actors)
    with pytest.raises(ValueError, match="actors' order"):
        remember(issue, scenario.actors[::-1], issue.stances, values, values, values)


def test_arrays_uncertainty_and_forecast_equal_the_walk() -> None:
    scenario = imported()
    plain = walked(scenario)
    fast, slow = issue_arrays(scenario, "many"), issue_arrays(plain, "many")
    assert fast.actor_ids == slow.actor_ids
    for name in ("positions", "saliences", "capabilities", "lo", "hi"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    fast.positions[0, 0] = -1.0  # the models get their own copy, never the remembered column
    assert issue_arrays(scenario, "many").positions[0, 0] == slow.positions[0, 0]
    assert uncertain_inputs(scenario, "many") == uncertain_inputs(plain, "many") == []
    for model in ("compromise", "median", "nash"):
        ours = json.dumps(forecast(scenario, model).to_json_dict())
        assert ours == json.dumps(forecast(plain, model).to_json_dict())


def test_check_reads_the_columns_and_finds_what_the_walk_finds() -> None:
    scenario = imported()
    assert check(scenario) == [] == check(walked(scenario))
    # columns that disagree with their issue's scale: the stances go through every check
    issue = scenario.issues[0]
    narrow = issue.model_copy(update={"dimensions": [Dimension(id="position", lo=0, hi=50)]})
    remember(
        narrow,
        scenario.actors,
        narrow.stances,
        [s.position.value for s in narrow.stances],
        [s.salience.value for s in narrow.stances],
        [a.capability.value for a in scenario.actors],
    )
    assert recall(scenario, narrow) is not None
    odd = scenario.model_copy(update={"issues": [narrow]})
    problems = check(odd)
    assert problems and problems == check(walked(odd))
    assert "lies outside the scale" in problems[0].message
