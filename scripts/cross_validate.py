"""Grouped cross-validation of forecasting approaches on the DEU dev split (docs/accuracy.md).

Every approach is a forecast ``f(issue; theta)`` computed from the issue's arrays only (positions,
saliences, capabilities, status quo, actor ids; never the outcome), with parameters ``theta``
fitted by minimising the MAE on the training folds. Folds are grouped by proposal (sklearn
``GroupKFold``, deterministic): the issues of one proposal are never split between training
and test. Each approach is reported with its cross-validated MAE, the out-of-fold paired
bootstrap of (approach - compromise) by proposal, and its parameters fitted on the whole dev
file.

Usage::

    .venv/bin/python scripts/cross_validate.py [--file tests/data/deu/deu3_dev.tsv]
        [--folds 10] [--replicates 2000] [--seed 0] [--only NAME,...] [--json OUT.json]

The shipped model ``agenda_pull`` takes its pulls from the full fit of ``agenda-setter-pull``
(copied into ``src/accord/models/agenda_pull_params.py``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import GroupKFold

from accord.analysis import backtest_stats as bs
from accord.forecast import seed_for
from accord.models.base import FloatArray, IssueArrays
from accord.models.registry import get_model
from accord.scenario.arrays import issue_arrays
from accord.scenario.importers import deu

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "data" / "deu" / "deu3_dev.tsv"
BASE_MODELS = ("compromise", "median", "smp", "bdm", "nash")

IndexArray = NDArray[np.intp]  # issue indices into Data (a fold's rows)


@dataclass
class Data:
    arrays: list[IssueArrays]
    outcome: FloatArray
    proposal: np.ndarray
    rule: np.ndarray
    models: dict[str, FloatArray]  # registered model forecasts per issue


def load(path: Path, seed: int) -> Data:
    text = path.read_text(encoding="utf-8")
    scenarios, _ = deu.read_with_report(text, path.name)
    arrays, outcome, proposal, rule = [], [], [], []
    forecasts: dict[str, list[float]] = {m: [] for m in BASE_MODELS}
    for sc in scenarios:
        issue = sc.issues[0]
        a = issue_arrays(sc, issue.id)
        meta = deu.issue_metadata(issue)
        arrays.append(a)
        assert issue.outcome is not None
        outcome.append(float(issue.outcome.values()[0]))
        proposal.append(meta["prnr"])
        rule.append("unanimity" if meta["counvte"].lower().startswith("unan") else "qmv")
        for m in BASE_MODELS:
            run = get_model(m).run(a, {}, seed_for(seed, issue.id, m))
            forecasts[m].append(float(run.outcome[0]))
    return Data(
        arrays,
        np.array(outcome),
        np.array(proposal),
        np.array(rule),
        {m: np.array(v) for m, v in forecasts.items()},
    )


# ---------------------------------------------------------------------------------------------
# per-issue quantities (all computed from the arrays only)


def weighted_mean(x: FloatArray, w: FloatArray) -> float:
    t = float(w.sum())
    return float((w * x).sum() / t) if t > 0 else float(x.mean())


def actor_type_mean(
    a: IssueArrays, tau_com: float, tau_ep: float, beta: float, gamma: float
) -> float:
    x = a.positions[:, 0]
    s = a.saliences[:, 0]
    c = a.capabilities / max(float(a.capabilities.max()), 1e-12)
    tau = np.array([tau_com if i == "com" else tau_ep if i == "ep" else 1.0 for i in a.actor_ids])
    return weighted_mean(x, tau * c**beta * s**gamma)


class Approach:
    """A parametric forecast: ``predict(idx, theta)`` over a grid of ``theta``; fit = argmin MAE."""

    name = ""
    description = ""

    def grid(self) -> list[tuple[float, ...]]:
        raise NotImplementedError

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        raise NotImplementedError

    def fit(self, data: Data, idx: IndexArray) -> tuple[float, ...]:
        best, best_mae = None, math.inf
        for theta in self.grid():
            mae = float(np.mean(np.abs(self.predict(data, idx, theta) - data.outcome[idx])))
            if mae < best_mae - 1e-12:
                best, best_mae = theta, mae
        assert best is not None
        return best


class Compromise(Approach):
    name = "compromise"
    description = "the baseline: capability x salience weighted mean (no parameter)"

    def grid(self) -> list[tuple[float, ...]]:
        return [()]

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        return data.models["compromise"][idx]


class ShrinkStatusQuo(Approach):
    name = "shrink-to-status-quo"
    description = "x = C + a (rp - C) where rp exists, C the compromise; a fitted"

    def grid(self) -> list[tuple[float, ...]]:
        return [(a,) for a in np.round(np.arange(-0.5, 0.81, 0.05), 3)]

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        c = data.models["compromise"][idx]
        rp = np.array(
            [
                np.nan if data.arrays[i].status_quo is None else float(data.arrays[i].status_quo[0])
                for i in idx
            ]
        )
        return np.where(np.isnan(rp), c, c + theta[0] * (rp - c))


class Exponents(Approach):
    name = "capability-salience-exponents"
    description = "weighted mean with w = c^beta s^gamma; beta, gamma fitted"

    def grid(self) -> list[tuple[float, ...]]:
        return list(
            itertools.product(
                (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0), (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
            )
        )

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        return np.array(
            [actor_type_mean(data.arrays[i], 1.0, 1.0, theta[0], theta[1]) for i in idx]
        )


class ActorTypes(Approach):
    name = "actor-type-weights"
    description = "w = tau_type c s with tau for the Commission and the Parliament (states 1)"

    def grid(self) -> list[tuple[float, ...]]:
        vals = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0)
        return list(itertools.product(vals, vals))

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        return np.array(
            [actor_type_mean(data.arrays[i], theta[0], theta[1], 1.0, 1.0) for i in idx]
        )


class MedianBlend(Approach):
    name = "compromise-median-blend"
    description = "x = (1 - l) C + l M, M the c*s-weighted median; l fitted"

    def grid(self) -> list[tuple[float, ...]]:
        return [(v,) for v in np.round(np.arange(0.0, 1.01, 0.05), 3)]

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        return (1 - theta[0]) * data.models["compromise"][idx] + theta[0] * data.models["median"][
            idx
        ]


class Extremise(Approach):
    name = "extremise"
    description = "x = 50 + k (C - 50): outcomes sit at the ends of the scale more than the mean"

    def grid(self) -> list[tuple[float, ...]]:
        return [(v,) for v in np.round(np.arange(0.6, 2.01, 0.05), 3)]

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        return np.clip(50 + theta[0] * (data.models["compromise"][idx] - 50), 0, 100)


class Stacking(Approach):
    """Convex weights over the registered models' forecasts minimising MAE (an LP)."""

    name = "stacking"
    description = "convex combination of compromise, median, smp, bdm, nash (LAD linear program)"

    def fit(self, data: Data, idx: IndexArray) -> tuple[float, ...]:
        from scipy.optimize import linprog

        X = np.column_stack([data.models[m][idx] for m in BASE_MODELS])
        y = data.outcome[idx]
        n, k = X.shape
        # variables: w (k), u (n) with u >= |Xw - y|; minimise sum u; sum w = 1, w >= 0
        cost = np.concatenate([np.zeros(k), np.ones(n)])
        a_ub = np.block([[X, -np.eye(n)], [-X, -np.eye(n)]])
        b_ub = np.concatenate([y, -y])
        a_eq = np.concatenate([np.ones(k), np.zeros(n)])[None]
        res = linprog(
            cost,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=[1.0],
            bounds=[(0, None)] * (k + n),
            method="highs",
        )
        return tuple(float(v) for v in res.x[:k])

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        X = np.column_stack([data.models[m][idx] for m in BASE_MODELS])
        return X @ np.array(theta, dtype=np.float64)


def features(data: Data, idx: IndexArray) -> FloatArray:
    rows = []
    for i in idx:
        a = data.arrays[i]
        x = a.positions[:, 0]
        rp = np.nan if a.status_quo is None else float(a.status_quo[0])
        com = float(x[list(a.actor_ids).index("com")]) if "com" in a.actor_ids else np.nan
        ep = float(x[list(a.actor_ids).index("ep")]) if "ep" in a.actor_ids else np.nan
        rows.append(
            [
                *(data.models[m][i] for m in BASE_MODELS),
                float(x.mean()),
                float(x.std()),
                a.n_actors,
                rp,
                com,
                ep,
                float(np.mean(x == 0)),
                float(np.mean(x == 100)),
            ]
        )
    return np.array(rows)


class Boosting(Approach):
    """Gradient boosting (absolute-error loss) on model outputs and issue features."""

    name = "gradient-boosting"
    description = (
        "sklearn HistGradientBoostingRegressor(loss=absolute_error) on model outputs + features"
    )

    def fit(self, data: Data, idx: IndexArray) -> Any:
        from sklearn.ensemble import HistGradientBoostingRegressor

        model = HistGradientBoostingRegressor(
            loss="absolute_error",
            max_iter=150,
            learning_rate=0.05,
            max_depth=3,
            min_samples_leaf=15,
            random_state=0,
        )
        model.fit(features(data, idx), data.outcome[idx])
        return model

    def predict(self, data: Data, idx: IndexArray, theta: Any) -> FloatArray:
        pred: FloatArray = theta.predict(features(data, idx))
        return np.clip(pred, 0, 100)


class AgendaSetters(Approach):
    name = "agenda-setter-pull"
    description = "x = C + a (x_com - C) + b (x_ep - C); a, b fitted"

    def grid(self) -> list[tuple[float, ...]]:
        vals = np.round(np.arange(-0.3, 0.61, 0.05), 3)
        return list(itertools.product(vals, vals))

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        out = []
        for i in idx:
            a = data.arrays[i]
            c = data.models["compromise"][i]
            ids = list(a.actor_ids)
            v = c
            if "com" in ids:
                v += theta[0] * (a.positions[ids.index("com"), 0] - c)
            if "ep" in ids:
                v += theta[1] * (a.positions[ids.index("ep"), 0] - c)
            out.append(v)
        return np.array(out)


class SetterAndStatusQuo(AgendaSetters):
    name = "agenda-setter-pull+status-quo"
    description = "x = C + a (x_com - C) + b (x_ep - C) + d (rp - C); a, b, d fitted"

    def grid(self) -> list[tuple[float, ...]]:
        vals = np.round(np.arange(-0.2, 0.41, 0.05), 3)
        return list(itertools.product(vals, vals, np.round(np.arange(-0.3, 0.31, 0.05), 3)))

    def predict(self, data: Data, idx: IndexArray, theta: tuple[float, ...]) -> FloatArray:
        base = super().predict(data, idx, theta[:2])
        c = data.models["compromise"][idx]
        rp = np.array(
            [
                np.nan if data.arrays[i].status_quo is None else float(data.arrays[i].status_quo[0])
                for i in idx
            ]
        )
        return np.where(np.isnan(rp), base, base + theta[2] * (rp - c))


APPROACHES: list[Callable[[], Approach]] = [
    Compromise,
    ShrinkStatusQuo,
    Exponents,
    ActorTypes,
    MedianBlend,
    Extremise,
    AgendaSetters,
    SetterAndStatusQuo,
    Stacking,
    Boosting,
]


def cross_validate(data: Data, approach: Approach, folds: int) -> tuple[FloatArray, list[Any]]:
    n = len(data.outcome)
    oof = np.full(n, np.nan)
    fits = []
    for train, test in GroupKFold(n_splits=folds).split(np.zeros(n), groups=data.proposal):
        theta = approach.fit(data, train)
        fits.append(theta)
        oof[test] = approach.predict(data, test, theta)
    return oof, fits


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEV)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--replicates", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma list of approach names")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    data = load(args.file, args.seed)
    only = {s for s in args.only.split(",") if s}
    base = np.abs(data.models["compromise"] - data.outcome)
    results = []
    for make in APPROACHES:
        approach = make()
        if only and approach.name not in only:
            continue
        oof, fits = cross_validate(data, approach, args.folds)
        err = np.abs(oof - data.outcome)
        cmp = bs.paired_bootstrap(
            err,
            base,
            data.proposal,
            names=(approach.name, "compromise"),
            replicates=args.replicates,
            seed=args.seed,
        )
        full = approach.fit(data, np.arange(len(data.outcome)))
        row = {
            "approach": approach.name,
            "description": approach.description,
            "cv_mae": float(err.mean()),
            "cv_mae_qmv": float(err[data.rule == "qmv"].mean()),
            "cv_mae_unanimity": float(err[data.rule == "unanimity"].mean()),
            "cv_hit10": float(np.mean(err <= 10)),
            "diff_vs_compromise": cmp.diff,
            "relative": cmp.relative,
            "ci": list(cmp.ci),
            "p": cmp.p,
            "full_fit": full if isinstance(full, tuple) else type(full).__name__,
            "fold_fits": [f if isinstance(f, tuple) else type(f).__name__ for f in fits],
        }
        results.append(row)
        print(
            f"{approach.name:32s} cv MAE {row['cv_mae']:6.2f}  diff {cmp.diff:+6.2f} "
            f"[{cmp.ci[0]:+.2f}, {cmp.ci[1]:+.2f}] ({cmp.relative:+.1%}) full fit {row['full_fit']}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
