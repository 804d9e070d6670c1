"""The ledger: one row per file version that arrived, with what became of it.

Statuses: accepted, accepted_with_warnings, rejected, duplicate (identical bytes were already
received), superseded (a later version of the same council, period and return was accepted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

LEDGER_TABLE = "ledger.files"
ACCEPTED_STATUSES = ("accepted", "accepted_with_warnings")
STATUSES = (*ACCEPTED_STATUSES, "rejected", "duplicate", "superseded")

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
)
"""


@dataclass
class LedgerEntry:
    relative_path: str
    file_name: str
    size_bytes: int
    sha256: str
    received_at: dt.datetime
    processed_at: dt.datetime
    status: str = "rejected"
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


def seen_arrivals(con: duckdb.DuckDBPyConnection) -> set[tuple[str, int, dt.datetime]]:
    """(path, size, received time) of every file already accounted for: not new."""
    rows = con.execute(f"SELECT relative_path, size_bytes, received_at FROM {LEDGER_TABLE}")
    return {(path, int(size), received) for path, size, received in rows.fetchall()}


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
        "AND status NOT IN ('duplicate', 'superseded') ORDER BY ledger_id LIMIT 1",
        [sha256, council, kind, period, period],
    ).fetchone()


def next_version(con: duckdb.DuckDBPyConnection, council: str, period: str, kind: str) -> int:
    (count,) = con.execute(
        f"SELECT count(*) FROM {LEDGER_TABLE} WHERE council_code = ? AND period = ? "
        "AND return_type = ? AND status <> 'duplicate'",
        [council, period, kind],
    ).fetchone()
    return int(count) + 1


def record(con: duckdb.DuckDBPyConnection, entry: LedgerEntry) -> int:
    """Insert the entry; returns its ledger_id (arrival order: later ids are later versions)."""
    values = asdict(entry)
    columns = ", ".join(values)
    placeholders = ", ".join("?" for _ in values)
    (ledger_id,) = con.execute(
        f"INSERT INTO {LEDGER_TABLE} ({columns}) VALUES ({placeholders}) RETURNING ledger_id",
        list(values.values()),
    ).fetchone()
    return int(ledger_id)


def supersede_earlier(con: duckdb.DuckDBPyConnection, entry: LedgerEntry) -> None:
    """Mark earlier accepted versions of the same return as superseded by ``entry``."""
    con.execute(
        f"UPDATE {LEDGER_TABLE} SET status = 'superseded', "
        "message = message || ' Superseded by version ' || ? || ' (' || ? || ').' "
        "WHERE council_code = ? AND period = ? AND return_type = ? AND version < ? "
        f"AND status IN {ACCEPTED_STATUSES}",
        [
            entry.version,
            entry.file_name,
            entry.council_code,
            entry.period,
            entry.return_type,
            entry.version,
        ],
    )


def read_ledger(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(f"SELECT * FROM {LEDGER_TABLE} ORDER BY ledger_id").df()
