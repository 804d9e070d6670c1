"""Per-file feedback for the council officer: a receipt or a list of problems to fix.

Written to the council's ``feedback/`` folder in the bucket, with the same content three ways:
an Excel workbook (a Summary sheet, then one row per problem on a Problems sheet, to sort and
filter), an HTML page (to read in a browser) and a CSV. Text that Excel would run as a formula
is neutralised everywhere, and the workbook stores every text value as a text cell.

Values of personal columns arrive here already masked (ingest/pseudonymise.py), and a cell
that looks like personal data in any other column already withheld (ingest/validate.py). As the
last line, every format passes what it shows through the same rule (ingest/redaction.py,
:func:`_redacted`): a SWE number or a date of birth in a message, a value or the file's name
is replaced by a note saying why.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io

import fsspec
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from common.excel import excel_safe, workbook_bytes
from ingest.ledger import ACCEPTED_STATUSES, LedgerEntry, LedgerStatus
from ingest.redaction import scrub, shown
from ingest.return_contract import TABLES
from ingest.validate import Problem

PROBLEM_COLUMNS = ["severity", "rule", "sheet", "row", "column", "value", "message", "how_to_fix"]
# Headings of the workbook's Problems sheet, in PROBLEM_COLUMNS order.
PROBLEM_HEADINGS = [
    "Severity",
    "Rule",
    "Sheet",
    "Row",
    "Column",
    "Value",
    "Message",
    "How to fix",
]
SUMMARY_SHEET = "Summary"
PROBLEMS_SHEET = "Problems"
_STATUS_TEXT = {
    LedgerStatus.ACCEPTED: "Accepted",
    LedgerStatus.ACCEPTED_WITH_WARNINGS: "Accepted with warnings: please check the notes below",
    LedgerStatus.REJECTED: (
        "Rejected: nothing from this file was loaded; fix the problems and send it again"
    ),
    LedgerStatus.DUPLICATE: "Not processed: identical to a file we already have",
    LedgerStatus.SUPERSEDED: "Replaced by a later version of the same return",
    LedgerStatus.FAILED: "Not processed yet: a problem on our side; we will read it again",
}
_EXCEL_CELL_LIMIT = 32767  # characters Excel holds in one cell
_PROBLEM_WIDTHS = [10, 12, 24, 7, 26, 26, 60, 50]
_BOLD = Font(bold=True)
_HEADING_FILL = PatternFill("solid", fgColor="DDEBF7")
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_ERROR_FONT = Font(bold=True, color="9C0006")
_WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
_TOP = Alignment(vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _redacted(entry: LedgerEntry, problems: list[Problem]) -> tuple[LedgerEntry, list[Problem]]:
    """The entry and problems as any feedback format may show them (ingest/redaction.py)."""
    entry = dataclasses.replace(
        entry, file_name=scrub(entry.file_name), message=scrub(entry.message)
    )
    problems = [
        dataclasses.replace(
            p,
            value=shown(p.value),
            message=scrub(p.message),
            fix=scrub(p.fix),
            column=scrub(p.column),
        )
        for p in problems
    ]
    return entry, problems


def _problem_rows(problems: list[Problem]) -> list[list[str]]:
    return [
        [
            p.severity,
            p.rule,
            p.sheet,
            "" if p.row_number is None else str(p.row_number),
            p.column,
            p.value,
            p.message,
            p.fix,
        ]
        for p in problems
    ]


def render_csv(entry: LedgerEntry, problems: list[Problem]) -> str:
    entry, problems = _redacted(entry, problems)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "status", "message", "rows_loaded", "errors", "warnings"])
    writer.writerow(
        [
            excel_safe(v)
            for v in (
                entry.file_name,
                entry.status,
                entry.message,
                entry.rows_loaded,
                entry.error_count,
                entry.warning_count,
            )
        ]
    )
    writer.writerow([])
    writer.writerow(PROBLEM_COLUMNS)
    for row in _problem_rows(problems):
        writer.writerow([excel_safe(v) for v in row])
    return buffer.getvalue()


def _status_text(entry: LedgerEntry, not_loaded: dict[str, int] | None = None) -> str:
    if not_loaded:  # an accepted workbook without its optional table(s) (ingest.table_verdicts)
        names = " and ".join(not_loaded)
        sheet = "sheet was" if len(not_loaded) == 1 else "sheets were"
        return (
            f"Accepted in part: the {names} {sheet} NOT loaded because of errors; the other "
            "sheets were loaded"
        )
    return _STATUS_TEXT.get(entry.status, entry.status)


def _summary(
    entry: LedgerEntry, council_name: str | None, not_loaded: dict[str, int] | None = None
) -> list[tuple[str, str | int]]:
    """What happened to the file, label by label: the same in the workbook and the HTML."""
    return [
        ("File", entry.file_name),
        ("Council", council_name or "not identified"),
        ("Month", entry.period or "not identified"),
        ("Version", "" if entry.version is None else entry.version),
        ("Received", entry.received_at.isoformat(timespec="seconds")),
        ("Status", _status_text(entry, not_loaded)),
        ("Rows loaded", entry.rows_loaded),
        ("Errors", entry.error_count),
        ("Warnings", entry.warning_count),
        ("Message", entry.message),
    ]


def receipt_counts(
    entry: LedgerEntry, rows_by_table: dict[str, int] | None = None
) -> dict[str, int] | None:
    """Rows loaded per table for an accepted file, or None when there is no receipt to give.

    Without ``rows_by_table``, a single-table file (a CSV) is receipted from the ledger entry.
    """
    if entry.status not in ACCEPTED_STATUSES:
        return None
    if rows_by_table:
        return dict(rows_by_table)
    if entry.return_type in TABLES:
        return {entry.return_type: entry.rows_loaded}
    return None


def _not_loaded_text(errors: int) -> str:
    return f"Not loaded: {errors} error(s), see the problems"


def render_html(
    entry: LedgerEntry,
    council_name: str | None,
    problems: list[Problem],
    rows_by_table: dict[str, int] | None = None,
    not_loaded: dict[str, int] | None = None,
) -> str:
    entry, problems = _redacted(entry, problems)
    e = html.escape
    rows = "".join(
        f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>"
        for k, v in _summary(entry, council_name, not_loaded)
    )
    counts = receipt_counts(entry, rows_by_table)
    receipt_html = (
        "<h2>Receipt: rows loaded</h2><table><tr><th>Table</th><th>Rows loaded</th></tr>"
        + "".join(f"<tr><td>{e(t)}</td><td>{n}</td></tr>" for t, n in counts.items())
        + "".join(
            f"<tr><td>{e(t)}</td><td>{e(_not_loaded_text(n))}</td></tr>"
            for t, n in (not_loaded or {}).items()
        )
        + "</table>"
        if counts
        else ""
    )
    problem_rows = "".join(
        "<tr class='{}'>{}</tr>".format(e(r[0]), "".join(f"<td>{e(c)}</td>" for c in r))
        for r in _problem_rows(problems)
    )
    headings = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in PROBLEM_COLUMNS)
    problems_html = (
        f"<h2>Problems ({len(problems)})</h2><table class='problems'><tr>{headings}</tr>"
        f"{problem_rows}</table>"
        if problems
        else "<p>No problems found.</p>"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Feedback: {e(entry.file_name)}</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}"
        "tr.error td:first-child{color:#b00020;font-weight:bold}"
        "tr.warning td:first-child{color:#8a5a00}</style></head><body>"
        f"<h1>Return feedback: {e(entry.file_name)}</h1><table>{rows}</table>"
        f"{receipt_html}{problems_html}</body></html>"
    )


def _text(value: object) -> str:
    """A value as Excel-safe text: no characters XML cannot hold, no formula, not too long."""
    text = "" if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return excel_safe(text)[:_EXCEL_CELL_LIMIT]


def _put(sheet: Worksheet, row: int, column: int, value: str | int | None):
    """Write one cell: numbers as numbers, everything else as a text cell (never a formula)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
    elif value is not None and value != "":
        cell.value = _text(value)
        cell.data_type = "s"
    return cell


def _write_summary_sheet(
    sheet: Worksheet,
    entry: LedgerEntry,
    council_name: str | None,
    counts: dict[str, int] | None,
    has_problems: bool,
    not_loaded: dict[str, int] | None = None,
) -> None:
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    _put(sheet, 1, 1, f"Return feedback: {entry.file_name}").font = Font(bold=True, size=14)
    row = 3
    for label, value in _summary(entry, council_name, not_loaded):
        _put(sheet, row, 1, label).font = _BOLD
        _put(sheet, row, 2, value).alignment = Alignment(
            wrap_text=True, vertical="top", horizontal="left"
        )
        row += 1
    if counts:
        row += 1
        _put(sheet, row, 1, "Receipt: rows loaded").font = _BOLD
        row += 1
        for column, heading in enumerate(("Table", "Rows loaded"), start=1):
            cell = _put(sheet, row, column, heading)
            cell.font, cell.fill = _BOLD, _HEADING_FILL
        for table, count in counts.items():
            row += 1
            _put(sheet, row, 1, table)
            _put(sheet, row, 2, int(count)).alignment = Alignment(horizontal="left")
        for table, errors in (not_loaded or {}).items():
            row += 1
            _put(sheet, row, 1, table)
            _put(sheet, row, 2, _not_loaded_text(errors)).font = _ERROR_FONT
    row += 2
    see = "See the Problems sheet: one row per problem." if has_problems else "No problems found."
    _put(sheet, row, 1, see)


def _write_problems_sheet(sheet: Worksheet, problems: list[Problem]) -> None:
    for column, (heading, width) in enumerate(
        zip(PROBLEM_HEADINGS, _PROBLEM_WIDTHS, strict=True), start=1
    ):
        cell = _put(sheet, 1, column, heading)
        cell.font, cell.fill = _BOLD, _HEADING_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    for row, problem in enumerate(problems, start=2):
        values = [
            problem.severity,
            problem.rule,
            problem.sheet,
            problem.row_number,
            problem.column,
            problem.value,
            problem.message,
            problem.fix,
        ]
        fill = {"error": _ERROR_FILL, "warning": _WARNING_FILL}.get(problem.severity)
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, row, column, value)
            cell.alignment = _WRAP if column >= 6 else _TOP
            if fill is not None:
                cell.fill = fill
        if problem.severity == "error":
            sheet.cell(row=row, column=1).font = _ERROR_FONT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:H{len(problems) + 1}"


def render_workbook(
    entry: LedgerEntry,
    council_name: str | None,
    problems: list[Problem],
    rows_by_table: dict[str, int] | None = None,
    not_loaded: dict[str, int] | None = None,
) -> bytes:
    """The feedback workbook's bytes: a Summary sheet, then a Problems sheet."""
    entry, problems = _redacted(entry, problems)
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    counts = receipt_counts(entry, rows_by_table)
    _write_summary_sheet(summary, entry, council_name, counts, bool(problems), not_loaded)
    _write_problems_sheet(workbook.create_sheet(PROBLEMS_SHEET), problems)
    stamp = entry.processed_at
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return workbook_bytes(workbook, stamp)


def write_feedback(
    fs: fsspec.AbstractFileSystem,
    base_path: str,
    entry: LedgerEntry,
    council_name: str | None,
    problems: list[Problem],
    rows_by_table: dict[str, int] | None = None,
    not_loaded: dict[str, int] | None = None,
) -> str:
    """Write ``<base_path>.xlsx``, ``.html`` and ``.csv``; returns the HTML path.

    ``rows_by_table`` (rows loaded per table) makes the receipt of an accepted workbook;
    ``not_loaded`` (table -> errors) names the tables it was accepted without
    (ingest.table_verdicts), in the receipt and the status. The CSV says so in its message.
    Everything is rendered before anything is written, so a failure leaves no partial set.
    """
    html_path = f"{base_path}.html"
    outputs = {
        f"{base_path}.xlsx": render_workbook(
            entry, council_name, problems, rows_by_table, not_loaded
        ),
        html_path: render_html(entry, council_name, problems, rows_by_table, not_loaded).encode(
            "utf-8"
        ),
        f"{base_path}.csv": render_csv(entry, problems).encode("utf-8-sig"),
    }
    fs.makedirs(base_path.rsplit("/", 1)[0], exist_ok=True)
    for path, data in outputs.items():
        fs.pipe_file(path, data)
    return html_path
