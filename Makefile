# Two commands matter: `make demo` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

# Both test targets run the suite on TEST_WORKERS processes (pytest-xdist), each worker one
# module at a time in the order tests/conftest.py gives (modules with slow tests first), and
# print the 20 slowest steps. PYTEST_ARGS passes more, e.g. PYTEST_ARGS="-k marts".
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder \
	--durations=20
BENCH_FILES ?= 10000
BENCH_MONTHS ?= 60
DASHBOARD_PORT ?= 8501
# Where `make airflow-ui` listens: the loopback, never every interface by default.
AIRFLOW_UI_HOST ?= 127.0.0.1
CHROMIUM := /usr/bin/chromium

.PHONY: help setup demo test test-fast lint lock gx-suites dbt-sources bench bench-build bench-publish clean browser dashboard airflow-ui

help:
	@echo "make demo   - set up, generate sample returns, run the pipeline through the Airflow DAGs"
	@echo "make test   - set up and run the whole test suite (what CI runs, after make lint)"
	@echo "make test-fast - the tests not marked slow (no real Airflow, browser, incremental or"
	@echo "               end-to-end runs): the inner loop, under three minutes"
	@echo "make dashboard - the project leads' dashboard on http://127.0.0.1:$(DASHBOARD_PORT) (after make demo)"
	@echo "make lint   - ruff and sqlfluff"
	@echo "make airflow-ui - the Airflow UI on the demo data (http://127.0.0.1:8080; AIRFLOW_UI_HOST to change)"
	@echo "make lock   - recompile requirements.lock from requirements.in"
	@echo "make bench  - ingest benchmark (BENCH_FILES=10000, BENCH_ARGS=\"--batch 2000\")"
	@echo "make bench-build - dbt build benchmark, full and incremental (BENCH_MONTHS=60)"
	@echo "make bench-publish - suppression and publication benchmark on the demo's marts"

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/moc demo

test: $(STAMP) browser
	$(PYTEST) $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PYTEST) -m "not slow" $(PYTEST_ARGS)

# The dashboard tests drive Debian's chromium through Playwright (never `playwright install`).
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the dashboard tests (about a minute)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "No $(CHROMIUM): the dashboard browser tests will be skipped. Install it with"; \
		echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium"; \
	fi

# The Airflow UI on the demo data (after `make demo`): http://localhost:8080, the login is
# printed at start-up. Uses the demo's SQLite metadata DB and this repository's dags/.
# The UI listens on the loopback only: reach it from elsewhere through a proxy (README).
airflow-ui: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" AIRFLOW_HOME="$(CURDIR)/data/airflow" \
	AIRFLOW__API__HOST="$(AIRFLOW_UI_HOST)" \
	AIRFLOW__CORE__DAGS_FOLDER="$(CURDIR)/dags" AIRFLOW__CORE__LOAD_EXAMPLES=False \
	AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$(CURDIR)/data/airflow/airflow.db" \
	MOC_DATA_DIR="$(CURDIR)/data" airflow standalone

dashboard: $(STAMP)
	$(BIN)/python dashboard/run.py --port $(DASHBOARD_PORT) --address 127.0.0.1

# CI runs this before `make test` (.ci/run); the linters are not part of the test suite.
# sqlfluff renders the models with dbt, which opens a warehouse: a scratch one under data/.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p data
	cd dbt_project && MOC_WAREHOUSE_PATH=$${MOC_WAREHOUSE_PATH:-../data/lint.duckdb} ../$(BIN)/sqlfluff lint models

lock:
	$(BIN)/uv pip compile requirements.in --universal --python-version 3.11 -o requirements.lock

gx-suites: $(STAMP)
	$(BIN)/moc gx-suites

dbt-sources: $(STAMP)
	$(BIN)/moc dbt-sources

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest_benchmark.py --files $(BENCH_FILES) $(BENCH_ARGS)

bench-build: $(STAMP)
	$(BIN)/python benchmarks/build_benchmark.py --months $(BENCH_MONTHS)

bench-publish: $(STAMP)
	$(BIN)/python benchmarks/publish_benchmark.py

clean:
	rm -rf data dbt_project/target dbt_project/logs expectations/gx/uncommitted
