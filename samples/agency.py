"""Sample agency assignments: the assignments open in a month that make up each establishment
row's agency FTE, with pay and charge rates around the caps (a few above, some signed off)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from common.periods import month_index, period_end, period_start
from ingest.return_contract import AGENCY_ASSIGNMENTS
from samples.councils import STANDARD_WEEKLY_HOURS, grade_roles, stable_int
from samples.establishment import establishment_frame

# Agency pay: the hourly cap each role's rates are drawn around (London's 2016 caps, the scale
# DOMAIN.md gives), the share of assignments paid above it, and the agency's margin on top.
AGENCY_PAY_CAPS: dict[str, float] = {
    "social_worker": 28.0,
    "senior_social_worker": 35.0,
    "advanced_practitioner": 35.0,
    "independent_reviewing_officer": 35.0,
    "team_manager": 42.0,
    "middle_manager": 42.0,
    "senior_manager": 42.0,
}
ABOVE_CAP_SHARE = 0.12
ABOVE_CAP_SIGNED_OFF_SHARE = 0.6
AGENCY_MARGIN = (1.20, 1.35)  # charge rate / pay rate
HOURS_PER_DAY = 7.4  # a 37-hour week, for councils that report daily rates
DAILY_RATE_COUNCILS = frozenset({"883"})  # Thurrock reports agency rates per day
MAX_AGENCY_HOURS = 48.0  # the Working Time Regulations' weekly limit
AGENCY_NAMES = (
    "Anglia Social Care Recruitment",
    "Beacon Locum Services",
    "Castle Children's Services Staffing",
    "Meridian Social Work Partners",
    "Fenland Interim Solutions",
)
AGENCY_OTHER_REASONS = ("absence", "project", "other")


def agency_assignments_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One council's agency assignments open in the month, with stored column names.

    Each establishment row's agency FTE is covered by whole assignments (hours per week make
    up the FTE at 37 hours); its agency FTE covering vacancies sets how many are vacancy cover.
    Assignment references are in clear, as a council sends them (ingest hashes them).
    """
    establishment = establishment_frame(council_code, period, seed)
    roles = grade_roles(council_code, period_end(period))
    month = month_index(period)
    first_day, last_day = period_start(period), period_end(period)
    rng = np.random.default_rng([seed, stable_int(council_code), month, 1])
    daily = council_code in DAILY_RATE_COUNCILS
    reference = int(rng.integers(100, 4000))
    rows = []
    for post in establishment.itertuples(index=False):
        if post.agency_fte <= 0:
            continue
        count = max(1, round(post.agency_fte))
        if STANDARD_WEEKLY_HOURS * post.agency_fte / count > MAX_AGENCY_HOURS:
            count += 1
        hours = round(STANDARD_WEEKLY_HOURS * post.agency_fte / count, 1)
        covering = min(count, round(post.agency_vacancy_fte))
        cap = AGENCY_PAY_CAPS[roles[post.grade][0]]
        for index in range(count):
            reference += int(rng.integers(1, 9))
            start = last_day - dt.timedelta(days=int(rng.integers(0, 540)))
            end = None
            if rng.random() < 0.12:  # ended during the month
                end = max(start, first_day) + dt.timedelta(days=int(rng.integers(0, 28)))
                end = min(end, last_day)
            above_cap = rng.random() < ABOVE_CAP_SHARE
            pay = cap * (rng.uniform(1.02, 1.2) if above_cap else rng.uniform(0.9, 1.0))
            charge = pay * rng.uniform(*AGENCY_MARGIN)
            signed_off = bool(above_cap and rng.random() < ABOVE_CAP_SIGNED_OFF_SHARE)
            scale = HOURS_PER_DAY if daily else 1.0
            rows.append(
                {
                    "assignment_key": f"AGY-{start.year}-{reference:04d}",
                    "agency_name": AGENCY_NAMES[int(rng.integers(len(AGENCY_NAMES)))],
                    "grade": post.grade,
                    "team": post.team,
                    "start_date": start,
                    "end_date": end,
                    "pay_rate": round(pay * scale, 2),
                    "charge_rate": round(charge * scale, 2),
                    "rate_basis": "daily" if daily else "hourly",
                    "hours_per_week": hours,
                    "reason": "vacancy_cover"
                    if index < covering
                    else AGENCY_OTHER_REASONS[int(rng.integers(len(AGENCY_OTHER_REASONS)))],
                    "cap_exception_signed_off": signed_off,
                    "signed_off_by": "DCS" if signed_off else None,
                    "signed_off_on": min(
                        start + dt.timedelta(days=int(rng.integers(0, 10))), last_day
                    )
                    if signed_off
                    else None,
                }
            )
    return pd.DataFrame(rows, columns=AGENCY_ASSIGNMENTS.column_names)
