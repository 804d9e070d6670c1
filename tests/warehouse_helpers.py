"""What the dbt mart tests share: raw rows as ingest appends them, one ``dbt build`` on a
throwaway DuckDB (through transform.dbt_runner.run_dbt_build, as the pipeline runs it), and
read-only queries of the result. A plain module: pytest puts tests/ on sys.path (rootdir
conftest)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from common.settings import Settings, load_settings
from ingest import ledger
from ingest.return_contract import ReturnTable
from ingest.warehouse import append_rows, connect, ensure_warehouse_tables
from transform.dbt_runner import UNIT_TESTS_EXCLUDED, run_dbt, run_dbt_build

DBT_TIMEOUT_SECONDS = 600


def with_file_metadata(
    frame: pd.DataFrame,
    *,
    ledger_id: int,
    file_key: str,
    council_code: str,
    period: str,
    received_at: pd.Timestamp,
) -> pd.DataFrame:
    """The frame as ingest appends it: stored columns plus RAW_METADATA_COLUMNS, with the file's
    ``file_key`` padded to a 64-character file_sha256 and rows numbered from 2 (row 1 is the
    header)."""
    return frame.assign(
        ledger_id=ledger_id,
        file_sha256=file_key.ljust(64, "0"),
        council_code=council_code,
        period=period,
        received_at=received_at,
        source_row_number=range(2, len(frame) + 2),
    )


def warehouse_with_raw_rows(
    work_dir: Path,
    raw_rows: Iterable[tuple[ReturnTable, pd.DataFrame]],
    earliest_period: str | None = None,
) -> Settings:
    """``work_dir/warehouse.duckdb`` with every raw table as ingest creates it and the given rows
    appended, not yet built; returns the settings that point dbt at it (with the plausible-period
    window opening at ``earliest_period`` when given, for rows older than the default's)."""
    warehouse_path = work_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse_path)) as connection:
        ensure_warehouse_tables(connection)
        for table, rows in raw_rows:
            append_rows(connection, table, rows)
    env = {"MOC_DATA_DIR": str(work_dir), "MOC_WAREHOUSE_PATH": str(warehouse_path)}
    if earliest_period is not None:
        env["MOC_EARLIEST_PERIOD"] = earliest_period
    return load_settings(env)


def build_warehouse(
    work_dir: Path,
    raw_rows: Iterable[tuple[ReturnTable, pd.DataFrame]],
    *dbt_args: str,
    earliest_period: str | None = None,
) -> Path:
    """``work_dir/warehouse.duckdb`` with every raw table as ingest creates it, the given rows
    appended, then its first ``dbt build`` (a full one) run as the pipeline runs it, or, with
    ``dbt_args`` (a selection), a plain ``dbt build <dbt_args>`` (without the unit tests, as
    the pipeline's), which the pipeline never records as a build of the marts; a failed build
    raises DbtError with dbt's output. Returns the warehouse path."""
    settings = warehouse_with_raw_rows(work_dir, raw_rows, earliest_period)
    if dbt_args:
        run_dbt(
            settings,
            "build",
            *UNIT_TESTS_EXCLUDED,
            *dbt_args,
            stream=False,
            timeout=DBT_TIMEOUT_SECONDS,
        )
    else:
        run_dbt_build(settings, stream=False, timeout=DBT_TIMEOUT_SECONDS)
    return settings.warehouse_path


def query(warehouse_path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    """The result of one query, read-only."""
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        return connection.execute(sql, params or []).df()


def council_month(warehouse_path: Path, council_code: str, period: str) -> pd.Series:
    """The one row of marts.fct_vacancies_council_months for the council and period."""
    mart = query(
        warehouse_path,
        "select * from marts.fct_vacancies_council_months where council_code = ? and period = ?",
        [council_code, period],
    )
    assert len(mart) == 1
    return mart.iloc[0]


def ledger_rows(settings: Settings, index: str = "relative_path") -> pd.DataFrame:
    """Every ledger row of the settings' warehouse (read-only), indexed by ``index`` (kept as a
    column too)."""
    con = connect(settings.warehouse_path, read_only=True)
    try:
        return ledger.read_ledger(con).set_index(index, drop=False)
    finally:
        con.close()
