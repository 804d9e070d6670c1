"""Sample workforce tables: one row per social worker, census style, consistent with the
establishment table and the pay scales of the same council and month."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from common.periods import month_index, period_end, period_start
from common.reference import seed_rows
from ingest.return_contract import WORKFORCE
from samples.cooling_off import with_cooling_off_leavers
from samples.councils import CASE_HOLDING_ROLES, grade_roles, stable_int
from samples.establishment import establishment_frame
from samples.pay import pay_scales_frame

# DfE census codes used in generated workforce rows.
ETHNICITIES = ("WBRI", "WBRI", "WBRI", "WOTH", "WIRI", "MWBC", "AIND", "APKN", "BAFR", "BCRB")
QUALIFICATION_LEVELS = ("1", "2", "3")


def workforce_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One row per social worker, census style, consistent with the establishment table:
    in-post workers make up each row's permanent and agency FTE, the month's starters have a
    start date in the month, and its leavers an end date in it. SWE numbers and birth dates
    are in clear, as a council sends them (ingest hashes them and keeps only the month). The
    cooling-off cases of samples.cooling_off that left the council in the month are its
    first permanent leavers."""
    establishment = establishment_frame(council_code, period, seed)
    roles = grade_roles(council_code, period_end(period))
    scales = pay_scales_frame(council_code, period, seed).set_index("grade")
    org_roles = {r["role_code"]: r["dfe_org_role"] for r in seed_rows("regional_roles")}
    month = month_index(period)
    first_day, last_day = period_start(period), period_end(period)
    census_day = _last_census_day(last_day)
    rng = np.random.default_rng([seed, stable_int(council_code), month, 3])
    swe_number = 100_000 + int(rng.integers(0, 500))

    def worker(post, fte: float, is_agency: bool, starter: bool, leaver: bool) -> dict:
        nonlocal swe_number
        swe_number += int(rng.integers(1, 200))
        role, _ = roles[post.grade]
        if starter:
            start = first_day + dt.timedelta(days=int(rng.integers(0, last_day.day)))
        else:
            start = first_day - dt.timedelta(days=int(rng.integers(30, 15 * 365)))
        end = None
        if leaver:
            end = max(start, first_day + dt.timedelta(days=int(rng.integers(0, last_day.day))))
        in_post_at_census = start <= census_day and (end is None or end > census_day)
        holds_cases = role in CASE_HOLDING_ROLES and in_post_at_census
        low, high = scales.loc[post.grade, ["salary_min", "salary_max"]]
        return {
            "worker_key": f"SW{swe_number:06d}",
            "is_agency_worker": is_agency,
            "fte": fte,
            "birth_month": dt.date(
                int(rng.integers(1960, 2000)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
            ),
            "ethnicity": ETHNICITIES[int(rng.integers(len(ETHNICITIES)))],
            "qualification_level": QUALIFICATION_LEVELS[int(rng.integers(3))],
            "org_role": org_roles[role],
            "role_start_date": start,
            "start_origin": str(int(rng.integers(1, 11))),
            "role_end_date": end,
            "reason_leave": str(int(rng.integers(1, 11))) if leaver else None,
            "leaver_destination": str(int(rng.integers(1, 10))) if leaver else None,
            "fte_30_sept": fte if in_post_at_census else None,
            "cases_30_sept": float(rng.integers(8, 22)) if holds_cases else None,
            "working_days_lost": float(rng.poisson(6)),
            "absent_at_30_sept": False,
            "reason_absence": None,
            "base_salary": None if is_agency else float(round(rng.uniform(low, high))),
        }

    rows = []
    for post in establishment.itertuples(index=False):
        permanent = _worker_ftes(post.permanent_fte, rng)
        starters = min(post.starters_headcount, len(permanent))
        for index, fte in enumerate(permanent):
            rows.append(worker(post, fte, is_agency=False, starter=index < starters, leaver=False))
        for fte in _worker_ftes(post.agency_fte, rng):
            rows.append(worker(post, fte, is_agency=True, starter=False, leaver=False))
        for _ in range(post.leavers_headcount):
            rows.append(worker(post, 1.0, is_agency=False, starter=False, leaver=True))
    frame = pd.DataFrame(rows, columns=WORKFORCE.column_names)
    return with_cooling_off_leavers(frame, council_code, period)


def _worker_ftes(total_fte: float, rng: np.random.Generator) -> list[float]:
    """Workers' FTEs (each at most 1) that add up to ``total_fte``: mostly full time, some
    posts shared by two part-timers."""
    tenths = round(total_fte * 10)
    ftes = [1.0] * (tenths // 10) + ([tenths % 10 / 10] if tenths % 10 else [])
    shared = []
    for fte in ftes:
        if fte == 1.0 and rng.random() < 0.15:
            shared += [0.6, 0.4]
        else:
            shared.append(fte)
    return shared


def _last_census_day(day: dt.date) -> dt.date:
    """The latest 30 September on or before ``day`` (the CSWW census reference date)."""
    census = dt.date(day.year, 9, 30)
    return census if census <= day else dt.date(day.year - 1, 9, 30)
