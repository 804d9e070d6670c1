"""Feedback to the council officer: safe to open in Excel, safe to open in a browser."""

from __future__ import annotations

import csv
import datetime as dt
import io

import fsspec
import pytest
from feedback_samples import sample_entry, sample_problem

from ingest.bucket import DroppedFile, feedback_base
from ingest.feedback import PROBLEM_COLUMNS, excel_safe, render_csv, render_html, write_feedback

_entry = sample_entry
_problem = sample_problem


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("-", "'-"),
        ("=", "'="),
        ("-4", "-4"),
        ("-4.5", "-4.5"),
        ("+7", "+7"),
        ("12", "12"),
        ("MASH", "MASH"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-4, "-4"),
        (3, "3"),
    ],
)
def test_excel_safe(text, safe):
    assert excel_safe(text) == safe


def _csv_sections(text: str) -> tuple[list[list[str]], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    blank = rows.index([])
    return rows[:blank], rows[blank + 1 :]


def test_csv_has_a_summary_and_the_problem_columns():
    problems = [_problem(), _problem(severity="warning", rule="EST-W01", row_number=9, value="3")]
    summary, table = _csv_sections(render_csv(_entry(), problems))
    assert summary[0] == ["file", "status", "message", "rows_loaded", "errors", "warnings"]
    assert summary[1][:2] == ["luton_2025-03_establishment.csv", "rejected"]
    assert table[0] == PROBLEM_COLUMNS
    assert PROBLEM_COLUMNS == [
        "severity",
        "rule",
        "sheet",
        "row",
        "column",
        "value",
        "message",
        "how_to_fix",
    ]
    assert table[1] == [
        "error",
        "EST-004",
        "luton_2025-03_establishment.csv",
        "7",
        "Local grade",
        "Grade 99",
        "Local grade 'Grade 99' is not in the region's grade mapping for Luton.",
        "Check the spelling.",
    ]
    assert table[2][:4] == ["warning", "EST-W01", "luton_2025-03_establishment.csv", "9"]


def test_csv_neutralises_formulas_from_the_officer_s_own_cells():
    problems = [_problem(value='=HYPERLINK("http://x")', row_number=None), _problem(value="-4")]
    _, table = _csv_sections(render_csv(_entry(file_name="=evil.csv"), problems))
    assert table[1][3] == ""  # no row number
    assert table[1][5] == '\'=HYPERLINK("http://x")'
    assert table[2][5] == "-4"


def test_csv_of_an_accepted_file_has_the_header_and_no_problem_rows():
    entry = _entry(status="accepted", error_count=0, rows_loaded=12, message="Accepted.")
    summary, table = _csv_sections(render_csv(entry, []))
    assert summary[1] == [
        "luton_2025-03_establishment.csv",
        "accepted",
        "Accepted.",
        "12",
        "0",
        "0",
    ]
    assert table == [PROBLEM_COLUMNS]


def test_html_escapes_every_value():
    problems = [_problem(value="<script>alert(1)</script>", message="Team '<b>A&B</b>' is \"odd\"")]
    page = render_html(_entry(file_name="<img src=x>.csv"), "Luton", problems)
    assert "<script>" not in page and "<img src=x>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x&gt;.csv" in page
    assert "A&amp;B" in page and "&quot;odd&quot;" in page


def test_html_says_what_happened():
    page = render_html(_entry(), "Luton", [_problem()])
    assert "Rejected" in page and "Luton" in page and "2025-03" in page
    assert "Problems (1)" in page and "EST-004" in page
    assert "2025-04-02T09:30:15" in page
    accepted = render_html(_entry(status="accepted", error_count=0), "Luton", [])
    assert "No problems found." in accepted


def test_html_for_an_unidentified_file():
    entry = _entry(council_code=None, period=None, version=None)
    page = render_html(entry, None, [])
    assert page.count("not identified") == 2


def test_write_feedback_writes_html_and_csv_side_by_side(tmp_path):
    fs = fsspec.filesystem("file")
    base = f"{tmp_path}/luton/feedback/luton_2025-03_establishment.csv.feedback"
    html_path = write_feedback(fs, base, _entry(), "Luton", [_problem()])
    assert html_path == f"{base}.html"
    assert (tmp_path / "luton/feedback/luton_2025-03_establishment.csv.feedback.html").is_file()
    raw = (tmp_path / "luton/feedback/luton_2025-03_establishment.csv.feedback.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM so Excel shows £ and accents"


@pytest.mark.parametrize(
    ("relative_path", "expected"),
    [
        ("luton/x.csv", "root/luton/feedback/x.csv.feedback"),
        ("luton/2024/x.csv", "root/luton/feedback/2024/x.csv.feedback"),
        ("luton/2025/march/x.csv", "root/luton/feedback/2025/march/x.csv.feedback"),
        ("x.csv", "root/_unassigned/feedback/x.csv.feedback"),
    ],
)
def test_feedback_sits_in_the_councils_feedback_folder_under_the_files_subfolders(
    relative_path, expected
):
    """Two files of one name in different subfolders of a council get their own feedback."""
    dropped = DroppedFile(
        path=f"root/{relative_path}",
        relative_path=relative_path,
        size_bytes=1,
        modified_at=dt.datetime(2025, 4, 1),
    )
    assert feedback_base("root", dropped) == expected
