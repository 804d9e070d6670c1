"""Read what an extract is built from: the marts for a month and its 12-month window, and the
ledger rows (return versions) that fed them. Frames only; nothing here formats or suppresses.

The agency and pay marts are read when the warehouse has them (``None`` otherwise), so an
extract built before they exist simply has no agency or pay sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from common.periods import PlausibleWindow, window_periods
from ingest.ledger import ACCEPTED_STATUSES


@dataclass(frozen=True)
class MartFrames:
    period: str
    council_months: pd.DataFrame  # fct_vacancies_council_months, the 12 months to the period
    region_months: pd.DataFrame  # fct_vacancies_region_months, same months
    agency_rates: pd.DataFrame | None = None  # fct_agency_rates, the window
    # fct_agency_assignment_months, the window: hourly rates only, no agency names or keys
    agency_assignment_rates: pd.DataFrame | None = None
    pay_rates: pd.DataFrame | None = None  # fct_pay_rates, the window
    # fct_vacancies_council_months, every month up to the period: the suppression panel
    # (publish/extracts/suppression.py decides each month once, oldest first)
    council_history: pd.DataFrame | None = None


def latest_period(con, window: PlausibleWindow) -> str | None:
    """The latest month with returns in the marts, within the plausible-period window (so a
    month outside it, in a warehouse loaded before the window was checked, is never the
    default). 'YYYY-MM' sorts as the months do."""
    row = con.execute(
        "SELECT max(period) FROM marts.fct_vacancies_region_months WHERE period BETWEEN ? AND ?",
        [window.first, window.last],
    ).fetchone()
    return row[0] if row else None


def has_marts(con) -> bool:
    """Whether the marts a publication reads have been built."""
    return _has_table(con, "fct_vacancies_council_months") and _has_table(
        con, "fct_vacancies_region_months"
    )


def _has_table(con, name: str) -> bool:
    query = (
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'marts' AND table_name = ?"
    )
    return con.execute(query, [name]).fetchone()[0] > 0


def _read(con, sql: str, parameter: object) -> pd.DataFrame:
    return con.execute(sql, [parameter]).df()


def read_marts(con, period: str) -> MartFrames:
    periods = window_periods(period)
    council = _read(
        con,
        "SELECT * FROM marts.fct_vacancies_council_months WHERE list_contains(?, period) "
        "ORDER BY period, council_code",
        periods,
    )
    region = _read(
        con,
        "SELECT * FROM marts.fct_vacancies_region_months WHERE list_contains(?, period) "
        "ORDER BY period, region_code",
        periods,
    )
    agency = assignments = pay = None
    if _has_table(con, "fct_agency_rates"):
        agency = _read(
            con,
            "SELECT * FROM marts.fct_agency_rates WHERE list_contains(?, period) "
            "ORDER BY period, council_code, regional_role",
            periods,
        )
    if _has_table(con, "fct_agency_assignment_months"):
        # Only what a regional median needs: never the agency's name or the assignment key.
        assignments = _read(
            con,
            "SELECT council_code, period, regional_role, hourly_pay_rate, hourly_charge_rate "
            "FROM marts.fct_agency_assignment_months WHERE list_contains(?, period) "
            "ORDER BY period, council_code, regional_role, hourly_pay_rate, hourly_charge_rate",
            periods,
        )
    if _has_table(con, "fct_pay_rates"):
        pay = _read(
            con,
            "SELECT * FROM marts.fct_pay_rates WHERE list_contains(?, period) "
            "ORDER BY period, council_code, regional_role",
            periods,
        )
    history = _read(
        con,
        "SELECT * FROM marts.fct_vacancies_council_months WHERE period <= ? "
        "ORDER BY period, council_code",
        period,
    )
    return MartFrames(period, council, region, agency, assignments, pay, history)


def has_placeholder_caps(frames: MartFrames) -> bool:
    """Whether any cap the extract's agency figures rest on (a cap in force on the start date
    of an assignment open in its months) is a placeholder: fct_agency_rates.is_placeholder_cap,
    False without agency marts or an older warehouse without the column."""
    rates = frames.agency_rates
    if rates is None or rates.empty or "is_placeholder_cap" not in rates.columns:
        return False
    return bool(rates["is_placeholder_cap"].fillna(False).astype(bool).any())


def ledger_inputs(con, period: str) -> list[dict[str, object]]:
    """The accepted return versions of the month and its 12-month window (what fed the marts)."""
    rows = con.execute(
        "SELECT period, council_code, return_type, file_name, sha256, version, status "
        "FROM ledger.files WHERE list_contains(?, period) AND status IN "
        f"{ACCEPTED_STATUSES} ORDER BY period, council_code, return_type, version",
        [window_periods(period)],
    ).fetchall()
    keys = ("period", "council_code", "return_type", "file_name", "sha256", "version", "status")
    return [dict(zip(keys, row, strict=True)) for row in rows]
