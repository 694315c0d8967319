"""analyse_case runs the side analyses in a forked process while the Monte Carlo runs here.

The results must be those of running everything one after another (each analysis is seeded on
its own), and a failing child must fall back to computing in the parent.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from accord.analysis.case import can_fork, in_child


def test_in_child_returns_the_result_or_says_it_failed() -> None:
    if not can_fork():
        pytest.skip("this test process cannot fork safely (threads or Numba's pool running)")
    wait = in_child(lambda: {"answer": [42, "x"]})
    assert wait is not None and wait() == (True, {"answer": [42, "x"]})

    def broken() -> None:
        raise RuntimeError("boom")

    wait = in_child(broken)
    assert wait is not None and wait() == (False, None)


def test_forked_and_serial_analyses_agree() -> None:
    # a fresh process: Numba's thread pool has not started, so the fork is taken
    code = (
        "import json\n"
        "from pathlib import Path\n"
        "from accord.analysis import case\n"
        "from accord.scenario.io import load\n"
        "p = Path('tests/data/scenarios/small.yaml')\n"
        "s = load(p)\n"
        "opts = dict(source=p, models='compromise,median,bdm', mc_models='compromise,bdm', draws=30)\n"
        "assert case.can_fork()\n"
        "taken = []\n"
        "real = case.in_child\n"
        "case.in_child = lambda work: taken.append(1) or real(work)\n"
        "a = case.analyse_case(s, parallel=True, **opts).to_json_dict()\n"
        "b = case.analyse_case(s, parallel=False, **opts).to_json_dict()\n"
        "print(json.dumps([len(taken), a == b, sorted(a)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    taken, same, keys = json.loads(out.stdout)
    assert taken == 1 and same
    assert "forecast" in keys and "deadlock" in keys and "montecarlo" in keys
