"""Latency of order submission and turn release on the web workbench: 50 teams at once.

Usage: ``python benchmarks/bench_web.py [--quick] [--teams N] [--turns T] [--orders K]
[--compare DIR]``

For SQLite (a file in a temporary folder) and, when ``ACCORD_TEST_POSTGRES_URL`` is set (see
``scripts/test-services.sh``), PostgreSQL (a fresh schema, dropped afterwards): starts
``accord serve`` as a subprocess on loopback, creates a game with ``N`` one-actor human teams
(default 50, each joining through its invitation), then plays ``T`` turns (default 5): in each,
the ``N`` teams submit ``K`` orders each (default 2) from ``N`` threads at once, then the
facilitator releases the turn (``{"turn": t}``). Every request is timed end to end (HTTP request
to committed rows to reply). Before the first turn each team submits once more, one request at
a time (single-request latency). The report gives p50, p90, p99 and max latency of submissions
and releases per backend and the machine's load average, and checks that every order was stored
exactly once and that each release advanced one turn. With ``--compare DIR`` (another checkout,
e.g. ``/work/main``) each backend runs a second time with the server from ``DIR/src``, right
after, and the report gives the ratios (the other jobs on a shared machine move both alike).
Results go to ``reports/bench/web.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from _common import ROOT, environment, write_report

sys.path.insert(0, str(ROOT))
OUT = ROOT / "reports" / "bench" / "web.json"

from tests.web.server import Server, many_teams_yaml, refresh  # noqa: E402

PASSWORD = "correct horse battery"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``): the server's own
    cost, which unlike latency does not depend on what else runs on the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stats(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000.0
    return {
        "n": int(ms.size),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p90_ms": round(float(np.percentile(ms, 90)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(ms.max()), 2),
    }


def _drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.commit()
    engine.dispose()


def _ratios(new: dict[str, Any], old: dict[str, Any]) -> dict[str, float]:
    """How many times cheaper or faster this checkout is than the compared one (old / new)."""
    pairs = {
        "server_cpu_per_submission": ("server_cpu_ms_per_submission", None),
        "server_cpu_per_release": ("server_cpu_ms_per_release", None),
        "submit_p50": ("submit", "p50_ms"),
        "submit_p99": ("submit", "p99_ms"),
        "release_p50": ("release", "p50_ms"),
        "single_submit_p50": ("single_submit", "p50_ms"),
    }
    out = {}
    for name, (key, sub) in pairs.items():
        a, b = (old[key], new[key]) if sub is None else (old[key][sub], new[key][sub])
        out[name] = round(float(a) / float(b), 2) if b else float("nan")
    return out


def run(
    url: str, schema: str | None, teams: int, turns: int, per_turn: int, src: Path | None = None
) -> dict[str, Any]:
    """One backend: set up the game, then ``turns`` rounds of submissions and a release.

    ``src``: serve the ``accord`` package of that folder instead of this checkout's.
    """
    before = os.environ.get("PYTHONPATH")
    if src is not None:
        os.environ["PYTHONPATH"] = str(src)
    try:
        with Server(url, schema) as server:
            return _play(server, teams, turns, per_turn)
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


def _play(server: Server, teams: int, turns: int, per_turn: int) -> dict[str, Any]:
    """Play the benchmark on a running server."""
    fac = server.client()
    fac.post("/api/setup", json={"username": "fac", "password": PASSWORD})
    refresh(fac)
    text = many_teams_yaml(teams, turns)
    ref = fac.post("/api/library", json={"name": "many.yaml", "text": text}).json()["refs"][0]
    gid = fac.post("/api/games", json={"scenario": ref, "title": "bench"}).json()["id"]
    players = []
    for i in range(teams):
        link = fac.put(f"/api/games/{gid}/seats/t{i:02d}", json={"kind": "human"})
        player = server.client()
        player.post(
            link.json()["invite_url"].replace("/join/", "/api/join/"),
            json={"username": f"u{i}", "password": PASSWORD, "team_name": f"T{i}"},
        )
        refresh(player)
        players.append(player)
    # single-request latency first: each team submits once, one request at a time
    single: list[float] = []
    assert server.process is not None
    cpu0 = _cpu_seconds(server.process.pid)
    for i in range(teams):
        body = {"actor": f"a{i:02d}", "actions": [f"a{i:02d}_calm"], "client_key": "single"}
        t0 = time.perf_counter()
        r = players[i].post(f"/api/games/{gid}/orders", json=body)
        single.append(time.perf_counter() - t0)
        if r.status_code != 201:
            raise RuntimeError(r.text)
    single_cpu = _cpu_seconds(server.process.pid) - cpu0
    submit: list[float] = []
    release: list[float] = []
    lock = threading.Lock()
    ok = True
    assert server.process is not None
    pid = server.process.pid
    submit_cpu = release_cpu = 0.0
    for turn in range(1, turns + 1):
        barrier = threading.Barrier(teams)

        def team(i: int, turn: int = turn, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            for k in range(per_turn):
                body = {
                    "actor": f"a{i:02d}",
                    "actions": [f"a{i:02d}_push" if k % 2 == 0 else f"a{i:02d}_calm"],
                    "client_key": f"{turn}-{k}",
                }
                t0 = time.perf_counter()
                r = players[i].post(f"/api/games/{gid}/orders", json=body)
                with lock:
                    submit.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    raise RuntimeError(r.text)

        cpu0 = _cpu_seconds(pid)
        with ThreadPoolExecutor(max_workers=teams) as pool:
            list(pool.map(team, range(teams)))
        submit_cpu += _cpu_seconds(pid) - cpu0
        cpu0, t0 = _cpu_seconds(pid), time.perf_counter()
        r = fac.post(f"/api/games/{gid}/release", json={"turn": turn})
        release.append(time.perf_counter() - t0)
        release_cpu += _cpu_seconds(pid) - cpu0
        ok = ok and r.status_code == 200 and r.json()["turn"] == turn
    stored = fac.get(f"/api/games/{gid}/orders").json()
    expected = teams * turns * per_turn + teams
    ok = ok and len(stored) == len({o["id"] for o in stored}) == expected
    for c in [fac, *players]:
        c.close()
    return {
        "single_submit": _stats(single),
        "submit": _stats(submit),
        "release": _stats(release),
        "server_cpu_ms_per_submission": round(1000 * submit_cpu / max(1, len(submit)), 2),
        "server_cpu_ms_per_single_submission": round(1000 * single_cpu / max(1, len(single)), 2),
        "server_cpu_ms_per_release": round(1000 * release_cpu / max(1, len(release)), 2),
        "all_stored_once": ok,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--turns", type=int, default=None)
    parser.add_argument("--orders", type=int, default=None, help="orders per team and turn")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument(
        "--compare", type=Path, default=None, help="another checkout to run after this one"
    )
    args = parser.parse_args()
    turns = args.turns or (2 if args.quick else 5)
    per_turn = args.orders or (1 if args.quick else 2)
    result: dict[str, Any] = {"teams": args.teams, "turns": turns, "orders_per_turn": per_turn}
    result["load_average_before"] = os.getloadavg()
    trees: list[tuple[str, Path | None]] = [("", None)]
    if args.compare is not None:
        trees.append(("_compare", (args.compare / "src").resolve()))
        result["compare"] = str(args.compare)
    if args.only != "postgresql":
        for suffix, src in trees:
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{Path(tmp) / 'bench.db'}"
                result["sqlite" + suffix] = run(url, None, args.teams, turns, per_turn, src)
                print("sqlite" + suffix, json.dumps(result["sqlite" + suffix]), flush=True)
    pg = None if args.only == "sqlite" else os.environ.get("ACCORD_TEST_POSTGRES_URL")
    if pg:
        for suffix, src in trees:
            schema = f"accord_bench_{secrets.token_hex(4)}"
            try:
                result["postgresql" + suffix] = run(pg, schema, args.teams, turns, per_turn, src)
                print("postgresql" + suffix, json.dumps(result["postgresql" + suffix]), flush=True)
            finally:
                _drop_schema(pg, schema)
    else:
        result["postgresql"] = "skipped: ACCORD_TEST_POSTGRES_URL is not set"
    for backend in ("sqlite", "postgresql"):
        new, old = result.get(backend), result.get(backend + "_compare")
        if isinstance(new, dict) and isinstance(old, dict):
            result[backend + "_ratio"] = _ratios(new, old)
    result["machine"] = environment()
    write_report(OUT, result)
    print(json.dumps(result, indent=2))
    if not all(
        isinstance(v, dict) and v["all_stored_once"]
        for k, v in result.items()
        if k.split("_")[0] in ("sqlite", "postgresql") and isinstance(v, dict) and "submit" in v
    ):
        raise SystemExit("orders were lost or duplicated, or a release failed")


if __name__ == "__main__":
    main()
