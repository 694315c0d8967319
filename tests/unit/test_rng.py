"""The seeding policy of accord.rng: ``seed_for`` gives one stream per labelled cell."""

from __future__ import annotations

import importlib

import numpy as np

from accord.rng import seed_for


def test_seed_for_is_reproducible_and_depends_on_every_label() -> None:
    a = seed_for(7, "issue", "smp").random(4)
    np.testing.assert_array_equal(a, seed_for(7, "issue", "smp").random(4))
    assert not np.array_equal(a, seed_for(7, "issue", "bdm").random(4))
    assert not np.array_equal(a, seed_for(8, "issue", "smp").random(4))
    assert not np.array_equal(a, seed_for(0, "issue", "smp").random(4))  # 0 is a seed too


def test_forecast_re_exports_the_one_seed_for() -> None:
    assert importlib.import_module("accord.forecast").seed_for is seed_for
