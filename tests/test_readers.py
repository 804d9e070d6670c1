"""Reading the CSV and Excel files councils really send, with row numbers as Excel shows them."""

from __future__ import annotations

import io
import math
import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.readers import (
    ROW_NUMBER,
    ReadError,
    check_columns_for_period,
    csv_rows,
    parse_number,
    read_table,
)
from ingest.return_contract import AGENCY_ASSIGNMENTS, ESTABLISHMENT

HEADERS = ESTABLISHMENT.headers
# A clean row's numbers, in template order after Team and Local grade.
_FIGURES = {
    "establishment_fte": "10",
    "permanent_fte": "8",
    "agency_fte": "1",
    "agency_vacancy_fte": "1",
    "vacancy_fte": "2",
    "cases_held": "40",
    "case_holder_fte": "7.5",
}
NUMBERS = [_FIGURES.get(c.name, "0") for c in ESTABLISHMENT.columns[2:]]


def _line(cells: list[str], sep: str = ",") -> str:
    return sep.join(cells)


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def _read_csv(data: bytes):
    return read_table(data, "luton_2025-03_establishment.csv", "csv", ESTABLISHMENT)


def _workbook(rows: list[list[object]], sheet: str = "establishment") -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read_workbook(data: bytes):
    return read_table(data, "bedford_2025-03_return.xlsx", "workbook", ESTABLISHMENT)


def test_clean_csv_is_typed_with_stored_names():
    parsed = _read_csv(_csv(_line(HEADERS), _line(["MASH", "H9", *NUMBERS])))
    row = parsed.typed.iloc[0]
    assert list(parsed.typed.columns) == [ROW_NUMBER, *ESTABLISHMENT.column_names]
    assert (row["team"], row["grade"]) == ("MASH", "H9")
    assert row["establishment_fte"] == 10.0 and row["case_holder_fte"] == 7.5
    assert row[ROW_NUMBER] == 2
    assert parsed.raw.iloc[0]["establishment_fte"] == "10"
    assert parsed.sheet == "luton_2025-03_establishment.csv"


def test_header_below_title_rows_and_blank_rows_keep_excel_row_numbers():
    parsed = _read_csv(
        _csv(
            "Luton Borough Council - establishment return",
            "Period: March 2025",
            "",
            _line(HEADERS),  # row 4
            _line(["MASH", "H9", *NUMBERS]),  # row 5
            "",  # row 6: blank
            _line([""] * len(HEADERS)),  # row 7: only separators
            _line(["Court Team", "H10", *NUMBERS]),  # row 8
        )
    )
    assert parsed.typed[ROW_NUMBER].tolist() == [5, 8]
    assert parsed.typed["team"].tolist() == ["MASH", "Court Team"]


def test_stray_spaces_in_headers_and_cells_are_ignored():
    headers = [f"  {h.upper()} " for h in HEADERS]
    parsed = _read_csv(_csv(_line(headers), _line([" MASH ", "H9  ", " 10 ", *NUMBERS[1:]])))
    row = parsed.typed.iloc[0]
    assert (row["team"], row["grade"], row["establishment_fte"]) == ("MASH", "H9", 10.0)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("£1,234.50", 1234.5),
        (" £ 12 ", 12.0),
        ("1,000", 1000.0),
        ("12.5%", 0.125),
        ("-4", -4.0),
        ("0", 0.0),
    ],
)
def test_parse_number_accepts_money_and_percentages(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "n/a", "TBC", "1.2.3"])
def test_parse_number_leaves_blanks_and_words_missing_for_the_suite(text):
    assert math.isnan(parse_number(text))


def test_money_and_percentages_in_a_csv():
    parsed = _read_csv(
        _csv(_line(HEADERS), _line(["MASH", "H9", '"£1,234.50"', "50%", *NUMBERS[2:]]))
    )
    row = parsed.typed.iloc[0]
    assert row["establishment_fte"] == pytest.approx(1234.5)
    assert row["permanent_fte"] == pytest.approx(0.5)
    assert parsed.raw.iloc[0]["establishment_fte"] == "£1,234.50"


def test_words_in_a_number_cell_become_missing_but_the_raw_text_is_kept():
    parsed = _read_csv(_csv(_line(HEADERS), _line(["MASH", "H9", "about ten", *NUMBERS[1:]])))
    assert math.isnan(parsed.typed.iloc[0]["establishment_fte"])
    assert parsed.raw.iloc[0]["establishment_fte"] == "about ten"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_csv_encodings(encoding):
    data = _csv(
        _line(HEADERS),
        _line(["Children’s Services £", "Grade 8 – Advanced", *NUMBERS]),
        encoding=encoding,
    )
    parsed = _read_csv(data)
    assert parsed.typed.iloc[0]["team"] == "Children’s Services £"
    assert parsed.typed.iloc[0]["grade"] == "Grade 8 – Advanced"
    # The BOM must not stick to the first header (else 'Team' would be missing).
    assert parsed.ignored_headers == []


def test_semicolon_separated_csv():
    parsed = _read_csv(
        _csv(
            _line(HEADERS, ";"),
            _line(["Referral, Assessment", "H9", "£1,234.50", *NUMBERS[1:]], ";"),
            _line(["MASH", "H9", *NUMBERS], ";"),
        )
    )
    assert parsed.typed["team"].tolist() == ["Referral, Assessment", "MASH"]
    assert parsed.typed.iloc[0]["establishment_fte"] == pytest.approx(1234.5)


@pytest.mark.parametrize("sep", [";", ","])
def test_title_rows_above_a_csv_header_do_not_confuse_the_separator(sep):
    parsed = _read_csv(
        _csv(
            "Luton establishment return, March 2025; draft",
            "",
            _line(HEADERS, sep),  # row 3
            _line(["MASH", "H9", *NUMBERS], sep),
            _line(["Court Team", "H10", *NUMBERS], sep),
        )
    )
    assert parsed.typed[ROW_NUMBER].tolist() == [4, 5]
    assert parsed.typed.iloc[0]["establishment_fte"] == 10.0


def test_extra_columns_are_reported_as_ignored():
    parsed = _read_csv(_csv(_line([*HEADERS, "Notes"]), _line(["MASH", "H9", *NUMBERS, "ok"])))
    assert parsed.ignored_headers == ["Notes"]


def test_stored_column_names_are_accepted_as_headers():
    parsed = _read_csv(_csv(_line(ESTABLISHMENT.column_names), _line(["MASH", "H9", *NUMBERS])))
    assert parsed.typed.iloc[0]["vacancy_fte"] == 2.0


def test_missing_columns_are_listed_by_their_template_headers():
    headers = [h for h in HEADERS if h not in ("Vacancy FTE", "Cases held")]
    with pytest.raises(ReadError) as caught:
        _read_csv(_csv(_line(headers), _line(["MASH", "H9", *NUMBERS[:-2]])))
    message = str(caught.value)
    assert "missing column(s): Vacancy FTE, Cases held" in message


def test_no_header_row_lists_the_expected_headers():
    with pytest.raises(ReadError, match="Cannot find the header row.*Team, Local grade"):
        _read_csv(_csv("a,b,c", "1,2,3"))


def test_empty_file():
    with pytest.raises(ReadError, match=r"empty \(0 bytes\)"):
        _read_csv(b"")


def test_file_of_blank_lines_is_empty():
    with pytest.raises(ReadError, match="is empty"):
        _read_csv(b"\n,,,\n\n")


def test_header_only_file():
    with pytest.raises(ReadError, match="has a header but no rows of data"):
        _read_csv(_csv(_line(HEADERS), "", _line([""] * len(HEADERS))))


def test_undecodable_bytes_are_refused_with_a_message():
    # 0x81 is undefined in cp1252 and invalid UTF-8.
    with pytest.raises(ReadError, match="not readable text"):
        _read_csv(_line(HEADERS).encode() + b"\n\x81\x81,\x81\n")


def test_workbook_with_two_title_rows_keeps_excel_row_numbers():
    data = _workbook(
        [
            ["Bedford Borough Council: monthly workforce return"],  # row 1
            ["Snapshot at 31 March 2025"],  # row 2
            HEADERS,  # row 3
            ["MASH", "H9", *[float(n) for n in NUMBERS]],  # row 4
            [],  # row 5: blank
            ["Court Team", "H10", 12, *[float(n) for n in NUMBERS[1:]]],  # row 6
        ]
    )
    parsed = _read_workbook(data)
    assert parsed.sheet == "establishment"
    assert parsed.typed[ROW_NUMBER].tolist() == [4, 6]
    assert parsed.typed["team"].tolist() == ["MASH", "Court Team"]
    assert parsed.typed["establishment_fte"].tolist() == [10.0, 12.0]
    # Whole numbers read as Excel shows them, not "12.0".
    assert parsed.raw["establishment_fte"].tolist() == ["10", "12"]


def test_workbook_table_not_starting_at_a1_keeps_excel_row_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "establishment"
    for offset, header in enumerate(HEADERS):
        sheet.cell(row=3, column=2 + offset, value=header)
    for offset, value in enumerate(["MASH", "H9", *[float(n) for n in NUMBERS]]):
        sheet.cell(row=4, column=2 + offset, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = _read_workbook(buffer.getvalue())
    assert parsed.typed[ROW_NUMBER].tolist() == [4]
    assert parsed.typed.iloc[0]["team"] == "MASH"


@pytest.mark.parametrize("sheet", ["ESTABLISHMENT", "Establishment ", " establishment"])
def test_sheet_name_in_another_case(sheet):
    parsed = _read_workbook(_workbook([HEADERS, ["MASH", "H9", *NUMBERS]], sheet=sheet))
    assert parsed.sheet == sheet
    assert parsed.typed.iloc[0]["team"] == "MASH"


def test_workbook_without_the_sheet_names_the_sheets_found():
    with pytest.raises(ReadError, match="no sheet named 'establishment'. Sheets found: Sheet1"):
        _read_workbook(_workbook([HEADERS, ["MASH", "H9", *NUMBERS]], sheet="Sheet1"))


def test_workbook_with_only_a_header_row():
    with pytest.raises(ReadError, match="has a header but no rows of data"):
        _read_workbook(_workbook([HEADERS]))


def test_empty_workbook_sheet():
    with pytest.raises(ReadError, match="is empty"):
        _read_workbook(_workbook([]))


def _zip_of(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a zip file at all",
        # An encrypted (password-protected) workbook is an OLE compound file, not a zip.
        bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504,
        _zip_of("readme.txt", b"a zip, but not a workbook"),
    ],
    ids=["not-a-zip", "ole-password-protected", "zip-without-workbook"],
)
def test_damaged_or_protected_workbook_says_so(data):
    with pytest.raises(ReadError, match="password-protected, damaged"):
        _read_workbook(data)


def test_truncated_workbook_says_so():
    data = _workbook([HEADERS, ["MASH", "H9", *NUMBERS]])
    with pytest.raises(ReadError, match="password-protected, damaged"):
        _read_workbook(data[: len(data) // 2])


def test_semicolon_csv_uses_the_decimal_comma():
    rows = csv_rows(b"Team;FTE;Note\nA;12,5;x\nB;1.234,50;Smith, John\n")
    assert rows[1] == ["A", "12.5", "x"]
    assert rows[2] == ["B", "1234.50", "Smith, John"]


# Columns required from a month (the DfE agency rules' fields, Column.required_from).


def _agency_csv(period: str, with_rules_fields: bool) -> bytes:
    from samples.agency import agency_assignments_frame
    from samples.return_files import write_return

    frame = agency_assignments_frame("821", period)
    if not with_rules_fields:
        optional_until = {c.name for c in AGENCY_ASSIGNMENTS.columns if c.required_from}
        frame = frame[[c for c in frame.columns if c not in optional_until]]
    with tempfile.TemporaryDirectory() as folder:
        path = write_return(frame, Path(folder) / "a.csv", "csv", "agency_assignments")
        return path.read_bytes()


def test_a_return_before_the_agency_rules_month_may_leave_their_columns_out():
    parsed = read_table(_agency_csv("2025-09", False), "a.csv", "csv", AGENCY_ASSIGNMENTS)
    assert "swe_registration_number" in parsed.missing_columns
    check_columns_for_period(parsed, "2025-09")  # no error: optional before 2025-10


def test_a_return_from_the_agency_rules_month_must_carry_their_columns():
    data = _agency_csv("2025-10", False)
    parsed = read_table(data, "luton_2025-10_agency_assignments.csv", "csv", AGENCY_ASSIGNMENTS)
    with pytest.raises(ReadError) as caught:
        check_columns_for_period(parsed, "2025-10")
    message = str(caught.value)
    assert "returns for 2025-10 onwards must have" in message
    for header in ("'SWE registration number'", "'Engagement model'", "'Notice period (weeks)'"):
        assert header in message
    assert "Engagement model: one of PAYE, Umbrella, Limited company." in message
    assert "Employer NI" not in message, "on-costs stay optional: blank means not known"


def test_a_return_with_the_agency_rules_columns_reads_them():
    parsed = read_table(_agency_csv("2025-10", True), "a.csv", "csv", AGENCY_ASSIGNMENTS)
    assert parsed.missing_columns == ()
    check_columns_for_period(parsed, "2025-10")
    assert set(parsed.typed["engagement_model"].dropna()) <= {"paye", "umbrella", "limited_company"}
