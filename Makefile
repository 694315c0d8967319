# The two set-up commands are `make demo` and `make test`; both build .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# With the Japan-NATO case present, `make demo` writes its case report to reports/demo/report.html
# and the model comparison on the shipped examples to reports/demo/examples/.
JAPAN_NATO := scenarios/japan-nato/scenario.yaml

demo: $(STAMP)
	@if [ -f $(JAPAN_NATO) ]; then \
		$(BIN)/accord demo --out reports/demo/examples && \
		$(BIN)/accord report $(JAPAN_NATO) -o reports/demo --draws 200; \
	else \
		$(BIN)/accord demo --out reports/demo; \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) reports .pytest_cache .mypy_cache .ruff_cache
