"""Backtest forecasting models on EU legislative decisions (DEU).

For every issue row of a DEU file that survives cleaning (see
:mod:`accord.scenario.importers.deu`) and for every model, the error is the absolute distance
between the model's forecast and the recorded outcome, on the issue's 0-100 scale:
``error = |forecast - out|``. Per model the backtest reports

* ``mae`` = mean of the errors, ``rmse`` = sqrt(mean of the squared errors), ``n`` = issues
  scored;
* ``mae_qmv`` and ``mae_unanimity``: the MAE over the issues the Council decides by qualified
  majority (``counvte`` QMV or QMV(n)) and by unanimity (``None`` when there are none).

Three baselines are always computed here, from the positions and saliences of the actors of each
issue (Achen 2006, *The European Union Decides*, ch. 10, for their use as benchmarks):

* ``mean``: the unweighted mean of the positions, x* = (1/n) sum_i x_i;
* ``median``: the unweighted median of the positions (``numpy.median``: the mean of the two middle
  positions when n is even);
* ``salience_weighted_mean``: x* = sum_i s_i x_i / sum_i s_i (the unweighted mean when every
  salience is 0).

Registered models run through :func:`accord.models.registry.get_model` with their default
parameters and the capabilities the importer sets (``capability`` option). Their JSON names are
their registry names, except that the registry's ``median`` model (the c*s-weighted median) is
listed as ``weighted_median``, because ``median`` is the unweighted baseline of the JSON
contract. In ``models`` the names ``median`` and ``weighted_median`` both ask for that
registered model (so the CLI's registry names work unchanged); the baseline names ``mean`` and
``salience_weighted_mean`` are accepted and ignored, as the baselines always run.

Capability options: those of :data:`accord.data.eu_council.CAPABILITY_OPTIONS` (set by the
importer), and the power-index options of :data:`POWER_OPTIONS`: the capability of each Council
member is its Shapley-Shubik (``power-shapley-shubik``) or normalised Banzhaf
(``power-banzhaf``) index under the issue's own rule (:func:`accord.forecast.issue_rule`: QMV of
the period or unanimity, over the members that hold a stance on the issue), computed by
:func:`accord.rules.power.power_indices` (exact up to 20 members, seeded Monte Carlo with
:data:`POWER_SAMPLES` samples above); states without a Council vote in the period get 0, and the
Commission and the Parliament the largest index among the members (the convention of
models.md section 6 for vote weights).

Statistics beyond the contract (hit rates, splits by rule, procedure and number of actors,
bootstrap intervals by proposal, paired comparisons) come from
:mod:`accord.analysis.backtest_stats` and are added to the JSON by
:meth:`BacktestResult.to_json_dict`.

With ``rule_aware=True`` every forecast (baselines included) is passed through the Council's
decision procedure, with the Council rule of the issue, its members that hold a stance, and the
issue's status quo (``rp``); issues with no valid ``rp`` are not constrained. The procedure is
``practised`` by default (:func:`accord.rules.procedure.run_procedure` with the fitted EU
defaults of :func:`accord.rules.procedure.defaults_for`: ``EU_UNANIMITY`` or ``EU_QMV``); with
``procedure="strict"`` it is the strict reading of earlier versions,
:func:`accord.rules.constrain.constrain` (the nearest point of the winset). The JSON then also
holds ``rule_aware_vs_free``: per model, the paired bootstrap by proposal of the MAE of the
rule-aware forecasts minus that of the model's own (free) forecasts on the same issues.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from accord.analysis import backtest_stats as stats
from accord.errors import AccordError, ScenarioError, UsageError
from accord.intervals.shipped import REGISTRY_JSON_NAMES as REGISTRY_JSON_NAMES
from accord.models.base import FloatArray, IssueArrays
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import deu
from accord.scenario.schema import Scenario

Progress = Callable[[int, int], None]

POWER_OPTIONS: Mapping[str, str] = {
    "power-shapley-shubik": (
        "Shapley-Shubik index of each Council member under the issue's own rule (QMV of the "
        "period or unanimity, members holding a stance); states without a vote 0; com and ep "
        "the largest index among the members"
    ),
    "power-banzhaf": ("normalised Banzhaf index, otherwise as power-shapley-shubik"),
}
"""Capability options computed here from the rules (the importer's options are in eu_council)."""

POWER_SAMPLES = 20_000
"""Monte Carlo samples of :func:`accord.rules.power.power_indices` for rules above 20 members."""

ERROR_COLUMNS = (
    "proposal",
    "issue",
    "rule",
    "procedure",
    "n_actors",
    "model",
    "forecast",
    "outcome",
    "error",
    "unconstrained",
    "failure",
)


def mean_position(positions: FloatArray) -> FloatArray:
    """Unweighted mean of the positions per dimension: x* = (1/n) sum_i x_i. ``(n, m) -> (m,)``."""
    return np.asarray(positions.mean(axis=0), dtype=np.float64)


def median_position(positions: FloatArray) -> FloatArray:
    """Unweighted median per dimension (mean of the two middle values when n is even)."""
    return np.asarray(np.median(positions, axis=0), dtype=np.float64)


def salience_weighted_mean(positions: FloatArray, saliences: FloatArray) -> FloatArray:
    """x* = sum_i s_i x_i / sum_i s_i per dimension; the unweighted mean where all s_i are 0."""
    total = saliences.sum(axis=0)
    weighted = (saliences * positions).sum(axis=0)
    safe = np.where(total > 0, total, 1.0)
    result = np.where(total > 0, weighted / safe, positions.mean(axis=0))
    return np.asarray(result, dtype=np.float64)


BASELINES: Mapping[str, Callable[[IssueArrays], FloatArray]] = {
    "mean": lambda a: mean_position(a.positions),
    "median": lambda a: median_position(a.positions),
    "salience_weighted_mean": lambda a: salience_weighted_mean(a.positions, a.saliences),
}


@dataclass(frozen=True)
class BacktestResult:
    """Per-issue errors, the cleaning report, and the metrics per model.

    Attributes:
        errors: one row per (issue, model) with the columns of :data:`ERROR_COLUMNS`;
            ``forecast`` is the scored forecast (after the rule when ``rule_aware``),
            ``unconstrained`` the model's own forecast. A model run that raised an
            :class:`~accord.errors.AccordError` (a model refusing an input) has NaN forecast and
            error and the message in ``failure``; it is left out of that model's metrics.
        cleaning: what cleaning did to the file.
        models: the result names, in order (baselines first).
        capability: the capability option used.
        rule_aware: whether forecasts were constrained by the Council rule.
        seed: the seed of the stochastic models.
        procedure: the decision procedure of the rule-aware mode (``practised`` or ``strict``).
        features: issue id -> the difficulty features of the calibrated intervals
            (:func:`accord.analysis.interval_calibration.issue_features`).
    """

    errors: pd.DataFrame
    cleaning: deu.CleaningReport
    models: tuple[str, ...]
    capability: str
    rule_aware: bool
    seed: int | None
    procedure: str = "practised"
    features: Mapping[str, FloatArray] = field(default_factory=dict)

    def metrics(self) -> dict[str, dict[str, float | int | None]]:
        """``{model: {"mae", "rmse", "n", "mae_qmv", "mae_unanimity"}}`` in model order."""
        out: dict[str, dict[str, float | int | None]] = {}
        for name in self.models:
            rows = self.errors[self.errors["model"] == name]
            rows = rows[rows["failure"] == ""]
            err = rows["error"].to_numpy(dtype=np.float64)
            qmv = rows.loc[rows["rule"] == "qmv", "error"].to_numpy(dtype=np.float64)
            unan = rows.loc[rows["rule"] == "unanimity", "error"].to_numpy(dtype=np.float64)
            out[name] = {
                "mae": _mean(err),
                "rmse": None if err.size == 0 else math.sqrt(float(np.mean(err**2))),
                "n": int(err.size),
                "mae_qmv": _mean(qmv),
                "mae_unanimity": _mean(unan),
            }
        return out

    def cleaning_line(self) -> str:
        """The cleaning summary, ending with the count of failed model runs per model if any."""
        line = self.cleaning.summary()
        failed = self.errors.loc[self.errors["failure"] != "", "model"].value_counts()
        if len(failed):
            line += "; model runs that failed: " + ", ".join(
                f"{name} {int(failed[name])}" for name in self.models if name in failed
            )
        return line

    def to_json_dict(
        self,
        *,
        replicates: int = stats.DEFAULT_REPLICATES,
        level: float = stats.DEFAULT_LEVEL,
        statistics: bool = True,
    ) -> dict[str, Any]:
        """The JSON contract ``{"models": {NAME: metrics}, "cleaning": "<one line>"}``, extended.

        Each model's metrics also hold ``hit5`` and ``hit10`` and, with ``statistics``, ``ci``:
        bootstrap intervals by proposal of ``mae``, ``rmse``, ``hit5``, ``hit10``. With
        ``statistics`` the top level also holds ``splits`` (:func:`backtest_stats.split_metrics`),
        ``paired`` (every pair of models, :func:`backtest_stats.pairwise`) and ``bootstrap`` (how
        the intervals were drawn), plus ``capability``, ``rule_aware`` and ``seed``. The bootstrap
        seed is the backtest's seed (0 when it is ``None``).
        """
        models = self.metrics()
        seed = self.bootstrap_seed
        for name, row in models.items():
            err = stats.scored(self.errors, name)
            errors = err["error"].to_numpy(dtype=np.float64)
            for t in stats.HIT_THRESHOLDS:
                row[f"hit{t:g}"] = stats.hit_rate(errors, t)
            if statistics:
                ci = stats.bootstrap_metrics(
                    errors,
                    err["proposal"].to_numpy(),
                    replicates=replicates,
                    seed=seed,
                    level=level,
                )
                row["ci"] = ci  # type: ignore[assignment]
        data: dict[str, Any] = {"models": models, "cleaning": self.cleaning_line()}
        if statistics:
            data["calibration"] = _add_intervals(self, models, replicates, seed)
            data["splits"] = stats.split_metrics(self.errors, self.models)
            data["paired"] = [
                c.as_dict()
                for c in stats.pairwise(
                    self.errors, self.models, replicates=replicates, seed=seed, level=level
                )
            ]
            data["bootstrap"] = {
                "unit": "proposal",
                "replicates": replicates,
                "level": level,
                "seed": seed,
                "proposals": int(self.errors["proposal"].nunique()),
            }
            data["capability"] = self.capability
            data["rule_aware"] = self.rule_aware
            data["seed"] = self.seed
            if self.rule_aware:
                data["procedure"] = self.procedure
                data["rule_aware_vs_free"] = self.rule_aware_vs_free(
                    replicates=replicates, level=level
                )
        return data

    def rule_aware_vs_free(
        self, *, replicates: int = stats.DEFAULT_REPLICATES, level: float = stats.DEFAULT_LEVEL
    ) -> dict[str, dict[str, Any]]:
        """Rule-aware minus free MAE per model, with a paired bootstrap.

        Per model, rule-aware MAE minus free MAE with its paired bootstrap by proposal
        (:func:`backtest_stats.paired_bootstrap`; ``a`` is rule-aware, ``b`` free).
        """
        out: dict[str, dict[str, Any]] = {}
        for name in self.models:
            rows = stats.scored(self.errors, name)
            free = (rows["unconstrained"] - rows["outcome"]).abs().to_numpy(dtype=np.float64)
            comparison = stats.paired_bootstrap(
                rows["error"].to_numpy(dtype=np.float64),
                free,
                rows["proposal"].to_numpy(),
                names=(f"{name} rule-aware", f"{name} free"),
                replicates=replicates,
                seed=self.bootstrap_seed,
                level=level,
            )
            out[name] = comparison.as_dict()
        return out

    @property
    def bootstrap_seed(self) -> int:
        """The seed of the bootstrap draws: the backtest's seed, or 0 when it is ``None``."""
        return 0 if self.seed is None else int(self.seed)


def _add_intervals(
    result: BacktestResult, models: dict[str, Any], replicates: int, seed: int
) -> dict[str, Any]:
    """Add coverage50/80/90, width80 and crps per model (docs/calibration.md); the note."""
    from accord.analysis.interval_calibration import backtest_columns

    columns, note = backtest_columns(
        result.errors, result.models, result.features, replicates=replicates, seed=seed
    )
    for name, extra in columns.items():
        ci = extra.pop("ci")
        models[name].update(extra)
        models[name].setdefault("ci", {}).update(ci)
    return note


def _mean(values: FloatArray) -> float | None:
    return None if values.size == 0 else float(np.mean(values))


def _read_input(path_or_text: str | os.PathLike[str]) -> tuple[str, str]:
    """Return (text, source name). A str with a tab or a newline is the file's text itself."""
    if isinstance(path_or_text, str) and ("\t" in path_or_text or "\n" in path_or_text):
        return path_or_text, "<text>"
    path = Path(path_or_text)
    try:
        return path.read_text(encoding="utf-8"), path.name
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}", field="FILE", expected="a DEU TSV file") from None
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", file=path.name) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", field="FILE") from None


def _resolve(models: Sequence[str]) -> list[tuple[str, str]]:
    """(registry name, result name) for each registered model asked for, without duplicates."""
    from accord.models.registry import get_model

    aliases = {v: k for k, v in REGISTRY_JSON_NAMES.items()}
    chosen: dict[str, str] = {}
    for raw in models:
        name = raw.strip()
        if name in ("mean", "salience_weighted_mean"):
            continue
        registry_name = aliases.get(name, name)
        get_model(registry_name)  # a UsageError naming the valid models when unknown
        chosen[registry_name] = REGISTRY_JSON_NAMES.get(registry_name, registry_name)
    return list(chosen.items())


def capability_options() -> dict[str, str]:
    """Every capability option of the backtest, with its description."""
    from accord.data import eu_council

    return {**eu_council.CAPABILITY_OPTIONS, **POWER_OPTIONS}


def power_capabilities(
    scenario: Scenario,
    arrays: IssueArrays,
    option: str,
    *,
    cache: dict[tuple[Any, ...], dict[str, float]] | None = None,
    seed: int | None = 0,
) -> FloatArray:
    """Capabilities of one DEU issue from the power indices of its Council rule.

    Each Council member holding a stance gets its index (``option`` of :data:`POWER_OPTIONS`)
    under the issue's rule (:func:`accord.forecast.issue_rule`); other states get 0; ``com`` and
    ``ep`` (not Council members) get the largest index among the members. Identical rules (same
    kind, quota, members and weights) share one computation through ``cache``.
    """
    from accord.forecast import issue_rule
    from accord.rules.build import build_rule
    from accord.rules.power import power_indices

    spec, members = issue_rule(scenario, scenario.issues[0], None)
    caps = np.zeros(arrays.n_actors, dtype=np.float64)
    if spec is None or not members:
        return caps
    rule = build_rule(spec, members)
    # The spec fixes the period (pre-Nice weighted rule or eu-nice with its vote share), and so
    # the members' weights; with the member ids it fixes the game.
    key = (option, spec.model_dump_json(), tuple(m.id for m in members))
    table = None if cache is None else cache.get(key)
    if table is None:
        result = power_indices(rule, seed=0 if seed is None else seed, samples=POWER_SAMPLES)
        values = result.shapley_shubik if option == "power-shapley-shubik" else result.banzhaf
        table = {m: float(v) for m, v in zip(result.member_ids, values, strict=True)}
        if cache is not None:
            cache[key] = table
    top = max(table.values(), default=0.0)
    for i, actor in enumerate(arrays.actor_ids):
        if actor in table:
            caps[i] = table[actor]
        elif scenario.actor(actor).kind != "state":
            caps[i] = top
    return caps


class _RuleConstraint:
    """The Council rule of one issue, ready to constrain forecasts (rule-aware mode)."""

    def __init__(
        self, scenario: Scenario, arrays: IssueArrays, procedure: str = "practised"
    ) -> None:
        from accord.forecast import issue_rule
        from accord.rules.build import build_rule

        issue = scenario.issues[0]
        spec, members = issue_rule(scenario, issue, None)
        index = {a: i for i, a in enumerate(arrays.actor_ids)}
        self.rows = np.array([index[m.id] for m in members], dtype=np.intp)
        self.arrays = arrays
        self.rule = None
        self.procedure = procedure
        self.kind = "" if spec is None else spec.kind
        if spec is not None and members and arrays.status_quo is not None:
            self.rule = build_rule(spec, members)

    def apply(self, outcome: FloatArray) -> FloatArray:
        if self.rule is None or self.arrays.status_quo is None:
            return outcome
        from accord.rules.constrain import constrain

        if self.procedure == "practised":
            from accord.rules.procedure import defaults_for, run_procedure

            params = defaults_for(self.kind)
            practised = run_procedure(
                self.rule,
                self.arrays.positions[self.rows],
                self.arrays.saliences[self.rows],
                self.arrays.status_quo,
                outcome,
                cost=params.cost,
                reservation_threshold=params.reservation_threshold,
                max_dilution=params.max_dilution,
            )
            return np.asarray(practised.value, dtype=np.float64)

        result = constrain(
            self.rule,
            self.arrays.positions[self.rows],
            self.arrays.saliences[self.rows],
            self.arrays.status_quo,
            outcome,
            self.arrays.lo,
            self.arrays.hi,
        )
        return np.asarray(result.allowed, dtype=np.float64)


def run_backtest(
    path_or_text: str | os.PathLike[str],
    models: Sequence[str],
    capability: str = deu.DEFAULT_CAPABILITY,
    rule_aware: bool = False,
    seed: int | None = 0,
    progress: Progress | None = None,
    procedure: str = "practised",
) -> BacktestResult:
    """Score the baselines and ``models`` on every valid issue of a DEU file.

    Args:
        path_or_text: a path to a DEU TSV file, or its text (a str holding a tab or newline).
        models: registry names (``median`` or ``weighted_median`` for the weighted median); the
            baselines always run.
        capability: one of :func:`capability_options` (the importer's options and
            :data:`POWER_OPTIONS`).
        rule_aware: constrain every forecast by the issue's Council rule.
        seed: seed of the stochastic models; each (issue, model) cell gets its own stream
            (:func:`accord.forecast.seed_for`), so results do not depend on which models run.
        progress: called as ``progress(done, total)`` after each (issue, model) cell.
        procedure: the rule-aware mode's procedure: ``practised`` (default) or ``strict``.

    Returns:
        The :class:`BacktestResult`.
    """
    from accord.analysis.interval_calibration import issue_features
    from accord.forecast import seed_for
    from accord.models.registry import get_model

    if procedure not in ("practised", "strict"):
        raise UsageError(
            f"unknown procedure '{procedure}'",
            field="--procedure",
            expected="strict or practised",
        )
    options = capability_options()
    if capability not in options:
        raise UsageError(
            f"unknown capability option '{capability}'",
            field="capability",
            expected="one of " + ", ".join(options),
        )
    text, source = _read_input(path_or_text)
    power = capability in POWER_OPTIONS
    scenarios, report = deu.read_with_report(
        text, source, deu.DEFAULT_CAPABILITY if power else capability
    )
    power_cache: dict[tuple[Any, ...], dict[str, float]] = {}
    registered = _resolve(models)
    names = (*BASELINES, *(json_name for _, json_name in registered))
    total = len(scenarios) * len(names)
    done = 0
    records: list[dict[str, Any]] = []
    features: dict[str, FloatArray] = {}
    for scenario in scenarios:
        issue = scenario.issues[0]
        arrays = issue_arrays(scenario, issue.id)
        plain = arrays  # the calibration's features use the importer's capabilities
        if power:
            arrays = dataclasses.replace(
                arrays,
                capabilities=power_capabilities(
                    scenario, arrays, capability, cache=power_cache, seed=seed
                ),
            )
        meta = deu.issue_metadata(issue)
        outcome = float(issue.outcome.values()[0]) if issue.outcome is not None else math.nan
        constraint = _RuleConstraint(scenario, arrays, procedure) if rule_aware else None
        base = {
            "proposal": meta.get("prnr", scenario.id),
            "issue": meta.get("isnr", issue.id),
            "rule": "unanimity" if meta.get("counvte", "").lower().startswith("unan") else "qmv",
            "procedure": meta.get("proc", ""),
            "n_actors": arrays.n_actors,
        }
        features[str(base["issue"])] = issue_features(plain, base["rule"] == "unanimity")
        forecasts: list[tuple[str, FloatArray | AccordError]] = [
            (name, fn(arrays)) for name, fn in BASELINES.items()
        ]
        for registry_name, json_name in registered:
            spec = get_model(registry_name)
            try:
                run = spec.run(arrays, {}, seed_for(seed, issue.id, registry_name))
            except AccordError as exc:
                forecasts.append((json_name, exc))
                continue
            forecasts.append((json_name, np.asarray(run.outcome, dtype=np.float64)))
        for name, raw in forecasts:
            if isinstance(raw, AccordError):
                value, unconstrained, failure = math.nan, math.nan, f"{type(raw).__name__}: {raw}"
            else:
                scored = raw if constraint is None else constraint.apply(raw)
                value, unconstrained, failure = float(scored[0]), float(raw[0]), ""
            records.append(
                {
                    **base,
                    "model": name,
                    "forecast": value,
                    "outcome": outcome,
                    "error": abs(value - outcome),
                    "unconstrained": unconstrained,
                    "failure": failure,
                }
            )
            done += 1
            if progress is not None:
                progress(done, total)
    errors = pd.DataFrame.from_records(records, columns=list(ERROR_COLUMNS))
    return BacktestResult(
        errors=errors,
        cleaning=report,
        models=names,
        capability=capability,
        rule_aware=rule_aware,
        seed=seed,
        procedure=procedure,
        features=features,
    )
