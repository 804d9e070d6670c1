"""A workbook's tables are judged separately (issue 13): errors in the optional workforce sheet
leave that table out, the other sheets load, and the ledger and feedback say so; errors in a
required sheet still reject the whole workbook.

The rule itself (ingest.table_verdicts.judge_tables) is tested on its own, fast; then one
series of batches through ingest_new_files, with the committed GX suites and a real DuckDB,
and one small dbt run of the current-version model.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from warehouse_helpers import ledger_rows

from ingest import pipeline, warehouse
from ingest.feedback import SUMMARY_SHEET
from ingest.table_verdicts import TableVerdicts, judge_tables
from ingest.validate import Problem
from samples.return_files import return_filename, write_return
from samples.returns import return_frames
from transform.dbt_runner import run_dbt

PERIOD = "2025-03"
SEED = 11
BASE_TIME = 1_743_500_000  # 2025-04-01, so arrival order is set by the test, not the clock
ALL_TABLES = ("establishment", "agency_assignments", "pay_scales", "workforce")
REQUIRED_TABLES = ("establishment", "agency_assignments", "pay_scales")


def _problem(table: str, severity: str = "error") -> Problem:
    return Problem(severity, "R", table, 2, "Col", "x", "bad", "fix it", table=table)


# --- the rule ---------------------------------------------------------------------------------


def test_errors_only_in_the_optional_workforce_table_leave_it_out_of_a_workbook():
    problems = [_problem("workforce"), _problem("workforce"), _problem("establishment", "warning")]
    assert judge_tables("workbook", ALL_TABLES, problems) == TableVerdicts(
        is_rejected_whole=False, not_loaded={"workforce": 2}
    )


@pytest.mark.parametrize(
    ("return_type", "tables", "errors_in"),
    [
        ("workbook", ALL_TABLES, ["establishment"]),  # a required table
        ("workbook", ALL_TABLES, ["workforce", "pay_scales"]),  # required and optional
        ("workbook", ALL_TABLES, [""]),  # an error about the file, in no table
        ("workbook", ("workforce",), ["workforce"]),  # nothing else to load
        ("workforce", ("workforce",), ["workforce"]),  # a CSV holds one table
        ("census", ("workforce", "census_la"), ["workforce"]),  # one DfE record
    ],
)
def test_other_errors_reject_the_whole_file(return_type, tables, errors_in):
    problems = [_problem(table) for table in errors_in]
    assert judge_tables(return_type, tables, problems).is_rejected_whole


def test_warnings_alone_reject_nothing():
    verdicts = judge_tables("workbook", ALL_TABLES, [_problem("workforce", "warning")])
    assert verdicts == TableVerdicts(is_rejected_whole=False)


# --- through the pipeline ---------------------------------------------------------------------


def _land(path: Path, minutes: int) -> Path:
    stamp = BASE_TIME + 60 * minutes
    os.utime(path, (stamp, stamp))
    return path


def _workbook(bucket: Path, slug: str, code: str, seed: int, name: str, minutes: int, **broken):
    """A four-sheet workbook; ``broken`` maps a table to (column, value) put in its first row."""
    frames = return_frames(code, PERIOD, seed=seed, tables=ALL_TABLES)
    for table, (column, value) in broken.items():
        frames[table] = frames[table].astype({column: "object"})
        frames[table].loc[frames[table].index[0], column] = value
    return _land(write_return(frames, bucket / slug / name, "xlsx"), minutes)


def _rename_header(path: Path, sheet: str, header: str, new: str) -> Path:
    """The workbook with one column heading changed, so the sheet misses that column."""
    book = load_workbook(path)
    (cell,) = [c for c in book[sheet][1] if c.value == header]
    cell.value = new
    book.save(path)
    return path


def _query(settings, sql: str, params=None) -> pd.DataFrame:
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def _tables_delivered(settings, ledger_id: int) -> set[str]:
    rows = _query(
        settings, "select table_name from raw.file_tables where ledger_id = ?", [ledger_id]
    )
    return set(rows["table_name"])


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """Bedford: a clean workbook, then a corrected one whose workforce sheet is broken.
    Luton, in the second batch: a workbook with errors in a required sheet and in workforce."""
    from common.settings import load_settings

    data_dir = tmp_path_factory.mktemp("table_verdicts") / "data"
    settings = load_settings({"MOC_DATA_DIR": str(data_dir)})
    bucket = Path(settings.bucket_url)
    first = _workbook(bucket, "bedford", "822", SEED, return_filename("bedford", PERIOD, "xlsx"), 0)
    pipeline.ingest_new_files(settings)
    corrected = _workbook(
        bucket,
        "bedford",
        "822",
        SEED + 1,
        f"bedford_{PERIOD}_return_v2.xlsx",
        10,
        workforce=("fte", 3.0),  # outside 0 to 1: an error in the workforce sheet only
    )
    luton = _workbook(
        bucket,
        "luton",
        "821",
        SEED,
        return_filename("luton", PERIOD, "xlsx"),
        11,
        establishment=("vacancy_fte", -2.0),
        workforce=("fte", 3.0),
    )
    # Essex: a workbook whose workforce sheet cannot be read (its FTE column is missing).
    essex = _workbook(bucket, "essex", "881", SEED, return_filename("essex", PERIOD, "xlsx"), 12)
    _land(_rename_header(essex, "workforce", "FTE", "Full-time equivalent"), 12)
    summary = pipeline.ingest_new_files(settings)
    return {
        "settings": settings,
        "bucket": bucket,
        "summary": summary,
        "first": first,
        "corrected": corrected,
        "luton": luton,
        "essex": essex,
    }


def test_a_broken_workforce_sheet_is_left_out_and_the_ledger_says_so(batches):
    entries = ledger_rows(batches["settings"], index="file_name")
    entry = entries.loc[batches["corrected"].name]
    assert entry["status"] == "accepted_with_warnings"
    assert entry["error_count"] >= 1
    message = entry["message"]
    assert message.startswith("Accepted in part: the workforce table was NOT loaded")
    assert "The other tables were loaded: establishment (" in message
    assert "agency_assignments (" in message and "pay_scales (" in message
    frames = return_frames("822", PERIOD, seed=SEED + 1, tables=REQUIRED_TABLES)
    assert entry["rows_loaded"] == sum(len(frame) for frame in frames.values())
    assert batches["summary"].changed_tables >= set(REQUIRED_TABLES)


def test_only_the_good_sheets_reach_raw_and_file_tables(batches):
    settings = batches["settings"]
    entries = ledger_rows(settings, index="file_name")
    first_id = int(entries.loc[batches["first"].name, "ledger_id"])
    corrected_id = int(entries.loc[batches["corrected"].name, "ledger_id"])
    assert _tables_delivered(settings, first_id) == set(ALL_TABLES)
    assert _tables_delivered(settings, corrected_id) == set(REQUIRED_TABLES)
    for table in REQUIRED_TABLES:
        ids = _query(
            settings, f"select distinct ledger_id from raw.{table} where council_code = '822'"
        )
        assert set(ids["ledger_id"]) == {first_id, corrected_id}, table
    workforce = _query(settings, "select distinct ledger_id from raw.workforce")
    assert set(workforce["ledger_id"]) == {first_id}, "the rejected workforce sheet is not loaded"
    # The earlier workbook keeps its workforce table current, so it is not superseded.
    assert entries.loc[batches["first"].name, "status"] == "accepted"
    assert "its other tables are still current" in entries.loc[batches["first"].name, "message"]


def test_the_feedback_names_the_table_not_loaded(batches):
    folder = batches["bucket"] / "bedford" / "feedback"
    name = batches["corrected"].name
    book = load_workbook(folder / f"{name}.feedback.xlsx")
    cells = [
        str(cell) for row in book[SUMMARY_SHEET].iter_rows(values_only=True) for cell in row if cell
    ]
    assert any("workforce sheet was NOT loaded" in cell for cell in cells), cells
    assert "Not loaded: 1 error(s), see the problems" in cells
    assert any("Accepted in part: the workforce table was NOT loaded" in cell for cell in cells)
    lines = (folder / f"{name}.feedback.csv").read_text(encoding="utf-8-sig").splitlines()
    summary = next(csv.DictReader(lines[:2]))
    assert summary["status"] == "accepted_with_warnings"
    assert "the workforce table was NOT loaded" in summary["message"]
    problems = list(csv.DictReader(lines[lines.index("") + 1 :]))
    errors = [p for p in problems if p["severity"] == "error"]
    assert errors and {p["sheet"] for p in errors} == {"workforce"}
    page = (folder / f"{name}.feedback.html").read_text(encoding="utf-8")
    assert "Not loaded: 1 error(s)" in page


def test_an_error_in_a_required_sheet_still_rejects_the_whole_workbook(batches):
    settings = batches["settings"]
    entry = ledger_rows(settings, index="file_name").loc[batches["luton"].name]
    assert entry["status"] == "rejected"
    assert entry["rows_loaded"] == 0
    assert entry["message"].startswith("Rejected:")
    assert _tables_delivered(settings, int(entry["ledger_id"])) == set()
    for table in ALL_TABLES:
        rows = _query(settings, f"select count(*) as n from raw.{table} where council_code = '821'")
        assert rows["n"].iloc[0] == 0, table


def test_the_earlier_workforce_table_stays_current_in_dbt(batches):
    settings = batches["settings"]
    entries = ledger_rows(settings, index="file_name")
    first_id = int(entries.loc[batches["first"].name, "ledger_id"])
    corrected_id = int(entries.loc[batches["corrected"].name, "ledger_id"])
    run_dbt(settings, "run", "--select", "+int_return_versions_current", stream=False)
    current = _query(
        settings,
        "select return_table, ledger_id from intermediate.int_return_versions_current "
        "where council_code = '822' and period = ?",
        [PERIOD],
    )
    assert dict(zip(current["return_table"], current["ledger_id"], strict=True)) == {
        "establishment": corrected_id,
        "agency_assignments": corrected_id,
        "pay_scales": corrected_id,
        "workforce": first_id,
    }


def test_an_unreadable_workforce_sheet_is_left_out_too(batches):
    """Wrong columns in the optional sheet are an error in that table, not in the workbook."""
    settings = batches["settings"]
    name = batches["essex"].name
    entry = ledger_rows(settings, index="file_name").loc[name]
    assert entry["status"] == "accepted_with_warnings"
    assert entry["message"].startswith("Accepted in part: the workforce table was NOT loaded")
    assert _tables_delivered(settings, int(entry["ledger_id"])) == set(REQUIRED_TABLES)
    rows = _query(settings, "select count(*) as n from raw.workforce where council_code = '881'")
    assert rows["n"].iloc[0] == 0
    feedback = batches["bucket"] / "essex" / "feedback" / f"{name}.feedback.csv"
    lines = feedback.read_text(encoding="utf-8-sig").splitlines()
    (error,) = [p for p in csv.DictReader(lines[lines.index("") + 1 :]) if p["severity"] == "error"]
    assert error["rule"] == "SHEET-E01" and error["sheet"] == "workforce"
    assert "missing column(s): FTE" in error["message"]
    assert error["message"].endswith("The workforce table was not loaded.")
