"""Every registered model against the shared contract of ``tests/unit/model_contract.py``."""

from __future__ import annotations

from typing import Any, ClassVar

from accord.models.registry import model_names
from tests.unit.model_contract import ModelContract


class TestCompromise(ModelContract):
    name = "compromise"
    other_params: ClassVar[dict[str, Any]] = {"weights": "salience"}
    bad_params: ClassVar[dict[str, Any] | None] = {"weights": "votes"}


class TestMedian(ModelContract):
    name = "median"
    other_params: ClassVar[dict[str, Any]] = {"ties": "midpoint"}
    bad_params: ClassVar[dict[str, Any] | None] = {"ties": "coin"}


class TestNash(ModelContract):
    name = "nash"
    other_params: ClassVar[dict[str, Any]] = {"utility": "linear"}
    bad_params: ClassVar[dict[str, Any] | None] = {"utility": "cubic"}


class TestBDM(ModelContract):
    name = "bdm"
    other_params: ClassVar[dict[str, Any]] = {"risk": "carry", "forecast": "mean"}
    bad_params: ClassVar[dict[str, Any] | None] = {"selection": "first-come"}


class TestSMP(ModelContract):
    name = "smp"
    stochastic_params: ClassVar[dict[str, Any] | None] = {"state_transitions": "Stochastic"}
    other_params: ClassVar[dict[str, Any]] = {"voting_rule": "Binary", "engine": "numpy"}
    bad_params: ClassVar[dict[str, Any] | None] = {"engine": "fortran"}


class TestExchange(ModelContract):
    name = "exchange"
    other_params: ClassVar[dict[str, Any]] = {"rounds": 3}
    bad_params: ClassVar[dict[str, Any] | None] = {"rounds": -1}


class TestAgendaPull(ModelContract):
    name = "agenda_pull"
    other_params: ClassVar[dict[str, Any]] = {"pulls": {"a0": 0.2}}
    bad_params: ClassVar[dict[str, Any] | None] = {"weights": "votes"}


def test_every_registered_model_keeps_the_contract() -> None:
    covered = {cls.name for cls in ModelContract.__subclasses__()}
    assert covered == set(model_names())
