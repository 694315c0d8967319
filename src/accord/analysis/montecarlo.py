r"""Monte Carlo over a scenario's assumed ranges.

How likely each issue passes, how wide the forecast is, and which assumptions drive it.

Every number in a scenario may carry a ``range`` (an analyst's statement of how uncertain it
is). For one issue, the uncertain inputs are

* each stance's **position** with a range (one input per dimension; a single range given for a
  several-dimension position applies to each dimension, drawn independently);
* each stance's **salience** with a range (on the file's scale; divided by the issue's
  ``salience_scale`` like the stated value). A single salience number is one input used on
  every dimension; a per-dimension list with one range gives one input per dimension;
* each actor's **capability** with a range;
* the **status quo**, when the file gives it a ``range`` (the schema has no such field yet; an
  optional ``range`` on the status quo is read when present).

Each draw takes every input independently, **uniformly** on its range (the default: an analyst's
range says "anywhere in here", nothing more), or **triangular** with its mode at the stated value
(``distribution="triangular"``). Inputs without a range keep their stated value, so a scenario
with no ranges has zero spread. The draws are seeded: the same seed gives the same draws and
the same results, bit for bit, whatever other issues or models run
(:func:`accord.rng.seed_for` derives one stream per issue and per (issue, model)).

Per issue and model the draws are run through :func:`accord.scale.batch.run_batch` (the one
batch entry point) and then through the issue's decision rule:

* **passes** in a draw when the unconstrained outcome ``x*`` is in the winset of that draw's
  status quo, i.e. when the members who weakly prefer ``x*`` to ``SQ`` under their own drawn
  positions and saliences, :math:`\sum_k s_{ik}(x^*_k - x_{ik})^2 \le
  \sum_k s_{ik}(SQ_k - x_{ik})^2`, form a winning coalition. This test is vectorised over draws
  and members and is the same test as :func:`accord.rules.constrain.constrain` (same tolerance);
  the pass probability is the share of draws that pass. With no rule or no status quo nothing
  constrains the outcome and every draw passes, as in :func:`accord.forecast.forecast_issue`.
* the **allowed outcome** is ``x*`` where it passes and otherwise
  :func:`~accord.rules.constrain.constrain`'s nearest point of the winset (one call per failing
  draw). Rules weighted by ``capability`` are rebuilt per draw from the drawn capabilities.
  In several dimensions that nearest point is an optimisation per draw (about 0.3-0.5 s for a
  16-dimension issue of 32 members), so the allowed outcome is computed on the first
  ``allowed_draws`` draws only (default :data:`MD_ALLOWED_DRAWS`; the draws are independent, so
  these are a random subsample); the other rows of ``allowed`` are NaN and its summary says
  over how many draws it was taken. In one dimension every draw is computed.

**Drivers.** For each drawn input and each dimension, the Spearman rank correlation between the
input and the outcome over the draws (the Pearson correlation of the ranks, average ranks for
ties; Spearman 1904), and between the input and passing (0/1). Inputs are ranked by the largest
absolute correlation with the outcome over the dimensions. A constant input or outcome has no
correlation (reported as 0). :func:`sobol_indices` gives first-order and total Sobol indices
instead (Saltelli et al. 2010, through SALib; uniform draws over the same ranges).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.analysis.mc_procedure import ProcedureUncertainty, cost_factors, procedure_over_draws
from accord.analysis.mc_sobol import SobolResult, sobol_indices  # re-exported
from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.scale.batch import IssueBatch, run_batch
from accord.scale.uncertainty import (
    DISTRIBUTIONS,
    Distribution,
    InputKind,
    UncertainInput,
    apply_draws,
    draw_values,
    uncertain_inputs,
)
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import Actor, RuleSpec, Scenario, WeightedRule

DEFAULT_MODELS: tuple[str, ...] = ("compromise", "median", "bdm")
"""Models run when none are named: fast enough for thousands of draws on a 35-actor issue."""

QUANTILES: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
HISTOGRAM_BINS = 20
MAX_DRAWS = 1_000_000
MD_ALLOWED_DRAWS = 30
"""In several dimensions, the draws (the first ones) whose allowed outcome is computed."""

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------------------------------------
# the rule over draws


@dataclass(frozen=True)
class _IssueRule:
    spec: RuleSpec | None
    members: list[Actor]
    rows: NDArray[np.intp]


def _issue_rule(scenario: Scenario, issue_id: str, override: RuleSpec | None) -> _IssueRule:
    from accord.forecast import issue_rule
    from accord.rules.build import build_rule

    issue = scenario.issue(issue_id)
    spec, members = issue_rule(scenario, issue, override)
    index = {s.actor: i for i, s in enumerate(issue.stances)}
    rows = np.array([index[a.id] for a in members], dtype=np.intp)
    if spec is not None and members:
        build_rule(spec, members)  # fail early, once, when the rule does not fit the members
    return _IssueRule(spec, members, rows)


def _rules_per_draw(rule: _IssueRule, capabilities: FloatArray) -> list[Any]:
    """The decision rule for each draw: one shared rule unless it weighs by drawn capability."""
    from accord.rules.base import WeightedThreshold
    from accord.rules.build import build_rule

    assert rule.spec is not None
    base = build_rule(rule.spec, rule.members)
    spec = rule.spec
    caps = capabilities[:, rule.rows]
    if not (isinstance(spec, WeightedRule) and spec.weights == "capability"):
        return [base] * capabilities.shape[0]
    if np.all(caps == caps[:1]):
        return [base] * capabilities.shape[0]
    ids = [a.id for a in rule.members]
    rules: list[Any] = []
    for weights in caps:
        total = float(weights.sum())
        quota = spec.quota * total if spec.relative else spec.quota
        rules.append(WeightedThreshold(ids, weights, quota, strict=spec.strict, name=spec.kind))
    return rules


def pass_and_allowed(
    rule: _IssueRule, batch: IssueBatch, outcomes: FloatArray, allowed_draws: int | None = None
) -> tuple[NDArray[np.bool_], FloatArray]:
    """Whether each draw passes under the rule, and the outcome the rule allows.

    Whether each draw's outcome passes under the rule, and the outcome the rule allows
    (NaN beyond the first ``allowed_draws`` draws when that is given).
    """
    from accord.rules.constrain import constrain
    from accord.rules.winset import PREF_RTOL

    size = batch.size
    if rule.spec is None or not rule.members or batch.status_quo is None:
        return np.ones(size, dtype=np.bool_), outcomes.copy()
    x = batch.positions[:, rule.rows]  # (B, k, m)
    s = batch.saliences[:, rule.rows]
    sq = batch.status_quo
    d_sq = np.sum(s * (sq[:, None, :] - x) ** 2, axis=-1)  # (B, k)
    d_out = np.sum(s * (outcomes[:, None, :] - x) ** 2, axis=-1)
    support = d_out <= d_sq * (1.0 + PREF_RTOL)
    rules = _rules_per_draw(rule, batch.capabilities)
    if all(r is rules[0] for r in rules):
        passes = np.asarray(rules[0].is_winning(support), dtype=np.bool_)
    else:
        passes = np.array([bool(r.is_winning(sup)) for r, sup in zip(rules, support, strict=True)])
    allowed = outcomes.copy()
    if allowed_draws is not None:
        allowed[allowed_draws:] = np.nan
    for b in np.flatnonzero(~passes[:allowed_draws]).tolist():
        result = constrain(rules[b], x[b], s[b], sq[b], outcomes[b], batch.lo, batch.hi)
        allowed[b] = result.allowed
    return passes, allowed


# ---------------------------------------------------------------------------------------------
# summaries


def spearman(inputs: FloatArray, outputs: FloatArray) -> FloatArray:
    """Spearman rank correlations between inputs and outputs.

    Spearman rank correlations ``(p, q)`` between the columns of ``inputs`` ``(B, p)`` and
    ``outputs`` ``(B, q)``: the Pearson correlation of average ranks; 0 where a column is
    constant.
    """
    from scipy.stats import rankdata

    if inputs.shape[0] < 2 or inputs.shape[1] == 0 or outputs.shape[1] == 0:
        return np.zeros((inputs.shape[1], outputs.shape[1]))
    ri = rankdata(inputs, axis=0)
    ro = rankdata(outputs, axis=0)
    ri = ri - ri.mean(axis=0)
    ro = ro - ro.mean(axis=0)
    ni = np.sqrt(np.sum(ri**2, axis=0))
    no = np.sqrt(np.sum(ro**2, axis=0))
    denom = np.outer(ni, no)
    cov = ri.T @ ro
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(denom > 1e-12 * max(float(denom.max(initial=0.0)), 1.0), cov / denom, 0.0)
    return np.asarray(np.clip(rho, -1.0, 1.0), dtype=np.float64)


@dataclass(frozen=True)
class Distribution1D:
    """Summary of one dimension's draws: mean, spread, quantiles and a histogram on the scale."""

    n: int
    mean: float
    std: float
    minimum: float
    maximum: float
    quantiles: dict[str, float]
    edges: list[float]
    counts: list[int]

    @classmethod
    def of(
        cls, values: FloatArray, lo: float, hi: float, bins: int = HISTOGRAM_BINS
    ) -> Distribution1D:
        """Summarise the finite values (NaN marks a draw that was not computed)."""
        values = values[np.isfinite(values)]
        q = np.quantile(values, QUANTILES)
        counts, edges = np.histogram(np.clip(values, lo, hi), bins=bins, range=(lo, hi))
        return cls(
            n=int(values.size),
            mean=float(values.mean()),
            std=0.0 if float(np.ptp(values)) == 0.0 else float(values.std()),
            minimum=float(values.min()),
            maximum=float(values.max()),
            quantiles={
                f"q{round(p * 100):02d}": float(v) for p, v in zip(QUANTILES, q, strict=True)
            },
            edges=[float(e) for e in edges],
            counts=[int(c) for c in counts],
        )

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "draws": self.n,
            "mean": self.mean,
            "std": self.std,
            "min": self.minimum,
            "max": self.maximum,
            "quantiles": dict(self.quantiles),
            "histogram": {"edges": list(self.edges), "counts": list(self.counts)},
        }


@dataclass(frozen=True)
class Driver:
    """How strongly one drawn input moves the result."""

    input: UncertainInput
    rho: tuple[float, ...]
    rho_pass: float | None

    @property
    def importance(self) -> float:
        return max((abs(r) for r in self.rho), default=0.0)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "input": self.input.name,
            "kind": self.input.kind,
            "actor": self.input.actor,
            "dimension": self.input.dimension,
            "rho": list(self.rho),
            "rho_pass": self.rho_pass,
            "importance": self.importance,
        }


@dataclass(frozen=True)
class ModelUncertainty:
    """One model's results over the draws of one issue."""

    model: str
    outcomes: FloatArray
    allowed: FloatArray
    passes: NDArray[np.bool_]
    outcome_summary: tuple[Distribution1D, ...]
    allowed_summary: tuple[Distribution1D, ...]
    drivers: tuple[Driver, ...]

    status_quo: FloatArray | None = None
    scale: FloatArray | None = None
    procedure: ProcedureUncertainty | None = None

    @property
    def pass_probability(self) -> float:
        """Share of draws whose unconstrained outcome beats the status quo.

        Share of draws whose unconstrained outcome is in the winset of the status quo (an
        outcome at the status quo itself passes trivially).
        """
        return float(np.mean(self.passes))

    @property
    def change_probability(self) -> float | None:
        """Share of draws whose allowed outcome moves off the status quo.

        Share of draws (among those with an allowed outcome computed) in which the allowed
        outcome moves off the status quo by more than 1e-6 of the scale; ``None`` without a
        status quo.
        """
        if self.status_quo is None or self.scale is None:
            return None
        rows = np.all(np.isfinite(self.allowed), axis=1)
        if not rows.any():
            return None
        moved = np.max(np.abs(self.allowed[rows] - self.status_quo) / self.scale, axis=1) > 1e-6
        return float(np.mean(moved))

    def to_json_dict(self, top: int | None = None) -> dict[str, Any]:
        drivers = self.drivers if top is None else self.drivers[:top]
        return {
            "model": self.model,
            "pass_probability": self.pass_probability,
            "change_probability": self.change_probability,
            "outcome": [d.to_json_dict() for d in self.outcome_summary],
            "allowed_outcome": [d.to_json_dict() for d in self.allowed_summary],
            "drivers": [d.to_json_dict() for d in drivers],
            "procedure": None if self.procedure is None else self.procedure.to_json_dict(top),
        }


@dataclass(frozen=True)
class IssueUncertainty:
    """Monte Carlo results for one issue."""

    issue_id: str
    dimensions: tuple[str, ...]
    lo: FloatArray
    hi: FloatArray
    status_quo: FloatArray | None
    rule: str | None
    inputs: tuple[UncertainInput, ...]
    values: FloatArray
    models: tuple[ModelUncertainty, ...]

    def model(self, name: str) -> ModelUncertainty:
        for item in self.models:
            if item.model == name:
                return item
        raise KeyError(name)

    def to_json_dict(self, top: int | None = 10) -> dict[str, Any]:
        return {
            "id": self.issue_id,
            "dimensions": list(self.dimensions),
            "scale": [[float(a), float(b)] for a, b in zip(self.lo, self.hi, strict=True)],
            "status_quo": None if self.status_quo is None else [float(v) for v in self.status_quo],
            "rule": self.rule,
            "inputs": [i.to_json_dict() for i in self.inputs],
            "models": [m.to_json_dict(top) for m in self.models],
        }


@dataclass(frozen=True)
class MonteCarloResult:
    """The result of :func:`monte_carlo`; ``to_json_dict`` is ``accord montecarlo --format json``."""

    scenario_id: str
    seed: int | None
    draws: int
    distribution: str
    issues: tuple[IssueUncertainty, ...] = field(default_factory=tuple)

    def issue(self, issue_id: str) -> IssueUncertainty:
        for item in self.issues:
            if item.issue_id == issue_id:
                return item
        raise KeyError(issue_id)

    def to_json_dict(self, top: int | None = 10) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "seed": self.seed,
            "draws": self.draws,
            "distribution": self.distribution,
            "issues": [i.to_json_dict(top) for i in self.issues],
        }


def _drivers(
    inputs: Sequence[UncertainInput],
    values: FloatArray,
    outcomes: FloatArray,
    passes: NDArray[np.bool_],
) -> tuple[Driver, ...]:
    rho = spearman(values, outcomes)
    varies = bool(passes.any() and not passes.all())
    rho_pass = spearman(values, passes.astype(np.float64)[:, None])[:, 0] if varies else None
    found = [
        Driver(
            item,
            tuple(float(r) for r in rho[j]),
            None if rho_pass is None else float(rho_pass[j]),
        )
        for j, item in enumerate(inputs)
    ]
    order = sorted(
        range(len(found)),
        key=lambda j: (
            -round(found[j].importance, 12),
            -abs(found[j].rho_pass or 0.0),
            j,
        ),
    )
    return tuple(found[j] for j in order)


def _check_draws(draws: int) -> None:
    from accord.limits import DRAWS

    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise UsageError(f"--draws is {draws}", field="--draws", expected="a whole number >= 1")
    DRAWS.check(draws, what=f"--draws {draws:,}", field="--draws")


@dataclass(frozen=True)
class _ProcedureDraws:
    """What the procedure needs per issue: settings, per-draw rules and cost factors."""

    settings: Any
    rules: list[Any]
    rule: _IssueRule
    factors: FloatArray

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        issue_id: str,
        rule: _IssueRule,
        batch: IssueBatch,
        draws: int,
        seed: int | None,
    ) -> _ProcedureDraws:
        from accord.rng import seed_for
        from accord.rules.build_procedure import resolve_procedure

        assert rule.spec is not None
        settings = resolve_procedure(scenario, scenario.issue(issue_id), rule.spec.kind)
        factors = cost_factors(draws, seed_for(seed, "montecarlo-cost", issue_id))
        return cls(settings, _rules_per_draw(rule, batch.capabilities), rule, factors)

    def run(
        self, batch: IssueBatch, outcomes: FloatArray, names: list[str], values: FloatArray
    ) -> ProcedureUncertainty:
        assert batch.status_quo is not None
        proposals = np.clip(outcomes, batch.lo, batch.hi)
        return procedure_over_draws(
            self.settings,
            self.rules,
            [a.id for a in self.rule.members],
            batch.positions[:, self.rule.rows],
            batch.saliences[:, self.rule.rows],
            batch.status_quo,
            proposals,
            self.factors,
            names,
            values,
        )


def issue_monte_carlo(
    scenario: Scenario,
    issue_id: str,
    models: Sequence[str],
    *,
    draws: int = 1000,
    seed: int | None = 0,
    distribution: Distribution = "uniform",
    rule: RuleSpec | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    allowed_draws: int | None = MD_ALLOWED_DRAWS,
    procedure: bool = True,
) -> IssueUncertainty:
    """Monte Carlo for one issue (see the module docstring).

    Args:
        scenario: a validated scenario.
        issue_id: the issue.
        models: registry names.
        draws: number of draws (the same draws feed every model).
        seed: ``None`` for fresh entropy; an int reproduces the result exactly.
        distribution: ``uniform`` or ``triangular`` (mode at the stated value).
        rule: overrides the issue's rule (as ``--rule``).
        params: per-model parameters.
        progress: called as ``progress(done, len(models) * draws)``.
        allowed_draws: in several dimensions, compute the allowed outcome on the first this
            many draws only (``None``: all).
        procedure: also run the issue's decision procedure on every draw, with a drawn cost of
            objecting (:mod:`accord.analysis.mc_procedure`).
    """
    from accord.rng import seed_for

    _check_draws(draws)
    arrays = issue_arrays(scenario, issue_id)
    issue = scenario.issue(issue_id)
    issue_rule_ = _issue_rule(scenario, issue_id, rule)
    inputs = uncertain_inputs(scenario, issue_id)
    values = draw_values(inputs, draws, seed_for(seed, "montecarlo", issue_id), distribution)
    batch = apply_draws(scenario, issue_id, inputs, values)
    over = None
    ready = issue_rule_.spec is not None and bool(issue_rule_.members)
    if procedure and ready and batch.status_quo is not None:
        over = _ProcedureDraws.of(scenario, issue_id, issue_rule_, batch, draws, seed)
    results: list[ModelUncertainty] = []
    for k, name in enumerate(models):

        def tick(done: int, total: int, offset: int = k * draws) -> None:
            if progress is not None:
                progress(offset + done, len(models) * draws)

        outcomes = run_batch(
            name,
            batch,
            dict((params or {}).get(name, {})),
            seed_for(seed, "montecarlo", issue_id, name),
            tick,
        )
        limit = allowed_draws if arrays.n_dims > 1 else None
        passes, allowed = pass_and_allowed(issue_rule_, batch, outcomes, limit)
        results.append(
            ModelUncertainty(
                model=name,
                outcomes=outcomes,
                allowed=allowed,
                passes=passes,
                outcome_summary=tuple(
                    Distribution1D.of(outcomes[:, d], float(arrays.lo[d]), float(arrays.hi[d]))
                    for d in range(arrays.n_dims)
                ),
                allowed_summary=tuple(
                    Distribution1D.of(allowed[:, d], float(arrays.lo[d]), float(arrays.hi[d]))
                    for d in range(arrays.n_dims)
                ),
                drivers=_drivers(inputs, values, outcomes, passes),
                status_quo=arrays.status_quo,
                scale=np.where(arrays.hi > arrays.lo, arrays.hi - arrays.lo, 1.0),
                procedure=None
                if over is None
                else over.run(batch, outcomes, [i.name for i in inputs], values),
            )
        )
    return IssueUncertainty(
        issue_id=issue_id,
        dimensions=tuple(d.id for d in issue.dimensions),
        lo=arrays.lo,
        hi=arrays.hi,
        status_quo=arrays.status_quo,
        rule=None if issue_rule_.spec is None else issue_rule_.spec.kind,
        inputs=tuple(inputs),
        values=values,
        models=tuple(results),
    )


def monte_carlo(
    scenario: Scenario,
    model: str | Sequence[str] = DEFAULT_MODELS,
    *,
    issues: Sequence[str] | None = None,
    draws: int = 1000,
    seed: int | None = 0,
    distribution: Distribution = "uniform",
    rule: RuleSpec | str | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    allowed_draws: int | None = MD_ALLOWED_DRAWS,
    procedure: bool = True,
) -> MonteCarloResult:
    """Monte Carlo over every assumed range, for every issue (or ``issues``) and model.

    ``model`` is ``"all"``, a name, a comma-separated list or a list of names; ``rule`` a
    :data:`RuleSpec` or a string such as ``"consensus"`` (see :func:`accord.forecast.parse_rule`).
    ``progress(done, total)`` counts model runs over draws, across all issues.
    """
    from accord.forecast import parse_rule, resolve_issues, resolve_models

    _check_draws(draws)
    if distribution not in DISTRIBUTIONS:
        raise UsageError(
            f"unknown distribution '{distribution}'",
            field="--distribution",
            expected="one of " + ", ".join(DISTRIBUTIONS),
        )
    if allowed_draws is not None and allowed_draws < 1:
        raise UsageError(
            f"allowed_draws is {allowed_draws}",
            field="--allowed-draws",
            expected="a whole number >= 1",
        )
    names = resolve_models(model)
    rule_spec = parse_rule(rule) if isinstance(rule, str) else rule
    issue_ids = resolve_issues(scenario, issues)
    for issue_id in issue_ids:  # check every rule before any long run
        _issue_rule(scenario, issue_id, rule_spec)
    total = len(issue_ids) * len(names) * draws
    results = []
    for n, issue_id in enumerate(issue_ids):

        def tick(done: int, _total: int, offset: int = n * len(names) * draws) -> None:
            if progress is not None:
                progress(offset + done, total)

        results.append(
            issue_monte_carlo(
                scenario,
                issue_id,
                names,
                draws=draws,
                seed=seed,
                distribution=distribution,
                rule=rule_spec,
                params=params,
                progress=tick,
                allowed_draws=allowed_draws,
                procedure=procedure,
            )
        )
    return MonteCarloResult(scenario.id, seed, draws, distribution, tuple(results))


def describe_rho(rho: float) -> str:
    """Words for the size of a rank correlation.

    Words for the size of a rank correlation (|rho| >= 0.7 strong, >= 0.4 moderate, >= 0.2
    weak, else negligible).
    """
    size = abs(rho)
    if math.isnan(size) or size < 0.2:
        return "negligible"
    return "strong" if size >= 0.7 else "moderate" if size >= 0.4 else "weak"


__all__ = [
    "DISTRIBUTIONS",
    "Distribution",
    "InputKind",
    "SobolResult",
    "UncertainInput",
    "apply_draws",
    "draw_values",
    "monte_carlo",
    "sobol_indices",
    "uncertain_inputs",
]
