"""Global sensitivity of a model's forecast to every uncertain input (SALib: Sobol and Morris).

The factors are the issue's numbers with a range of non-zero width, the status quo included
(:func:`accord.scale.uncertainty.uncertain_inputs`), each uniform on its range or triangular with
the mode at the stated value: SALib samples the unit cube and the one uncertainty pipeline
(:func:`~accord.scale.uncertainty.unit_to_values`, :func:`~accord.scale.uncertainty.apply_draws`)
turns the samples into draws, as Monte Carlo does. Methods (Herman & Usher 2017, SALib, JOSS 2(9) 97):

* ``sobol``: Saltelli's (2010) sampling, ``N (D + 2)`` model runs, first-order ``S1`` and total
  ``ST`` indices (Sobol' 1993; Saltelli et al. 2010, Comput. Phys. Commun. 181, 259-270), with
  bootstrap 95 % confidence half-widths;
* ``morris``: ``N`` elementary-effect trajectories, ``N (D + 1)`` runs, ``mu*`` (mean absolute
  elementary effect) and ``sigma`` (Morris 1991; Campolongo et al. 2007).

All model runs of one analysis go through :func:`accord.scale.batch.run_batch` in one batch. The
sampler and the bootstrap are seeded, so a run is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.scale.batch import run_batch
from accord.scale.uncertainty import (
    Distribution,
    UncertainInput,
    apply_draws,
    uncertain_inputs,
    unit_to_values,
)
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import Scenario

METHODS = ("sobol", "morris")


@dataclass(frozen=True)
class SensitivityResult:
    """Sensitivity indices per factor (Sobol or Morris).

    Indices per factor: Sobol ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; Morris ``mu_star``,
    ``mu_star_conf``, ``sigma``. ``runs`` is the number of model runs.
    """

    issue: str
    model: str
    method: str
    dimension: int
    factors: list[str]
    indices: dict[str, list[float]]
    runs: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: the run's settings and one row of indices per factor."""
        return {
            "issue": self.issue,
            "model": self.model,
            "method": self.method,
            "dimension": self.dimension,
            "runs": self.runs,
            "factors": [
                {"factor": f, **{k: v[i] for k, v in self.indices.items()}}
                for i, f in enumerate(self.factors)
            ],
        }


def sensitivity(
    scenario: Scenario,
    issue_id: str,
    model: str = "compromise",
    method: str = "sobol",
    n: int = 64,
    seed: int = 0,
    dimension: int = 0,
    params: dict[str, Any] | None = None,
    distribution: Distribution = "uniform",
) -> SensitivityResult:
    """Sobol or Morris indices of ``model``'s outcome on ``dimension`` of ``issue_id``."""
    if method not in METHODS:
        raise UsageError(f"method {method!r}", field="method", expected="sobol or morris")
    if n < 2:
        raise UsageError(f"n is {n}", field="n", expected="an integer >= 2")
    base = issue_arrays(scenario, issue_id)
    fs = [i for i in uncertain_inputs(scenario, issue_id) if i.hi > i.lo]
    if not fs:
        raise UsageError(
            f"issue '{issue_id}' has no uncertain input",
            field="range",
            expected="positions, saliences, capabilities or a status quo with a range",
        )
    if not 0 <= dimension < base.n_dims:
        raise UsageError(
            f"dimension {dimension + 1}", field="dimension", expected=f"1..{base.n_dims}"
        )
    problem = {
        "num_vars": len(fs),
        "names": [f.name for f in fs],
        "bounds": [[0.0, 1.0]] * len(fs),
    }
    if method == "sobol":
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample

        size = 1 << max(1, int(np.ceil(np.log2(n))))  # Sobol' sequences want a power of two
        unit = sobol_sample.sample(problem, size, calc_second_order=False, seed=seed)
        y = _evaluate(scenario, issue_id, fs, unit, distribution, model, params, seed, dimension)
        res = sobol_analyze.analyze(
            problem, y, calc_second_order=False, print_to_console=False, seed=seed
        )
        keys = {"S1": "S1", "S1_conf": "S1_conf", "ST": "ST", "ST_conf": "ST_conf"}
    else:
        from SALib.analyze import morris as morris_analyze
        from SALib.sample import morris as morris_sample

        unit = morris_sample.sample(problem, n, num_levels=4, seed=seed)
        y = _evaluate(scenario, issue_id, fs, unit, distribution, model, params, seed, dimension)
        res = morris_analyze.analyze(
            problem, unit, y, num_levels=4, print_to_console=False, seed=seed
        )
        keys = {"mu_star": "mu_star", "mu_star_conf": "mu_star_conf", "sigma": "sigma"}
    indices = {
        name: [float(v) for v in np.nan_to_num(np.asarray(res[key], dtype=float))]
        for name, key in keys.items()
    }
    return SensitivityResult(
        issue_id, model, method, dimension, [f.name for f in fs], indices, int(unit.shape[0])
    )


def _evaluate(
    scenario: Scenario,
    issue_id: str,
    fs: list[UncertainInput],
    unit: FloatArray,
    distribution: Distribution,
    model: str,
    params: dict[str, Any] | None,
    seed: int,
    dimension: int,
) -> FloatArray:
    values = unit_to_values(fs, unit, distribution)
    batch = apply_draws(scenario, issue_id, fs, values)
    out: FloatArray = run_batch(model, batch, params or {}, seed)[:, dimension]
    return out
