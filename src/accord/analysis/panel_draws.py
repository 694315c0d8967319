r"""Monte Carlo by expert: each draw takes one expert's whole sheet.

Monte Carlo **by expert**: each draw takes one expert's whole sheet, so the correlations
within one expert's view of an issue are kept, and the forecast's spread splits into the part
that comes from disagreement between experts and the part that comes from everything else.

Draw ``b`` is assigned to expert ``e_b = b mod E`` (a balanced design: every expert gets the
same number of draws, up to one). In that draw every number the panel answered takes expert
``e_b``'s answer, or the scenario's stated value where that expert left the cell blank; every
other number with a ``range`` in the scenario is drawn uniformly on it, independently
(:func:`accord.scale.uncertainty.unit_to_values` and ``apply_draws``, the same mapping as ``accord montecarlo``).

With ``p_e`` the share of draws given to expert ``e``, the law of total variance splits the
variance of a model's outcome ``Y`` (per dimension, population variances):

.. math::  Var(Y) = \underbrace{\sum_e p_e (\bar Y_e - \bar Y)^2}_{between\ experts}
           + \underbrace{\sum_e p_e Var(Y | e)}_{within}

and ``between / Var(Y)`` is the share of the forecast's spread that comes from the experts'
disagreement (``None`` when the forecast does not vary at all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.panel.sheets import Panel
from accord.rng import make_rng
from accord.scale.batch import IssueBatch, run_batch
from accord.scale.uncertainty import apply_draws, uncertain_inputs, unit_to_values
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import Scenario

MAX_DRAWS = 1_000_000


@dataclass(frozen=True)
class ExpertOutcome:
    """One expert's draws of a model: outcome mean and SD per dimension, pass probability."""

    expert: str
    draws: int
    mean: tuple[float, ...]
    sd: tuple[float, ...]
    pass_probability: float


@dataclass(frozen=True)
class ModelByExpert:
    """One model's outcome over the by-expert draws, with its variance split between experts."""

    model: str
    mean: tuple[float, ...]
    quantiles: tuple[tuple[float, float, float], ...]  # 5%, 50%, 95% per dimension
    total_variance: tuple[float, ...]
    between_variance: tuple[float, ...]
    within_variance: tuple[float, ...]
    pass_probability: float
    experts: tuple[ExpertOutcome, ...]

    @property
    def between_share(self) -> tuple[float | None, ...]:
        """Per dimension, the share of the variance between experts (``None`` when it is zero)."""
        return tuple(
            None if t <= 1e-18 else b / t
            for b, t in zip(self.between_variance, self.total_variance, strict=True)
        )

    def to_json_dict(self) -> dict[str, Any]:
        """The model's outcome by expert as a JSON-serialisable dict."""
        return {
            "model": self.model,
            "mean": list(self.mean),
            "quantiles_5_50_95": [list(q) for q in self.quantiles],
            "variance": {
                "total": list(self.total_variance),
                "between_experts": list(self.between_variance),
                "within_experts": list(self.within_variance),
                "between_share": list(self.between_share),
            },
            "pass_probability": self.pass_probability,
            "experts": [
                {
                    "expert": e.expert,
                    "draws": e.draws,
                    "mean": list(e.mean),
                    "sd": list(e.sd),
                    "pass_probability": e.pass_probability,
                }
                for e in self.experts
            ],
        }


@dataclass(frozen=True)
class ExpertMonteCarlo:
    """The Monte Carlo by expert of one issue: every model's outcome by expert."""

    scenario_id: str
    issue_id: str
    dimensions: tuple[str, ...]
    draws: int
    seed: int | None
    experts: tuple[str, ...]
    panel_inputs: int
    range_inputs: int
    models: tuple[ModelByExpert, ...]

    def to_json_dict(self) -> dict[str, Any]:
        """The Monte Carlo by expert as a JSON-serialisable dict."""
        return {
            "scenario": self.scenario_id,
            "issue": self.issue_id,
            "dimensions": list(self.dimensions),
            "draws": self.draws,
            "seed": self.seed,
            "experts": list(self.experts),
            "panel_inputs": self.panel_inputs,
            "range_inputs": self.range_inputs,
            "models": [m.to_json_dict() for m in self.models],
        }


def expert_arrays(
    scenario: Scenario, panel: Panel, issue_id: str
) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-expert positions, saliences and capabilities of an issue.

    Per expert, the issue's positions ``(E, n, m)``, saliences ``(E, n, m)`` on [0, 1] and
    capabilities ``(E, n)`` (NaN where the expert left the cell blank), and the masks of the
    cells any expert answered.
    """
    base = issue_arrays(scenario, issue_id)
    issue = scenario.issue(issue_id)
    experts = panel.experts
    rows = {a: i for i, a in enumerate(base.actor_ids)}
    cols = {d.id: k for k, d in enumerate(issue.dimensions)}
    e_index = {e: i for i, e in enumerate(experts)}
    n, m = base.positions.shape
    x = np.full((len(experts), n, m), np.nan)
    s = np.full((len(experts), n, m), np.nan)
    c = np.full((len(experts), n), np.nan)
    for a in panel.answers:
        if a.actor in rows and a.capability is not None:
            c[e_index[a.expert], rows[a.actor]] = a.capability
        if a.issue != issue_id:
            continue
        i, r, k = e_index[a.expert], rows[a.actor], cols[a.dimension]
        if a.position is not None:
            x[i, r, k] = a.position
        if a.salience is not None:
            s[i, r, k] = a.salience
    return (
        x,
        s,
        c,
        ~np.all(np.isnan(x), axis=0),
        ~np.all(np.isnan(s), axis=0),
        ~np.all(np.isnan(c), axis=0),
    )


def expert_batch(
    scenario: Scenario, panel: Panel, issue_id: str, draws: int, seed: int | None
) -> tuple[IssueBatch, np.ndarray, int, int]:
    """The batch of by-expert draws and each draw's expert.

    The batch of draws (module docstring), each draw's expert index, and the numbers of
    panel inputs and of other ranged inputs.
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise UsageError(
            f"--draws is {draws}", field="--draws", expected=f"a whole number in 1..{MAX_DRAWS}"
        )
    experts = panel.experts
    if not experts:
        raise UsageError("the panel has no experts", field="SHEET")
    x, s, c, mx, ms, mc = expert_arrays(scenario, panel, issue_id)
    base = issue_arrays(scenario, issue_id)
    inputs = uncertain_inputs(scenario, issue_id)

    def covered(f: Any) -> bool:
        if f.kind == "position":
            return bool(mx[f.row, f.cols[0]])
        if f.kind == "salience":
            return bool(all(ms[f.row, k] for k in f.cols))
        if f.kind == "capability":
            return bool(mc[f.row])
        return False

    rest = [f for f in inputs if not covered(f)]
    from accord.rng import seed_for

    unit = make_rng(seed_for(seed, "panel-montecarlo", issue_id)).random((draws, len(rest)))
    batch = apply_draws(scenario, issue_id, rest, unit_to_values(rest, unit))
    who = np.arange(draws) % len(experts)
    positions, saliences, capabilities = (
        batch.positions.copy(),
        batch.saliences.copy(),
        batch.capabilities.copy(),
    )
    px = np.where(np.isnan(x), base.positions[None], x)[who]
    ps = np.where(np.isnan(s), base.saliences[None], s)[who]
    pc = np.where(np.isnan(c), base.capabilities[None], c)[who]
    positions = np.where(mx[None], px, positions)
    saliences = np.where(ms[None], ps, saliences)
    capabilities = np.where(mc[None], pc, capabilities)
    out = IssueBatch(
        batch.actor_ids, positions, saliences, capabilities, batch.lo, batch.hi, batch.status_quo
    )
    n_panel = int(mx.sum() + ms.sum() + mc.sum())
    return out, who, n_panel, len(rest)


def _passes(scenario: Scenario, issue_id: str, batch: IssueBatch, outcomes: FloatArray) -> Any:
    from accord.analysis.montecarlo import _issue_rule, pass_and_allowed

    passes, _ = pass_and_allowed(_issue_rule(scenario, issue_id, None), batch, outcomes, 0)
    return passes


def expert_monte_carlo(
    scenario: Scenario,
    panel: Panel,
    issue_id: str,
    models: Sequence[str] = ("compromise", "median", "bdm"),
    *,
    draws: int = 300,
    seed: int | None = 0,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> ExpertMonteCarlo:
    """Monte Carlo by expert for one issue and each model (module docstring)."""
    from accord.rng import seed_for

    batch, who, n_panel, n_rest = expert_batch(scenario, panel, issue_id, draws, seed)
    issue = scenario.issue(issue_id)
    experts = panel.experts
    results: list[ModelByExpert] = []
    for name in models:
        y = run_batch(
            name, batch, dict((params or {}).get(name, {})), seed_for(seed, "panel", issue_id, name)
        )
        passes = np.asarray(_passes(scenario, issue_id, batch, y), dtype=np.float64)
        mean = y.mean(axis=0)
        total = y.var(axis=0)
        per: list[ExpertOutcome] = []
        between = np.zeros_like(mean)
        within = np.zeros_like(mean)
        for i, e in enumerate(experts):
            mask = who == i
            if not mask.any():
                continue
            ye = y[mask]
            p = mask.mean()
            between += p * (ye.mean(axis=0) - mean) ** 2
            within += p * ye.var(axis=0)
            per.append(
                ExpertOutcome(
                    e,
                    int(mask.sum()),
                    tuple(float(v) for v in ye.mean(axis=0)),
                    tuple(float(v) for v in ye.std(axis=0)),
                    float(passes[mask].mean()),
                )
            )
        q = np.percentile(y, [5, 50, 95], axis=0)
        results.append(
            ModelByExpert(
                model=name,
                mean=tuple(float(v) for v in mean),
                quantiles=tuple(tuple(float(q[j, d]) for j in range(3)) for d in range(y.shape[1])),  # type: ignore[misc]
                total_variance=tuple(float(v) for v in total),
                between_variance=tuple(float(v) for v in between),
                within_variance=tuple(float(v) for v in within),
                pass_probability=float(passes.mean()),
                experts=tuple(per),
            )
        )
    return ExpertMonteCarlo(
        scenario_id=scenario.id,
        issue_id=issue_id,
        dimensions=tuple(d.id for d in issue.dimensions),
        draws=draws,
        seed=seed,
        experts=experts,
        panel_inputs=n_panel,
        range_inputs=n_rest,
        models=tuple(results),
    )
