"""Fuzz the inputs (issue 15): scenario YAML, BDM CSV and war-game files built from the shipped
examples and mutated by Hypothesis (random bytes, numbers at the float limits, wrong types, deep
nesting). Every run must end with exit 0 or a clean refusal: exit 2 and one line saying what was
expected, within 30 s and under 2 GB.

The suite runs a few examples per test (``ACCORD_FUZZ_EXAMPLES``, default 8); ``make fuzz`` runs
the same tests (marker ``fuzz``) with many more.
"""

from __future__ import annotations

import math
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CliResult

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "scenarios" / "small.yaml"
TINY = ROOT / "scenarios" / "wargame-tiny.yaml"
CSV_HEADER = "Actor,Capability,Position,Salience"

EXAMPLES = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "8"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=EXAMPLES <= 8,  # the suite's short run is the same every time
)

Run = Callable[..., CliResult]
pytestmark = pytest.mark.fuzz

#: Values that do not belong, or sit at the edges of what a float can hold.
HOSTILE: list[Any] = [
    0.0,
    -0.0,
    1e308,
    -1e308,
    5e-324,
    1e15,
    1.0000001e15,
    math.nan,
    math.inf,
    -math.inf,
    10**400,
    -1,
    True,
    False,
    None,
    "",
    "50",
    "1_000",
    "\x00",
    "\x1b[31mred",
    "x" * 2000,
    [],
    {},
    [1, [2, [3]]],
    {"value": 1},
]


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


hostile_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.text(max_size=30),
    st.integers(min_value=20, max_value=200).map(nested),
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in plain data."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(paths(value, (*prefix, index)))
    return found


def mutate(data: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        copy = dict(data)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = mutate(data[head], rest, value, delete)
        return copy
    copy_list = list(data)
    copy_list[head] = mutate(data[head], rest, value, delete)
    return copy_list


@st.composite
def mutated_yaml(draw: st.DrawFn, base: Path) -> bytes:
    """The base file with one value replaced (or removed), or random bytes spliced in."""
    text = base.read_text(encoding="utf-8")
    how = draw(st.sampled_from(["value", "value", "value", "bytes", "raw"]))
    if how == "raw":
        return draw(st.binary(max_size=300))
    if how == "bytes":
        raw = text.encode()
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=20)) + raw[at:]
    data = yaml.safe_load(text)
    path = draw(st.sampled_from(paths(data)))
    value = draw(hostile_values)
    out = mutate(data, path, value, delete=draw(st.booleans()))
    try:
        return yaml.safe_dump(out, allow_unicode=True).encode()
    except (yaml.YAMLError, RecursionError, OverflowError):
        return text.encode()


cells = st.one_of(
    st.sampled_from(["1", "0", "-1", "0.5", "1e308", "1e400", "nan", "inf", "1_000", "0x10", ""]),
    st.floats().map(repr),
    st.text(max_size=12),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    rows = draw(st.lists(st.lists(cells, min_size=3, max_size=6), min_size=0, max_size=6))
    names = [f'"a{i}"' if i % 2 else f"a{i}" for i in range(len(rows))]
    body = "".join(name + "," + ",".join(row) + "\n" for name, row in zip(names, rows, strict=True))
    text = CSV_HEADER + "\n" + body
    if draw(st.booleans()):
        text = "\ufeff" + text.replace("\n", "\r\n")
    return text.encode("utf-8", "surrogatepass")


def clean(result: CliResult, elapsed: float) -> None:
    """Exit 0, or exit 2 with one line that says what was expected; within 30 s, under 2 GB."""
    assert elapsed < 30, elapsed
    assert result.code in (0, 2), (result.code, result.stderr)
    if result.code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: ") and "(expected " in lines[0], lines[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    assert peak < 2 * 1024**3, peak


def timed(run_cli: Run, *args: Any) -> tuple[CliResult, float]:
    start = time.monotonic()
    result = run_cli(*args)
    return result, time.monotonic() - start


@FUZZ
@given(data=mutated_yaml(SMALL))
def test_fuzz_scenario_yaml(run_cli: Run, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    result, elapsed = timed(run_cli, "validate", path)
    clean(result, elapsed)
    if result.code == 0:
        result, elapsed = timed(run_cli, "forecast", path, "-m", "compromise,median,nash")
        clean(result, elapsed)


@FUZZ
@given(data=csv_files())
def test_fuzz_bdm_csv(run_cli: Run, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    result, elapsed = timed(run_cli, "forecast", path, "-m", "compromise,median,bdm", "-f", "json")
    clean(result, elapsed)


@FUZZ
@given(data=mutated_yaml(TINY))
def test_fuzz_wargame(run_cli: Run, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz-game.yaml"
    path.write_bytes(data)
    result, elapsed = timed(run_cli, "wargame", "run", path, "--runs", "2", "-f", "json")
    clean(result, elapsed)
