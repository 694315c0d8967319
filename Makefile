# The two set-up commands are `make demo` and `make test`; both build .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint docs venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The main job: the Japan-NATO case report (forecasts under the real rules, deadlock, package deals,
# perception gaps, programmes, Monte Carlo) in reports/demo/report.html, and every model on the
# shipped examples in reports/demo/examples/.
demo: $(STAMP)
	$(BIN)/accord demo --out reports/demo/examples
	$(BIN)/accord report scenarios/japan-nato/scenario.yaml -o reports/demo --draws 200

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/mypy scripts
	$(BIN)/lint-imports

# The documentation site (MkDocs Material, mkdocs.yml): strict, offline, into site/.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) reports .pytest_cache .mypy_cache .ruff_cache

# Hostile-input fuzzing (issue 15): the suite runs a few examples; this runs many.
.PHONY: fuzz
fuzz: $(STAMP)
	ACCORD_FUZZ_EXAMPLES=500 $(BIN)/python -m pytest -m fuzz tests/unit/test_fuzz.py
