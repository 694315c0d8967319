"""The package layout the architecture promises (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "accord"

#: Modules still over the limit, each owned by work in progress elsewhere (to be split there).
OVERSIZED = {"report/case_report.py", "analysis/montecarlo.py"}
MAX_LINES = 800


def test_no_module_over_800_lines() -> None:
    over = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert over <= OVERSIZED, sorted(over - OVERSIZED)


def test_cli_is_a_package_and_models_with_engines_are_packages() -> None:
    assert (SRC / "cli" / "__init__.py").exists()
    assert not list(SRC.glob("cli_*.py"))
    for model in ("smp", "bdm"):
        package = SRC / "models" / model
        assert (package / "__init__.py").exists()
        assert {"reference.py", "engine_numpy.py", "engine_numba.py"} <= {
            p.name for p in package.glob("*.py")
        }
        assert not (SRC / "models" / f"{model}.py").exists()
    assert not (SRC / "scale" / "kernels").exists()
