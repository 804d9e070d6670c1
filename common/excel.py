"""Excel files we write: the same content gives the same bytes, and no text cell runs as a formula.

One home for the reproducible workbook writer (the return template, feedback workbooks and the
published benchmark workbooks all save through :func:`workbook_bytes`) and for the guard that
keeps a typed value from being read as a formula (:func:`excel_safe`). Every CSV we write goes
through the guard too: :func:`csv_text` for rows, :func:`frame_csv` for a table (the ledger
export, the dashboard's downloads), so a file named ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

AUTHOR = "MoC regional workforce data share"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold


_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def excel_safe(text: object) -> str:
    """Stop a text cell from being run as a formula when the CSV is opened in Excel.

    Plain numbers such as -4 are left alone: Excel reads them as numbers, not formulas.
    """
    value = "" if text is None else str(text)
    if value[:1] in ("=", "+", "-", "@") and not _PLAIN_NUMBER.match(value):
        return f"'{value}"
    return value


def safe_cell(value: object) -> object:
    """A CSV cell: text through :func:`excel_safe`, numbers and blanks as they are."""
    return excel_safe(value) if isinstance(value, str) else value


def csv_text(header: Iterable[object] | None, rows: Iterable[Iterable[object]]) -> str:
    """CSV text (lines end in \\n) with every text cell neutralised; no header when None."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header is not None:
        writer.writerow([safe_cell(v) for v in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def frame_csv(frame: pd.DataFrame) -> str:
    """A table as CSV (no index), every text cell and heading neutralised; numbers, dates and
    blanks written as pandas writes them."""
    safe = frame.rename(columns=lambda c: safe_cell(str(c)))
    for column in safe.select_dtypes(include=["object", "string"]).columns:
        safe[column] = safe[column].map(safe_cell, na_action="ignore")
    return safe.to_csv(index=False, lineterminator="\n")


def workbook_bytes(workbook: Workbook, timestamp: dt.datetime) -> bytes:
    """The workbook's .xlsx bytes, identical for identical content.

    openpyxl stamps the save time into the document properties and every zip entry; here both
    are set to ``timestamp`` (the zip entries to 1980-01-01, the earliest a zip can hold).
    """
    workbook.properties.created = timestamp
    workbook.properties.modified = timestamp
    workbook.properties.creator = AUTHOR
    workbook.properties.lastModifiedBy = AUTHOR
    buffer = io.BytesIO()
    # save_workbook() would overwrite `modified` with the clock; the writer it uses does not.
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()
    stable = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return stable.getvalue()
