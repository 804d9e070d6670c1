"""Bounds (issue 14): counts are never negative, so a reader who holds the published figures
and their equations can bound every ``c`` cell between a least and a greatest value. Rule 2b
(publish.disclosure._widen_groups) keeps each group's interval at least as wide as a primary
cell's protection (what ``threshold`` workers like it would make); rule 2c
(publish.disclosure._widen_across_groups) does the same for the exact interval over all the
equations together (a linear programme, scipy's HiGHS, as an adversary would run it:
publish.disclosure.bound_intervals). Here on worked examples, random tables and the whole
18-month panel of every partner's and pack's cells.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.sample_marts import council_months, random_records

from common.members import councils_covered_on, load_members
from common.periods import month_range, period_end
from common.settings import min_councils_for_region
from publish import disclosure
from publish.disclosure import (
    Cell,
    bound_intervals,
    column_total_groups,
    narrow_cells,
    protection,
    recoverable_cells,
    row_total_groups,
    suppress,
)
from publish.extracts import register
from publish.extracts.suppression import audiences, decide

THRESHOLD = 5


def _narrow(published, groups, cells, threshold=THRESHOLD) -> dict:
    """Primary c cells a reader can bound more narrowly than their protection."""
    return narrow_cells(published, groups, cells, threshold)


def test_the_interval_is_the_exact_one_over_every_group():
    # x + y = 4.8 and y + z = 4.0, everything else published: 0.8 <= x <= 4.8
    cells = {
        ("x", "v"): Cell(("x", "v"), 1.8, 2),
        ("y", "v"): Cell(("y", "v"), 3.0, 30),
        ("z", "v"): Cell(("z", "v"), 1.0, 10),
        ("w", "v"): Cell(("w", "v"), 50.0, 60),
        ("R", "v"): Cell(("R", "v"), 54.8, 92),
        ("P", "v"): Cell(("P", "v"), 4.0, 40),
    }
    groups = [
        (("R", "v"), [("x", "v"), ("y", "v"), ("w", "v")]),
        (("P", "v"), [("y", "v"), ("z", "v")]),
    ]
    published = {k: "c" if k[0] in "xyz" else "figure" for k in cells}
    found = bound_intervals(published, groups, cells)
    assert {k: (round(lo, 6), round(hi, 6)) for k, (lo, hi) in found.items()} == {
        ("x", "v"): (0.8, 4.8),
        ("y", "v"): (0.0, 4.0),
        ("z", "v"): (0.0, 4.0),
    }
    # x's protection is 5 x 1.8 / 2 = 4.5: 4.0 is too narrow
    assert _narrow(published, groups, cells) == {("x", "v"): pytest.approx((0.8, 4.8, 4.5))}
    # a cell in no equation with a published total is unbounded above
    published[("R", "v")] = "c"
    assert bound_intervals(published, groups, cells)[("x", "v")] == (0.0, math.inf)


def test_two_small_cells_that_together_are_too_narrow_take_a_third_with_them():
    values = {"a": (1.8, 2), "b": (2.0, 3), "c": (56.2, 60), "d": (40.0, 45)}
    cells = {(k, "v"): Cell((k, "v"), v, s) for k, (v, s) in values.items()}
    cells[("t", "v")] = Cell(("t", "v"), 100.0, 110)
    groups = column_total_groups(list(values), "t", ["v"])
    published = suppress(cells, groups, THRESHOLD).published
    # a and b alone would lie in [0, 3.8]: too narrow for a's 4.5; d (40) is the smallest
    # figure that widens it enough
    assert [k for k, text in published.items() if text == "c"] == [
        ("a", "v"),
        ("b", "v"),
        ("d", "v"),
    ]
    assert _narrow(published, groups, cells) == {}


def _two_regions():
    """The members' region R over a, b, c, d and a partner's region P over b, e, g."""
    values = {"a": (1.8, 2), "b": (3.0, 30), "c": (50.0, 60), "d": (60.0, 70)}
    values |= {"e": (1.0, 10), "g": (40.0, 45)}
    cells = {(k, "v"): Cell((k, "v"), v, s) for k, (v, s) in values.items()}
    cells[("R", "v")] = Cell(("R", "v"), 1.8 + 3.0 + 50.0 + 60.0, 162)
    cells[("P", "v")] = Cell(("P", "v"), 3.0 + 1.0 + 40.0, 85)
    groups = column_total_groups("abcd", "R", ["v"]) + column_total_groups("beg", "P", ["v"])
    return cells, groups


def test_two_groups_each_wide_enough_that_together_narrow_a_cell(monkeypatch):
    cells, groups = _two_regions()
    # without rule 2c: a (1.8 on 2 workers, protection 4.5) is primary, b (3.0) hides it in R
    # (a + b = 4.8 >= 4.5: rule 2b is content), e (1.0) hides b in P (no primary cell there).
    # Each group alone is wide enough, but b <= b + e = 4.0, so a = 4.8 - b >= 0.8:
    # a lies in [0.8, 4.8], 4.0 wide
    monkeypatch.setattr(disclosure, "_widen_across_groups", lambda *args: False)
    before = suppress(cells, groups, THRESHOLD).published
    assert sorted(k[0] for k, text in before.items() if text == "c") == ["a", "b", "e"]
    assert _narrow(before, groups, cells) == {("a", "v"): pytest.approx((0.8, 4.8, 4.5))}
    monkeypatch.undo()
    # rule 2c: one more figure in a group a is in, the smallest that widens it enough: c (50)
    after = suppress(cells, groups, THRESHOLD).published
    assert sorted(k[0] for k, text in after.items() if text == "c") == ["a", "b", "c", "e"]
    assert _narrow(after, groups, cells) == {}
    assert recoverable_cells(after, groups) == set()


def test_a_cell_pinned_across_groups_costs_a_figure_not_the_totals():
    # tests/test_disclosure.py's bridge: two 2x2 blocks of primaries joined by (r1, c), each
    # row and column with two c's, yet r1 + r2 - col a - col b pins (r1, c). Its interval is
    # 0 wide, so rule 2c widens it with one figure of its own row before the audit would hide
    # the totals around it.
    rows, columns = ["r1", "r2", "r3", "r4"], ["a", "b", "c", "d"]
    small = {("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b"), ("r3", "c"), ("r3", "d")}
    small |= {("r4", "c"), ("r4", "d"), ("r1", "c")}
    cells = {
        (r, col): Cell((r, col), 2.0 if (r, col) in small else 50.0, 4 if (r, col) in small else 50)
        for r in rows
        for col in columns
    }
    for r in rows:
        cells[(r, "total")] = Cell((r, "total"), sum(cells[(r, c)].value for c in columns), 100)
    for col in [*columns, "total"]:
        cells[("all", col)] = Cell(("all", col), sum(cells[(r, col)].value for r in rows), 100)
    groups = row_total_groups([*rows, "all"], "total", columns)
    groups += column_total_groups(rows, "all", [*columns, "total"])
    published = suppress(cells, groups, THRESHOLD).published
    assert sorted(k for k, text in published.items() if text == "c" and k not in small) == [
        ("r1", "d")
    ]
    assert recoverable_cells(published, groups) == set()
    assert _narrow(published, groups, cells) == {}


@st.composite
def tables(draw, partner_regions: int = 0):
    """Councils x count columns with a regional total each; ``partner_regions`` more totals
    per column, each over a subset of the councils (overlapping groups, as on the panel)."""
    councils = [f"{800 + i}" for i in range(draw(st.integers(3, 10)))]
    columns = [f"count_{j}" for j in range(draw(st.integers(1, 3)))]
    cells = {}
    for council in councils:
        for column in columns:
            support = draw(st.one_of(st.integers(0, 6), st.integers(20, 300)))
            value = 0.0 if support == 0 else round(support * draw(st.floats(0.5, 1.0)), 1)
            cells[(council, column)] = Cell((council, column), value, support)
    regions = {"region": councils}
    for i in range(partner_regions):
        subset = draw(st.lists(st.sampled_from(councils), min_size=2, unique=True))
        regions[f"region:p{i}"] = sorted(subset)
    groups = []
    for row, over in regions.items():
        for column in columns:
            parts = [cells[(c, column)] for c in over]
            cells[(row, column)] = Cell(
                (row, column), sum(p.value for p in parts), sum(p.support for p in parts)
            )
        groups += column_total_groups(over, row, columns)
    return cells, groups


@settings(max_examples=60, deadline=None, database=None)
@given(tables())
def test_no_primary_cell_of_a_random_table_can_be_bounded_too_narrowly(table):
    cells, groups = table
    published = suppress(cells, groups, THRESHOLD).published
    assert _narrow(published, groups, cells) == {}


@settings(max_examples=60, deadline=None, database=None)
@given(tables(partner_regions=2))
def test_nor_of_a_random_table_with_overlapping_regions(table):
    cells, groups = table
    published = suppress(cells, groups, THRESHOLD).published
    assert _narrow(published, groups, cells) == {}
    assert recoverable_cells(published, groups) == set()


@settings(max_examples=60, deadline=None, database=None)
@given(tables(partner_regions=2), st.data())
def test_the_shortcuts_find_the_narrow_cells_every_programme_finds(table, data):
    """narrow_cells settles most cells without a programme of their own (feasible points,
    unknowns in the same equations); on any pattern, not only suppress's, it must name the
    cells the exact interval of each (bound_intervals, two programmes a cell) names."""
    cells, groups = table
    published = {
        k: "c" if protection(cell, THRESHOLD) > 0 or data.draw(st.booleans()) else "figure"
        for k, cell in sorted(cells.items())
    }
    exact = {
        k: (low, high, protection(cells[k], THRESHOLD))
        for k, (low, high) in bound_intervals(published, groups, cells).items()
        if high - low < protection(cells[k], THRESHOLD) - 1e-6
    }
    found = _narrow(published, groups, cells)
    assert found.keys() == exact.keys()
    for key, bounds in found.items():
        assert bounds == pytest.approx(exact[key], abs=1e-6)


@pytest.mark.slow  # the 18 demo months decided, then every primary c cell's interval solved
def test_no_primary_cell_of_18_months_can_be_bounded_too_narrowly():
    """The whole panel (every partner's regional row and the members', 12-month windows), as
    one reader holding every file: no primary c cell is bounded more narrowly than its
    protection. A reader of fewer files holds fewer figures, so bounds no more narrowly."""
    periods = month_range("2025-01", "2026-06")
    members = load_members()
    codes = [m.council_code for m in members]
    history = council_months(random_records(periods, codes, seed=11, small=0.2))
    aud = audiences(
        register.load_partners(), register.load_register(), members, min_councils_for_region({})
    )

    def covered(period: str):
        return councils_covered_on(period_end(period))

    decisions = decide(history, periods[-1], covered, aud, THRESHOLD)
    union = frozenset().union(*decisions.views.values())
    reader = {k: s if k in union else "c" for k, s in decisions.status.items()}
    primary = [k for k, r in decisions.reasons.items() if r == "primary"]
    assert primary  # the panel has small cells to protect
    assert narrow_cells(reader, decisions.groups, decisions.cells, THRESHOLD) == {}


def test_equations_the_figures_do_not_satisfy_bound_nothing_and_do_not_stop_a_publication():
    """Two totals over the same months that disagree (the regional history before the MoC is
    built from the DfE's annual figures, so its 12-month figures are not the sums of its
    months): the programme is infeasible, the block is taken as bounding nothing, and
    suppression still decides every cell."""
    months = {(f"m{i}", "leavers"): Cell((f"m{i}", "leavers"), 1.0, 1) for i in range(2)}
    totals = {
        ("year", "leavers"): Cell(("year", "leavers"), 40.0, 44),
        ("annual", "leavers"): Cell(("annual", "leavers"), 46.0, 50),
    }
    cells = {**months, **totals}
    groups = [(total, list(months)) for total in totals]
    published = {key: "c" for key in months} | {key: f"{c.value}" for key, c in totals.items()}
    assert bound_intervals(published, groups, cells) == {
        key: (0.0, float("inf")) for key in sorted(months)
    }
    decided = suppress(cells, groups, THRESHOLD).published
    assert all(decided[key] == "c" for key in months)
