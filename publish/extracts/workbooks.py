"""The Excel files: the members' benchmark (one sheet per theme) and the per-council packs.

Numbers are number cells, rounded as published (half away from zero) and formatted to their
decimal places; symbols are text cells, and the About sheet's legend is
common.rounding.SYMBOL_MEANINGS. Headers are frozen, with a filter, and
the council column comes first so an officer can find their own rows; the regional rows are
bold. Every text cell goes through feedback.excel_safe. Bytes are reproducible:
template.workbook_bytes with a timestamp derived from the period (its last day), never now().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.excel import excel_safe, workbook_bytes
from common.labels import code_label
from common.members import Member
from common.periods import period_end
from common.reference import seed_rows
from common.rounding import SYMBOL_MEANINGS, SYMBOLS, round_half_away
from publish.extracts import ees
from publish.extracts.benchmark import BenchmarkLine, Figure
from publish.extracts.coverage import COUNCILS_IN, MISSING, Coverage
from publish.extracts.indicators import (
    AGENCY,
    ALL_ROLES,
    CAP_INDICATORS,
    PAY,
    PLACEHOLDER_CAPS_LABEL,
    PLACEHOLDER_CAPS_NOTE,
    THEMES,
    WORKFORCE,
)
from publish.extracts.packs import PackLine

ALL_ROLES_NAME = "All roles"
BY_NAME_ALL = {i.name: i for i in (*WORKFORCE, *AGENCY, *PAY)}

BENCHMARK_HEADINGS = [
    "Council",
    "LA code",
    "Regional role",
    "Indicator",
    "Indicator name",
    "Value",
    "Regional figure",
    "Regional minimum",
    "Lower quartile",
    "Median",
    "Upper quartile",
    "Regional maximum",
    "Councils in regional figure",
    "Councils missing from regional figure",
]
PACK_SHEET = "You against the region"
ABOUT_SHEET = "About"
_BOLD = Font(bold=True)
_HEADING_FILL = PatternFill("solid", fgColor="DDEBF7")
_REGION_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def workbook_timestamp(period: str) -> dt.datetime:
    """The workbook's document time: midnight on the period's last day (never the clock)."""
    return dt.datetime.combine(period_end(period), dt.time())


def number_format(places: int, unit: str = "") -> str:
    """Excel's format for a figure: its published decimal places, thousands separated, with
    its unit: "£1,234" for money, "18.8%" for a rate (the figure is already 0-100)."""
    digits = "#,##0" if places == 0 else "#,##0." + "0" * places
    if unit == "£":
        return f'"£"{digits}'
    if unit == "%":
        return f'{digits}"%"'
    return digits


def role_name(role: str) -> str:
    """A regional role as people read it ('social_worker' -> 'Social worker'; every role ->
    'All roles'), from the regional_roles seed."""
    if role == ALL_ROLES:
        return ALL_ROLES_NAME
    names = {row["role_code"]: row["role_name"] for row in seed_rows("regional_roles")}
    return names.get(role, code_label(role))


def _put(sheet: Worksheet, row: int, column: int, value, places: int | None = None, unit: str = ""):
    """A number cell (rounded as published, formatted with its unit) or a text cell (symbols,
    names: neutralised)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Figure):
        value = value.text(places)
    if isinstance(value, float | int) and not isinstance(value, bool):
        cell.value = value
    elif places is not None and value not in SYMBOLS and value not in ("", None):
        cell.value = float(round_half_away(float(value), places))
        cell.number_format = number_format(places, unit)
    else:
        cell.value = excel_safe(value)
        cell.data_type = "s"
    return cell


def _headings(sheet: Worksheet, headings: list[str], widths: list[int]) -> None:
    for column, (heading, width) in enumerate(zip(headings, widths, strict=True), start=1):
        cell = _put(sheet, 1, column, heading)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADING_FILL, _WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "B2"


def _about(workbook: Workbook, title: str, period: str, lines: list[tuple[str, str]]) -> None:
    sheet = workbook.active
    sheet.title = ABOUT_SHEET
    _put(sheet, 1, 1, title).font = _BOLD
    _put(sheet, 2, 1, "Month")
    _put(sheet, 2, 2, period)
    row = 4
    for label, text in [*lines, ("Symbols", ""), *SYMBOL_MEANINGS]:
        _put(sheet, row, 1, label).font = _BOLD if not text else Font()
        _put(sheet, row, 2, text).alignment = _WRAP
        row += 1
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 100


def _definitions(entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """One About-sheet row per indicator the workbook holds (``entries``: name, label, unit):
    its name, then its label, unit and definition, so the workbook explains itself without
    our repository."""
    rows, seen = [], set()
    for name, label, unit in entries:
        if name in seen:
            continue
        seen.add(name)
        base = BY_NAME_ALL.get(name) or BY_NAME_ALL.get(_base_name(name))
        definition = base.description if base is not None else ""
        unit_text = {"%": " Unit: per cent.", "£": " Unit: pounds."}.get(unit, "")
        rows.append((name, f"{label}. {definition}{unit_text}".strip()))
    return rows


def _base_name(name: str) -> str:
    for suffix in ("_12_month_mean", "_12_months"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _cap_label(label: str, indicator: str, placeholder_caps: bool) -> str:
    """An indicator's label, marked when it is measured against placeholder caps."""
    if placeholder_caps and indicator in CAP_INDICATORS:
        return label + PLACEHOLDER_CAPS_LABEL
    return label


def _caps_note(indicators: Iterable[str], placeholder_caps: bool) -> list[tuple[str, str]]:
    """The About sheet's row on placeholder caps, when a cap indicator is in the workbook and
    a cap it rests on is a placeholder."""
    if placeholder_caps and set(indicators) & set(CAP_INDICATORS):
        return [("Agency caps", PLACEHOLDER_CAPS_NOTE)]
    return []


def benchmark_workbook(
    lines: list[BenchmarkLine],
    members: Iterable[Member],
    period: str,
    covered: Coverage,
    placeholder_caps: bool = False,
) -> tuple[bytes, int]:
    """(xlsx bytes, data rows) of the members' benchmark: a sheet per theme with figures; the
    regional row is labelled with what it covers, every row says how many councils it holds
    and which are missing (``covered``), and the About sheet says it in words. With
    ``placeholder_caps`` (a cap the agency figures rest on is a placeholder) the indicators
    measured against the caps say so in their label and the About sheet in a note."""
    members = sorted(members, key=lambda m: m.council_name)
    lines = [
        replace(line, label=_cap_label(line.label, line.indicator, placeholder_caps))
        for line in lines
    ]
    covers = covered.covers
    region_name = f"{members[0].region_name} (region: {covers})"
    workbook = Workbook()
    _about(
        workbook,
        "MoC members' benchmark: each council beside the region",
        period,
        [
            ("Who may see it", "Members of the MoC only: it names councils and is not suppressed."),
            (
                "Figures",
                "For the month, and for the 12 months to it (indicators ending _12_month_mean: "
                "the mean of the 12 monthly figures, for a council with a return in every one; "
                "_12_months: a rate from the components summed over the 12 months). The "
                "regional figure is computed from components summed over the councils it "
                f"covers ({covers}), never an average of council rates; minimum, quartiles, "
                "median and maximum are over the council figures. Rates are percentages, "
                "money is in pounds; figures round half away from zero.",
            ),
            ("Regional figure", covered.sentence()),
            ("Find your rows", "Filter the Council column (the first) on your council's name."),
            *_caps_note((line.indicator for line in lines), placeholder_caps),
            ("Definitions", ""),
            *_definitions((line.indicator, line.label, line.unit) for line in lines),
        ],
    )
    total = 0
    for theme in THEMES:
        theme_lines = [line for line in lines if line.theme == theme]
        if not theme_lines:
            continue
        sheet = workbook.create_sheet(code_label(theme))
        widths = [24, 9, 22, 44, 34, 10, 10, 10, 10, 10, 10, 10, 12, 24]
        _headings(sheet, BENCHMARK_HEADINGS, widths)
        last = len(BENCHMARK_HEADINGS)
        row = 2
        for line in theme_lines:
            spread = [Figure(v) if v is not None else Figure(None, "x") for v in line.spread()]
            tail = [line.region, *spread]
            role = role_name(line.role)
            _put(sheet, row, 1, region_name)
            _put(sheet, row, 2, members[0].region_code)
            for column, cell_value in ((3, role), (4, line.label), (5, line.indicator)):
                _put(sheet, row, column, cell_value)
            _put(sheet, row, 6, line.region, line.places, line.unit)
            for column, figure in enumerate(tail, start=7):
                _put(sheet, row, column, figure, line.places, line.unit)
            _put(sheet, row, 13, line.councils_in_regional_figure)
            _put(sheet, row, 14, covered.missing_text)
            for column in range(1, last + 1):
                sheet.cell(row=row, column=column).font = _BOLD
                sheet.cell(row=row, column=column).fill = _REGION_FILL
            row += 1
            for member in members:
                _put(sheet, row, 1, member.council_name)
                _put(sheet, row, 2, member.council_code)
                for column, cell_value in ((3, role), (4, line.label), (5, line.indicator)):
                    _put(sheet, row, column, cell_value)
                _put(sheet, row, 6, line.councils[member.council_code], line.places, line.unit)
                for column, figure in enumerate(tail, start=7):
                    _put(sheet, row, column, figure, line.places, line.unit)
                _put(sheet, row, 13, line.councils_in_regional_figure)
                _put(sheet, row, 14, covered.missing_text)
                row += 1
        sheet.auto_filter.ref = f"A1:{get_column_letter(last)}{row - 1}"
        total += row - 2
    return workbook_bytes(workbook, workbook_timestamp(period)), total


PACK_SECTIONS: dict[str, str] = {  # a pack's sections, by indicator theme, in order
    "vacancies": "Workforce",
    "agency": "Agency: every role together",
    "pay": "Pay scales: per regional role",
}
# The indicator each section's chart plots, council against region: the vacancy rate, the
# agency rate (the DfE's measure of agency use) and the salary midpoint of the first role.
PACK_CHARTS: dict[str, str] = {
    "vacancies": "vacancy_rate_fte",
    "agency": "agency_rate_fte",
    "pay": "salary_midpoint",
}
CHART_DATA_SHEET = "Chart data"
_CHART_WIDTH_CM, _CHART_HEIGHT_CM = 13.0, 6.5


def pack_workbook(
    member: Member,
    period: str,
    months: list[str],
    lines: list[PackLine],
    covered: list[Coverage | None],
    threshold: float | None = None,
    placeholder_caps: bool = False,
) -> tuple[bytes, int]:
    """(xlsx bytes, data rows) of one council's pack. ``lines``: per indicator (and pay role)
    the council's and the region's published texts for each month, in sections by theme;
    ``covered``: per month what the regional figure covers (None: no figures that month),
    written as the first two rows (how many councils, which are missing) and, for the months
    with a council missing, in words on the About sheet. Each section has a small line chart
    of one indicator, council against region (PACK_CHARTS), plotted from the Chart data
    sheet, where symbols are blank cells: a gap in the line, never a zero. With
    ``placeholder_caps`` the indicators measured against the caps say so in their label and
    the About sheet in a note."""
    lines = [
        replace(line, label=_cap_label(line.label, line.name, placeholder_caps)) for line in lines
    ]
    workbook = Workbook()
    _pack_about(workbook, member, period, lines, covered, threshold, placeholder_caps)
    sheet = workbook.create_sheet(PACK_SHEET)
    month_labels = [ees.month_label(m) for m in months]
    headings = ["Indicator", "Indicator name", "Figures for", "Regional role", *month_labels]
    _headings(sheet, headings, [44, 30, 26, 22, *([11] * len(months))])
    sheet.freeze_panes = "E2"
    first_month = 5
    region_label = f"{member.region_name} (region)"
    coverage_rows = (
        ("Councils in regional figure", COUNCILS_IN, lambda c: len(c.included)),
        ("Councils missing from regional figure", MISSING, lambda c: c.missing_text),
    )
    row = 2
    for label, name, value in coverage_rows:
        _put(sheet, row, 1, label)
        _put(sheet, row, 2, name)
        _put(sheet, row, 3, region_label)
        for column, month in enumerate(covered, start=first_month):
            _put(sheet, row, column, "x" if month is None else value(month))
        _bold_row(sheet, row, len(headings))
        row += 1
    data = workbook.create_sheet(CHART_DATA_SHEET)
    _put(data, 1, 1, _CHART_DATA_NOTE)
    data.column_dimensions["A"].width = 40
    data_row = 3
    chart_column = get_column_letter(first_month + len(months) + 1)
    for theme, title in PACK_SECTIONS.items():
        section = [line for line in lines if line.theme == theme]
        if not section:
            continue
        _put(sheet, row, 1, title)
        _bold_row(sheet, row, len(headings))
        for column in range(1, len(headings) + 1):
            sheet.cell(row=row, column=column).fill = _HEADING_FILL
        section_row = row
        row += 1
        for line in section:
            role = role_name(line.role)
            for who, texts, bold in (
                (member.council_name, line.council, False),
                (region_label, line.region, True),
            ):
                _put(sheet, row, 1, line.label)
                _put(sheet, row, 2, line.name)
                _put(sheet, row, 3, who)
                _put(sheet, row, 4, role)
                for column, text in enumerate(texts, start=first_month):
                    _put(sheet, row, column, text, line.places, line.unit)
                if bold:
                    _bold_row(sheet, row, len(headings))
                row += 1
        charted = next((line for line in lines if line.name == PACK_CHARTS[theme]), None)
        if charted is not None:
            chart, data_row = _pack_chart(
                data, data_row, charted, month_labels, member.council_name, region_label
            )
            sheet.add_chart(chart, f"{chart_column}{section_row}")
    return workbook_bytes(workbook, workbook_timestamp(period)), row - 2


def _pack_about(
    workbook: Workbook,
    member: Member,
    period: str,
    lines: list[PackLine],
    covered: list[Coverage | None],
    threshold: float | None,
    placeholder_caps: bool = False,
) -> None:
    gaps = [c.sentence() for c in covered if c is not None and c.missing]
    latest = covered[-1].sentence() if covered and covered[-1] is not None else ""
    fewer = "the disclosure threshold" if threshold is None else f"{threshold:g}"
    themes = {line.theme for line in lines}
    sections = [title for theme, title in PACK_SECTIONS.items() if theme in themes]
    _about(
        workbook,
        f"{member.council_name}: you against the region, the 12 months to {period}",
        period,
        [
            (
                "Who may see it",
                "Written for the council's board: may be made public. Small "
                "figures are suppressed (c) as in the extracts that leave the MoC.",
            ),
            (
                "Sections",
                f"{'; '.join(sections)}. Each indicator has the council's row and the "
                "region's (bold), month by month, and each section a small chart of one of "
                f"them, council against region, plotted from the '{CHART_DATA_SHEET}' sheet.",
            ),
            (
                "Region",
                f"{member.region_name}: all member councils with a return, summed; for a "
                "month before the MoC, every council of the region with a return. The first "
                "two rows say, month by month, how many councils the regional figure holds "
                "and which sent no return (left out, so the regional counts drop that month: "
                "a missing council, not a fall).",
            ),
            ("Regional figure", latest),
            *(("Council missing", text) for text in gaps if text != latest),
            *(
                [
                    (
                        "Agency figures",
                        "The agency assignments open in the month, every role together. A "
                        f"count or spend resting on fewer than {fewer} assignments, and a "
                        f"median hourly rate over fewer than {fewer}, is c; a count of none "
                        "is 0. The regional figures are over the member councils with "
                        "assignments in the month: counts and spend summed, medians over all "
                        "their assignments. A regional count or spend is c in any month in "
                        "which one of those councils' is, so that no council's figure can be "
                        "worked out from the region's and the other packs.",
                    )
                ]
                if "agency" in themes
                else []
            ),
            *_caps_note((line.name for line in lines), placeholder_caps),
            *(
                [
                    (
                        "Pay figures",
                        "Each regional role's pay scale in force at the month's end, a year, "
                        "full time at 37 hours a week: the council's own (pay policy, not "
                        "anyone's pay, so published as it is), beside the median of the "
                        "member councils' scales for the role.",
                    )
                ]
                if "pay" in themes
                else []
            ),
            ("Definitions", ""),
            *_definitions((line.name, line.label, line.unit) for line in lines),
        ],
    )


_CHART_DATA_NOTE = (
    "The figures each chart plots, as on the first sheet; a symbol ("
    + ", ".join(symbol for symbol, _ in SYMBOL_MEANINGS)
    + ": see the About sheet) is a blank cell here, so the chart shows a gap, never a zero."
)


def _bold_row(sheet: Worksheet, row: int, columns: int) -> None:
    for column in range(1, columns + 1):
        sheet.cell(row=row, column=column).font = _BOLD


def _pack_chart(
    data: Worksheet,
    row: int,
    line: PackLine,
    month_labels: list[str],
    council_name: str,
    region_label: str,
) -> tuple[LineChart, int]:
    """A line chart of ``line`` (council and region over the months) and its block on the
    Chart data sheet from ``row``: a title row, the months, the council, the region. Returns
    the chart and the next free row."""
    role = "" if line.role == ALL_ROLES else f", {role_name(line.role)}"
    title = f"{line.label}{role}"
    _put(data, row, 1, title).font = _BOLD
    _put(data, row + 1, 1, "Figures for").font = _BOLD
    for column, label in enumerate(month_labels, start=2):
        _put(data, row + 1, column, label).font = _BOLD
    for offset, (who, texts) in enumerate(
        ((council_name, line.council), (region_label, line.region)), start=2
    ):
        _put(data, row + offset, 1, who)
        for column, text in enumerate(texts, start=2):
            if text not in SYMBOLS:
                _put(data, row + offset, column, text, line.places, line.unit)
    last = 1 + len(month_labels)
    chart = LineChart()
    chart.title = title
    chart.width, chart.height = _CHART_WIDTH_CM, _CHART_HEIGHT_CM
    chart.display_blanks = "gap"
    chart.y_axis.title = {"%": "Per cent", "£": "Pounds"}.get(line.unit, "")
    chart.y_axis.number_format = number_format(line.places, line.unit)
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides the axes otherwise
    values = Reference(data, min_col=1, max_col=last, min_row=row + 2, max_row=row + 3)
    chart.add_data(values, from_rows=True, titles_from_data=True)
    months = Reference(data, min_col=2, max_col=last, min_row=row + 1)
    for series in chart.series:  # the months are text: a string reference, not a number one
        series.cat = AxDataSource(strRef=StrRef(f=str(months)))
    return chart, row + 5
