"""Read a council's CSV or Excel file into a typed table, tolerating the mess people make.

Accepted mess: title rows above the header, blank rows, stray spaces, "£" and thousands
separators, cp1252 or UTF-8 (with or without BOM), ``;``-separated CSV, sheet names in any case.
Every row keeps the row number the officer sees in Excel, so feedback can point at it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass

import pandas as pd

from ingest.tables import ReturnTable

ROW_NUMBER = "_row_number"  # row as the officer sees it in Excel (1-based, header included)
HEADER_SEARCH_ROWS = 30


class ReadError(ValueError):
    """The file cannot be read as the expected table; the message says what to fix."""


@dataclass
class ParsedTable:
    table: ReturnTable
    sheet: str  # sheet name, or the file name for a CSV
    raw: pd.DataFrame  # cells as the officer typed them (text), stored column names
    typed: pd.DataFrame  # parsed values, stored column names, plus ROW_NUMBER
    ignored_headers: list[str]


def _normalise_header(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def cell_text(value: object) -> str:
    """A cell as the officer would read it, for feedback and for parsing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


_NUMBER_NOISE = re.compile(r"[£,\s]")


def parse_number(text: str) -> float:
    """'£1,234.50' -> 1234.5; '' -> NaN; 'abc' -> NaN (the GX suite reports it)."""
    cleaned = _NUMBER_NOISE.sub("", text)
    if not cleaned:
        return math.nan
    scale = 1.0
    if cleaned.endswith("%"):
        cleaned, scale = cleaned[:-1], 0.01
    try:
        return float(cleaned) * scale
    except ValueError:
        return math.nan


def decode_text(data: bytes) -> str:
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
        delimiter = ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def workbook_sheets(data: bytes) -> dict[str, list[list[object]]]:
    """All sheets of an Excel workbook as rows of cells, keyed by sheet name."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise ReadError(
            "The workbook cannot be opened: it may be password-protected, damaged, or not "
            "really an Excel file. Save it again from Excel as .xlsx without a password."
        ) from exc


def find_sheet(sheets: dict[str, list[list[object]]], table: ReturnTable) -> str:
    by_key = {_normalise_header(name): name for name in sheets}
    name = by_key.get(_normalise_header(table.name))
    if name is None:
        raise ReadError(
            f"The workbook has no sheet named '{table.name}'. Sheets found: "
            f"{', '.join(sheets) or 'none'}. Use the regional template's sheet names."
        )
    return name


def parse_rows(rows: list[list[object]], table: ReturnTable, sheet: str) -> ParsedTable:
    """Locate the header row, map columns to stored names and type the values."""
    wanted = {}
    for column in table.columns:
        wanted[_normalise_header(column.header)] = column.name
        wanted[_normalise_header(column.name)] = column.name

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
    for position, cell in enumerate(header):
        name = wanted.get(_normalise_header(cell))
        if name is not None and name not in positions:
            positions[name] = position
        elif cell_text(cell):
            ignored.append(cell_text(cell))
    missing = [c.header for c in table.columns if c.name not in positions]
    if missing:
        raise ReadError(
            f"The {table.name} table in '{sheet}' is missing column(s): {', '.join(missing)}. "
            "Use the column names of the regional template."
        )

    records = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        cells = {
            name: cell_text(row[pos]) if pos < len(row) else "" for name, pos in positions.items()
        }
        if not any(cells.values()):
            continue  # blank spacer rows are harmless
        cells[ROW_NUMBER] = index + 1
        records.append(cells)
    if not records:
        raise ReadError(f"The {table.name} table in '{sheet}' has a header but no rows of data.")

    raw = pd.DataFrame.from_records(records, columns=[*table.column_names, ROW_NUMBER])
    typed = pd.DataFrame({ROW_NUMBER: raw[ROW_NUMBER].astype("int64")})
    for column in table.columns:
        if column.kind == "text":
            typed[column.name] = raw[column.name].where(raw[column.name] != "", None)
        else:
            typed[column.name] = raw[column.name].map(parse_number).astype("float64")
    return ParsedTable(table=table, sheet=sheet, raw=raw, typed=typed, ignored_headers=ignored)


def read_table(data: bytes, file_name: str, file_format: str, table: ReturnTable) -> ParsedTable:
    if not data:
        raise ReadError("The file is empty (0 bytes). Export the return again and re-send it.")
    if file_format == "csv":
        return parse_rows(csv_rows(data), table, file_name)
    sheets = workbook_sheets(data)
    sheet = find_sheet(sheets, table)
    return parse_rows(sheets[sheet], table, sheet)
