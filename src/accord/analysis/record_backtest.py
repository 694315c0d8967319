"""Backtest a decision procedure against the record: ``accord backtest record PATH``.

Every issue that carries a ``record`` (a file, or every ``*.yaml``/``*.yml`` file of a folder) is
forecast by one model (the compromise model by default); the issue's decision procedure
(:mod:`accord.rules.procedure`, resolved by :mod:`accord.rules.build_procedure`) is applied to
that forecast as the proposal, and its outcome is compared with the recorded one.

Per case: ``predicted`` and ``recorded`` outcome, ``hit`` (the same class, exactly as coded:
``passes``, ``passes_with_reservations``, ``passes_with_opt_outs``, ``diluted``, ``delayed``,
``blocked``), ``value_error`` (mean absolute difference over the dimensions between the
procedure's value and the recorded value; ``None`` without a recorded value) and the predicted and
recorded objectors.

Summary figures:

* ``outcome_hit_rate``: share of exact hits;
* ``objector_precision`` = sum over cases of |predicted ∩ recorded objectors| / sum of
  |predicted objectors|, and ``objector_recall`` the same over the recorded objectors (pooled over
  cases; ``None`` when the denominator is 0);
* ``naive_hit_rate``: the hit rate of the naive baseline "everything passes" (predicts
  ``passes`` for every case; the brief's B0);
* ``coarse_hit_rate`` and ``naive_coarse_hit_rate``: hits on the coarse split adopted
  (``passes``, ``passes_with_reservations``, ``passes_with_opt_outs``, ``diluted``) versus not
  adopted (``delayed``, ``blocked``);
* ``balanced_accuracy``: the mean over the recorded classes of the share of that class hit (the
  classes are unbalanced, so a high raw hit rate can hide missing every rare class);
* ``value_mae``: the mean of the value errors;
* ``confusion``: ``{recorded: {predicted: count}}``.

Issues with a record but no decision rule or no status quo are listed under ``skipped``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.models.base import FloatArray
from accord.rules.base import DecisionRule
from accord.rules.build_procedure import ProcedureSettings, resolve_procedure
from accord.rules.procedure import OUTCOMES, PASSING, ProcedureParams, ProcedureResult
from accord.scenario.schema import Issue, Record, Scenario

DEFAULT_MODEL = "compromise"


@dataclass(frozen=True)
class RecordCase:
    """One recorded issue, with the model's proposal and everything the procedure needs."""

    scenario: Scenario
    issue: Issue
    record: Record
    rule_kind: str
    rule: DecisionRule
    positions: FloatArray
    saliences: FloatArray
    status_quo: FloatArray
    proposal: FloatArray

    @property
    def case_id(self) -> str:
        """The case's id, the issue id."""
        return self.issue.id

    def settings(
        self, procedure: str | None = None, defaults: ProcedureParams | None = None
    ) -> ProcedureSettings:
        """The issue's procedure (``defaults`` replacing the kind's fitted defaults)."""
        return resolve_procedure(
            self.scenario, self.issue, self.rule_kind, procedure, defaults=defaults
        )

    def run(
        self, procedure: str | None = None, defaults: ProcedureParams | None = None
    ) -> ProcedureResult:
        """The procedure's outcome for the proposal."""
        return self.settings(procedure, defaults).run(
            self.rule, self.positions, self.saliences, self.status_quo, self.proposal
        )


def scenario_files(path: str | os.PathLike[str]) -> list[Path]:
    """``path`` itself, or the ``*.yaml``/``*.yml`` files of a folder (sorted, recursively)."""
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise UsageError(f"no scenario files in {root}", field="PATH", expected="*.yaml files")
        return files
    if not root.is_file():
        raise UsageError(f"no such file or folder: {root}", field="PATH")
    return [root]


def collect_cases(
    path: str | os.PathLike[str] | Sequence[Scenario],
    model: str = DEFAULT_MODEL,
    *,
    seed: int | None = 0,
) -> tuple[list[RecordCase], list[dict[str, str]]]:
    """The recorded issues under ``path`` with ``model``'s forecast as the proposal.

    Returns:
        The cases, and the skipped issues as ``{"id", "reason"}``.
    """
    from accord.forecast import issue_rule, seed_for
    from accord.models.registry import get_model
    from accord.rules.build import build_rule
    from accord.scenario.arrays import issue_arrays
    from accord.scenario.io import load_all

    if isinstance(path, str | os.PathLike):
        scenarios = [s for f in scenario_files(path) for s in load_all(f)]
    else:
        scenarios = list(path)
    spec = get_model(model)
    cases: list[RecordCase] = []
    skipped: list[dict[str, str]] = []
    for scenario in scenarios:
        for issue in scenario.issues:
            if issue.record is None:
                continue
            rule_spec, members = issue_rule(scenario, issue, None)
            arrays = issue_arrays(scenario, issue.id)
            if rule_spec is None or not members or arrays.status_quo is None:
                reason = "no decision rule" if rule_spec is None else "no status quo"
                skipped.append({"id": issue.id, "reason": reason if members else "no members"})
                continue
            run = spec.run(arrays, {}, seed_for(seed, issue.id, model))
            index = {a: i for i, a in enumerate(arrays.actor_ids)}
            rows = np.array([index[m.id] for m in members], dtype=np.intp)
            cases.append(
                RecordCase(
                    scenario=scenario,
                    issue=issue,
                    record=issue.record,
                    rule_kind=rule_spec.kind,
                    rule=build_rule(rule_spec, members),
                    positions=arrays.positions[rows],
                    saliences=arrays.saliences[rows],
                    status_quo=arrays.status_quo,
                    proposal=np.asarray(run.outcome, dtype=np.float64),
                )
            )
    return cases, skipped


def value_error(result: ProcedureResult, record: Record) -> float | None:
    """Mean absolute difference between the procedure's value and the recorded value."""
    values = record.values()
    if values is None:
        return None
    recorded = np.asarray(values, dtype=np.float64)
    if recorded.shape != result.value.shape:
        return None
    return float(np.mean(np.abs(result.value - recorded)))


def case_row(case: RecordCase, result: ProcedureResult) -> dict[str, Any]:
    """One case of the JSON contract (plus the scenario id and the values)."""
    ids = case.rule.member_ids
    return {
        "id": case.case_id,
        "predicted": result.outcome,
        "recorded": case.record.outcome,
        "hit": result.outcome == case.record.outcome,
        "value_error": value_error(result, case.record),
        "objectors_predicted": [ids[i] for i in result.objectors],
        "objectors_recorded": list(case.record.objectors),
        "scenario": case.scenario.id,
        "value_predicted": [float(v) for v in result.value],
        "value_recorded": case.record.values(),
        "proposal": [float(v) for v in case.proposal],
        "opt_outs_predicted": [ids[i] for i in result.opt_outs],
        "opt_outs_recorded": list(case.record.opt_outs),
    }


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The summary figures of the module docstring over ``rows`` (from :func:`case_row`)."""
    n = len(rows)
    hits = sum(bool(r["hit"]) for r in rows)
    tp = sum(len(set(r["objectors_predicted"]) & set(r["objectors_recorded"])) for r in rows)
    n_pred = sum(len(set(r["objectors_predicted"])) for r in rows)
    n_rec = sum(len(set(r["objectors_recorded"])) for r in rows)
    naive = sum(r["recorded"] == "passes" for r in rows)
    coarse = sum((r["predicted"] in PASSING) == (r["recorded"] in PASSING) for r in rows)
    naive_coarse = sum(r["recorded"] in PASSING for r in rows)
    confusion: dict[str, dict[str, int]] = {}
    for r in rows:
        row = confusion.setdefault(r["recorded"], {})
        row[r["predicted"]] = row.get(r["predicted"], 0) + 1
    per_class = [confusion[c].get(c, 0) / sum(confusion[c].values()) for c in confusion]
    errors = [r["value_error"] for r in rows if r["value_error"] is not None]
    return {
        "n": n,
        "outcome_hit_rate": _ratio(hits, n),
        "objector_precision": _ratio(tp, n_pred),
        "objector_recall": _ratio(tp, n_rec),
        "naive_hit_rate": _ratio(naive, n),
        "coarse_hit_rate": _ratio(coarse, n),
        "naive_coarse_hit_rate": _ratio(naive_coarse, n),
        "balanced_accuracy": float(np.mean(per_class)) if per_class else None,
        "value_mae": float(np.mean(errors)) if errors else None,
        "confusion": {c: confusion[c] for c in OUTCOMES if c in confusion},
    }


def run_record_backtest(
    path: str | os.PathLike[str] | Sequence[Scenario],
    model: str = DEFAULT_MODEL,
    *,
    procedure: str | None = None,
    seed: int | None = 0,
) -> dict[str, Any]:
    """The JSON of ``accord backtest record``.

    ``{"cases": [...], "outcome_hit_rate", "objector_precision", "objector_recall", ...}`` (module
    docstring).
    """
    from accord.forecast import check_procedure_name

    check_procedure_name(procedure)
    cases, skipped = collect_cases(path, model, seed=seed)
    rows = [case_row(case, case.run(procedure)) for case in cases]
    return {
        "cases": rows,
        **summary(rows),
        "model": model,
        "procedure": procedure or "file",
        "skipped": skipped,
    }


def format_rate(value: float | None) -> str:
    """A rate for tables: two decimals, ``-`` for ``None`` or NaN."""
    return (
        "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"
    )
