"""The registry of forecasting models, by name.

Each entry names the module that defines ``SPEC`` (a :class:`~accord.models.base.ModelSpec`). The
list is explicit, not discovered, so that type checkers, the docs and the tests all see the same
set; modules are imported on first use so that ``accord --help`` stays fast.
"""

from __future__ import annotations

import importlib

from accord.errors import UsageError
from accord.models.base import ModelSpec, ScenarioModel

MODEL_MODULES: dict[str, str] = {
    "compromise": "accord.models.compromise",
    "median": "accord.models.median",
    "nash": "accord.models.nash",
    "bdm": "accord.models.bdm",
    "smp": "accord.models.smp",
    "exchange": "accord.models.exchange",
    "agenda_pull": "accord.models.agenda_pull",
}


def model_names() -> list[str]:
    """Names of all registered models, in registry order."""
    return list(MODEL_MODULES)


def get_model(name: str) -> ModelSpec:
    """Return the :class:`ModelSpec` registered as ``name``; unknown names are a usage error."""
    try:
        module_name = MODEL_MODULES[name]
    except KeyError:
        raise UsageError(
            f"unknown model '{name}'", expected="one of " + ", ".join(MODEL_MODULES)
        ) from None
    spec = importlib.import_module(module_name).SPEC
    if not isinstance(spec, ModelSpec) or spec.name != name:
        raise RuntimeError(f"{module_name}.SPEC is not the ModelSpec for '{name}'")
    return spec


def get_scenario_model(name: str) -> ScenarioModel | None:
    """The cross-issue contract of a model, if it has one.

    The cross-issue contract of model ``name`` (its module's ``SCENARIO``), or ``None`` for a
    model that works one issue at a time.
    """
    get_model(name)
    scenario_model = getattr(importlib.import_module(MODEL_MODULES[name]), "SCENARIO", None)
    if scenario_model is not None and not isinstance(scenario_model, ScenarioModel):
        raise RuntimeError(f"{MODEL_MODULES[name]}.SCENARIO is not a ScenarioModel")
    return scenario_model
