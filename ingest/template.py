"""The published return template and the docs page that describes every column.

Both are generated from ``ingest/return_contract.py``, the one home of the column layout, so the
workbook a council officer fills in, the docs page and the reader can never disagree.

``moc template`` writes the blank workbook; ``moc template --docs`` rewrites
``docs/return_template.md``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from common.excel import AUTHOR, workbook_bytes
from common.labels import FLAG_LABELS, code_label, flag_label
from common.settings import PROJECT_ROOT
from ingest.return_contract import NUMERIC_KINDS, RETURN_TABLES, Column, ReturnTable

TEMPLATE_FILE_NAME = "moc_return_template.xlsx"
DOCS_PATH = PROJECT_ROOT / "docs" / "return_template.md"
ABOUT_SHEET = "About"
# Labels the reader looks for in column A of the About sheet; the value is in column B.
LA_CODE_LABEL = "LA code"
PERIOD_LABEL = "Period"
LAST_TEMPLATE_ROW = 1000  # drop-downs and checks apply to rows 2..LAST_TEMPLATE_ROW
# A fixed timestamp for the workbook properties and zip entries, so a rebuild gives the same bytes.
TEMPLATE_TIMESTAMP = dt.datetime(2025, 1, 1)

KIND_WORDS = {
    "text": "Text",
    "code": "One of a list",
    "identifier": "Reference",
    "fte": "FTE",
    "count": "Whole number",
    "number": "Number",
    "money": "Money (£)",
    "date": "Date",
    "flag": "Yes/No",
}
PERSONAL_WORDS = {
    "hash": "Kept only as a keyed hash; the reference itself never leaves ingest.",
    "month": "Cut to year and month as soon as the file is read.",
}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="BDD7EE")
_WRAP = Alignment(wrap_text=True, vertical="top")


# --- labels shared by the workbook and the docs -------------------------------------------


def allowed_labels(column: Column) -> tuple[str, ...]:
    """The values a drop-down offers: code labels for a ``code`` column, Yes/No for a flag."""
    if column.kind == "code":
        return tuple(code_label(code) for code in column.codes)
    if column.kind == "flag":
        return FLAG_LABELS
    return ()


def allowed_values_text(column: Column) -> str:
    """Allowed values in words, for a header note and the docs page."""
    if column.kind in ("code", "flag"):
        return ", ".join(allowed_labels(column))
    if column.kind in NUMERIC_KINDS:
        whole = " (whole number)" if column.kind == "count" else ""
        pounds = ", in pounds (e.g. 32.50)" if column.kind == "money" else ""
        return f"0 or more{whole}{pounds}"
    if column.kind == "date":
        return "A date (an Excel date, or text such as 2025-03-31 or 31/03/2025)"
    if column.pattern_words:
        return column.pattern_words[0].upper() + column.pattern_words[1:]
    return "Any text"


def _required_text(column: Column) -> str:
    if column.required_from is not None:
        return (
            f"Required in returns for {column.required_from} onwards (optional in returns "
            "for earlier months)"
        )
    return "Required" if column.required else "Optional"


def _required_cell(column: Column) -> str:
    """The docs page's Required cell: Yes, No, or the month from which it is required."""
    if column.required_from is not None:
        return f"From {column.required_from}"
    return flag_label(column.required)


def header_note(column: Column) -> str:
    """The cell comment on a header: what to put in the column."""
    lines = [
        column.description,
        "",
        f"{_required_text(column)}.",
        f"Allowed values: {allowed_values_text(column)}.",
    ]
    if column.pattern_words:
        lines.append(f"Format: {column.pattern_words}.")
    if column.personal:
        lines.append(f"Personal data: {PERSONAL_WORDS[column.personal]}")
    if column.aliases:
        lines.append("Also accepted as header: " + ", ".join(column.aliases) + ".")
    return "\n".join(lines)


# --- stable bytes -----------------------------------------------------------------------------


# --- the template workbook --------------------------------------------------------------------


def _about_rows() -> list[tuple[str, str]]:
    sheets = ", ".join(RETURN_TABLES)
    optional = " and ".join(t.name for t in RETURN_TABLES.values() if t.optional)
    return [
        (
            "What this is",
            "The monthly workforce return of the East of England Memorandum of Co-operation "
            "(MoC) on children's social workers. Fill in one sheet per table; do not rename "
            "the sheets or the column headings.",
        ),
        (LA_CODE_LABEL, ""),
        (PERIOD_LABEL, ""),
        (
            "How to fill in",
            f"Type your council's 3-digit DfE code beside '{LA_CODE_LABEL}' (e.g. 821 for "
            f"Luton) and the month beside '{PERIOD_LABEL}' as YYYY-MM (e.g. 2025-03). Figures "
            "are a snapshot at the month's last day. Hover over a column heading for what to "
            "put in it; code columns have drop-downs.",
        ),
        (
            "Sheets",
            f"{sheets}. The {optional} sheet is optional: you may send the DfE census XML "
            f"instead. Errors in the {optional} sheet leave only it out: the other sheets are "
            "still loaded. Errors in any other sheet mean nothing in the workbook is loaded.",
        ),
        (
            "File name",
            "<council>_<YYYY-MM>_return.xlsx, e.g. luton_2025-03_return.xlsx. A new file for "
            "the same month replaces the earlier one.",
        ),
        (
            "Where to drop it",
            "<council folder>/<council>_<YYYY-MM>_return.xlsx in the MoC ingest bucket, in "
            "your own council's folder only, e.g. luton/luton_2025-03_return.xlsx.",
        ),
        (
            "Feedback",
            "Within minutes a report appears in <council folder>/feedback/ (Excel and web "
            "page): accepted, or exactly which sheet, row and column to fix.",
        ),
        (
            "Personal data",
            "Assignment references and SWE registration numbers are kept only as keyed hashes, "
            "and dates of birth as year and month. Do not type names anywhere.",
        ),
        *(
            (
                f"Sheet: {table.name}",
                " ".join(filter(None, [table.description, nil_note(table, markdown=False)])),
            )
            for table in RETURN_TABLES.values()
        ),
    ]


def _write_about(sheet: Worksheet) -> None:
    sheet["A1"] = "MoC monthly workforce return"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    for row, (label, value) in enumerate(_about_rows(), start=3):
        sheet.cell(row=row, column=1, value=label).font = _HEADER_FONT
        cell = sheet.cell(row=row, column=2, value=value or None)
        cell.alignment = _WRAP
        sheet.cell(row=row, column=1).alignment = Alignment(vertical="top")
        if label in (LA_CODE_LABEL, PERIOD_LABEL):
            # Text, so Excel keeps "2025-03" as typed instead of turning it into a date.
            cell.number_format = "@"
            cell.fill = _REQUIRED_FILL
            sheet.add_data_validation(_about_validation(label, cell.coordinate))


def _about_validation(label: str, coordinate: str) -> DataValidation:
    if label == LA_CODE_LABEL:
        check = DataValidation(type="textLength", operator="equal", formula1="3")
        check.error = "The LA code is your council's 3-digit DfE code, e.g. 821."
    else:
        check = DataValidation(type="textLength", operator="equal", formula1="7")
        check.error = "Type the month as YYYY-MM, e.g. 2025-03."
    check.errorTitle = label
    check.prompt = check.error
    check.promptTitle = label
    check.showErrorMessage = True
    check.showInputMessage = True
    check.allow_blank = True
    check.add(coordinate)
    return check


def _column_validation(column: Column, cells: str) -> DataValidation | None:
    labels = allowed_labels(column)
    if labels:
        check = DataValidation(type="list", formula1='"' + ",".join(labels) + '"')
        check.error = f"Choose one of: {', '.join(labels)}."
    elif column.kind == "date":
        check = DataValidation(
            type="date", operator="between", formula1="DATE(1900,1,1)", formula2="DATE(2099,12,31)"
        )
        check.error = "Type a date, e.g. 31/03/2025."
    elif column.kind in NUMERIC_KINDS:
        check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        check.error = "Type a number, 0 or more."
    else:
        return None
    check.errorTitle = column.header
    check.showErrorMessage = True
    check.allow_blank = True
    check.add(cells)
    return check


def _width(column: Column) -> float:
    longest_label = max((len(label) for label in allowed_labels(column)), default=0)
    return float(min(max(len(column.header), longest_label, 10) + 4, 40))


def _write_table_sheet(sheet: Worksheet, table: ReturnTable) -> None:
    for position, column in enumerate(table.columns, start=1):
        letter = get_column_letter(position)
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required or column.required_from else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        note = Comment(header_note(column), AUTHOR)
        note.width, note.height = 320, 160
        cell.comment = note
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width(column)
        if column.kind == "date":
            dimension.number_format = "dd/mm/yyyy"
        elif column.kind in ("text", "identifier"):
            dimension.number_format = "@"  # keep references such as 000123 as typed
        check = _column_validation(column, f"{letter}2:{letter}{LAST_TEMPLATE_ROW}")
        if check is not None:
            sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 32


def template_workbook() -> Workbook:
    """The blank return template: an About sheet, then one sheet per return table."""
    workbook = Workbook()
    about = workbook.active
    about.title = ABOUT_SHEET
    _write_about(about)
    for table in RETURN_TABLES.values():
        _write_table_sheet(workbook.create_sheet(table.name), table)
    return workbook


def build_template(path: str | Path) -> Path:
    """Write the return template to ``path`` (same bytes on every run) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(workbook_bytes(template_workbook(), TEMPLATE_TIMESTAMP))
    return target


# --- the docs page ----------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _allowed_values_markdown(column: Column) -> str:
    if column.kind == "code":
        return ", ".join(
            code if code.isdigit() else f"{code_label(code)} (`{code}`)" for code in column.codes
        )
    return allowed_values_text(column)


def render_columns_markdown() -> str:
    """docs/return_template.md: every table and column of the return, from
    ingest/return_contract.py."""
    optional = "`, `".join(t.name for t in RETURN_TABLES.values() if t.optional)
    lines = [
        "<!-- Generated from ingest/return_contract.py by `moc template --docs`. "
        "Do not edit by hand. -->",
        "",
        "# The monthly return: template and columns",
        "",
        "Each member council sends one return a month: an Excel workbook made from the "
        f"regional template (`moc template` writes `{TEMPLATE_FILE_NAME}`), or one CSV file "
        "per table with the same column headings. The workbook opens with an "
        f"**{ABOUT_SHEET}** sheet holding two values, in column A the label and in column B "
        f"the value: **{LA_CODE_LABEL}** (the council's 3-digit DfE code) and "
        f"**{PERIOD_LABEL}** (the month, `YYYY-MM`).",
        "",
        "Name the file `<council>_<YYYY-MM>_return.xlsx` and drop it in the council's own "
        "folder of the ingest bucket: `<council folder>/<council>_<YYYY-MM>_return.xlsx`. "
        "CSV files are named `<council>_<YYYY-MM>_<table>.csv`. Feedback appears in "
        "`<council folder>/feedback/`.",
        "",
        "Sheets are named exactly as the tables below, in this order. Headings are matched "
        "without regard to case or spacing; the names under *Also accepted* (DfE census "
        "tags) work too. Required columns must be present and filled on every row. A column "
        "required *from* a month (the DfE agency rules' fields) may be left out of returns for "
        "earlier months, so files sent before it stay valid; from that month on it must be "
        "present and filled on every row.",
        "",
        f"The `{optional}` sheet is optional. Errors in it leave only that table out of the "
        "workbook: the other sheets are still loaded, and the feedback names the table that "
        "was not. Errors in any other sheet mean nothing in the workbook is loaded.",
        "",
    ]
    for table in RETURN_TABLES.values():
        key = " + ".join(table.column(name).header for name in table.key)
        lines += [f"## `{table.name}`", "", table.description, ""]
        if table.nil_return:
            lines += [nil_note(table), ""]
        if key:
            lines += [f"Each row is unique on: {key}.", ""]
        lines += [
            "| Header | Stored name | Type | Required | Allowed values | Description "
            "| Personal data |",
            "|---|---|---|---|---|---|---|",
        ]
        for column in table.columns:
            description = column.description
            if column.aliases:
                description += " Also accepted: " + ", ".join(f"`{a}`" for a in column.aliases)
                description += "."
            personal = PERSONAL_WORDS[column.personal] if column.personal else "None"
            cells = [
                column.header,
                f"`{column.name}`",
                KIND_WORDS[column.kind],
                _required_cell(column),
                _allowed_values_markdown(column),
                description,
                personal,
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def nil_note(table: ReturnTable, markdown: bool = True) -> str | None:
    """How to send a nil return of the table, for a table that can have one (the file name
    in code style for the docs page, plain for a cell of the template)."""
    if not table.nil_return:
        return None
    file_name = f"<council>_<YYYY-MM>_{table.name}.csv"
    return (
        f"If {table.nil_return}, send {f'`{file_name}`' if markdown else file_name} with the "
        f"header row only (a nil return): it replaces any {table.name} rows sent earlier for "
        "the month. In a workbook an unfilled sheet means the table was not sent."
    )


def write_docs(path: Path = DOCS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_columns_markdown(), encoding="utf-8")
    return path
