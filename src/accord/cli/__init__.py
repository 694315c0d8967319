"""The ``accord`` command line (Typer).

Every command reads input through :mod:`accord.scenario.io`, computes through the same functions
as the Python API, and prints a table (default), JSON (a stable contract) or CSV. Input errors
are printed as one clear line on stderr with exit code 2; no traceback reaches the user.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.common import (
    FileArg,
    Format,
    InputsOpt,
    RuleOpt,
    Table,
    TableOrJson,
    err,
    fmt_values,
    headline,
    load_with_inputs,
    naming,
    out,
    print_error,
    print_json,
    progress_bar,
)
from accord.errors import AccordError, UsageError

app = typer.Typer(
    rich_markup_mode=None,  # plain help: typer.rich_utils would add 0.35 s to every start
    name="accord",
    help="Forecast what a group of states can agree on, who blocks, and what would unblock it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def validate(file: FileArg) -> None:
    """Check a scenario file and say what it holds."""
    from accord.scenario.io import load_all

    for scenario in load_all(file):
        issues = ", ".join(i.id for i in scenario.issues)
        out.print(
            f"OK {file}: scenario '{scenario.id}', {len(scenario.actors)} actors, issues: {issues}"
        )


_FORECAST_CELLS: dict[str, Callable[[Any], str]] = {
    "model": lambda fc: str(fc.model),
    "outcome": lambda fc: fmt_values(fc.outcome),
    "allowed": lambda fc: fmt_values(fc.allowed_outcome),
    "passes": lambda fc: "yes" if fc.passes else "no",
    "blockers": lambda fc: ", ".join(fc.blockers) or "-",
    "rounds": lambda fc: str(fc.run.n_rounds),
    "procedure": lambda fc: _procedure_cell(fc),
    "80% interval": lambda fc: _interval_cell(fc),
}


def _procedure_cell(fc: Any) -> str:
    """The procedure's outcome, its value when it differs from the forecast, and who objects."""
    result = fc.procedure
    if result is None:
        return "passes"
    text = str(result.outcome)
    if result.outcome in ("diluted", "delayed", "blocked"):
        text += f" at {fmt_values(result.value)}"
    ids = fc.procedure_members
    for label, idx in (("objectors", result.objectors), ("opt-outs", result.opt_outs)):
        if idx:
            text += f"; {label}: " + ", ".join(ids[i] for i in idx)
    if result.reservations:
        text += f"; {len(result.reservations)} reserve"
    return text


def record_line(record: Any) -> str:
    """One line saying what the record holds for an issue (``accord forecast`` tables)."""
    text = f"record: {record.outcome}"
    values = record.values()
    if values is not None:
        text += f" at {fmt_values(values)}"
    for label, ids in (
        ("objectors", record.objectors),
        ("reservations", record.reservations),
        ("opt-outs", record.opt_outs),
    ):
        if ids:
            text += f"; {label}: " + ", ".join(ids)
    if record.date is not None:
        text += f" ({record.date.isoformat()})"
    return text + f"; source: {record.source}"


def _interval_cell(fc: Any) -> str:
    """The 80% set of the forecast (docs/calibration.md): ``lo-hi (+0, 100)`` or ``-``."""
    from accord.intervals.shipped import format_interval

    return format_interval((fc.intervals or {}).get("interval"))


def _forecast_table(
    title: str, forecasts: Sequence[Any], columns: Sequence[str], failed: Sequence[Any] = ()
) -> Table:
    """One issue's forecasts as a table with the named columns (keys of ``_FORECAST_CELLS``)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for fc in forecasts:
        table.add_row(*(_FORECAST_CELLS[column](fc) for column in columns))
    for failure in failed:  # a model that could not answer: its error in the outcome column
        cells = [failure.model, f"error: {failure.error}"] + ["-"] * (len(columns) - 2)
        table.add_row(*cells)
    return table


@app.command()
def forecast(
    file: FileArg,
    model: Annotated[
        str, typer.Option("--model", "-m", help="'all', a model name, or a comma list.")
    ] = "all",
    rule: RuleOpt = None,
    issue: Annotated[
        list[str] | None, typer.Option("--issue", "-i", help="Issue id (repeatable).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Model parameter MODEL.NAME=VALUE (repeatable)."),
    ] = None,
    procedure: Annotated[
        str | None,
        typer.Option(
            "--procedure",
            help="Decision procedure: strict or practised (default: the file's, else practised).",
        ),
    ] = None,
    inputs: InputsOpt = "record",
    interval_draws: Annotated[
        int,
        typer.Option(
            help="Monte Carlo draws of the uncalibrated interval outside the calibration "
            "domain (0: none; docs/calibration.md)."
        ),
    ] = 100,
) -> None:
    """Forecast each issue with one or all models, under the issue's decision rule.

    Each forecast carries an 80% interval: calibrated on EU decisions (DEU) for EU legislative
    issues on a 0-100 scale, otherwise a Monte Carlo interval over the assumed ranges, marked
    uncalibrated (docs/calibration.md).
    """
    from accord.analysis.registry import get_analysis

    analysis = get_analysis("forecast")
    scenario = load_with_inputs(file, inputs)
    values = {
        "model": model,
        "issue": issue,
        "rule": rule,
        "seed": seed,
        "params": parse_params(param or []),
        "procedure": procedure,
        "interval_draws": max(interval_draws, 0),
    }
    with progress_bar("forecasting") as update:
        try:
            result = analysis.run(scenario, analysis.params.from_options(values), update)
        except AccordError as exc:
            raise naming(exc, file) from None
    if fmt is Format.json:
        print_json(result.to_json_dict())
    elif fmt is Format.csv:
        buffer = io.StringIO()
        result.to_frame().to_csv(buffer, index=False, lineterminator="\n")
        sys.stdout.write(buffer.getvalue())
    else:
        for item in result.issues:
            rule_text = item.rule or "none"
            title = (
                f"{item.issue_id}  (rule: {rule_text}; status quo: {fmt_values(item.status_quo)})"
            )
            columns = (
                "model",
                "outcome",
                "80% interval",
                "allowed",
                "passes",
                "blockers",
                "procedure",
                "rounds",
            )
            out.print(_forecast_table(title, item.forecasts, columns, item.failed))
            notes = {fc.intervals.get("interval_note") for fc in item.forecasts if fc.intervals}
            for note in sorted(n for n in notes if n):
                out.print(f"interval: {note}")
            if item.record is not None:
                out.print(record_line(item.record))
    for note in result.notes:
        err.print(f"note: {note}")


def parse_params(items: list[str]) -> dict[str, dict[str, Any]]:
    """Parse ``MODEL.NAME=VALUE`` options; values are read as JSON when they parse, else as text."""
    params: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        model, dot, name = key.partition(".")
        if not sep or not dot or not model or not name:
            raise UsageError(
                f"cannot read parameter '{item}'",
                field="--param",
                expected="MODEL.NAME=VALUE, e.g. bdm.q=0.5",
            )
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        params.setdefault(model, {})[name] = value
    return params


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="KTAB CSV/XML, BDM CSV, DEU TSV or decide file.")],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Output YAML file (a folder if the input holds several scenarios).",
        ),
    ],
) -> None:
    """Import a file in another tool's format and write accord YAML."""
    from accord.scenario.io import import_file, save

    scenarios = import_file(file)
    if len(scenarios) == 1:
        save(scenarios[0], output)
        out.print(f"wrote {output}")
        return
    folder = output.with_suffix("") if output.suffix in (".yaml", ".yml") else output
    folder.mkdir(parents=True, exist_ok=True)
    for scenario in scenarios:
        save(scenario, folder / f"{scenario.id}.yaml")
    out.print(f"wrote {len(scenarios)} scenarios to {folder}/")


@app.command()
def export(
    file: FileArg,
    to: Annotated[str, typer.Option("--to", help="ktab-csv, ktab-xml, bdm-csv, decide or yaml.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file.")],
    issue: Annotated[
        str | None, typer.Option("--issue", "-i", help="Issue to export (for one-issue formats).")
    ] = None,
) -> None:
    """Export a scenario to another tool's format."""
    from accord.scenario.io import load, save

    save(load(file), output, fmt=to, issue_id=issue)
    out.print(f"wrote {output}")


@app.command()
def models() -> None:
    """List the registered forecasting models."""
    from accord.models.registry import get_model, model_names

    table = Table(title="models")
    for column in ("name", "summary", "source", "parameters"):
        table.add_column(column)
    for name in model_names():
        spec = get_model(name)
        table.add_row(
            name,
            spec.summary,
            spec.citation,
            ", ".join(f"{k}={v}" for k, v in spec.defaults.items()),
        )
    out.print(table)


@app.command()
def rules(
    file: FileArg,
    issue: Annotated[str, typer.Option("--issue", "-i", help="Issue id.")],
    rule: Annotated[str | None, typer.Option(help="Override the decision rule.")] = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    seed: Annotated[int, typer.Option(help="Seed for sampled power indices.")] = 0,
) -> None:
    """Show an issue's decision rule: members, veto players, power indices and the winset."""
    from accord.analysis.rule_report import rule_report
    from accord.scenario.io import load

    report = rule_report(load(file), issue, rule, seed=seed)
    if fmt is TableOrJson.json:
        print_json(report)
        return
    out.print(
        f"issue {report['issue']}: rule {report['rule']}, status quo {fmt_values(report['status_quo'])}"
    )
    out.print(f"veto players: {', '.join(report['veto_players']) or 'none'}")
    if report["winset"] is not None:
        out.print(
            "winset of the status quo: "
            + "; ".join(f"[{a:.3f}, {b:.3f}]" for a, b in report["winset"])
        )
    table = Table(title="power indices")
    for column in ("member", "Shapley-Shubik", "Banzhaf"):
        table.add_column(column)
    for member, ss, bz in zip(
        report["members"], report["shapley_shubik"], report["banzhaf"], strict=True
    ):
        table.add_row(member, f"{ss:.4f}", f"{bz:.4f}")
    out.print(table)
    out.print(f"method: {report['power_method']}")


@app.command()
def demo(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Scenarios to run (default: the shipped examples).")
    ] = None,
    output: Annotated[Path, typer.Option("--out", "-o", help="Folder for the report.")] = Path(
        "reports/demo"
    ),
) -> None:
    """Run every model on the shipped examples, print the comparison and write a report."""
    from accord.forecast import forecast as run_forecast
    from accord.report.forecast_report import write_report
    from accord.scenario.io import load

    paths = files or default_examples()
    results = []
    with progress_bar("demo") as update:
        for path in paths:
            scenario = load(path)
            result = run_forecast(scenario, "all", progress=update)
            results.append((scenario, result))
    for scenario, result in results:
        out.print(f"[bold]{scenario.title}[/bold]")
        for item in result.issues:
            title = f"{item.issue_id} (rule: {item.rule or 'none'}, status quo: {fmt_values(item.status_quo)})"
            columns = ("model", "outcome", "80% interval", "allowed", "blockers")
            out.print(_forecast_table(title, item.forecasts, columns, item.failed))
    report = write_report(results, output)
    out.print(f"report: {report}")


EXAMPLES = ("emission-standards.yaml", "eu-company-tax.yaml", "ktab-d3.yaml", "soe-pol-comp.yaml")


def default_examples() -> list[Path]:
    """The shipped bargaining examples, found next to the package or in the working folder."""
    for folder in (Path(__file__).resolve().parents[2] / "scenarios", Path.cwd() / "scenarios"):
        found = [folder / name for name in EXAMPLES if (folder / name).is_file()]
        if found:
            return found
    raise UsageError(
        "no example scenarios found",
        expected="a 'scenarios/' folder, or scenario files as arguments",
    )


#: Command groups kept in their own modules; each defines ``register(app)``.
CLI_MODULES = (
    "accord.cli.backtest",
    "accord.cli.case",
    "accord.cli.deadlock",
    "accord.cli.report",
    "accord.cli.wargame",
    "accord.cli.scale",
    "accord.cli.web",
    "accord.cli.panel",
)


def _register_command_modules() -> None:
    import importlib
    import importlib.util

    for name in CLI_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(app)


_register_command_modules()


def main() -> None:
    """Entry point: run the app, turning input errors into one line on stderr and exit code 2.

    Typer reports bad options itself (exit code 2). Unexpected errors are reported in one line too
    (exit code 1); set ``ACCORD_DEBUG=1`` to see the traceback when reporting a bug.
    """
    import atexit
    import gc
    import os

    from typer import _click as click

    # Starting creates some 50,000 objects that live as long as the process (modules, pydantic's
    # schemas, Typer's commands); under the default thresholds (700, 10, 10) the collector runs
    # over a hundred times in a short forecast, walking them again (a tenth of its CPU time). A
    # larger first threshold, as mypy's command line sets, still collects every cycle, less often.
    gc.set_threshold(100_000, 10, 10)
    # At exit the interpreter walks all of them once more looking for cycles to free, a fifth of
    # a short forecast's time; the process is ending and its memory goes back anyway, so they are
    # frozen first (the std streams are still flushed and every atexit function still runs).
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    from accord.cli.lazy import only_invoked

    try:
        # Only the command this process runs is built in full (accord.cli.lazy).
        code = only_invoked(app, sys.argv[1:])(standalone_mode=False)
    except click.exceptions.ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # the help text, as `accord` alone has always printed
            raise SystemExit(exc.exit_code) from None
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "accord"
        print_error(f"error: {exc.format_message()} (expected valid options: `{command} --help`)")
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        print_error("aborted")
        raise SystemExit(1) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except AccordError as exc:
        print_error(f"error: {headline(exc)}")
        raise SystemExit(2) from None
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print_error(f"error: {exc.strerror or exc}{where} (expected a readable, writable path)")
        raise SystemExit(2) from None
    except MemoryError:
        print_error(
            "error: the input needs more memory than this machine has "
            "(expected a smaller input; see the limits in docs/scenario-format.md)"
        )
        raise SystemExit(2) from None
    except Exception as exc:
        if os.environ.get("ACCORD_DEBUG"):
            raise
        print_error(
            f"internal error: {type(exc).__name__}: {exc} "
            "(please report it; set ACCORD_DEBUG=1 for the traceback)"
        )
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
