"""Sample establishment tables: one row per team and grade a council reports, with its posts,
staff in post, agency cover, vacancies, starters, leavers and cases for the month."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from common.periods import month_index, period_end
from ingest.return_contract import ESTABLISHMENT
from samples.councils import (
    ANNUAL_TURNOVER,
    CASE_HOLDING_ROLES,
    council_profile,
    post_groups,
    stable_int,
)

OVER_ESTABLISHMENT_SHARE = 0.04  # share of rows a month that carry more staff than posts


def establishment_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One council's establishment table for one month, with stored column names."""
    profile = council_profile(council_code)
    groups = post_groups(council_code, seed, period_end(period))
    month = month_index(period)
    rng = np.random.default_rng([seed, stable_int(council_code), month])

    # Slow drift shared by all rows of the council: smooth from month to month, and a pure
    # function of the month so one period can be generated on its own.
    phase = stable_int(council_code) % 12
    vacancy_rate = profile.vacancy_rate + 0.02 * math.sin(2 * math.pi * (month + phase) / 14)
    agency_rate = profile.agency_rate + 0.015 * math.sin(2 * math.pi * (month + phase) / 17)
    establishment_growth = 1 + 0.01 * math.sin(2 * math.pi * (month + phase) / 24)

    rows = []
    for group in groups:
        establishment_t = max(10, round(group.establishment_fte * establishment_growth * 10))
        row_vacancy_rate = np.clip(
            vacancy_rate * group.vacancy_factor * rng.normal(1, 0.15), 0, 0.6
        )
        if rng.random() < OVER_ESTABLISHMENT_SHARE:
            # Over-establishment is real and valid: more staff in post than funded posts.
            vacancy_t = 0
            permanent_t = establishment_t + int(rng.integers(2, 11))
        else:
            vacancy_t = round(establishment_t * row_vacancy_rate)
            permanent_t = establishment_t - vacancy_t

        row_agency_rate = min(0.6, agency_rate * group.agency_factor * rng.normal(1, 0.2))
        agency_t = max(0, round(permanent_t * row_agency_rate / (1 - row_agency_rate)))
        agency_vacancy_t = min(agency_t, vacancy_t, round(agency_t * rng.uniform(0.6, 1.0)))

        leavers_headcount = int(rng.poisson(permanent_t / 10 * ANNUAL_TURNOVER / 12))
        starters_headcount = int(rng.poisson(permanent_t / 10 * ANNUAL_TURNOVER / 12))
        leavers_t = min(permanent_t, round(leavers_headcount * rng.uniform(0.8, 1.0) * 10))
        starters_t = round(starters_headcount * rng.uniform(0.8, 1.0) * 10)
        leavers_to_agency = int(rng.binomial(leavers_headcount, 0.2))

        if group.regional_role in CASE_HOLDING_ROLES:
            case_holder_t = round((permanent_t + agency_t) * rng.uniform(0.85, 1.0))
            # Newly qualified (ASYE) workers have protected caseloads.
            low, high = (12, 14) if group.is_newly_qualified else (14, 20)
            cases_held = round(case_holder_t / 10 * rng.uniform(low, high))
        else:
            case_holder_t, cases_held = 0, 0

        rows.append(
            {
                "team": group.team,
                "grade": group.grade,
                "establishment_fte": establishment_t / 10,
                "permanent_fte": permanent_t / 10,
                "agency_fte": agency_t / 10,
                "agency_vacancy_fte": agency_vacancy_t / 10,
                "vacancy_fte": vacancy_t / 10,
                "starters_fte": starters_t / 10,
                "starters_headcount": starters_headcount,
                "leavers_fte": leavers_t / 10,
                "leavers_headcount": leavers_headcount,
                "leavers_to_agency_headcount": leavers_to_agency,
                "cases_held": cases_held,
                "case_holder_fte": case_holder_t / 10,
            }
        )
    frame = pd.DataFrame(rows, columns=ESTABLISHMENT.column_names)
    count_columns = [c.name for c in ESTABLISHMENT.columns if c.kind == "count"]
    return frame.astype(dict.fromkeys(count_columns, "int64"))
