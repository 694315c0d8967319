"""The smp adapter on inputs KTAB refuses: actors with no stake, and degenerate starts."""

from __future__ import annotations

import numpy as np
import pytest

from accord.errors import UsageError
from accord.models.base import IssueArrays
from accord.models.registry import get_model

SMP = get_model("smp")


def issue(positions: list[float], saliences: list[float], capabilities: list[float]) -> IssueArrays:
    n = len(positions)
    return IssueArrays(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=np.array(positions, dtype=float).reshape(n, 1),
        saliences=np.array(saliences, dtype=float).reshape(n, 1),
        capabilities=np.array(capabilities, dtype=float),
        lo=np.zeros(1),
        hi=np.full(1, 100.0),
    )


def test_actors_without_salience_are_held_still_and_change_nothing() -> None:
    base = issue([10, 40, 70, 90], [0.5, 0.6, 0.7, 0.4], [30, 20, 40, 10])
    with_idle = issue([10, 40, 55, 70, 90], [0.5, 0.6, 0.0, 0.7, 0.4], [30, 20, 99, 40, 10])
    ran = SMP.run(base, {}, np.random.default_rng(0))
    idle = SMP.run(with_idle, {}, np.random.default_rng(0))
    assert idle.diagnostics["inactive_actors"] == ["a2"]
    np.testing.assert_array_equal(idle.positions[:, 2, 0], 55.0)
    np.testing.assert_allclose(idle.positions[:, [0, 1, 3, 4], :], ran.positions)
    np.testing.assert_allclose(idle.outcome, ran.outcome)


def test_degenerate_start_goes_on_unless_asked_to_abort_like_ktab() -> None:
    # Everyone at an end of the scale: every distance is 0 or 1, so risk attitudes change no
    # utility and KTAB aborts (ktab-smp.md section 4, step 6).
    ends = issue([0, 0, 100, 100, 100], [0.5, 0.9, 0.3, 0.6, 0.8], [10, 20, 30, 15, 25])
    result = SMP.run(ends, {}, np.random.default_rng(0))
    assert 0.0 <= float(result.outcome[0]) <= 100.0
    assert result.n_rounds >= 1
    with pytest.raises(UsageError, match="risk attitudes"):
        SMP.run(ends, {"abort_on_degenerate": True}, np.random.default_rng(0))


def test_fewer_than_two_actors_with_a_stake_is_a_clear_error() -> None:
    lonely = issue([10, 50, 90], [0.5, 0.0, 0.0], [1, 1, 1])
    with pytest.raises(UsageError, match="at least 2 actors"):
        SMP.run(lonely, {}, np.random.default_rng(0))
