"""Run every benchmark script in this folder (``make bench``).

Each ``bench_*.py`` is a standalone script that prints a table and writes its figures as JSON to
``reports/bench/<name>.json``. Pass ``--quick`` to run the short variants.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    extra = sys.argv[1:]
    failures = 0
    for script in sorted(here.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script), *extra], check=False)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
