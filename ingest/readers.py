"""Read a council's CSV or Excel file into a typed table, tolerating the mess people make.

Accepted mess: title rows above the header, blank rows, stray spaces, "£" and thousands
separators, cp1252 or UTF-8 (with or without BOM), ``;``-separated CSV, sheet names in any case.
Every row keeps the row number the officer sees in Excel, so feedback can point at it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

import pandas as pd

from common.labels import code_label
from common.members import member_for_folder
from common.periods import PERIOD_PATTERN, period_of
from ingest.cells import cell_text, parse_code, parse_date, parse_flag, parse_number
from ingest.identify import period_from_name
from ingest.return_contract import RETURN_TABLES, Column, ReturnTable
from ingest.sheets import SheetChoiceError, SheetNote, choose_sheet

__all__ = ["ParsedTable", "ReadError", "cell_text", "parse_number", "read_table"]

ROW_NUMBER = "_row_number"  # row as the officer sees it in Excel (1-based, header included)
# Headers (normalised) under which a file may state its own council code or month.
COUNCIL_CODE_LABELS = {"la code", "dfe la code", "lea", "council code", "la"}
PERIOD_LABELS = {"period", "month", "return month"}
COUNCIL_NAME_LABELS = {"council", "council name", "local authority", "la name"}
ABOUT_SHEET = "about"
HEADER_SEARCH_ROWS = 30


class ReadError(ValueError):
    """The file cannot be read as the expected table; the message says what to fix."""


class NoRowsError(ReadError):
    """The table has its header but no data: in a workbook, that sheet was simply not sent."""


@dataclass
class ParsedTable:
    table: ReturnTable
    sheet: str  # sheet name, or the file name for a CSV
    raw: pd.DataFrame  # cells as the officer typed them (text), stored column names
    typed: pd.DataFrame  # parsed values, stored column names, plus ROW_NUMBER
    ignored_headers: list[str]
    # What the file says about itself (an "LA code" or "Period" column, the template's About
    # sheet), checked against the folder it was dropped in and the month in its name.
    declared_council_codes: set[str] = field(default_factory=set)
    declared_periods: set[str] = field(default_factory=set)
    notes: list[SheetNote] = field(default_factory=list)  # warnings about the workbook's sheets
    # Why an optional table's sheet could not be read (ReturnTable.optional): it has no rows,
    # and the error leaves only this table out of the workbook (ingest/table_verdicts.py).
    read_error: str | None = None
    # Stored names of the contract's columns the header does not have: allowed for a column
    # the return's month does not require yet (Column.required_from; check_columns_for_period).
    missing_columns: tuple[str, ...] = ()


class Sheets(dict):
    """A workbook's sheets (name -> rows of cells) and which of them are hidden."""

    def __init__(self, rows: dict[str, list[list[object]]], hidden: set[str]):
        super().__init__(rows)
        self.hidden = hidden


def table_sheet(
    sheets: dict[str, list[list[object]]], table: ReturnTable
) -> tuple[str | None, list[SheetNote]]:
    """The visible sheet holding ``table`` and notes on hidden copies (ingest.sheets)."""
    try:
        return choose_sheet(table.name, sheets, getattr(sheets, "hidden", set()))
    except SheetChoiceError as exc:
        raise ReadError(str(exc)) from exc


def _normalise_header(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text": UTF-16, BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError(
                "The file starts as Unicode text (UTF-16) but is damaged further on. Save it "
                "again from Excel as CSV UTF-8 and send it again."
            ) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("The file is not readable text. Save it as CSV (UTF-8) from Excel.")


def csv_rows(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        # Title rows above the header defeat the sniffer; the separator used most wins.
        delimiter = max(",;\t|", key=sample.count)
    rows = [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    if delimiter == ";":
        # A ';'-separated file comes from a locale whose decimal mark is the comma.
        rows = [[_decimal_comma_to_point(cell) for cell in row] for row in rows]
    return rows


_DECIMAL_COMMA_NUMBER = re.compile(
    r"^\s*£?\s*-?\d{1,3}([.\s]\d{3})*,\d+\s*%?\s*$|^\s*-?\d+,\d+\s*%?\s*$"
)


def _decimal_comma_to_point(cell: str) -> str:
    """'12,5' -> '12.5' and '1.234,5' -> '1234.5'; anything else is left as typed."""
    if not _DECIMAL_COMMA_NUMBER.match(cell):
        return cell
    return re.sub(r"[.\s]", "", cell).replace(",", ".")


def workbook_sheets(data: bytes) -> dict[str, list[list[object]]]:
    """All sheets of an Excel workbook as rows of cells, keyed by sheet name."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
        hidden = {m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
        return Sheets(rows, hidden)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise ReadError(
            "The workbook cannot be opened: it may be password-protected, damaged, or not "
            "really an Excel file. Save it again from Excel as .xlsx without a password."
        ) from exc


def find_sheet(sheets: dict[str, list[list[object]]], table: ReturnTable) -> str:
    name, _ = table_sheet(sheets, table)
    if name is None:
        raise ReadError(
            f"The workbook has no sheet named '{table.name}'. Sheets found: "
            f"{', '.join(sheets) or 'none'}. Use the regional template's sheet names."
        )
    return name


def parse_rows(
    rows: list[list[object]], table: ReturnTable, sheet: str, allow_no_rows: bool = False
) -> ParsedTable:
    """Locate the header row, map columns to stored names and type the values. A header with
    no rows under it raises NoRowsError, unless ``allow_no_rows`` (a nil return)."""
    wanted = {}
    for column in table.columns:
        for label in (column.header, column.name, *column.aliases):
            wanted[_normalise_header(label)] = column.name

    header_index = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matches = {wanted[h] for h in map(_normalise_header, row) if h in wanted}
        if len(matches) >= min(3, len(table.columns)):
            header_index = index
            break
    if header_index is None:
        if not any(any(cell_text(c) for c in row) for row in rows):
            raise ReadError(f"'{sheet}' is empty. Fill in the {table.name} table and send again.")
        raise ReadError(
            f"Cannot find the header row of the {table.name} table in '{sheet}'. The first row "
            f"of the table must hold the column names: {', '.join(table.headers)}."
        )

    header = rows[header_index]
    positions: dict[str, int] = {}
    ignored = []
    code_position = period_position = None
    for position, cell in enumerate(header):
        label = _normalise_header(cell)
        name = wanted.get(label)
        if name is not None and name not in positions:
            positions[name] = position
        elif label in COUNCIL_CODE_LABELS and code_position is None:
            code_position = position
        elif label in PERIOD_LABELS and period_position is None:
            period_position = position
        elif cell_text(cell):
            ignored.append(cell_text(cell))
    missing = [c.header for c in table.columns if c.required and c.name not in positions]
    if missing:
        raise ReadError(
            f"The {table.name} table in '{sheet}' is missing column(s): {', '.join(missing)}. "
            "Use the column names of the regional template."
        )

    records = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        cells = {
            name: cell_text(row[positions[name]])
            if positions.get(name, len(row)) < len(row)
            else ""
            for name in table.column_names
        }
        if not any(cells.values()):
            continue  # blank spacer rows are harmless
        cells[ROW_NUMBER] = index + 1
        records.append(cells)
    if not records and not allow_no_rows:
        raise NoRowsError(f"The {table.name} table in '{sheet}' has a header but no rows of data.")

    declared_codes = _column_values(rows[header_index + 1 :], code_position, cell_text)
    declared_periods = _column_values(rows[header_index + 1 :], period_position, declared_period)
    raw = pd.DataFrame.from_records(records, columns=[*table.column_names, ROW_NUMBER])
    typed = pd.DataFrame({ROW_NUMBER: raw[ROW_NUMBER].astype("int64")})
    for column in table.columns:
        typed[column.name] = type_column(raw[column.name], column)
    return ParsedTable(
        table=table,
        sheet=sheet,
        raw=raw,
        typed=typed,
        ignored_headers=ignored,
        declared_council_codes=declared_codes,
        declared_periods=declared_periods,
        missing_columns=tuple(c.name for c in table.columns if c.name not in positions),
    )


def _how_to_fill(column: Column) -> str:
    """'<header>: what to enter.' for a message about a missing column."""
    if column.kind == "code":
        labels = ", ".join(code_label(code) for code in column.codes)
        return f"{column.header}: one of {labels}. {column.description}"
    if column.kind == "flag":
        return f"{column.header}: Yes or No. {column.description}"
    return f"{column.header}: {column.description}"


def check_columns_for_period(parsed: ParsedTable, period: str | None) -> None:
    """Raise ReadError naming every column a return for ``period`` must carry that the
    table's header lacks (a column required from a month, Column.required_from: earlier
    returns may leave it out), and how to fill it. Called once the return's month is known."""
    missing = [
        column
        for column in parsed.table.columns_required_for(period)
        if column.name in parsed.missing_columns
    ]
    if not missing:
        return
    since = sorted({c.required_from for c in missing if c.required_from})
    headers = ", ".join(f"'{c.header}'" for c in missing)
    how = " ".join(f"{_how_to_fill(c)}" for c in missing)
    raise ReadError(
        f"The {parsed.table.name} table in '{parsed.sheet}' is missing column(s) that returns "
        f"for {' / '.join(since)} onwards must have: {headers}. Add each column with this "
        f"heading (the regional template has them) and fill it in on every row. {how}"
    )


def _unreadable(table: ReturnTable, sheet: str, error: str) -> ParsedTable:
    """An optional table whose sheet could not be read: no rows, and the reason."""
    raw = pd.DataFrame(columns=[*table.column_names, ROW_NUMBER])
    typed = pd.DataFrame({ROW_NUMBER: pd.Series(dtype="int64")})
    for column in table.columns:
        typed[column.name] = type_column(raw[column.name].astype("object"), column)
    return ParsedTable(table, sheet, raw, typed, ignored_headers=[], read_error=error)


def _column_values(rows: list[list[object]], position: int | None, read) -> set[str]:
    """The distinct filled-in cells of one column (none when the table has no such column)."""
    if position is None:
        return set()
    cells = (row[position] for row in rows if position < len(row))
    return {read(cell) for cell in cells if cell_text(cell)}


def declared_period(value: object) -> str:
    """A month a file states ('2025-03', a date in it such as 31/03/2025, 'March 2025') as
    'YYYY-MM'; as typed when it is none of these, so the message shows what the officer wrote."""
    if isinstance(value, dt.date):
        return period_of(value)
    text = cell_text(value)
    if PERIOD_PATTERN.match(text):
        return text[:7]
    day = parse_date(text)
    if day is not None:
        return period_of(day)
    return period_from_name(text) or text


def about_sheet_declarations(rows: list[list[object]]) -> tuple[set[str], set[str]]:
    """Council codes and months stated on the template's About sheet (label in A, value in B)."""
    codes, periods = set(), set()
    for row in rows:
        if len(row) < 2 or not cell_text(row[1]):
            continue
        label = _normalise_header(row[0])
        if label in COUNCIL_CODE_LABELS:
            codes.add(cell_text(row[1]))
        elif label in COUNCIL_NAME_LABELS:  # a member's name says whose return it is too
            member = member_for_folder(cell_text(row[1]))
            codes |= {member.council_code} if member else set()
        elif label in PERIOD_LABELS:
            periods.add(declared_period(row[1]))
    return codes, periods


def type_column(texts: pd.Series, column: Column) -> pd.Series:
    """Typed values of one column; cells that cannot be read become None/NaN."""
    if column.kind in ("fte", "count", "number", "money"):
        return texts.map(parse_number).astype("float64")
    if column.kind == "date":
        return texts.map(parse_date).astype("object")
    if column.kind == "flag":
        return texts.map(parse_flag).astype("object")
    if column.kind == "code":
        return texts.map(lambda text: parse_code(text, column.codes)).astype("object")
    return texts.where(texts != "", None)


def is_unreadable(texts: pd.Series, typed: pd.Series) -> pd.Series:
    """True where the officer typed something that could not be read as the column's type."""
    return (texts != "") & typed.isna()


def _check_not_empty(data: bytes) -> None:
    if not data:
        raise ReadError("The file is empty (0 bytes). Export the return again and re-send it.")


def read_table(data: bytes, file_name: str, file_format: str, table: ReturnTable) -> ParsedTable:
    _check_not_empty(data)
    if file_format == "csv":
        return parse_rows(csv_rows(data), table, file_name, allow_no_rows=bool(table.nil_return))
    sheets = workbook_sheets(data)
    sheet = find_sheet(sheets, table)
    return parse_rows(sheets[sheet], table, sheet)


def read_workbook(data: bytes) -> dict[str, ParsedTable]:
    """Every return table that has a sheet in the workbook (sheet names in any case)."""
    _check_not_empty(data)
    sheets = workbook_sheets(data)
    by_key = {_normalise_header(name): name for name in sheets}
    found = {}
    for table in RETURN_TABLES.values():
        sheet, notes = table_sheet(sheets, table)  # visible sheets only (ingest.sheets)
        if sheet is None:
            continue
        try:
            found[table.name] = parse_rows(sheets[sheet], table, sheet)
        except NoRowsError:
            continue  # the template's sheets all have headers; an unfilled one was not sent
        except ReadError as exc:
            if not table.optional:  # a required sheet that cannot be read stops the workbook
                raise
            found[table.name] = _unreadable(table, sheet, str(exc))
        found[table.name].notes.extend(notes)
    about = by_key.get(ABOUT_SHEET)
    if about is not None:
        codes, periods = about_sheet_declarations(sheets[about])
        for parsed in found.values():
            parsed.declared_council_codes |= codes
            parsed.declared_periods |= periods
    if not found:
        raise ReadError(
            f"The workbook has none of the return sheets ({', '.join(RETURN_TABLES)}) with any "
            f"rows filled in. Sheets found: "
            f"{', '.join(sheets) or 'none'}. Use the regional template's sheet names."
        )
    return found
