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

With ``rule_aware=True`` every forecast (baselines included) is passed through
:func:`accord.rules.constrain.constrain` with the Council rule of the issue, its members that hold
a stance, and the issue's status quo (``rp``); issues with no valid ``rp`` are not constrained.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from accord.errors import AccordError, ScenarioError, UsageError
from accord.models.base import FloatArray, IssueArrays
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import deu
from accord.scenario.schema import Scenario

Progress = Callable[[int, int], None]

REGISTRY_JSON_NAMES: Mapping[str, str] = {"median": "weighted_median"}
"""Registry name -> name in the results, where the two differ."""

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
    """

    errors: pd.DataFrame
    cleaning: deu.CleaningReport
    models: tuple[str, ...]
    capability: str
    rule_aware: bool
    seed: int | None

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

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON contract: ``{"models": {NAME: metrics}, "cleaning": "<one line>"}``.

        The cleaning line ends with the count of failed model runs per model, when there are any.
        """
        line = self.cleaning.summary()
        failed = self.errors.loc[self.errors["failure"] != "", "model"].value_counts()
        if len(failed):
            line += "; model runs that failed: " + ", ".join(
                f"{name} {int(failed[name])}" for name in self.models if name in failed
            )
        return {"models": self.metrics(), "cleaning": line}


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


class _RuleConstraint:
    """The Council rule of one issue, ready to constrain forecasts (rule-aware mode)."""

    def __init__(self, scenario: Scenario, arrays: IssueArrays) -> None:
        from accord.forecast import issue_rule
        from accord.rules.build import build_rule

        issue = scenario.issues[0]
        spec, members = issue_rule(scenario, issue, None)
        index = {a: i for i, a in enumerate(arrays.actor_ids)}
        self.rows = np.array([index[m.id] for m in members], dtype=np.intp)
        self.arrays = arrays
        self.rule = None
        if spec is not None and members and arrays.status_quo is not None:
            self.rule = build_rule(spec, members)

    def apply(self, outcome: FloatArray) -> FloatArray:
        if self.rule is None or self.arrays.status_quo is None:
            return outcome
        from accord.rules.constrain import constrain

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
) -> BacktestResult:
    """Score the baselines and ``models`` on every valid issue of a DEU file.

    Args:
        path_or_text: a path to a DEU TSV file, or its text (a str holding a tab or newline).
        models: registry names (``median`` or ``weighted_median`` for the weighted median); the
            baselines always run.
        capability: one of :data:`accord.analysis.eu_council.CAPABILITY_OPTIONS`.
        rule_aware: constrain every forecast by the issue's Council rule.
        seed: seed of the stochastic models; each (issue, model) cell gets its own stream
            (:func:`accord.forecast.seed_for`), so results do not depend on which models run.
        progress: called as ``progress(done, total)`` after each (issue, model) cell.

    Returns:
        The :class:`BacktestResult`.
    """
    from accord.forecast import seed_for
    from accord.models.registry import get_model

    text, source = _read_input(path_or_text)
    scenarios, report = deu.read_with_report(text, source, capability)
    registered = _resolve(models)
    names = (*BASELINES, *(json_name for _, json_name in registered))
    total = len(scenarios) * len(names)
    done = 0
    records: list[dict[str, Any]] = []
    for scenario in scenarios:
        issue = scenario.issues[0]
        arrays = issue_arrays(scenario, issue.id)
        meta = deu.issue_metadata(issue)
        outcome = float(issue.outcome.values()[0]) if issue.outcome is not None else math.nan
        constraint = _RuleConstraint(scenario, arrays) if rule_aware else None
        base = {
            "proposal": meta.get("prnr", scenario.id),
            "issue": meta.get("isnr", issue.id),
            "rule": "unanimity" if meta.get("counvte", "").lower().startswith("unan") else "qmv",
            "procedure": meta.get("proc", ""),
            "n_actors": arrays.n_actors,
        }
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
    )
