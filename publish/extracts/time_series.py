"""A partner's time series: one EES data file with every month published up to the month being
published, beside that month's own file in the partner's outbox (issue 14).

* **The same cells as the monthly files.** Each month's rows are that month's partner table
  (publish.extracts.partner) built from the same publication-wide decision
  (publish/extracts/suppression.py) as its monthly file, with the councils sharing with the
  partner on that month's last day: the time series publishes no cell, and leaves out no
  council, that the month's own file does not. So it opens no new disclosure surface.
* **Which months.** Every month of the marts, up to the month published, that has a return and
  councils covered (``moc publish --period`` can publish each of them), oldest first.
* **Revisions.** A month (before the one published) whose rows differ from that month's own
  monthly file already in the partner's outbox, as published there (its manifest's checksum),
  was revised since: a late or corrected return changed the marts. The footnotes name those
  months. The revised month's suppression is decided again (docs/disclosure.md: an old and a
  new version of a cell side by side are not protected).
* **Footnotes** (the EES footnotes of the file, one a row): what the regional row is, the
  months with a council missing from it or without one, and the revised months.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping

from publish.extracts import ees
from publish.extracts.files import csv_bytes
from publish.extracts.partner import PARTNER_COLUMNS, REGIONAL_ROW_TEXT, PartnerTable

FOOTNOTE_COLUMNS = ["footnote_id", "applies_to", "footnote"]
# A row of a month's table: its time and geography (a council by its DfE code).
_ROW_KEY = ("time_period", "time_identifier", "geographic_level", "region_code", "old_la_code")
_INDICATOR_COLUMNS = tuple(c for c in PARTNER_COLUMNS if c not in ees.STANDARD_COLUMNS)

Cells = dict[tuple[str, ...], dict[str, str]]


def stem(period: str) -> str:
    """File names of the time series to ``period``: moc_workforce_time_series_to_2025_03."""
    return f"moc_workforce_time_series_to_{period.replace('-', '_')}"


def dictionary_footnote(stem: str) -> str:
    """The data dictionary's pointer to the footnotes, on the coverage columns."""
    return (
        "Month by month, whose figure the regional row is and which councils are missing from "
        f"it: the footnotes, {stem}.footnotes.csv."
    )


def series_periods(
    periods: Iterable[str], with_returns: set[str], covered: Callable[[str], object]
) -> list[str]:
    """The months of the time series: those of ``periods`` (the decision's panel, oldest first)
    that have a return (``with_returns``) and councils covered (``covered(period)``)."""
    return [p for p in periods if p in with_returns and covered(p)]


def revised_periods(
    rows: Mapping[str, list[list[str]]], earlier: Mapping[str, bytes | None]
) -> list[str]:
    """The months whose rows now (``rows``: period -> PARTNER_COLUMNS rows) differ from their
    monthly file as first published (``earlier``: period -> its CSV bytes, None when there is
    none to compare with). Compared as read back: the same rows (time and geography) with the
    same text in every indicator column the earlier file has (an indicator a file of an
    earlier pipeline did not carry is not a revision)."""
    revised = []
    for period, now in rows.items():
        before = earlier.get(period)
        was = None if before is None else _cells(before)
        if was is None:
            continue  # nothing published to compare with
        columns, cells = was
        _, current = _cells(csv_bytes(PARTNER_COLUMNS, now))
        if _only(current, columns) != cells:
            revised.append(period)
    return revised


def _cells(content: bytes) -> tuple[set[str], Cells] | None:
    """(indicator columns, cells by row) of a partner CSV; None when it is not one we wrote."""
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error):
        return None
    header = set(reader.fieldnames or ())
    if not set(_ROW_KEY) <= header:
        return None
    columns = header & set(_INDICATOR_COLUMNS)
    return columns, {tuple(r[k] for k in _ROW_KEY): {c: r[c] for c in columns} for r in rows}


def _only(cells: Cells, columns: set[str]) -> Cells:
    return {key: {c: v for c, v in row.items() if c in columns} for key, row in cells.items()}


def footnote_rows(tables: list[PartnerTable], revised: list[str]) -> list[list[str]]:
    """The EES footnotes of the time series (FOOTNOTE_COLUMNS): what the regional row is, each
    month whose regional figure misses a council or is withheld (its coverage sentence, as its
    monthly file says it), and the months revised since their monthly file was published."""
    notes = [["Regional row", REGIONAL_ROW_TEXT]]
    for table in tables:
        if table.coverage.missing or table.coverage.withheld:
            month = ees.month_label(table.period)
            notes.append([f"Regional row, {month}", table.coverage.sentence()])
    if revised:
        months = _and([ees.month_label(p) for p in revised])
        notes.append(
            [
                f"All indicators, {months}",
                f"Revised: the figures for {months} differ from those first published in this "
                "partner's monthly file for the month: the month's data changed after it was "
                "published (for example a late or corrected return). The figures in this file "
                "replace them.",
            ]
        )
    return [[str(number), *note] for number, note in enumerate(notes, start=1)]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
