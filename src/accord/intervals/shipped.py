"""The shipped calibration of forecast intervals applied to one forecast (docs/calibration.md).

:func:`forecast_intervals` is what :func:`accord.forecast.forecast` attaches to each forecast:
in the calibration domain (:func:`domain_problem`) the grouped split-conformal sets of the
shipped artefact ``accord/data/calibration.json`` around the forecast, elsewhere the
uncalibrated Monte Carlo interval over the scenario's assumed ranges. Fitting the artefact and
scoring it in the backtest stay in :mod:`accord.analysis.interval_calibration`; this module sits
below :mod:`accord.forecast` so that the forecast needs nothing from ``analysis/``.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.models.base import FloatArray, IssueArrays
from accord.scenario.schema import Issue, Scenario

if TYPE_CHECKING:
    from accord.intervals import conformal

CALIBRATION_FILE = "tests/data/deu/deu3_dev.tsv"
"""The file every shipped calibration is fitted on (the DEU dev split)."""

ARTEFACT = "calibration.json"
FOLDS = 10
LEVEL = 0.8
COVERAGE_TOLERANCE = 0.05
MC_DRAWS = 100
"""Draws of the uncalibrated Monte Carlo fallback interval in ``accord forecast`` (the library's
default is 0: no draws, because they cost as much as ``MC_DRAWS`` forecasts)."""

EU_RULES = ("eu-nice", "eu-lisbon")
WIDTH_DEFINITION = (
    "width = length of the interval part of the set; the scale's ends are point masses of length 0"
)

REGISTRY_JSON_NAMES: Mapping[str, str] = {"median": "weighted_median"}
"""Registry name -> name in the results (the backtest's and the artefact's), where they differ."""


def issue_features(arrays: IssueArrays, unanimity: bool) -> FloatArray:
    """Difficulty features of one issue, in :data:`conformal.FEATURES` order.

    They use positions and saliences only (not capabilities, so that the backtest's capability
    option does not change them): spread, the salience-weighted standard deviation of the
    positions (points; unweighted when every salience is 0); n_actors; unanimity (0/1);
    disagreement, |salience-weighted mean - unweighted median| (points), how far two baseline
    forecasts of the issue lie apart.
    """
    x = arrays.positions[:, 0]
    s = arrays.saliences[:, 0]
    w = s / s.sum() if s.sum() > 0 else np.full(x.size, 1.0 / x.size)
    mean = float(np.sum(w * x))
    spread = math.sqrt(float(np.sum(w * (x - mean) ** 2)))
    return np.array(
        [spread, float(arrays.n_actors), float(unanimity), abs(mean - float(np.median(x)))]
    )


def as_float(values: Sequence[float | None]) -> FloatArray:
    """Forecasts as floats, ``None`` (a model that gave none) as NaN."""
    return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)


@functools.cache
def load() -> dict[str, Any]:
    """The shipped artefact (read once)."""
    text = resources.files("accord").joinpath("data", ARTEFACT).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def calibrated_on(data: Mapping[str, Any]) -> str:
    """What the artefact was fitted on, in words (file, issues, proposals)."""
    n = len(data["issues"])
    g = len(set(data["proposals"]))
    return f"{data['source']} (DEU III dev split: {n} issues, {g} proposals)"


def model_calibration(
    data: Mapping[str, Any], model: str, train: np.ndarray | None
) -> tuple[conformal.Calibration, FloatArray, FloatArray, FloatArray, FloatArray]:
    """The interval rule of a model fitted on some rows of the artefact.

    The fitted rule of ``model`` on the artefact rows ``train`` (all rows when ``None``), with the
    training forecasts, outcomes, features and the end-mass logit coefficients.
    """
    from accord.intervals import conformal, predictive  # a forecast outside the domain: neither

    rule = data["rule"]
    entry = data["models"][model]
    f = as_float(entry["forecasts"])
    y = np.asarray(data["outcomes"], dtype=np.float64)
    g = np.asarray(data["proposals"])
    Z = np.asarray(data["features"]["values"], dtype=np.float64)
    keep = np.isfinite(f)
    if train is not None:
        mask = np.zeros(f.size, dtype=bool)
        mask[train] = True
        keep &= mask
    if train is None:
        cal = conformal.Calibration(
            rule["score"],
            bool(rule["ends"]),
            {float(k): float(v) for k, v in entry["q"].items()},
            None if entry["beta"] is None else np.asarray(entry["beta"], dtype=np.float64),
        )
        coef = np.asarray(entry["end_logit"], dtype=np.float64)
    else:
        cal = conformal.fit(
            y[keep], f[keep], g[keep], score=rule["score"], ends=bool(rule["ends"]), Z=Z[keep]
        )
        coef = predictive.fit_end_probabilities(f[keep], y[keep])
    return cal, f[keep], y[keep], Z[keep], coef


def model_key(model: str) -> str:
    """The artefact's (backtest) name of a registered model."""
    return REGISTRY_JSON_NAMES.get(model, model)


def domain_problem(scenario: Scenario, issue: Issue, model: str) -> str | None:
    """Why ``model``'s forecast of ``issue`` is outside the calibration domain, or ``None``."""
    dims = issue.dimensions
    if len(dims) != 1 or dims[0].lo != 0.0 or dims[0].hi != 100.0:
        return "not an issue on one 0-100 dimension"
    deu_coded = issue.description is not None and "DEU metadata:" in issue.description
    body_rule = None
    if issue.body is not None:
        body_rule = (issue.rule or scenario.body(issue.body).rule).kind
    if not deu_coded and body_rule not in EU_RULES:
        return "not an EU legislative issue (no DEU coding and no eu-nice/eu-lisbon body rule)"
    if model_key(model) not in load()["models"]:
        return f"model '{model}' is not calibrated"
    return None


def _set_json(
    level: float, lo: FloatArray, hi: FloatArray, ends: Sequence[float], **extra: Any
) -> dict[str, Any]:
    return {
        "level": level,
        "lo": [float(v) for v in lo],
        "hi": [float(v) for v in hi],
        "ends": [float(v) for v in ends],
        **extra,
    }


def monte_carlo_sets(
    scenario: Scenario,
    issue_id: str,
    model: str,
    params: Mapping[str, Any],
    seed: int | None,
    draws: int = MC_DRAWS,
) -> dict[float, tuple[FloatArray, FloatArray]] | None:
    """Central Monte Carlo intervals over the assumed ranges.

    Central Monte Carlo intervals (quantiles (1-L)/2, (1+L)/2) over the assumed ranges, or ``None``
    when the issue has no range.
    """
    from accord.rng import seed_for
    from accord.scale import uncertainty as unc

    inputs = unc.uncertain_inputs(scenario, issue_id)
    if not inputs:
        return None
    from accord.intervals import conformal
    from accord.scale.batch import run_batch  # the draws' engine: only when there is a range

    values = unc.draw_values(inputs, draws, seed_for(seed, "interval", issue_id), "uniform")
    batch = unc.apply_draws(scenario, issue_id, inputs, values)
    outcomes = run_batch(model, batch, dict(params), seed_for(seed, "interval", issue_id, model))
    return {
        L: (
            np.quantile(outcomes, (1 - L) / 2, axis=0),
            np.quantile(outcomes, (1 + L) / 2, axis=0),
        )
        for L in conformal.LEVELS
    }


def forecast_intervals(
    scenario: Scenario,
    issue_id: str,
    model: str,
    outcome: FloatArray,
    *,
    params: Mapping[str, Any] | None = None,
    seed: int | None = 0,
    draws: int = 0,
) -> dict[str, Any]:
    """``{"interval", "intervals", "interval_note", "distribution"}`` of one model's forecast.

    In the domain: the shipped conformal sets around the (unconstrained) forecast; outside:
    the Monte Carlo interval over the assumed ranges with ``draws`` draws, labelled
    uncalibrated, or ``None`` with a reason (no range, or ``draws`` 0). ``distribution``
    (calibrated forecasts only, else ``None``): :func:`predictive_summary`. docs/calibration.md.
    """
    issue = scenario.issue(issue_id)
    problem = domain_problem(scenario, issue, model)
    if problem is None:
        data = load()
        cal, *_ = model_calibration(data, model_key(model), None)
        Z = None
        if cal.score == "normalised":
            from accord.scenario.arrays import issue_arrays

            arrays = issue_arrays(scenario, issue_id)
            rule = issue.rule or (scenario.body(issue.body).rule if issue.body else None)
            unan = rule is not None and rule.kind == "unanimity"
            Z = issue_features(arrays, unan)[None, :]
        sets = cal.predict(np.asarray(outcome, dtype=np.float64)[:1], Z)
        ends = [cal.lo, cal.hi] if cal.ends else []
        extra = {
            "calibrated": True,
            "calibrated_on": calibrated_on(data),
            "method": f"grouped split-conformal by proposal ({data['rule']['name']})",
        }
        blocks = {L: _set_json(L, a, b, ends, **extra) for L, (a, b) in sets.items()}
        note = None
        distribution = predictive_summary(data, model_key(model), float(outcome[0]))
    else:
        if draws <= 0:
            return _no_interval(
                f"outside the calibration domain ({problem}); the uncalibrated "
                "Monte Carlo interval was not drawn (interval draws 0)"
            )
        mc_sets = monte_carlo_sets(scenario, issue_id, model, params or {}, seed, draws)
        if mc_sets is None:
            return _no_interval(
                f"outside the calibration domain ({problem}) and no assumed "
                "ranges to draw from: no interval"
            )
        extra = {
            "calibrated": False,
            "calibrated_on": None,
            "method": f"Monte Carlo over the assumed ranges ({draws} draws), uncalibrated",
        }
        blocks = {L: _set_json(L, a, b, [], **extra) for L, (a, b) in mc_sets.items()}
        note = f"outside the calibration domain ({problem}): uncalibrated Monte Carlo interval"
        distribution = None
    return {
        "interval": blocks[LEVEL],
        "intervals": {f"{L:g}": b for L, b in blocks.items()},
        "interval_note": note,
        "distribution": distribution,
    }


SUMMARY_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


def predictive_summary(data: Mapping[str, Any], model: str, forecast: float) -> dict[str, Any]:
    """The predictive distribution of one calibrated forecast (:mod:`accord.intervals.predictive`).

    The end masses, quantiles, and the model's out-of-fold CRPS on the dev split.
    """
    from accord.intervals import predictive

    _, f, y, _, coef = model_calibration(data, model, None)
    dist = predictive.residual_mixture(forecast, f, y, coef)
    return {
        "p_lo": dist.p_lo,
        "p_hi": dist.p_hi,
        "quantiles": {f"{t:g}": float(dist.quantile(t)) for t in SUMMARY_QUANTILES},
        "crps_dev": float(data["models"][model]["out_of_fold"]["crps_mixture"]),
    }


def _no_interval(note: str) -> dict[str, Any]:
    return {"interval": None, "intervals": None, "interval_note": note, "distribution": None}


def format_interval(block: Mapping[str, Any] | None) -> str:
    """``"31.2-68.0 (+0, 100)"`` for a table cell.

    ``"-"`` without an interval; ``"*"`` marks an uncalibrated one.
    """
    if not block:
        return "-"
    parts = [f"{a:.1f}-{b:.1f}" for a, b in zip(block["lo"], block["hi"], strict=True)]
    text = ", ".join(parts)
    if block.get("ends"):
        text += " (+" + ", ".join(f"{e:g}" for e in block["ends"]) + ")"
    return text if block.get("calibrated") else text + " uncal."
