"""Parameter sweeps on Dask distributed, streamed to Parquet, resumable.

A sweep is the Cartesian product of the varied parameters (``model`` picks the model; every
other name is a model parameter) times the scenario's issues. Each (point, issue) is one task:
``draws`` Monte Carlo draws of the issue's uncertain inputs (:mod:`accord.scale.uncertainty`)
run through :func:`accord.scale.batch.run_batch`. The draws depend only on ``(seed, issue)``,
so every point sees the same draws (common random numbers).

Robustness: a task's key is a hash of everything that determines its result (scenario content,
issue, model, parameters, draws, seed), and its rows go to ``part-<key>.parquet`` in the output
directory, written by the client to a temporary name and renamed, so a part file is either
complete or absent. A rerun skips every task whose part file exists: an interrupted sweep resumes
with nothing lost or duplicated. Dask reschedules the tasks of a worker that dies (``retries``),
and each key's result is written once. Query the directory with :func:`query` (DuckDB) or any
Parquet reader.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accord.errors import UsageError
from accord.models.registry import get_model
from accord.rng import make_rng
from accord.scale.batch import run_batch
from accord.scale.uncertainty import draw_batch
from accord.scenario.arrays import issue_arrays
from accord.scenario.schema import Scenario

#: Columns of every part file.
COLUMNS = ("task", "issue", "model", "params", "draw", "dimension", "outcome")


@dataclass(frozen=True)
class SweepTask:
    """One (point, issue) of a sweep; ``key`` is its deterministic id."""

    key: str
    issue: str
    model: str
    params: tuple[tuple[str, Any], ...]
    draws: int
    seed: int

    @property
    def params_json(self) -> str:
        """The parameters as canonical JSON (sorted keys), as stored in the part files."""
        return json.dumps(dict(self.params), sort_keys=True)


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did: its output directory, total tasks, and those skipped or computed."""

    out: Path
    total: int
    skipped: int
    computed: int


def parse_value(text: str) -> Any:
    """``"3"`` -> 3, ``"0.5"`` -> 0.5, ``"true"`` -> True, anything else stays a string."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.strip()


def parse_vary(items: Sequence[str]) -> dict[str, list[Any]]:
    """``["model=bdm,compromise", "q=0.5,1"]`` -> ``{"model": [...], "q": [0.5, 1]}``."""
    out: dict[str, list[Any]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise UsageError(f"--vary {item!r}", field="vary", expected="PARAM=VALUE[,VALUE...]")
        out[name.strip()] = [parse_value(v) for v in values.split(",") if v.strip()]
    return out


def plan(
    scenario: Scenario,
    vary: Mapping[str, Sequence[Any]],
    draws: int = 100,
    seed: int = 0,
    model: str = "compromise",
    issues: Sequence[str] | None = None,
) -> list[SweepTask]:
    """Every task of the sweep, in a deterministic order."""
    if draws < 1:
        raise UsageError(f"draws is {draws}", field="draws", expected="an integer >= 1")
    content = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
    names = sorted(vary)
    issue_ids = list(issues) if issues else [i.id for i in scenario.issues]
    tasks: list[SweepTask] = []
    for values in itertools.product(*(list(vary[n]) for n in names)):
        point = dict(zip(names, values, strict=True))
        chosen = str(point.pop("model", model))
        params = tuple(sorted(point.items()))
        for issue in issue_ids:
            ident = json.dumps([content, issue, chosen, params, draws, seed], default=str)
            key = "sweep-" + hashlib.sha256(ident.encode()).hexdigest()[:20]
            tasks.append(SweepTask(key, issue, chosen, params, draws, seed))
    return tasks


def check_points(scenario: Scenario, tasks: Sequence[SweepTask]) -> None:
    """Run every distinct (model, parameters) point once to check it.

    Run every distinct (model, parameters) point once, on the first issue as written, so that
    an unknown model, parameter or value stops the sweep here with a clear error instead of
    failing on the workers.
    """
    seen: set[tuple[str, str]] = set()
    for task in tasks:
        if (task.model, task.params_json) in seen:
            continue
        seen.add((task.model, task.params_json))
        try:
            spec = get_model(task.model)
            spec.run(issue_arrays(scenario, task.issue), dict(task.params), make_rng(0))
        except UsageError as err:
            point = ", ".join(f"{k}={v}" for k, v in (("model", task.model), *task.params))
            raise UsageError(
                f"sweep point {point}: {err.message}", field="vary", expected=err.expected
            ) from None


def issue_seed(seed: int, issue: str) -> np.random.SeedSequence:
    """The draws' seed: depends on the sweep seed and the issue only."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(issue.encode()),))


def run_task(scenario_json: str, task: SweepTask) -> dict[str, list[Any]]:
    """Compute one task's rows (runs on a worker)."""
    scenario = Scenario.model_validate_json(scenario_json)
    batch, _ = draw_batch(scenario, task.issue, task.draws, issue_seed(task.seed, task.issue))
    outcomes = run_batch(
        task.model, batch, dict(task.params), issue_seed(task.seed + 1, task.issue)
    )
    b, m = outcomes.shape
    return {
        "task": [task.key] * (b * m),
        "issue": [task.issue] * (b * m),
        "model": [task.model] * (b * m),
        "params": [task.params_json] * (b * m),
        "draw": np.repeat(np.arange(b), m).tolist(),
        "dimension": np.tile(np.arange(m), b).tolist(),
        "outcome": outcomes.reshape(-1).tolist(),
    }


def part_path(out: Path, key: str) -> Path:
    """The part file of task ``key`` under ``out``."""
    return out / f"part-{key}.parquet"


def write_part(out: Path, key: str, rows: Mapping[str, list[Any]]) -> Path:
    """Write one task's rows atomically (temporary file, then rename)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: rows[name] for name in COLUMNS})
    final = part_path(out, key)
    tmp = out / f".{final.name}.tmp-{os.getpid()}"
    pq.write_table(table, tmp)
    os.replace(tmp, final)
    return final


def run_sweep(
    scenario: Scenario,
    vary: Mapping[str, Sequence[Any]],
    out: Path,
    *,
    draws: int = 100,
    seed: int = 0,
    model: str = "compromise",
    scheduler: Any = "local",
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
    on_result: Callable[[str], None] | None = None,
) -> SweepResult:
    """Run a sweep and stream its rows to ``out/part-*.parquet``.

    Args:
        scenario: the scenario whose issues are swept.
        vary: parameter name -> values (``model`` picks the model; see the module docstring).
        out: the output directory of the part files.
        draws: Monte Carlo draws per task.
        seed: the seed of the draws (common to every point).
        model: the model where ``vary`` names none.
        scheduler: ``"local"`` (a Dask LocalCluster with ``workers`` processes), ``"sync"``
            (in this process, no Dask), a scheduler address ``"tcp://HOST:PORT"``, or a
            ``distributed.Client``.
        workers: worker processes of the local cluster.
        progress: called with ``(done, total)`` tasks as they finish.
        on_result: called with each task key after its part file is written.
    """
    out.mkdir(parents=True, exist_ok=True)
    tasks = plan(scenario, vary, draws, seed, model)
    check_points(scenario, tasks)
    todo = [t for t in tasks if not part_path(out, t.key).exists()]
    skipped = len(tasks) - len(todo)
    done = skipped
    total = len(tasks)
    if progress is not None:
        progress(done, total)
    text = scenario.model_dump_json()

    def finish(key: str, rows: Mapping[str, list[Any]]) -> None:
        nonlocal done
        write_part(out, key, rows)
        done += 1
        if progress is not None:
            progress(done, total)
        if on_result is not None:
            on_result(key)

    if scheduler == "sync":
        for task in todo:
            finish(task.key, run_task(text, task))
        return SweepResult(out, total, skipped, len(todo))

    from distributed import Client, LocalCluster, as_completed

    own_cluster = None
    if isinstance(scheduler, Client):
        client = scheduler
        own_client = False
    else:
        if scheduler == "local":
            # Each worker process gets its share of the cores for the compiled kernels'
            # threads, so that workers x Numba threads does not oversubscribe the machine.
            share = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
            own_cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                env={"NUMBA_NUM_THREADS": share},
                # A task's error reaches the client, which reports it; the workers' own log of
                # it (with a traceback) would only repeat it.
                silence_logs=logging.CRITICAL,
            )
            address: Any = own_cluster
        elif isinstance(scheduler, str) and "://" in scheduler:
            address = scheduler
        else:
            raise UsageError(
                f"scheduler {scheduler!r}",
                field="scheduler",
                expected="local, sync or tcp://HOST:PORT",
            )
        client = Client(address)  # type: ignore[no-untyped-call]
        own_client = True
    try:
        futures = [
            client.submit(run_task, text, task, key=task.key, retries=3, pure=False)
            for task in todo
        ]
        written: set[str] = set()
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            key = str(future.key)
            if key in written:
                continue
            finish(key, future.result())
            written.add(key)
            future.release()
    finally:
        if own_client:
            client.close()  # type: ignore[no-untyped-call]
        if own_cluster is not None:
            own_cluster.close()
    return SweepResult(out, total, skipped, len(todo))


def query(out: Path, sql: str = "SELECT * FROM sweep ORDER BY task, draw, dimension") -> Any:
    """Run ``sql`` with DuckDB over the part files (as the view ``sweep``).

    Returns a relation's rows as a list of tuples.
    """
    import duckdb

    con = duckdb.connect()
    try:
        pattern = str(out / "part-*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW sweep AS SELECT * FROM read_parquet('{pattern}')")
        return con.execute(sql).fetchall()
    finally:
        con.close()
