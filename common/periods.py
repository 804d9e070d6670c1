"""Period arithmetic, in one place. A period is a calendar month written ``YYYY-MM`` (the ledger,
the raw tables and the marts all key returns by it); a return describes its month as it stood
on the month's last day, and the trailing window of a figure is the month and the 11 before it.

(dbt computes the same window in SQL; Python code that needs a month's days, the month before,
a range of months or a financial year calls these, and the plausible-period window every
return's month must fall in.)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

PERIOD_PATTERN = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")  # a whole period, 'YYYY-MM'
WINDOW_MONTHS = 12  # the trailing window: the month and the 11 before it
FINANCIAL_YEAR_FIRST_MONTH = 4  # April to March


@cache
def _year_month(period: str) -> tuple[int, int]:
    match = PERIOD_PATTERN.fullmatch(period) if isinstance(period, str) else None
    if match is None:
        raise ValueError(f"period must be 'YYYY-MM', got {period!r}")
    return int(match.group(1)), int(match.group(2))


def format_period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def period_of(day: dt.date) -> str:
    """The period ``day`` falls in."""
    return format_period(day.year, day.month)


def month_index(period: str) -> int:
    """Months since year 0: consecutive periods have consecutive indexes."""
    year, month = _year_month(period)
    return year * 12 + month - 1


def period_from_index(index: int) -> str:
    return format_period(index // 12, index % 12 + 1)


def add_months(period: str, months: int) -> str:
    """The period ``months`` after ``period`` (before it when negative)."""
    return period_from_index(month_index(period) + months)


def period_start(period: str) -> dt.date:
    """The period's first day."""
    year, month = _year_month(period)
    return dt.date(year, month, 1)


def period_end(period: str) -> dt.date:
    """The period's last day (the day a return's mappings, members and agreements are read on)."""
    return period_start(add_months(period, 1)) - dt.timedelta(days=1)


def previous_period(day: dt.date) -> str:
    """The month before the one ``day`` falls in (what a run on ``day`` chases or publishes)."""
    return add_months(period_of(day), -1)


def month_range(start: str, end: str) -> list[str]:
    """Every period from start to end inclusive, as "YYYY-MM"."""
    first, last = month_index(start), month_index(end)
    return [period_from_index(i) for i in range(first, last + 1)]


def window_periods(period: str, months: int = WINDOW_MONTHS) -> list[str]:
    """The ``months`` periods to and including ``period``, oldest first."""
    return month_range(add_months(period, 1 - months), period)


def financial_year(period: str) -> int:
    """The calendar year in which the period's financial year (April to March) starts."""
    year, month = _year_month(period)
    return year if month >= FINANCIAL_YEAR_FIRST_MONTH else year - 1


@dataclass(frozen=True)
class PlausibleWindow:
    """The months a return can be for: from the first the region accepts to the month after
    the current one (a council may send early, never a year ahead). A period outside it is a
    typing slip (2099 for 2025, 2001 for 2021) that would break the marts' calendar
    (dim_months spans exactly this window) and be published as the latest month."""

    first: str  # 'YYYY-MM'
    last: str  # 'YYYY-MM'

    def __contains__(self, period: object) -> bool:
        if not isinstance(period, str) or PERIOD_PATTERN.fullmatch(period) is None:
            return False
        return month_index(self.first) <= month_index(period) <= month_index(self.last)

    def __str__(self) -> str:
        return f"{self.first} to {self.last}"


def plausible_window(earliest: str, today: dt.date | None = None) -> PlausibleWindow:
    """The window from ``earliest`` to the month after ``today``'s (default: the clock's)."""
    today = dt.date.today() if today is None else today
    return PlausibleWindow(
        first=format_period(*_year_month(earliest)), last=add_months(period_of(today), 1)
    )
