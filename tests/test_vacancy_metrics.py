"""Turnover, cover rates and caseload in the vacancy marts against pandas, from generated returns.

One `dbt build` for the module on a throwaway DuckDB: three councils, 14 months of generated
establishment returns (2024-01 to 2025-02), Peterborough's 2024-06 return missing. Every
figure checked here is computed again below from the generator's frames, without the dbt
macros. The DfE definitions: turnover = permanent leavers FTE over the last 12 months /
permanent FTE in post now (only with all 12 months returned); agency cover = agency FTE covering
vacancies / agency FTE; vacancy cover = the same / vacancy FTE; caseload = cases / case-holder FTE.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from warehouse_helpers import build_warehouse, council_month, query, with_file_metadata

from common.periods import month_range
from common.settings import SEEDS_DIR
from ingest.return_contract import ESTABLISHMENT
from samples.establishment import establishment_frame

COUNCILS = ["821", "874", "919"]  # Luton, Peterborough, Hertfordshire
PERIODS = month_range("2024-01", "2025-02")
MISSING_RETURN = ("874", "2024-06")
REGION_CODE = "E12000006"


@pytest.fixture(scope="module")
def frames() -> dict[tuple[str, str], pd.DataFrame]:
    return {
        (code, period): establishment_frame(code, period)
        for code in COUNCILS
        for period in PERIODS
        if (code, period) != MISSING_RETURN
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, frames) -> Path:
    raw_rows = pd.concat(
        [
            with_file_metadata(
                frame,
                ledger_id=ledger_id,
                file_key=f"{code}-{period}",
                council_code=code,
                period=period,
                received_at=pd.Timestamp(f"{period}-01") + pd.DateOffset(months=1),
            )
            for ledger_id, ((code, period), frame) in enumerate(frames.items(), start=1)
        ],
        ignore_index=True,
    )
    return build_warehouse(tmp_path_factory.mktemp("vacancy_metrics"), [(ESTABLISHMENT, raw_rows)])


def _window(period: str) -> list[str]:
    """The 12 months to and including ``period``."""
    position = PERIODS.index(period)
    assert position >= 11
    return PERIODS[position - 11 : position + 1]


@pytest.mark.parametrize(("council_code", "period"), [("919", "2025-02"), ("821", "2024-12")])
def test_council_turnover_is_12_months_of_leavers_over_staff_now(
    warehouse, frames, council_code, period
):
    window = [frames[(council_code, p)] for p in _window(period)]
    leavers_fte = sum(frame["leavers_fte"].sum() for frame in window)
    permanent_fte = frames[(council_code, period)]["permanent_fte"].sum()

    row = council_month(warehouse, council_code, period)
    assert row["leavers_window_months"] == 12
    assert row["leavers_fte_12_months"] == pytest.approx(leavers_fte)
    assert row["leavers_headcount_12_months"] == sum(f["leavers_headcount"].sum() for f in window)
    assert row["starters_fte_12_months"] == pytest.approx(
        sum(f["starters_fte"].sum() for f in window)
    )
    assert row["starters_headcount_12_months"] == sum(f["starters_headcount"].sum() for f in window)
    assert row["turnover_rate"] == pytest.approx(100 * leavers_fte / permanent_fte)


@pytest.mark.parametrize(
    ("council_code", "period", "window_months"),
    [("821", "2024-11", 11), ("874", "2025-02", 11), ("874", "2024-07", 6)],
)
def test_turnover_is_null_without_12_months_of_returns(
    warehouse, council_code, period, window_months
):
    row = council_month(warehouse, council_code, period)
    assert row["leavers_window_months"] == window_months
    assert pd.isna(row["turnover_rate"])
    assert not pd.isna(row["vacancy_rate"])


@pytest.mark.parametrize(("council_code", "period"), [("821", "2024-05"), ("919", "2025-01")])
def test_council_cover_rates_and_caseload(warehouse, frames, council_code, period):
    totals = frames[(council_code, period)].sum(numeric_only=True)
    row = council_month(warehouse, council_code, period)
    assert totals["agency_vacancy_fte"] <= totals["vacancy_fte"]  # reliable cover components
    assert row["agency_cover_rate"] == pytest.approx(
        100 * totals["agency_vacancy_fte"] / totals["agency_fte"]
    )
    assert row["vacancy_cover_rate"] == pytest.approx(
        100 * totals["agency_vacancy_fte"] / totals["vacancy_fte"]
    )
    assert row["caseload"] == pytest.approx(totals["cases_held"] / totals["case_holder_fte"])
    assert row["permanent_fte_share"] == pytest.approx(
        100 * totals["permanent_fte"] / (totals["permanent_fte"] + totals["agency_fte"])
    )


def test_region_turnover_sums_only_councils_with_complete_windows(warehouse, frames):
    period = "2025-02"
    complete = ["821", "919"]  # Peterborough's window lacks 2024-06
    leavers = sum(frames[(c, p)]["leavers_fte"].sum() for c in complete for p in _window(period))
    in_post = sum(frames[(c, period)]["permanent_fte"].sum() for c in complete)
    month = pd.concat([frames[(c, period)] for c in COUNCILS]).sum(numeric_only=True)

    region = query(
        warehouse,
        "select * from marts.fct_vacancies_region_months where region_code = ? and period = ?",
        [REGION_CODE, period],
    ).iloc[0]
    assert region["councils_included"] == 3
    assert region["turnover_councils_included"] == 2
    assert region["turnover_councils_included_codes"] == ",".join(complete)
    assert region["turnover_permanent_fte"] == pytest.approx(in_post)
    assert region["turnover_rate"] == pytest.approx(100 * leavers / in_post)
    assert region["caseload"] == pytest.approx(month["cases_held"] / month["case_holder_fte"])
    assert region["agency_cover_rate"] == pytest.approx(
        100 * month["agency_vacancy_fte"] / month["agency_fte"]
    )

    council_rates = query(
        warehouse,
        "select turnover_rate from marts.fct_vacancies_council_months "
        "where period = ? and turnover_rate is not null",
        [period],
    )["turnover_rate"]
    assert len(council_rates) == 2
    assert region["turnover_rate"] != pytest.approx(council_rates.mean(), abs=1e-9)


def test_cell_turnover_sums_each_cells_own_leavers(warehouse, frames):
    council_code, period = "919", "2025-02"
    teams = pd.read_csv(SEEDS_DIR / "team_service_area_map.csv", dtype=str)
    grades = pd.read_csv(SEEDS_DIR / "grade_role_map.csv", dtype=str)
    teams = teams[teams["council_code"] == council_code].set_index("local_team")["service_area"]
    grades = grades[grades["council_code"] == council_code].set_index("local_grade")[
        "regional_role"
    ]

    def cells(frame: pd.DataFrame) -> pd.DataFrame:
        return (
            frame.assign(
                service_area=frame["team"].map(teams), regional_role=frame["grade"].map(grades)
            )
            .groupby(["service_area", "regional_role"])[["leavers_fte", "permanent_fte"]]
            .sum()
        )

    leavers = sum(cells(frames[(council_code, p)])["leavers_fte"] for p in _window(period))
    in_post = cells(frames[(council_code, period)])["permanent_fte"]
    expected = (100 * leavers / in_post.where(in_post != 0)).rename("expected")

    mart = query(
        warehouse,
        "select service_area, regional_role, turnover_rate from marts.fct_vacancies "
        "where council_code = ? and period = ?",
        [council_code, period],
    ).set_index(["service_area", "regional_role"])
    joined = mart.join(expected, how="outer")
    assert len(joined) == len(mart) > 5
    pd.testing.assert_series_equal(
        joined["turnover_rate"], joined["expected"], check_names=False, rtol=1e-9
    )
