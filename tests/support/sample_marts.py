"""Synthetic marts for tests and demos: the columns the extracts read, with the marts' own
arithmetic (rates from components via indicators.rate_value, regional sums over the members
with a return), so extracts can be built and published without an ingest or a dbt build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from common.members import Member
from common.periods import WINDOW_MONTHS, month_index, period_end, window_periods
from ingest import ledger, warehouse
from publish.extracts.indicators import BY_NAME, RATES, RATES_BY_SOURCE, rate_value
from publish.extracts.marts import MartFrames

COMPONENTS = (
    "establishment_fte",
    "permanent_fte",
    "agency_fte",
    "agency_vacancy_fte",
    "vacancy_fte",
    "starters_fte",
    "starters_headcount",
    "leavers_fte",
    "leavers_headcount",
    "leavers_to_agency_headcount",
    "cases_held",
    "case_holder_fte",
)
WINDOWED = (
    "starters_fte",
    "starters_headcount",
    "leavers_fte",
    "leavers_headcount",
)


def _with_rates(frame: pd.DataFrame, turnover_gate: pd.Series | None = None) -> pd.DataFrame:
    names = {i.name: i.source for i in BY_NAME.values() if i.kind == "count"}
    for rate in RATES:
        values = []
        for _, row in frame.iterrows():
            figures = {name: row.get(source) for name, source in names.items()}
            value, flag = rate_value(rate, figures)
            values.append(None if flag is not None else value)
        frame[rate.source] = pd.Series(values, index=frame.index, dtype="float64")
    if turnover_gate is not None:
        frame.loc[~turnover_gate, "turnover_rate"] = None
    return frame


def council_months(records: Iterable[dict]) -> pd.DataFrame:
    """fct_vacancies_council_months from component records (council_code, period, COMPONENTS),
    with the 12-month sums and rates filled in as the mart does."""
    frame = pd.DataFrame(list(records))
    frame = frame.sort_values(["council_code", "period"]).reset_index(drop=True)
    month_number = frame["period"].map(month_index)
    for column in (*WINDOWED, "present"):
        totals = []
        for index, row in frame.iterrows():
            same = frame["council_code"] == row["council_code"]
            near = (month_number <= month_number[index]) & (
                month_number > month_number[index] - WINDOW_MONTHS
            )
            if column == "present":
                totals.append(int((same & near).sum()))
            else:
                totals.append(frame.loc[same & near, column].sum())
        name = "leavers_window_months" if column == "present" else f"{column}_12_months"
        frame[name] = totals
    frame["month_end_date"] = frame["period"].map(period_end)
    frame["figures_source"] = "establishment_return"
    frame["council_name"] = frame["council_code"]
    return _with_rates(frame, frame["leavers_window_months"] == WINDOW_MONTHS)


def region_months(
    councils: pd.DataFrame, members_on: Callable[[dt.date], tuple[Member, ...]]
) -> pd.DataFrame:
    """fct_vacancies_region_months: components summed over the members with a return."""
    records = []
    for period, month in councils.groupby("period", sort=True):
        members = members_on(period_end(period))
        if not members:
            continue
        codes = {m.council_code for m in members}
        month = month[month["council_code"].isin(codes)]
        if month.empty:
            continue
        complete = month[month["leavers_window_months"] == WINDOW_MONTHS]
        reliable = month[month["agency_vacancy_fte"] <= month["vacancy_fte"]]
        record = {c: month[c].sum() for c in COMPONENTS}
        record.update(
            region_code=members[0].region_code,
            region_name=members[0].region_name,
            coverage="moc_members",
            coverage_label="MoC members",
            period=period,
            councils_included=len(month),
            councils_included_codes=",".join(sorted(month["council_code"])),
            turnover_councils_included=len(complete),
            vacancy_cover_councils_included=len(reliable),
            leavers_fte_12_months=complete["leavers_fte_12_months"].sum(),
        )
        records.append(record)
    frame = pd.DataFrame(records)
    frame = _with_rates(frame)
    for index, record in enumerate(records):  # turnover and vacancy cover over their subsets
        month = councils[councils["period"] == record["period"]]
        complete = month[month["leavers_window_months"] == WINDOW_MONTHS]
        reliable = month[month["agency_vacancy_fte"] <= month["vacancy_fte"]]
        for column, subset in (("turnover_rate", complete), ("vacancy_cover_rate", reliable)):
            rate = RATES_BY_SOURCE[column]
            sums = {
                name: subset[BY_NAME[name].source].sum()
                for name in (rate.numerator, *rate.denominator)
            }
            frame.loc[index, column] = rate_value(rate, sums)[0]
    return frame


def random_records(
    periods: list[str], codes: list[str], seed: int = 0, small: float = 0.2
) -> list[dict]:
    """Plausible council months; a share ``small`` of councils are tiny (a handful of FTE)."""
    rng = np.random.default_rng(seed)
    sizes = {
        c: (rng.uniform(1, 6) if rng.random() < small else rng.uniform(40, 300)) for c in codes
    }
    records = []
    for period in periods:
        for code in codes:
            permanent = round(sizes[code] * rng.uniform(0.8, 1.0), 1)
            agency = round(sizes[code] * rng.uniform(0, 0.2), 1)
            vacancy = round(sizes[code] * rng.uniform(0, 0.25), 1)
            leavers_headcount = int(rng.integers(0, 4))
            starters_headcount = int(rng.integers(0, 4))
            holders = round(permanent * 0.6, 1)
            records.append(
                {
                    "council_code": code,
                    "period": period,
                    "establishment_fte": round(permanent + vacancy, 1),
                    "permanent_fte": permanent,
                    "agency_fte": agency,
                    "agency_vacancy_fte": round(min(agency, vacancy * 1.1), 1),
                    "vacancy_fte": vacancy,
                    "starters_fte": round(starters_headcount * 0.9, 1),
                    "starters_headcount": starters_headcount,
                    "leavers_fte": round(leavers_headcount * 0.9, 1),
                    "leavers_headcount": leavers_headcount,
                    "leavers_to_agency_headcount": int(rng.integers(0, leavers_headcount + 1)),
                    "cases_held": int(holders * rng.uniform(12, 22)),
                    "case_holder_fte": holders,
                }
            )
    return records


AGENCY_ROLES = ("social_worker", "senior_social_worker", "team_manager")
PAY_ROLES = ("social_worker", "senior_social_worker", "advanced_practitioner", "team_manager")
HOURS_A_MONTH = 37 * 52.143 / 12


def agency_marts(
    periods: list[str],
    codes: list[str],
    seed: int = 0,
    small: float = 0.3,
    tiny: Iterable[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fct_agency_rates, fct_agency_assignment_months' hourly rates) for the councils and
    months: a share ``small`` of councils, and those in ``tiny``, have a handful of
    assignments or none, the others a few dozen; some assignments above the cap, some of
    those without sign-off. The rates mart is summarised from the assignments as dbt does
    (medians: continuous quantiles; a council-role with no assignment has no row)."""
    rng = np.random.default_rng(seed)
    sizes = {c: (0, 4) if rng.random() < small else (3, 20) for c in codes}
    sizes |= {c: (0, 2) for c in tiny}
    assignments = []
    for period in periods:
        for code in codes:
            for role in AGENCY_ROLES:
                for _ in range(int(rng.integers(*sizes[code]))):
                    pay = round(float(rng.uniform(28, 45)), 2)
                    above = pay > 40
                    assignments.append(
                        {
                            "council_code": code,
                            "period": period,
                            "regional_role": role,
                            "hourly_pay_rate": pay,
                            "hourly_charge_rate": round(pay * float(rng.uniform(1.2, 1.4)), 2),
                            "is_above_cap": above,
                            "is_breach_not_signed_off": above and bool(rng.random() < 0.5),
                        }
                    )
    frame = pd.DataFrame(assignments)
    frame["monthly_spend"] = frame["hourly_charge_rate"] * HOURS_A_MONTH
    rates = (
        frame.groupby(["council_code", "period", "regional_role"], sort=True)
        .agg(
            assignment_count=("hourly_pay_rate", "size"),
            hourly_pay_rate_median=("hourly_pay_rate", "median"),
            hourly_charge_rate_median=("hourly_charge_rate", "median"),
            above_cap_count=("is_above_cap", "sum"),
            breaches_not_signed_off=("is_breach_not_signed_off", "sum"),
            agency_spend=("monthly_spend", "sum"),
        )
        .reset_index()
    )
    rates["annualised_agency_cost_at_median"] = rates["hourly_charge_rate_median"] * 37 * 52.143
    columns = ["council_code", "period", "regional_role", "hourly_pay_rate", "hourly_charge_rate"]
    return rates, frame[columns].sort_values(columns).reset_index(drop=True)


def pay_marts(periods: list[str], codes: list[str], seed: int = 0) -> pd.DataFrame:
    """fct_pay_rates for the councils and months: each council's scale per role, raised by a
    pay award every April."""
    rng = np.random.default_rng(seed)
    records = []
    for code in codes:
        base = {
            role: 32_000 + 6_000 * i + float(rng.uniform(-2_000, 2_000))
            for i, role in enumerate(PAY_ROLES)
        }
        for period in periods:
            award = 1.03 ** (int(period[:4]) - 2024 + (int(period[5:]) >= 4))
            for role, minimum in base.items():
                low, high = round(minimum * award), round(minimum * award * 1.15)
                records.append(
                    {
                        "council_code": code,
                        "period": period,
                        "regional_role": role,
                        "salary_min_at_standard_hours": float(low),
                        "salary_max_at_standard_hours": float(high),
                        "salary_midpoint_at_standard_hours": (low + high) / 2,
                        "total_reward": (low + high) / 2 + 1_000,
                        "agency_cost_gap": None,
                    }
                )
    return pd.DataFrame(records)


def sample_frames(
    period: str,
    members: tuple[Member, ...],
    members_on: Callable[[dt.date], tuple[Member, ...]],
    seed: int = 0,
    months: int = 14,
    missing: Iterable[tuple[str, str]] = (),
    agency_and_pay: bool = False,
) -> MartFrames:
    """Workforce marts for the ``months`` to ``period``, without the (council, period)s in
    ``missing``; with ``agency_and_pay`` the agency and pay marts of the 12 months to it too
    (agency_marts, pay_marts), else none."""
    periods = window_periods(period, months)
    drop = set(missing)
    codes = [m.council_code for m in members]
    records = [
        r
        for r in random_records(periods, codes, seed)
        if (r["council_code"], r["period"]) not in drop
    ]
    councils = council_months(records)
    frames = MartFrames(period, councils, region_months(councils, members_on))
    if not agency_and_pay:
        return frames
    window = window_periods(period)
    rates, assignments = agency_marts(window, codes, seed)
    pay = pay_marts(window, codes, seed)

    def kept(frame: pd.DataFrame) -> pd.DataFrame:
        pairs = list(zip(frame["council_code"], frame["period"], strict=True))
        return frame[[pair not in drop for pair in pairs]].reset_index(drop=True)

    return dataclasses.replace(
        frames,
        agency_rates=kept(rates),
        agency_assignment_rates=kept(assignments),
        pay_rates=kept(pay),
    )


def write_warehouse(path, frames: MartFrames, tables: dict[str, pd.DataFrame] | None = None):
    """A warehouse holding the frames as marts (and ``tables``, e.g. agency and pay marts) and
    an empty ledger, for publishing without a dbt build."""
    con = warehouse.connect(path)
    try:
        ledger.ensure_ledger(con)
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        marts = {
            "fct_vacancies_council_months": frames.council_months,
            "fct_vacancies_region_months": frames.region_months,
            **(tables or {}),
        }
        for name, frame in marts.items():
            con.register("frame", frame)
            con.execute(f"CREATE OR REPLACE TABLE marts.{name} AS SELECT * FROM frame")
            con.unregister("frame")
    finally:
        con.close()
