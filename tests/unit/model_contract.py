"""The contract every registered model must keep, as a base test class (like Axelrod's
``TestPlayer``): ``tests/unit/test_model_contract.py`` subclasses it once per registered model.

Checked for each model: the spec and its ``Params`` class agree (defaults, ``from_mapping`` round
trip, unknown and bad parameters are usage errors); a run's arrays have the documented shapes;
the diagnostics are JSON-serialisable as they are; ``is_stochastic`` matches behaviour (a run
that is not stochastic gives the same result for any generator, one that is differs between
seeds); ``uses_status_quo`` matches behaviour (moving the status quo moves the outcome only for
models that read it); and a batch kernel equals the loop of single runs.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import numpy as np
import pytest

from accord.errors import UsageError
from accord.models.base import IssueArrays, ModelRun, ModelSpec
from accord.models.registry import get_model
from accord.scale.batch import IssueBatch, run_batch, run_batch_loop


def contract_issue(status_quo: float | None = 20.0) -> IssueArrays:
    """Six actors on two 0-100 dimensions, distinct positions; the status quo off-centre."""
    rng = np.random.default_rng(11)
    return IssueArrays(
        actor_ids=tuple(f"a{i}" for i in range(6)),
        positions=np.round(rng.uniform(0.0, 100.0, (6, 2)), 1),
        saliences=np.round(rng.uniform(0.2, 0.5, (6, 2)), 2),
        capabilities=np.round(rng.uniform(1.0, 9.0, 6), 1),
        lo=np.zeros(2),
        hi=np.full(2, 100.0),
        status_quo=None if status_quo is None else np.array([status_quo, 100.0 - status_quo]),
    )


def same_run(a: ModelRun, b: ModelRun) -> bool:
    return bool(np.array_equal(a.outcome, b.outcome) and np.array_equal(a.positions, b.positions))


class ModelContract:
    """Subclass with ``name`` set; override the class attributes where a model differs."""

    name: ClassVar[str] = ""
    #: Parameters under which the model draws from the generator (``None``: never).
    stochastic_params: ClassVar[dict[str, Any] | None] = None
    #: A valid non-default parameter, for the round trip.
    other_params: ClassVar[dict[str, Any]] = {}
    #: A bad value for a known parameter (``None``: none to try).
    bad_params: ClassVar[dict[str, Any] | None] = None

    @pytest.fixture
    def spec(self) -> ModelSpec:
        return get_model(self.name)

    @pytest.fixture
    def base_run(self, spec: ModelSpec) -> ModelRun:
        return spec.run(contract_issue(), {}, np.random.default_rng(0))

    def test_spec_names_the_model(self, spec: ModelSpec) -> None:
        assert spec.name == self.name and spec.summary and spec.citation

    def test_params_class_holds_the_defaults(self, spec: ModelSpec) -> None:
        params = spec.params.from_mapping({})
        assert params.as_dict() == spec.defaults
        assert spec.params.from_mapping(params.as_dict()) == params
        other = spec.params.from_mapping(self.other_params)
        assert spec.params.from_mapping(other.as_dict()) == other
        with pytest.raises(AttributeError):
            params.model_is_frozen = 1  # type: ignore[attr-defined]

    def test_unknown_parameter_is_a_usage_error(self, spec: ModelSpec) -> None:
        with pytest.raises(UsageError, match="no parameter 'no_such_thing'"):
            spec.run(contract_issue(), {"no_such_thing": 1}, np.random.default_rng(0))

    def test_bad_parameter_value_is_a_usage_error(self, spec: ModelSpec) -> None:
        if self.bad_params is None:
            pytest.skip(f"{self.name} has no parameter with a closed set of values")
        with pytest.raises(UsageError):
            spec.run(contract_issue(), self.bad_params, np.random.default_rng(0))

    def test_result_shapes(self, base_run: ModelRun) -> None:
        issue = contract_issue()
        t = base_run.n_rounds
        assert base_run.model == self.name
        assert base_run.positions.shape == (t + 1, issue.n_actors, issue.n_dims)
        assert base_run.outcome.shape == (issue.n_dims,)
        assert np.all(np.isfinite(base_run.outcome))
        np.testing.assert_array_equal(base_run.positions[0], issue.positions)
        for name, series in base_run.series.items():
            assert series.shape == (t + 1, issue.n_dims), name

    def test_diagnostics_are_json_serialisable(self, base_run: ModelRun) -> None:
        text = json.dumps(base_run.diagnostics, allow_nan=False)
        assert json.loads(text) == json.loads(json.dumps(base_run.diagnostics))

    def test_stochastic_matches_behaviour(self, spec: ModelSpec) -> None:
        issue = contract_issue()
        assert not spec.is_stochastic({})
        runs = [spec.run(issue, {}, np.random.default_rng(seed)) for seed in (1, 2)]
        assert same_run(runs[0], runs[1])
        if self.stochastic_params is None:
            return
        assert spec.is_stochastic(self.stochastic_params)
        runs = [
            spec.run(issue, self.stochastic_params, np.random.default_rng(seed))
            for seed in range(6)
        ]
        assert any(not same_run(runs[0], other) for other in runs[1:])

    def test_uses_status_quo_matches_behaviour(self, spec: ModelSpec) -> None:
        rng = np.random.default_rng(0)
        runs = [spec.run(contract_issue(sq), {}, rng) for sq in (None, 5.0, 95.0)]
        moved = not (same_run(runs[0], runs[1]) and same_run(runs[1], runs[2]))
        assert moved == spec.uses_status_quo

    def test_batch_kernel_equals_the_loop(self, spec: ModelSpec) -> None:
        if spec.batch_kernel is None:
            pytest.skip(f"{self.name} runs batches as a loop of single runs")
        batch = IssueBatch.repeat(contract_issue(), 3)
        batch.positions[1] = np.clip(batch.positions[1] + 7.0, 0.0, 100.0)
        np.testing.assert_allclose(
            run_batch(self.name, batch), run_batch_loop(self.name, batch), rtol=1e-9, atol=1e-9
        )
