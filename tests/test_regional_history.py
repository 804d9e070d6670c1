"""A region loads its DfE census history from before the MoC and publishes it (issue 12).

Three councils send their census XML for 2021, 2022 and 2023, all before every council's
``joined_on`` (2024-01-01). The real ingest and a real ``dbt build`` run, then ``publish_month``
for each September: each year gets a regional figure, summed over the councils with a census
and labelled "East of England councils", never "MoC members", in the region mart and in the
members' benchmark. Python's choice of councils (common.members.councils_covered_on) and dbt's
(fct_vacancies_region_months.coverage) agree on every month.
"""

from __future__ import annotations

import csv
import io

import pytest
from warehouse_helpers import query

from common.members import councils_covered_on, load_members, members_on
from common.periods import period_end
from common.settings import load_settings
from ingest.pipeline import ingest_new_files
from publish.publish_month import publish_month
from samples.census import census_sample, write_census
from transform.dbt_runner import run_dbt_build

pytestmark = pytest.mark.slow  # one ingest, one dbt build and three publications

YEARS = (2021, 2022, 2023)
COUNCILS = {"821": "luton", "881": "essex", "919": "hertfordshire"}
REGION_LABEL = "East of England councils"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("regional_history") / "data"
    settings = load_settings({"MOC_DATA_DIR": str(data_dir)})
    for code, slug in COUNCILS.items():
        for year in YEARS:
            write_census(data_dir / "bucket", slug, code, year, year)
    summary = ingest_new_files(settings)
    assert [e.status for e in summary.entries] == ["accepted"] * len(COUNCILS) * len(YEARS), [
        (e.file_name, e.status, e.message) for e in summary.entries
    ]
    run_dbt_build(settings, stream=False)
    return settings


def test_every_council_joined_after_the_history():
    for member in load_members():
        assert member.joined_on is not None and member.joined_on > period_end(f"{YEARS[-1]}-09")


def test_the_region_mart_has_a_labelled_figure_for_each_year(settings):
    rows = query(
        settings.warehouse_path,
        "select period, coverage, coverage_label, councils_included, councils_included_codes, "
        "permanent_fte from marts.fct_vacancies_region_months order by period",
    )
    assert rows["period"].tolist() == [f"{year}-09" for year in YEARS]
    assert set(rows["coverage"]) == {"region_councils"}
    assert set(rows["coverage_label"]) == {REGION_LABEL}
    assert set(rows["councils_included_codes"]) == {",".join(sorted(COUNCILS))}
    for period, permanent_fte in zip(rows["period"], rows["permanent_fte"], strict=True):
        council_fte = query(
            settings.warehouse_path,
            "select sum(permanent_fte) as fte from marts.fct_vacancies_council_months "
            "where period = ?",
            [period],
        )["fte"].iloc[0]
        assert permanent_fte == council_fte


def test_python_and_dbt_choose_the_same_councils(settings):
    rows = query(
        settings.warehouse_path,
        "select period, coverage from marts.fct_vacancies_region_months order by period",
    )
    for period, coverage in zip(rows["period"], rows["coverage"], strict=True):
        day = period_end(period)
        assert (coverage == "region_councils") == (not members_on(day))
        assert councils_covered_on(day) == load_members()


@pytest.mark.parametrize("year", YEARS)
def test_each_year_is_published_with_its_regional_figure_labelled(settings, year):
    period = f"{year}-09"
    publications = publish_month(settings, period)
    assert publications, period
    benchmark = settings.published_dir / "members_benchmark" / period
    rows = list(
        csv.DictReader(
            io.StringIO((benchmark / f"members_benchmark_{period}.csv").read_text("utf-8"))
        )
    )
    assert {row["regional_figure_covers"] for row in rows} == {REGION_LABEL}
    region = [
        row
        for row in rows
        if row["geographic_level"] == "Regional" and row["indicator"] == "vacancy_rate_fte"
    ]
    assert len(region) == 1
    assert region[0]["councils_in_regional_figure"] == str(len(COUNCILS))
    expected = census_vacancy_rate(year)
    assert float(region[0]["value"]) == pytest.approx(expected, abs=0.05)
    assert (benchmark / "manifest.json").exists()


def census_vacancy_rate(year: int) -> float:
    """The region's vacancy rate from the generator's census samples: vacancies over vacancies
    plus permanent FTE in post on the reference date (in-post permanent workers' FTE30)."""
    vacancies = permanent = 0.0
    for code in COUNCILS:
        sample = census_sample(code, year)
        vacancies += float(sample.la_record["NumberOfVacancies"])
        permanent += sum(
            float(w["FTE30"])
            for w in sample.workers
            if w["AgencyWorker"] == "0" and "FTE30" in w and "RoleEndDate" not in w
        )
    return 100 * vacancies / (vacancies + permanent)
