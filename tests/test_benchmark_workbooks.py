"""The Excel files, opened with real readers (openpyxl and python-calamine): sheets and
headers, numbers as numbers with their formats, symbols as text, the regional rows bold,
formula-like text neutralised, suppression in the council packs.
"""

from __future__ import annotations

import dataclasses
import io

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from support.sample_marts import sample_frames

from common.members import members_on
from common.periods import period_end
from common.rounding import SYMBOL_MEANINGS, SYMBOLS
from publish.extracts import benchmark, ees, marts, packs, workbooks
from publish.extracts.indicators import CAP_INDICATORS, PLACEHOLDER_CAPS_LABEL

PERIOD = "2025-03"
MISSING = "883"
SMALL = "822"  # made tiny below: its pack must show c


@pytest.fixture(scope="module")
def members():
    return members_on(period_end(PERIOD))


@pytest.fixture(scope="module")
def frames(members):
    frames = sample_frames(PERIOD, members, members_on, seed=7, missing=[(MISSING, PERIOD)])
    council = frames.council_months
    small = council["council_code"] == SMALL
    for column in ("permanent_fte", "agency_fte", "vacancy_fte", "case_holder_fte"):
        council.loc[small, column] = 2.0
    return frames


@pytest.fixture(scope="module")
def benchmark_xlsx(frames, members):
    lines = benchmark.benchmark_lines(frames, members)
    content, rows = workbooks.benchmark_workbook(
        lines, members, PERIOD, benchmark.month_coverage(frames, members)
    )
    return content, rows, lines


def test_one_sheet_per_theme_with_frozen_headers(benchmark_xlsx):
    content, rows, _ = benchmark_xlsx
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["About", "Vacancies"]  # no agency or pay marts in these frames
    sheet = book["Vacancies"]
    assert [c.value for c in sheet[1]] == workbooks.BENCHMARK_HEADINGS
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.max_row - 1 == rows


def test_numbers_are_numbers_and_symbols_are_text(benchmark_xlsx, members):
    content, _, lines = benchmark_xlsx
    sheet = load_workbook(io.BytesIO(content))["Vacancies"]
    value = workbooks.BENCHMARK_HEADINGS.index("Value") + 1
    names = {m.council_name for m in members}
    formats = {line.indicator: line for line in lines}
    seen_numbers = seen_symbols = 0
    for row in sheet.iter_rows(min_row=2):
        cell = row[value - 1]
        if isinstance(cell.value, str):
            assert cell.value in SYMBOLS
            seen_symbols += 1
        else:
            assert isinstance(cell.value, int | float)
            line = formats[row[4].value]
            assert cell.number_format == workbooks.number_format(line.places, line.unit)
            seen_numbers += 1
        is_region = row[0].value not in names
        assert bool(row[0].font.b) == is_region
    assert seen_numbers and seen_symbols
    missing = [r for r in sheet.iter_rows(min_row=2) if r[1].value == MISSING]
    assert {r[value - 1].value for r in missing} == {"x"}


def test_calamine_reads_the_same_cells(benchmark_xlsx):
    content, rows, _ = benchmark_xlsx
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    data = book.get_sheet_by_name("Vacancies").to_python()
    assert data[0] == workbooks.BENCHMARK_HEADINGS
    assert len(data) - 1 == rows
    values = [r[5] for r in data[1:]]
    assert all(isinstance(v, float) or v in SYMBOLS for v in values)


def test_the_same_lines_give_the_same_bytes(frames, members, benchmark_xlsx):
    content, _, _ = benchmark_xlsx
    again, _ = workbooks.benchmark_workbook(
        benchmark.benchmark_lines(frames, members),
        members,
        PERIOD,
        benchmark.month_coverage(frames, members),
    )
    assert again == content


def test_formula_like_text_is_neutralised(frames, members):
    renamed = tuple(
        dataclasses.replace(m, council_name='=HYPERLINK("http://x")')
        if m.council_code == "881"
        else dataclasses.replace(m, council_name="@SUM(A1)")
        if m.council_code == "919"
        else m
        for m in members
    )
    content, _ = workbooks.benchmark_workbook(
        benchmark.benchmark_lines(frames, renamed),
        renamed,
        PERIOD,
        benchmark.month_coverage(frames, renamed),
    )
    sheet = load_workbook(io.BytesIO(content))["Vacancies"]
    names = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert '\'=HYPERLINK("http://x")' in names and "'@SUM(A1)" in names
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert cell.value[:1] not in "=+-@"


def test_a_council_pack_suppresses_small_figures(frames, members):
    (council,) = [m for m in members if m.council_code == SMALL]
    months, figures, covered = packs.pack_figures(
        frames, council, lambda p: members_on(period_end(p)), 5
    )
    content, rows = workbooks.pack_workbook(council, PERIOD, months, figures, covered)
    book = load_workbook(io.BytesIO(content))
    sheet = book[workbooks.PACK_SHEET]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Indicator", "Indicator name", "Figures for", "Regional role"]
    assert header[4:] == [f"{ees.MONTHS[int(m[5:]) - 1]} {m[:4]}" for m in months]
    assert len(header) == 4 + 12 and header[-1] == "March 2025"
    council_rows = [r for r in sheet.iter_rows(min_row=2) if r[2].value == council.council_name]
    inpost = [r for r in council_rows if r[1].value == "inpost_fte"][0]
    assert {c.value for c in inpost[4:]} == {"c"}, "2 FTE rests on fewer than 5 workers"
    region_rows = [r for r in sheet.iter_rows(min_row=2) if r[2].value != council.council_name]
    assert all(r[0].font.b for r in region_rows)
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(content))
    data = calamine.get_sheet_by_name(workbooks.PACK_SHEET).to_python()
    assert len(data) - 1 == rows
    others = {m.council_name for m in members} - {council.council_name}
    assert not others & {r[2] for r in data[1:]}, "a pack names no other council"


def test_labels_units_and_roles_say_what_each_row_is(benchmark_xlsx):
    """12-month rows have their own labels, rates show as per cent and counts with thousands
    separators, roles by name, and the About sheet defines every indicator itself."""
    content, _, lines = benchmark_xlsx
    book = load_workbook(io.BytesIO(content))
    sheet = book["Vacancies"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    labels = {row[4]: row[3] for row in rows}
    assert labels["vacancy_rate_fte"] == "Vacancy rate (FTE)"
    assert labels["vacancy_rate_fte_12_months"] != labels["vacancy_rate_fte"]
    assert "12 months" in labels["vacancy_rate_fte_12_months"]
    assert "12 months" in labels["inpost_fte_12_month_mean"]
    assert len(set(labels.values())) == len(labels)  # no two indicators share a label
    assert {row[2] for row in rows} == {workbooks.ALL_ROLES_NAME}
    formats = {
        row[4]: cell.number_format
        for row, cells in zip(rows, sheet.iter_rows(min_row=2), strict=True)
        for cell in cells[5:6]
        if isinstance(cell.value, float)
    }
    assert formats["vacancy_rate_fte"] == '#,##0.0"%"'
    assert formats["inpost_fte"] == "#,##0.0"
    about = [[c.value for c in row] for row in book["About"].iter_rows()]
    defined = {row[0] for row in about}
    assert {line.indicator for line in lines} <= defined
    assert not any("docs/" in str(cell) for row in about for cell in row if cell)


def test_money_is_in_pounds_with_thousands_separators():
    assert workbooks.number_format(0, "£") == '"£"#,##0'
    assert workbooks.number_format(2, "£") == '"£"#,##0.00'
    assert workbooks.role_name("social_worker") == "Social worker"
    assert workbooks.role_name("Total") == workbooks.ALL_ROLES_NAME


def test_the_benchmark_workbook_says_which_council_is_missing(benchmark_xlsx, members):
    """Thurrock sent no return: every row names it as missing from the regional figure, the
    regional figure holds the other 10, and the About sheet says so in words."""
    content, _, _ = benchmark_xlsx
    book = load_workbook(io.BytesIO(content))
    sheet = book["Vacancies"]
    header = [c.value for c in sheet[1]]
    missing = header.index("Councils missing from regional figure")
    councils_in = header.index("Councils in regional figure")
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert {row[missing] for row in rows} == {"Thurrock"}
    inpost = [r for r in rows if r[4] == "inpost_fte"]
    assert {r[councils_in] for r in inpost} == {len(members) - 1}
    assert all(isinstance(r[councils_in], int) for r in rows)
    about = " ".join(str(c.value) for row in book["About"].iter_rows() for c in row if c.value)
    assert "covers 10 of the 11 councils of 'MoC members'" in about
    assert "No return from Thurrock" in about and "not because the workforce fell" in about


def test_a_pack_says_how_many_councils_each_month_holds_and_who_is_missing(frames, members):
    (council,) = [m for m in members if m.council_code == "881"]
    months, figures, covered = packs.pack_figures(
        frames, council, lambda p: members_on(period_end(p)), 5
    )
    content, _ = workbooks.pack_workbook(council, PERIOD, months, figures, covered)
    book = load_workbook(io.BytesIO(content))
    rows = {
        row[1].value: [c.value for c in row[4:]]
        for row in book[workbooks.PACK_SHEET].iter_rows(min_row=2)
        if row[1].value in ("councils_in_regional_figure", "councils_missing_from_regional_figure")
    }
    assert rows["councils_in_regional_figure"] == [len(members)] * 11 + [len(members) - 1]
    assert rows["councils_missing_from_regional_figure"] == ["none"] * 11 + ["Thurrock"]
    about = " ".join(str(c.value) for row in book["About"].iter_rows() for c in row if c.value)
    assert "No return from Thurrock" in about
    # the pack's regional in-post FTE is every member's with a return, not the council's alone
    region = [
        r
        for r in book[workbooks.PACK_SHEET].iter_rows(min_row=2)
        if r[1].value == "inpost_fte" and r[2].value.endswith("(region)")
    ][0]
    month = frames.council_months[frames.council_months["period"] == PERIOD]
    assert region[-1].value == pytest.approx(round(month["permanent_fte"].sum(), 1))


def test_the_about_sheet_states_the_symbol_legend_once(benchmark_xlsx):
    content, _, _ = benchmark_xlsx
    about = [
        [c.value for c in row] for row in load_workbook(io.BytesIO(content))["About"].iter_rows()
    ]
    for symbol, meaning in SYMBOL_MEANINGS:
        assert about.count([symbol, meaning]) == 1
        assert sum(meaning in str(cell) for row in about for cell in row) == 1


def test_placeholder_caps_are_said_in_the_benchmark_and_the_packs(members):
    """While a cap the agency figures rest on is a placeholder (fct_agency_rates'
    is_placeholder_cap), the indicators counted against the caps carry it in their label and
    the About sheet says so, in the members' benchmark and in every pack; agreed caps: no mark."""
    frames = sample_frames(PERIOD, members, members_on, seed=7, agency_and_pay=True)

    def flagged(value: bool):
        return dataclasses.replace(
            frames, agency_rates=frames.agency_rates.assign(is_placeholder_cap=value)
        )

    assert marts.has_placeholder_caps(flagged(True))
    assert not marts.has_placeholder_caps(flagged(False))
    assert not marts.has_placeholder_caps(frames)  # a warehouse from before the column
    (council,) = [m for m in members if m.council_code == "881"]
    for placeholder in (True, False):
        month = flagged(placeholder)
        content, _ = workbooks.benchmark_workbook(
            benchmark.benchmark_lines(month, members),
            members,
            PERIOD,
            benchmark.month_coverage(month, members),
            marts.has_placeholder_caps(month),
        )
        book = load_workbook(io.BytesIO(content))
        labels = {row[4].value: row[3].value for row in book["Agency"].iter_rows(min_row=2)}
        months, figures, covered = packs.pack_figures(
            month, council, lambda p: members_on(period_end(p)), 5
        )
        pack_content, _ = workbooks.pack_workbook(
            council, PERIOD, months, figures, covered, 5, marts.has_placeholder_caps(month)
        )
        pack = load_workbook(io.BytesIO(pack_content))
        pack_labels = {
            row[1].value: row[0].value for row in pack[workbooks.PACK_SHEET].iter_rows(min_row=2)
        }
        for workbook, names in ((book, labels), (pack, pack_labels)):
            about = {row[0].value: row[1].value for row in workbook["About"].iter_rows()}
            assert ("Agency caps" in about) == placeholder
            for name in CAP_INDICATORS:
                assert names[name].endswith(PLACEHOLDER_CAPS_LABEL) == placeholder, name
            assert not names["agency_spend"].endswith(PLACEHOLDER_CAPS_LABEL)
        if placeholder:
            assert "placeholder" in about["Agency caps"]
