"""Publish a read-only snapshot of the marts for the dashboard (and anyone else who looks).

DuckDB allows one writer per file, and a writer's lock also stops read-only opens, so the
dashboard never reads the warehouse. After ``dbt build``, :func:`publish_marts_snapshot` copies
into a separate DuckDB file, the ``marts_snapshot`` setting (default
``<published_dir>/marts/marts_snapshot.duckdb``):

- every table of the ``marts`` schema (facts and dimensions) and of the ``reference`` schema
  (the seeds: members, roles, service areas, mappings, agency caps), under the same names, so
  a new mart (the agency rules' breach register ``fct_agency_cap_breaches``, which the
  dashboard's Agency rules page reads, and the marts that follow it) is in the snapshot from
  its first build with no change here;
- ``ledger.files``, column by column (it holds no personal data: file names, checksums,
  statuses, counts, messages and the feedback report's path);
- ``ledger.file_tables``: which return tables each accepted file loaded, and how many rows
  (ingest's ``raw.file_tables``, 0 for a nil return; no raw row is copied);
- ``main.snapshot_info``: when it was published and from which pipeline version.

The file is 0600 and a folder created for it 0700 (common/atomic.py): the dashboard runs as
the pipeline's user, and no one else needs to read it. It is written aside in the same folder
and renamed into place, so a reader sees either
the previous snapshot or the new one, never half of one; a reader that has the old file open
keeps reading it until it reopens.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from common.atomic import PRIVATE_FILE_MODE, private_umask, remove_hidden_siblings
from common.settings import Settings
from ingest.warehouse import FILE_TABLES

# Schemas copied whole: dbt's marts (facts and dims) and its seeds.
COPIED_SCHEMAS = ("marts", "reference")
# ledger.files columns copied (an explicit list, so a column added later is a decision).
LEDGER_COLUMNS = (
    "ledger_id",
    "relative_path",
    "file_name",
    "size_bytes",
    "sha256",
    "council_code",
    "period",
    "return_type",
    "version",
    "status",
    "error_count",
    "warning_count",
    "rows_loaded",
    "message",
    "received_at",
    "processed_at",
    "feedback_path",
)
_SOURCE = "warehouse"
_TARGET = "snapshot"


# The mart that says, per member council and month, which version of each return table is
# current and whether the council is late: the dashboard's returns page and the chase step read
# it from the snapshot.
RETURN_SUBMISSIONS = "marts.fct_return_submissions"


def snapshot_path(settings: Settings) -> Path:
    """Where the snapshot is published (and the dashboard reads it): the settings' one."""
    return settings.marts_snapshot


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _base_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "ORDER BY table_name",
        [_SOURCE, schema],
    ).fetchall()
    return [name for (name,) in rows]


def _pipeline_version() -> str:
    try:
        return version("moc-workforce")
    except PackageNotFoundError:  # pragma: no cover - the package is always installed
        return "unknown"


def _copy(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Copy from the attached warehouse into the attached snapshot; rows per table."""
    copied: dict[str, int] = {}
    for schema in COPIED_SCHEMAS:
        tables = _base_tables(con, schema)
        if not tables:
            continue
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_TARGET}.{_quote(schema)}")
        for table in tables:
            name = f"{_quote(schema)}.{_quote(table)}"
            con.execute(f"CREATE TABLE {_TARGET}.{name} AS SELECT * FROM {_SOURCE}.{name}")
            (rows,) = con.execute(f"SELECT count(*) FROM {_TARGET}.{name}").fetchone()
            copied[f"{schema}.{table}"] = rows
    con.execute(f"CREATE SCHEMA {_TARGET}.ledger")
    if "files" in _base_tables(con, "ledger"):
        columns = ", ".join(_quote(c) for c in LEDGER_COLUMNS)
        con.execute(
            f"CREATE TABLE {_TARGET}.ledger.files AS SELECT {columns} FROM {_SOURCE}.ledger.files"
        )
    else:  # a warehouse ingest has never run on: an empty ledger with the same columns
        con.execute(
            f"CREATE TABLE {_TARGET}.ledger.files (ledger_id BIGINT, relative_path VARCHAR, "
            "file_name VARCHAR, size_bytes BIGINT, sha256 VARCHAR, council_code VARCHAR, "
            "period VARCHAR, return_type VARCHAR, version INTEGER, status VARCHAR, "
            "error_count INTEGER, warning_count INTEGER, rows_loaded INTEGER, message VARCHAR, "
            "received_at TIMESTAMP, processed_at TIMESTAMP, feedback_path VARCHAR)"
        )
    (copied["ledger.files"],) = con.execute(
        f"SELECT count(*) FROM {_TARGET}.ledger.files"
    ).fetchone()
    select = (
        f"SELECT ledger_id, table_name, row_count AS rows_loaded FROM {_SOURCE}.{FILE_TABLES}"
        if "file_tables" in _base_tables(con, "raw")
        else "SELECT NULL::BIGINT AS ledger_id, NULL::VARCHAR AS table_name, "
        "NULL::INTEGER AS rows_loaded WHERE false"
    )
    con.execute(
        f"CREATE TABLE {_TARGET}.ledger.file_tables AS {select} ORDER BY ledger_id, table_name"
    )
    (copied["ledger.file_tables"],) = con.execute(
        f"SELECT count(*) FROM {_TARGET}.ledger.file_tables"
    ).fetchone()
    return copied


def _write_snapshot(settings: Settings, staging: Path) -> None:
    """Copy the warehouse into a new DuckDB file at ``staging``."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH ? AS {_SOURCE} (READ_ONLY)", [str(settings.warehouse_path)])
        con.execute(f"ATTACH ? AS {_TARGET}", [str(staging)])
        copied = _copy(con)
        con.execute(
            f"CREATE TABLE {_TARGET}.main.snapshot_info AS SELECT "
            "?::TIMESTAMP AS published_at, ? AS pipeline_version, ?::INTEGER AS table_count",
            [
                dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
                _pipeline_version(),
                len(copied),
            ],
        )
        con.execute(f"CHECKPOINT {_TARGET}")
        con.execute(f"DETACH {_TARGET}")
        con.execute(f"DETACH {_SOURCE}")
    finally:
        con.close()


def publish_marts_snapshot(settings: Settings) -> Path:
    """Copy the marts, reference seeds and ledger into :func:`snapshot_path` (written aside,
    renamed into place); return its path.

    Opens the warehouse read-only. Raises FileNotFoundError, publishing nothing, when the
    warehouse does not exist.
    """
    if not settings.warehouse_path.is_file():
        raise FileNotFoundError(
            f"No warehouse at {settings.warehouse_path}: run the pipeline (`moc run`) first."
        )
    target = snapshot_path(settings)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # A killed build's half-written copy (the build holds the run lock: none is being written).
    remove_hidden_siblings(target)
    handle, staging_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    staging = Path(staging_name)
    staging.unlink()  # DuckDB creates the file; an empty file is not a database
    try:
        # DuckDB creates the file and its WAL itself: the owner's only from the start.
        with private_umask():
            _write_snapshot(settings, staging)
        staging.chmod(PRIVATE_FILE_MODE)
        os.replace(staging, target)
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target


def main() -> None:  # pragma: no cover - exercised by hand and by `make dashboard`'s hint
    from common.settings import load_settings

    print(publish_marts_snapshot(load_settings()))


if __name__ == "__main__":  # pragma: no cover
    main()
