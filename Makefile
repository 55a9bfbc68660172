# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install demo test test-cold test-all lint bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/optimizer demo

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# what CI runs (.ci/run): the suite with every cache under HOME empty, as on a new machine
test-cold: $(STAMP) browser
	scripts/with-empty-caches $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-all: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "slow or not slow" $(PYTEST_ARGS)

browser:
	bash scripts/ensure-chromium.sh

# Benchmarks vs PyMC-Marketing & co. (tens of minutes; BENCH_QUICK=1 for a smoke run that
# leaves docs/benchmarks.md alone). Installs the optional `bench` extra into the same venv.
BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	rm -f $(VENV)/.bench-*
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	BENCH_QUICK=$(BENCH_QUICK) $(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check optimizer tests bench notebooks
	$(BIN)/ruff format --check optimizer tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
