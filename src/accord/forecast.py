"""Forecast a scenario: run registered models on each issue, then apply the issue's decision rule.

This is the one place where a scenario, the model registry and the rules meet. The CLI, the
Python API and (later) the web app all call :func:`forecast`; its result serialises to the stable
JSON contract documented in ``docs/cli.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.errors import UsageError
from accord.models.base import IssueArrays, ModelRun, check_params
from accord.models.registry import get_model, model_names
from accord.rng import seed_for  # re-exported: callers import it from here
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import Actor, Issue, Record, RuleSpec, Scenario

if TYPE_CHECKING:
    import pandas as pd

    from accord.rules.constrain import RuleOutcome
    from accord.rules.procedure import ProcedureResult

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelForecast:
    """One model's forecast of one issue, with what the decision rule allows."""

    model: str
    run: ModelRun
    allowed_outcome: np.ndarray
    passes: bool
    blockers: tuple[str, ...]
    procedure: ProcedureResult | None = None
    procedure_name: str = "practised"
    procedure_members: tuple[str, ...] = ()
    intervals: Mapping[str, Any] | None = None
    """``interval``, ``intervals``, ``interval_note``, ``distribution`` (docs/calibration.md)."""

    @property
    def outcome(self) -> np.ndarray:
        """The model's unconstrained outcome, one value per dimension."""
        return self.run.outcome


@dataclass(frozen=True)
class ModelFailure:
    """A model that could not forecast an issue (degenerate input, over a limit).

    Its error in one line. The other models' forecasts stand (see :func:`run_model_or_fail`).
    """

    model: str
    error: str
    exception: Exception | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class IssueForecast:
    """All models' forecasts of one issue."""

    issue_id: str
    dimensions: tuple[str, ...]
    actor_ids: tuple[str, ...]
    status_quo: np.ndarray | None
    rule: str | None
    members: tuple[str, ...]
    veto_players: tuple[str, ...]
    winset: list[tuple[float, float]] | None
    forecasts: tuple[ModelForecast, ...]
    record: Record | None = None
    failed: tuple[ModelFailure, ...] = ()

    def forecast_of(self, model: str) -> ModelForecast:
        """The forecast of ``model``; ``KeyError`` when it did not forecast this issue."""
        for item in self.forecasts:
            if item.model == model:
                return item
        raise KeyError(model)


@dataclass(frozen=True)
class ScenarioForecast:
    """The result of :func:`forecast`: one :class:`IssueForecast` per issue.

    ``to_json_dict`` is the stable contract printed by ``accord forecast --format json``;
    ``to_frame`` gives a tidy pandas table; in a notebook the object renders as an HTML table.
    """

    scenario_id: str
    seed: int | None
    issues: tuple[IssueForecast, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()

    def issue(self, issue_id: str) -> IssueForecast:
        """The forecast of issue ``issue_id``; ``KeyError`` when there is no such issue."""
        for item in self.issues:
            if item.issue_id == issue_id:
                return item
        raise KeyError(issue_id)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON of ``accord forecast --format json`` (the stable contract, docs/cli.md)."""
        out: dict[str, Any] = {
            "scenario": self.scenario_id,
            "seed": self.seed,
            "issues": [_issue_json(item) for item in self.issues],
        }
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per issue, model and dimension."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for item in self.issues:
            for fc in item.forecasts:
                for k, dim in enumerate(item.dimensions):
                    rows.append(
                        {
                            "issue": item.issue_id,
                            "model": fc.model,
                            "dimension": dim,
                            "status_quo": None
                            if item.status_quo is None
                            else float(item.status_quo[k]),
                            "outcome": float(fc.outcome[k]),
                            "allowed_outcome": float(fc.allowed_outcome[k]),
                            "passes": fc.passes,
                            "blockers": ", ".join(fc.blockers),
                            "rounds": fc.run.n_rounds,
                            **_procedure_cells(fc, k),
                            **_interval_cells(fc, k),
                        }
                    )
            rows.extend(
                {"issue": item.issue_id, "model": f.model, "error": f.error} for f in item.failed
            )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        title = f"<p><b>accord forecast</b> of <code>{_escape(self.scenario_id)}</code> (seed {self.seed})</p>"
        return title + self.to_frame().to_html(index=False, float_format=lambda v: f"{v:.3f}")


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _floats(values: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def _issue_json(item: IssueForecast) -> dict[str, Any]:
    return {
        "id": item.issue_id,
        "dimensions": list(item.dimensions),
        "status_quo": None if item.status_quo is None else _floats(item.status_quo),
        "rule": item.rule,
        "members": list(item.members),
        "veto_players": list(item.veto_players),
        "winset": None if item.winset is None else [list(iv) for iv in item.winset],
        "forecasts": [_forecast_json(item.actor_ids, fc) for fc in item.forecasts]
        + [{"model": f.model, "error": f.error} for f in item.failed],
        **_record_json(item.record),
    }


def _record_json(record: Record | None) -> dict[str, Any]:
    """``{"record": ...}`` when the scenario gives the issue a record, else nothing."""
    if record is None:
        return {}
    return {"record": record.model_dump(mode="json", exclude_none=True)}


def _procedure_cells(fc: ModelForecast, k: int) -> dict[str, Any]:
    """The procedure's columns of :meth:`ScenarioForecast.to_frame` for dimension ``k``."""
    data = _procedure_json(fc)
    return {
        "procedure": data["name"],
        "procedure_outcome": data["outcome"],
        "procedure_value": data["value"][k],
        "objectors": ", ".join(data["objectors"]),
    }


def _interval_cells(fc: ModelForecast, k: int) -> dict[str, Any]:
    """The 80% set's columns of the forecast table for one dimension.

    The 80% set's columns of :meth:`ScenarioForecast.to_frame` for dimension ``k``
    (docs/calibration.md): ``[lo, hi]`` plus the scale's end points in ``interval80_ends``;
    empty where the forecast has no interval.
    """
    interval = (fc.intervals or {}).get("interval") or {}
    lo, hi = interval.get("lo"), interval.get("hi")
    return {
        "interval80_lo": None if lo is None else float(lo[k]),
        "interval80_hi": None if hi is None else float(hi[k]),
        "interval80_ends": ", ".join(f"{v:g}" for v in interval.get("ends") or []),
        "interval80_calibrated": interval.get("calibrated"),
    }


def _procedure_json(fc: ModelForecast) -> dict[str, Any]:
    """The procedure's reading of one forecast (``docs/cli.md``).

    With no rule or no status quo nothing constrains the forecast and it passes as it is.
    """
    if fc.procedure is None:
        return {
            "name": fc.procedure_name,
            "outcome": "passes",
            "value": _floats(fc.outcome),
            "objectors": [],
            "reservations": [],
            "opt_outs": [],
            "blocking": False,
            "dilution": 0.0,
        }
    return fc.procedure.as_dict(fc.procedure_members)


def _forecast_json(actor_ids: Sequence[str], fc: ModelForecast) -> dict[str, Any]:
    rounds = []
    for t in range(fc.run.positions.shape[0]):
        entry: dict[str, Any] = {
            "round": t,
            # tolist: the same Python floats as _floats, without a NumPy call per actor
            "positions": dict(
                zip(
                    actor_ids,
                    np.asarray(fc.run.positions[t], dtype=np.float64)
                    .reshape(len(actor_ids), -1)
                    .tolist(),
                    strict=True,
                )
            ),
        }
        for name, series in fc.run.series.items():
            entry[name] = _floats(series[t])
        rounds.append(entry)
    return {
        "model": fc.model,
        "outcome": _floats(fc.outcome),
        "allowed_outcome": _floats(fc.allowed_outcome),
        "passes": fc.passes,
        "blockers": list(fc.blockers),
        "procedure": _procedure_json(fc),
        **(
            fc.intervals
            or dict.fromkeys(("interval", "intervals", "interval_note", "distribution"))
        ),
        "rounds": rounds,
        "diagnostics": _jsonable(dict(fc.run.diagnostics)),
    }


def _jsonable(value: Any) -> Any:
    """Make diagnostics JSON-safe: arrays become lists, NumPy scalars become Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def resolve_models(model: str | Sequence[str]) -> list[str]:
    """Turn ``"all"``, one name, or a comma-separated list into validated registry names."""
    names = model_names()
    requested = [model] if isinstance(model, str) else list(model)
    chosen: list[str] = []
    for entry in requested:
        for name in (part.strip() for part in entry.split(",")):
            if name == "all":
                chosen.extend(names)
            elif name:
                get_model(name)  # raises a UsageError naming the valid models
                chosen.append(name)
    if not chosen:
        raise UsageError("no model given", expected="'all' or one of " + ", ".join(names))
    return list(dict.fromkeys(chosen))


def issue_rule(
    scenario: Scenario, issue: Issue, override: RuleSpec | None
) -> tuple[RuleSpec | None, list[Actor]]:
    """The rule that decides ``issue`` and the body members who vote under it.

    Precedence: ``override`` (CLI ``--rule``), then the issue's own rule, then its body's rule.
    Members are the actors in the issue's body who hold a stance on it and, when the issue has a
    ``decision_date``, had joined the body by then (:func:`accord.rules.build_procedure.member_on`);
    with no body, every actor with a stance votes.
    """
    stance_ids = [s.actor for s in issue.stances]
    rule: RuleSpec | None = override or issue.rule
    if issue.body is not None:
        # The procedure rules load only for an issue decided by a body (a faster start).
        from accord.rules.build_procedure import member_on

        body = scenario.body(issue.body)
        rule = rule or body.rule
        members = [
            scenario.actor(a)
            for a in stance_ids
            if member_on(scenario.actor(a), issue.body, issue.decision_date)
        ]
    elif stance_ids == [a.id for a in scenario.actors]:
        members = list(scenario.actors)  # the stances in the actors' order: no lookups
    else:
        members = [scenario.actor(a) for a in stance_ids]
    return rule, members


def required_issue_rule(
    scenario: Scenario,
    issue: Issue,
    override: RuleSpec | None,
    *,
    members_field: str | None = None,
) -> tuple[RuleSpec, list[Actor]]:
    """:func:`issue_rule`, raising where there is no rule or no voting member to apply it to.

    Raises:
        UsageError: no rule (file or ``--rule``), or no body member with a stance (reported at
            ``members_field``).
    """
    spec, members = issue_rule(scenario, issue, override)
    if spec is None:
        raise UsageError(
            f"issue '{issue.id}' has no decision rule",
            field="--rule",
            expected="a rule in the file, or --rule",
        )
    if not members:
        raise UsageError(
            f"issue '{issue.id}' has no voting members with a stance",
            field=members_field,
            expected="body members with stances",
        )
    return spec, members


def forecast_issue(
    scenario: Scenario,
    issue_id: str,
    models: Sequence[str],
    *,
    rule: RuleSpec | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int | None = 0,
    progress: Callable[[], None] | None = None,
    procedure: str | None = None,
    interval_draws: int = 0,
    keep_going: bool = False,
    runs: Mapping[str, ModelRun] | None = None,
) -> IssueForecast:
    """Forecast one issue with several models under its rule and procedure.

    Run ``models`` on one issue, constrain each outcome by the issue's rule (the strict
    reading: ``allowed_outcome``, ``passes``, ``blockers``) and apply its decision procedure
    (``procedure``: ``strict``, ``practised``, or ``None`` for the file's, practised by default).

    ``interval_draws``: Monte Carlo draws of the uncalibrated interval outside the calibration
    domain (0: none; docs/calibration.md).

    ``runs`` holds runs made elsewhere, by model name (a cross-issue model's run of this issue,
    see :func:`forecast`); those models are not run again. With ``keep_going`` a model that
    fails is recorded in ``failed`` and the others still run; otherwise its error is raised.
    """
    arrays = issue_arrays(scenario, issue_id)
    issue = scenario.issue(issue_id)
    rule_spec, members = issue_rule(scenario, issue, rule)
    member_ids = tuple([m.id for m in members])
    if member_ids == arrays.actor_ids:  # every actor votes (a large file: no index; issue 15)
        member_rows = np.arange(len(member_ids), dtype=np.intp)
    else:
        index = {a: i for i, a in enumerate(arrays.actor_ids)}
        member_rows = np.array([index[m] for m in member_ids], dtype=np.intp)
    decision_rule = None
    if rule_spec is not None and len(members) > 0:
        from accord.rules.build import build_rule  # the rules load only for an issue with one

        decision_rule = build_rule(rule_spec, members)

    results: list[ModelForecast] = []
    failed: list[ModelFailure] = []
    last_outcome: RuleOutcome | None = None
    for name in models:
        run: ModelRun | None
        if runs is not None and name in runs:
            run = runs[name]
        else:
            run = run_model_or_fail(name, arrays, params, seed_for(seed, issue_id, name), failed)
        if run is None and not keep_going:
            raise failed[-1].exception or UsageError(failed[-1].error)
        if run is None:
            if progress is not None:
                progress()
            continue
        allowed, passes = run.outcome, True
        blockers: tuple[str, ...] = ()
        if decision_rule is not None and arrays.status_quo is not None:
            from accord.rules.constrain import constrain  # SciPy: loaded only when needed

            last_outcome = constrain(
                decision_rule,
                arrays.positions[member_rows],
                arrays.saliences[member_rows],
                arrays.status_quo,
                run.outcome,
                arrays.lo,
                arrays.hi,
            )
            allowed = np.asarray(last_outcome.allowed, dtype=np.float64)
            passes = bool(last_outcome.passes)
            blockers = tuple(members[i].id for i in last_outcome.blockers)
        intervals = _intervals(scenario, issue_id, name, run.outcome, params, seed, interval_draws)
        results.append(
            _with_procedure(
                ModelForecast(name, run, allowed, passes, blockers, intervals=intervals),
                scenario,
                issue,
                rule_spec,
                decision_rule,
                arrays,
                member_rows,
                procedure,
            )
        )
        if progress is not None:
            progress()

    veto: tuple[str, ...] = ()
    winset = None
    if last_outcome is not None:
        veto = tuple(members[i].id for i in last_outcome.veto_players)
        winset = (
            None
            if last_outcome.winset is None
            else [(float(a), float(b)) for a, b in last_outcome.winset]
        )
    return IssueForecast(
        issue_id=issue_id,
        dimensions=tuple(d.id for d in issue.dimensions),
        actor_ids=arrays.actor_ids,
        status_quo=arrays.status_quo,
        rule=None if rule_spec is None else rule_spec.kind,
        members=member_ids,
        veto_players=veto,
        winset=winset,
        forecasts=tuple(results),
        record=issue.record,
        failed=tuple(failed),
    )


def _with_procedure(
    fc: ModelForecast,
    scenario: Scenario,
    issue: Issue,
    rule_spec: RuleSpec | None,
    decision_rule: Any,
    arrays: IssueArrays,
    member_rows: np.ndarray,
    procedure: str | None,
) -> ModelForecast:
    """``fc`` with the issue's decision procedure applied to its outcome (``docs/rules.md``)."""
    import dataclasses

    if rule_spec is None or decision_rule is None or arrays.status_quo is None:
        return dataclasses.replace(fc, procedure_name=procedure or "practised")
    from accord.rules.build_procedure import resolve_procedure

    settings = resolve_procedure(scenario, issue, rule_spec.kind, procedure)
    result = settings.run(
        decision_rule,
        arrays.positions[member_rows],
        arrays.saliences[member_rows],
        arrays.status_quo,
        np.asarray(fc.outcome, dtype=np.float64),
    )
    return dataclasses.replace(
        fc,
        procedure=result,
        procedure_name=settings.name,
        procedure_members=tuple(decision_rule.member_ids),
    )


def _intervals(
    scenario: Scenario,
    issue_id: str,
    model: str,
    outcome: np.ndarray,
    params: Mapping[str, Mapping[str, Any]] | None,
    seed: int | None,
    draws: int,
) -> dict[str, Any]:
    """The forecast's calibrated interval, or the uncalibrated fallback (docs/calibration.md)."""
    from accord.intervals.shipped import forecast_intervals

    model_params = (params or {}).get(model, {})
    return forecast_intervals(
        scenario, issue_id, model, outcome, params=model_params, seed=seed, draws=draws
    )


def run_model_or_fail(
    name: str,
    arrays: IssueArrays,
    params: Mapping[str, Mapping[str, Any]] | None,
    rng: np.random.Generator,
    failed: list[ModelFailure],
) -> ModelRun | None:
    """Run one model, recording an input error instead of raising it.

    Run one model; on an input error (or a numerical failure) record it in ``failed`` and
    return None, so that one model's failure never sinks the others (issue 15).

    The parameters' round counts and the model's memory estimate are checked first
    (:mod:`accord.limits`).
    """
    from accord import limits
    from accord.errors import AccordError

    model_params = dict((params or {}).get(name, {}))
    try:
        for key in limits.ROUND_PARAMS:
            value = model_params.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                limits.ROUNDS.check(int(value), what=f"{name}: {key}", field=f"{name}.{key}")
        limits.check_model(name, len(arrays.actor_ids), arrays.positions.shape[1])
        return get_model(name).run(arrays, model_params, rng)
    except AccordError as exc:
        failed.append(ModelFailure(name, str(exc), exc))
    except (ArithmeticError, ValueError, MemoryError) as exc:
        error = UsageError(
            f"{name} cannot forecast this input ({type(exc).__name__}: {exc})",
            expected="an input this model can read",
        )
        failed.append(ModelFailure(name, str(error), error))
    return None


def raise_if_none_answered(result: ScenarioForecast) -> None:
    """Raise the first model error when no model answered any issue (exit code 2)."""
    from accord.errors import AccordError

    if any(item.forecasts for item in result.issues):
        return
    for item in result.issues:
        for failure in item.failed:
            raise failure.exception or UsageError(failure.error)
    raise AccordError("no model answered", expected="at least one model")


def resolve_issues(scenario: Scenario, issues: Sequence[str] | None) -> list[str]:
    """The issue ids to work on: ``issues`` checked against the scenario, or all of them."""
    known = [i.id for i in scenario.issues]
    wanted = list(issues) if issues else known
    for issue_id in wanted:
        if issue_id not in known:
            raise UsageError(
                f"scenario '{scenario.id}' has no issue '{issue_id}'",
                field="--issue",
                expected="one of " + ", ".join(known),
            )
    return wanted


def forecast(
    scenario: Scenario,
    model: str | Sequence[str] = "all",
    *,
    rule: RuleSpec | str | None = None,
    issues: Sequence[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int | None = 0,
    progress: Progress | None = None,
    procedure: str | None = None,
    interval_draws: int = 0,
) -> ScenarioForecast:
    """Forecast every issue (or ``issues``) of ``scenario`` with ``model``.

    Args:
        scenario: a validated scenario (see :func:`accord.load`).
        model: ``"all"``, a registry name, a comma-separated list, or a list of names.
        rule: a rule that overrides the file's rules, as a :data:`RuleSpec` or a string such as
            ``"consensus"`` or ``"qualified-majority:0.65"`` (see :func:`parse_rule`).
        issues: issue ids to forecast; all by default.
        params: per-model parameters, e.g. ``{"bdm": {"q": 0.5}}``.
        seed: seeds every stochastic model; each (issue, model) gets its own stream.
        progress: called as ``progress(done, total)`` after each model run.
        procedure: ``"strict"`` or ``"practised"`` for every issue; ``None`` keeps each body's
            or issue's own (``practised`` where the file names none; ``docs/rules.md``).
        interval_draws: Monte Carlo draws of the uncalibrated interval of forecasts outside the
            calibration domain (0, the default: no draws, the interval is ``null`` with a note;
            docs/calibration.md).
    """
    from accord.limits import check_seed

    check_seed(seed)
    names = resolve_models(model)
    check_procedure_name(procedure)
    for name in names:  # a misspelt parameter is the command's error, not one model's failure
        check_params(name, get_model(name).defaults, dict((params or {}).get(name, {})))
    rule_spec = parse_rule(rule) if isinstance(rule, str) else rule
    issue_ids = resolve_issues(scenario, issues)
    total = len(issue_ids) * len(names)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    cross, notes = _scenario_model_runs(scenario, model, names, params)
    results = tuple(
        forecast_issue(
            scenario,
            issue_id,
            names,
            rule=rule_spec,
            params=params,
            seed=seed,
            progress=tick,
            procedure=procedure,
            interval_draws=interval_draws,
            runs={m: by_issue[issue_id] for m, by_issue in cross.items() if issue_id in by_issue},
            keep_going=True,
        )
        for issue_id in issue_ids
    )
    result = ScenarioForecast(scenario_id=scenario.id, seed=seed, issues=results, notes=notes)
    raise_if_none_answered(result)
    return result


def _scenario_model_runs(
    scenario: Scenario,
    requested: str | Sequence[str],
    names: Sequence[str],
    params: Mapping[str, Mapping[str, Any]] | None,
) -> tuple[dict[str, dict[str, ModelRun]], tuple[str, ...]]:
    """Run each cross-issue model once across the scenario's issues.

    Run each cross-issue model (``SCENARIO``, e.g. the exchange) once across all of the
    scenario's one-dimensional issues; its runs by issue id, each aligned to the issue's actors.

    With too few such issues, a model named in a model string is a usage error; one reached
    through ``"all"`` or a list of names keeps its one-issue form and the returned notes say so.
    """
    from accord.models.registry import get_scenario_model
    from accord.scenario.arrays import scenario_arrays

    # Named in the user's text (CLI -m, API string): an error; a list resolved by a caller (a
    # report running every model) or "all": the one-issue fallback with a note.
    explicit = (
        {m for m in _requested(requested) if m != "all"} if isinstance(requested, str) else set()
    )
    one_dim = [i.id for i in scenario.issues if len(i.dimensions) == 1]
    cross: dict[str, dict[str, ModelRun]] = {}
    notes: list[str] = []
    for name in names:
        contract = get_scenario_model(name)
        if contract is None:
            continue
        if len(one_dim) < contract.min_issues:
            message = (
                f"the {name} model works across issues and needs at least "
                f"{contract.min_issues} one-dimensional issues; scenario '{scenario.id}' has "
                f"{len(one_dim)}"
            )
            if name in explicit:
                raise UsageError(
                    message,
                    field="--model",
                    expected=f"a scenario with {contract.min_issues} or more one-dimensional "
                    "issues, or another model",
                )
            notes.append(message + f" (its rows show the one-issue fallback of '{name}')")
            continue
        result = contract.run(
            scenario_arrays(scenario, one_dim), dict((params or {}).get(name, {}))
        )
        cross[name] = {
            issue_id: _align(run, issue_arrays(scenario, issue_id).actor_ids)
            for issue_id, run in result.runs.items()
        }
        if len(one_dim) < len(scenario.issues):
            notes.append(
                f"the {name} model ran across the {len(one_dim)} one-dimensional issues; "
                "the other issues show its one-issue fallback"
            )
    return cross, tuple(notes)


def _requested(model: str | Sequence[str]) -> list[str]:
    entries = [model] if isinstance(model, str) else list(model)
    return [part.strip() for entry in entries for part in entry.split(",") if part.strip()]


def _align(run: ModelRun, actor_ids: Sequence[str]) -> ModelRun:
    """``run`` with its position rows in ``actor_ids`` order (``diagnostics["actor_ids"]``)."""
    order = list(run.diagnostics["actor_ids"])
    rows = [order.index(a) for a in actor_ids]
    diagnostics = {k: v for k, v in run.diagnostics.items() if k != "actor_ids"}
    return ModelRun(run.model, run.positions[:, rows], run.outcome, run.series, diagnostics)


def check_procedure_name(procedure: str | None) -> None:
    """Raise a :class:`UsageError` unless ``procedure`` is ``None``, strict or practised."""
    if procedure is None:
        return
    from accord.rules.procedure import PROCEDURE_NAMES  # loaded only when a procedure is named

    if procedure not in PROCEDURE_NAMES:
        raise UsageError(
            f"unknown procedure '{procedure}'",
            field="--procedure",
            expected="one of " + ", ".join(PROCEDURE_NAMES),
        )


def parse_rule(text: str) -> RuleSpec:
    """Parse a rule given on the command line: ``KIND`` or ``KIND:QUOTA``.

    ``consensus``, ``unanimity``, ``simple-majority``, ``eu-nice`` and ``eu-lisbon`` take no quota;
    ``qualified-majority:Q`` and ``weighted:Q`` take a share of the total capability (0 < Q <= 1;
    qualified majority defaults to 2/3 and weighted voting to 1/2).
    """
    from pydantic import TypeAdapter, ValidationError

    from accord.scenario.schema import RULE_KINDS

    kind, _, quota_text = text.strip().partition(":")
    if kind not in RULE_KINDS:
        raise UsageError(
            f"unknown rule '{kind}'", field="--rule", expected="one of " + ", ".join(RULE_KINDS)
        )
    data: dict[str, Any] = {"kind": kind}
    if kind in ("qualified-majority", "weighted"):
        default = 2 / 3 if kind == "qualified-majority" else 0.5
        try:
            data["quota"] = float(quota_text) if quota_text else default
        except ValueError:
            raise UsageError(
                f"quota '{quota_text}' is not a number",
                field="--rule",
                expected="KIND:QUOTA with 0 < QUOTA <= 1",
            ) from None
    elif quota_text:
        raise UsageError(f"rule '{kind}' takes no quota", field="--rule", expected=f"'{kind}'")
    try:
        spec: RuleSpec = TypeAdapter(RuleSpec).validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(
            f"invalid rule '{text}': {first['msg']}",
            field="--rule",
            expected="KIND:QUOTA with 0 < QUOTA <= 1",
        ) from None
    return spec


__all__ = [
    "IssueArrays",
    "IssueForecast",
    "ModelForecast",
    "ScenarioForecast",
    "forecast",
    "forecast_issue",
    "parse_rule",
    "resolve_issues",
    "resolve_models",
    "seed_for",
]
