"""The DuckDB warehouse: connection, raw tables that dbt reads as sources, and loading.

The warehouse holds the raw returns (pseudonymised, still about people): its file, and the
write-ahead log DuckDB keeps beside it, are created 0600 (common/atomic.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd

from common.atomic import make_private, private_umask
from ingest.return_contract import TABLES, ReturnTable

RAW_SCHEMA = "raw"
# Columns every raw table carries so dbt can pick the latest accepted version of a return.
RAW_METADATA_COLUMNS = {
    "ledger_id": "BIGINT NOT NULL",  # the file's ledger row: a higher id is a later version
    "file_sha256": "VARCHAR NOT NULL",
    "council_code": "VARCHAR NOT NULL",
    "period": "VARCHAR NOT NULL",
    "received_at": "TIMESTAMP NOT NULL",
    "source_row_number": "INTEGER NOT NULL",
}
# Which tables each accepted file delivered, and how many rows: a file's version of a table
# exists even when it has no rows (a nil return), so dbt takes its versions from here.
FILE_TABLES = f"{RAW_SCHEMA}.file_tables"
FILE_TABLES_COLUMNS = {
    "ledger_id": "BIGINT NOT NULL",
    "table_name": "VARCHAR NOT NULL",  # a return table's name (return_contract.TABLES)
    "council_code": "VARCHAR NOT NULL",
    "period": "VARCHAR NOT NULL",
    "row_count": "INTEGER NOT NULL",  # 0 for a nil return
}
_FILE_TABLES_DDL = (
    f"CREATE TABLE {FILE_TABLES} ("
    + ", ".join(f"{name} {sql_type}" for name, sql_type in FILE_TABLES_COLUMNS.items())
    + ", PRIMARY KEY (ledger_id, table_name))"
)
SQL_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "identifier": "VARCHAR",  # always a keyed hash by the time it is stored
    "fte": "DOUBLE",
    "count": "DOUBLE",  # staging casts to integer; a fractional count is reported first
    "number": "DOUBLE",
    "money": "DOUBLE",
    "date": "DATE",
    "flag": "BOOLEAN",
}


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a new one is created 0600, and one an earlier version created
    readable by others is tightened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    with private_umask():  # DuckDB creates the file (and its WAL) itself
        con = duckdb.connect(str(path))
    make_private(path)
    make_private(path.with_name(f"{path.name}.wal"))
    return con


def raw_table_ddl(table: ReturnTable) -> str:
    columns = [f"{c.name} {SQL_TYPES[c.kind]}" for c in table.columns]
    columns += [f"{name} {sql_type}" for name, sql_type in RAW_METADATA_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{table.name} ({', '.join(columns)})"


def ensure_warehouse_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The tables intake writes and dbt reads as sources: the raw return tables and the tables
    each file delivered. (The record of mart builds is the transform stage's own:
    transform.build_plan.ensure_build_state, created before every build.)"""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    for table in TABLES.values():
        con.execute(raw_table_ddl(table))
        # A warehouse from before a column joined the contract (e.g. the agency rules' fields):
        # the column is added, NULL on the rows loaded before it existed.
        for column in table.columns:
            con.execute(
                f"ALTER TABLE {RAW_SCHEMA}.{table.name} "
                f"ADD COLUMN IF NOT EXISTS {column.name} {SQL_TYPES[column.kind]}"
            )
    (has_file_tables,) = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        f"WHERE table_schema = '{RAW_SCHEMA}' AND table_name = 'file_tables'"
    ).fetchone()
    if not has_file_tables:
        con.execute(_FILE_TABLES_DDL)
        # A warehouse from before the record: every file with rows delivered its tables.
        for table in TABLES.values():
            con.execute(
                f"INSERT INTO {FILE_TABLES} SELECT ledger_id, '{table.name}', council_code, "
                f"period, count(*) FROM {RAW_SCHEMA}.{table.name} "
                "GROUP BY ledger_id, council_code, period"
            )


def append_rows(con: duckdb.DuckDBPyConnection, table: ReturnTable, frame: pd.DataFrame) -> int:
    """Append rows whose columns are the table's stored names plus RAW_METADATA_COLUMNS, and
    record in FILE_TABLES that their files delivered the table."""
    if frame.empty:
        return 0
    columns = [*table.column_names, *RAW_METADATA_COLUMNS]
    # A column the return may leave out (not required, or not yet: Column.required_from) is
    # NULL when the frame lacks it; a missing required column is still an error here.
    left_out = [c.name for c in table.columns if not c.required and c.name not in frame.columns]
    ordered = frame.assign(**dict.fromkeys(left_out))[columns]  # noqa: F841 - read by DuckDB
    con.execute(
        f"INSERT INTO {RAW_SCHEMA}.{table.name} ({', '.join(columns)}) "
        f"SELECT {', '.join(columns)} FROM ordered"
    )
    files = Counter(zip(frame["ledger_id"], frame["council_code"], frame["period"], strict=True))
    for (ledger_id, council_code, period), row_count in files.items():
        _record_file_table(con, table, int(ledger_id), council_code, period, row_count)
    return len(frame)


def record_nil_return(
    con: duckdb.DuckDBPyConnection,
    table: ReturnTable,
    ledger_id: int,
    council_code: str,
    period: str,
) -> None:
    """A file delivered ``table`` with no rows: its version of the table for the council and
    month is empty (ReturnTable.nil_return)."""
    _record_file_table(con, table, ledger_id, council_code, period, 0)


def _record_file_table(
    con: duckdb.DuckDBPyConnection,
    table: ReturnTable,
    ledger_id: int,
    council_code: str,
    period: str,
    row_count: int,
) -> None:
    con.execute(
        f"INSERT INTO {FILE_TABLES} ({', '.join(FILE_TABLES_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
        [ledger_id, table.name, council_code, period, row_count],
    )
