"""Fit the practised procedure's parameters to the record, one parameter set per kind of body.

The parameters (:class:`accord.rules.procedure.ProcedureParams`): the cost of objecting ``c``,
the reservation threshold ``tau`` and the dilution limit ``max_dilution``. They are fitted by
an exhaustive search over a fixed grid (:data:`COST_GRID`, :data:`TAU_GRID`,
:data:`DILUTION_GRID`), never per case:

* **NATO (consensus), outcome classes.** Cases are the issues with a ``record`` (a folder such
  as ``scenarios/nato-record``), the proposal is the compromise model's forecast. The score of a
  parameter set is lexicographic: the exact outcome hit rate, then the coarse adopted / not
  adopted hit rate, then the mean value error (lower is better); remaining ties go to the
  smallest cost, then the smallest ``tau``, then the smallest ``max_dilution`` (the first grid
  point), so the fit is deterministic.
* **EU Council (DEU), values.** DEU records the outcome on the issue scale, not its class, so
  the loss is the mean absolute error of the procedure's value against ``out``; ``tau`` does not
  change a value and is not identified here (it is left at the NATO fit). Unanimity issues and
  QMV issues are fitted separately. Ties go to the smallest cost and dilution limit.

Cross-validation: leave one case out (NATO), or K-fold by proposal (DEU; every issue of a
proposal in the same fold, folds by the order of first appearance, proposal ``j`` in fold
``j mod K``). Each held-out case is scored with the parameters fitted on the other folds; the CV
figure is the score over all held-out predictions.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.analysis.record_backtest import RecordCase, case_row, summary
from accord.models.base import FloatArray
from accord.rules.base import DecisionRule
from accord.rules.procedure import ProcedureParams, ProcedureResult, run_procedure

COST_GRID: tuple[float, ...] = tuple(float(c) for c in np.arange(0.0, 100.01, 2.5))
"""Costs of objecting tried (salience x points on a 0-100 scale)."""

TAU_GRID: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0)
"""Reservation thresholds tried (only those ``<= cost`` are used)."""

DILUTION_GRID: tuple[float, ...] = (0.25, 0.5, 0.75, 0.95)
"""Dilution limits tried."""

DEU_FOLDS = 10
"""Folds of the grouped cross-validation on DEU proposals."""


def grid(
    costs: Sequence[float] = COST_GRID,
    taus: Sequence[float] = TAU_GRID,
    dilutions: Sequence[float] = DILUTION_GRID,
) -> list[ProcedureParams]:
    """Every parameter set of the grid with ``tau <= cost``, in (cost, tau, dilution) order."""
    return [ProcedureParams(c, t, d) for c in costs for t in taus if t <= c for d in dilutions]


@dataclass(frozen=True)
class FitCase:
    """One decision, reduced to what the procedure needs and what was recorded."""

    case_id: str
    group: str
    rule: DecisionRule
    positions: FloatArray
    saliences: FloatArray
    status_quo: FloatArray
    proposal: FloatArray
    opt_out: bool = False
    next_window: bool = False
    actor_costs: dict[str, float] | None = None
    record_case: RecordCase | None = None
    outcome_value: float | None = None

    def run(self, params: ProcedureParams) -> ProcedureResult:
        costs = np.array(
            [(self.actor_costs or {}).get(a, params.cost) for a in self.rule.member_ids]
        )
        return run_procedure(
            self.rule,
            self.positions,
            self.saliences,
            self.status_quo,
            self.proposal,
            cost=costs,
            reservation_threshold=params.reservation_threshold,
            max_dilution=params.max_dilution,
            opt_out=self.opt_out,
            next_window=self.next_window,
        )


def from_record(case: RecordCase) -> FitCase:
    """A :class:`FitCase` of a recorded issue (its opt-out, window and per-actor costs kept)."""
    settings = case.settings("practised")
    return FitCase(
        case_id=case.case_id,
        group=case.case_id,
        rule=case.rule,
        positions=case.positions,
        saliences=case.saliences,
        status_quo=case.status_quo,
        proposal=case.proposal,
        opt_out=settings.opt_out,
        next_window=settings.next_window,
        actor_costs=settings.actor_costs or None,
        record_case=case,
    )


# ---------------------------------------------------------------------------------------------
# scores

Score = tuple[float, ...]


def record_rows(cases: Sequence[FitCase], params: ProcedureParams) -> list[dict[str, Any]]:
    """The record-backtest rows of ``cases`` under ``params``."""
    rows = []
    for case in cases:
        assert case.record_case is not None
        rows.append(case_row(case.record_case, case.run(params)))
    return rows


def record_score(rows: Sequence[dict[str, Any]]) -> Score:
    """Higher is better: (exact hit rate, coarse hit rate, -value MAE)."""
    s = summary(rows)
    mae = s["value_mae"]
    return (
        s["outcome_hit_rate"] or 0.0,
        s["coarse_hit_rate"] or 0.0,
        -(mae if mae is not None else 0.0),
    )


def value_errors(case: FitCase, params: ProcedureParams) -> float:
    """|procedure value - recorded outcome| of a one-dimension DEU case."""
    assert case.outcome_value is not None
    return abs(float(case.run(params).value[0]) - case.outcome_value)


@dataclass(frozen=True)
class FitResult:
    """A fitted parameter set and its cross-validated performance."""

    kind: str
    params: ProcedureParams
    n: int
    in_sample: dict[str, Any]
    cv: dict[str, Any]
    chosen_per_fold: list[ProcedureParams]
    held_out_errors: FloatArray | None = None
    free_errors: FloatArray | None = None
    groups: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        def p(x: ProcedureParams) -> dict[str, float]:
            return {
                "cost": x.cost,
                "reservation_threshold": x.reservation_threshold,
                "max_dilution": x.max_dilution,
            }

        return {
            "kind": self.kind,
            "n": self.n,
            "params": p(self.params),
            "in_sample": self.in_sample,
            "cv": self.cv,
            "chosen_per_fold": [p(x) for x in self.chosen_per_fold],
        }


def _best(scores: Sequence[Score]) -> int:
    """Index of the highest score; the first (smallest cost, tau, dilution) among ties."""
    best = 0
    for i, s in enumerate(scores):
        if s > scores[best]:
            best = i
    return best


def fit_record(
    cases: Sequence[FitCase],
    candidates: Sequence[ProcedureParams] | None = None,
    *,
    kind: str = "consensus",
) -> FitResult:
    """Fit on recorded outcome classes, with leave-one-case-out cross-validation."""
    cands = list(candidates) if candidates is not None else grid()
    # rows[j][i]: case i under candidate j (each procedure run once)
    table = [record_rows(cases, params) for params in cands]
    full = _best([record_score(rows) for rows in table])
    held_out: list[dict[str, Any]] = []
    chosen: list[ProcedureParams] = []
    for i in range(len(cases)):
        scores = [record_score([r for k, r in enumerate(rows) if k != i]) for rows in table]
        j = _best(scores)
        chosen.append(cands[j])
        held_out.append(table[j][i])
    return FitResult(
        kind=kind,
        params=cands[full],
        n=len(cases),
        in_sample=_public(summary(table[full])),
        cv=_public(summary(held_out)),
        chosen_per_fold=chosen,
    )


def _public(s: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "n",
        "outcome_hit_rate",
        "naive_hit_rate",
        "coarse_hit_rate",
        "naive_coarse_hit_rate",
        "balanced_accuracy",
        "objector_precision",
        "objector_recall",
        "value_mae",
    )
    return {k: s[k] for k in keys}


def fold_of(groups: Sequence[str], folds: int) -> list[int]:
    """Fold of each case: proposal ``j`` (order of first appearance) goes to fold ``j mod K``."""
    order: dict[str, int] = {}
    for g in groups:
        order.setdefault(g, len(order))
    return [order[g] % folds for g in groups]


def fit_values(
    cases: Sequence[FitCase],
    candidates: Sequence[ProcedureParams],
    *,
    kind: str,
    folds: int = DEU_FOLDS,
    progress: Callable[[int, int], None] | None = None,
) -> FitResult:
    """Fit on recorded values (MAE), with K-fold cross-validation grouped by proposal."""
    cands = list(candidates)
    errors = np.empty((len(cands), len(cases)))
    for j, params in enumerate(cands):
        errors[j] = [value_errors(case, params) for case in cases]
        if progress is not None:
            progress(j + 1, len(cands))
    fold = np.array(fold_of([c.group for c in cases], folds))
    full = _best([(-float(e.mean()),) for e in errors])
    held = np.empty(len(cases))
    chosen: list[ProcedureParams] = []
    for f in range(folds):
        test = fold == f
        if not test.any():
            continue
        j = _best([(-float(e[~test].mean()),) for e in errors])
        chosen.append(cands[j])
        held[test] = errors[j, test]
    free = np.array([abs(float(c.proposal[0]) - float(c.outcome_value or 0.0)) for c in cases])
    return FitResult(
        kind=kind,
        params=cands[full],
        n=len(cases),
        in_sample={"mae": float(errors[full].mean()), "mae_free": float(free.mean())},
        cv={"mae": float(held.mean()), "mae_free": float(free.mean()), "folds": folds},
        chosen_per_fold=chosen,
        held_out_errors=held,
        free_errors=free,
        groups=tuple(c.group for c in cases),
    )


# ---------------------------------------------------------------------------------------------
# data


def nato_cases(
    path: str | os.PathLike[str], model: str = "compromise", *, seed: int | None = 0
) -> list[FitCase]:
    """The recorded consensus decisions under ``path`` (every issue with a record whose rule is
    ``consensus``)."""
    from accord.analysis.record_backtest import collect_cases

    cases, _ = collect_cases(path, model, seed=seed)
    return [from_record(c) for c in cases if c.rule_kind == "consensus"]


def deu_cases(
    path: str | os.PathLike[str],
    model: str = "compromise",
    *,
    seed: int | None = 0,
) -> dict[str, list[FitCase]]:
    """The DEU issues with a valid reference point, split into ``unanimity`` and ``majority``
    (every QMV rule), with ``model``'s forecast (default capabilities) as the proposal."""
    from accord.analysis.backtest import _read_input
    from accord.forecast import issue_rule, seed_for
    from accord.models.registry import get_model
    from accord.rules.build import build_rule
    from accord.rules.procedure import BODY_KINDS
    from accord.scenario.arrays import issue_arrays
    from accord.scenario.importers import deu

    text, source = _read_input(path)
    scenarios, _ = deu.read_with_report(text, source, deu.DEFAULT_CAPABILITY)
    spec = get_model(model)
    out: dict[str, list[FitCase]] = {"unanimity": [], "majority": []}
    for scenario in scenarios:
        issue = scenario.issues[0]
        arrays = issue_arrays(scenario, issue.id)
        rule_spec, members = issue_rule(scenario, issue, None)
        if rule_spec is None or not members or arrays.status_quo is None:
            continue
        if issue.outcome is None:
            continue
        outcome = float(issue.outcome.values()[0])
        if not math.isfinite(outcome):
            continue
        run = spec.run(arrays, {}, seed_for(seed, issue.id, model))
        index = {a: i for i, a in enumerate(arrays.actor_ids)}
        rows = np.array([index[m.id] for m in members], dtype=np.intp)
        meta = deu.issue_metadata(issue)
        kind = BODY_KINDS[rule_spec.kind]
        out.setdefault(kind, []).append(
            FitCase(
                case_id=issue.id,
                group=str(meta.get("prnr", scenario.id)),
                rule=build_rule(rule_spec, members),
                positions=arrays.positions[rows],
                saliences=arrays.saliences[rows],
                status_quo=arrays.status_quo,
                proposal=np.asarray(run.outcome, dtype=np.float64),
                outcome_value=outcome,
            )
        )
    return out


def fit_all(
    nato: str | os.PathLike[str] | None, deu: str | os.PathLike[str] | None
) -> dict[str, Any]:
    """Every fit of the module docstring: ``consensus`` on ``nato`` (a folder of records),
    ``unanimity`` and ``majority`` on ``deu`` (a DEU file; ``tau`` fixed at the consensus fit's,
    or 0 without one)."""
    from accord.analysis.backtest_stats import paired_bootstrap

    out: dict[str, Any] = {}
    tau = 0.0
    if nato is not None:
        consensus = fit_record(nato_cases(nato), kind="consensus")
        out["consensus"] = consensus.as_dict()
        tau = consensus.params.reservation_threshold
    if deu is not None:
        held: list[FloatArray] = []
        free: list[FloatArray] = []
        groups: list[str] = []
        for kind, cases in deu_cases(deu).items():
            if cases:
                result = fit_values(cases, grid(taus=(tau,)), kind=kind)
                out[kind] = result.as_dict()
                assert result.held_out_errors is not None and result.free_errors is not None
                held.append(result.held_out_errors)
                free.append(result.free_errors)
                groups.extend(result.groups)
        if held:
            # out-of-fold practised errors against the free forecasts, issues with an rp
            out["deu_cv_vs_free"] = paired_bootstrap(
                np.concatenate(held),
                np.concatenate(free),
                groups,
                names=("practised (out of fold)", "free"),
            ).as_dict()
    return out


if __name__ == "__main__":  # pragma: no cover - the provenance of the constants in procedure.py
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Fit the practised procedure's defaults.")
    parser.add_argument("--nato", help="folder of recorded NATO decisions")
    parser.add_argument("--deu", help="DEU TSV file (the dev split)")
    args = parser.parse_args()
    print(json.dumps(fit_all(args.nato, args.deu), indent=2))
