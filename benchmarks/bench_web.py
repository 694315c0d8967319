"""Latency of order submission on the web workbench: 20 teams submitting concurrently.

Usage: ``python benchmarks/bench_web.py [--quick] [--orders N] [--db URL]``

Starts ``accord serve`` as a subprocess on loopback (SQLite in a temporary folder unless
``--db`` names a database), creates a game with 20 one-actor human teams (each joining through
its invitation), then has the 20 teams submit ``N`` orders each (default 25; ``--quick``: 5)
from 20 threads at once. Every submission is timed end to end (HTTP request to committed row to
reply); the report gives p50, p90, p99 and max latency, the throughput, and checks that every
order was stored exactly once. Results go to ``reports/bench/web.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from _common import ROOT, environment, write_report

sys.path.insert(0, str(ROOT))
OUT = ROOT / "reports" / "bench" / "web.json"

from tests.web.server import Server, many_teams_yaml, refresh  # noqa: E402

PASSWORD = "correct horse battery"
TEAMS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--orders", type=int, default=None)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    per_team = args.orders or (5 if args.quick else 25)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with Server(url) as server:
            fac = server.client()
            fac.post("/api/setup", json={"username": "fac", "password": PASSWORD})
            refresh(fac)
            ref = fac.post(
                "/api/library", json={"name": "many.yaml", "text": many_teams_yaml(TEAMS)}
            ).json()["refs"][0]
            gid = fac.post("/api/games", json={"scenario": ref, "title": "bench"}).json()["id"]
            players = []
            for i in range(TEAMS):
                link = fac.put(f"/api/games/{gid}/seats/t{i:02d}", json={"kind": "human"})
                player = server.client()
                player.post(
                    link.json()["invite_url"].replace("/join/", "/api/join/"),
                    json={"username": f"u{i}", "password": PASSWORD, "team_name": f"T{i}"},
                )
                refresh(player)
                players.append(player)
            barrier = threading.Barrier(TEAMS)

            def team(i: int) -> list[float]:
                times = []
                barrier.wait()
                for k in range(per_team):
                    body = {
                        "actor": f"a{i:02d}",
                        "actions": [f"a{i:02d}_push"],
                        "client_key": f"{i}-{k}",
                    }
                    t0 = time.perf_counter()
                    r = players[i].post(f"/api/games/{gid}/orders", json=body)
                    times.append(time.perf_counter() - t0)
                    if r.status_code != 201:
                        raise RuntimeError(r.text)
                return times

            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=TEAMS) as pool:
                lat = np.array([t for ts in pool.map(team, range(TEAMS)) for t in ts])
            wall = time.perf_counter() - t0
            stored = fac.get(f"/api/games/{gid}/orders").json()
            ok = len(stored) == len({o["id"] for o in stored}) == TEAMS * per_team
    ms = lat * 1000.0
    result = {
        "teams": TEAMS,
        "orders_per_team": per_team,
        "orders": int(lat.size),
        "database": "sqlite" if args.db is None else args.db.split(":", 1)[0],
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p90_ms": round(float(np.percentile(ms, 90)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(ms.max()), 2),
        "orders_per_s": round(lat.size / wall, 1),
        "all_stored_once": ok,
        "machine": environment(),
    }
    write_report(OUT, result)
    print(json.dumps(result, indent=2))
    if not ok:
        raise SystemExit("orders were lost or duplicated")


if __name__ == "__main__":
    main()
