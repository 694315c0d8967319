"""Sobol indices of a model's outcome over an issue's uncertain inputs.

Sobol indices of a model's outcome over an issue's uncertain inputs (Saltelli et al. 2010,
through SALib); the variance-based companion of the Monte Carlo's rank correlations
(:mod:`accord.analysis.montecarlo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.scale.batch import run_batch
from accord.scale.uncertainty import UncertainInput, apply_draws, uncertain_inputs
from accord.scenario.schema import Scenario


@dataclass(frozen=True)
class SobolResult:
    """First-order (``S1``) and total (``ST``) Sobol indices of each input, per dimension."""

    issue_id: str
    model: str
    inputs: tuple[UncertainInput, ...]
    s1: FloatArray
    st: FloatArray
    s1_conf: FloatArray
    st_conf: FloatArray
    evaluations: int

    def to_json_dict(self) -> dict[str, Any]:
        """The Sobol indices per input as a JSON-serialisable dict."""
        return {
            "issue": self.issue_id,
            "model": self.model,
            "evaluations": self.evaluations,
            "inputs": [
                {
                    "input": item.name,
                    "S1": [float(v) for v in self.s1[j]],
                    "ST": [float(v) for v in self.st[j]],
                    "S1_conf": [float(v) for v in self.s1_conf[j]],
                    "ST_conf": [float(v) for v in self.st_conf[j]],
                }
                for j, item in enumerate(self.inputs)
            ],
        }


def sobol_indices(
    scenario: Scenario,
    issue_id: str,
    model: str,
    *,
    base: int = 64,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
) -> SobolResult:
    """Sobol indices of the model's outcome on ``issue_id`` over the inputs' ranges.

    Samples with SALib's Sobol-sequence (Saltelli) sampler, ``base * (p + 2)`` evaluations for
    ``p`` inputs with a range of non-zero width (``base`` a power of 2), runs them through
    :func:`~accord.scale.batch.run_batch`, and estimates ``S1`` and ``ST`` with SALib's
    ``sobol.analyze`` (Saltelli et al. 2010; bootstrap confidence intervals, seeded). A
    dimension whose outcome does not vary gets indices of 0.
    """
    import warnings

    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    from accord.rng import seed_for

    if base < 2 or base & (base - 1):
        raise UsageError(f"Sobol base sample size {base}", expected="a power of 2, at least 2")
    inputs = [i for i in uncertain_inputs(scenario, issue_id) if i.hi > i.lo]
    if not inputs:
        raise UsageError(
            f"issue '{issue_id}' has no number with a range of non-zero width",
            expected="positions, saliences or capabilities with a 'range'",
        )
    problem = {
        "num_vars": len(inputs),
        "names": [i.name for i in inputs],
        "bounds": [[i.lo, i.hi] for i in inputs],
    }
    samples = np.asarray(
        sobol_sample.sample(problem, base, calc_second_order=False, seed=seed), dtype=np.float64
    )
    batch = apply_draws(scenario, issue_id, inputs, samples)
    outcomes = run_batch(model, batch, dict(params or {}), seed_for(seed, "sobol", issue_id, model))
    p, m = len(inputs), outcomes.shape[1]
    s1, st = np.zeros((p, m)), np.zeros((p, m))
    s1c, stc = np.zeros((p, m)), np.zeros((p, m))
    for d in range(m):
        y = outcomes[:, d]
        if float(np.ptp(y)) <= 1e-12 * max(1.0, float(np.abs(y).max())):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sobol_analyze.analyze(
                problem, y, calc_second_order=False, print_to_console=False, seed=seed
            )
        s1[:, d], st[:, d] = res["S1"], res["ST"]
        s1c[:, d], stc[:, d] = res["S1_conf"], res["ST_conf"]
    return SobolResult(
        issue_id,
        model,
        tuple(inputs),
        s1=np.nan_to_num(s1),
        st=np.nan_to_num(st),
        s1_conf=np.nan_to_num(s1c),
        st_conf=np.nan_to_num(stc),
        evaluations=int(samples.shape[0]),
    )
