"""Which sheet of a workbook holds which return table, chosen on purpose, never by accident.

A table's sheet is the one whose name, in any case and spacing, is the table's name. Only a
sheet the officer can see counts: a hidden copy (often last month's, hidden rather than
deleted) is ignored with a warning, and a table whose only sheet is hidden is refused, as the
officer may not know it is there. Two visible sheets for one table ('Establishment' and
'establishment ') are ambiguous: the file is refused naming both, rather than one taken
silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

HIDDEN_COPY_RULE = "SHEET-W01"
# An optional table's sheet that cannot be read (wrong columns): only that table is left out.
UNREADABLE_SHEET_RULE = "SHEET-E01"


class SheetChoiceError(ValueError):
    """The workbook's sheets do not say which one holds a table; the message says what to do."""


@dataclass(frozen=True)
class SheetNote:
    """A warning about the workbook's sheets, shown in the feedback beside the rules' notes."""

    rule: str
    sheet: str
    message: str
    fix: str


def sheet_key(name: object) -> str:
    """A sheet or table name in any case and spacing: 'Agency assignments ' and
    'agency_assignments' are the same key."""
    return re.sub(r"[^a-z0-9]+", " ", str(name or "").lower()).strip()


def choose_sheet(
    table_name: str, sheet_names: Iterable[str], hidden: set[str]
) -> tuple[str | None, list[SheetNote]]:
    """The sheet holding ``table_name`` (None when the workbook has none) and notes on the
    hidden copies left out. SheetChoiceError when two visible sheets claim the table, or its
    only sheet is hidden."""
    key = sheet_key(table_name)
    candidates = [name for name in sheet_names if sheet_key(name) == key]
    visible = [name for name in candidates if name not in hidden]
    hidden_copies = [name for name in candidates if name in hidden]
    if len(visible) > 1:
        listed = " and ".join(f"'{name}'" for name in visible)
        raise SheetChoiceError(
            f"The workbook has {len(visible)} sheets for the {table_name} table: {listed}. "
            "We cannot tell which one is current, so nothing was loaded. Delete or rename the "
            "sheet(s) that are not this month's and send the workbook again."
        )
    if not visible and hidden_copies:
        raise SheetChoiceError(
            f"The only {table_name} sheet in the workbook ('{hidden_copies[0]}') is hidden. "
            "A hidden sheet is often an old copy, so we do not read it. If it holds this "
            "month's figures, unhide it (right-click a sheet tab, Unhide) and send the "
            "workbook again."
        )
    notes = [
        SheetNote(
            rule=HIDDEN_COPY_RULE,
            sheet=name,
            message=(
                f"Hidden sheet '{name}' was ignored; the {table_name} table was read from "
                f"the visible sheet '{visible[0]}'."
            ),
            fix="Delete hidden copies of return sheets so only this month's figures remain. "
            "If the hidden sheet is the right one, unhide it and delete the other.",
        )
        for name in hidden_copies
    ]
    return (visible[0] if visible else None), notes
