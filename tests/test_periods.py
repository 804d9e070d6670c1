"""Period arithmetic has one home, common.periods: months as 'YYYY-MM'."""

from __future__ import annotations

import datetime as dt

import pytest

from common.periods import (
    add_months,
    financial_year,
    month_range,
    period_end,
    period_of,
    period_start,
    plausible_window,
    previous_period,
    window_periods,
)


def test_a_period_s_first_and_last_day():
    assert period_start("2025-03") == dt.date(2025, 3, 1)
    assert period_end("2025-03") == dt.date(2025, 3, 31)
    assert period_end("2024-02") == dt.date(2024, 2, 29)
    assert period_end("2025-12") == dt.date(2025, 12, 31)
    assert period_of(dt.date(2025, 12, 31)) == "2025-12"


def test_months_add_across_years_both_ways():
    assert add_months("2024-11", 3) == "2025-02"
    assert add_months("2025-01", -1) == "2024-12"
    assert add_months("2025-01", -13) == "2023-12"
    assert previous_period(dt.date(2025, 1, 1)) == "2024-12"


def test_the_window_is_the_month_and_the_eleven_before_it():
    window = window_periods("2025-03")
    assert len(window) == 12
    assert window[0] == "2024-04" and window[-1] == "2025-03"
    assert window == month_range("2024-04", "2025-03")
    assert window_periods("2025-03", 1) == ["2025-03"]


def test_the_financial_year_starts_in_april():
    assert financial_year("2025-03") == 2024
    assert financial_year("2025-04") == 2025


@pytest.mark.parametrize("text", ["2025-3", "2025-13", "2025-00", "25-03", "2025/03", "", None])
def test_anything_but_yyyy_mm_is_refused(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        period_end(text)


def test_the_plausible_window_ends_the_month_after_today():
    window = plausible_window("2017-09", today=dt.date(2025, 12, 15))
    assert str(window) == "2017-09 to 2026-01"
    assert "2017-09" in window and "2026-01" in window
    assert "2017-08" not in window and "2026-02" not in window
    assert "2099-01" not in window and "2001-02" not in window
    assert "2025-13" not in window and None not in window


def test_the_plausible_window_refuses_an_earliest_period_that_is_not_a_month():
    with pytest.raises(ValueError):
        plausible_window("2017")
