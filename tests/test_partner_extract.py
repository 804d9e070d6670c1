"""The partner extract: no published figure rests on fewer workers than the threshold, and no
suppressed figure can be recovered from the extract as written, over random marts (hypothesis);
a council without an agreement is left out and in no figure, the regional row sums only the
councils sharing with the partner and says so, and is withheld below the minimum; the files
describe every column.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.members import load_members
from common.rounding import SYMBOL_MEANINGS, SYMBOLS
from common.settings import disclosure_threshold, min_councils_for_region
from publish.disclosure import is_true_zero, recoverable_cells
from publish.extracts import ees, files
from publish.extracts.indicators import PARTNER_COUNTS, PARTNER_INDICATORS, PARTNER_RATES
from publish.extracts.partner import (
    DICTIONARY_COLUMNS,
    META_COLUMNS,
    PARTNER_COLUMNS,
    REGION_ROW,
    SYMBOL,
    build_partner_table,
    dictionary_rows,
    meta_rows,
    partner_cells,
    partner_rows,
)

PERIOD = "2025-03"
MEMBERS = tuple(sorted(load_members(), key=lambda m: m.council_name))
CODES = [m.council_code for m in MEMBERS]


@st.composite
def months(draw):
    """(month frame, members, shared councils, threshold): random council returns."""
    size = draw(st.integers(2, len(MEMBERS)))
    members = MEMBERS[:size]
    threshold = draw(st.sampled_from([3, 5, 10]))
    fte = st.one_of(
        st.just(0.0),
        st.floats(0.01, 0.06),
        st.floats(0.1, 6.0),
        st.floats(6.0, 300.0),
    ).map(lambda v: round(v, 1))
    headcount = st.one_of(st.integers(0, threshold + 1), st.integers(0, 60))
    records = []
    for member in members:
        if draw(st.integers(0, 9)) == 0:
            continue  # no return this month
        record = {"council_code": member.council_code, "period": PERIOD}
        for name in (
            "permanent_fte",
            "agency_fte",
            "agency_vacancy_fte",
            "vacancy_fte",
            "leavers_fte",
            "leavers_fte_12_months",
            "case_holder_fte",
        ):
            record[name] = draw(fte)
        record["cases_held"] = int(record["case_holder_fte"] * draw(st.integers(0, 25)))
        record["leavers_headcount"] = draw(headcount)
        record["leavers_headcount_12_months"] = draw(headcount)
        record["leavers_window_months"] = draw(st.sampled_from([12, 12, 12, 5]))
        records.append(record)
    frame = pd.DataFrame(records)
    shared = {m.council_code for m in members if draw(st.integers(0, 4)) > 0}
    return frame, members, shared, threshold


def _written(table) -> list[dict[str, str]]:
    content = files.csv_bytes(PARTNER_COLUMNS, partner_rows(table))
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def _as_published(rows: list[dict[str, str]], members) -> dict:
    """What a partner knows, keyed like the disclosure cells: a left-out council is unknown."""
    known = {}
    for row in rows:
        key = REGION_ROW if row["geographic_level"] == ees.REGIONAL else row["old_la_code"]
        for indicator in PARTNER_INDICATORS:
            known[(key, indicator.name)] = row[indicator.name]
    for member in members:
        for indicator in PARTNER_INDICATORS:
            known.setdefault((member.council_code, indicator.name), "c")
    return known


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months())
def test_no_published_figure_rests_on_too_few_workers(month):
    frame, members, shared, threshold = month
    table = build_partner_table(PERIOD, frame, members, shared, threshold)
    cells, _ = partner_cells(frame, members, shared)
    for key, text in _as_published(_written(table), members).items():
        if text not in SYMBOLS and not is_true_zero(cells[key]):  # rule 0: zeros on nobody
            assert cells[key].support >= threshold, (key, text, cells[key])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months())
def test_no_suppressed_figure_can_be_recovered_from_the_extract_as_written(month):
    frame, members, shared, threshold = month
    table = build_partner_table(PERIOD, frame, members, shared, threshold)
    known = _as_published(_written(table), members)
    assert recoverable_cells(known, table.groups) == set()
    for rate in PARTNER_RATES:  # a published rate never sits on a suppressed input
        for row in [REGION_ROW, *(m.council_code for m in members)]:
            inputs = [(row, n) for n in (rate.numerator, *rate.denominator)]
            if known[(row, rate.name)] not in SYMBOLS:
                assert all(known[k] != "c" for k in inputs), (row, rate.name)


@settings(max_examples=60, deadline=None)
@given(months())
def test_left_out_councils_are_absent_and_the_region_sums_only_the_sharing_councils(month):
    frame, members, shared, threshold = month
    table = build_partner_table(PERIOD, frame, members, shared, threshold)
    rows = _written(table)
    assert [r["geographic_level"] for r in rows[:1]] == [ees.REGIONAL]
    listed = shared & {m.council_code for m in members}
    assert {r["old_la_code"] for r in rows[1:]} == listed
    assert {m.council_code for m in table.left_out} == {m.council_code for m in members} - shared
    cells, _ = partner_cells(frame, members, shared)
    left_out = {m.council_code for m in table.left_out}
    assert not {row for row, _ in cells} & left_out, "a left-out council is in no figure"
    with_return = set(frame["council_code"]) if len(frame) else set()
    for row in rows:
        expected = str(len(listed & with_return)) if listed else "x"  # nobody shares: no region
        assert row["councils_in_regional_figure"] == expected
        missing = listed - with_return
        expected_missing = str(len(missing)) if listed else "x"
        assert row["councils_missing_from_regional_figure_count"] == expected_missing
    for count in PARTNER_COUNTS:
        parts = [cells[(code, count.name)].value for code in sorted(listed)]
        total = cells[(REGION_ROW, count.name)].value
        known = [p for p in parts if p is not None]
        if total is not None:
            assert total == pytest.approx(sum(known))


def test_a_lone_small_council_cannot_be_derived_from_the_region():
    """Worked example: one small council, and one council without an agreement."""
    records = []
    for code, permanent in zip(CODES, [3.0, 40.0, 50.0, 60.0], strict=False):
        records.append(
            {
                "council_code": code,
                "period": PERIOD,
                "permanent_fte": permanent,
                "agency_fte": 10.0,
                "agency_vacancy_fte": 5.0,
                "vacancy_fte": 10.0,
                "leavers_fte": 8.0,
                "leavers_fte_12_months": 30.0,
                "case_holder_fte": 20.0,
                "cases_held": 300,
                "leavers_headcount": 9,
                "leavers_headcount_12_months": 33,
                "leavers_window_months": 12,
            }
        )
    members = tuple(m for m in MEMBERS if m.council_code in CODES[:4])
    shared = set(CODES[:3])  # CODES[3] has not signed
    table = build_partner_table(PERIOD, pd.DataFrame(records), members, shared, 5)
    rows = {r["old_la_code"] or REGION_ROW: r for r in _written(table)}
    assert CODES[3] not in rows
    assert rows[CODES[0]]["inpost_fte"] == "c"
    # The region is the three sharing councils only: the one without an agreement is in no
    # figure, so the small council needs a second unknown among the listed ones.
    assert rows[REGION_ROW]["inpost_fte"] == "93.0"
    assert [rows[c]["inpost_fte"] for c in CODES[1:3]] == ["c", "50.0"]
    assert rows[CODES[0]]["vacancy_rate_fte"] == "c"
    assert table.disclosure.reason_counts()["primary"] >= 1


def test_the_threshold_comes_from_the_environment():
    assert disclosure_threshold({}) == 5
    assert disclosure_threshold({"MOC_DISCLOSURE_THRESHOLD": "10"}) == 10
    with pytest.raises(ValueError):
        disclosure_threshold({"MOC_DISCLOSURE_THRESHOLD": "0"})


def test_the_metadata_describes_every_column_of_the_extract():
    meta = list(csv.DictReader(io.StringIO(files.csv_bytes(META_COLUMNS, meta_rows()).decode())))
    dictionary = list(
        csv.DictReader(io.StringIO(files.csv_bytes(DICTIONARY_COLUMNS, dictionary_rows()).decode()))
    )
    indicators = [c for c in PARTNER_COLUMNS if c not in ees.STANDARD_COLUMNS]
    assert [m["col_name"] for m in meta] == indicators
    assert all(m["col_type"] in ("Indicator", "Filter") and m["label"] for m in meta)
    filters = [m["col_name"] for m in meta if m["col_type"] == "Filter"]
    assert filters == []  # one month's coverage has one level: a footnote, not a filter
    assert all(m["filter_hint"] for m in meta if m["col_type"] == "Filter")
    assert {m["indicator_unit"] for m in meta} <= {"", "%", "£"}
    columns = [d for d in dictionary if d["col_type"] != SYMBOL]
    assert [d["col_name"] for d in columns] == PARTNER_COLUMNS
    assert all(d["description"] and d["label"] for d in dictionary)


def test_the_data_dictionary_states_the_symbol_legend_once():
    """One row per symbol, from the legend's one home; no other row repeats a meaning."""
    dictionary = list(
        csv.DictReader(io.StringIO(files.csv_bytes(DICTIONARY_COLUMNS, dictionary_rows()).decode()))
    )
    legend = [(d["col_name"], d["description"]) for d in dictionary if d["col_type"] == SYMBOL]
    assert legend == list(SYMBOL_MEANINGS)
    others = " ".join(d["description"] for d in dictionary if d["col_type"] != SYMBOL)
    for _, meaning in SYMBOL_MEANINGS:
        assert meaning not in others
    assert "suppressed" not in others.lower()


def test_decimal_places_in_the_extract_match_the_metadata():
    frame = pd.DataFrame(
        [
            {
                "council_code": code,
                "period": PERIOD,
                "permanent_fte": 100.25,
                "agency_fte": 20.0,
                "agency_vacancy_fte": 10.0,
                "vacancy_fte": 15.0,
                "leavers_fte": 6.0,
                "leavers_fte_12_months": 21.5,
                "case_holder_fte": 60.0,
                "cases_held": 999,
                "leavers_headcount": 7,
                "leavers_headcount_12_months": 25,
                "leavers_window_months": 12,
            }
            for code in CODES
        ]
    )
    table = build_partner_table(PERIOD, frame, MEMBERS, set(CODES), 5)
    places = {m[0]: int(m[5]) for m in meta_rows() if m[1] == "Indicator"}
    for row in _written(table):
        for name, dp in places.items():
            text = row[name]
            decimals = len(text.split(".")[1]) if "." in text else 0
            assert text in SYMBOLS or decimals == dp, (name, text)


def _frame(codes, permanent=100.0):
    return pd.DataFrame(
        [
            {
                "council_code": code,
                "period": PERIOD,
                "permanent_fte": permanent,
                "agency_fte": 20.0,
                "agency_vacancy_fte": 10.0,
                "vacancy_fte": 15.0,
                "leavers_fte": 6.0,
                "leavers_fte_12_months": 21.5,
                "case_holder_fte": 60.0,
                "cases_held": 999,
                "leavers_headcount": 7,
                "leavers_headcount_12_months": 25,
                "leavers_window_months": 12,
            }
            for code in codes
        ]
    )


def test_the_regional_row_says_whose_it_is_and_flags_a_missing_council():
    """Five councils share; one sent no return: the region holds four and names the fifth."""
    shared = set(CODES[:5])
    late = MEMBERS[2]
    frame = _frame([c for c in CODES if c != late.council_code])
    table = build_partner_table(
        PERIOD, frame, MEMBERS, shared, 5, covers="MoC councils sharing with X", min_councils=3
    )
    rows = _written(table)
    region = rows[0]
    assert region["councils_in_regional_figure"] == "4"
    assert region["councils_missing_from_regional_figure_count"] == "1"
    assert region["inpost_fte"] == "400.0", "four sharing councils of 100 FTE, no one else"
    assert {r["councils_missing_from_regional_figure_count"] for r in rows} == {"1"}
    dictionary = {row[0]: row[5] for row in dictionary_rows(table)}
    footnote = dictionary["councils_in_regional_figure"]
    assert "MoC councils sharing with X" in footnote
    assert "only the MoC councils that share their data with this partner" in footnote
    assert f"No return from {late.council_name}" in footnote


def test_the_regional_row_is_withheld_when_too_few_councils_share():
    shared = set(CODES[:2])
    table = build_partner_table(
        PERIOD,
        _frame(CODES),
        MEMBERS,
        shared,
        5,
        covers="MoC councils sharing with X",
        min_councils=3,
        withheld_covers="No regional figure: fewer than 3",
    )
    rows = _written(table)
    region = rows[0]
    assert region["geographic_level"] == ees.REGIONAL
    assert {region[i.name] for i in PARTNER_INDICATORS} == {"x"}
    assert region["councils_in_regional_figure"] == "x"
    assert region["councils_missing_from_regional_figure_count"] == "x"
    footnote = {row[0]: row[5] for row in dictionary_rows(table)}["councils_in_regional_figure"]
    assert "No regional figure: fewer than 3" in footnote
    councils = rows[1:]
    assert {r["old_la_code"] for r in councils} == shared
    assert {r["inpost_fte"] for r in councils} == {"100.0"}, "no total, nothing to protect"
    assert table.groups == []


def test_the_minimum_comes_from_the_environment():
    assert min_councils_for_region({}) == 3
    assert min_councils_for_region({"MOC_MIN_COUNCILS_FOR_REGION": "5"}) == 5
    for bad in ("0", "two", "2.5"):
        with pytest.raises(ValueError):
            min_councils_for_region({"MOC_MIN_COUNCILS_FOR_REGION": bad})
