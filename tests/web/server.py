"""``accord serve`` as a real subprocess on loopback (durability, load and browser tests, and
benchmarks/bench_web.py)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``accord serve --db URL`` on a free port; :meth:`kill` sends SIGKILL."""

    def __init__(self, db_url: str, schema: str | None = None, port: int | None = None) -> None:
        self.db_url = db_url
        self.schema = schema
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> Server:
        cmd = [
            sys.executable,
            "-c",
            "from accord.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            self.db_url,
        ]
        if self.schema:
            cmd += ["--schema", self.schema]
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ)
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"the server exited: {err[-2000:]}")
            try:
                if httpx.get(self.base + "/login", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush -- what a power cut leaves."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def client(self) -> httpx.Client:
        """A client with a session and its CSRF token."""
        client = httpx.Client(base_url=self.base, timeout=30.0)
        refresh(client)
        return client

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def refresh(client: httpx.Client) -> None:
    page = client.get("/login")
    match = _META.search(page.text)
    assert match, "no CSRF token in the page"
    client.headers["X-CSRF-Token"] = match.group(1)


def many_teams_yaml(n: int, turns: int = 3) -> str:
    """A war game with ``n`` one-actor teams, each with two actions (load tests)."""
    lines = [
        "id: many-teams",
        "title: Many teams (load test)",
        f"clock: {{turns: {turns}, turn_length: 1 day}}",
        "teams:",
        *[f"  t{i:02d}: Team {i}" for i in range(n)],
        "actors:",
        *[f"  - {{id: a{i:02d}, name: Actor {i}, team: t{i:02d}}}" for i in range(n)],
        "variables:",
        "  - {id: tension, lo: 0, hi: 1000, initial: 0, assumed: true, reason: load test}",
        "actions:",
    ]
    for i in range(n):
        lines.append(f"  - {{id: a{i:02d}_push, actor: a{i:02d}, effects: {{tension: 1}}}}")
        lines.append(f"  - {{id: a{i:02d}_calm, actor: a{i:02d}, effects: {{tension: -1}}}}")
    lines += ["outcomes:", "  - {id: tense, when: 'tension > 10'}"]
    return "\n".join(lines) + "\n"
