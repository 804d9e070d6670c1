"""Run dbt on the DuckDB warehouse. dbt runs in its own process: it holds the DuckDB write lock
only while it runs, and its failures come back as a clear error with dbt's own output.

dbt never outlives the run that started it: an orphan dbt would keep the warehouse locked and
write to it after its build was recorded as failed. The child is killed when this process raises
(a timeout, Ctrl-C, Airflow's SIGTERM turned into an exception) and, on Linux, by the kernel
when this process dies without raising (SIGKILL, the OOM killer): ``PR_SET_PDEATHSIG``.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from common.atomic import remove_stale_staging
from common.run_lock import run_lock
from common.settings import DBT_PROJECT_DIR, WAREHOUSE_PATH_VARIABLE, Settings
from ingest.ledger import ensure_ledger
from ingest.warehouse import connect, ensure_warehouse_tables
from transform.build_plan import (
    BuildPlan,
    close_abandoned_builds,
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


PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h): a signal for the child when its parent dies


class DbtError(RuntimeError):
    pass


def _die_with_parent(parent_pid: int):
    """A ``preexec_fn``: the child gets SIGKILL when the thread that started it ends, which in
    our runs (the CLI, an Airflow task, ``dag.test()``) is the main thread, so the process.
    prctl is looked up here, in the parent: the child, between fork and exec, only calls it.
    None where there is no prctl (not Linux): the child is then killed on exceptions only."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):
        return None

    def set_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl: nobody will signal
            os._exit(1)

    return set_death_signal


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
        preexec_fn=_die_with_parent(os.getpid()),
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
    except BaseException:
        process.kill()  # not left writing the warehouse after its run gave up
        process.wait()
        raise
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
    site, published next to the extracts. Returns the plan that ran. Holds the data folder's
    run lock (common/run_lock.py) throughout."""
    with run_lock(settings.data_dir, "dbt build", wait=settings.run_lock_wait):
        remove_stale_staging(settings.published_dir)  # a killed build's docs site
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
    marts now stand for are kept for the next one. Holding the data folder's run lock, it first
    closes as failed the builds a killed process left ``running``."""
    with run_lock(settings.data_dir, "dbt build", wait=settings.run_lock_wait):
        return _run_dbt_build(settings, full_refresh, stream=stream, timeout=timeout)


def _run_dbt_build(
    settings: Settings, full_refresh: bool, *, stream: bool, timeout: float | None
) -> BuildPlan:
    with connect(settings.warehouse_path) as con:
        ensure_build_state(con)  # before planning: the plan reads the state
        abandoned = close_abandoned_builds(con)
        plan = plan_build(con, project_fingerprint(), full_refresh=full_refresh)
        build_id = record_start(con, plan)
    for abandoned_id, pid in abandoned:
        print(
            f"dbt build: build {abandoned_id} (pid {pid}) was left running by a process that "
            "is gone: recorded as failed",
            flush=True,
        )
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
