"""Properties every registered model must have (hypothesis), checked through the registry.

- Relabelling actors (permuting rows) does not change the outcome, and permutes the rounds.
- The outcome lies within the range of the actors' positions on every dimension.
- The same input and seed give the same result; the result survives pickling.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.models.base import IssueArrays
from accord.models.registry import get_model, model_names

MODELS = model_names()
ORDER_DEPENDENT_AFTER_TIES = {"smp"}


@st.composite
def generic_issues(draw: st.DrawFn, max_actors: int = 9) -> IssueArrays:
    """A random issue in general position: continuous draws, so no two actors tie exactly
    (exact ties are broken by data order in BDM and KTAB, which relabelling may change)."""
    n = draw(st.integers(3, max_actors))
    m = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lo = np.zeros(m)
    hi = np.full(m, 100.0)
    has_sq = draw(st.booleans())
    return IssueArrays(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=rng.uniform(1, 99, (n, m)),
        saliences=rng.uniform(0.05, 1.0, (n, m)) / m,
        capabilities=rng.uniform(1, 100, n),
        lo=lo,
        hi=hi,
        status_quo=rng.uniform(0, 100, m) if has_sq else None,
    )


def permuted(issue: IssueArrays, order: np.ndarray) -> IssueArrays:
    return IssueArrays(
        actor_ids=tuple(issue.actor_ids[i] for i in order),
        positions=issue.positions[order],
        saliences=issue.saliences[order],
        capabilities=issue.capabilities[order],
        lo=issue.lo,
        hi=issue.hi,
        status_quo=issue.status_quo,
    )


def run(name: str, issue: IssueArrays, seed: int = 0):
    return get_model(name).run(issue, {}, np.random.default_rng(seed))


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=25, deadline=None)
@given(issue=generic_issues(), data=st.data())
def test_relabelling_actors_changes_nothing(
    name: str, issue: IssueArrays, data: st.DataObject
) -> None:
    order = np.array(data.draw(st.permutations(range(issue.n_actors))))
    base = run(name, issue)
    relabelled = run(name, permuted(issue, order))
    if name in ORDER_DEPENDENT_AFTER_TIES:
        # KTAB rounds bargains to a 1e-4 grid, so actors tie exactly from turn 2 on, and KTAB
        # breaks those ties by data order (lowest index wins; ktab-smp.md section 6). accord keeps
        # that rule to stay bit-identical with KTAB, so invariance holds exactly for the first
        # turn, whose inputs are in general position.
        np.testing.assert_allclose(relabelled.positions[1], base.positions[1][order], atol=1e-9)
        return
    np.testing.assert_allclose(relabelled.outcome, base.outcome, rtol=1e-9, atol=1e-7)
    assert relabelled.positions.shape == base.positions.shape
    np.testing.assert_allclose(relabelled.positions, base.positions[:, order, :], atol=1e-7)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=25, deadline=None)
@given(issue=generic_issues())
def test_outcome_lies_within_the_range_of_positions(name: str, issue: IssueArrays) -> None:
    outcome = run(name, issue).outcome
    assert outcome.shape == (issue.n_dims,)
    # KTAB rounds bargains to a 1e-4 grid on the unit scale, which can land half a step outside.
    tol = (5e-5 + 1e-9 if name == "smp" else 1e-7) * (issue.hi - issue.lo)
    assert np.all(outcome >= issue.positions.min(axis=0) - tol)
    assert np.all(outcome <= issue.positions.max(axis=0) + tol)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=10, deadline=None)
@given(issue=generic_issues(), seed=st.integers(0, 2**31))
def test_same_seed_same_result_and_pickles(name: str, issue: IssueArrays, seed: int) -> None:
    first = run(name, issue, seed)
    second = run(name, issue, seed)
    np.testing.assert_array_equal(first.positions, second.positions)
    np.testing.assert_array_equal(first.outcome, second.outcome)
    clone = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(clone.outcome, first.outcome)
    assert clone.model == first.model == name


@pytest.mark.parametrize("name", MODELS)
def test_every_model_is_documented(name: str) -> None:
    from pathlib import Path

    spec = get_model(name)
    assert spec.summary and spec.citation
    doc = Path(__file__).resolve().parents[2] / "docs" / "models" / f"{name}.md"
    assert doc.is_file(), f"docs/models/{name}.md is missing"
    index = (doc.parents[1] / "models.md").read_text(encoding="utf-8")
    assert f"`{name}`" in index
    bibliography = (doc.parents[1] / "bibliography.md").read_text(encoding="utf-8").lower()
    for key in (k.strip() for k in spec.citation.split(";")):
        assert f"**{key.lower()}**" in bibliography, (
            f"citation key {key} is not in docs/bibliography.md"
        )
