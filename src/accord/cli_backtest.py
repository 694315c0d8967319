"""``accord backtest``: score the models against real decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli_common import TableOrJson, out, print_json, progress_bar
from accord.errors import UsageError

backtest_app = typer.Typer(help="Backtest the models on real decisions.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``backtest`` command group to ``app``."""
    app.add_typer(backtest_app, name="backtest")


@backtest_app.command("deu")
def backtest_deu(
    file: Annotated[Path, typer.Argument(help="DEU TSV file (e.g. deu3_dev.tsv).")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="'all', a model name, or a comma list.")
    ] = "all",
    capability: Annotated[
        str, typer.Option(help="council-votes, population or equal.")
    ] = "council-votes",
    rule_aware: Annotated[
        bool, typer.Option("--rule-aware/--no-rule-aware", help="Constrain by the Council rule.")
    ] = False,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
) -> None:
    """Score every model against the outcomes of EU legislative decisions (DEU)."""
    from accord.analysis.backtest import run_backtest
    from accord.forecast import resolve_models

    if not file.is_file():
        raise UsageError(f"no such file: {file}", field="FILE", expected="a DEU TSV file")
    names = resolve_models(model)
    with progress_bar("backtesting") as update:
        result = run_backtest(
            file, names, capability=capability, rule_aware=rule_aware, seed=seed, progress=update
        )
    data = result.to_json_dict()
    if fmt is TableOrJson.json:
        print_json(data)
        return
    table = Table(title=f"DEU backtest of {file.name} (MAE on the 0-100 scale)")
    for column in ("model", "n", "MAE", "RMSE", "MAE QMV", "MAE unanimity"):
        table.add_column(column)
    for name, row in data["models"].items():
        table.add_row(
            name,
            str(row["n"]),
            *(
                f"{row[k]:.2f}" if row[k] is not None else "-"
                for k in ("mae", "rmse", "mae_qmv", "mae_unanimity")
            ),
        )
    out.print(table)
    out.print(data["cleaning"])
