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
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.errors import AccordError, ScenarioError, UsageError

if TYPE_CHECKING:
    from accord.forecast import ScenarioForecast, forecast
    from accord.models.registry import get_model, model_names
    from accord.scenario.schema import Scenario

__version__ = "0.1.0"

#: Names loaded on first use (PEP 562), so that ``import accord`` (and ``accord --help``, which
#: imports the package) does not load NumPy, pydantic and the models.
_LAZY = {
    "ScenarioForecast": "accord.forecast",
    "forecast": "accord.forecast",
    "get_model": "accord.models.registry",
    "model_names": "accord.models.registry",
    "Scenario": "accord.scenario.schema",
}


class _Package(types.ModuleType):
    """The package's module type: importing the submodule :mod:`accord.forecast` would bind it
    as ``accord.forecast``, hiding the lazily loaded function of that name; this keeps the
    function (the submodule stays reachable through ``sys.modules`` and ``from ... import``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "forecast" and isinstance(value, types.ModuleType):
            value = value.forecast
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'accord' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def load(path: str | Path) -> Scenario:
    """Load and validate one scenario from YAML or any supported import format (by content)."""
    from accord.scenario.io import load as _load

    return _load(Path(path))


def save(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` as accord YAML, atomically."""
    from accord.scenario.io import save as _save

    _save(scenario, Path(path))


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
