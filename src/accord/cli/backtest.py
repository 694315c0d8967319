"""``accord backtest``: score the models against real decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import Table, TableOrJson, out, print_json, progress_bar
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
    procedure: Annotated[
        str,
        typer.Option(
            help="Procedure of --rule-aware: practised (fitted EU costs) or strict (the winset)."
        ),
    ] = "practised",
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
            file,
            names,
            capability=capability,
            rule_aware=rule_aware,
            seed=seed,
            progress=update,
            procedure=procedure,
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
        "cover80",
        "width80",
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
            _fmt(row.get("coverage80")),
            "-" if row.get("width80") is None else f"{row['width80']:.1f}",
        )
    out.print(table)
    out.print(data["cleaning"])
    note = data.get("calibration")
    if note:
        out.print(
            f"80% sets calibrated on {note['fitted_on']} ({note['rule']}); "
            f"{note['scored_out_of_fold']} issues scored out of fold; {note['width']}"
        )
    for name, row in data.get("rule_aware_vs_free", {}).items():
        ci = row["ci"]
        interval = "-" if ci is None else f"[{ci[0]:+.2f}, {ci[1]:+.2f}]"
        out.print(
            f"{name}: rule-aware ({data['procedure']}) minus free MAE {row['mae_diff']:+.2f} "
            f"{interval} (paired bootstrap by proposal)"
        )


@backtest_app.command("record")
def backtest_record(
    path: Annotated[
        Path, typer.Argument(help="A scenario file, or a folder of them, with issue records.")
    ],
    model: Annotated[
        str, typer.Option("--model", "-m", help="The model whose forecast is the proposal.")
    ] = "compromise",
    procedure: Annotated[
        str | None,
        typer.Option(help="strict or practised (default: each file's, else practised)."),
    ] = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
) -> None:
    """Compare the decision procedure's outcome with the record, issue by issue.

    Per case the predicted and recorded outcome, the value error and the objectors; overall the
    outcome hit rate (exact class), objector precision and recall, and the naive baseline
    "everything passes" (see docs/accuracy.md).
    """
    from accord.analysis.record_backtest import format_rate, run_record_backtest
    from accord.forecast import resolve_models

    names = resolve_models(model)
    if len(names) != 1:
        raise UsageError(
            f"--model names {len(names)} models", field="--model", expected="one model name"
        )
    data = run_record_backtest(path, names[0], procedure=procedure, seed=seed)
    if fmt is TableOrJson.json:
        print_json(data)
        return
    table = Table(title=f"record backtest of {path} ({names[0]}, procedure {data['procedure']})")
    for column in ("case", "predicted", "recorded", "hit", "value error", "objectors", "recorded"):
        table.add_column(column)
    for row in data["cases"]:
        table.add_row(
            row["id"],
            row["predicted"],
            row["recorded"],
            "yes" if row["hit"] else "no",
            _fmt(row["value_error"]),
            ", ".join(row["objectors_predicted"]) or "-",
            ", ".join(row["objectors_recorded"]) or "-",
        )
    out.print(table)
    out.print(
        f"{data['n']} cases: outcome hit rate {format_rate(data['outcome_hit_rate'])} "
        f"(everything passes: {format_rate(data['naive_hit_rate'])}); adopted or not "
        f"{format_rate(data['coarse_hit_rate'])} "
        f"(everything passes: {format_rate(data['naive_coarse_hit_rate'])}); balanced accuracy "
        f"{format_rate(data['balanced_accuracy'])}; objector precision "
        f"{format_rate(data['objector_precision'])}, recall "
        f"{format_rate(data['objector_recall'])}; value MAE {_fmt(data['value_mae'])}"
    )
    for item in data["skipped"]:
        out.print(f"skipped {item['id']}: {item['reason']}")
