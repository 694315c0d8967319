"""A fast start: what the command line loads, and the small-problem engine choice of smp.

Timings are measured in ``benchmarks/bench_cli.py`` (docs/performance.md); here only the
behaviour that makes them possible: heavy libraries stay unloaded where they are not needed, and
the NumPy engine that small smp runs use gives the compiled engine's results bit for bit.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.models import smp
from accord.models.base import IssueBatch
from accord.models.smp import batch as smp_batch
from accord.models.smp import engine_numba

ROOT = Path(__file__).parents[2]
HEAVY = ("pandas", "scipy", "matplotlib", "sqlalchemy", "fastapi", "numba", "dask", "SALib")

PROBE = """
import json, sys
sys.argv = ["accord", *json.loads(sys.argv[1])]
try:
    from accord.cli import main
    main()
except SystemExit:
    pass
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy}))
own = sorted(m for m in sys.modules if m.startswith("accord"))
numpy = sorted(m for m in sys.modules if m.startswith("numpy."))
print(json.dumps({{"heavy": heavy, "accord": own, "numpy": numpy}}), file=sys.stderr)
"""


def loaded_by(*args: str) -> list[str]:
    """The heavy libraries (and NumPy, pydantic, rich) a fresh ``accord ARGS`` process has
    imported when it ends."""
    loaded: list[str] = probe(*args)["heavy"]
    return loaded


def probe(*args: str) -> dict[str, list[str]]:
    """What a fresh ``accord ARGS`` process has imported when it ends.

    ``heavy``: the heavy libraries (and NumPy, pydantic, rich) among the top-level packages;
    ``accord``: every module of accord itself; ``numpy``: NumPy's submodules.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    code = PROBE.format(heavy=repr((*HEAVY, "numpy", "pydantic", "rich")))
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(args))],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    found: dict[str, list[str]] = json.loads(done.stderr.strip().splitlines()[-1])
    return found


def test_help_loads_no_numerical_web_or_console_library() -> None:
    assert loaded_by("--help") == []


@pytest.mark.parametrize("model", ["compromise", "smp", "bdm", "all"])
def test_forecast_of_a_small_case_loads_only_numpy_and_pydantic(model: str) -> None:
    """The 7-actor KTAB case: no SciPy (Nash's root finder), no Numba (smp's small runs),
    no pandas (CSV output only), and no rich: its table is written plain (not a terminal)."""
    found = probe("forecast", "scenarios/ktab-d3.yaml", "-m", model)
    assert found["heavy"] == ["numpy", "pydantic"]
    assert "numpy.ma" not in found["numpy"]  # np.unique's first call imports it (20 ms)
    # Nor what this case does not use (issue 17): the issue has no rule and no body (rules/),
    # no interval in the calibration domain and no assumed range to draw one from
    # (intervals.conformal, .predictive, scale.batch), the stances are the record's
    # (scenario.derive); and nothing of the other commands.
    unused = (
        "accord.rules",
        "accord.intervals.conformal",
        "accord.intervals.predictive",
        "accord.scale.batch",
        "accord.analysis.interval_calibration",
        "accord.scenario.derive",
        "accord.report",
        "accord.web",
        "accord.wargame",
        "accord.runs",
        "accord.panel",
        "accord.programme",
    )
    loaded = [m for m in found["accord"] if m.startswith(unused)]
    assert loaded == []
    analyses = [m for m in found["accord"] if m.startswith("accord.analysis.")]
    assert analyses == ["accord.analysis.registry"]
    # A YAML file is read without the importers (scenario.io._unclaimable), so no EU Council data.
    assert [
        m for m in found["accord"] if m.startswith(("accord.scenario.importers.", "accord.data"))
    ] == ["accord.scenario.importers.common"]


def test_auto_engine_runs_small_problems_on_numpy_until_numba_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine_numba, "_compiled", {})
    assert smp.choose_engine("auto", smp.AUTO_NUMPY_ACTORS) == "numpy"
    assert smp.choose_engine("auto", smp.AUTO_NUMPY_ACTORS + 1) == "compiled"
    monkeypatch.setattr(engine_numba, "_compiled", {"loaded": print})
    assert smp.choose_engine("auto", 3) == "compiled"
    assert smp.choose_engine("numpy", 100) == "numpy"


def test_every_engine_gives_the_same_run_on_the_small_case() -> None:
    from accord.scenario.arrays import issue_arrays
    from accord.scenario.io import load

    scenario = load(ROOT / "scenarios" / "ktab-d3.yaml")
    issue = issue_arrays(scenario, scenario.issues[0].id)
    runs = {
        engine: smp.run(issue, {"engine": engine}, np.random.default_rng(0))
        for engine in ("auto", *smp.ENGINES)
    }
    for engine, run in runs.items():
        np.testing.assert_array_equal(run.outcome, runs["compiled"].outcome, err_msg=engine)
        np.testing.assert_array_equal(run.positions, runs["compiled"].positions, err_msg=engine)
        assert run.diagnostics == runs["compiled"].diagnostics, engine


def test_auto_engine_runs_small_batches_on_numpy_until_numba_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Work is draws x actors^3 x dimensions: 100 draws of 7 actors on 3 dimensions is small,
    1,000 draws of 7 actors (343,000) is not."""
    monkeypatch.setattr(engine_numba, "_compiled", {})
    assert smp.choose_batch_engine("auto", 100, 7, 3) == "numpy"
    assert smp.choose_batch_engine("auto", 100, 13, 1) == "numpy"
    assert smp.choose_batch_engine("auto", 1000, 7, 1) == "compiled"
    assert smp.choose_batch_engine("numpy", 1000, 7, 1) == "numpy"
    monkeypatch.setattr(engine_numba, "_compiled", {"loaded": print})
    assert smp.choose_batch_engine("auto", 100, 7, 3) == "compiled"
    assert smp.choose_batch_engine("numpy", 100, 7, 3) == "numpy"


def test_a_small_auto_batch_runs_on_numpy_and_equals_every_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(5)
    b, n, m = 12, 7, 2
    batch = IssueBatch(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        positions=rng.uniform(0.0, 100.0, (b, n, m)),
        saliences=rng.uniform(0.05, 1.0, (b, n, m)),
        capabilities=rng.uniform(0.1, 10.0, (b, n)),
        lo=np.zeros(m),
        hi=np.full(m, 100.0),
    )
    rng0 = np.random.default_rng(0)
    compiled = smp_batch.kernel(batch, {"engine": "compiled"}, rng0)
    numpy_engine = smp_batch.kernel(batch, {"engine": "numpy"}, rng0)
    assert compiled is not None and numpy_engine is not None
    np.testing.assert_array_equal(numpy_engine, compiled)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a small auto batch must not load the compiled engine")

    monkeypatch.setattr(engine_numba, "_compiled", {})
    monkeypatch.setattr(smp, "smp_batch_compiled", refuse)
    auto = smp_batch.kernel(batch, {}, rng0)
    assert auto is not None
    np.testing.assert_array_equal(auto, compiled)


def _all_help(command: Any, ctx: Any = None) -> dict[str, str]:
    """The help page of ``command`` and of every command under it, by command path."""
    from typer._click.core import Context
    from typer.core import TyperGroup

    ctx = Context(command, info_name=command.name or "accord", parent=ctx)
    pages = {ctx.command_path: command.get_help(ctx)}
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            if isinstance(sub, TyperGroup):
                pages.update(_all_help(sub, ctx))
            else:
                sub_ctx = Context(sub, info_name=name, parent=ctx)
                pages[sub_ctx.command_path] = sub.get_help(sub_ctx)
    return pages


def test_stand_in_commands_list_exactly_as_the_real_ones() -> None:
    """With every command a stand-in (``accord --help``), each group's help page, which lists
    its commands with their short help, is the same as with every command built in full."""
    from typer.main import get_command

    from accord.cli import app
    from accord.cli.lazy import only_invoked

    full = _all_help(get_command(app))
    lazy = _all_help(get_command(only_invoked(app, [])))
    groups = [path for path in full if path.count(" ") <= 1 and "Commands:" in full[path]]
    assert len(groups) >= 5  # accord and its command groups (wargame, panel, backtest, ...)
    for path in groups:
        assert lazy[path] == full[path], path


@pytest.mark.parametrize(
    "args",
    [["forecast"], ["wargame", "run"], ["panel", "merge"], ["backtest", "deu"], ["import"]],
)
def test_the_invoked_command_is_built_in_full_and_the_others_are_stand_ins(
    args: list[str],
) -> None:
    from typer.main import get_command

    from accord.cli import app
    from accord.cli.lazy import only_invoked

    full = _all_help(get_command(app))
    lazy = _all_help(get_command(only_invoked(app, [*args, "--help"])))
    path = "accord " + " ".join(args)
    assert lazy[path] == full[path]
    assert "--" in lazy[path]  # its options are there
    stand_ins = [p for p in full if p.count(" ") == 1 and lazy[p] != full[p]]
    assert stand_ins, "the commands not invoked should be stand-ins without options"
    assert all(p != path for p in stand_ins)


def test_the_forecast_path_builds_no_typer_pydantic_adapters() -> None:
    """Typer from 0.29 coerces every parameter through a pydantic TypeAdapter (0.2-0.4 s per
    start); the pinned Typer does not, so a forecast imports no ``typer._adapters``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    code = (
        "import sys, io, contextlib\n"
        "sys.argv = ['accord', 'forecast', 'scenarios/ktab-d3.yaml', '-m', 'compromise']\n"
        "from accord.cli import main\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in sys.modules if m.startswith('typer._')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    loaded = done.stdout.strip()
    assert "typer._adapters" not in loaded and "typer._coercion" not in loaded, loaded


#: Cells as the command line writes them (plain ASCII), and cells with everything rich treats
#: specially: markup, emoji codes, tabs, an ellipsis and an accent.
_PLAIN = "abcXYZ019 .,-_%()/;"
_ANY = _PLAIN + ":[]…é漢\t\n"


@pytest.mark.parametrize("alphabet", [_PLAIN, _ANY])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_plain_table_is_written_as_rich_writes_it(alphabet: str, data: st.DataObject) -> None:
    """Where :mod:`accord.cli.plain` writes a table itself, rich (through the stdout console,
    which fits tables to the width) writes exactly the same characters; elsewhere rich prints
    it. Up to 6 columns of plain cells always fit (6 x 14 + borders < 120): those are written
    plain, including cells cut to fit their column."""
    from rich.console import Console
    from rich.errors import MarkupError

    from accord.cli.console import FittingConsole
    from accord.cli.plain import PIPE_WIDTH, PlainTable, render

    cell = st.text(alphabet=st.sampled_from(alphabet), max_size=45)
    n = data.draw(st.integers(1, 6 if alphabet == _PLAIN else 9))
    table = PlainTable(title=data.draw(st.none() | cell))
    for header in data.draw(st.lists(cell, min_size=n, max_size=n)):
        table.add_column(header)
    for row in data.draw(st.lists(st.lists(cell, min_size=n, max_size=n), max_size=4)):
        table.add_row(*row)
    buffer = io.StringIO()
    console: Console = FittingConsole(
        file=buffer, highlight=False, soft_wrap=True, width=PIPE_WIDTH
    )
    plain = render([table], {}, PIPE_WIDTH)
    if alphabet == _PLAIN:
        assert plain is not None
    try:
        console.print(table)
    except MarkupError:  # "[/]" in a cell: rich refuses it, and only rich prints it
        assert plain is None
        return
    if plain is not None:
        assert plain == buffer.getvalue()


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(_ANY), max_size=60))
def test_a_plain_line_is_written_as_rich_writes_it(text: str) -> None:
    from rich.console import Console
    from rich.errors import MarkupError

    from accord.cli.plain import render

    buffer = io.StringIO()
    plain = render([text], {}, None)
    try:
        Console(file=buffer, highlight=False, soft_wrap=True).print(text)
    except MarkupError:
        assert plain is None
        return
    if plain is not None:
        assert plain == buffer.getvalue()


def test_the_forecast_table_is_written_plain_and_as_rich_writes_it() -> None:
    """The real tables of ``accord forecast`` (every model, so some cells are cut to fit)."""
    from rich.console import Console

    from accord.cli.console import FittingConsole
    from accord.cli.plain import PIPE_WIDTH, PlainTable, render

    table = PlainTable(title="d3  (rule: none; status quo: -)")
    for header in ("model", "outcome", "80% interval", "allowed", "passes", "blockers"):
        table.add_column(header)
    for model in ("compromise", "median", "agenda_pull"):
        table.add_row(model, "78.784, 47.600, 52.323", "-", "78.784, 47.600, 52.323", "yes", "-")
    table.add_row("smp", "error: " + "x" * 150, "-", "-", "-", "-")
    buffer = io.StringIO()
    console: Console = FittingConsole(
        file=buffer, highlight=False, soft_wrap=True, width=PIPE_WIDTH
    )
    console.print(table)
    plain = render([table], {}, PIPE_WIDTH)
    assert plain is not None and "…" in plain
    assert plain == buffer.getvalue()


def test_a_table_with_rich_options_is_printed_by_rich() -> None:
    """``add_column(..., justify="right")`` (the sensitivity indices): rich prints it, as before."""
    from rich.console import Console
    from rich.table import Table

    from accord.cli.console import FittingConsole
    from accord.cli.plain import PIPE_WIDTH, PlainTable, render

    plain, rich = PlainTable(title="indices"), Table(title="indices")
    for table in (plain, rich):
        table.add_column("input")
        table.add_column("mu*", justify="right")
        table.add_row("capability", "10.25")
    assert render([plain], {}, PIPE_WIDTH) is None
    printed = []
    for table in (plain, rich):
        buffer = io.StringIO()
        console: Console = FittingConsole(
            file=buffer, highlight=False, soft_wrap=True, width=PIPE_WIDTH
        )
        console.print(table)
        printed.append(buffer.getvalue())
    assert printed[0] == printed[1] and "┃   mu* ┃" in printed[0]
