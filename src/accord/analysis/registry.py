"""The one registry of analyses that the command line and the web both run.

Each analysis is registered once (:data:`ANALYSES`) with its name, a frozen parameter class
(typed fields with defaults, checked on construction: :meth:`AnalysisParams.from_mapping`), a
``run`` function returning the analysis's result object, and ``to_json`` turning that result
into the JSON-ready dict the web stores and serves. ``accord forecast``, ``accord deadlock``,
``accord gaps`` and ``accord montecarlo`` build their parameters and run through here, and so
does the web's ``POST /api/analyses`` (:func:`compute`); :func:`form` tells a form which
analyses, fields, models, issues, actors and bodies are valid for a scenario.

Reading the file, ``--inputs`` and the output format stay at the edges; what each command adds
beyond the shared analysis (``deadlock``'s package deals, ``montecarlo``'s Sobol indices) stays
in the command.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

from accord.errors import UsageError

if TYPE_CHECKING:
    from accord.scenario.schema import Scenario

Progress = Callable[[int, int], None]

#: Kinds of parameter a form can offer; ``models`` is ``'all'``, a name or a comma list.
KINDS = ("int", "float", "str", "bool", "model", "models", "issue", "issues", "actor", "body")


def param(default: Any, kind: str, help: str, choices: tuple[str, ...] = ()) -> Any:
    """A parameter field.

    Its default, its kind (:data:`KINDS`), a help line and the choices a form offers (checked by the
    parameter class or the analysis itself).
    """
    return field(default=default, metadata={"kind": kind, "help": help, "choices": choices})


def _fail(analysis: str, name: str, value: object, expected: str) -> UsageError:
    return UsageError(f"{analysis}: {name} is {value!r}", field=name, expected=expected)


def _coerce(analysis: str, f: dataclasses.Field[Any], value: Any) -> Any:
    """``value`` checked against the field's kind (``None`` allowed where the default is)."""
    if value is None and f.default is None:
        return None
    if "kind" not in f.metadata:  # per-model parameters: {model: {name: value}}
        if not isinstance(value, Mapping) or not all(
            isinstance(v, Mapping) for v in value.values()
        ):
            raise _fail(analysis, f.name, value, "a mapping MODEL -> {NAME: VALUE}")
        return value
    kind = f.metadata["kind"]
    if kind == "issues":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
            raise _fail(analysis, f.name, value, "issue ids")
        return tuple(items) or None
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise _fail(analysis, f.name, value, "a whole number")
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(analysis, f.name, value, "a number")
        value = float(value)
    if kind == "bool" and not isinstance(value, bool):
        raise _fail(analysis, f.name, value, "true or false")
    if kind in ("str", "model", "models", "issue", "actor", "body") and not isinstance(value, str):
        raise _fail(analysis, f.name, value, "text")
    return value


@dataclass(frozen=True)
class AnalysisParams:
    """Base of every analysis's parameters.

    A frozen dataclass whose fields are made by :func:`param`; subclasses set :attr:`analysis` and
    check values in ``__post_init__``.
    """

    analysis: ClassVar[str] = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, ignore_unknown: bool = False) -> Self:
        """Build from a mapping (any subset of the fields).

        Unknown keys are usage errors naming the valid ones unless ``ignore_unknown`` (a form that
        sends a fixed set of fields).
        """
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown and not ignore_unknown:
            raise UsageError(
                f"{cls.analysis}: unknown parameter '{unknown[0]}'",
                field=unknown[0],
                expected="one of " + ", ".join(known),
            )
        kwargs = {k: _coerce(cls.analysis, known[k], v) for k, v in values.items() if k in known}
        return cls(**kwargs)

    @classmethod
    def from_options(cls, values: Mapping[str, Any]) -> Self:
        """:meth:`from_mapping` for the command line: errors name the option (``--draws``)."""
        try:
            return cls.from_mapping(values)
        except UsageError as exc:
            name = exc.location.field
            if name in {f.name for f in dataclasses.fields(cls)}:
                option = "--" + name.replace("_", "-")
                exc.message = exc.message.replace(f"{cls.analysis}: {name} ", f"{option} ", 1)
                exc.location.field = option
                exc.args = (str(exc),)
            raise

    def as_dict(self) -> dict[str, Any]:
        """The parameters as a plain mapping (JSON-serialisable)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _check_models(analysis: str, model: str, one: bool = False) -> None:
    from accord.forecast import resolve_models

    names = resolve_models(model)  # a UsageError naming the valid models
    if one and (len(names) != 1 or "," in model or model == "all"):
        raise _fail(analysis, "model", model, "one model name")


def _check_at_least(analysis: str, name: str, value: int, least: int) -> None:
    if value < least:
        raise _fail(analysis, name, value, f"a whole number >= {least}")


# ---------------------------------------------------------------------- forecast


@dataclass(frozen=True)
class ForecastParams(AnalysisParams):
    """Parameters of a forecast (:func:`accord.forecast.forecast`)."""

    analysis: ClassVar[str] = "forecast"

    model: str = param("all", "models", "'all', a model name, or a comma list")
    issue: tuple[str, ...] | None = param(None, "issues", "issues to forecast (default: all)")
    rule: str | None = param(None, "str", "a rule that overrides the file's rules")
    seed: int = param(0, "int", "seed for stochastic models")
    procedure: str | None = param(
        None, "str", "decision procedure (default: the file's)", ("strict", "practised")
    )
    interval_draws: int = param(
        0, "int", "Monte Carlo draws of the uncalibrated interval (0: none)"
    )
    params: Mapping[str, Mapping[str, Any]] | None = None

    def __post_init__(self) -> None:
        """Check the models and the draw count."""
        _check_models(self.analysis, self.model)
        _check_at_least(self.analysis, "interval_draws", self.interval_draws, 0)


def _run_forecast(scenario: Scenario, p: ForecastParams, progress: Progress | None) -> Any:
    from accord.forecast import forecast

    return forecast(
        scenario,
        p.model,
        rule=p.rule,
        issues=list(p.issue) if p.issue else None,
        params=p.params,
        seed=p.seed,
        progress=progress,
        procedure=p.procedure,
        interval_draws=p.interval_draws,
    )


def _forecast_json(result: Any, p: ForecastParams) -> dict[str, Any]:
    """The forecast's JSON contract plus ``table``: its rows (one per issue, model, dimension)."""
    data: dict[str, Any] = result.to_json_dict()
    data["table"] = json.loads(result.to_frame().to_json(orient="records"))
    return data


# ---------------------------------------------------------------------- deadlock


@dataclass(frozen=True)
class DeadlockParams(AnalysisParams):
    """Parameters of a deadlock analysis (:func:`accord.analysis.deadlock.analyse_deadlock`)."""

    analysis: ClassVar[str] = "deadlock"

    issue: str | None = param(None, "issue", "the issue (default: the first with a status quo)")
    model: str = param("compromise", "model", "the model whose forecast is the proposal")
    rule: str | None = param(None, "str", "a rule that overrides the file's rules")
    proposal: str | None = param(None, "str", "the proposal itself, VALUE[,VALUE...]")
    seed: int = param(0, "int", "seed for stochastic models")

    def __post_init__(self) -> None:
        """Check the model."""
        _check_models(self.analysis, self.model, one=True)


def deadlock_issue(scenario: Scenario, issue: str | None) -> str:
    """``issue``, or the first issue with a status quo (the first issue when none has one)."""
    if issue:
        return issue
    return next((i.id for i in scenario.issues if i.status_quo is not None), scenario.issues[0].id)


def _run_deadlock(scenario: Scenario, p: DeadlockParams, progress: Progress | None) -> Any:
    from accord.analysis.deadlock import analyse_deadlock

    return analyse_deadlock(
        scenario,
        deadlock_issue(scenario, p.issue),
        model=p.model,
        rule=p.rule,
        proposal=p.proposal,
        seed=p.seed,
    )


# ---------------------------------------------------------------------- gaps


@dataclass(frozen=True)
class GapsParams(AnalysisParams):
    """Parameters of the perception gaps (:func:`accord.analysis.gaps.perception_gaps`)."""

    analysis: ClassVar[str] = "gaps"

    focal: str = param("jpn", "actor", "the actor compared with the alliance")
    body: str = param("nac", "body", "the body whose members form the alliance")
    clusters: int = param(3, "int", "number of clusters of like-minded allies")

    def __post_init__(self) -> None:
        """Check the number of clusters."""
        _check_at_least(self.analysis, "clusters", self.clusters, 1)


def _run_gaps(scenario: Scenario, p: GapsParams, progress: Progress | None) -> Any:
    from accord.analysis.gaps import perception_gaps

    return perception_gaps(scenario, focal=p.focal, body=p.body, n_clusters=p.clusters)


# ---------------------------------------------------------------------- Monte Carlo


@dataclass(frozen=True)
class MonteCarloParams(AnalysisParams):
    """Parameters of a Monte Carlo (:func:`accord.analysis.montecarlo.monte_carlo`)."""

    analysis: ClassVar[str] = "montecarlo"

    model: str = param("compromise,median,bdm", "models", "'all', a model name, or a comma list")
    issue: tuple[str, ...] | None = param(None, "issues", "issues (default: all)")
    draws: int = param(1000, "int", "number of draws")
    seed: int = param(0, "int", "seed: the same seed gives the same result")
    distribution: str = param(
        "uniform", "str", "how inputs are drawn in their range", ("uniform", "triangular")
    )
    rule: str | None = param(None, "str", "a rule that overrides the file's rules")
    top: int = param(10, "int", "how many drivers to list per model")
    allowed_draws: int = param(
        30, "int", "draws on which the allowed outcome is computed (issues of several dimensions)"
    )
    procedure: bool = param(True, "bool", "also run the decision procedure on every draw")

    def __post_init__(self) -> None:
        """Check the models and the counts (draws within :data:`accord.limits.DRAWS`)."""
        from accord.limits import DRAWS

        _check_models(self.analysis, self.model)
        if self.distribution not in ("uniform", "triangular"):
            raise _fail(self.analysis, "distribution", self.distribution, "uniform or triangular")
        _check_at_least(self.analysis, "draws", self.draws, 1)
        DRAWS.check(self.draws, what=f"{self.analysis}: draws {self.draws:,}", field="draws")
        _check_at_least(self.analysis, "top", self.top, 0)
        _check_at_least(self.analysis, "allowed_draws", self.allowed_draws, 0)


def _run_montecarlo(scenario: Scenario, p: MonteCarloParams, progress: Progress | None) -> Any:
    from accord.analysis.montecarlo import monte_carlo
    from accord.forecast import resolve_models

    return monte_carlo(
        scenario,
        resolve_models(p.model),
        issues=list(p.issue) if p.issue else None,
        draws=p.draws,
        seed=p.seed,
        distribution="triangular" if p.distribution == "triangular" else "uniform",  # typed
        rule=p.rule,
        progress=progress,
        allowed_draws=p.allowed_draws,
        procedure=p.procedure,
    )


def _montecarlo_json(result: Any, p: MonteCarloParams) -> dict[str, Any]:
    data: dict[str, Any] = result.to_json_dict(p.top)
    return data


# ---------------------------------------------------------------------- the registry


def _plain_json(result: Any, p: Any) -> dict[str, Any]:
    data: dict[str, Any] = result.to_json_dict()
    return data


@dataclass(frozen=True)
class Analysis:
    """A registered analysis.

    Attributes:
        name: what users and forms call it (``kind`` in the web API).
        summary: one line for forms and help.
        params: its parameter class (:class:`AnalysisParams`).
        run: ``run(scenario, params, progress)`` -> the result object (tables at the CLI).
        to_json: ``to_json(result, params)`` -> the JSON-ready result the web stores.
    """

    name: str
    summary: str
    params: type[AnalysisParams]
    run: Callable[[Scenario, Any, Progress | None], Any]
    to_json: Callable[[Any, Any], dict[str, Any]] = _plain_json

    def compute(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        progress: Progress | None = None,
        *,
        ignore_unknown: bool = False,
    ) -> dict[str, Any]:
        """Check ``values``, run the analysis on ``scenario`` and return its JSON-ready result."""
        params = self.params.from_mapping(values, ignore_unknown=ignore_unknown)
        return self.to_json(self.run(scenario, params, progress), params)


ANALYSES: dict[str, Analysis] = {
    a.name: a
    for a in (
        Analysis(
            "forecast",
            "each issue forecast by one or all models under its decision rule",
            ForecastParams,
            _run_forecast,
            _forecast_json,
        ),
        Analysis(
            "deadlock",
            "who blocks an issue and what would unblock it",
            DeadlockParams,
            _run_deadlock,
        ),
        Analysis(
            "gaps",
            "threat perceptions: the focal actor's gap to the alliance, spread and clusters",
            GapsParams,
            _run_gaps,
        ),
        Analysis(
            "montecarlo",
            "every assumed number drawn in its range: pass probabilities, spread, drivers",
            MonteCarloParams,
            _run_montecarlo,
            _montecarlo_json,
        ),
    )
}


def analysis_names() -> list[str]:
    """The registered analyses, in registry order."""
    return list(ANALYSES)


def get_analysis(name: str) -> Analysis:
    """The analysis called ``name``; a usage error naming the valid ones otherwise."""
    try:
        return ANALYSES[name]
    except KeyError:
        raise UsageError(
            f"unknown analysis '{name}'",
            field="kind",
            expected="one of " + ", ".join(ANALYSES),
        ) from None


def compute(
    name: str,
    scenario: Scenario,
    values: Mapping[str, Any],
    progress: Progress | None = None,
    *,
    ignore_unknown: bool = False,
) -> dict[str, Any]:
    """Run the analysis ``name`` on ``scenario`` with the parameters ``values`` (JSON result)."""
    return get_analysis(name).compute(scenario, values, progress, ignore_unknown=ignore_unknown)


def _choices(kind: str, fixed: tuple[str, ...], scenario: Scenario | None) -> list[str] | None:
    """The values a form may offer for a field of ``kind`` (``None``: free input)."""
    if fixed:
        return list(fixed)
    if kind in ("model", "models"):
        from accord.models.registry import model_names

        return (["all"] if kind == "models" else []) + list(model_names())
    if scenario is None:
        return None
    if kind in ("issue", "issues"):
        return [i.id for i in scenario.issues]
    if kind == "actor":
        return [a.id for a in scenario.actors]
    if kind == "body":
        return [b.id for b in scenario.bodies]
    return None


def form(scenario: Scenario | None = None) -> dict[str, Any]:
    """What a form may ask.

    For each analysis its summary and fields (name, kind, default, help, choices), the choices
    narrowed to ``scenario``'s issues, actors and bodies when given.

    JSON-ready: ``{"analyses": [{"name", "summary", "fields": [...]}, ...]}``.
    """
    analyses = []
    for a in ANALYSES.values():
        fields_out = []
        for f in dataclasses.fields(a.params):
            if "kind" not in f.metadata:
                continue  # not a form field (e.g. per-model parameters)
            default = f.default
            fields_out.append(
                {
                    "name": f.name,
                    "kind": f.metadata["kind"],
                    "default": list(default) if isinstance(default, tuple) else default,
                    "help": f.metadata["help"],
                    "choices": _choices(f.metadata["kind"], f.metadata["choices"], scenario),
                }
            )
        analyses.append({"name": a.name, "summary": a.summary, "fields": fields_out})
    return {"analyses": analyses}
