"""The dbt marts against figures computed independently in pandas from the generator's frames.

One `dbt build` per module as the pipeline runs it (seeds, models and data tests; the unit tests
run once, in test_dbt_unit_tests.py) on a throwaway DuckDB holding 18 months of returns from all
members, with two council-months missing and one period resubmitted.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from warehouse_helpers import build_warehouse, query, with_file_metadata

from common.periods import month_range
from common.settings import SEEDS_DIR
from ingest.return_contract import ESTABLISHMENT
from samples.establishment import establishment_frame

PERIODS = month_range("2024-01", "2025-06")
MEMBERS = pd.read_csv(SEEDS_DIR / "members.csv", dtype=str)
MISSING_RETURNS = {("821", "2024-05"), ("883", "2025-02")}  # Luton, Thurrock
RESUBMITTED = ("881", "2024-03")  # Essex sends a corrected file for March
RESUBMISSION_SEED = 7
REGION_CODE = "E12000006"


def _file_version(
    frame: pd.DataFrame, council_code: str, period: str, version: int, ledger_id: int
):
    """The frame as ingest appends it: stored columns plus file metadata."""
    return with_file_metadata(
        frame,
        ledger_id=ledger_id,
        file_key=f"{council_code}-{period}-v{version}",
        council_code=council_code,
        period=period,
        # sent early the following month; a resubmission (higher version) days later
        received_at=pd.Timestamp(f"{period}-01") + pd.DateOffset(months=1, days=version),
    )


@pytest.fixture(scope="module")
def latest_frames() -> dict[tuple[str, str], pd.DataFrame]:
    """What the marts should be built from: the latest version of every return sent."""
    frames = {
        (code, period): establishment_frame(code, period)
        for code in MEMBERS["council_code"]
        for period in PERIODS
        if (code, period) not in MISSING_RETURNS
    }
    frames[RESUBMITTED] = establishment_frame(*RESUBMITTED, seed=RESUBMISSION_SEED)
    return frames


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, latest_frames) -> Path:
    """A DuckDB built by `dbt build` from the returns; fails the module if the build fails."""
    # The first version of the resubmitted period was recorded earlier and must lose.
    superseded = establishment_frame(*RESUBMITTED)
    file_versions = [_file_version(superseded, *RESUBMITTED, version=0, ledger_id=1)]
    file_versions += [
        _file_version(frame, code, period, version=1, ledger_id=ledger_id)
        for ledger_id, ((code, period), frame) in enumerate(latest_frames.items(), start=2)
    ]
    raw_rows = pd.concat(file_versions, ignore_index=True)
    # The other raw tables stay empty, as ingest creates them on its first run.
    return build_warehouse(tmp_path_factory.mktemp("dbt_marts"), [(ESTABLISHMENT, raw_rows)])


def _rates(components: pd.DataFrame | pd.Series) -> tuple[float, float]:
    """DfE vacancy and agency rates in percent, computed here without the dbt macros."""
    permanent = components["permanent_fte"]
    vacancy_rate = 100 * components["vacancy_fte"] / (components["vacancy_fte"] + permanent)
    agency_rate = 100 * components["agency_fte"] / (components["agency_fte"] + permanent)
    return vacancy_rate, agency_rate


@pytest.mark.parametrize(("council_code", "period"), [("919", "2024-07"), ("822", "2025-06")])
def test_council_month_figures_match_the_return(warehouse, latest_frames, council_code, period):
    mart = query(
        warehouse,
        f"select * from marts.fct_vacancies_council_months "
        f"where council_code = '{council_code}' and period = '{period}'",
    )
    assert len(mart) == 1
    row = mart.iloc[0]
    expected = latest_frames[(council_code, period)][ESTABLISHMENT.column_names[2:]].sum()
    for column in ["establishment_fte", "permanent_fte", "vacancy_fte", "agency_fte"]:
        assert row[column] == pytest.approx(expected[column])
    for column in ["starters_headcount", "leavers_headcount", "cases_held"]:
        assert row[column] == expected[column]
    vacancy_rate, agency_rate = _rates(expected)
    assert row["vacancy_rate"] == pytest.approx(vacancy_rate)
    assert row["agency_rate"] == pytest.approx(agency_rate)
    assert row["month_end_date"].strftime("%Y-%m") == period


def test_latest_file_version_wins(warehouse, latest_frames):
    council_code, period = RESUBMITTED
    mart = query(
        warehouse,
        f"select permanent_fte, vacancy_fte from marts.fct_vacancies_council_months "
        f"where council_code = '{council_code}' and period = '{period}'",
    )
    latest = latest_frames[RESUBMITTED]
    superseded = establishment_frame(*RESUBMITTED)
    assert latest["permanent_fte"].sum() != pytest.approx(superseded["permanent_fte"].sum())
    assert mart["permanent_fte"].item() == pytest.approx(latest["permanent_fte"].sum())
    assert mart["vacancy_fte"].item() == pytest.approx(latest["vacancy_fte"].sum())


@pytest.mark.parametrize("period", ["2024-05", "2025-02", "2025-06"])
def test_region_rates_come_from_summed_components(warehouse, latest_frames, period):
    month_frames = {code: f for (code, p), f in latest_frames.items() if p == period}
    components = pd.concat(month_frames.values())[["permanent_fte", "vacancy_fte", "agency_fte"]]
    vacancy_rate, agency_rate = _rates(components.sum())

    mart = query(
        warehouse,
        f"select * from marts.fct_vacancies_region_months "
        f"where region_code = '{REGION_CODE}' and period = '{period}'",
    ).iloc[0]
    assert mart["vacancy_rate"] == pytest.approx(vacancy_rate)
    assert mart["agency_rate"] == pytest.approx(agency_rate)
    assert mart["permanent_fte"] == pytest.approx(components["permanent_fte"].sum())

    mean_of_council_rates = sum(_rates(f.sum())[0] for f in month_frames.values()) / len(
        month_frames
    )
    assert mart["vacancy_rate"] != pytest.approx(mean_of_council_rates, abs=1e-6)


def test_councils_included_leaves_out_councils_without_a_return(warehouse):
    region = query(
        warehouse,
        "select period, councils_included, councils_included_codes "
        "from marts.fct_vacancies_region_months order by period",
    ).set_index("period")
    assert list(region.index) == PERIODS
    all_codes = sorted(MEMBERS["council_code"])
    for period, row in region.iterrows():
        expected_codes = [c for c in all_codes if (c, period) not in MISSING_RETURNS]
        assert row["councils_included_codes"] == ",".join(expected_codes)
        assert row["councils_included"] == len(expected_codes)
    assert region.loc["2024-05", "councils_included"] == len(all_codes) - 1


def test_role_and_service_area_cells_add_up_to_the_council_month(warehouse):
    mismatches = query(
        warehouse,
        """
        select council_months.council_code, council_months.period
        from marts.fct_vacancies_council_months as council_months
        inner join (
            select council_code, period, sum(permanent_fte) as permanent_fte
            from marts.fct_vacancies
            group by council_code, period
        ) as cells
            on council_months.council_code = cells.council_code
            and council_months.period = cells.period
        where abs(council_months.permanent_fte - cells.permanent_fte) > 1e-6
        """,
    )
    assert mismatches.empty


def test_the_build_runs_the_data_tests_and_leaves_the_unit_tests_out(warehouse):
    run_results = warehouse.parent / "dbt" / "target" / "run_results.json"
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    by_kind = Counter(result["unique_id"].split(".", 1)[0] for result in results)
    assert by_kind["test"] > 100 and by_kind["model"] > 10 and by_kind["seed"] > 0, by_kind
    assert by_kind["unit_test"] == 0, by_kind
    # "warn": a data test of warn severity that found rows (the build still succeeds)
    assert {result["status"] for result in results} <= {"success", "pass", "warn"}
