"""The package layout the architecture promises (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "accord"

ROOT = Path(__file__).parents[2]
MAX_LINES = 800


def test_no_module_over_800_lines() -> None:
    over = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert not over, sorted(over)


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


def _make_recipe(target: str) -> list[str]:
    """The command lines of one Makefile target."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_make_lint_runs_ruff_mypy_and_import_linter() -> None:
    recipe = " ; ".join(_make_recipe("lint"))
    for tool in ("ruff check src", "ruff format --check", "mypy", "lint-imports"):
        assert tool in recipe, (tool, recipe)


def test_import_contracts_excuse_no_import() -> None:
    """The layers hold without exceptions (issue 17): no ``ignore_imports`` in the contracts."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert contracts
    assert [c["name"] for c in contracts if c.get("ignore_imports")] == []
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    assert layers.index("forecast") < layers.index("intervals")


def test_import_contracts_are_kept() -> None:
    """``lint-imports`` (what ``make lint`` runs) passes on this tree."""
    import os
    import subprocess
    import sys

    tool = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [str(tool), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
