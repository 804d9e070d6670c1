"""Council packs that explain themselves (issue 14), opened with real readers: the agency and
pay sections beside the workforce figures, with their labels, formats and role names; a
chart per section, council against region, with the right series; the same bytes from the
same figures; and the agency figures of every pack side by side, attacked exactly, give away
no council's suppressed figure nor any sum of them.
"""

from __future__ import annotations

import dataclasses
import io
import random
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from support.disclosure_attack import knowledge
from support.sample_marts import agency_marts, sample_frames

from common.members import members_on
from common.periods import period_end, window_periods
from common.reference import seed_rows
from common.rounding import SYMBOL_MEANINGS, SYMBOLS
from publish.disclosure import recoverable_cells, suppress
from publish.extracts import ees, packs, workbooks
from publish.extracts.indicators import PACK_AGENCY, PACK_PAY, PARTNER_INDICATORS
from publish.extracts.partner import REGION_ROW
from publish.extracts.suppression import decide_agency_month, panel_key

PERIOD = "2025-03"
THRESHOLD = 5
TINY = "822"  # a handful of agency assignments a month: its agency figures are c
COUNCIL = "881"
ROLE_NAMES = {row["role_code"]: row["role_name"] for row in seed_rows("regional_roles")}
ADDITIVE = [i.name for i in PACK_AGENCY if i.kind == "count"]


def _members_on(period: str):
    return members_on(period_end(period))


@pytest.fixture(scope="module")
def members():
    return _members_on(PERIOD)


@pytest.fixture(scope="module")
def frames(members):
    frames = sample_frames(PERIOD, members, members_on, seed=7, agency_and_pay=True)
    codes = [m.council_code for m in members]
    rates, assignments = agency_marts(window_periods(PERIOD), codes, seed=7, tiny=[TINY])
    return dataclasses.replace(frames, agency_rates=rates, agency_assignment_rates=assignments)


def _pack(frames, code):
    (council,) = [m for m in _members_on(frames.period) if m.council_code == code]
    months, lines, covered = packs.pack_figures(frames, council, _members_on, THRESHOLD)
    return council, months, lines, covered


@pytest.fixture(scope="module")
def pack(frames):
    council, months, lines, covered = _pack(frames, COUNCIL)
    content, rows = workbooks.pack_workbook(council, PERIOD, months, lines, covered, THRESHOLD)
    return council, months, lines, content, rows


def _sheet(content):
    return load_workbook(io.BytesIO(content))[workbooks.PACK_SHEET]


def _rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def test_the_pack_has_workforce_agency_and_pay_sections_in_order(pack):
    council, months, lines, content, rows = pack
    sheet = _sheet(content)
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Indicator", "Indicator name", "Figures for", "Regional role"]
    assert len(header) == 4 + len(months) == 16
    data = _rows(sheet)
    assert len(data) == rows
    sections = [row[0] for row in data if row[0] in workbooks.PACK_SECTIONS.values()]
    assert sections == list(workbooks.PACK_SECTIONS.values())
    starts = {title: i for i, row in enumerate(data) if (title := row[0]) in sections}
    agency = data[starts[sections[1]] + 1 : starts[sections[2]]]
    pay = data[starts[sections[2]] + 1 :]
    # each indicator: the council's row, then the region's
    assert [r[1] for r in agency] == [i.name for i in PACK_AGENCY for _ in range(2)]
    assert [r[0] for r in agency] == [i.label for i in PACK_AGENCY for _ in range(2)]
    assert [r[2] for r in agency[:2]] == [council.council_name, "East of England (region)"]
    assert {r[3] for r in agency} == {workbooks.ALL_ROLES_NAME}
    assert {r[1] for r in pay} == {i.name for i in PACK_PAY}
    workforce = data[starts[sections[0]] + 1 : starts[sections[1]]]
    assert [r[1] for r in workforce][::2] == [i.name for i in PARTNER_INDICATORS]


def test_roles_are_named_never_coded(pack):
    _, _, _, content, _ = pack
    sheet = _sheet(content)
    pay_roles = [r[3] for r in _rows(sheet) if r[1] == "salary_midpoint"]
    assert pay_roles[:2] == ["Social worker", "Social worker"]
    assert set(pay_roles) <= set(ROLE_NAMES.values())
    text = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert not text & set(ROLE_NAMES), "a role code in the pack"


@pytest.mark.parametrize(
    ("name", "number_format"),
    [
        ("agency_assignments", "#,##0"),
        ("agency_spend", '"£"#,##0'),
        ("agency_hourly_charge_median", '"£"#,##0.00'),
        ("salary_midpoint", '"£"#,##0'),
        ("vacancy_rate_fte", '#,##0.0"%"'),
        ("inpost_fte", "#,##0.0"),
    ],
)
def test_figures_are_numbers_in_their_units(pack, name, number_format):
    _, _, _, content, _ = pack
    sheet = _sheet(content)
    cells = [c for row in sheet.iter_rows(min_row=2) if row[1].value == name for c in row[4:]]
    numbers = [c for c in cells if not isinstance(c.value, str)]
    assert numbers, f"no {name} published as a number"
    assert {c.number_format for c in numbers} == {number_format}
    assert all(c.value in SYMBOLS for c in cells if isinstance(c.value, str))


def test_each_section_has_a_chart_of_council_against_region(pack):
    council, months, lines, content, _ = pack
    book = load_workbook(io.BytesIO(content))
    sheet, data = book[workbooks.PACK_SHEET], book[workbooks.CHART_DATA_SHEET]
    assert len(sheet._charts) == len(workbooks.PACK_SECTIONS)
    section_rows = [
        row[0].row for row in sheet.iter_rows() if row[0].value in workbooks.PACK_SECTIONS.values()
    ]
    month_labels = [" ".join(reversed(ees.time_columns(m))) for m in months]
    charted = zip(sheet._charts, workbooks.PACK_CHARTS.values(), section_rows, strict=True)
    for chart, name, section_row in charted:
        assert chart.tagname == "lineChart"
        assert chart.anchor._from.row + 1 == section_row  # beside its section
        line = next(x for x in lines if x.name == name)  # pay: the first role's
        assert chart.title.tx.rich.p[0].r[0].t.startswith(line.label)
        assert chart.display_blanks == "gap"
        expected = {council.council_name: line.council, "East of England (region)": line.region}
        assert len(chart.series) == len(expected)
        for series in chart.series:
            refs = (series.tx.strRef.f, series.val.numRef.f, series.cat.strRef.f)
            assert all(ref.startswith(f"'{workbooks.CHART_DATA_SHEET}'!") for ref in refs)
            (who,) = _values(data, series.tx.strRef.f)
            assert _values(data, series.cat.strRef.f) == month_labels
            texts = expected.pop(who)
            plotted = [None if text in SYMBOLS else float(text) for text in texts]
            assert _values(data, series.val.numRef.f) == plotted, who  # a symbol: a gap
        assert expected == {}


def _values(sheet, ref: str) -> list:
    """The values of the cells a chart reference ('Chart data'!$B$5:$M$5) names."""
    min_col, min_row, max_col, max_row = range_boundaries(ref.split("!", 1)[1].replace("$", ""))
    return [
        sheet.cell(row=r, column=c).value
        for r in range(min_row, max_row + 1)
        for c in range(min_col, max_col + 1)
    ]


def test_the_same_figures_give_the_same_bytes(frames, pack):
    council, months, lines, content, _ = pack
    again = _pack(frames, COUNCIL)
    assert again[2] == lines
    assert workbooks.pack_workbook(council, PERIOD, months, lines, again[3], THRESHOLD)[0] == (
        content
    )
    names = load_workbook(io.BytesIO(content)).sheetnames
    assert names == [workbooks.ABOUT_SHEET, workbooks.PACK_SHEET, workbooks.CHART_DATA_SHEET]


def test_the_about_sheet_explains_the_sections_and_states_the_legend_once(pack):
    _, _, lines, content, _ = pack
    about = [
        [c.value for c in row] for row in load_workbook(io.BytesIO(content))["About"].iter_rows()
    ]
    labels = [row[0] for row in about]
    assert {"Sections", "Agency figures", "Pay figures", "Definitions"} <= set(labels)
    assert {line.name for line in lines} <= set(labels)  # every indicator defined
    for symbol, meaning in SYMBOL_MEANINGS:
        assert about.count([symbol, meaning]) == 1
    (agency,) = [row[1] for row in about if row[0] == "Agency figures"]
    assert f"fewer than {THRESHOLD} assignments" in agency


def test_a_pack_on_its_own_shows_the_decision_every_pack_shows(frames, pack):
    _, _, lines, _, _ = pack
    shared = packs.agency_decisions(frames, _members_on, THRESHOLD)
    (council,) = [m for m in _members_on(PERIOD) if m.council_code == COUNCIL]
    assert packs.pack_figures(frames, council, _members_on, THRESHOLD, agency=shared)[1] == lines


def test_small_agency_figures_are_c_zeros_are_0_and_the_region_protects_them(frames):
    council, months, lines, _ = _pack(frames, TINY)
    by_name = {line.name: line for line in lines}
    rates = frames.agency_rates
    for i, month in enumerate(months):
        mine = rates[(rates["period"] == month) & (rates["council_code"] == TINY)]
        count = int(mine["assignment_count"].sum())
        text = by_name["agency_assignments"].council[i]
        assert text == ("x" if mine.empty else "c"), (month, count)
        assert by_name["agency_spend"].council[i] == text
        assert by_name["agency_hourly_charge_median"].council[i] == text
        if not mine.empty and mine["breaches_not_signed_off"].sum() == 0:
            assert by_name["agency_breaches_not_signed_off"].council[i] == "0"  # rule 0
        if text == "c":  # a council of the region is c: the regional total is too
            assert by_name["agency_assignments"].region[i] == "c"
            assert by_name["agency_spend"].region[i] == "c"


# ---------------------------------------------------------------------------------------------
# Every pack's agency section side by side, attacked exactly


def _agency_files(frames) -> dict[str, dict]:
    """Each council's pack, its agency figures: {(period, row, indicator): text}."""
    files = {}
    agency = packs.agency_decisions(frames, _members_on, THRESHOLD)  # as publish_month does
    for member in _members_on(frames.period):
        months, lines, _ = packs.pack_figures(frames, member, _members_on, THRESHOLD, agency=agency)
        file = files.setdefault(member.council_code, {})
        for line in lines:
            if line.theme != "agency":
                continue
            for month, mine, region in zip(months, line.council, line.region, strict=True):
                file[(month, member.council_code, line.name)] = mine
                file[(month, REGION_ROW, line.name)] = region
    return files


def _agency_equations(periods, members_on_month):
    """Region = sum of the member councils, each month and additive indicator; and, for each,
    an unknown 'sum' of its councils (any subset the attack may want is a sum of these
    councils: pinning 'sum' of the suppressed ones is the small-group attack below)."""
    return [
        (
            panel_key(period, REGION_ROW, name),
            [panel_key(period, m.council_code, name) for m in members_on_month(period)],
        )
        for period in periods
        for name in ADDITIVE
    ]


def _small_groups(known, groups):
    """For every equation, a new unknown equal to the sum of its suppressed councils: pinned
    when the files give away what a small group (the suppressed councils together) holds."""
    extra = []
    for total, members in groups:
        hidden = [k for k in members if known[k] == "c"]
        if len(hidden) >= 2:
            key = (f"{total[0]}:hidden", total[1])
            known[key] = "c"
            extra.append((key, hidden))
    return extra


def attack(files, groups) -> set:
    known = knowledge(files, groups)
    extra = _small_groups(known, groups)
    return recoverable_cells(known, [*groups, *extra])


def test_every_packs_agency_section_side_by_side_recovers_nothing(frames):
    files = _agency_files(frames)
    months = window_periods(PERIOD)
    groups = _agency_equations(months, _members_on)
    everything = list(files.values())
    assert any(text == "c" for f in everything for text in f.values())  # something to protect
    assert attack(everything, groups) == set()
    for code, file in files.items():  # and each pack on its own (it may go public)
        assert attack([file], groups) == set(), code
    # the month before's packs show the same text in every month they share
    before = dataclasses.replace(frames, period=window_periods(PERIOD)[-2])
    earlier = _agency_files(before)
    for code, file in earlier.items():
        shared = {k: v for k, v in file.items() if k in files[code]}
        assert shared and all(files[code][k] == v for k, v in shared.items()), code


def test_regional_totals_on_their_own_support_gave_councils_away(frames):
    """The attack is real: the same cells with the regional totals published whenever they
    rest on enough assignments (primary suppression only) pin suppressed councils."""
    files: dict[str, dict] = {}
    months = window_periods(PERIOD)
    for month in months:
        members = _members_on(month)
        rates = frames.agency_rates[frames.agency_rates["period"] == month]
        assignments = frames.agency_assignment_rates
        of_month = assignments[assignments["period"] == month]
        cells, _ = packs.agency_cells(rates, of_month, members)
        published = suppress(cells, (), THRESHOLD).published
        for member in members:
            file = files.setdefault(member.council_code, {})
            for name in ADDITIVE:
                file[(month, member.council_code, name)] = published[(member.council_code, name)]
                file[(month, REGION_ROW, name)] = published[(REGION_ROW, name)]
    assert attack(list(files.values()), _agency_equations(months, _members_on))


@st.composite
def agency_months(draw):
    """One month of agency rates for 2 to 11 councils, assignment counts 0 to 12."""
    members = tuple(_members_on(PERIOD))[: draw(st.integers(2, 11))]
    rng = random.Random(draw(st.integers(0, 10_000)))
    rates = []
    for member in members:
        count = draw(st.integers(0, 12))
        if count == 0:
            continue
        above = rng.randint(0, count)
        rates.append(
            {
                "council_code": member.council_code,
                "period": PERIOD,
                "regional_role": "social_worker",
                "assignment_count": count,
                "above_cap_count": above,
                "breaches_not_signed_off": rng.randint(0, above),
                "agency_spend": float(Fraction(rng.randint(1_000, 90_000) * count, 7)),
                "hourly_pay_rate_median": 35.0,
                "hourly_charge_rate_median": 45.0,
            }
        )
    return members, pd.DataFrame(rates, columns=list(rates[0]) if rates else ["council_code"])


@settings(max_examples=40, deadline=None, database=None)
@given(agency_months())
def test_no_set_of_packs_gives_away_a_council_or_a_small_group(month):
    members, rates = month
    if rates.empty:
        return
    cells, groups = packs.agency_cells(rates, None, members)
    decided = decide_agency_month(cells, groups, THRESHOLD)
    files = [
        {
            (PERIOD, row, name): decided.published[(row, name)]
            for row in (member.council_code, REGION_ROW)
            for name in ADDITIVE
        }
        for member in members
    ]
    equations = _agency_equations([PERIOD], lambda _: members)
    assert attack(files, equations) == set()
    for (row, name), text in decided.published.items():
        cell = cells[(row, name)]
        if cell.value and cell.support < THRESHOLD:
            assert text == "c", (row, name)  # nothing resting on fewer than the threshold
