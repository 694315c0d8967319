"""``accord panel``: expert panels (docs/panel.md).

* ``template SCENARIO -o DIR [--issue ID]... [--expert NAME]... [--format csv|xlsx|both]``
* ``merge SCENARIO SHEET... -o OUT.yaml [--aggregate median|mean|trimmed] [--weights confidence]``
* ``stats SCENARIO SHEET... [--format table|json] [--outlier X] [--top K]``
* ``montecarlo SCENARIO SHEET... --issue ID [--draws N] [--seed S] [--model M] [--format ...]``
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import FileArg, Table, TableOrJson, out, print_json
from accord.errors import UsageError

panel_app = typer.Typer(
    help="Expert panels: sheets to fill, merge with the spread kept, agreement, Monte Carlo "
    "by expert.",
    no_args_is_help=True,
)

SheetsArg = Annotated[list[Path], typer.Argument(help="Filled sheets (.csv or .xlsx).")]


def register(app: typer.Typer) -> None:
    """Add the ``panel`` command group to ``app``."""
    app.add_typer(panel_app, name="panel")


def _fmt(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


@panel_app.command("template")
def template(
    file: FileArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the sheets.")],
    issue: Annotated[
        list[str] | None, typer.Option("--issue", "-i", help="Issue id (repeatable; default all).")
    ] = None,
    expert: Annotated[
        list[str] | None,
        typer.Option("--expert", "-e", help="Write one named sheet per expert (repeatable)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx or both.")] = "both",
) -> None:
    """Write the sheet an expert fills (CSV and XLSX), pre-filled with the scenario's values."""
    from accord.panel.sheets import _ID
    from accord.panel.template import write_template
    from accord.scenario.io import load

    formats = {"csv": ("csv",), "xlsx": ("xlsx",), "both": ("csv", "xlsx")}.get(fmt)
    if formats is None:
        raise UsageError(f"unknown format '{fmt}'", field="--format", expected="csv, xlsx or both")
    for name in expert or []:
        if not _ID.match(name):
            raise UsageError(
                f"expert id '{name}' is not valid",
                field="--expert",
                expected="letters, digits, '_', '.', '-', starting with a letter or digit",
            )
    scenario = load(file)
    for path in write_template(scenario, output, issue, expert or [], formats):
        out.print(f"wrote {path}")


@panel_app.command("merge")
def merge(
    file: FileArg,
    sheets: SheetsArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The merged scenario (YAML).")],
    aggregate: Annotated[
        str, typer.Option("--aggregate", "-a", help="median, mean or trimmed.")
    ] = "median",
    weights: Annotated[
        str | None, typer.Option("--weights", "-w", help="'confidence' to weigh by it.")
    ] = None,
) -> None:
    """Merge filled sheets into the scenario: aggregate, [min, max] range, elicited values."""
    from accord.panel.merge import merge_panel
    from accord.panel.sheets import read_panel
    from accord.scenario.io import load
    from accord.scenario.yaml_io import save_yaml

    scenario = load(file)
    panel = read_panel(sheets, scenario)
    merged = merge_panel(scenario, panel, aggregate, weights or "equal")
    save_yaml(merged, output)
    out.print(
        f"wrote {output}: {len(panel.answers)} answers from {len(panel.experts)} experts "
        f"({', '.join(panel.experts)}), aggregate {aggregate}"
    )


@panel_app.command("stats")
def stats(
    file: FileArg,
    sheets: SheetsArg,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    outlier: Annotated[
        float,
        typer.Option(help="Flag an expert this many times further from the panel than the rest."),
    ] = 1.5,
    top: Annotated[int, typer.Option(help="How many cells of largest disagreement.")] = 10,
) -> None:
    """Spread (IQR, range), Krippendorff's alpha (interval), outlying experts."""
    from accord.panel.sheets import read_panel
    from accord.panel.stats import panel_stats
    from accord.scenario.io import load

    if not outlier > 1:
        raise UsageError(f"--outlier is {outlier}", field="--outlier", expected="a ratio > 1")
    if top < 1:
        raise UsageError(f"--top is {top}", field="--top", expected="a whole number >= 1")
    scenario = load(file)
    result = panel_stats(scenario, read_panel(sheets, scenario), outlier, top)
    if fmt is TableOrJson.json:
        print_json(result.to_json_dict())
        return
    out.print(
        f"panel for '{result.scenario_id}': {len(result.experts)} experts; Krippendorff's alpha "
        f"(interval): positions {_fmt(result.alpha_positions)}, saliences "
        f"{_fmt(result.alpha_saliences)}"
    )
    table = Table(title="Agreement per issue (Krippendorff's alpha, interval)")
    for col in ("issue", "positions", "saliences"):
        table.add_column(col)
    for issue_id, a in result.by_issue.items():
        table.add_row(issue_id, _fmt(a["positions"]), _fmt(a["saliences"]))
    out.print(table)
    table = Table(title="Experts")
    for col in ("expert", "answers", "mean distance", "alpha without", "outlying"):
        table.add_column(col)
    for e in result.expert_agreement:
        table.add_row(
            e.expert,
            str(e.answers),
            _fmt(e.distance),
            _fmt(e.alpha_without),
            "yes" if e.outlying else "no",
        )
    out.print(table)
    table = Table(title="Largest disagreements (first questions for a second round)")
    for col in ("actor", "quantity", "issue/dimension", "median", "IQR", "range", "answers"):
        table.add_column(col)
    for s in result.largest_disagreements():
        where = f"{s['issue']}/{s['dimension']}" if s["issue"] else "-"
        answers = ", ".join(f"{k} {v:g}" for k, v in s["values"].items())
        table.add_row(
            s["actor"],
            s["quantity"],
            where,
            f"{s['median']:g}",
            f"{s['iqr']:g}",
            f"{s['min']:g}-{s['max']:g}",
            answers,
        )
    out.print(table)


@panel_app.command("montecarlo")
def montecarlo(
    file: FileArg,
    sheets: SheetsArg,
    issue: Annotated[str, typer.Option("--issue", "-i", help="Issue id.")],
    draws: Annotated[int, typer.Option(help="Number of draws (spread over the experts).")] = 300,
    seed: Annotated[int, typer.Option(help="Seed.")] = 0,
    model: Annotated[
        str, typer.Option("--model", "-m", help="Comma list of models.")
    ] = "compromise,median,bdm",
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
) -> None:
    """Monte Carlo by expert.

    Each draw takes one expert's whole sheet; how much of the forecast's spread comes from the
    experts' disagreement.
    """
    from accord.analysis.panel_draws import expert_monte_carlo
    from accord.models.registry import get_model
    from accord.panel.sheets import read_panel
    from accord.scenario.io import load

    models = [m.strip() for m in model.split(",") if m.strip()]
    for name in models:
        get_model(name)
    scenario = load(file)
    panel = read_panel(sheets, scenario)
    result = expert_monte_carlo(scenario, panel, issue, models, draws=draws, seed=seed)
    if fmt is TableOrJson.json:
        print_json(result.to_json_dict())
        return
    out.print(
        f"{result.issue_id}: {result.draws} draws over {len(result.experts)} experts "
        f"({result.panel_inputs} numbers from the panel, {result.range_inputs} other ranges)"
    )
    for m in result.models:
        table = Table(title=f"{m.model}: P(passes) {m.pass_probability:.2f}")
        for col in ("dimension", "mean", "5-95%", "sd", "from disagreement"):
            table.add_column(col)
        for d, dim in enumerate(result.dimensions):
            share = m.between_share[d]
            table.add_row(
                dim,
                f"{m.mean[d]:.2f}",
                f"{m.quantiles[d][0]:.1f}-{m.quantiles[d][2]:.1f}",
                f"{m.total_variance[d] ** 0.5:.2f}",
                "-" if share is None else f"{100 * share:.0f}%",
            )
        out.print(table)
        table = Table(title=f"{m.model} by expert")
        for col in ("expert", "draws", "mean", "sd", "P(passes)"):
            table.add_column(col)
        for e in m.experts:
            table.add_row(
                e.expert,
                str(e.draws),
                ", ".join(f"{v:.2f}" for v in e.mean),
                ", ".join(f"{v:.2f}" for v in e.sd),
                f"{e.pass_probability:.2f}",
            )
        out.print(table)
