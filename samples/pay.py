"""Sample pay scales: one row per local grade, the same all financial year and uprated each
April, with market supplements and recruitment and retention payments for some councils."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from common.periods import financial_year, month_index, period_end
from ingest.return_contract import PAY_SCALES
from samples.councils import STANDARD_WEEKLY_HOURS, grade_roles, stable_int

# Annual full-time salary range (pounds, 2024/25) by regional role; newly qualified below.
SALARY_RANGES: dict[str, tuple[float, float]] = {
    "social_worker": (33_000, 38_500),
    "senior_social_worker": (38_000, 43_500),
    "advanced_practitioner": (42_000, 47_500),
    "independent_reviewing_officer": (43_000, 49_000),
    "team_manager": (47_000, 54_000),
    "middle_manager": (56_000, 68_000),
    "senior_manager": (72_000, 95_000),
}
NEWLY_QUALIFIED_SALARY = (30_000, 33_000)
ANNUAL_PAY_AWARD = 0.03  # pay scales rise each April
SUPPLEMENT_ROLES = frozenset({"social_worker", "senior_social_worker"})


def pay_scales_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One council's pay scale per local grade, in force from the April of the period's
    financial year (the same all year, rows in a month-dependent order), stored column names."""
    year = financial_year(period)
    rng = np.random.default_rng([seed, stable_int(council_code), 2])
    council_factor = rng.uniform(0.95, 1.05)
    hours = STANDARD_WEEKLY_HOURS if rng.random() < 0.8 else 36.0
    pays_supplement = rng.random() < 0.5
    uprating = (1 + ANNUAL_PAY_AWARD) ** (year - 2024)
    rows = []
    for grade, (role, is_newly_qualified) in grade_roles(council_code, period_end(period)).items():
        low, high = NEWLY_QUALIFIED_SALARY if is_newly_qualified else SALARY_RANGES[role]
        supplement = pays_supplement and role in SUPPLEMENT_ROLES and not is_newly_qualified
        rows.append(
            {
                "grade": grade,
                "salary_min": float(round(low * council_factor * uprating)),
                "salary_max": float(round(high * council_factor * uprating)),
                "weekly_hours": hours,
                "market_supplement": float(round(rng.uniform(2_000, 5_000), -2))
                if supplement
                else None,
                "recruitment_payment": float(round(rng.uniform(1_000, 3_000), -2))
                if supplement
                else 0.0,
                "retention_payment": float(round(rng.uniform(500, 2_000), -2))
                if supplement and rng.random() < 0.5
                else None,
                "effective_from": dt.date(year, 4, 1),
            }
        )
    # The scales are the same all year, but a council's export lists its grades in no fixed
    # order, so two months' files are rarely byte-identical (ingest would take a byte-identical
    # file for a copy of the earlier month's).
    shift = month_index(period) % len(rows)
    return pd.DataFrame(rows[shift:] + rows[:shift], columns=PAY_SCALES.column_names)
