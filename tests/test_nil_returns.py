"""A nil return: an agency CSV with its header and no rows says no agency assignments were open
in the month. It is accepted, and as the current version it replaces any agency rows sent
earlier for the month (the dbt side, full and incremental: test_incremental_build.py).

Tables where no rows cannot be a true answer (establishment: tests/corpus "header only") are
still rejected, and in a workbook an unfilled sheet still means "not sent".
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest import ledger, pipeline, warehouse
from ingest.readers import read_workbook
from ingest.return_contract import AGENCY_ASSIGNMENTS, ESTABLISHMENT, TABLES
from samples.return_files import return_filename, write_return
from samples.returns import return_frames

PERIOD = "2025-03"
CODE, SLUG = "873", "cambridgeshire"
AGENCY = AGENCY_ASSIGNMENTS.name
BASE_TIME = 1_743_500_000  # 2025-04-01: arrival order is set by the test, not the clock


def _drop(path: Path, minutes: int) -> Path:
    stamp = BASE_TIME + 60 * minutes
    os.utime(path, (stamp, stamp))
    return path


def _query(settings, sql: str) -> pd.DataFrame:
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        return con.execute(sql).df()


@pytest.fixture
def nil_after_rows(data_settings):
    """Cambridgeshire sends its agency return for the month, then a nil return correcting it."""
    bucket = Path(data_settings.bucket_url) / SLUG
    agency = return_frames(CODE, PERIOD, tables=[AGENCY])[AGENCY]
    assert len(agency) > 0
    first = write_return(
        agency, bucket / return_filename(SLUG, PERIOD, "csv", AGENCY), "csv", AGENCY
    )
    _drop(first, 0)
    pipeline.ingest_new_files(data_settings)
    nil = write_return(
        agency.iloc[0:0], bucket / f"{SLUG}_{PERIOD}_{AGENCY}_corrected.csv", "csv", AGENCY
    )
    _drop(nil, 10)
    summary = pipeline.ingest_new_files(data_settings)
    return data_settings, first, nil, summary, len(agency)


def test_a_header_only_agency_csv_is_an_accepted_nil_return(nil_after_rows):
    settings, first, nil, summary, _ = nil_after_rows
    (entry,) = summary.entries
    assert (entry.status, entry.rows_loaded, entry.error_count) == ("accepted", 0, 0)
    assert "nil return of agency_assignments" in entry.message
    assert "no agency assignments were open in the month" in entry.message
    assert f"any agency_assignments rows sent earlier for {PERIOD} no longer count" in entry.message
    assert summary.changed_tables == {AGENCY}
    feedback = Path(settings.bucket_url) / SLUG / "feedback" / f"{nil.name}.feedback.html"
    assert "nil return" in feedback.read_text(encoding="utf-8")


def test_the_nil_return_supersedes_the_earlier_version_and_is_recorded_with_no_rows(
    nil_after_rows,
):
    settings, first, nil, _, first_rows = nil_after_rows
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        entries = ledger.read_ledger(con).set_index("file_name")
    assert entries.loc[first.name, "status"] == "superseded"
    assert entries.loc[nil.name, "version"] == 2
    file_tables = _query(
        settings,
        "select ledger_id, table_name, council_code, period, row_count "
        f"from {warehouse.FILE_TABLES} order by ledger_id",
    )
    assert file_tables.values.tolist() == [
        [entries.loc[first.name, "ledger_id"], AGENCY, CODE, PERIOD, first_rows],
        [entries.loc[nil.name, "ledger_id"], AGENCY, CODE, PERIOD, 0],
    ]
    # the earlier rows stay in raw (history); the current version is decided in dbt
    raw = _query(settings, f"select distinct ledger_id from raw.{AGENCY}")
    assert raw["ledger_id"].tolist() == [entries.loc[first.name, "ledger_id"]]


def test_a_header_only_establishment_csv_is_still_rejected(data_settings):
    bucket = Path(data_settings.bucket_url) / SLUG
    frame = return_frames(CODE, PERIOD, tables=[ESTABLISHMENT.name])[ESTABLISHMENT.name]
    _drop(write_return(frame.iloc[0:0], bucket / return_filename(SLUG, PERIOD, "csv"), "csv"), 0)
    (entry,) = pipeline.ingest_new_files(data_settings).entries
    assert entry.status == "rejected"
    assert "has a header but no rows of data" in entry.message


def test_an_unfilled_agency_sheet_in_a_workbook_is_not_sent(tmp_path):
    frames = return_frames(CODE, PERIOD, tables=[ESTABLISHMENT.name, AGENCY])
    frames[AGENCY] = frames[AGENCY].iloc[0:0]
    path = write_return(frames, tmp_path / return_filename(SLUG, PERIOD, "xlsx"), "xlsx")
    assert set(read_workbook(path.read_bytes())) == {ESTABLISHMENT.name}


def test_a_warehouse_from_before_file_tables_gets_them_from_its_raw_rows(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        warehouse.ensure_warehouse_tables(con)
        agency = return_frames(CODE, PERIOD, tables=[AGENCY])[AGENCY]
        warehouse.append_rows(
            con,
            TABLES[AGENCY],
            agency.assign(
                ledger_id=7,
                file_sha256="a" * 64,
                council_code=CODE,
                period=PERIOD,
                received_at=pd.Timestamp("2025-04-02"),
                source_row_number=range(2, len(agency) + 2),
            ),
        )
        con.execute(f"drop table {warehouse.FILE_TABLES}")  # as it was before the record
        warehouse.ensure_warehouse_tables(con)
        warehouse.ensure_warehouse_tables(con)  # and only once
        rows = con.execute(f"select * from {warehouse.FILE_TABLES}").fetchall()
    assert rows == [(7, AGENCY, CODE, PERIOD, len(agency))]
