"""``accord backtest``: score the models against real decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import TableOrJson, out, print_json, progress_bar
from accord.errors import UsageError

backtest_app = typer.Typer(
    help="Backtest the models on real decisions.", no_args_is_help=True, rich_markup_mode=None
)

CAPABILITY_HELP = (
    "council-votes, council-votes-accession, population, equal, power-shapley-shubik or "
    "power-banzhaf (see docs/backtest.md)."
)


def register(app: typer.Typer) -> None:
    """Add the ``backtest`` command group to ``app``."""
    app.add_typer(backtest_app, name="backtest")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@backtest_app.command("deu")
def backtest_deu(
    file: Annotated[Path, typer.Argument(help="DEU TSV file (e.g. deu3_dev.tsv).")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="'all', a model name, or a comma list.")
    ] = "all",
    capability: Annotated[str, typer.Option(help=CAPABILITY_HELP)] = "council-votes",
    rule_aware: Annotated[
        bool, typer.Option("--rule-aware/--no-rule-aware", help="Constrain by the Council rule.")
    ] = False,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models and the bootstrap.")] = 0,
    replicates: Annotated[
        int, typer.Option(help="Bootstrap replicates (resampling proposals).")
    ] = 2000,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write backtest.html and backtest.json into this folder."),
    ] = None,
) -> None:
    """Score every model against the outcomes of EU legislative decisions (DEU).

    Reports MAE, RMSE and hit rates (|error| <= 5 and <= 10) per model with bootstrap intervals
    resampled by proposal, the same split by Council rule, procedure and number of actors, and
    paired comparisons of the models (paired bootstrap of the MAE difference by proposal).
    """
    from accord.analysis.backtest import run_backtest
    from accord.forecast import resolve_models

    if not file.is_file():
        raise UsageError(f"no such file: {file}", field="FILE", expected="a DEU TSV file")
    if replicates < 10:
        raise UsageError(
            f"--replicates {replicates} is too few", field="--replicates", expected=">= 10"
        )
    names = resolve_models(model)
    with progress_bar("backtesting") as update:
        result = run_backtest(
            file, names, capability=capability, rule_aware=rule_aware, seed=seed, progress=update
        )
    data = result.to_json_dict(replicates=replicates)
    if report is not None:
        from accord.analysis.backtest_stats import scored
        from accord.report.backtest_report import write_report

        errors = {name: scored(result.errors, name)["error"].tolist() for name in result.models}
        path = write_report(report, data, errors, f"DEU backtest of {file.name}")
        if fmt is not TableOrJson.json:
            out.print(f"report: {path}")
    if fmt is TableOrJson.json:
        print_json(data)
        return
    table = Table(title=f"DEU backtest of {file.name} (0-100 scale, 95% CI by proposal)")
    for column in (
        "model",
        "n",
        "MAE",
        "MAE CI",
        "RMSE",
        "hit<=5",
        "hit<=10",
        "MAE QMV",
        "MAE unan.",
    ):
        table.add_column(column)
    for name, row in data["models"].items():
        ci = row["ci"]["mae"]
        table.add_row(
            name,
            str(row["n"]),
            _fmt(row["mae"]),
            "-" if ci is None else f"{ci[0]:.2f}-{ci[1]:.2f}",
            _fmt(row["rmse"]),
            _fmt(row["hit5"]),
            _fmt(row["hit10"]),
            _fmt(row["mae_qmv"]),
            _fmt(row["mae_unanimity"]),
        )
    out.print(table)
    out.print(data["cleaning"])
