"""Case commands: ``accord derive``, ``accord gaps`` and ``accord programme diff``.

Case commands: ``accord derive`` (formula positions and their calibration), ``accord gaps``
(perception gaps) and ``accord programme diff`` (partnership programmes compared).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.common import (
    FileArg,
    InputsOpt,
    Table,
    TableOrJson,
    load_with_inputs,
    out,
    print_json,
)
from accord.errors import AccordError, UsageError

if TYPE_CHECKING:
    from accord.analysis.calibration import Calibration
    from accord.scenario.schema import Scenario

programme_app = typer.Typer(
    help="Partnership programmes as data.", no_args_is_help=True, rich_markup_mode=None
)

#: The programme file of the Japan-NATO case, used when ``programme diff`` gets no file.
DEFAULT_PROGRAMMES = Path("scenarios") / "japan-nato" / "programmes.yaml"


def register(app: typer.Typer) -> None:
    """Add ``derive``, ``gaps`` and the ``programme`` group to ``app``."""
    app.command("derive")(derive)
    app.command("gaps")(gaps)
    app.add_typer(programme_app, name="programme")


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def derive(
    file: FileArg,
    check: Annotated[
        bool, typer.Option("--check", help="Fail unless the file states what its formulas give.")
    ] = False,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate",
            help="With --write: replace each formula's weights by the fit on the known "
            "positions (formulas with at least two known positions).",
        ),
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Write the derived values (and weights) into FILE.")
    ] = False,
    ridge: Annotated[float, typer.Option(help="Ridge strength of the calibration fit.")] = 0.1,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
) -> None:
    """Recompute formula-derived positions and score each formula against the record.

    Recompute formula-derived positions and report how well each formula reproduces the
    positions known from the record (MAE, leave-one-out).
    """
    from accord.analysis.calibration import calibrate_all
    from accord.scenario import derive as derive_mod
    from accord.scenario.io import load, save

    if calibrate and not write:
        raise UsageError("--calibrate changes the file's weights", expected="--calibrate --write")
    scenario = load(file)
    if not scenario.position_formulas and not scenario.attribute_formulas:
        raise UsageError(
            f"scenario '{scenario.id}' states no formulas",
            file=file.name,
            expected="a 'position_formulas' or 'attribute_formulas' block",
        )
    results = calibrate_all(scenario, ridge=ridge)
    if write:
        if calibrate:
            scenario = _with_fitted_weights(scenario, results)
            results = calibrate_all(scenario, ridge=ridge)
        # Stances coded from the record stay; formula stances are then the ``--inputs
        # formulas`` sensitivity, derived when a command asks for them.
        scenario = derive_mod.apply(scenario, keep_record=True)
        save(scenario, file)
    mismatches = derive_mod.check(scenario, keep_record=True)
    derivation = derive_mod.derive(scenario)
    if fmt is TableOrJson.json:
        print_json(
            {
                "scenario": scenario.id,
                "derived_attributes": len(derivation.attributes),
                "derived_stances": len(derivation.stances),
                "mismatches": [str(m) for m in mismatches],
                "calibration": [c.to_json_dict() for c in results],
                "written": write,
            }
        )
    else:
        table = Table(title=f"Position formulas of '{scenario.id}' (errors in issue units)")
        for column in (
            "formula",
            "issue",
            "known",
            "MAE stated",
            "max error",
            "MAE refit",
            "MAE leave-one-out",
        ):
            table.add_column(column)
        for c in results:
            table.add_row(
                c.formula,
                c.issue,
                ", ".join(c.known) or "-",
                _f(c.mae_stated),
                _f(c.max_error_stated),
                _f(c.mae_fitted),
                _f(c.mae_loo),
            )
        out.print(table)
        out.print(
            f"{len(derivation.attributes)} derived attributes, {len(derivation.stances)} derived "
            f"stances; {'written to ' + str(file) if write else 'file not changed'}"
        )
        if mismatches:
            out.print(f"{len(mismatches)} stated values differ from their formula:")
            for m in mismatches[:20]:
                out.print(f"  {m}", markup=False)
        else:
            out.print("every derived value in the file equals its formula's output")
    if check and mismatches:
        raise AccordError(
            f"{len(mismatches)} stated values differ from their formula; first: {mismatches[0]}",
            file=file.name,
            expected="run 'accord derive FILE --write' to restate them",
        )


def _with_fitted_weights(scenario: Scenario, results: list[Calibration]) -> Scenario:
    """``scenario`` with the fitted weights of every formula that has two known positions."""
    from accord.scenario.schema import Scenario

    fitted = {c.formula: c.fitted for c in results if len(c.known) >= 2}
    formulas = []
    for f in scenario.position_formulas:
        if f.id in fitted:
            params = fitted[f.id]
            f = f.model_copy(
                update={
                    "intercept": round(params["intercept"], 3),
                    "weights": {n: round(params[n], 3) for n in f.inputs},
                }
            )
        formulas.append(f)
    return Scenario.model_validate(
        scenario.model_copy(update={"position_formulas": formulas}).model_dump()
    )


def gaps(
    file: FileArg,
    focal: Annotated[str, typer.Option(help="The actor compared with the alliance.")] = "jpn",
    body: Annotated[str, typer.Option(help="The body whose members form the alliance.")] = "nac",
    clusters: Annotated[int, typer.Option(help="Number of clusters of like-minded allies.")] = 3,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    issue: Annotated[
        list[str] | None,
        typer.Option(
            "--issue",
            "-i",
            help="Issues whose objectors get the rise in threat perception at which they would "
            "acquiesce (repeatable; default: every issue of the body).",
        ),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", "-m", help="Model whose forecast is the proposal.")
    ] = "compromise",
    inputs: InputsOpt = "record",
    elasticity: Annotated[
        float,
        typer.Option(
            help="With --inputs record: share of an objector's salience lost per point of "
            "threat perception of China (assumed; default 1/34)."
        ),
    ] = 1.0 / 34.0,
) -> None:
    """Threat perceptions of China, Russia and North Korea.

    The focal actor's gap to the alliance, the spread inside it, clusters of like-minded allies, and
    for each objector the rise in its threat perception of China at which it would acquiesce, next
    to today's gap.
    """
    from accord.analysis.perception import acquiescence_rises
    from accord.analysis.registry import get_analysis

    shared = get_analysis("gaps")
    params = shared.params.from_options({"focal": focal, "body": body, "clusters": clusters})
    scenario = load_with_inputs(file, inputs)
    result = shared.run(scenario, params, None)
    wanted = issue or [i.id for i in scenario.issues if i.body == body and i.status_quo]
    focal_threat = scenario.actor(focal).attributes.get("threat_china")
    rises = [
        r
        for ident in wanted
        for r in acquiescence_rises(
            scenario, ident, model=model, inputs=inputs, elasticity=elasticity
        )
    ]

    def today(actor: str, now: float | None) -> float | None:
        value = None if focal_threat is None else focal_threat.value
        if now is None or not isinstance(value, int | float) or isinstance(value, bool):
            return None
        return float(value) - now

    acquiescence = [
        {**r.to_json_dict(), "gap_to_focal_now": today(r.actor, r.threat_now)} for r in rises
    ]
    if fmt is TableOrJson.json:
        print_json({**result.to_json_dict(), "inputs": inputs, "acquiescence": acquiescence})
        return
    table = Table(title=f"Threat perception (0-100): '{focal}' against the members of '{body}'")
    for column in ("threat", focal, "alliance mean", "gap", "median", "std", "min", "max"):
        table.add_column(column)
    for k, threat in enumerate(result.threats):
        s = result.spread[threat]
        table.add_row(
            threat,
            _f(result.focal_values[k]),
            _f(result.alliance_mean[k]),
            _f(result.gap[k]),
            _f(s["median"]),
            _f(s["std"]),
            f"{_f(s['min'])} ({s['min_actor']})",
            f"{_f(s['max'])} ({s['max_actor']})",
        )
    out.print(table)
    ctable = Table(title="Clusters of like-minded allies (Ward linkage on the threat profiles)")
    for column in ("cluster", *result.threats, "members"):
        ctable.add_column(column)
    for c in result.clusters:
        ctable.add_row(str(c.label), *(_f(v) for v in c.centroid), ", ".join(c.members))
    out.print(ctable)
    atable = Table(
        title=f"How far must the gap close? Rise in threat perception of China at which each "
        f"objector would acquiesce (--inputs {inputs}), next to its gap to '{focal}' today"
    )
    for column in ("issue", "objector", "threat now", f"gap to {focal} now", "rise needed", "how"):
        atable.add_column(column)
    for row in acquiescence:
        atable.add_row(
            row["issue"],
            row["actor"],
            _f(row["threat_now"]),
            _f(row["gap_to_focal_now"]),
            "none up to 100" if row["rise"] is None else _f(row["rise"]),
            row["method"],
        )
    if acquiescence:
        out.print(atable)
    else:
        out.print("practised procedure: no member objects on " + ", ".join(wanted))
    if result.assumed_share > 0:
        out.print(
            f"{result.assumed_share:.0%} of the alliance's threat values are assumed or derived "
            "from a formula (see the scenario's sources)."
        )


@programme_app.command("diff")
def programme_diff(
    file: Annotated[
        Path | None,
        typer.Argument(help="Programme file (default: scenarios/japan-nato/programmes.yaml)."),
    ] = None,
    from_: Annotated[str, typer.Option("--from", help="Earlier programme id.")] = "IPCP-2020",
    to: Annotated[str, typer.Option("--to", help="Later programme id.")] = "ITPP-2023",
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
) -> None:
    """Compare two partnership programmes.

    Areas added, dropped, kept and unverified, and the issues that depend on each area.
    """
    from accord.programme import diff_programmes, load_programmes

    path = file if file is not None else DEFAULT_PROGRAMMES
    book = load_programmes(path)
    result = diff_programmes(book, from_, to)
    if fmt is TableOrJson.json:
        print_json(result.to_json_dict())
        return
    table = Table(title=f"{result.before} -> {result.after}")
    for column in ("change", "area", "verified", "issues"):
        table.add_column(column)
    for row in result.rows():
        table.add_row(row["change"], row["name"], row["verified"], ", ".join(row["issues"]) or "-")
    out.print(table)
    out.print(result.summary())
