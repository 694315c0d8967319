"""Sweeps: Dask LocalCluster against a synchronous sweep, resume, a killed worker, DuckDB."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.errors import UsageError
from accord.scale.sweep import parse_vary, plan, query, run_sweep
from accord.scale.uncertainty import with_ranges
from accord.scenario.io import load_all
from accord.scenario.schema import Scenario

SCENARIO = Path(__file__).parents[2] / "scenarios" / "emission-standards.yaml"
VARY: dict[str, list[Any]] = {"model": ["bdm"], "q": [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return with_ranges(load_all(SCENARIO)[0], position=0.1, salience=0.1, capability=0.2)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as lc:
        yield lc


def rows(out: Path) -> list[tuple[Any, ...]]:
    return list(query(out, "SELECT * FROM sweep ORDER BY task, draw, dimension"))


def test_parse_vary() -> None:
    assert parse_vary(["model=bdm,compromise", "q=0.5,1", "risk=off"]) == {
        "model": ["bdm", "compromise"],
        "q": [0.5, 1],
        "risk": ["off"],
    }
    with pytest.raises(UsageError):
        parse_vary(["q"])


def test_plan_keys_are_deterministic_and_distinct(scenario: Scenario) -> None:
    a = plan(scenario, VARY, draws=5)
    b = plan(scenario, VARY, draws=5)
    assert [t.key for t in a] == [t.key for t in b]
    assert len({t.key for t in a}) == len(a) == 6
    assert {t.key for t in plan(scenario, VARY, draws=6)}.isdisjoint({t.key for t in a})


@pytest.mark.parametrize(
    ("vary", "text"),
    [
        ({"model": ["bdm"], "victory_model": ["Linear"]}, "no parameter 'victory_model'"),
        ({"model": ["smp"], "victory_model": ["Sqaure"]}, "no value 'Sqaure'"),
        ({"model": ["kremlinology"]}, "unknown model"),
    ],
)
def test_a_bad_point_stops_the_sweep_before_any_work(
    scenario: Scenario, tmp_path: Path, vary: dict[str, list[Any]], text: str
) -> None:
    with pytest.raises(UsageError, match=text) as err:
        run_sweep(scenario, vary, tmp_path, draws=2, scheduler="sync")
    assert err.value.location.field == "vary"
    assert list(tmp_path.iterdir()) == []


def test_sync_sweep_resumes_without_duplicates(scenario: Scenario, tmp_path: Path) -> None:
    first = run_sweep(scenario, VARY, tmp_path, draws=4, scheduler="sync")
    assert (first.total, first.computed) == (6, 6)
    before = rows(tmp_path)
    # interrupted run: lose two part files, rerun: only those two are computed again
    for part in sorted(tmp_path.glob("part-*.parquet"))[:2]:
        part.unlink()
    again = run_sweep(scenario, VARY, tmp_path, draws=4, scheduler="sync")
    assert (again.skipped, again.computed) == (4, 2)
    assert rows(tmp_path) == before
    n = query(tmp_path, "SELECT count(*), count(DISTINCT task) FROM sweep")[0]
    assert n == (6 * 4, 6)  # one issue, one dimension, 4 draws per task
    means = query(tmp_path, "SELECT params, avg(outcome) FROM sweep GROUP BY params ORDER BY 1")
    assert len(means) == 6


def test_local_cluster_equals_sync(scenario: Scenario, tmp_path: Path, cluster: Any) -> None:
    from distributed import Client

    run_sweep(scenario, VARY, tmp_path / "sync", draws=4, scheduler="sync")
    with Client(cluster) as client:
        res = run_sweep(scenario, VARY, tmp_path / "dask", draws=4, scheduler=client)
    assert res.computed == 6
    assert rows(tmp_path / "dask") == rows(tmp_path / "sync")


def test_killed_worker_sweep_completes_without_duplicates(
    scenario: Scenario, tmp_path: Path, cluster: Any
) -> None:
    from distributed import Client

    vary = {"model": ["bdm"], "q": [x / 20 for x in range(10, 21)], "rounds": [6, 8]}
    killed: list[int] = []

    def kill_one(key: str) -> None:
        if killed:
            return
        nanny = next(iter(cluster.workers.values()))
        pid = nanny.process.process.pid
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    with Client(cluster) as client:
        res = run_sweep(scenario, vary, tmp_path, draws=3, scheduler=client, on_result=kill_one)
    assert killed
    total = len(plan(scenario, vary, draws=3))
    assert res.computed == total
    counts = query(tmp_path, "SELECT task, count(*) FROM sweep GROUP BY task")
    assert len(counts) == total
    assert {c for _, c in counts} == {3}
    sync = run_sweep(scenario, vary, tmp_path / "ref", draws=3, scheduler="sync")
    assert sync.computed == total
    assert rows(tmp_path) == rows(tmp_path / "ref")
