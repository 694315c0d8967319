"""The one analysis registry behind the CLI and the web (accord.analysis.registry, issue 17)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accord.analysis import registry
from accord.errors import UsageError
from accord.scenario.io import load

ROOT = Path(__file__).parents[2]
EMISSION = ROOT / "scenarios" / "emission-standards.yaml"
JAPAN = ROOT / "scenarios" / "japan-nato" / "scenario.yaml"


def test_the_registry_holds_what_the_cli_and_the_web_both_run() -> None:
    assert registry.analysis_names() == ["forecast", "deadlock", "gaps", "montecarlo"]
    from accord.web.schemas import AnalysisIn

    kinds = AnalysisIn.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
    assert set(kinds) <= set(registry.analysis_names())
    with pytest.raises(UsageError, match=r"unknown analysis 'oracle'.*forecast, deadlock"):
        registry.get_analysis("oracle")


@pytest.mark.parametrize("name", ["forecast", "deadlock", "gaps", "montecarlo"])
def test_params_are_typed_frozen_and_strict(name: str) -> None:
    cls = registry.get_analysis(name).params
    default = cls.from_mapping({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        default.seed = 1  # type: ignore[attr-defined]
    with pytest.raises(UsageError, match=f"{name}: unknown parameter 'nope'"):
        cls.from_mapping({"nope": 1})
    assert cls.from_mapping({"nope": 1}, ignore_unknown=True) == default
    json.dumps(default.as_dict())


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("forecast", {"model": "oracle"}, "unknown model 'oracle'"),
        ("forecast", {"seed": "1"}, "forecast: seed is '1'"),
        ("forecast", {"interval_draws": -1}, "interval_draws is -1"),
        ("forecast", {"issue": [1]}, "issue is \\[1\\]"),
        ("deadlock", {"model": "all"}, "deadlock: model is 'all'"),
        ("gaps", {"clusters": 0}, "gaps: clusters is 0"),
        ("montecarlo", {"draws": 0}, "montecarlo: draws is 0"),
        ("montecarlo", {"draws": True}, "draws is True"),
        ("montecarlo", {"draws": 10**9}, "draws"),
        ("montecarlo", {"top": -1}, "top is -1"),
        ("montecarlo", {"distribution": "normal"}, "distribution is 'normal'"),
        ("montecarlo", {"procedure": "yes"}, "procedure is 'yes'"),
    ],
)
def test_bad_values_are_one_line_usage_errors(
    name: str, values: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        registry.get_analysis(name).params.from_mapping(values)


def test_form_says_which_fields_models_and_ids_are_valid() -> None:
    from accord.models.registry import model_names

    scenario = load(JAPAN)
    data = registry.form(scenario)
    json.dumps(data)
    by_name = {a["name"]: {f["name"]: f for f in a["fields"]} for a in data["analyses"]}
    assert list(by_name) == registry.analysis_names()
    assert by_name["forecast"]["model"]["choices"] == ["all", *model_names()]
    assert by_name["deadlock"]["model"]["choices"] == list(model_names())
    assert by_name["deadlock"]["model"]["default"] == "compromise"
    assert by_name["deadlock"]["issue"]["choices"] == [i.id for i in scenario.issues]
    assert by_name["gaps"]["focal"]["choices"] == [a.id for a in scenario.actors]
    assert by_name["gaps"]["body"]["choices"] == [b.id for b in scenario.bodies]
    assert by_name["montecarlo"]["distribution"]["choices"] == ["uniform", "triangular"]
    assert by_name["montecarlo"]["draws"] == {
        "name": "draws",
        "kind": "int",
        "default": 1000,
        "help": "number of draws",
        "choices": None,
    }
    assert "params" not in by_name["forecast"]  # per-model parameters are not a form field
    # Without a scenario the ids are free input; the models are still listed.
    free = {a["name"]: {f["name"]: f for f in a["fields"]} for a in registry.form()["analyses"]}
    assert free["deadlock"]["issue"]["choices"] is None
    assert free["montecarlo"]["model"]["choices"] == ["all", *model_names()]


def test_compute_equals_the_analyses_called_directly() -> None:
    from accord.analysis.deadlock import analyse_deadlock
    from accord.analysis.gaps import perception_gaps
    from accord.analysis.montecarlo import monte_carlo
    from accord.forecast import forecast

    emission, japan = load(EMISSION), load(JAPAN)
    fc = forecast(emission, "compromise,median")
    got = registry.compute("forecast", emission, {"model": "compromise,median"})
    assert got["table"] == json.loads(fc.to_frame().to_json(orient="records"))
    assert {k: v for k, v in got.items() if k != "table"} == fc.to_json_dict()
    first_with_sq = next(i.id for i in japan.issues if i.status_quo is not None)
    assert (
        registry.compute("deadlock", japan, {})
        == analyse_deadlock(japan, first_with_sq, model="compromise").to_json_dict()
    )
    assert registry.compute("gaps", japan, {}) == perception_gaps(japan).to_json_dict()
    mc = monte_carlo(emission, "compromise,median", draws=40, seed=3)
    values = {"model": "compromise,median", "draws": 40, "seed": 3}
    assert registry.compute("montecarlo", emission, values) == mc.to_json_dict()
    seen: list[tuple[int, int]] = []
    registry.compute(
        "forecast",
        emission,
        {"issue": "delay", "model": "median"},
        lambda d, t: seen.append((d, t)),
    )
    assert seen and seen[-1][0] == seen[-1][1]


def test_cli_montecarlo_json_is_the_registry_result(run_cli: Callable[..., Any]) -> None:
    """The CLI and the registry give the same JSON (the CLI only adds its defaults: top 5)."""
    models = "compromise,median"
    done = run_cli("montecarlo", EMISSION, "-n", "30", "-f", "json", "-m", models)
    assert done.code == 0, done.stderr
    values = {"draws": 30, "top": 5, "model": models}
    assert json.loads(done.stdout) == registry.compute("montecarlo", load(EMISSION), values)
