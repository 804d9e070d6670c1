"""The Excel feedback workbook, read back with openpyxl and python-calamine."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import fsspec
import openpyxl
import pytest
from feedback_samples import sample_entry, sample_problem
from python_calamine import CalamineWorkbook

from ingest.feedback import (
    PROBLEM_HEADINGS,
    PROBLEMS_SHEET,
    SUMMARY_SHEET,
    receipt_counts,
    render_html,
    render_workbook,
    write_feedback,
)
from ingest.ledger import LedgerEntry
from ingest.validate import Problem

# A workbook return, where the shared samples describe a CSV.
WORKBOOK_ENTRY = {
    "relative_path": "luton/luton_2025-03_return.xlsx",
    "file_name": "luton_2025-03_return.xlsx",
    "size_bytes": 4321,
    "sha256": "cd" * 32,
    "return_type": "workbook",
    "version": 3,
    "warning_count": 1,
}
WORKBOOK_PROBLEM = {
    "sheet": "establishment",
    "fix": "Check the spelling, or ask the regional team to map it.",
}


def _entry(**overrides) -> LedgerEntry:
    return sample_entry(**{**WORKBOOK_ENTRY, **overrides})


def _problem(**overrides) -> Problem:
    return sample_problem(**{**WORKBOOK_PROBLEM, **overrides})


PROBLEMS = [
    _problem(),
    _problem(rule="EST-001", row_number=12, column="Team", value="=SUM(A1)"),
    _problem(severity="warning", rule="EST-W01", row_number=None, column="", value="-4"),
]


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _calamine(data: bytes) -> CalamineWorkbook:
    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def _summary(book: openpyxl.Workbook) -> dict[str, object]:
    return {row[0].value: row[1].value for row in book[SUMMARY_SHEET].iter_rows() if row[0].value}


@pytest.fixture(scope="module")
def rejected() -> bytes:
    return render_workbook(_entry(), "Luton", PROBLEMS)


def test_sheets_are_summary_then_problems(rejected):
    assert _open(rejected).sheetnames == [SUMMARY_SHEET, PROBLEMS_SHEET]
    assert _calamine(rejected).sheet_names == [SUMMARY_SHEET, PROBLEMS_SHEET]


def test_summary_says_what_happened(rejected):
    summary = _summary(_open(rejected))
    assert summary["File"] == "luton_2025-03_return.xlsx"
    assert summary["Council"] == "Luton"
    assert summary["Month"] == "2025-03"
    assert summary["Version"] == 3
    assert summary["Received"] == "2025-04-02T09:30:15"
    assert summary["Status"].startswith("Rejected: nothing from this file was loaded")
    assert (summary["Rows loaded"], summary["Errors"], summary["Warnings"]) == (0, 2, 1)
    assert summary["Message"] == "Rejected: 2 error(s) must be fixed."
    assert "See the Problems sheet: one row per problem." in summary
    assert "Receipt: rows loaded" not in summary, "no receipt for a rejected file"


def test_problems_sheet_has_one_row_per_problem_with_excel_row_numbers(rejected):
    rows = _calamine(rejected).get_sheet_by_name(PROBLEMS_SHEET).to_python()
    assert rows[0] == PROBLEM_HEADINGS
    assert len(rows) == 1 + len(PROBLEMS)
    assert rows[1][:5] == ["error", "EST-004", "establishment", 7, "Local grade"]
    assert rows[2][3] == 12
    assert rows[3][3] == "", "a problem with no row number leaves the cell blank"
    sheet = _open(rejected)[PROBLEMS_SHEET]
    assert [c.value for c in sheet["D"][1:]] == [7, 12, None]
    assert sheet["D2"].data_type == "n", "row numbers are numbers, so they sort"


def test_problems_sheet_is_ready_to_filter(rejected):
    sheet = _open(rejected)[PROBLEMS_SHEET]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:H{len(PROBLEMS) + 1}"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["A2"].fill.fgColor.rgb.endswith("FFC7CE"), "errors are highlighted"
    assert sheet["A2"].font.bold
    assert not sheet["A4"].fill.fgColor.rgb.endswith("FFC7CE"), "warnings are not red"


def test_formula_like_text_is_stored_as_text_never_a_formula(rejected):
    book = _open(rejected)
    cell = book[PROBLEMS_SHEET]["F3"]
    assert cell.data_type != "f"
    assert cell.value == "'=SUM(A1)"
    assert book[PROBLEMS_SHEET]["F4"].value == "-4", "a plain number is left alone"
    for sheet in book:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row)
    with zipfile.ZipFile(io.BytesIO(rejected)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)
    assert _calamine(rejected).get_sheet_by_name(PROBLEMS_SHEET).to_python()[2][5] == "'=SUM(A1)"


def test_an_officer_s_file_name_cannot_become_a_formula():
    book = _open(render_workbook(_entry(file_name="=cmd|'/C calc'!A0.xlsx"), "Luton", []))
    cell = book[SUMMARY_SHEET]["B3"]
    assert cell.value == "'=cmd|'/C calc'!A0.xlsx" and cell.data_type == "s"
    assert book[SUMMARY_SHEET]["A1"].data_type == "s"


def test_control_characters_do_not_stop_the_feedback():
    problem = _problem(value="bad\x00\x07cell\x0b", message="line one\nline two")
    rows = _calamine(render_workbook(_entry(), "Luton", [problem])).get_sheet_by_name(
        PROBLEMS_SHEET
    )
    assert rows.to_python()[1][5] == "badcell"
    assert rows.to_python()[1][6] == "line one\nline two"


def test_a_formula_hidden_behind_a_control_character_is_still_neutralised():
    book = _open(render_workbook(_entry(), "Luton", [_problem(value="\x01=1+1")]))
    assert book[PROBLEMS_SHEET]["F2"].value == "'=1+1"


def test_accepted_workbook_is_a_receipt_with_rows_per_table():
    entry = _entry(
        status="accepted", error_count=0, warning_count=0, rows_loaded=57, message="Accepted."
    )
    counts = {"establishment": 40, "agency_assignments": 12, "pay_scales": 5}
    book = _open(render_workbook(entry, "Luton", [], rows_by_table=counts))
    summary = _summary(book)
    assert summary["Status"] == "Accepted"
    assert summary["Rows loaded"] == 57
    assert "No problems found." in summary
    assert "Receipt: rows loaded" in summary
    assert summary["Table"] == "Rows loaded"
    assert {t: summary[t] for t in counts} == counts
    assert [c.value for c in book[PROBLEMS_SHEET][1]] == PROBLEM_HEADINGS
    assert book[PROBLEMS_SHEET].max_row == 1
    page = render_html(entry, "Luton", [], rows_by_table=counts)
    assert "Receipt: rows loaded" in page
    assert "<td>agency_assignments</td><td>12</td>" in page


def test_an_accepted_csv_is_receipted_from_its_ledger_entry():
    entry = _entry(status="accepted_with_warnings", return_type="establishment", rows_loaded=9)
    assert receipt_counts(entry) == {"establishment": 9}
    assert receipt_counts(_entry(status="accepted")) is None, "a workbook needs rows_by_table"
    assert receipt_counts(_entry(), {"establishment": 9}) is None, "rejected: no receipt"


def test_same_feedback_gives_the_same_bytes(rejected):
    assert render_workbook(_entry(), "Luton", PROBLEMS) == rejected
    properties = _open(rejected).properties
    assert properties.created == properties.modified == dt.datetime(2025, 4, 2, 9, 31)


def test_write_feedback_writes_the_workbook_beside_html_and_csv(tmp_path):
    fs = fsspec.filesystem("file")
    base = f"{tmp_path}/luton/feedback/luton_2025-03_return.xlsx.feedback"
    entry = _entry(status="accepted", error_count=0, warning_count=0, rows_loaded=3)
    html_path = write_feedback(fs, base, entry, "Luton", [], rows_by_table={"establishment": 3})
    assert html_path == f"{base}.html"
    folder = tmp_path / "luton" / "feedback"
    assert sorted(p.name for p in folder.iterdir()) == [
        "luton_2025-03_return.xlsx.feedback.csv",
        "luton_2025-03_return.xlsx.feedback.html",
        "luton_2025-03_return.xlsx.feedback.xlsx",
    ]
    book = openpyxl.load_workbook(folder / "luton_2025-03_return.xlsx.feedback.xlsx")
    assert _summary(book)["establishment"] == 3
    assert (
        "<td>establishment</td><td>3</td>"
        in (folder / f"{entry.file_name}.feedback.html").read_text()
    )


def test_write_feedback_keeps_its_old_call_working(tmp_path):
    fs = fsspec.filesystem("file")
    base = f"{tmp_path}/luton/feedback/x.csv.feedback"
    write_feedback(fs, base, _entry(), "Luton", PROBLEMS)
    book = openpyxl.load_workbook(f"{base}.xlsx")
    assert book[PROBLEMS_SHEET].max_row == 1 + len(PROBLEMS)
