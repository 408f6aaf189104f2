# cspkit: `make demo` runs the whole assessment on the bundled data; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,deploy]'
	touch $(STAMP)

setup: $(STAMP) ## Create the virtual environment and install cspkit with its pinned dependencies

demo: $(STAMP) ## Run the whole assessment on the bundled Central Bedfordshire data
	$(BIN)/cspkit assess demo/assessment.toml

system-deps: ## Install the Debian packages the browser and PostgreSQL tests need (Chromium, PostgreSQL 15)
	bash scripts/install-system-deps.sh

test: $(STAMP) system-deps ## Run the whole test suite (lint, unit, browser, PostgreSQL)
	$(BIN)/ruff check src tests benchmarks
	bash scripts/run-tests.sh

lint: $(STAMP) ## ruff
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP) ## Run the benchmarks at full size (about half an hour; see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_assess.py
	$(BIN)/python benchmarks/bench_survey.py
	$(BIN)/python benchmarks/bench_analysis.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/load_web.py

clean: ## Remove the demo outputs and the virtual environment
	rm -rf $(VENV) demo/output demo/*.duckdb demo/*.parquet demo/*.sqlite3

.PHONY: help setup demo system-deps test lint bench clean
