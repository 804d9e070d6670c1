"""Run dbt on the DuckDB warehouse. dbt runs in its own process: it holds the DuckDB write lock
only while it runs, and its failures come back as a clear error with dbt's own output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from common.settings import DBT_PROJECT_DIR, WAREHOUSE_PATH_VARIABLE, Settings
from ingest.ledger import ensure_ledger
from ingest.warehouse import connect, ensure_warehouse_tables
from transform.build_plan import (
    BuildPlan,
    ensure_build_state,
    plan_build,
    project_fingerprint,
    record_failure,
    record_start,
    record_success,
)
from transform.docs_site import publish_docs_site
from transform.marts_snapshot import publish_marts_snapshot

# dbt's unit tests check a model's SQL against fixed inputs: they test the code, not the data,
# so the test suite runs them once (tests/test_dbt_unit_tests.py) and a build of the marts leaves
# them out, as dbt recommends for production runs. Its data tests check the data, and every
# build runs them.
UNIT_TESTS_EXCLUDED = ("--exclude-resource-type", "unit_test")


class DbtError(RuntimeError):
    pass


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env[WAREHOUSE_PATH_VARIABLE] = str(settings.warehouse_path)  # profiles.yml reads it
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    return env


def dbt_vars(settings: Settings) -> str:
    """The project's run-time vars, as ``--vars`` takes them: the plausible-period window's
    first and last months, which dim_months spans (its one home is common.periods)."""
    window = settings.plausible_window()
    return json.dumps({"first_period": window.first, "last_period": window.last})


def ensure_sources(settings: Settings) -> None:
    """Every table the dbt project reads as a source exists, empty when nothing has written it
    yet: intake's ledger and raw tables (their one definition is ingest's) and the record of
    mart builds (transform.build_plan), so no dbt run fails on a missing source."""
    with connect(settings.warehouse_path) as con:
        ensure_ledger(con)
        ensure_warehouse_tables(con)
        ensure_build_state(con)


def run_dbt(
    settings: Settings, *args: str, stream: bool = True, timeout: float | None = None
) -> str:
    """Run ``dbt <args>`` against the settings' warehouse (its sources made sure of first);
    raise DbtError on failure, or when ``timeout`` (seconds) is given and dbt runs longer (it
    is killed)."""
    ensure_sources(settings)
    dbt_dir = settings.data_dir / "dbt"
    command = [
        dbt_executable(),
        "--no-use-colors",
        *args,
        "--vars",
        dbt_vars(settings),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(dbt_dir / "target"),
        "--log-path",
        str(dbt_dir / "logs"),
    ]
    process = subprocess.Popen(
        command,
        cwd=DBT_PROJECT_DIR,
        env=dbt_environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    timer = threading.Timer(timeout, process.kill) if timeout is not None else None
    if timer is not None:
        timer.start()
    lines = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if stream:
                print(line, end="", flush=True)
        process.wait()
    finally:
        if timer is not None:
            timer.cancel()
    if process.returncode != 0:
        tail = "".join(lines[-40:])
        raise DbtError(f"dbt {' '.join(args)} failed (exit {process.returncode}):\n{tail}")
    return "".join(lines)


def build_marts(settings: Settings, full_refresh: bool = False) -> BuildPlan:
    """Seeds, models and data tests, in DAG order: incremental when it can be,
    in full when it must be or ``full_refresh`` asks (transform/build_plan.py). Then the docs
    site, published next to the extracts. Returns the plan that ran."""
    plan = run_dbt_build(settings, full_refresh=full_refresh)
    publish_marts_snapshot(settings)  # the dashboard reads this copy, never the warehouse
    run_dbt(settings, "docs", "generate", stream=False)
    publish_docs_site(settings)
    return plan


def run_dbt_build(
    settings: Settings,
    full_refresh: bool = False,
    *,
    stream: bool = True,
    timeout: float | None = None,
) -> BuildPlan:
    """``dbt build`` without the unit tests (UNIT_TESTS_EXCLUDED), incremental or full as
    mart_builds plans it, recorded in the build log; after a success, the return versions the
    marts now stand for are kept for the next one."""
    with connect(settings.warehouse_path) as con:
        ensure_build_state(con)  # before planning: the plan reads the state
        plan = plan_build(con, project_fingerprint(), full_refresh=full_refresh)
        build_id = record_start(con, plan)
    if stream:
        print(f"dbt build: {plan.mode} ({plan.reason})", flush=True)
    try:
        full_refresh_args = ["--full-refresh"] if plan.full_refresh else []
        run_dbt(
            settings,
            "build",
            *UNIT_TESTS_EXCLUDED,
            *full_refresh_args,
            stream=stream,
            timeout=timeout,
        )
    except BaseException:
        with connect(settings.warehouse_path) as con:
            record_failure(con, build_id)
        raise
    with connect(settings.warehouse_path) as con:
        changed = record_success(con, build_id)
    if stream:
        print(f"dbt build: {changed} council-month(s) had new or corrected returns", flush=True)
    return plan
