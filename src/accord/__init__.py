"""accord: a workbench for alliance politics.

The Python API for notebooks::

    import accord
    scenario = accord.load("scenarios/emission-standards.yaml")
    result = accord.forecast(scenario, model="all")
    result.to_frame()          # a pandas table; the object itself renders as HTML in Jupyter

Everything here is a thin facade over :mod:`accord.scenario`, :mod:`accord.models`,
:mod:`accord.rules` and :mod:`accord.forecast`.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.errors import AccordError, ScenarioError, UsageError

if TYPE_CHECKING:
    from accord.forecast import Progress, ScenarioForecast
    from accord.models.registry import get_model, model_names
    from accord.scenario.schema import RuleSpec, Scenario

__version__ = "0.1.0"

#: Names loaded on first use (PEP 562), so that ``import accord`` (and ``accord --help``, which
#: imports the package) does not load NumPy, pydantic and the models.
_LAZY = {
    "ScenarioForecast": "accord.forecast",
    "get_model": "accord.models.registry",
    "model_names": "accord.models.registry",
    "Scenario": "accord.scenario.schema",
}


class _Package(types.ModuleType):
    """Module type that keeps ``accord.forecast`` bound to the API function.

    The package's module type: importing the submodule :mod:`accord.forecast` would bind it
    as ``accord.forecast``, hiding the API function of that name defined below; this keeps the
    function (the submodule stays reachable through ``sys.modules`` and ``from ... import``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "forecast" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'accord' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


# Every user error below is an AccordError subclass with the CLI's message (issue 15): a wrong
# type is a UsageError naming the argument and what was expected, never a raw TypeError.


def _path(path: object, argument: str) -> Path:
    if isinstance(path, str | os.PathLike) and not isinstance(path, bytes):
        text = os.fspath(path)
        if isinstance(text, str) and text and "\x00" not in text:
            return Path(text)
    raise UsageError(
        f"{argument} is {type(path).__name__} {path!r:.60}, not a file path",
        field=argument,
        expected="a path as str or pathlib.Path (for text in memory: accord.scenario.io.loads)",
    )


def load(path: str | Path) -> Scenario:
    """Load and validate one scenario from YAML or any supported import format (by content).

    Raises:
        ScenarioError: the file is missing, malformed or inconsistent.
        UsageError: ``path`` is not a path, or the file holds several scenarios.
    """
    from accord.scenario.io import load as _load

    return _load(_path(path, "path"))


def save(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` as accord YAML, atomically.

    Raises:
        UsageError: ``scenario`` is not a Scenario, ``path`` is not a path, its folder is
            missing, or it names something other than a regular file.
    """
    from accord.scenario.io import save as _save

    _save(_scenario(scenario), _path(path, "path"))


def _scenario(scenario: object) -> Scenario:
    from accord.scenario.schema import Scenario

    if not isinstance(scenario, Scenario):
        raise UsageError(
            f"scenario is {type(scenario).__name__}, not a Scenario",
            field="scenario",
            expected="a Scenario from accord.load(...)",
        )
    return scenario


def _names(value: object, argument: str, what: str) -> list[str] | None:
    """``None``, one name, or a list of names (a string is one name, not its characters)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    raise UsageError(
        f"{argument} is {type(value).__name__} {value!r:.60}",
        field=argument,
        expected=f"{what} as a string or a list of strings",
    )


def _params(params: object) -> dict[str, dict[str, Any]] | None:
    if params is None:
        return None
    if isinstance(params, Mapping) and all(
        isinstance(k, str) and isinstance(v, Mapping) and all(isinstance(n, str) for n in v)
        for k, v in params.items()
    ):
        return {k: dict(v) for k, v in params.items()}
    raise UsageError(
        f"params is {params!r:.80}",
        field="params",
        expected='a mapping of model names to parameter mappings, e.g. {"bdm": {"q": 0.5}}',
    )


def forecast(
    scenario: Scenario,
    model: str | Sequence[str] = "all",
    *,
    rule: RuleSpec | str | None = None,
    issues: str | Sequence[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int | None = 0,
    progress: Progress | None = None,
    procedure: str | None = None,
    interval_draws: int = 0,
) -> ScenarioForecast:
    """Forecast the issues of a scenario with one or more models.

    Forecast every issue (or ``issues``: one id or a list) of ``scenario`` with ``model``
    (see :func:`accord.forecast.forecast`). A model that fails on this input is reported in
    ``result.issues[k].failed`` while the others answer; when none answers, its error is raised.

    Raises:
        UsageError: a wrong argument (type, unknown model or issue, negative seed), or no
            model could forecast the input.
    """
    from accord.forecast import forecast as _forecast
    from accord.limits import check_seed

    names = _names(model, "model", "'all' or model names")
    check_seed(seed, "seed")
    if rule is not None and not isinstance(rule, str) and not hasattr(rule, "kind"):
        raise UsageError(
            f"rule is {type(rule).__name__}",
            field="rule",
            expected="a rule such as 'consensus' or 'qualified-majority:0.65'",
        )
    return _forecast(
        _scenario(scenario),
        names or [],
        rule=rule,
        issues=_names(issues, "issues", "issue ids"),
        params=_params(params),
        seed=seed,
        progress=progress,
        procedure=procedure,
        interval_draws=interval_draws,
    )


__all__ = [
    "AccordError",
    "Scenario",
    "ScenarioError",
    "ScenarioForecast",
    "UsageError",
    "__version__",
    "forecast",
    "get_model",
    "load",
    "model_names",
    "save",
]
