"""``accord deadlock``: who blocks an issue, what would unblock it, and package deals."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from accord.cli.common import (
    FileArg,
    InputsOpt,
    RuleOpt,
    Table,
    TableOrJson,
    fmt_values,
    load_with_inputs,
    out,
    print_json,
    progress_bar,
)

#: Default of ``--elasticity``; equals :data:`accord.analysis.perception.ELASTICITY` (kept here so
#: that importing the CLI does not import the models; a test checks they agree).
ELASTICITY = 1.0 / 34.0


def register(app: typer.Typer) -> None:
    """Add the ``deadlock`` command to ``app``."""
    app.command("deadlock")(deadlock)


def deadlock(
    file: FileArg,
    issue: Annotated[str, typer.Option("--issue", "-i", help="Issue id.")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="Model whose forecast is the proposal.")
    ] = "compromise",
    rule: RuleOpt = None,
    proposal: Annotated[
        str | None,
        typer.Option(help="The proposal itself, VALUE[,VALUE...] (one per dimension)."),
    ] = None,
    deals: Annotated[
        bool, typer.Option("--deals/--no-deals", help="Search package deals across issues.")
    ] = True,
    deal_models: Annotated[
        str, typer.Option(help="Models whose forecasts are package-deal candidates.")
    ] = "all",
    loss: Annotated[str, typer.Option(help="Package-deal loss: linear or quadratic.")] = "linear",
    top: Annotated[int, typer.Option(help="How many package deals to show.")] = 5,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
    inputs: InputsOpt = "record",
    elasticity: Annotated[
        float,
        typer.Option(
            help="With --inputs record: share of an objector's salience lost per point of "
            "threat perception of China (assumed, docs/japan-nato.md; default 1/34)."
        ),
    ] = ELASTICITY,
    include_rollbacks: Annotated[
        bool,
        typer.Option(
            "--include-rollbacks",
            help="Keep package deals that roll an issue back below its status quo or record.",
        ),
    ] = False,
) -> None:
    """List the blockers of an issue and what would unblock it.

    List the blockers of an issue, what would unblock it, how far each objector's threat perception
    would have to rise for it to acquiesce, and package deals across issues.
    """
    from accord.analysis.package_deals import find_package_deals
    from accord.analysis.perception import acquiescence_rises
    from accord.analysis.registry import get_analysis

    shared = get_analysis("deadlock")
    values = {"issue": issue, "model": model, "rule": rule, "proposal": proposal, "seed": seed}
    params = shared.params.from_options(values)
    scenario = load_with_inputs(file, inputs)
    analysis = shared.run(scenario, params, None)
    rises = None
    if rule is None and _reads_threat(scenario):
        rises = acquiescence_rises(
            scenario,
            issue,
            proposal=analysis.proposal,
            inputs=inputs,
            elasticity=elasticity,
            seed=seed,
        )
    package = None
    if deals:
        with progress_bar("package deals") as update:
            package = find_package_deals(
                scenario,
                models=deal_models,
                rule=rule,
                loss=loss,
                top=top,
                seed=seed,
                progress=update,
                include_rollbacks=include_rollbacks,
            )
    if fmt is TableOrJson.json:
        print_json(
            {
                "deadlock": analysis.to_json_dict(),
                "inputs": inputs,
                "perception_rises": None if rises is None else [r.to_json_dict() for r in rises],
                "package_deals": None if package is None else package.to_json_dict(),
            }
        )
        return
    data = analysis.to_json_dict()
    out.print(
        f"issue {data['issue']} ({', '.join(data['dimensions'])}): rule {data['rule']}, "
        f"status quo {fmt_values(data['status_quo'])}, proposal {fmt_values(data['proposal'])} "
        f"({data['proposal_source']}): {'passes' if data['passes'] else 'fails'}"
    )
    out.print(f"veto players: {', '.join(data['veto_players']) or 'none'}")
    if not data["passes"]:
        out.print(f"blockers: {', '.join(data['blockers'])}")
        out.print(f"minimal blocking set: {', '.join(data['minimal_blocking'])}")
        table = Table(title="What it would take (each blocker on its own)")
        for column in ("blocker", "veto", "position", "move to", "shift", "salience", "alone"):
            table.add_column(column)
        for change in analysis.changes:
            _, sal = change.describe(analysis.dimensions, analysis.units)
            shift = ", ".join(
                f"{d} {v:+.4g} {u}"
                for d, v, u in zip(analysis.dimensions, change.shift, analysis.units, strict=True)
            )
            table.add_row(
                change.actor,
                "yes" if change.veto_player else "no",
                fmt_values(change.position),
                fmt_values(change.shift_to),
                shift,
                sal,
                "yes" if change.turns_alone else "no",
            )
        out.print(table)
        turning = data["cheapest_turning_set"]
        out.print(
            "cheapest set of blockers to move: "
            + (", ".join(turning) if turning is not None else "none: nothing can pass")
            + f" ({data['turning_method']})"
        )
        out.print(f"nearest outcome that passes: {fmt_values(data['allowed'])}")
    for note in data["notes"]:
        out.print(f"note: {note}")
    if rises is not None:
        _print_rises(rises, inputs)
    if package is not None:
        _print_deals(package.to_json_dict())


def _reads_threat(scenario: Any) -> bool:
    """Whether any actor states a threat perception of China (the perception-gap question)."""
    return any("threat_china" in a.attributes for a in scenario.actors)


def _print_rises(rises: list[Any], inputs: str) -> None:
    if not rises:
        out.print("practised procedure: no member objects to this proposal")
        return
    table = Table(
        title="Perception gap: rise in threat perception of China (0-100) at which each "
        f"objector would acquiesce (--inputs {inputs})"
    )
    for column in ("objector", "threat now", "rise needed", "threat needed", "loss", "cost", "how"):
        table.add_column(column)
    for r in rises:
        table.add_row(
            r.actor,
            "-" if r.threat_now is None else f"{r.threat_now:.1f}",
            "none up to 100" if r.rise is None else f"{r.rise:.1f}",
            "-" if r.threat_needed is None else f"{r.threat_needed:.1f}",
            f"{r.loss_now:.2f}",
            f"{r.cost:.2f}",
            r.method,
        )
    out.print(table)


def _print_deals(data: dict[str, Any]) -> None:
    out.print(
        f"package deals over {', '.join(data['issues'])} ({data['method']} search of "
        f"{data['packages_searched']} packages, {data['loss']} loss)"
    )
    for ident, why in data["skipped"].items():
        out.print(f"  issue {ident} left out: {why}")
    if not data["deals"]:
        out.print("  no package leaves every veto player at least as well off as the status quo")
    table = Table(title="Package deals, by total gain")
    table.add_column("#")
    for ident in data["issues"]:
        table.add_column(ident)
    table.add_column("total gain")
    table.add_column("trades")
    table.add_column("still objects")
    table.add_column("reserves")
    for k, deal in enumerate(data["deals"], start=1):
        trades = "; ".join(
            f"{t['actor']} gives {','.join(t['concedes_on'])} for {','.join(t['gains_on'])}"
            for t in deal["trades"]
        )
        table.add_row(
            str(k),
            *(fmt_values(deal["outcomes"][ident]) for ident in data["issues"]),
            f"{deal['total_gain']:.4f}",
            (trades or "-")
            + (f" [rolls back {', '.join(deal['rollbacks'])}]" if deal["rollbacks"] else ""),
            ", ".join(deal["procedure"]["objectors"]) or "-",
            ", ".join(deal["procedure"]["reservations"]) or "-",
        )
    if data["deals"]:
        out.print(table)
    if data["exchange"] is not None:
        ex = data["exchange"]
        out.print(
            f"exchange model outcome: total gain {ex['total_gain']:.4f}, "
            f"{'feasible' if ex['feasible'] else 'not feasible'} as a package"
        )
    for note in data["notes"]:
        out.print(f"note: {note}")
