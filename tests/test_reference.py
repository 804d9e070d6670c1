"""Reading the reference seeds and "in force on a day" have one home in Python,
common.reference (dbt keeps its macros in_force_on and is_member_on)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from common.members import load_members
from common.reference import in_force_on, rows_in_force_on, seed_frame, seed_rows

JAN_1, JAN_31, FEB_1 = dt.date(2025, 1, 1), dt.date(2025, 1, 31), dt.date(2025, 2, 1)


def test_a_row_is_in_force_from_its_first_to_its_last_day():
    assert in_force_on(JAN_1, JAN_1, JAN_31)
    assert in_force_on(JAN_31, JAN_1, JAN_31)
    assert not in_force_on(FEB_1, JAN_1, JAN_31)
    assert not in_force_on(dt.date(2024, 12, 31), JAN_1, JAN_31)
    for blank in (None, "", pd.NaT):
        assert in_force_on(FEB_1, JAN_1, blank)
    assert in_force_on(JAN_1, None, None)


def test_an_exclusive_end_is_the_first_day_outside():
    assert in_force_on(JAN_31, JAN_1, FEB_1, ends_exclusive=True)
    assert not in_force_on(FEB_1, JAN_1, FEB_1, ends_exclusive=True)


def test_iso_text_and_series_follow_the_same_rule():
    assert in_force_on("2025-01-31", "2025-01-01", "2025-01-31")
    assert not in_force_on("2025-02-01", "2025-01-01", "2025-01-31")
    days = pd.to_datetime(pd.Series(["2024-12-31", "2025-01-01", "2025-01-31", "2025-02-01"]))
    starts = pd.Series(pd.Timestamp(JAN_1), index=days.index)
    ends = pd.Series([pd.Timestamp(JAN_31), pd.NaT, pd.Timestamp(JAN_31), pd.Timestamp(JAN_31)])
    assert in_force_on(days, starts, ends).tolist() == [False, True, True, False]
    assert in_force_on(days, starts, ends, ends_exclusive=True).tolist() == [
        False,
        True,
        False,
        False,
    ]


def test_seeds_are_read_as_text_rows_and_frames():
    rows = seed_rows("grade_role_map")
    frame = seed_frame("grade_role_map")
    assert len(rows) == len(frame) and list(rows[0]) == list(frame.columns)
    assert all(isinstance(value, str) for value in frame.to_numpy().ravel())
    in_force = rows_in_force_on(rows, JAN_31)
    assert in_force and all(
        not row["valid_to"] or row["valid_to"] >= "2025-01-31" for row in in_force
    )
    assert [m.council_code for m in load_members()] == [
        r["council_code"] for r in seed_rows("members")
    ]
