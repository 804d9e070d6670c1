"""The agency and pay marts against figures computed independently in pandas.

Generated agency assignment and pay scale returns for three councils (Bedford, Essex and
Thurrock, which reports agency rates per day) over three months either side of the October 2025
cap change (from caps on pay alone to the DfE price caps on pay + employer NI + holiday pay,
compared by engagement model) are loaded into the raw tables, then one `dbt build` of the
agency and pay marts and everything upstream of them (seeds, models and data tests) runs on a
throwaway DuckDB.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from warehouse_helpers import build_warehouse, query, with_file_metadata

from common.periods import month_range
from common.settings import SEEDS_DIR
from ingest.return_contract import AGENCY_ASSIGNMENTS, PAY_SCALES
from ingest.warehouse import RAW_METADATA_COLUMNS
from samples.agency import agency_assignments_frame
from samples.pay import pay_scales_frame

COUNCILS = ("822", "881", "883")  # Bedford, Essex, Thurrock (daily rates)
THURROCK = "883"
PERIODS = month_range("2025-09", "2025-11")
CAP_CHANGE = "2025-10-01"
HOURS_PER_DAY = 37 / 5  # a daily rate is for a fifth of a 37-hour week
# The marts and everything they read, the dimensions their relationships tests need, and the
# caps seed (with its singular test).
DBT_SELECTION = [
    "+fct_agency_assignment_months",
    "+fct_agency_rates",
    "+fct_agency_cap_breaches",
    "+fct_pay_rates",
    "+dim_months",
    "+dim_councils",
    "+dim_regional_roles",
    "+dim_service_areas",
    "agency_rate_caps",
    "agency_on_cost_defaults",
]


def _with_file_metadata(frame: pd.DataFrame, council_code: str, period: str, ledger_id: int):
    """The frame as ingest appends it: stored columns plus RAW_METADATA_COLUMNS."""
    metadata = with_file_metadata(
        frame,
        ledger_id=ledger_id,
        file_key=f"{council_code}-{period}-{ledger_id}",
        council_code=council_code,
        period=period,
        received_at=pd.Timestamp(f"{period}-01") + pd.DateOffset(months=1, days=2),
    )
    assert set(RAW_METADATA_COLUMNS) <= set(metadata.columns)
    return metadata


@pytest.fixture(scope="module")
def assignments() -> pd.DataFrame:
    frames = [
        agency_assignments_frame(code, period).assign(council_code=code, period=period)
        for code in COUNCILS
        for period in PERIODS
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def pay_scales() -> pd.DataFrame:
    frames = [
        pay_scales_frame(code, period).assign(council_code=code, period=period)
        for code in COUNCILS
        for period in PERIODS
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A DuckDB built by one `dbt build`; fails the module if the build fails."""
    raw = {AGENCY_ASSIGNMENTS: [], PAY_SCALES: []}
    ledger_id = 0
    for code in COUNCILS:
        for period in PERIODS:
            for table, make in (
                (AGENCY_ASSIGNMENTS, agency_assignments_frame),
                (PAY_SCALES, pay_scales_frame),
            ):
                ledger_id += 1
                raw[table].append(_with_file_metadata(make(code, period), code, period, ledger_id))

    return build_warehouse(
        tmp_path_factory.mktemp("agency_pay_marts"),
        [(table, pd.concat(frames, ignore_index=True)) for table, frames in raw.items()],
        "--select",
        *DBT_SELECTION,
        # only the tests whose every parent is selected (not fct_vacancies' tests on dims)
        "--indirect-selection",
        "cautious",
    )


def _roles() -> pd.DataFrame:
    return pd.read_csv(SEEDS_DIR / "grade_role_map.csv", dtype=str)[
        ["council_code", "local_grade", "regional_role"]
    ]


def _hourly_assignments(assignments: pd.DataFrame) -> pd.DataFrame:
    """Assignments with hourly rates, regional roles and the cap in force on the start date,
    compared as the DfE defines it for the engagement model (pay + employer NI + holiday pay
    against a cap that covers them, the return's on-costs or the documented defaults), all
    computed here without the dbt macros or the caps join."""
    frame = assignments.merge(
        _roles(), left_on=["council_code", "grade"], right_on=["council_code", "local_grade"]
    )
    per_day = np.where(frame["rate_basis"] == "daily", HOURS_PER_DAY, 1.0)
    frame["hourly_pay"] = frame["pay_rate"] / per_day
    frame["hourly_charge"] = frame["charge_rate"] / per_day

    caps = pd.read_csv(SEEDS_DIR / "agency_rate_caps.csv", parse_dates=["effective_from"])
    caps["effective_to"] = pd.to_datetime(caps["effective_to"]).fillna(pd.Timestamp.max)
    defaults = pd.read_csv(
        SEEDS_DIR / "agency_on_cost_defaults.csv", parse_dates=["effective_from"]
    )
    defaults["effective_to"] = pd.to_datetime(defaults["effective_to"]).fillna(pd.Timestamp.max)
    # the five DfE agency job types are the regional roles of the same names
    job_types = {"social_worker", "senior_social_worker", "advanced_practitioner"} | {
        "team_manager",
        "independent_reviewing_officer",
    }

    def cap_on(row) -> tuple[float, str]:
        start = pd.Timestamp(row.start_date)
        match = caps[
            (caps["agency_job_type"] == row.regional_role)
            & (caps["effective_from"] <= start)
            & (caps["effective_to"] >= start)
        ]
        if not len(match) or row.regional_role not in job_types:
            return np.nan, ""
        return float(match["cap_hourly_pay"].iloc[0]), match["cap_includes"].iloc[0]

    def with_on_costs(row) -> float:
        """Pay + employer NI + holiday pay per hour: the return's, else the defaults."""
        month_end = pd.Timestamp(row.period) + pd.offsets.MonthEnd(0)
        default = defaults[
            (defaults["engagement_model"] == row.engagement_model)
            & (defaults["effective_from"] <= month_end)
            & (defaults["effective_to"] >= month_end)
        ].iloc[0]
        holiday = row.holiday_pay_hourly
        if pd.isna(holiday):
            holiday = round(row.hourly_pay * default["holiday_pay_rate"], 6)
        ni = row.employer_ni_hourly
        if pd.isna(ni):
            ni = round((row.hourly_pay + holiday) * default["employer_ni_rate"], 6)
        return row.hourly_pay + holiday + ni

    frame[["cap", "cap_includes"]] = [cap_on(row) for row in frame.itertuples(index=False)]
    compared = [
        with_on_costs(row) if row.cap_includes == "pay_employer_ni_holiday_pay" else row.hourly_pay
        for row in frame.itertuples(index=False)
    ]
    frame["compared_rate"] = compared
    frame["is_above_cap"] = frame["compared_rate"].round(2) > frame["cap"]
    signed_off = frame["cap_exception_signed_off"].astype(bool)
    frame["breach_signed_off"] = frame["is_above_cap"] & signed_off
    frame["breach_not_signed_off"] = frame["is_above_cap"] & ~signed_off
    return frame


def test_the_generated_months_straddle_the_cap_change(assignments):
    starts = pd.to_datetime(assignments["start_date"])
    assert (starts < CAP_CHANGE).any() and (starts >= CAP_CHANGE).any()
    under_dfe_caps = assignments[starts >= CAP_CHANGE]
    assert set(under_dfe_caps["engagement_model"]) == {"paye", "umbrella", "limited_company"}
    assert (assignments.loc[assignments["council_code"] == THURROCK, "rate_basis"] == "daily").all()


def test_thurrock_daily_rates_are_converted_to_hourly(warehouse, assignments):
    mart = query(
        warehouse,
        f"select period, assignment_key, rate_basis, hourly_pay_rate, hourly_charge_rate "
        f"from marts.fct_agency_assignment_months where council_code = '{THURROCK}'",
    )
    reported = assignments[assignments["council_code"] == THURROCK]
    joined = mart.merge(reported, on=["period", "assignment_key"], validate="one_to_one")
    assert len(joined) == len(reported) > 0
    assert (joined["rate_basis_x"] == "daily").all()
    np.testing.assert_allclose(joined["hourly_pay_rate"], joined["pay_rate"] / 7.4)
    np.testing.assert_allclose(joined["hourly_charge_rate"], joined["charge_rate"] / 7.4)
    # and they land near the hourly caps the generator draws them around, not 7.4 times above
    assert joined["hourly_pay_rate"].between(20, 60).all()


@pytest.mark.parametrize(
    ("council_code", "period", "regional_role"),
    [("822", "2025-10", "social_worker"), ("883", "2025-11", "senior_social_worker")],
)
def test_median_and_quartiles_of_hourly_pay(
    warehouse, assignments, council_code, period, regional_role
):
    frame = _hourly_assignments(assignments)
    cell = frame[
        (frame["council_code"] == council_code)
        & (frame["period"] == period)
        & (frame["regional_role"] == regional_role)
    ]
    assert len(cell) >= 2
    mart = query(
        warehouse,
        f"select * from marts.fct_agency_rates where council_code = '{council_code}' "
        f"and period = '{period}' and regional_role = '{regional_role}'",
    ).iloc[0]
    assert mart["assignment_count"] == len(cell)
    assert mart["hourly_pay_rate_median"] == pytest.approx(np.quantile(cell["hourly_pay"], 0.5))
    assert mart["hourly_pay_rate_p25"] == pytest.approx(np.quantile(cell["hourly_pay"], 0.25))
    assert mart["hourly_charge_rate_p75"] == pytest.approx(np.quantile(cell["hourly_charge"], 0.75))
    assert mart["annualised_agency_cost_at_median"] == pytest.approx(
        np.quantile(cell["hourly_charge"], 0.5) * 37 * 52.143
    )


def test_breaches_with_and_without_sign_off(warehouse, assignments):
    frame = _hourly_assignments(assignments)
    expected = (
        frame.groupby(["council_code", "period", "regional_role"])
        .agg(
            above_cap_count=("is_above_cap", "sum"),
            breaches_signed_off=("breach_signed_off", "sum"),
            breaches_not_signed_off=("breach_not_signed_off", "sum"),
            capped_assignment_count=("cap", "count"),
        )
        .sort_index()
    )
    mart = (
        query(
            warehouse,
            "select council_code, period, regional_role, above_cap_count, breaches_signed_off, "
            "breaches_not_signed_off, capped_assignment_count from marts.fct_agency_rates",
        )
        .set_index(["council_code", "period", "regional_role"])
        .sort_index()
    )
    pd.testing.assert_frame_equal(mart, expected, check_dtype=False)
    assert expected["breaches_signed_off"].sum() > 0
    assert expected["breaches_not_signed_off"].sum() > 0
    dfe = frame[frame["cap_includes"] == "pay_employer_ni_holiday_pay"]
    assert dfe["is_above_cap"].any() and not dfe["is_above_cap"].all()


def test_the_breach_register_holds_every_assignment_month_above_the_cap(warehouse, assignments):
    frame = _hourly_assignments(assignments)
    expected = frame[frame["is_above_cap"].fillna(False).astype(bool)]
    register = query(
        warehouse,
        "select council_code, period, assignment_key, cap_comparable_rate, cap_comparable_cap, "
        "cap_hourly_pay, excess_hourly, is_signed_off, is_cap_placeholder, cap_comparison_basis "
        "from marts.fct_agency_cap_breaches",
    )
    keys = ["council_code", "period", "assignment_key"]
    assert sorted(map(tuple, register[keys].to_numpy())) == sorted(
        map(tuple, expected[keys].to_numpy())
    )
    joined = register.merge(expected, on=keys, validate="one_to_one")
    # the excess is pay + on-costs - cap whatever the basis
    np.testing.assert_allclose(
        joined["excess_hourly"].astype(float),
        joined["compared_rate"].astype(float) - joined["cap"].astype(float),
        atol=1e-6,
    )
    assert (joined["is_signed_off"] == joined["cap_exception_signed_off"].astype(bool)).all()
    assert joined["is_cap_placeholder"].all(), "every cap in the seed is still a placeholder"
    assert {"pay_only", "pay_plus_on_costs", "pay_against_net_cap"} <= set(
        register["cap_comparison_basis"]
    )


def test_salary_midpoint_at_37_hours(warehouse, pay_scales):
    frame = pay_scales.merge(
        _roles(), left_on=["council_code", "grade"], right_on=["council_code", "local_grade"]
    )
    frame["min_37"] = frame["salary_min"] * 37 / frame["weekly_hours"]
    frame["max_37"] = frame["salary_max"] * 37 / frame["weekly_hours"]
    expected = frame.groupby(["council_code", "period", "regional_role"]).agg(
        low=("min_37", "min"), high=("max_37", "max")
    )
    expected["midpoint"] = (expected["low"] + expected["high"]) / 2
    mart = query(
        warehouse,
        "select council_code, period, regional_role, salary_midpoint_at_standard_hours, "
        "salary_midpoint_rank, region_council_count from marts.fct_pay_rates",
    ).set_index(["council_code", "period", "regional_role"])
    joined = mart.join(expected, how="inner")
    assert len(joined) == len(expected) == len(mart)
    np.testing.assert_allclose(joined["salary_midpoint_at_standard_hours"], joined["midpoint"])
    assert (mart["region_council_count"] <= len(COUNCILS)).all()


def test_months_carry_the_april_to_march_financial_year(warehouse):
    months = query(
        warehouse,
        "select period, financial_year, financial_quarter, days_in_month from marts.dim_months "
        "where period in ('2024-02', '2025-03', '2025-04') order by period",
    )
    assert months.values.tolist() == [
        ["2024-02", "2023-24", 4, 29],
        ["2025-03", "2024-25", 4, 31],
        ["2025-04", "2025-26", 1, 30],
    ]
