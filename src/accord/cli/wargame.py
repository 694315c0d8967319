"""``accord wargame``: Monte Carlo runs, replay, what-if branches and after-action reviews.

* ``run SCENARIO --runs N --seed S [--jobs J] [--format table|json] [--out DIR] [--db URL]``
* ``check SCENARIO [--runs N] [--seed S] [--format table|json]``: invariants and outcome labels
* ``replay LOG [--to-turn T]``
* ``branch LOG --at T --set ... [-o FILE]``
* ``review LOG -o DIR``

``LOG`` is a game file (``accord.wargame.gamefile``: the event log with its scenario) or a bare
event log with ``--scenario``; with ``--db URL``, a number is the id of a game stored there
(``branch`` then also stores the branch, linked to its parent).
See docs/wargame.md and docs/storage.md.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord.cli.common import Table, TableOrJson, naming, out, print_json, progress_bar
from accord.errors import AccordError, UsageError

if TYPE_CHECKING:
    from accord.wargame.logged import BranchSettings, LoggedGame

wargame_app = typer.Typer(
    rich_markup_mode=None,
    help="Crisis war games: Monte Carlo, replay, what-if branches, after-action review.",
    no_args_is_help=True,
)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL for stored games and runs (e.g. sqlite:///runs.db or "
        "postgresql+psycopg://user:pass@host/db).",
    ),
]
ScenarioOpt = Annotated[
    Path | None,
    typer.Option("--scenario", "-s", help="Scenario file, when LOG is a bare event log."),
]
LogArg = Annotated[
    str, typer.Argument(help="Game file (JSON), or a game id with --db.", metavar="LOG")
]


def register(app: typer.Typer) -> None:
    """Add the ``wargame`` command group to ``app``."""
    app.add_typer(wargame_app, name="wargame")


def scenario_path(path: Path) -> Path:
    """A scenario file, or the ``scenario.yaml`` inside a scenario folder."""
    from accord.wargame.logged import scenario_path as shared

    return shared(path)


# ---------------------------------------------------------------------- loading games


def load_logged_game(
    log: str, scenario: Path | None, db: str | None, need_scenario: bool = True
) -> LoggedGame:
    """The events and scenario of a logged game.

    The events and scenario of ``LOG`` (a file, or a game id in ``--db``) through
    :func:`accord.wargame.logged.load_logged`.
    """
    from accord.wargame.logged import load_logged

    if db is not None and log.strip().isdigit() and not Path(log).is_file():
        from accord.runs import RunStore

        with RunStore(db) as store:
            return load_logged(log, scenario=scenario, store=store, need_scenario=need_scenario)
    return load_logged(log, scenario=scenario, need_scenario=need_scenario)


# ---------------------------------------------------------------------- run


def _fmt_ci(share: float, ci: list[float] | tuple[float, float]) -> str:
    return f"{share:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def _fmt_hist(hist: dict[str, int]) -> str:
    parts = [f"t{k}:{v}" for k, v in hist.items() if k != "never" and v]
    parts.append(f"never:{hist.get('never', 0)}")
    return " ".join(parts)


def _print_summary(scenario_id: str, s: dict[str, Any], labels: dict[str, str]) -> None:
    out.print(f"[bold]{scenario_id}[/bold]: {s['n']} runs")
    ranked = sorted(s["outcome_share"].items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked:
        k, v = ranked[0]
        # the headline names what the label means, not only its id
        out.print(
            f"most frequent outcome: {k} ({labels.get(k, k)}), "
            f"{_fmt_ci(v, s['outcome_ci95'][k])} of runs",
            markup=False,
        )
    table = Table(title="outcomes (share, 95% Wilson interval)")
    table.add_column("outcome")
    table.add_column("share")
    table.add_column("defined by")
    for k, v in ranked:
        table.add_row(k, _fmt_ci(v, s["outcome_ci95"][k]), labels.get(k, k))
    out.print(table)
    for what, key in (("group decisions", "decision"), ("legal gates", "gate")):
        table = Table(title=f"{what}: how often and when (runs per turn)")
        for column in ("id", "share [95% CI]", "mean turn", "turn distribution"):
            table.add_column(column)
        for k, v in s[f"{key}_share"].items():
            mean = s[f"{key}_mean_turn"][k]
            table.add_row(
                k,
                _fmt_ci(v, s[f"{key}_ci95"][k]),
                "-" if mean is None else f"{mean:.2f}",
                _fmt_hist(s[f"{key}_turns"][k]),
            )
        out.print(table)
    blockers = {k: v for k, v in s["blockers"].items() if v}
    if blockers:
        table = Table(title="blockers (runs where the decision was never agreed)")
        table.add_column("decision")
        table.add_column("blocked by (runs)")
        for k, v in blockers.items():
            table.add_row(k, ", ".join(f"{m} ({c})" for m, c in list(v.items())[:8]))
        out.print(table)
    if s["cohesion"]:
        c = s["cohesion"]
        out.print(
            f"alliance cohesion (mean share supporting at the last vote): mean {c['mean']:.3f}, "
            f"5-95% [{c['p05']:.3f}, {c['p95']:.3f}]"
        )
    table = Table(title="drivers (Spearman rank correlation of sampled inputs)")
    table.add_column("outcome / decision")
    table.add_column("strongest inputs")
    rows = {**s["drivers"], **{f"{k} agreed": v for k, v in s["decision_drivers"].items()}}
    for k, v in rows.items():
        ranked = sorted(
            ((name, r) for name, r in v.items() if r is not None),
            key=lambda item: -abs(item[1]),
        )[:4]
        table.add_row(k, ", ".join(f"{name} {r:+.2f}" for name, r in ranked) or "-")
    out.print(table)


def _runs_csv(records: list[Any]) -> str:
    buffer = io.StringIO()
    if not records:
        return ""
    first = records[0]
    fields = ["index", "seed", "outcome", "turns", "cohesion"]
    fields += [f"decided.{k}" for k in first.decided]
    fields += [f"opened.{k}" for k in first.opened]
    fields += [f"input.{k}" for k in first.inputs]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for r in records:
        row: list[Any] = [r.index, r.seed, r.outcome, r.turns, r.cohesion]
        row += [r.decided[k] for k in first.decided]
        row += [r.opened[k] for k in first.opened]
        row += [repr(r.inputs[k]) for k in first.inputs]
        writer.writerow(["" if x is None else x for x in row])
    return buffer.getvalue()


@wargame_app.command("run")
def run(
    scenario: Annotated[Path, typer.Argument(help="War-game scenario file or folder.")],
    runs: Annotated[int, typer.Option("--runs", "-n", help="Number of automated games.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo run.")] = 0,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes.")] = 1,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for summary.json, runs.csv and game files."),
    ] = None,
    db: DbOpt = None,
    logs: Annotated[
        int, typer.Option(help="Keep the full event log of the first K games (--out, --db).")
    ] = 1,
    fixed: Annotated[
        bool,
        typer.Option("--fixed", help="Do not sample the uncertain inputs (use initial values)."),
    ] = False,
) -> None:
    """Monte Carlo: play automated games and summarise their outcomes.

    Monte Carlo: play automated games; outcome frequencies with Wilson intervals, when each
    decision is taken, blockers, cohesion and the inputs that drive the outcomes.
    """
    from accord.scenario.yaml_io import read_text
    from accord.wargame.engine import Game
    from accord.wargame.gamefile import dump_game
    from accord.wargame.loader import loads_wargame
    from accord.wargame.montecarlo import RunRecord, run_monte_carlo
    from accord.wargame.players import default_players

    if runs < 1:
        raise UsageError(f"--runs {runs}", field="--runs", expected="a positive number")
    from accord.limits import RUNS

    RUNS.check(runs, what=f"--runs {runs:,}", field="--runs")
    if jobs < 1:
        raise UsageError(f"--jobs {jobs}", field="--jobs", expected="a positive number")
    if seed < 0:
        raise UsageError(f"--seed {seed}", field="--seed", expected="a non-negative integer")
    path = scenario_path(scenario)
    text = read_text(path, path.name)
    compiled = loads_wargame(text, path.name)
    store = None
    run_id = None
    if db is not None:
        from accord.runs import RunStore

        store = RunStore(db)
    try:
        sha = ""
        if store is not None:
            sha = store.add_scenario(text, path.name, compiled.spec.id)
            run_id = store.start_run(sha, compiled.spec.id, seed, runs, jobs)

        def keep(batch: list[RunRecord]) -> None:
            if store is not None and run_id is not None:
                store.add_results(run_id, [r.to_json() for r in batch])

        with progress_bar("war games") as update:
            try:
                result = run_monte_carlo(
                    compiled,
                    runs,
                    seed,
                    sample_uncertain=not fixed,
                    jobs=jobs,
                    progress=update,
                    on_records=keep,
                )
            except AccordError as exc:  # an expression failing in play: name the file
                raise naming(exc, path) from None
        summary = result.summary()
        kept: list[tuple[int, str]] = []
        for rec in result.records[: max(0, logs) if (out_dir or store) else 0]:
            on_event = None
            game_id = None
            if store is not None:
                game_id = store.start_game(
                    sha, compiled.spec.id, rec.seed, mc_run_id=run_id, label=f"run {rec.index}"
                )
                on_event = store.recorder(game_id)
            game = Game(
                compiled,
                rec.seed,
                default_players(compiled),
                sample_uncertain=not fixed,
                on_event=on_event,
            ).run()
            kept.append((rec.index, dump_game(game.events, text, path.name)))
        if store is not None and run_id is not None:
            store.finish_run(run_id, summary)
    finally:
        if store is not None:
            store.close()
    data = {"scenario": compiled.spec.id, "seed": seed, "runs": runs, "summary": summary}
    if out_dir is not None:
        from accord.files import write_atomic  # loaded when writing (tempfile): a faster start

        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic((out_dir / "summary.json"), json.dumps(data, indent=2, sort_keys=True) + "\n")
        write_atomic((out_dir / "runs.csv"), _runs_csv(result.records))
        if kept:
            games = out_dir / "games"
            games.mkdir(exist_ok=True)
            for index, game_text in kept:
                write_atomic((games / f"run-{index:05d}.json"), game_text)
    if fmt is TableOrJson.json:
        print_json(data)
        return
    from accord.wargame.engine import NO_DECISIVE_OUTCOME

    labels = {o.id: o.label or str(o.when) for o in compiled.spec.outcomes}
    labels.setdefault(NO_DECISIVE_OUTCOME, "no decisive outcome at the horizon")
    _print_summary(compiled.spec.id, summary, labels)
    if out_dir is not None:
        out.print(f"wrote {out_dir}/summary.json, runs.csv and {len(kept)} game file(s)")
    if run_id is not None:
        out.print(f"stored as run {run_id} in {db}")


# ---------------------------------------------------------------------- check


@wargame_app.command("check")
def check(
    scenario: Annotated[Path, typer.Argument(help="War-game scenario file or folder.")],
    runs: Annotated[int, typer.Option("--runs", "-n", help="Number of automated games.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed (the same games as 'run --seed').")] = 0,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
) -> None:
    """Play automated games and check the scenario's invariants and outcome labels.

    Play automated games and check the scenario's invariants after every event, and that
    each outcome label agrees with the events of every game that carries it. Exit status 1 when
    an invariant is violated or a label is inconsistent.
    """
    from accord.wargame.check import check_scenario
    from accord.wargame.loader import load_wargame

    compiled = load_wargame(scenario_path(scenario))
    with progress_bar("checking") as update:
        result = check_scenario(compiled, runs, seed, update)
    data = result.to_json()
    if fmt is TableOrJson.json:
        print_json(data)
    else:
        out.print(f"[bold]{compiled.spec.id}[/bold]: {runs} games checked (seed {seed})")
        table = Table(title="invariants (checked after every event)")
        for column in ("id", "expression", "violations", "first (game, turn)"):
            table.add_column(column)
        for i in result.invariants:
            first = "-" if i.first is None else f"{i.first['game']}, {i.first['turn']}"
            table.add_row(i.id, i.expression, str(i.violations), first)
        out.print(table)
        table = Table(title="outcome labels against the events of each game")
        for column in ("label", "runs", "consistent"):
            table.add_column(column)
        for lab in result.labels:
            table.add_row(lab.label, str(lab.runs), "yes" if lab.consistent else "NO")
        out.print(table)
        out.print("all invariants hold and every label is consistent" if result.ok else "FAILED")
    if not result.ok:
        raise typer.Exit(1)


# ---------------------------------------------------------------------- replay


@wargame_app.command("replay")
def replay(
    log: LogArg,
    to_turn: Annotated[
        int | None, typer.Option("--to-turn", "-t", help="Stop after this turn.")
    ] = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
) -> None:
    """Rebuild a logged game's state from its event log (up to a turn)."""
    from accord.wargame.logged import replay as replay_log
    from accord.wargame.review import describe

    loaded = load_logged_game(log, scenario, db, need_scenario=False)
    rebuilt = replay_log(loaded.events, to_turn)
    events, state, data = rebuilt.events, rebuilt.state, rebuilt.summary()
    gates = data["gates"]
    if fmt is TableOrJson.json:
        print_json(data)
        return
    for e in events:
        if e.kind != "turn-started":
            out.print(f"[{e.turn}] {describe(e)}", markup=False)
        else:
            out.print(f"-- turn {e.turn}", markup=False)
    out.print(
        f"state after turn {state.turn}: outcome {state.outcome or 'in progress'}; gates: "
        + (", ".join(f"{g} {s}" for g, s in gates.items()) or "none")
        + "; agreed: "
        + (", ".join(f"{d} (turn {t})" for d, t in state.agreed.items()) or "none"),
        markup=False,
    )
    table = Table(title="values")
    table.add_column("variable")
    table.add_column("value")
    for k, v in state.values.items():
        table.add_row(k, f"{v:.4g}")
    out.print(table)


# ---------------------------------------------------------------------- branch


def parse_sets(items: list[str]) -> BranchSettings:
    """Parse the ``--set`` assignments of a what-if branch.

    ``VAR=VALUE``, ``gate.ID=open|closed``, ``force.SUBJECT=true|false`` and ``orders.ACTOR=a1,a2``
    (empty: no orders).
    """
    from accord.wargame.logged import BranchSettings

    settings = BranchSettings()
    for item in items:
        key, sep, raw = item.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key:
            raise UsageError(
                f"cannot read --set '{item}'",
                field="--set",
                expected="VAR=VALUE, gate.ID=open|closed, force.SUBJECT=true|false "
                "or orders.ACTOR=a1,a2",
            )
        head, dot, rest = key.partition(".")
        if dot and head == "gate":
            if raw not in ("open", "closed"):
                raise UsageError(f"--set {item}", field="--set", expected="open or closed")
            settings.gates[rest] = raw
        elif dot and head == "force":
            if raw.lower() not in ("true", "false"):
                raise UsageError(f"--set {item}", field="--set", expected="true or false")
            settings.force[rest] = raw.lower() == "true"
        elif dot and head == "orders":
            settings.orders[rest] = [a.strip() for a in raw.split(",") if a.strip()]
        else:
            try:
                value = float(raw)
            except ValueError:
                raise UsageError(
                    f"--set {item}: '{raw}' is not a number", field="--set", expected="a number"
                ) from None
            if not math.isfinite(value):
                raise UsageError(f"--set {item}", field="--set", expected="a finite number")
            settings.values[key] = value
    return settings


@wargame_app.command("branch")
def branch(
    log: LogArg,
    at: Annotated[int, typer.Option("--at", help="Re-run from the start of this turn.")],
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Change at the branch point: VAR=VALUE, gate.ID=open|closed, "
            "force.SUBJECT=true|false, orders.ACTOR=a1,a2 (repeatable).",
        ),
    ] = None,
    reason: Annotated[
        str, typer.Option(help="Reason logged with the override.")
    ] = "what-if branch",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the branch's game file here.")
    ] = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f")] = TableOrJson.table,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
) -> None:
    """What-if: re-run a logged game from turn T with changes.

    What-if: re-run a logged game from turn T with changed values, gates, draws or orders (automated
    players take every other decision).
    """
    from accord.wargame.gamefile import dump_game
    from accord.wargame.logged import branch as branch_log

    loaded = load_logged_game(log, scenario, db)
    sets = parse_sets(set_ or [])
    compiled = loaded.compiled()
    store = None
    new_id: int | None = None
    if db is not None:
        from accord.runs import RunStore

        store = RunStore(db)

    def record(game: Any) -> None:
        """Store the branch, linked to its parent, and every event it adds."""
        nonlocal new_id
        if store is None:
            return
        sha = store.add_scenario(loaded.text, loaded.source, compiled.spec.id)
        new_id = store.start_game(
            sha,
            compiled.spec.id,
            game.seed,
            parent_id=loaded.game_id,
            branch_turn=at,
            label=f"branch at turn {at}",
        )
        store.append_events(new_id, game.events)
        game.on_event = store.recorder(new_id)

    try:
        result = branch_log(loaded, at, sets, reason, on_branch=record)
    finally:
        if store is not None:
            store.close()
    game, original, state = result.game, result.original, result.game.state
    diffs = result.changed_values()
    data = {**result.summary(), "game_id": new_id}
    if output is not None:
        from accord.files import write_atomic

        write_atomic(output, dump_game(game.events, loaded.text, loaded.source))
    if fmt is TableOrJson.json:
        print_json(data)
        return
    out.print(f"branch from turn {at}: outcome {original.outcome} -> {state.outcome}", markup=False)
    table = Table(title="decisions (turn first agreed)")
    for column in ("decision", "original", "branch"):
        table.add_column(column)
    for d in compiled.spec.decisions:
        table.add_row(d.id, str(original.agreed.get(d.id, "-")), str(state.agreed.get(d.id, "-")))
    out.print(table)
    table = Table(title="final values that differ")
    for column in ("variable", "original", "branch"):
        table.add_column(column)
    for k, (a, b) in diffs.items():
        table.add_row(k, "-" if a is None else f"{a:.4g}", f"{b:.4g}")
    out.print(table)
    if output is not None:
        out.print(f"wrote {output}")
    if new_id is not None:
        out.print(f"stored as game {new_id} in {db}")


# ---------------------------------------------------------------------- review


@wargame_app.command("review")
def review(
    log: LogArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the HTML pages.")],
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    runs: Annotated[
        int,
        typer.Option(
            "--runs",
            min=0,
            max=1000,
            help="Monte Carlo continuations of each alternative not taken at the first three "
            "decision points (0: none).",
        ),
    ] = 10,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of those runs.")] = 0,
) -> None:
    """After-action review as self-contained HTML.

    Timeline, state charts, decision points with
    alternatives and their Monte Carlo consequences, and a start-of-turn debrief page per team.
    """
    from accord.wargame.review import write_review

    loaded = load_logged_game(log, scenario, db)
    written = write_review(loaded.compiled(), loaded.events, output, runs=runs, seed=seed)
    out.print(f"wrote {len(written)} pages to {output}/ (open index.html)")
