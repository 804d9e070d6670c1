"""Which build the marts need (full or incremental), and the record of builds.

No dbt here: the dbt models the record reads are stood in for by plain tables. The incremental
path itself, with real dbt builds, is tests/test_incremental_build.py.
"""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from common.settings import DBT_PROJECT_DIR
from transform.build_plan import (
    BUILDS_TABLE,
    BUILT_VERSIONS_TABLE,
    close_abandoned_builds,
    ensure_build_state,
    plan_build,
    project_fingerprint,
    record_failure,
    record_start,
    record_success,
)


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        ensure_build_state(connection)
        # what dbt's int_return_versions_current and _changed hold after a build
        connection.execute("create schema intermediate")
        connection.execute(
            "create table intermediate.int_return_versions_current as select * from (values "
            "('establishments', '821', '2024-01', 3), ('establishments', '821', '2024-02', 9), "
            "('pay_scales', '821', '2024-02', 9)) v(return_table, council_code, period, ledger_id)"
        )
        connection.execute(
            "create table intermediate.int_return_versions_changed as select * from (values "
            "('establishments', '821', '2024-02', 9, 4), ('pay_scales', '821', '2024-02', 9, 4))"
            " v(return_table, council_code, period, ledger_id, built_ledger_id)"
        )
        yield connection


def _builds(con) -> list[tuple]:
    return con.execute(
        f"select mode, status, changed_council_months from {BUILDS_TABLE} order by build_id"
    ).fetchall()


def test_the_first_build_is_full(con):
    plan = plan_build(con, "abc")
    assert plan.full_refresh and plan.mode == "full"
    assert "no build has succeeded" in plan.reason


def test_after_a_successful_build_of_the_same_project_the_next_is_incremental(con):
    record_success(con, record_start(con, plan_build(con, "abc")))
    plan = plan_build(con, "abc")
    assert not plan.full_refresh and plan.mode == "incremental"


def test_a_changed_project_or_dbt_rebuilds_in_full(con):
    record_success(con, record_start(con, plan_build(con, "abc")))
    plan = plan_build(con, "def")
    assert plan.full_refresh
    assert "dbt project or dbt changed" in plan.reason


def test_a_full_rebuild_can_be_asked_for(con):
    record_success(con, record_start(con, plan_build(con, "abc")))
    assert plan_build(con, "abc", full_refresh=True).full_refresh


def test_a_failed_full_rebuild_is_full_again_next_time(con):
    """The fingerprint that counts is the last successful build's."""
    record_success(con, record_start(con, plan_build(con, "abc")))
    record_failure(con, record_start(con, plan_build(con, "def")))
    assert plan_build(con, "def").full_refresh


def test_success_keeps_the_versions_built_from_and_counts_changed_council_months(con):
    changed = record_success(con, record_start(con, plan_build(con, "abc")))
    assert changed == 1  # two tables of one council-month
    assert con.execute(f"select * from {BUILT_VERSIONS_TABLE} order by all").fetchall() == [
        ("establishments", "821", "2024-01", 3),
        ("establishments", "821", "2024-02", 9),
        ("pay_scales", "821", "2024-02", 9),
    ]
    assert _builds(con) == [("full", "succeeded", 1)]


def test_a_failed_build_leaves_the_versions_built_from_as_they_were(con):
    record_success(con, record_start(con, plan_build(con, "abc")))
    before = con.execute(f"select * from {BUILT_VERSIONS_TABLE} order by all").fetchall()
    con.execute(
        "insert into intermediate.int_return_versions_current values ('workforce', '822', "
        "'2024-03', 12)"
    )
    record_failure(con, record_start(con, plan_build(con, "abc")))
    assert con.execute(f"select * from {BUILT_VERSIONS_TABLE} order by all").fetchall() == before
    assert _builds(con) == [("full", "succeeded", 1), ("incremental", "failed", None)]


def test_a_build_left_running_by_a_dead_process_is_closed_as_failed(con):
    """What the next build does first, holding the run lock (the kill itself:
    tests/test_crash_safety.py)."""
    record_success(con, record_start(con, plan_build(con, "abc")))
    abandoned = record_start(con, plan_build(con, "abc"))  # its process was killed here
    assert close_abandoned_builds(con) == [(abandoned, os.getpid())]
    assert _builds(con) == [("full", "succeeded", 1), ("incremental", "failed", None)]
    assert close_abandoned_builds(con) == []
    finished = con.execute(
        f"select finished_at from {BUILDS_TABLE} where build_id = ?", [abandoned]
    ).fetchone()[0]
    assert finished is not None
    assert not plan_build(con, "abc").full_refresh  # the last good build still counts


def test_a_warehouse_from_before_the_pid_column_gains_it(tmp_path):
    with duckdb.connect(str(tmp_path / "old.duckdb")) as old:
        old.execute("create schema meta")
        old.execute(
            f"create table {BUILDS_TABLE} (build_id BIGINT PRIMARY KEY, started_at TIMESTAMP NOT "
            "NULL, finished_at TIMESTAMP, mode VARCHAR NOT NULL, reason VARCHAR NOT NULL, "
            "project_fingerprint VARCHAR NOT NULL, status VARCHAR NOT NULL, "
            "changed_council_months INTEGER)"
        )
        old.execute(
            f"insert into {BUILDS_TABLE} values "
            "(1, now(), null, 'full', 'r', 'abc', 'running', null)"
        )
        ensure_build_state(old)
        assert close_abandoned_builds(old) == [(1, None)]


def test_the_fingerprint_follows_models_macros_seeds_and_settings_only(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    original = project_fingerprint(project)
    assert project_fingerprint(project) == original

    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("a log line")
    assert project_fingerprint(project) == original  # dbt's own output is not an input

    seed = project / "seeds" / "members.csv"
    seed.write_text(seed.read_text() + "\n")
    assert project_fingerprint(project) != original
