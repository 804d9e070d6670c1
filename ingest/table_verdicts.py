"""Which tables of a file load: a monthly workbook's tables are judged one by one.

A workbook holds several return tables. Errors in a table the return contract marks optional
(ReturnTable.optional: the workforce sheet) reject that table alone: the workbook's other
tables load, the file is accepted with warnings, and the ledger message and the feedback name
the table left out and why. The table is not recorded as delivered (raw.file_tables), so any
version of it accepted earlier for the council and month stays current in dbt.

Errors in a required table reject the whole file, as before: the required tables describe the
council's month together (posts, agency cover and pay are read side by side), and a month half
from this file and half from an older one is not what anyone sent. Errors that belong to no
table, and a file whose every table has errors, reject it whole too. A CSV holds one table, and
a census XML's tables are one DfE record, so those files are judged whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.return_contract import TABLES
from ingest.validate import Problem

# Return types (ingest.identify.Identity.return_type) whose tables are judged one by one.
JUDGED_BY_TABLE = ("workbook",)


@dataclass(frozen=True)
class TableVerdicts:
    """What a file's errors mean for its tables."""

    is_rejected_whole: bool  # nothing of the file loads
    # Optional tables not loaded because of their errors: table name -> its error count.
    not_loaded: dict[str, int] = field(default_factory=dict)


def judge_tables(
    return_type: str | None, table_names: Iterable[str], problems: Iterable[Problem]
) -> TableVerdicts:
    """Judge the file's tables (``table_names``) by the errors among ``problems``."""
    tables = set(table_names)
    errors = Counter(p.table for p in problems if p.severity == "error")
    if not errors:
        return TableVerdicts(is_rejected_whole=False)
    by_table = return_type in JUDGED_BY_TABLE
    only_optional = all(name in tables and TABLES[name].optional for name in errors)
    if not by_table or not only_optional or set(errors) >= tables:
        return TableVerdicts(is_rejected_whole=True)
    ordered = [name for name in TABLES if name in errors]
    return TableVerdicts(is_rejected_whole=False, not_loaded={n: errors[n] for n in ordered})


def not_loaded_message(
    verdicts: TableVerdicts, loaded: dict[str, int], period: str | None, warnings: int
) -> str:
    """The ledger message of a file accepted without some of its tables: which were left out
    and why, and that the others (``loaded``: rows per table) were loaded."""
    names = " and ".join(verdicts.not_loaded)
    errors = " and ".join(str(e) for e in verdicts.not_loaded.values())
    table = "table" if len(verdicts.not_loaded) == 1 else "tables"
    was = "was" if len(verdicts.not_loaded) == 1 else "were"
    loaded_text = ", ".join(f"{name} ({count} row(s))" for name, count in loaded.items())
    checks = f", with {warnings} warning(s) to check" if warnings else ""
    month = f" for {period}" if period else ""
    return (
        f"Accepted in part: the {names} {table} {was} NOT loaded, because of {errors} "
        f"error(s) in it. The other tables were loaded: {loaded_text}; "
        f"{sum(loaded.values())} row(s) in all{checks}. Until a corrected {names} {table} "
        f"arrives, any {names} {table} accepted earlier{month} still counts. See the feedback "
        f"report for each error, fix the {names} sheet and send the workbook again (or the "
        f"{names} {table} alone as a CSV)."
    )
