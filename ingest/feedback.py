"""Per-file feedback for the council officer: a receipt or a list of problems to fix.

Written to the council's ``feedback/`` folder in the bucket as HTML (to read) and CSV (to sort
and filter in Excel). Cells that Excel would run as formulas are neutralised.
"""

from __future__ import annotations

import csv
import html
import io
import re

import fsspec

from ingest.ledger import LedgerEntry
from ingest.validate import Problem

PROBLEM_COLUMNS = ["severity", "rule", "sheet", "row", "column", "value", "message", "how_to_fix"]
_STATUS_TEXT = {
    "accepted": "Accepted",
    "accepted_with_warnings": "Accepted with warnings: please check the notes below",
    "rejected": "Rejected: nothing from this file was loaded; fix the problems and send it again",
    "duplicate": "Not processed: identical to a file we already have",
}


_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def excel_safe(text: object) -> str:
    """Stop a text cell from being run as a formula when the CSV is opened in Excel.

    Plain numbers such as -4 are left alone: Excel reads them as numbers, not formulas.
    """
    value = "" if text is None else str(text)
    if value[:1] in ("=", "+", "-", "@") and not _PLAIN_NUMBER.match(value):
        return f"'{value}"
    return value


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


def render_html(entry: LedgerEntry, council_name: str | None, problems: list[Problem]) -> str:
    e = html.escape
    status = _STATUS_TEXT.get(entry.status, entry.status)
    summary = [
        ("File", entry.file_name),
        ("Council", council_name or "not identified"),
        ("Month", entry.period or "not identified"),
        ("Version", "" if entry.version is None else str(entry.version)),
        ("Received", entry.received_at.isoformat(timespec="seconds")),
        ("Status", status),
        ("Rows loaded", str(entry.rows_loaded)),
        ("Errors", str(entry.error_count)),
        ("Warnings", str(entry.warning_count)),
        ("Summary", entry.message),
    ]
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in summary)
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
        f"{problems_html}</body></html>"
    )


def write_feedback(
    fs: fsspec.AbstractFileSystem,
    base_path: str,
    entry: LedgerEntry,
    council_name: str | None,
    problems: list[Problem],
) -> str:
    """Write ``<base_path>.html`` and ``<base_path>.csv``; returns the HTML path."""
    fs.makedirs(base_path.rsplit("/", 1)[0], exist_ok=True)
    html_path = f"{base_path}.html"
    fs.pipe_file(html_path, render_html(entry, council_name, problems).encode("utf-8"))
    fs.pipe_file(f"{base_path}.csv", render_csv(entry, problems).encode("utf-8-sig"))
    return html_path
