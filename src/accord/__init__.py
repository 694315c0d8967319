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
