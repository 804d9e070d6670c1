"""The dbt marts against figures computed independently in pandas from the generator's frames.

One `dbt build` per module (seeds, models, data tests and unit tests) on a throwaway DuckDB
holding 18 months of returns from all members, with two council-months missing and one
period resubmitted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.config import DBT_PROJECT_DIR, SEEDS_DIR
from ingest.generate import establishment_frame, month_range
from ingest.tables import ESTABLISHMENT
from ingest.warehouse import ensure_raw_tables

PERIODS = month_range("2024-01", "2025-06")
MEMBERS = pd.read_csv(SEEDS_DIR / "members.csv", dtype=str)
MISSING_RETURNS = {("821", "2024-05"), ("883", "2025-02")}  # Luton, Thurrock
RESUBMITTED = ("881", "2024-03")  # Essex sends a corrected file for March
RESUBMISSION_SEED = 7
REGION_CODE = "E12000006"

# As ingest creates it: every numeric column double (counts included), then file metadata.
RAW_ESTABLISHMENT_DDL = """
create schema if not exists raw;
create table raw.establishment (
    team varchar, grade varchar,
    establishment_fte double, permanent_fte double, agency_fte double,
    agency_vacancy_fte double, vacancy_fte double,
    starters_fte double, starters_headcount double,
    leavers_fte double, leavers_headcount double, leavers_to_agency_headcount double,
    cases_held double, case_holder_fte double,
    ledger_id bigint not null, file_sha256 varchar, council_code varchar, period varchar,
    received_at timestamp, source_row_number integer
);
"""


def _file_version(
    frame: pd.DataFrame, council_code: str, period: str, version: int, ledger_id: int
):
    """The frame as ingest appends it: stored columns plus file metadata."""
    return frame.assign(
        ledger_id=ledger_id,
        file_sha256=f"{council_code}-{period}-v{version}".ljust(64, "0"),
        council_code=council_code,
        period=period,
        # sent early the following month; a resubmission (higher version) days later
        received_at=pd.Timestamp(f"{period}-01") + pd.DateOffset(months=1, days=version),
        source_row_number=range(2, len(frame) + 2),
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
    work_dir = tmp_path_factory.mktemp("dbt_marts")
    warehouse_path = work_dir / "warehouse.duckdb"

    # The first version of the resubmitted period was recorded earlier and must lose.
    superseded = establishment_frame(*RESUBMITTED)
    file_versions = [_file_version(superseded, *RESUBMITTED, version=0, ledger_id=1)]
    file_versions += [
        _file_version(frame, code, period, version=1, ledger_id=ledger_id)
        for ledger_id, ((code, period), frame) in enumerate(latest_frames.items(), start=2)
    ]
    raw_rows = pd.concat(file_versions, ignore_index=True)

    with duckdb.connect(str(warehouse_path)) as connection:
        connection.execute(RAW_ESTABLISHMENT_DDL)
        # The other raw tables, empty, as ingest creates them on its first run.
        ensure_raw_tables(connection)
        connection.register("raw_rows", raw_rows)
        connection.execute("insert into raw.establishment by name select * from raw_rows")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbt.cli.main",
            "build",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        env=_dbt_env(warehouse_path, work_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return warehouse_path


def _dbt_env(warehouse_path: Path, work_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MOC_WAREHOUSE_PATH": str(warehouse_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
    }


def _query(warehouse_path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        return connection.execute(sql).df()


def _rates(components: pd.DataFrame | pd.Series) -> tuple[float, float]:
    """DfE vacancy and agency rates in percent, computed here without the dbt macros."""
    permanent = components["permanent_fte"]
    vacancy_rate = 100 * components["vacancy_fte"] / (components["vacancy_fte"] + permanent)
    agency_rate = 100 * components["agency_fte"] / (components["agency_fte"] + permanent)
    return vacancy_rate, agency_rate


@pytest.mark.parametrize(("council_code", "period"), [("919", "2024-07"), ("822", "2025-06")])
def test_council_month_figures_match_the_return(warehouse, latest_frames, council_code, period):
    mart = _query(
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
    mart = _query(
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

    mart = _query(
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
    region = _query(
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
    mismatches = _query(
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


def test_sqlfluff_lint_passes_on_the_models(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "models"],
        cwd=DBT_PROJECT_DIR,
        env=_dbt_env(tmp_path / "lint.duckdb", tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
