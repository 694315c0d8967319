r"""Calibrate a position formula on the positions known from the record, and say how well it does.

A :class:`~accord.scenario.schema.PositionFormula` derives the positions of the actors it lists
from their attributes (:mod:`accord.scenario.derive`). The *known* actors of the formula are the
other actors with a stance on its issue, whose positions come from the record, and who have every
attribute the formula reads (the rest, e.g. an organisation without attributes, are skipped and
listed). On them we measure

* the in-sample error of the stated weights: mean absolute error (MAE) and the largest error, in
  the issue's units, averaged over the issue's dimensions;
* a refit: the parameters :math:`\theta = (b, w)` minimising

  .. math:: \sum_{i \in K}\sum_d \big(\operatorname{clip}(b + z_i^\top w + o_d, 0, 1) -
            y_{id}\big)^2 + \lambda \lVert \theta - \theta_0 \rVert^2

  with :math:`y_{id}` the known position normalised to the dimension's scale, :math:`o_d` the
  dimension offsets and :math:`\theta_0` the prior (the formula's ``prior``, else its weights). The ridge
  term (``ridge`` = :math:`\lambda`) keeps the fit near the stated judgement when there are
  fewer known positions than parameters, and each weight keeps the sign of its prior (a fit
  must not turn "threat perception raises support" into its opposite to match one idiosyncratic
  actor; ``keep_signs``). It is solved with SciPy's ``least_squares`` (trust region reflective,
  bounded) from :math:`\theta_0`, deterministic;
* leave-one-out: for each known actor, refit without it and predict it; the LOO MAE is the
  honest estimate of how well the formula predicts positions it has not seen.

The numerical core (:func:`predict`, :func:`fit`) is pure and vectorised over actors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from accord.errors import ScenarioError, UsageError
from accord.scenario.derive import input_matrix, weight_vector
from accord.scenario.schema import PositionFormula, Scenario

FloatArray = NDArray[np.float64]

#: Default ridge strength: one known position (on 0..1) weighs as much as a unit weight change.
DEFAULT_RIDGE = 0.1


def predict(z: FloatArray, theta: FloatArray, offsets: FloatArray) -> FloatArray:
    """``(n, m)`` normalised positions ``clip(theta[0] + z @ theta[1:] + offsets, 0, 1)``."""
    base = theta[0] + z @ theta[1:]
    return np.asarray(np.clip(base[:, None] + offsets[None, :], 0.0, 1.0), dtype=np.float64)


def sign_bounds(prior: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Bounds that keep each calibration weight on its prior's side of zero.

    Bounds that keep each weight on the side of zero its prior is on (the intercept, and
    weights whose prior is 0, are free).
    """
    lower = np.where(prior[1:] > 0, 0.0, -np.inf)
    upper = np.where(prior[1:] < 0, 0.0, np.inf)
    return np.concatenate([[-np.inf], lower]), np.concatenate([[np.inf], upper])


def fit(
    z: FloatArray,
    y: FloatArray,
    offsets: FloatArray,
    prior: FloatArray,
    ridge: float,
    keep_signs: bool = True,
) -> FloatArray:
    """Ridge-regularised least squares of :func:`predict` on ``y`` (``(n, m)`` on 0..1).

    With ``keep_signs`` every weight keeps the sign of its prior (:func:`sign_bounds`).
    """
    scale = float(np.sqrt(ridge))
    bounds = sign_bounds(prior) if keep_signs else (-np.inf, np.inf)

    def residuals(theta: FloatArray) -> FloatArray:
        err = (predict(z, theta, offsets) - y).ravel()
        return np.concatenate([err, scale * (theta - prior)])

    result = least_squares(residuals, prior.astype(np.float64), method="trf", bounds=bounds)
    return np.asarray(result.x, dtype=np.float64)


@dataclass(frozen=True)
class Calibration:
    """How a position formula reproduces the known positions (issue units)."""

    formula: str
    issue: str
    known: tuple[str, ...]
    skipped: tuple[str, ...]
    stated: dict[str, float]
    fitted: dict[str, float]
    observed: tuple[float, ...]
    predicted_stated: tuple[float, ...]
    predicted_fitted: tuple[float, ...]
    predicted_loo: tuple[float, ...]
    mae_stated: float | None
    max_error_stated: float | None
    mae_fitted: float | None
    mae_loo: float | None
    ridge: float

    def to_json_dict(self) -> dict[str, Any]:
        """The calibration (stated and fitted weights, fit per actor) as a JSON dict."""
        return {
            "formula": self.formula,
            "issue": self.issue,
            "known": list(self.known),
            "skipped": list(self.skipped),
            "ridge": self.ridge,
            "stated": self.stated,
            "fitted": self.fitted,
            "actors": [
                {
                    "actor": a,
                    "observed": o,
                    "stated_formula": s,
                    "fitted_formula": f,
                    "leave_one_out": loo,
                }
                for a, o, s, f, loo in zip(
                    self.known,
                    self.observed,
                    self.predicted_stated,
                    self.predicted_fitted,
                    self.predicted_loo,
                    strict=True,
                )
            ],
            "mae_stated": self.mae_stated,
            "max_error_stated": self.max_error_stated,
            "mae_fitted": self.mae_fitted,
            "mae_loo": self.mae_loo,
        }


def _params(formula: PositionFormula, theta: FloatArray) -> dict[str, float]:
    out = {"intercept": float(theta[0])}
    out.update({name: float(v) for name, v in zip(formula.inputs, theta[1:], strict=True)})
    return out


def _formula(scenario: Scenario, formula_id: str) -> PositionFormula:
    for formula in scenario.position_formulas:
        if formula.id == formula_id:
            return formula
    raise UsageError(
        f"scenario '{scenario.id}' has no position formula '{formula_id}'",
        expected="one of " + (", ".join(f.id for f in scenario.position_formulas) or "(none)"),
    )


def calibrate(
    scenario: Scenario,
    formula_id: str,
    *,
    ridge: float = DEFAULT_RIDGE,
    prior: dict[str, float] | None = None,
    keep_signs: bool = True,
) -> Calibration:
    r"""Measure and refit position formula ``formula_id`` on its known positions.

    Args:
        scenario: a scenario with ``position_formulas``.
        formula_id: the formula to calibrate.
        ridge: strength :math:`\lambda` of the pull towards ``prior`` (> 0).
        prior: ``{"intercept": b, input: w, ...}``; by default the formula's ``prior``, else
            its weights.
        keep_signs: keep every weight on its prior's side of zero.
    """
    if not ridge > 0:
        raise UsageError(f"ridge must be positive, got {ridge}", field="--ridge")
    formula = _formula(scenario, formula_id)
    issue = scenario.issue(formula.issue)
    derived = set(formula.actors)
    known: list[str] = []
    skipped: list[str] = []
    for stance in issue.stances:
        if stance.actor in derived:
            continue
        try:
            input_matrix(scenario, formula, [stance.actor])
        except ScenarioError:
            skipped.append(stance.actor)
            continue
        known.append(stance.actor)
    lo = np.array([d.lo for d in issue.dimensions], dtype=np.float64)
    hi = np.array([d.hi for d in issue.dimensions], dtype=np.float64)
    offsets = np.array([formula.offsets.get(d.id, 0.0) for d in issue.dimensions])
    theta0 = np.concatenate([[formula.intercept], weight_vector(formula)])
    prior = prior if prior is not None else formula.prior
    if prior is not None:
        theta_prior = np.array(
            [prior.get("intercept", formula.intercept)]
            + [prior.get(n, formula.weights.get(n, 0.0)) for n in formula.inputs],
            dtype=np.float64,
        )
    else:
        theta_prior = theta0
    empty: tuple[float, ...] = ()
    if not known:
        return Calibration(
            formula.id,
            issue.id,
            (),
            tuple(skipped),
            _params(formula, theta0),
            _params(formula, theta0),
            empty,
            empty,
            empty,
            empty,
            None,
            None,
            None,
            None,
            ridge,
        )
    z = input_matrix(scenario, formula, known)
    by_actor = {s.actor: s for s in issue.stances}
    raw = np.array([by_actor[a].position.values() for a in known], dtype=np.float64)
    y = (raw - lo) / (hi - lo)
    span = hi - lo

    def to_units(p: FloatArray) -> FloatArray:
        return np.asarray(lo + span * p, dtype=np.float64)

    def mean_abs(p: FloatArray) -> FloatArray:
        return np.asarray(np.abs(to_units(p) - raw).mean(axis=1), dtype=np.float64)

    stated_pred = predict(z, theta0, offsets)
    theta_fit = fit(z, y, offsets, theta_prior, ridge, keep_signs)
    fitted_pred = predict(z, theta_fit, offsets)
    loo_pred = np.empty_like(y)
    for i in range(len(known)):  # one refit per held-out actor
        keep = np.arange(len(known)) != i
        theta_i = fit(z[keep], y[keep], offsets, theta_prior, ridge, keep_signs)
        loo_pred[i] = predict(z[i : i + 1], theta_i, offsets)[0]
    err_stated = mean_abs(stated_pred)

    def first(p: FloatArray) -> tuple[float, ...]:
        return tuple(float(v) for v in to_units(p).mean(axis=1))

    return Calibration(
        formula=formula.id,
        issue=issue.id,
        known=tuple(known),
        skipped=tuple(skipped),
        stated=_params(formula, theta0),
        fitted=_params(formula, theta_fit),
        observed=tuple(float(v) for v in raw.mean(axis=1)),
        predicted_stated=first(stated_pred),
        predicted_fitted=first(fitted_pred),
        predicted_loo=first(loo_pred),
        mae_stated=float(err_stated.mean()),
        max_error_stated=float(err_stated.max()),
        mae_fitted=float(mean_abs(fitted_pred).mean()),
        mae_loo=float(mean_abs(loo_pred).mean()),
        ridge=ridge,
    )


def calibrate_all(
    scenario: Scenario, *, ridge: float = DEFAULT_RIDGE, formulas: Sequence[str] | None = None
) -> list[Calibration]:
    """:func:`calibrate` for every position formula (or those named)."""
    ids = list(formulas) if formulas else [f.id for f in scenario.position_formulas]
    return [calibrate(scenario, fid, ridge=ridge) for fid in ids]
