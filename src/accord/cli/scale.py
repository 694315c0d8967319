"""``accord sweep`` and ``accord sensitivity``: parameter sweeps on Dask, Sobol/Morris indices."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import FileArg, Table, TableOrJson, out, print_json, progress_bar
from accord.errors import UsageError


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``sensitivity`` to ``app``."""
    app.command("sweep")(sweep)
    app.command("sensitivity")(sensitivity)


def _load(file: Path) -> object:
    from accord.scenario.io import load_all

    if not file.is_file():
        raise UsageError(f"no such file: {file}", field="FILE", expected="a scenario file")
    return load_all(file)[0]


def sweep(
    file: FileArg,
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="PARAM=V1,V2,... ('model' picks models; others are model "
            "parameters). Repeat for a Cartesian product.",
        ),
    ],
    draws: Annotated[int, typer.Option(help="Monte Carlo draws per point and issue.")] = 100,
    scheduler: Annotated[
        str, typer.Option(help="local (LocalCluster), sync (no Dask) or tcp://HOST:PORT.")
    ] = "local",
    out_dir: Annotated[Path, typer.Option("--out", help="Parquet output folder.")] = Path("sweep"),
    model: Annotated[str, typer.Option(help="Model when --vary has no 'model'.")] = "compromise",
    workers: Annotated[int, typer.Option(help="Worker processes of the LocalCluster.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the draws.")] = 0,
) -> None:
    """Run a model over every combination of the varied parameters and write Parquet.

    Every point and issue is one task with a deterministic id; its rows go to
    OUT/part-<id>.parquet. Rerunning the same command resumes: finished parts are skipped.
    Query with DuckDB: SELECT * FROM read_parquet('OUT/part-*.parquet').
    """
    from accord.scale.sweep import parse_vary, run_sweep
    from accord.scenario.schema import Scenario

    scenario = _load(file)
    assert isinstance(scenario, Scenario)
    with progress_bar("sweep") as update:
        res = run_sweep(
            scenario,
            parse_vary(vary),
            out_dir,
            draws=draws,
            seed=seed,
            model=model,
            scheduler=scheduler,
            workers=workers,
            progress=update,
        )
    out.print(
        f"{res.total} tasks: {res.computed} computed, {res.skipped} already done; "
        f"Parquet in {res.out}"
    )


def sensitivity(
    file: FileArg,
    issue: Annotated[str | None, typer.Option(help="Issue id (default: the first).")] = None,
    model: Annotated[str, typer.Option(help="Model name.")] = "compromise",
    method: Annotated[str, typer.Option(help="sobol or morris.")] = "sobol",
    n: Annotated[int, typer.Option("--n", help="Base sample size (Sobol) or trajectories.")] = 64,
    dimension: Annotated[int, typer.Option(help="Dimension (1-based).")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the sampler and the bootstrap.")] = 0,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    chart: Annotated[Path | None, typer.Option(help="Write the bar chart (SVG) here.")] = None,
    distribution: Annotated[
        str, typer.Option(help="uniform or triangular (mode at the stated value).")
    ] = "uniform",
) -> None:
    """Sobol or Morris indices of a model's forecast over every input with a range."""
    from accord.report.charts import sensitivity_chart
    from accord.scale.sensitivity import sensitivity as analyse
    from accord.scale.uncertainty import DISTRIBUTIONS
    from accord.scenario.schema import Scenario

    scenario = _load(file)
    assert isinstance(scenario, Scenario)
    issue_id = issue if issue is not None else scenario.issues[0].id
    if distribution not in DISTRIBUTIONS:
        raise UsageError(
            f"unknown distribution '{distribution}'",
            field="--distribution",
            expected=" or ".join(DISTRIBUTIONS),
        )
    res = analyse(
        scenario,
        issue_id,
        model,
        method,
        n,
        seed,
        dimension - 1,
        distribution="triangular" if distribution == "triangular" else "uniform",
    )
    if chart is not None:
        from accord.files import write_atomic  # loaded when writing (tempfile): a faster start

        write_atomic(chart, sensitivity_chart(res))
    if fmt is TableOrJson.json:
        print_json(res.as_dict())
        return
    table = Table(title=f"{res.method} indices: {res.model} on {res.issue} ({res.runs} runs)")
    table.add_column("factor")
    for key in res.indices:
        table.add_column(key, justify="right")
    for i, name in enumerate(res.factors):
        table.add_row(name, *(f"{res.indices[k][i]:.3f}" for k in res.indices))
    out.print(table)
