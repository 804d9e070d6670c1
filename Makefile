# Two commands matter: `make demo` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

BENCH_FILES ?= 10000

.PHONY: help setup demo test lint lock gx-suites bench clean

help:
	@echo "make demo   - set up, generate sample returns, run the pipeline through the Airflow DAGs"
	@echo "make test   - set up and run the whole test suite"
	@echo "make lint   - ruff and sqlfluff"
	@echo "make lock   - recompile requirements.lock from requirements.in"
	@echo "make bench  - ingest benchmark (BENCH_FILES=10000, BENCH_ARGS=\"--batch 2000\")"

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/moc demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && MOC_WAREHOUSE_PATH=$${MOC_WAREHOUSE_PATH:-../data/lint.duckdb} ../$(BIN)/sqlfluff lint models

lock:
	$(BIN)/uv pip compile requirements.in --universal --python-version 3.11 -o requirements.lock

gx-suites: $(STAMP)
	$(BIN)/moc gx-suites

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest_benchmark.py --files $(BENCH_FILES) $(BENCH_ARGS)

clean:
	rm -rf data dbt_project/target dbt_project/logs expectations/gx/uncommitted
