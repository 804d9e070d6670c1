"""The vacancy marts reproduce the DfE's published CSWW rates from the DfE's own components.

Each row of ``tests/fixtures/dfe_csww_indicators_sample.csv`` is a real local authority's
published indicators for one reporting year (DfE, Open Government Licence v3.0; see the README
beside it). The row's components become one council's monthly returns: the reference month
(a September, as the census date is 30 September) holds the in-post, agency, agency covering
vacancies, vacancy, cases and case-holder figures, and all of the year's leavers; the 11 months
before it hold the same stock and no leavers, so the 12-month turnover window is complete and
its leavers sum to the published leavers FTE. Council identity and the year do not matter for a
rate, so each DfE authority is played by a member council in a year of its own (see _cases).

The marts must give the published vacancy, agency, agency cover, vacancy cover, turnover and
caseload figures after rounding half away from zero to one decimal place.

Selection rule of the fixture: local-authority rows whose needed components and six rates are
all numbers (no publication symbols), and whose rates the DfE definitions reproduce from the
published components. The DfE computes its rates from unrounded components, and publishes the
components rounded to 1 dp, so for about 30% of rows a rate recomputed from the published
components lands 0.1 (cover rates, with small denominators: up to 0.7) from the published one;
those rows cannot test the definitions and are left out rather than loosening the check.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from warehouse_helpers import build_warehouse

from common.periods import month_range
from common.rounding import round_half_away
from common.settings import SEEDS_DIR
from ingest.return_contract import ESTABLISHMENT

FIXTURE = Path(__file__).parent / "fixtures" / "dfe_csww_indicators_sample.csv"
# Published indicator -> column of marts.fct_vacancies_council_months.
RATES = {
    "vacancy_rate_fte": "vacancy_rate",
    "agency_rate_fte": "agency_rate",
    "agency_cover_rate_fte": "agency_cover_rate",
    "vacancy_agency_cover_rate_fte": "vacancy_cover_rate",
    "turnover_rate_fte": "turnover_rate",
    "caseload_fte": "caseload",
}


def _dfe_rows() -> list[dict[str, str]]:
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _member_posts() -> dict[str, tuple[str, str]]:
    """One mapped (team, grade) of each member council, from the mapping seeds."""
    teams = pd.read_csv(SEEDS_DIR / "team_service_area_map.csv", dtype=str)
    grades = pd.read_csv(SEEDS_DIR / "grade_role_map.csv", dtype=str)
    members = pd.read_csv(SEEDS_DIR / "members.csv", dtype=str)
    return {
        code: (
            teams.loc[teams["council_code"] == code, "local_team"].iloc[0],
            grades.loc[grades["council_code"] == code, "local_grade"].iloc[0],
        )
        for code in sorted(members["council_code"])
    }


def _cases() -> list[tuple[dict[str, str], str, str]]:
    """Each DfE row with the (member council, reference period) that plays it.

    Rows go to the members in turn; a member's successive rows are two years apart (September
    2017, 2019, ...), so a year with no returns separates their 12-month windows and no window
    mixes two authorities' figures.
    """
    codes = list(_member_posts())
    return [
        (row, codes[number % len(codes)], f"{2017 + 2 * (number // len(codes))}-09")
        for number, row in enumerate(_dfe_rows())
    ]


def _returns(row: dict[str, str], council_code: str, period: str, team: str, grade: str):
    """12 monthly establishment rows ending at ``period``: the year's leavers all in the last."""
    year, month = int(period[:4]), int(period[5:])
    first = f"{year - 1}-{month + 1:02d}" if month < 12 else f"{year}-01"
    months = month_range(first, period)
    assert len(months) == 12
    inpost, vacancy = float(row["inpost_fte"]), float(row["vacancy_fte"])
    frames = []
    for number, month_period in enumerate(months, start=2):
        is_reference = month_period == period
        frames.append(
            {
                "team": team,
                "grade": grade,
                "establishment_fte": inpost + vacancy,
                "permanent_fte": inpost,
                "agency_fte": float(row["agency_fte"]),
                "agency_vacancy_fte": float(row["agency_cover_fte"]),
                "vacancy_fte": vacancy,
                "starters_fte": 0.0,
                "starters_headcount": 0.0,
                "leavers_fte": float(row["leavers_fte"]) if is_reference else 0.0,
                "leavers_headcount": float(row["leavers_headcount"]) if is_reference else 0.0,
                "leavers_to_agency_headcount": 0.0,
                "cases_held": float(row["cases"]),
                "case_holder_fte": float(row["case_holders_fte"]),
                "file_sha256": f"dfe-{council_code}-{month_period}".ljust(64, "0"),
                "council_code": council_code,
                "period": month_period,
                "received_at": pd.Timestamp(f"{month_period}-01") + pd.DateOffset(months=1),
                "source_row_number": number,
            }
        )
    return frames


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A DuckDB with the DfE rows as returns, built by `dbt build` (models and data tests)."""
    posts = _member_posts()
    records = [
        record
        for row, code, period in _cases()
        for record in _returns(row, code, period, *posts[code])
    ]
    raw_rows = pd.DataFrame.from_records(records)
    # one ledger row per file (council-month), in file order
    raw_rows["ledger_id"] = pd.factorize(raw_rows["file_sha256"])[0] + 1
    # The DfE's first collection (30 September 2017) counts leavers over the year before it, so
    # its rows need returns from October 2016: the window (and dim_months) opens there.
    return build_warehouse(
        tmp_path_factory.mktemp("dfe_reproduction"),
        [(ESTABLISHMENT, raw_rows)],
        earliest_period=raw_rows["period"].min(),
    )


def test_fixture_rows_are_complete_and_each_has_its_own_council_month():
    cases = _cases()
    assert len(cases) == 30
    assert len({(code, period) for _, code, period in cases}) == len(cases)
    assert len({row["region_code"] for row, _, _ in cases}) >= 8
    for row, _, _ in cases:
        for column in [*RATES, "inpost_fte", "leavers_fte", "agency_fte", "agency_cover_fte"]:
            float(row[column])  # a publication symbol here would raise


@pytest.mark.parametrize(
    ("row", "council_code", "period"),
    _cases(),
    ids=[f"{row['time_period']}-{row['old_la_code']}" for row, _, _ in _cases()],
)
def test_marts_reproduce_the_published_rates(warehouse, row, council_code, period):
    columns = ", ".join(RATES.values())
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        mart = connection.execute(
            f"select {columns}, leavers_window_months, permanent_fte, leavers_fte_12_months "
            "from marts.fct_vacancies_council_months where council_code = ? and period = ?",
            [council_code, period],
        ).fetchone()
    assert mart is not None, f"no council-month for {council_code} {period}"
    *rates, window_months, permanent_fte, leavers_fte_12_months = mart
    assert window_months == 12
    # FTE is exact in the marts (DECIMAL from staging on): equal to the published figure
    assert permanent_fte == Decimal(row["inpost_fte"])
    assert leavers_fte_12_months == Decimal(row["leavers_fte"])
    published = {name: Decimal(row[name]).quantize(Decimal("0.1")) for name in RATES}
    reproduced = {
        name: round_half_away(value, 1) if value is not None else None
        for name, value in zip(RATES, rates, strict=True)
    }
    assert reproduced == published, f"{row['la_name']} {row['time_period']}"
