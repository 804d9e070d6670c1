"""The ledger: one row per file version that arrived, with what became of it (its status, one
of :class:`LedgerStatus`, the one home of the statuses and of which of them count as what).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import StrEnum

import duckdb
import pandas as pd

from ingest.redaction import scrub
from ingest.warehouse import FILE_TABLES

LEDGER_TABLE = "ledger.files"


class LedgerStatus(StrEnum):
    """What became of a file. The values are what ``ledger.files.status`` holds (dbt's models and
    the dashboard's SQL compare with them)."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # identical bytes were already received: not processed again
    # Every table the file delivered has a later accepted version for the same council and
    # month, so nothing of it is current.
    SUPERSEDED = "superseded"
    # A problem on our side (our bug, not the file's): not a version of the return; the file
    # is read again on the next run, and the run fails so that someone is alerted.
    FAILED = "failed"


# Plain strings, so that ``status IN {ACCEPTED_STATUSES}`` in SQL and pandas' isin take them as
# they are. Accepted: its rows were loaded (and may still be current).
ACCEPTED_STATUSES = (LedgerStatus.ACCEPTED.value, LedgerStatus.ACCEPTED_WITH_WARNINGS.value)
# Received: the council has sent a usable return for the month (chasing, the dashboard).
RECEIVED_STATUSES = (*ACCEPTED_STATUSES, LedgerStatus.SUPERSEDED.value)
# Not a version of the council's return that counts for "the same bytes again" or version numbers.
_NOT_CURRENT = (
    LedgerStatus.DUPLICATE.value,
    LedgerStatus.SUPERSEDED.value,
    LedgerStatus.FAILED.value,
)
STATUSES = tuple(status.value for status in LedgerStatus)

_DDL = """
CREATE SCHEMA IF NOT EXISTS ledger;
CREATE SEQUENCE IF NOT EXISTS ledger.file_id_seq;
CREATE TABLE IF NOT EXISTS ledger.files (
    ledger_id BIGINT PRIMARY KEY DEFAULT nextval('ledger.file_id_seq'),
    relative_path VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,
    council_code VARCHAR,
    period VARCHAR,
    return_type VARCHAR,
    version INTEGER,
    status VARCHAR NOT NULL,
    error_count INTEGER NOT NULL,
    warning_count INTEGER NOT NULL,
    rows_loaded INTEGER NOT NULL,
    message VARCHAR NOT NULL,
    received_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP NOT NULL,
    feedback_path VARCHAR
);
-- The last version of each bucket path that intake read: its fingerprint (ETag, or inode and
-- change time: ingest.bucket.file_fingerprint) and the sha256 of its bytes. Not part of the
-- ledger's history, only what lets a poll skip files it has read before.
CREATE TABLE IF NOT EXISTS ledger.paths_read (
    relative_path VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL
)
"""
PATHS_READ_TABLE = "ledger.paths_read"


@dataclass
class LedgerEntry:
    relative_path: str
    file_name: str
    size_bytes: int
    sha256: str
    received_at: dt.datetime
    processed_at: dt.datetime
    status: str = LedgerStatus.REJECTED
    message: str = ""
    council_code: str | None = None
    period: str | None = None
    return_type: str | None = None
    version: int | None = None
    error_count: int = 0
    warning_count: int = 0
    rows_loaded: int = 0
    feedback_path: str | None = None


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_DDL)


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    """False on a warehouse ingest has never run on (for read-only connections)."""
    (count,) = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'ledger' AND table_name = 'files'"
    ).fetchone()
    return bool(count)


def fingerprints_read(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Path -> fingerprint of the version of it last read: a file with the same one is not
    read again."""
    return dict(
        con.execute(f"SELECT relative_path, fingerprint FROM {PATHS_READ_TABLE}").fetchall()
    )


def latest_sha256_by_path(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Path -> sha256 of the last version of it in the ledger (paths read before, and a ledger
    written before paths were fingerprinted): the same bytes again at that path are not new."""
    rows = con.execute(  # a version that failed on our side is read again, not "the same"
        f"SELECT relative_path, arg_max(sha256, ledger_id) FROM {LEDGER_TABLE} "
        f"WHERE status <> '{LedgerStatus.FAILED}' GROUP BY relative_path"
    ).fetchall()
    known = dict(rows)
    known.update(con.execute(f"SELECT relative_path, sha256 FROM {PATHS_READ_TABLE}").fetchall())
    return known


def remember_read(
    con: duckdb.DuckDBPyConnection, relative_path: str, fingerprint: str, sha256: str
) -> None:
    con.execute(
        f"INSERT OR REPLACE INTO {PATHS_READ_TABLE} VALUES (?, ?, ?)",
        [relative_path, fingerprint, sha256],
    )


def find_earlier_copy(
    con: duckdb.DuckDBPyConnection, sha256: str, council: str, kind: str, period: str | None
) -> tuple | None:
    """The earlier arrival of the same bytes as the same council's return of the same kind
    (and month, when the name gives it). Bytes of a superseded version are not a duplicate:
    re-sending them is how a council goes back to that version. The same bytes for another
    month (pay scales that did not change) are a new return, not a duplicate."""
    return con.execute(
        f"SELECT relative_path, status, received_at FROM {LEDGER_TABLE} "
        "WHERE sha256 = ? AND council_code = ? AND return_type = ? "
        "AND (? IS NULL OR period = ?) "
        f"AND status NOT IN {_NOT_CURRENT} ORDER BY ledger_id LIMIT 1",
        [sha256, council, kind, period, period],
    ).fetchone()


def next_version(con: duckdb.DuckDBPyConnection, council: str, period: str, kind: str) -> int:
    (count,) = con.execute(
        f"SELECT count(*) FROM {LEDGER_TABLE} WHERE council_code = ? AND period = ? "
        f"AND return_type = ? AND status NOT IN "
        f"('{LedgerStatus.DUPLICATE}', '{LedgerStatus.FAILED}')",
        [council, period, kind],
    ).fetchone()
    return int(count) + 1


def record(con: duckdb.DuckDBPyConnection, entry: LedgerEntry) -> int:
    """Insert the entry; returns its ledger_id (arrival order: later ids are later versions)."""
    values = asdict(entry)
    # A file-level error may quote a cell (a shifted row's SWE number as its 'LA code').
    values["message"] = scrub(entry.message)
    columns = ", ".join(values)
    placeholders = ", ".join("?" for _ in values)
    (ledger_id,) = con.execute(
        f"INSERT INTO {LEDGER_TABLE} ({columns}) VALUES ({placeholders}) RETURNING ledger_id",
        list(values.values()),
    ).fetchone()
    return int(ledger_id)


def supersede_earlier(con: duckdb.DuckDBPyConnection, entry: LedgerEntry, ledger_id: int) -> None:
    """After ``entry`` (ledger_id) was accepted: an earlier accepted file of the same council and
    month whose every table now has a later version (FILE_TABLES) is superseded, since the marts
    no longer use any of it. One with only some of its tables replaced by ``entry`` (a workbook,
    then a corrected establishment CSV) stays accepted, with a note saying which: dbt takes the
    current version table by table (dbt_project/macros/latest_versions.sql)."""
    has_earlier = con.execute(  # most files are a council-month's first: skip the work below
        f"SELECT 1 FROM {LEDGER_TABLE} WHERE council_code = ? AND period = ? AND ledger_id < ? "
        f"AND status IN {ACCEPTED_STATUSES} LIMIT 1",
        [entry.council_code, entry.period, ledger_id],
    ).fetchone()
    if has_earlier is None:
        return
    replaced = con.execute(
        f"""
        WITH earlier_tables AS (
            SELECT
                earlier.ledger_id,
                earlier.table_name,
                EXISTS (
                    SELECT 1 FROM {FILE_TABLES} AS later
                    WHERE later.council_code = earlier.council_code
                        AND later.period = earlier.period
                        AND later.table_name = earlier.table_name
                        AND later.ledger_id > earlier.ledger_id
                ) AS has_later_version,
                earlier.table_name IN (
                    SELECT table_name FROM {FILE_TABLES} WHERE ledger_id = $ledger_id
                ) AS is_replaced_now
            FROM {FILE_TABLES} AS earlier
            JOIN {LEDGER_TABLE} AS files ON files.ledger_id = earlier.ledger_id
            WHERE earlier.council_code = $council AND earlier.period = $period
                AND earlier.ledger_id < $ledger_id AND files.status IN {ACCEPTED_STATUSES}
        )
        SELECT
            ledger_id,
            bool_and(has_later_version) AS is_wholly_replaced,
            list(table_name ORDER BY table_name) FILTER (WHERE is_replaced_now) AS tables
        FROM earlier_tables
        GROUP BY ledger_id
        HAVING bool_or(is_replaced_now)
        """,
        {"ledger_id": ledger_id, "council": entry.council_code, "period": entry.period},
    ).fetchall()
    by = f"version {entry.version} ({entry.file_name})"
    for earlier_id, is_wholly_replaced, tables in replaced:
        if is_wholly_replaced:
            status, note = LedgerStatus.SUPERSEDED, f" Superseded by {by}."
        else:
            status = None
            note = (
                f" Its {', '.join(tables)} table(s) replaced by {by}; its other tables are "
                "still current."
            )
        con.execute(
            f"UPDATE {LEDGER_TABLE} SET status = coalesce(?, status), message = message || ? "
            "WHERE ledger_id = ?",
            [status, note, earlier_id],
        )


def read_ledger(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(f"SELECT * FROM {LEDGER_TABLE} ORDER BY ledger_id").df()
