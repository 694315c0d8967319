"""Shared Hypothesis strategies: random issues (IssueArrays), decision rules and coalitions.

Used by the rule and baseline-model tests and by the cross-model property tests. Import as
``from tests.strategies import issue_arrays``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from accord.models.base import IssueArrays
from accord.rules.base import (
    DecisionRule,
    EULisbon,
    EUNice,
    SimpleMajority,
    Unanimity,
    WeightedThreshold,
)

# Scales seen in the data: 0-100 (DEU, KTAB), years 4-10 (BDM), 0-1, and an odd signed one.
SCALES: list[tuple[float, float]] = [(0.0, 100.0), (4.0, 10.0), (0.0, 1.0), (-50.0, 150.0)]


@st.composite
def unit_values(
    draw: st.DrawFn, shape: tuple[int, ...], lo: float = 0.0, hi: float = 1.0
) -> np.ndarray:
    """An array of floats in ``[lo, hi]`` (drawn as integers over a fine grid plus the ends, so
    that ties and coincident points, which matter for medians and winsets, come up often)."""
    size = int(np.prod(shape))
    grid = draw(st.lists(st.integers(0, 1000), min_size=size, max_size=size))
    return lo + (hi - lo) * np.asarray(grid, dtype=np.float64).reshape(shape) / 1000.0


@st.composite
def issue_arrays(
    draw: st.DrawFn,
    n_actors: st.SearchStrategy[int] | None = None,
    n_dims: st.SearchStrategy[int] | None = None,
    status_quo: bool | None = None,
) -> IssueArrays:
    """A random issue: ``n`` in 3..12 actors, ``m`` in 1..3 dimensions, positions inside the
    scale, saliences in (0, 1], capabilities > 0, and a status quo inside the scale (always,
    never, or either when ``status_quo`` is ``None``)."""
    n = draw(n_actors if n_actors is not None else st.integers(3, 12))
    m = draw(n_dims if n_dims is not None else st.integers(1, 3))
    scales = [draw(st.sampled_from(SCALES)) for _ in range(m)]
    lo = np.array([s[0] for s in scales])
    hi = np.array([s[1] for s in scales])
    unit = draw(unit_values((n, m)))
    positions = lo + unit * (hi - lo)
    saliences = (1.0 + draw(unit_values((n, m))) * 99.0) / 100.0  # 0.01 .. 1
    capabilities = 0.01 + draw(unit_values((n,))) * 99.99  # 0.01 .. 100
    has_sq = draw(st.booleans()) if status_quo is None else status_quo
    sq = lo + draw(unit_values((m,))) * (hi - lo) if has_sq else None
    return IssueArrays(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=positions,
        saliences=saliences,
        capabilities=capabilities,
        lo=lo,
        hi=hi,
        status_quo=sq,
    )


@st.composite
def decision_rules(draw: st.DrawFn, k: int, kinds: tuple[str, ...] | None = None) -> DecisionRule:
    """A random rule over ``k`` members ``m0 .. m{k-1}``: consensus, simple majority, weighted
    (integer weights, quota in range), EU Nice or EU Lisbon (random votes and populations)."""
    ids = [f"m{i}" for i in range(k)]
    kind = draw(
        st.sampled_from(
            kinds or ("consensus", "simple-majority", "weighted", "eu-nice", "eu-lisbon")
        )
    )
    if kind == "consensus":
        return Unanimity(ids)
    if kind == "simple-majority":
        return SimpleMajority(ids)
    if kind == "weighted":
        weights = draw(st.lists(st.integers(1, 30), min_size=k, max_size=k))
        quota = draw(st.integers(1, sum(weights)))
        return WeightedThreshold(ids, weights, quota, strict=False)
    population = draw(st.lists(st.integers(1, 1000), min_size=k, max_size=k))
    if kind == "eu-nice":
        votes = draw(st.lists(st.integers(1, 29), min_size=k, max_size=k))
        return EUNice(ids, votes, population)
    return EULisbon(ids, population)


def coalitions(k: int) -> st.SearchStrategy[np.ndarray]:
    """A boolean support vector of length ``k``."""
    return st.lists(st.booleans(), min_size=k, max_size=k).map(
        lambda v: np.asarray(v, dtype=np.bool_)
    )
