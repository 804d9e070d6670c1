"""Which dbt build the marts need, and the record of the builds that ran.

A build is incremental when it can be: dbt's incremental models recompute only the council-months
whose current return version changed since the last successful build (the dbt model
``int_return_versions_changed`` compares the current versions with ``meta.marts_built_versions``),
and the months whose rolling windows reach them. A full rebuild (``dbt build --full-refresh``)
runs instead when nothing has been built yet, when the dbt project (models, macros, seeds,
settings) or the dbt version differs from the one the marts were last built with, or when asked.

The versions the marts stand for are recorded only after a build succeeds. A failed build leaves
them as they were, so the next build recomputes everything that changed since the last good one.
A build whose process was killed cannot record its failure: it stays ``running`` until the next
build closes it as failed (:func:`close_abandoned_builds`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from common.settings import DBT_PROJECT_DIR

META_SCHEMA = "meta"
BUILDS_TABLE = f"{META_SCHEMA}.marts_builds"
BUILT_VERSIONS_TABLE = f"{META_SCHEMA}.marts_built_versions"
# The dbt model with the current version of every return table per council and period.
CURRENT_VERSIONS_MODEL = "intermediate.int_return_versions_current"
CHANGED_VERSIONS_MODEL = "intermediate.int_return_versions_changed"

# Files of the dbt project that do not change what a build produces.
_NOT_PROJECT_INPUTS = {"target", "logs", "dbt_packages", ".user.yml", "package-lock.yml"}


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    reason: str
    project_fingerprint: str

    @property
    def mode(self) -> str:
        return "full" if self.full_refresh else "incremental"


def ensure_build_state(con: duckdb.DuckDBPyConnection) -> None:
    """The build log and the versions the marts stand for (read by dbt as a source)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {META_SCHEMA}")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {BUILDS_TABLE} ("
        "build_id BIGINT PRIMARY KEY, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, "
        "mode VARCHAR NOT NULL, reason VARCHAR NOT NULL, project_fingerprint VARCHAR NOT NULL, "
        "status VARCHAR NOT NULL, changed_council_months INTEGER)"
    )
    # The process that ran the build (added after the first warehouses were made).
    con.execute(f"ALTER TABLE {BUILDS_TABLE} ADD COLUMN IF NOT EXISTS pid INTEGER")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {BUILT_VERSIONS_TABLE} ("
        "return_table VARCHAR NOT NULL, council_code VARCHAR NOT NULL, period VARCHAR NOT NULL, "
        "ledger_id BIGINT NOT NULL, PRIMARY KEY (return_table, council_code, period))"
    )


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """A hash of everything in the dbt project that shapes the marts, and of the dbt version."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        digest.update(f"{package}=={version(package)}\n".encode())
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if not path.is_file() or relative.parts[0] in _NOT_PROJECT_INPUTS:
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def plan_build(
    con: duckdb.DuckDBPyConnection, fingerprint: str, full_refresh: bool = False
) -> BuildPlan:
    """Full or incremental, and why."""
    if full_refresh:
        return BuildPlan(True, "a full rebuild was asked for", fingerprint)
    last = con.execute(
        f"SELECT project_fingerprint FROM {BUILDS_TABLE} WHERE status = 'succeeded' "
        "ORDER BY build_id DESC LIMIT 1"
    ).fetchone()
    if last is None:
        return BuildPlan(True, "no build has succeeded yet", fingerprint)
    if last[0] != fingerprint:
        return BuildPlan(
            True, "the dbt project or dbt changed since the last successful build", fingerprint
        )
    return BuildPlan(False, "only the returns changed since the last successful build", fingerprint)


def close_abandoned_builds(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int | None]]:
    """Record as failed every build still ``running``; returns their (build_id, pid).

    Call only holding the data folder's run lock (common/run_lock.py), as
    transform.dbt_runner does before it starts a build: then no other build can be running, so
    a ``running`` row is a build whose process died (killed, out of memory, machine down) before
    it could record how it ended. Its marts may be half rebuilt; the versions they stand for
    were not recorded, so the next build redoes its work."""
    return con.execute(
        f"UPDATE {BUILDS_TABLE} SET status = 'failed', finished_at = ? WHERE status = 'running' "
        "RETURNING build_id, pid",
        [_now()],
    ).fetchall()


def record_start(con: duckdb.DuckDBPyConnection, plan: BuildPlan) -> int:
    build_id = con.execute(f"SELECT coalesce(max(build_id), 0) + 1 FROM {BUILDS_TABLE}").fetchone()[
        0
    ]
    con.execute(
        f"INSERT INTO {BUILDS_TABLE} (build_id, started_at, mode, reason, project_fingerprint, "
        "status, pid) VALUES (?, ?, ?, ?, ?, 'running', ?)",
        [build_id, _now(), plan.mode, plan.reason, plan.project_fingerprint, os.getpid()],
    )
    return build_id


def record_failure(con: duckdb.DuckDBPyConnection, build_id: int) -> None:
    con.execute(
        f"UPDATE {BUILDS_TABLE} SET status = 'failed', finished_at = ? WHERE build_id = ?",
        [_now(), build_id],
    )


def record_success(con: duckdb.DuckDBPyConnection, build_id: int) -> int:
    """Mark the build succeeded and keep the return versions it built from; returns how many
    council-months it recomputed because their returns changed."""
    changed = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT council_code, period FROM {CHANGED_VERSIONS_MODEL})"
    ).fetchone()[0]
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {BUILT_VERSIONS_TABLE}")
    con.execute(
        f"INSERT INTO {BUILT_VERSIONS_TABLE} "
        f"SELECT return_table, council_code, period, ledger_id FROM {CURRENT_VERSIONS_MODEL}"
    )
    con.execute(
        f"UPDATE {BUILDS_TABLE} SET status = 'succeeded', finished_at = ?, "
        "changed_council_months = ? WHERE build_id = ?",
        [_now(), changed, build_id],
    )
    con.execute("COMMIT")
    return changed


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
