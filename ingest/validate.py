"""Validate many files of one table in a single GX checkpoint run, then map failures to files.

Files are stacked into one frame with a file key, so a backfill of thousands of files pays
GX's start-up cost once, not once per file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from common.members import Member
from ingest.checks import PERIOD_COLUMN, add_check_columns, mapped_check, mapping_history_note
from ingest.gx_project import failing_rows, run_checkpoint
from ingest.readers import ROW_NUMBER, ParsedTable
from ingest.redaction import shown
from ingest.return_contract import ReturnTable
from ingest.sheets import UNREADABLE_SHEET_RULE, SheetNote
from ingest.suites import FILE_KEY


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" rejects the file; "warning" accepts it with a note
    rule: str
    sheet: str
    row_number: int | None  # as the officer sees it in Excel
    column: str  # header as the officer sees it
    value: str
    message: str
    fix: str
    # The return table the problem is in ('' when it is about the file as a whole): which
    # table an error rejects (ingest/table_verdicts.py).
    table: str = ""


@dataclass
class FileToValidate:
    file_key: str
    member: Member
    parsed: ParsedTable
    # The return's month, 'YYYY-MM': grades and teams must be mapped on its last day. None
    # (not known) accepts a value mapped in any period.
    period: str | None = None


def _stack(files: list[FileToValidate]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed rows of all files with their file key and council, and the officer's text of the
    same rows in the same order (for telling a blank cell from an unreadable one)."""
    frames, raws = [], []
    for item in files:
        frame = item.parsed.typed.copy()
        frame[FILE_KEY] = item.file_key
        frame["council_code"] = item.member.council_code
        frame[PERIOD_COLUMN] = item.period
        frames.append(frame)
        raws.append(item.parsed.raw)
    return pd.concat(frames, ignore_index=True), pd.concat(raws, ignore_index=True)


def _shown_value(raw_row: pd.Series, meta: dict, index_row: dict, table: ReturnTable) -> str:
    """The cell(s) the rule is about, as the officer typed them, each withheld when it is or
    looks like personal data (ingest/redaction.py), whatever column it is in."""
    columns = meta.get("value_columns") or [meta.get("column")]
    by_name = {c.name: c for c in table.columns}
    cells = [
        (str(raw_row[c]) if c in raw_row.index else str(index_row.get(c, "")), by_name.get(c))
        for c in columns
    ]
    return " / ".join(shown(text, column) for text, column in cells)


def validate_files(
    table: ReturnTable, files: list[FileToValidate], results_dir: Path
) -> dict[str, list[Problem]]:
    """Problems per file key (every key present, an empty list when the file is clean). GX
    keeps the run's results and Data Docs in ``results_dir`` (ingest.gx_project)."""
    problems: dict[str, list[Problem]] = {item.file_key: [] for item in files}
    if not files:
        return problems
    stacked, raw = _stack(files)
    stacked = add_check_columns(stacked, table, raw=raw)
    result = run_checkpoint(table.name, stacked, results_dir)
    by_key = {item.file_key: item for item in files}
    raw_rows = {item.file_key: item.parsed.raw.set_index(ROW_NUMBER, drop=False) for item in files}
    notes: dict[tuple[str, str, str, str | None], str] = {}
    for meta, index_rows in failing_rows(result):
        if "exception" in meta:
            raise RuntimeError(f"GX rule {meta.get('rule')} could not run: {meta['exception']}")
        for index_row in index_rows:
            file_key = str(index_row[FILE_KEY])
            row_number = int(index_row[ROW_NUMBER])
            item = by_key[file_key]
            raw_row = raw_rows[file_key].loc[row_number]
            value = _shown_value(raw_row, meta, index_row, table)
            template = {
                "value": value,
                "header": meta.get("header", ""),
                "council": item.member.council_name,
                "row": row_number,
            }
            message = meta.get("message", "").format(**template)
            mapped_column = next(
                (c for c in table.columns if c.mapping and mapped_check(c) in index_row), None
            )
            if mapped_column is not None:  # a value mapped in another period: say when
                key = (mapped_column.mapping, item.member.council_code, value.strip(), item.period)
                if key not in notes:
                    notes[key] = mapping_history_note(*key)
                message = f"{message} {notes[key]}" if notes[key] else message
            problems[file_key].append(
                Problem(
                    severity=meta.get("severity", "error"),
                    rule=meta.get("rule", ""),
                    sheet=item.parsed.sheet,
                    row_number=row_number,
                    column=meta.get("header", ""),
                    value=value,
                    message=message,
                    fix=meta.get("fix", ""),
                    table=table.name,
                )
            )
    for found in problems.values():
        found.sort(key=lambda p: (p.severity != "error", p.row_number or 0, p.rule))
    return problems


def table_problems(parsed: ParsedTable) -> list[Problem]:
    """What is wrong with a table's sheet as a whole, not row by row: an optional sheet that
    could not be read (an error in that table: ParsedTable.read_error), and the warnings
    about the workbook's sheets."""
    unreadable = Problem(
        severity="error",
        rule=UNREADABLE_SHEET_RULE,
        sheet=parsed.sheet,
        row_number=None,
        column="",
        value="",
        message=f"{parsed.read_error} The {parsed.table.name} table was not loaded.",
        fix=f"Correct the {parsed.sheet} sheet as the message says and send it again.",
        table=parsed.table.name,
    )
    notes = sheet_problems(parsed.notes, parsed.table.name)
    return [unreadable, *notes] if parsed.read_error else notes


def sheet_problems(notes: list[SheetNote], table: str = "") -> list[Problem]:
    """Warnings about a workbook's sheets (a hidden copy ignored) of ``table``, as feedback
    rows."""
    return [
        Problem(
            severity="warning",
            rule=note.rule,
            sheet=note.sheet,
            row_number=None,
            column="",
            value="",
            message=note.message,
            fix=note.fix,
            table=table,
        )
        for note in notes
    ]
