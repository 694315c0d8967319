"""Fitting the shipped calibration of forecast intervals, and scoring it (docs/calibration.md).

The artefact ``accord/data/calibration.json`` is written by ``scripts/fit_calibration.py`` from
the DEU dev split (``tests/data/deu/deu3_dev.tsv``) and by nothing else: it holds every model's
forecasts of the 244 scored dev issues (council-votes capabilities, not rule-aware), the
outcomes, the proposals, the difficulty features, and what :func:`fit_artefact` derives from
them (the conformal quantiles of the shipped set rule, the end-mass logits of the predictive
distribution, the out-of-fold scores, the comparison of the set rules tried). Refitting from the
same inputs reproduces it exactly (tests).

**Set rule.** :func:`fit_artefact` scores four rules out of fold (10 folds of whole proposals):
the ``absolute`` and ``normalised`` scores of :mod:`accord.intervals.conformal`, each as a plain
interval and with the scale's ends as point masses; the shipped rule is the one with the
smallest mean ``width80`` among those whose out-of-fold 80% coverage is within
:data:`COVERAGE_TOLERANCE` of 0.8 for every model ("width at equal coverage").

Applying it to a forecast (:func:`accord.intervals.shipped.forecast_intervals`, below
:mod:`accord.forecast` in the layers) lives in :mod:`accord.intervals.shipped`.

**Domain** (:func:`accord.intervals.shipped.domain_problem`): an issue is in the calibration domain when it has one
dimension on a 0-100 scale and is an EU legislative issue: it carries DEU metadata (imported
from DEU) or it is decided by a body whose rule is ``eu-nice`` or ``eu-lisbon``; and the model
is one the artefact calibrates. Elsewhere the interval is the Monte Carlo interval over the
scenario's assumed ranges (:func:`accord.intervals.shipped.monte_carlo_sets`), labelled uncalibrated, or ``null`` with a
reason when the scenario states no range.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from accord.intervals import conformal, predictive
from accord.intervals.shipped import (
    CALIBRATION_FILE,
    FOLDS,
    WIDTH_DEFINITION,
    as_float,
    model_calibration,
)

# Re-exported: the CLI, the reports and the backtest read these from here.
from accord.intervals.shipped import COVERAGE_TOLERANCE as COVERAGE_TOLERANCE
from accord.intervals.shipped import LEVEL as LEVEL
from accord.intervals.shipped import calibrated_on as calibrated_on
from accord.intervals.shipped import forecast_intervals as forecast_intervals
from accord.intervals.shipped import format_interval as format_interval
from accord.intervals.shipped import issue_features as issue_features
from accord.intervals.shipped import load as load
from accord.models.base import FloatArray

if TYPE_CHECKING:
    import pandas as pd

RULES: tuple[tuple[str, conformal.Score, bool], ...] = (
    ("absolute", "absolute", False),
    ("absolute+ends", "absolute", True),
    ("normalised", "normalised", False),
    ("normalised+ends", "normalised", True),
)
"""(name, score, ends) of the set rules compared out of fold."""


# -- fitting -------------------------------------------------------------------------------


def _rows(forecasts: Sequence[float | None]) -> np.ndarray:
    return np.array([f is not None and math.isfinite(f) for f in forecasts], dtype=bool)


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
                as_float(values)[keep],
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
        y, f, g = y_all[keep], as_float(values)[keep], g_all[keep]
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
    return model_calibration(data, model, train)


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
            row["ci"][name] = coverage_interval(hits, groups, replicates=replicates, seed=seed)
        row["width80"] = float(np.mean(set_hi[LEVEL] - set_lo[LEVEL]))
        row["crps"] = float(np.mean(crps))
        row["ci"]["crps"] = coverage_interval(crps, groups, replicates=replicates, seed=seed)
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


def coverage_interval(
    hits: NDArray[np.bool_] | FloatArray,
    groups: Sequence[Any] | NDArray[Any],
    *,
    replicates: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> list[float] | None:
    """Percentile bootstrap interval of the coverage (share of hits), resampling ``groups``.

    Any per-issue values work (the mean of ``hits`` is what is resampled), e.g. CRPS values.
    """
    from accord.analysis import backtest_stats as bs

    h = np.asarray(hits, dtype=np.float64)
    if h.size == 0:
        return None
    codes, n_groups = bs.group_codes(groups)
    k = bs.group_counts(n_groups, replicates, seed)
    num = k @ np.bincount(codes, weights=h, minlength=n_groups)
    den = k @ np.bincount(codes, minlength=n_groups).astype(np.float64)
    reps = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)
    finite = reps[np.isfinite(reps)]
    tail = (1.0 - level) / 2.0 * 100.0
    a, b = np.percentile(finite, [tail, 100.0 - tail])
    return [float(a), float(b)]
