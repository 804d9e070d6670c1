"""Synthetic marts for tests and demos: the columns the extracts read, with the marts' own
arithmetic (rates from components via indicators.rate_value, regional sums over the members
with a return), so extracts can be built and published without an ingest or a dbt build.
"""

from __future__ import annotations

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


def sample_frames(
    period: str,
    members: tuple[Member, ...],
    members_on: Callable[[dt.date], tuple[Member, ...]],
    seed: int = 0,
    months: int = 14,
    missing: Iterable[tuple[str, str]] = (),
) -> MartFrames:
    """Workforce marts for the ``months`` to ``period``, without the (council, period)s in
    ``missing``; no agency or pay marts."""
    periods = window_periods(period, months)
    drop = set(missing)
    records = [
        r
        for r in random_records(periods, [m.council_code for m in members], seed)
        if (r["council_code"], r["period"]) not in drop
    ]
    councils = council_months(records)
    return MartFrames(period, councils, region_months(councils, members_on))


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
