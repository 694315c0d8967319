"""The shipped calibration of forecast intervals, and where it applies (docs/calibration.md).

The artefact ``accord/data/calibration.json`` is written by ``scripts/fit_calibration.py`` from
the DEU dev split (``tests/data/deu/deu3_dev.tsv``) and by nothing else: it holds every model's
forecasts of the 244 scored dev issues (council-votes capabilities, not rule-aware), the
outcomes, the proposals, the difficulty features, and what :func:`fit_artefact` derives from
them (the conformal quantiles of the shipped set rule, the end-mass logits of the predictive
distribution, the out-of-fold scores, the comparison of the set rules tried). Refitting from the
same inputs reproduces it exactly (tests).

**Set rule.** :func:`fit_artefact` scores four rules out of fold (10 folds of whole proposals):
the ``absolute`` and ``normalised`` scores of :mod:`accord.analysis.conformal`, each as a plain
interval and with the scale's ends as point masses; the shipped rule is the one with the
smallest mean ``width80`` among those whose out-of-fold 80% coverage is within
:data:`COVERAGE_TOLERANCE` of 0.8 for every model ("width at equal coverage").

**Domain** (:func:`domain_problem`): an issue is in the calibration domain when it has one
dimension on a 0-100 scale and is an EU legislative issue: it carries DEU metadata (imported
from DEU) or it is decided by a body whose rule is ``eu-nice`` or ``eu-lisbon``; and the model
is one the artefact calibrates. Elsewhere the interval is the Monte Carlo interval over the
scenario's assumed ranges (:func:`monte_carlo_sets`), labelled uncalibrated, or ``null`` with a
reason when the scenario states no range.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.analysis import conformal, predictive
from accord.models.base import FloatArray, IssueArrays
from accord.scenario.schema import Issue, Scenario

if TYPE_CHECKING:
    import pandas as pd

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

RULES: tuple[tuple[str, conformal.Score, bool], ...] = (
    ("absolute", "absolute", False),
    ("absolute+ends", "absolute", True),
    ("normalised", "normalised", False),
    ("normalised+ends", "normalised", True),
)
"""(name, score, ends) of the set rules compared out of fold."""


# -- features ------------------------------------------------------------------------------


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


# -- fitting -------------------------------------------------------------------------------


def _rows(forecasts: Sequence[float | None]) -> np.ndarray:
    return np.array([f is not None and math.isfinite(f) for f in forecasts], dtype=bool)


def _as_float(values: Sequence[float | None]) -> FloatArray:
    return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)


def distribution_scores(
    y: FloatArray, f: FloatArray, folds: list[tuple[np.ndarray, np.ndarray]]
) -> dict[str, float]:
    """Out-of-fold mean CRPS and pinball loss of the predictive distributions, and baselines.

    ``point`` (the forecast itself: CRPS = absolute error), ``climatology`` (training outcomes),
    ``residuals`` (forecast + all training residuals, clipped: ends as they fall), ``mixture``
    (end masses by the logit on the forecast, interior from interior residuals), and the MAE of
    the mixture's median. Per issue: :func:`distribution_scores_per_issue`.
    """
    return {k: float(np.mean(v)) for k, v in distribution_scores_per_issue(y, f, folds).items()}


def distribution_scores_per_issue(
    y: FloatArray, f: FloatArray, folds: list[tuple[np.ndarray, np.ndarray]]
) -> dict[str, FloatArray]:
    """The per-issue scores behind :func:`distribution_scores` (same keys)."""
    out = {k: np.zeros(y.size) for k in ("point", "climatology", "residuals", "mixture")}
    pin = {k: np.zeros(y.size) for k in ("climatology", "residuals", "mixture")}
    median_err = np.zeros(y.size)
    for train, test in folds:
        coef = predictive.fit_end_probabilities(f[train], y[train])
        clim = predictive.climatology(y[train])
        resid = y[train] - f[train]
        for i in test:
            dists = {
                "climatology": clim,
                "residuals": _clipped(f[i] + resid),
                "mixture": predictive.residual_mixture(f[i], f[train], y[train], coef),
            }
            out["point"][i] = abs(f[i] - y[i])
            for k, d in dists.items():
                out[k][i] = d.crps(float(y[i]))
                pin[k][i] = predictive.mean_pinball(d, float(y[i]))
            median_err[i] = abs(dists["mixture"].median() - y[i])
    result = {f"crps_{k}": v for k, v in out.items()}
    result.update({f"pinball_{k}": v for k, v in pin.items()})
    result["mae_mixture_median"] = median_err
    return result


def _clipped(values: FloatArray, lo: float = 0.0, hi: float = 100.0) -> predictive.EndMixture:
    v = np.clip(values, lo, hi)
    return predictive.EndMixture.of(float(np.mean(v <= lo)), float(np.mean(v >= hi)), v, lo, hi)


def fit_artefact(
    issues: Sequence[str],
    proposals: Sequence[str],
    outcomes: Sequence[float],
    forecasts: Mapping[str, Sequence[float | None]],
    features: Sequence[Sequence[float]],
    *,
    source: str = CALIBRATION_FILE,
    sha256: str = "",
) -> dict[str, Any]:
    """The artefact: inputs, the rule comparison, the shipped rule's quantiles, OOF scores."""
    y_all = np.asarray(outcomes, dtype=np.float64)
    g_all = np.asarray(proposals)
    Z_all = np.asarray(features, dtype=np.float64)
    comparison: dict[str, dict[str, list[float]]] = {}
    for name, score, ends in RULES:
        comparison[name] = {}
        for model, values in forecasts.items():
            keep = _rows(values)
            oof = conformal.out_of_fold(
                y_all[keep],
                _as_float(values)[keep],
                g_all[keep],
                score=score,
                ends=ends,
                Z=Z_all[keep],
                folds=FOLDS,
            )
            comparison[name][model] = [oof.coverage(LEVEL), oof.width(LEVEL)]
    eligible = [
        name
        for name, _, _ in RULES
        if all(abs(c - LEVEL) <= COVERAGE_TOLERANCE for c, _ in comparison[name].values())
    ]
    best = min(
        eligible or [r[0] for r in RULES],
        key=lambda n: float(np.mean([w for _, w in comparison[n].values()])),
    )
    _, score, ends = next(r for r in RULES if r[0] == best)
    models: dict[str, Any] = {}
    for model, values in forecasts.items():
        keep = _rows(values)
        y, f, g = y_all[keep], _as_float(values)[keep], g_all[keep]
        cal = conformal.fit(y, f, g, score=score, ends=ends, Z=Z_all[keep])
        oof = conformal.out_of_fold(y, f, g, score=score, ends=ends, Z=Z_all[keep], folds=FOLDS)
        folds = conformal.group_folds(g, FOLDS)
        models[model] = {
            "forecasts": [None if v is None or not math.isfinite(v) else float(v) for v in values],
            "q": {f"{k:g}": v for k, v in cal.q.items()},
            "beta": None if cal.beta is None else [float(b) for b in cal.beta],
            "end_logit": predictive.fit_end_probabilities(f, y).tolist(),
            "out_of_fold": {
                **{f"coverage{round(L * 100)}": oof.coverage(L) for L in conformal.LEVELS},
                **{f"width{round(L * 100)}": oof.width(L) for L in conformal.LEVELS},
                **distribution_scores(y, f, folds),
            },
        }
    return {
        "version": 1,
        "source": source,
        "sha256": sha256,
        "scale": [0.0, 100.0],
        "levels": list(conformal.LEVELS),
        "folds": FOLDS,
        "rule": {"name": best, "score": score, "ends": ends},
        "width": WIDTH_DEFINITION,
        "comparison": comparison,
        "issues": list(issues),
        "proposals": [str(p) for p in proposals],
        "outcomes": [float(v) for v in outcomes],
        "features": {"names": list(conformal.FEATURES), "values": Z_all.tolist()},
        "models": models,
    }


def file_sha256(text: str) -> str:
    """SHA-256 hex digest of ``text`` (UTF-8), to tie the artefact to its inputs."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def load() -> dict[str, Any]:
    """The shipped artefact (read once)."""
    text = resources.files("accord").joinpath("data", ARTEFACT).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def calibrated_on(data: Mapping[str, Any]) -> str:
    """One line naming what the artefact ``data`` was calibrated on."""
    n = len(data["issues"])
    g = len(set(data["proposals"]))
    return f"{data['source']} (DEU III dev split: {n} issues, {g} proposals)"


# -- applying it ---------------------------------------------------------------------------


def _calibration(
    data: Mapping[str, Any], model: str, train: np.ndarray | None
) -> tuple[conformal.Calibration, FloatArray, FloatArray, FloatArray, FloatArray]:
    """The interval rule of a model fitted on some rows of the artefact.

    The fitted rule of ``model`` on the artefact rows ``train`` (all rows when ``None``),
    with the training forecasts, outcomes, features and the end-mass logit coefficients.
    """
    rule = data["rule"]
    entry = data["models"][model]
    f = _as_float(entry["forecasts"])
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


@functools.cache
def _fold_calibration(
    model: str, fold: int
) -> tuple[conformal.Calibration, FloatArray, FloatArray, FloatArray, FloatArray]:
    """The calibration of the shipped artefact without one fold.

    :func:`_calibration` of the shipped artefact without fold ``fold`` of its proposals
    (``-1``: the whole split); cached, as it depends on the artefact only.
    """
    data = load()
    train = None
    if fold >= 0:
        folds = conformal.group_folds(np.asarray(data["proposals"]), int(data["folds"]))
        train = folds[fold][0]
    return _calibration(data, model, train)


def model_key(model: str) -> str:
    """The artefact's (backtest) name of a registered model."""
    from accord.analysis.backtest import REGISTRY_JSON_NAMES

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

    Central Monte Carlo intervals (quantiles (1-L)/2, (1+L)/2) over the assumed ranges, or
    ``None`` when the issue has no range.
    """
    from accord.analysis import montecarlo as mc
    from accord.forecast import seed_for
    from accord.scale.batch import run_batch

    inputs = mc.uncertain_inputs(scenario, issue_id)
    if not inputs:
        return None
    values = mc.draw_values(inputs, draws, seed_for(seed, "interval", issue_id), "uniform")
    batch = mc.apply_draws(scenario, issue_id, inputs, values)
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
        cal, *_ = _calibration(data, model_key(model), None)
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
    """The predictive distribution of one calibrated forecast.

    The predictive distribution of one calibrated forecast (:mod:`accord.analysis.predictive`):
    the end masses, quantiles, and the model's out-of-fold CRPS on the dev split.
    """
    _, f, y, _, coef = _calibration(data, model, None)
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
    """Format an interval for a table cell.

    ``"31.2-68.0 (+0, 100)"`` for a table cell; ``"-"`` without an interval; ``"*"`` marks
    an uncalibrated one.
    """
    if not block:
        return "-"
    parts = [f"{a:.1f}-{b:.1f}" for a, b in zip(block["lo"], block["hi"], strict=True)]
    text = ", ".join(parts)
    if block.get("ends"):
        text += " (+" + ", ".join(f"{e:g}" for e in block["ends"]) + ")"
    return text if block.get("calibrated") else text + " uncal."


# -- backtest ------------------------------------------------------------------------------


def backtest_columns(
    errors: pd.DataFrame,
    models: Sequence[str],
    features: Mapping[str, FloatArray],
    *,
    replicates: int = 2000,
    seed: int = 0,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Per model coverage50/80/90, width80, crps (+ intervals of the coverages), and a note.

    Issues of the calibration file (matched by issue id) are scored out of fold: the sets come
    from the artefact's other folds of whole proposals; other issues use the full calibration.
    """
    data = load()
    index = {issue: k for k, issue in enumerate(data["issues"])}
    fold_of = np.full(len(index), -1)
    all_folds = conformal.group_folds(np.asarray(data["proposals"]), int(data["folds"]))
    for k, (_, test) in enumerate(all_folds):
        fold_of[test] = k
    ends = bool(data["rule"]["ends"])
    per_model: dict[str, dict[str, Any]] = {}
    n_oof = 0
    for model in models:
        rows = errors[(errors["model"] == model) & (errors["failure"] == "")]
        if model not in data["models"] or rows.empty:
            per_model[model] = {k: None for k in ("coverage50", "coverage80", "coverage90")}
            per_model[model].update(width80=None, crps=None, ci={})
            continue
        f = rows["forecast"].to_numpy(dtype=np.float64)
        y = rows["outcome"].to_numpy(dtype=np.float64)
        pos = np.array([index.get(str(i), -1) for i in rows["issue"]])
        fold = np.where(pos >= 0, fold_of[np.maximum(pos, 0)], -1)
        n_oof = max(n_oof, int(np.sum(fold >= 0)))
        set_lo = {L: np.zeros(f.size) for L in conformal.LEVELS}
        set_hi = {L: np.zeros(f.size) for L in conformal.LEVELS}
        crps = np.zeros(f.size)
        issue_ids = [str(i) for i in rows["issue"]]
        for k in np.unique(fold):
            sel = fold == k
            cal, tf, ty, _, coef = _fold_calibration(model, int(k))
            Z = None
            if cal.score == "normalised":
                Z = np.array([features[issue_ids[i]] for i in np.flatnonzero(sel)])
            for L, (a, b) in cal.predict(f[sel], Z).items():
                set_lo[L][sel], set_hi[L][sel] = a, b
            for i in np.flatnonzero(sel):
                crps[i] = predictive.residual_mixture(f[i], tf, ty, coef).crps(float(y[i]))
        groups = rows["proposal"].to_numpy()
        row: dict[str, Any] = {"ci": {}}
        for L in conformal.LEVELS:
            hits = conformal.covered(y, set_lo[L], set_hi[L], ends=ends)
            name = f"coverage{round(L * 100)}"
            row[name] = float(np.mean(hits))
            row["ci"][name] = conformal.coverage_interval(
                hits, groups, replicates=replicates, seed=seed
            )
        row["width80"] = float(np.mean(set_hi[LEVEL] - set_lo[LEVEL]))
        row["crps"] = float(np.mean(crps))
        row["ci"]["crps"] = conformal.coverage_interval(
            crps, groups, replicates=replicates, seed=seed
        )
        per_model[model] = row
    note = {
        "fitted_on": calibrated_on(data),
        "sha256": data["sha256"],
        "rule": data["rule"]["name"],
        "width": WIDTH_DEFINITION,
        "scored_out_of_fold": n_oof,
        "scoring": "issues of the calibration file are scored out of fold (folds of whole "
        "proposals); other issues with the calibration fitted on the whole dev split",
    }
    return per_model, note
