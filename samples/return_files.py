"""Write sample returns as councils send them: one CSV file per table, or one workbook with a
sheet per table, under the officer-facing headers (dates as Excel dates or ISO text, flags
Yes/No, codes as their labels)."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pandas as pd

from common.labels import code_label, flag_label
from ingest.return_contract import ESTABLISHMENT, RETURN_TABLES, Column, ReturnTable

ReturnFormat = Literal["csv", "xlsx"]


def return_filename(
    council_slug: str, period: str, fmt: ReturnFormat, table: str = ESTABLISHMENT.name
) -> str:
    """A CSV file holds one table (named in the file name); a workbook holds them all."""
    if fmt == "csv":
        return f"{council_slug}_{period}_{table}.csv"
    if fmt == "xlsx":
        return f"{council_slug}_{period}_return.xlsx"
    raise ValueError(f"unknown return format {fmt!r}")


def write_return(
    frame: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: Path,
    fmt: ReturnFormat,
    table: str = ESTABLISHMENT.name,
) -> Path:
    """Write a return under the officer-facing headers.

    ``frame`` is one table's frame (``table`` names it: one CSV, or a one-sheet workbook) or,
    for a workbook, a mapping of table name to frame (one sheet each, in template order).
    Dates become Excel date cells or ISO dates in CSV; flags Yes/No; codes their labels.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = {table: frame} if isinstance(frame, pd.DataFrame) else dict(frame)
    unknown = set(frames) - set(RETURN_TABLES)
    if unknown:
        raise ValueError(f"not a return table: {', '.join(sorted(unknown))}")
    if fmt == "csv":
        if len(frames) != 1:
            raise ValueError("a CSV file holds one table; write one file per table")
        ((name, only),) = frames.items()
        _write_csv(only, RETURN_TABLES[name], path)
    elif fmt == "xlsx":
        ordered = {name: frames[name] for name in RETURN_TABLES if name in frames}
        _write_workbook(ordered, path)
    else:
        raise ValueError(f"unknown return format {fmt!r}")
    return path


def _write_workbook(frames: Mapping[str, pd.DataFrame], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in frames.items():
        table = RETURN_TABLES[name]
        columns = _columns_sent(frame, table)
        sheet = workbook.create_sheet(table.name)
        sheet.append([c.header for c in columns])
        for record in frame[[c.name for c in columns]].itertuples(index=False):
            sheet.append(
                [_excel_value(value, column) for value, column in zip(record, columns, strict=True)]
            )
        for cells in sheet.iter_cols(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD/MM/YYYY"  # as a UK officer's Excel shows dates
    workbook.save(path)


def _columns_sent(frame: pd.DataFrame, table: ReturnTable) -> list[Column]:
    """The table's columns the frame holds, in template order: a return for a month before a
    column is required (Column.required_from) may leave it out, and the sample does."""
    return [c for c in table.columns if c.name in frame.columns]


def _write_csv(frame: pd.DataFrame, table: ReturnTable, path: Path) -> None:
    columns = _columns_sent(frame, table)
    rows = [
        [_csv_text(value, column) for value, column in zip(record, columns, strict=True)]
        for record in frame[[c.name for c in columns]].itertuples(index=False)
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c.header for c in columns])
        writer.writerows(rows)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _excel_value(value: object, column: Column) -> object:
    """A typed value as a council's workbook holds it."""
    if _is_blank(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if column.kind == "flag":
        return flag_label(value)
    if column.kind == "code":
        return code_label(str(value))
    if column.kind == "count":
        return int(value)
    return value


def _csv_text(value: object, column: Column) -> str:
    """A typed value as a council's CSV export writes it (ISO dates, plain numbers)."""
    value = _excel_value(value, column)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if column.kind == "fte":
        return f"{value:.1f}"
    if column.kind == "money":
        return f"{value:.2f}" if value % 1 else f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
