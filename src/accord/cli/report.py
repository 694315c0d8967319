"""``accord montecarlo`` (uncertainty over assumed ranges) and ``accord report`` (the case report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.common import (
    FileArg,
    InputsOpt,
    RuleOpt,
    Table,
    TableOrJson,
    load_with_inputs,
    out,
    print_json,
    progress_bar,
)
from accord.errors import UsageError


def register(app: typer.Typer) -> None:
    """Add ``montecarlo`` and ``report`` to ``app``."""
    app.command("montecarlo")(montecarlo)
    app.command("report")(report)


def _check_draws(draws: int) -> None:
    from accord.limits import DRAWS

    if draws < 1:
        raise UsageError(f"--draws is {draws}", field="--draws", expected="a whole number >= 1")
    DRAWS.check(draws, what=f"--draws {draws:,}", field="--draws")


def montecarlo(
    file: FileArg,
    issue: Annotated[
        list[str] | None,
        typer.Option("--issue", "-i", help="Issue id (repeatable); all by default."),
    ] = None,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Number of draws.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same result.")] = 0,
    model: Annotated[
        str,
        typer.Option("--model", "-m", help="'all', a model name, or a comma list."),
    ] = "compromise,median,bdm",
    rule: RuleOpt = None,
    triangular: Annotated[
        bool,
        typer.Option(
            "--triangular/--uniform",
            help="Draw each input triangular around its stated value (default: uniform).",
        ),
    ] = False,
    top: Annotated[int, typer.Option(help="How many drivers to list per model.")] = 5,
    allowed_draws: Annotated[
        int,
        typer.Option(
            "--allowed-draws",
            help="Issues with several dimensions: compute the outcome the rule allows on the "
            "first N draws only (a slow optimisation per draw).",
        ),
    ] = 30,
    sobol: Annotated[
        int,
        typer.Option(
            help="Also estimate Sobol indices with this base sample size (a power of 2; 0: no)."
        ),
    ] = 0,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    inputs: InputsOpt = "record",
    procedure: Annotated[
        bool,
        typer.Option(
            "--procedure/--no-procedure",
            help="Also run the decision procedure on every draw, with a drawn cost of objecting.",
        ),
    ] = True,
) -> None:
    """Draw every assumed number in its range.

    Pass probability, forecast spread, drivers, and the procedure's outcome (P(passes), P(diluted),
    P(delayed), P(blocked), who objects).
    """
    from accord.analysis.montecarlo import sobol_indices
    from accord.analysis.registry import get_analysis
    from accord.forecast import resolve_models

    analysis = get_analysis("montecarlo")
    values = {
        "model": model,
        "issue": issue,
        "draws": draws,
        "seed": seed,
        "distribution": "triangular" if triangular else "uniform",
        "rule": rule,
        "top": top,
        "allowed_draws": allowed_draws,
        "procedure": procedure,
    }
    params = analysis.params.from_options(values)
    scenario = load_with_inputs(file, inputs)
    names = resolve_models(model)
    with progress_bar("Monte Carlo") as update:
        result = analysis.run(scenario, params, update)
    sobol_results = []
    if sobol:
        with progress_bar("Sobol indices") as update:
            cells = [(i.issue_id, n) for i in result.issues for n in names]
            for done, (issue_id, name) in enumerate(cells, start=1):
                sobol_results.append(sobol_indices(scenario, issue_id, name, base=sobol, seed=seed))
                update(done, len(cells))
    if fmt is TableOrJson.json:
        data = analysis.to_json(result, params)
        if sobol_results:
            data["sobol"] = [s.to_json_dict() for s in sobol_results]
        print_json(data)
        return
    _print_tables(result, top)
    for res in sobol_results:
        table = Table(title=f"Sobol indices: {res.issue_id}, {res.model} ({res.evaluations} runs)")
        table.add_column("input")
        for dim in result.issue(res.issue_id).dimensions:
            table.add_column(f"S1 {dim}")
            table.add_column(f"ST {dim}")
        order = res.st.max(axis=1).argsort()[::-1][: max(top, 1)]
        for j in order:
            row = [res.inputs[j].name]
            for d in range(res.s1.shape[1]):
                row += [f"{res.s1[j, d]:.3f}", f"{res.st[j, d]:.3f}"]
            table.add_row(*row)
        out.print(table)


def _print_tables(result: object, top: int) -> None:
    from accord.analysis.montecarlo import MonteCarloResult, describe_rho

    assert isinstance(result, MonteCarloResult)
    out.print(
        f"Monte Carlo: {result.draws} draws ({result.distribution}), seed {result.seed}, "
        f"scenario '{result.scenario_id}'"
    )
    for item in result.issues:
        sq = "none" if item.status_quo is None else ", ".join(f"{v:g}" for v in item.status_quo)
        table = Table(
            title=f"{item.issue_id} (rule: {item.rule or 'none'}; status quo: {sq}; "
            f"{len(item.inputs)} uncertain inputs)"
        )
        allowed_n = item.models[0].allowed_summary[0].n if item.models else 0
        allowed_head = "allowed median" + (
            f" ({allowed_n} draws)" if allowed_n < result.draws else ""
        )
        for column in ("model", "dimension", "P(pass)", "P(move)", "median", "5-95%", allowed_head):
            table.add_column(column)
        for mu in item.models:
            for d, dim in enumerate(item.dimensions):
                s, a = mu.outcome_summary[d], mu.allowed_summary[d]
                table.add_row(
                    mu.model if d == 0 else "",
                    dim,
                    f"{mu.pass_probability:.3f}" if d == 0 else "",
                    "-"
                    if d > 0 or mu.change_probability is None
                    else f"{mu.change_probability:.3f}",
                    f"{s.quantiles['q50']:.2f}",
                    f"{s.quantiles['q05']:.2f} - {s.quantiles['q95']:.2f}",
                    f"{a.quantiles['q50']:.2f}",
                )
        out.print(table)
        _print_procedure(item, top)
        if not item.inputs or top == 0:
            continue
        drivers = Table(title=f"{item.issue_id}: what drives the forecast (Spearman rho)")
        for column in ("model", "input", "rho (outcome)", "rho (passes)", "strength"):
            drivers.add_column(column)
        for mu in item.models:
            shown = [d for d in mu.drivers if d.importance > 0 or (d.rho_pass or 0.0) != 0.0]
            if not shown:
                drivers.add_row(mu.model, "(the forecast does not vary)", "-", "-", "-")
            for k, drv in enumerate(shown[:top]):
                rho = max(drv.rho, key=abs) if drv.rho else 0.0
                drivers.add_row(
                    mu.model if k == 0 else "",
                    drv.input.name,
                    ", ".join(f"{r:+.2f}" for r in drv.rho),
                    "-" if drv.rho_pass is None else f"{drv.rho_pass:+.2f}",
                    describe_rho(rho),
                )
        out.print(drivers)


def _print_procedure(item: Any, top: int) -> None:
    """The procedure over the draws: outcome probabilities and who objects, how often."""
    rows = [(mu.model, mu.procedure.to_json_dict(top)) for mu in item.models if mu.procedure]
    if not rows:
        return
    cost = rows[0][1]["cost_of_objecting"]
    table = Table(
        title=f"{item.issue_id}: {rows[0][1]['name']} procedure over the draws (cost of objecting "
        f"{cost['value']:g}, drawn in {cost['range'][0]:g}-{cost['range'][1]:g})"
    )
    for column in ("model", "P(passes)", "P(diluted)", "P(delayed)", "P(blocked)", "objects"):
        table.add_column(column)
    for model, data in rows:
        who = ", ".join(f"{a} {p:.0%}" for a, p in list(data["objectors"].items())[: max(top, 1)])
        table.add_row(
            model,
            f"{data['p_passes']:.3f}",
            f"{data['p_diluted']:.3f}",
            f"{data['p_delayed']:.3f}",
            f"{data['p_blocked']:.3f}",
            who or "-",
        )
    out.print(table)


def report(
    file: FileArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for report.html.")],
    draws: Annotated[int, typer.Option("--draws", "-n", help="Monte Carlo draws.")] = 500,
    seed: Annotated[int, typer.Option(help="Seed for the models and the Monte Carlo.")] = 0,
    model: Annotated[
        str, typer.Option("--model", "-m", help="Models to forecast with: 'all' or a comma list.")
    ] = "all",
    mc_model: Annotated[
        str, typer.Option("--mc-model", help="Models for the Monte Carlo (a comma list).")
    ] = "compromise,median,bdm",
    rule: RuleOpt = None,
    allowed_draws: Annotated[
        int,
        typer.Option(
            "--allowed-draws",
            help="Issues with several dimensions: the Monte Carlo computes the outcome the rule "
            "allows on the first N draws only.",
        ),
    ] = 30,
    inputs: InputsOpt = "record",
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Also print the report to report.pdf with Chromium."),
    ] = False,
) -> None:
    """Write one self-contained HTML report of the scenario (works offline), and a PDF."""
    from accord.analysis.case import analyse_case
    from accord.report.case_report import write_case_report

    _check_draws(draws)
    _check_output(output)
    if pdf:
        from accord.report.pdf import chromium_executable

        chromium_executable()  # fail before the long computation
    scenario = load_with_inputs(file, inputs)
    with progress_bar("report") as update:
        data = analyse_case(
            scenario,
            models=model,
            mc_models=mc_model,
            draws=draws,
            seed=seed,
            rule=rule,
            source=file,
            progress=update,
            allowed_draws=allowed_draws,
        )
    path = write_case_report(data, output, pdf=pdf)
    out.print(f"report: {path}" + (f" and {path.with_suffix('.pdf')}" if pdf else ""))


def _check_output(folder: Path) -> None:
    """Refuse an output folder we cannot write, before any long computation."""
    import os

    if folder.exists() and not folder.is_dir():
        raise UsageError(
            f"output '{folder}' is a file", field="--output", expected="a folder to write into"
        )
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot write to '{folder}' ('{probe}' is not writable)",
            field="--output",
            expected="a folder you can write to",
        )
