"""Shared fixtures: paths to the reference data and a helper that runs the CLI in-process."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SCENARIOS = ROOT / "scenarios"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run ``accord ARGS`` through the real entry point and capture its exit code and output."""
    from accord.cli import main

    def run(*args: str | Path) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["accord", *map(str, args)])
        capsys.readouterr()
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Hash passwords with the cheapest argon2id parameters in the test process.

    The production parameters cost about 0.2 s of CPU per hash by design, and the web tests sign
    up and sign in thousands of times. Same algorithm and code path; servers started as separate
    processes (the kill -9 and live-server tests) keep the production parameters.
    """
    try:
        from argon2 import PasswordHasher

        from accord.web import auth
    except ImportError:  # the web extra is not installed
        yield
        return
    production = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    auth._dummy.clear()
    yield
    auth._hasher = production
    auth._dummy.clear()
