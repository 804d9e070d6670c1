"""The partner extract: the month's workforce indicators per council and for the region, in the
DfE open-data layout, with disclosure control (publish.disclosure) before anything leaves.

How the table is built, so that nothing can be recovered from it:

* Cells are (row, indicator): a row per member council and one for the region. Counts carry
  their *support*, the workers they rest on: a headcount where the marts have one (starters,
  leavers), otherwise the FTE rounded up (a worker is at most 1 FTE, so this never overstates
  the workers); cases rest on the case holders. Rates list the counts they are computed from.
* The regional row sums only the councils that have signed for the partner (the councils whose
  rows the extract holds: "MoC councils sharing with <partner>", as its footnote says),
  so the published equations are the true ones (region = sum of the listed councils) and a
  council that has not signed is in no figure at all: nothing of it leaves, not even in
  aggregate. Regional rates are computed from those sums. With fewer than
  ``min_councils_for_region`` councils sharing (``MOC_MIN_COUNCILS_FOR_REGION``, default 3)
  there is no regional figure: every regional cell is ``x``.
* Every row says how many councils the regional figure covers and how many sharing councils
  sent no return (left out of the sums, so a missing council is never read as a fall): two
  count indicators. Whose figure it is and which councils are missing, by name, are the
  month's footnote in the data dictionary (publish.extracts.coverage): a one-month EES file
  cannot carry them as filters, which the DfE screener rejects with a single level.
* A council packs builds (publish.extracts.packs) keeps every member in the regional sums and
  withholds all but the pack's own council (``c`` in every cell, even with no return: no tell
  either way), so secondary suppression protects them as any other unknown.
* Nothing per agency or per worker: agency and pay figures are not in this extract at all.
* Per-cell reasons never leave: the manifest carries ``Disclosure.reason_counts()`` only.

The threshold is the ``disclosure_threshold`` setting (``MOC_DISCLOSURE_THRESHOLD``, default 5
workers, common.settings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from common.members import Member
from common.periods import WINDOW_MONTHS
from common.rounding import CONFIDENTIAL, SYMBOL_MEANINGS, UNAVAILABLE
from publish.disclosure import (
    AdditiveGroup,
    Cell,
    Disclosure,
    Key,
    column_total_groups,
    is_true_zero,
    suppress,
)
from publish.extracts import coverage, ees, files
from publish.extracts.indicators import (
    PARTNER_COUNTS,
    PARTNER_INDICATORS,
    PARTNER_RATES,
    Indicator,
    ceil_support,
    rate_value,
)

# Time, geography, indicators (the coverage counts last): the EES column order.
COVERAGE_COUNTS = [coverage.COUNCILS_IN, coverage.MISSING_COUNT]
PARTNER_COLUMNS = [
    *ees.STANDARD_COLUMNS,
    *(i.name for i in PARTNER_INDICATORS),
    *COVERAGE_COUNTS,
]
# The numeric columns (every indicator, the coverage counts too) and their decimal places: the
# .meta.csv's indicator_dp and the typed Parquet copy's DECIMAL(18, places).
COLUMN_PLACES = {
    **{i.name: i.places for i in PARTNER_INDICATORS},
    **dict.fromkeys(COVERAGE_COUNTS, 0),
}
REGION_ROW = "region"
COVERAGE_LABELS = {
    coverage.COUNCILS_IN: "Councils in regional figure",
    coverage.MISSING_COUNT: "Councils missing from regional figure",
}
PARQUET_TEXT = (
    "In the Parquet copy this column is a number, DECIMAL(18, {places}) (exactly the figure of "
    "the CSV), null where the CSV has a symbol; the symbol is in {name}"
    + files.SYMBOL_SUFFIX
    + " (null where the figure is published)."
)
SYMBOL = "Symbol"  # the data dictionary's col_type of a legend row


@dataclass(frozen=True)
class PartnerTable:
    period: str
    members: tuple[Member, ...]  # every member on the month's last day, by name
    shared: tuple[Member, ...]  # the councils whose rows are published
    disclosure: Disclosure
    groups: list[AdditiveGroup]
    coverage: coverage.Coverage  # what the regional row covers

    @property
    def left_out(self) -> tuple[Member, ...]:
        codes = {m.council_code for m in self.shared}
        return tuple(m for m in self.members if m.council_code not in codes)

    def figure(self, row: str, indicator: str) -> str:
        return self.disclosure.published[(row, indicator)]


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _count_cell(indicator: Indicator, row: pd.Series | None, withheld: bool, key: Key) -> Cell:
    flag = CONFIDENTIAL if withheld else None
    value = None if row is None else _number(row[indicator.source])
    if value is not None and indicator.name == "leavers_12_months_fte":
        if row["leavers_window_months"] < WINDOW_MONTHS:
            value = None  # an incomplete window understates the leavers: unavailable
    if value is None:
        return Cell(key, None, None, flag=flag)  # withheld even without a return: no tell
    return Cell(key, value, _support(indicator, row, value), places=indicator.places, flag=flag)


def _support(indicator: Indicator, row: pd.Series, value: float) -> float:
    if indicator.support is None:
        return ceil_support(value)
    base = _number(row[indicator.support])
    if base is None:
        return 0  # no headcount recorded: rests on nobody we can count, so never published
    return ceil_support(base) if indicator.support.endswith("_fte") else base


def _region_count(indicator: Indicator, parts: list[Cell], key: Key) -> Cell:
    known = [p for p in parts if p.value is not None]
    if not known:
        return Cell(key, None, None)
    value = sum(p.value for p in known)
    if indicator.support is None:
        support = ceil_support(value)
    else:
        support = sum(p.support for p in known)
    return Cell(key, value, support, places=indicator.places)


def _rate_cell(rate: Indicator, row: str, counts: dict[Key, Cell], withheld: bool) -> Cell:
    inputs = tuple(sorted({(row, n) for n in (rate.numerator, *rate.denominator)}))
    figures = {name: counts[(row, name)].value for _, name in inputs}
    value, flag = rate_value(rate, figures)
    if withheld:
        flag = CONFIDENTIAL
    key = (row, rate.name)
    if value is None:
        return Cell(key, None, None, "rate", flag=flag or UNAVAILABLE, inputs=inputs)
    # rule 0: an input that is a true zero (0 resting on nobody) is published as 0, so the
    # rate rests on its other inputs (0 leavers over 50 in post: a 0% turnover of 50)
    support = min(
        (counts[k].support for k in inputs if not is_true_zero(counts[k])),
        default=0,
    )
    return Cell(key, value, support, "rate", flag=flag, places=rate.places, inputs=inputs)


def partner_cells(
    month: pd.DataFrame,
    members: Iterable[Member],
    shared: set[str],
    region_over: set[str] | None = None,
    region_withheld: bool = False,
) -> tuple[dict[Key, Cell], list[AdditiveGroup]]:
    """Cells and additive groups of one month's table; ``month`` is fct_vacancies_council_months
    for the month (one row per council that sent a return). The regional row sums the councils
    in ``region_over`` (default: ``shared``); a member in neither set has no cell at all.
    ``region_withheld``: every regional cell is ``x`` and gives no equation."""
    rows = {r.council_code: r for _, r in month.iterrows()}
    region_over = set(shared) if region_over is None else set(region_over)
    codes = sorted(m.council_code for m in members if m.council_code in region_over | shared)
    in_region = [c for c in codes if c in region_over]
    cells: dict[Key, Cell] = {}
    for indicator in PARTNER_COUNTS:
        for code in codes:
            key = (code, indicator.name)
            cells[key] = _count_cell(indicator, rows.get(code), code not in shared, key)
        region_key = (REGION_ROW, indicator.name)
        if region_withheld:
            cells[region_key] = Cell(region_key, None, None, flag=UNAVAILABLE)
        else:
            parts = [cells[(code, indicator.name)] for code in in_region]
            cells[region_key] = _region_count(indicator, parts, region_key)
    _gate_regional_turnover(cells, in_region)
    for rate in PARTNER_RATES:
        for row in [*codes, REGION_ROW]:
            cell = _rate_cell(rate, row, cells, row != REGION_ROW and row not in shared)
            cells[cell.key] = cell
    groups = column_total_groups(in_region, REGION_ROW, [c.name for c in PARTNER_COUNTS])
    return cells, [] if region_withheld else groups


def _gate_regional_turnover(cells: dict[Key, Cell], codes: list[str]) -> None:
    """The regional 12-month leavers are unavailable unless every council in the regional
    in-post figure has them (a turnover rate over part of the region would not be the
    region's, and region minus that part would give away the rest)."""
    incomplete = any(
        cells[(c, "inpost_fte")].value is not None
        and cells[(c, "leavers_12_months_fte")].value is None
        for c in codes
    )
    if incomplete:
        key = (REGION_ROW, "leavers_12_months_fte")
        cells[key] = Cell(key, None, None, flag=UNAVAILABLE)


def build_partner_table(
    period: str,
    month: pd.DataFrame,
    members: Iterable[Member],
    shared: set[str],
    threshold: float,
    *,
    covers: str = coverage.MOC_MEMBERS_LABEL,
    region_over: set[str] | None = None,
    min_councils: int = 1,
    withheld_covers: str = "",
    decided: Disclosure | None = None,
) -> PartnerTable:
    """The month's table: rows for the ``shared`` councils and the region. The region sums
    ``region_over`` (default: the shared councils; a pack passes every member), labelled
    ``covers``; with fewer than ``min_councils`` councils in it, it is withheld (``x``),
    labelled ``withheld_covers``. ``decided``: the month's statuses from the publication-wide
    decision (publish/extracts/suppression.py, its region row being this table's region),
    which every file shows; None: this table suppressed on its own."""
    members = tuple(sorted(members, key=lambda m: m.council_name))
    region_over = set(shared) if region_over is None else set(region_over)
    in_region = tuple(m for m in members if m.council_code in region_over)
    withheld = len(in_region) < min_councils
    cells, groups = partner_cells(month, members, shared, region_over, withheld)
    if decided is None:
        disclosure = suppress(cells, groups, threshold)
    else:
        published = {
            key: decided.published[key] if key[0] == REGION_ROW or key[0] in shared else "c"
            for key in cells
        }
        disclosure = Disclosure(
            published, {k: r for k, r in decided.reasons.items() if k in published}
        )
    published_rows = tuple(m for m in members if m.council_code in shared)
    covered = coverage.month_coverage(
        month, period, in_region, withheld_covers if withheld else covers, withheld
    )
    return PartnerTable(period, members, published_rows, disclosure, groups, covered)


def partner_rows(table: PartnerTable) -> list[list[str]]:
    """The extract's rows, PARTNER_COLUMNS order: the region, then the shared councils; every
    row carries the regional figure's coverage counts."""
    time = ees.time_columns(table.period)
    names = [i.name for i in PARTNER_INDICATORS]
    counts = [table.coverage.councils_in_text, table.coverage.missing_count_text]
    rows = [
        [
            *time,
            *ees.region_geography(table.members[0]),
            *(table.figure(REGION_ROW, n) for n in names),
            *counts,
        ]
    ]
    for member in table.shared:
        rows.append(
            [
                *time,
                *ees.council_geography(member),
                *(table.figure(member.council_code, n) for n in names),
                *counts,
            ]
        )
    return rows


META_COLUMNS = list(ees.META_COLUMNS)
DICTIONARY_COLUMNS = ["col_name", "col_type", "label", "unit", "decimal_places", "description"]


REGIONAL_ROW_TEXT = (
    "The regional row sums only the MoC councils that share their data with this partner "
    "(the councils listed in the extract), from their components (rates are computed from "
    "the sums, never averaged); it is not the whole MoC region."
)


def regional_footnote(table: PartnerTable) -> str:
    """What the regional row is, in words, and the month's coverage (the EES footnote of the
    regional figures)."""
    return f"{REGIONAL_ROW_TEXT} {table.coverage.sentence()}"


def meta_rows() -> list[list[str]]:
    """EES ``.meta.csv``: the indicators (EES leaves time and geography out of it), the two
    coverage counts last."""
    rows = [
        [
            i.name,
            "Indicator",
            i.label,
            "Counts" if i.kind == "count" else "Rates",
            i.unit,
            str(COLUMN_PLACES[i.name]),
            "",
            "",
        ]
        for i in PARTNER_INDICATORS
    ]
    for name in COVERAGE_COUNTS:
        places = str(COLUMN_PLACES[name])
        rows.append([name, "Indicator", COVERAGE_LABELS[name], "Coverage", "", places, "", ""])
    return rows


def dictionary_rows(
    table: PartnerTable | None = None, footnote: str | None = None
) -> list[list[str]]:
    """Every column of the extract, the standard ones included, and how the typed Parquet copy
    holds each number, then the symbol legend once (a row of col_type Symbol per symbol,
    common.rounding.SYMBOL_MEANINGS); the coverage columns carry the month's footnote on the
    regional row (``table``), or ``footnote`` instead (a time series: where its footnotes
    are)."""
    if footnote is None:
        footnote = "" if table is None else regional_footnote(table)
    footnote = f" {footnote}" if footnote else ""
    rows = [
        [name, "Time" if name in ees.TIME_COLUMNS else "Geography", name, "", "", text]
        for name, text in ees.STANDARD_DESCRIPTIONS.items()
    ]
    for i in PARTNER_INDICATORS:
        text = (
            f"{i.description} A symbol instead of a number: see the {SYMBOL} rows. "
            + _parquet_text(i.name)
        )
        rows.append([i.name, "Indicator", i.label, i.unit, str(COLUMN_PLACES[i.name]), text])
    descriptions = {
        coverage.COUNCILS_IN: "How many councils the regional row sums (those sharing with this "
        "partner that sent a return for the month); x when there is no regional figure. The "
        "same on every row of a month." + footnote,
        coverage.MISSING_COUNT: "How many councils sharing with this partner sent no return for "
        "the month. "
        + coverage.MISSING_DESCRIPTION
        + " Which councils: the footnote on councils_in_regional_figure. The same on every "
        "row of a month.",
    }
    for name in COVERAGE_COUNTS:
        text = f"{descriptions[name]} {_parquet_text(name)}"
        rows.append([name, "Indicator", COVERAGE_LABELS[name], "", str(COLUMN_PLACES[name]), text])
    # the symbol legend, once, from its one home
    rows += [[symbol, SYMBOL, symbol, "", "", text] for symbol, text in SYMBOL_MEANINGS]
    return rows


def _parquet_text(name: str) -> str:
    return PARQUET_TEXT.format(places=COLUMN_PLACES[name], name=name)
