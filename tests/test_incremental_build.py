"""The incremental path: one new month, or one corrected file, rebuilds only what it changes and
gives the same marts as a full rebuild. A census XML from a council with no monthly returns
too, and a nil agency return (no assignments open) correcting a month that had some.

A base warehouse holds 4 councils x 14 months of all four monthly tables, built in full by the
pipeline's build (``run_dbt_build``). Each scenario copies it three times and appends the same
new raw rows (new ledger ids, as ingest appends a file) to every copy:

* ``incremental``: the pipeline's build, which must choose an incremental ``dbt build``;
* ``full``: ``dbt run --full-refresh``, the reference. Every mart must equal the incremental
  copy's exactly: measures are decimals and rates are rounded from exact components
  (dbt_project/macros/exact_numbers.sql), so no summation order can change a digit;
* ``marked``: every row of the incremental marts is marked (a sentinel in one measure) before
  an incremental ``dbt run``; the rows that come back unmarked are exactly the ones rebuilt, and
  they must be the scenario's scope, no more and no less.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from warehouse_helpers import DBT_TIMEOUT_SECONDS, build_warehouse, query, with_file_metadata

from common.periods import month_range
from common.settings import load_settings
from ingest.census_xml import read_census
from ingest.return_contract import RETURN_TABLES, TABLES
from ingest.warehouse import append_rows, record_nil_return
from publish.publish_month import publish_month
from samples.census import census_xml_bytes
from samples.returns import return_frames
from transform.build_plan import BUILDS_TABLE
from transform.dbt_runner import run_dbt, run_dbt_build

pytestmark = pytest.mark.slow  # a full build, then four scenarios of three dbt runs each

COUNCILS = ("821", "822", "873", "881")
PERIODS = month_range("2024-01", "2025-02")
NEW_MONTH = "2025-03"
CORRECTED = ("873", "2024-06")  # mid-history: its turnover windows reach to the last month
CORRECTED_TABLES = ("establishment", "agency_assignments")
CORRECTION_SEED = 7
CENSUS = ("census",)  # the tables of a census XML file, in the scenario file lists
NIL_AGENCY = ("nil agency_assignments",)  # an agency CSV with its header only
NIL_CORRECTED = ("881", "2024-09")
CENSUS_COUNCIL, CENSUS_PERIOD = "919", "2024-09"  # Hertfordshire: no monthly returns here
REGION_CODE = "E12000006"
SENTINEL = 123456.789

# Each incremental mart: its key, and the measure that carries the sentinel.
MARTS = {
    "fct_vacancies": (
        ["council_code", "period", "service_area", "regional_role"],
        "establishment_fte",
    ),
    "fct_vacancies_council_months": (["council_code", "period"], "establishment_fte"),
    "fct_vacancies_region_months": (["region_code", "period"], "establishment_fte"),
    "fct_agency_assignment_months": (
        ["council_code", "period", "assignment_key"],
        "hourly_pay_rate",
    ),
    "fct_agency_rates": (["council_code", "period", "regional_role"], "hours_per_week"),
    "fct_pay_rates": (["council_code", "period", "regional_role"], "salary_min_at_standard_hours"),
}


def _file_frames(code: str, period: str, seed: int, tables) -> dict[str, pd.DataFrame]:
    """A monthly return's tables, or, for tables == CENSUS, a census XML read as ingest reads
    it (its workforce and census_la tables)."""
    if tables == CENSUS:
        census = read_census(census_xml_bytes(code, int(period[:4]), int(period[:4]), seed), "x")
        assert census.period == period
        return {name: parsed.typed for name, parsed in census.tables.items()}
    if tables == NIL_AGENCY:
        return {"agency_assignments": pd.DataFrame()}
    return return_frames(code, period, seed=seed, tables=tables)


def _raw_rows(files: list[tuple[str, str, int, tuple[str, ...]]], first_ledger_id: int):
    """(table, rows) as ingest appends them, one file per (council, period, seed, tables); a
    nil return as (table, (ledger_id, council, period))."""
    rows = []
    for ledger_id, (code, period, seed, tables) in enumerate(files, start=first_ledger_id):
        for name, frame in _file_frames(code, period, seed, tables).items():
            if frame.empty:
                rows.append((TABLES[name], (ledger_id, code, period)))
                continue
            rows.append(
                (
                    TABLES[name],
                    with_file_metadata(
                        frame,
                        ledger_id=ledger_id,
                        file_key=f"{code}-{period}-{ledger_id}",
                        council_code=code,
                        period=period,
                        received_at=pd.Timestamp(period + "-01") + pd.DateOffset(months=1),
                    ),
                )
            )
    return rows


BASE_FILES = [(code, period, 42, tuple(RETURN_TABLES)) for code in COUNCILS for period in PERIODS]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The warehouse before the scenario's files arrive, built in full."""
    return build_warehouse(tmp_path_factory.mktemp("incremental_base"), _raw_rows(BASE_FILES, 1))


@dataclass(frozen=True)
class Scenario:
    incremental: Path
    full: Path
    marked: Path
    plan_mode: str


def _settings(warehouse: Path):
    return load_settings(
        {"MOC_DATA_DIR": str(warehouse.parent), "MOC_WAREHOUSE_PATH": str(warehouse)}
    )


def _run_scenario(base: Path, work_dir: Path, new_files) -> Scenario:
    raw = _raw_rows(new_files, first_ledger_id=len(BASE_FILES) + 1)
    copies = {}
    for name in ("incremental", "full", "marked"):
        (work_dir / name).mkdir()
        copies[name] = work_dir / name / "warehouse.duckdb"
        shutil.copy(base, copies[name])
        with duckdb.connect(str(copies[name])) as con:
            for table, rows in raw:
                if isinstance(rows, tuple):
                    record_nil_return(con, table, *rows)
                else:
                    append_rows(con, table, rows)
    with duckdb.connect(str(copies["marked"])) as con:
        for mart, (_, measure) in MARTS.items():
            con.execute(f"update marts.{mart} set {measure} = {SENTINEL}")

    def build(name: str):
        settings = _settings(copies[name])
        if name == "incremental":
            return run_dbt_build(settings, stream=False, timeout=DBT_TIMEOUT_SECONDS)
        args = ("run", "--full-refresh") if name == "full" else ("run",)
        return run_dbt(settings, *args, stream=False, timeout=DBT_TIMEOUT_SECONDS)

    with ThreadPoolExecutor(max_workers=len(copies)) as pool:  # one dbt process per copy
        results = dict(zip(copies, pool.map(build, copies), strict=True))
    return Scenario(
        copies["incremental"], copies["full"], copies["marked"], results["incremental"].mode
    )


@pytest.fixture(scope="module")
def new_month(base, tmp_path_factory) -> Scenario:
    """Every council sends its return for the month after the last one."""
    files = [(code, NEW_MONTH, 42, tuple(RETURN_TABLES)) for code in COUNCILS]
    return _run_scenario(base, tmp_path_factory.mktemp("new_month"), files)


@pytest.fixture(scope="module")
def correction(base, tmp_path_factory) -> Scenario:
    """One council corrects the establishment and agency tables of a month eight months back."""
    files = [(*CORRECTED, CORRECTION_SEED, CORRECTED_TABLES)]
    return _run_scenario(base, tmp_path_factory.mktemp("correction"), files)


@pytest.fixture(scope="module")
def census(base, tmp_path_factory) -> Scenario:
    """A council with no monthly returns sends its DfE census XML."""
    files = [(CENSUS_COUNCIL, CENSUS_PERIOD, 42, CENSUS)]
    return _run_scenario(base, tmp_path_factory.mktemp("census"), files)


@pytest.fixture(scope="module")
def nil_correction(base, tmp_path_factory) -> Scenario:
    """One council's corrected agency return for a month is a nil return."""
    files = [(*NIL_CORRECTED, 42, NIL_AGENCY)]
    return _run_scenario(base, tmp_path_factory.mktemp("nil_correction"), files)


def _mart_tables(warehouse: Path) -> list[str]:
    rows = query(
        warehouse,
        "select table_name from duckdb_tables() where schema_name = 'marts' order by 1",
    )
    return rows["table_name"].tolist()


def _assert_same_marts(incremental: Path, full: Path) -> None:
    """Every mart holds the same rows in both, compared exactly by DuckDB on the stored types
    (EXCEPT ALL both ways: duplicates count, NULLs match NULLs), not to a tolerance."""
    tables = _mart_tables(full)
    assert _mart_tables(incremental) == tables
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{full}' as full_build (read_only)")
        for table in tables:
            for first, second in (("incremental", "full_build"), ("full_build", "incremental")):
                (differing,) = con.execute(
                    f"select count(*) from (select * from {first}.marts.{table} "
                    f"except all select * from {second}.marts.{table})"
                ).fetchone()
                assert differing == 0, f"marts.{table}: {differing} row(s) of {first} differ"


def _rebuilt_keys(marked: Path, mart: str) -> set[tuple]:
    keys, measure = MARTS[mart]
    rows = query(
        marked,
        f"select distinct {', '.join(keys)} from marts.{mart} "
        f"where {measure} is distinct from {SENTINEL}",
    )
    return set(rows.itertuples(index=False, name=None))


def _keys(warehouse: Path, mart: str, where: str) -> set[tuple]:
    keys, _ = MARTS[mart]
    rows = query(warehouse, f"select distinct {', '.join(keys)} from marts.{mart} where {where}")
    return set(rows.itertuples(index=False, name=None))


def test_the_pipeline_builds_incrementally_once_a_build_has_succeeded(
    new_month, correction, census, nil_correction
):
    assert new_month.plan_mode == "incremental"
    assert correction.plan_mode == "incremental"
    assert census.plan_mode == "incremental"
    assert nil_correction.plan_mode == "incremental"
    builds = query(new_month.incremental, f"select * from {BUILDS_TABLE} order by build_id")
    assert builds["mode"].tolist() == ["full", "incremental"]
    assert builds["status"].tolist() == ["succeeded", "succeeded"]
    assert builds["changed_council_months"].tolist()[-1] == len(COUNCILS)


def test_a_new_month_gives_the_same_marts_as_a_full_rebuild(new_month):
    _assert_same_marts(new_month.incremental, new_month.full)


def test_a_correction_gives_the_same_marts_as_a_full_rebuild(correction):
    _assert_same_marts(correction.incremental, correction.full)


def test_a_new_month_rebuilds_only_that_month(new_month):
    month = f"period = '{NEW_MONTH}'"
    for mart in (
        "fct_vacancies",
        "fct_vacancies_council_months",
        "fct_agency_assignment_months",
        "fct_agency_rates",
    ):
        rebuilt = _rebuilt_keys(new_month.marked, mart)
        assert rebuilt == _keys(new_month.full, mart, month), mart
        assert {key[1] for key in rebuilt} == {NEW_MONTH}, mart
    assert _rebuilt_keys(new_month.marked, "fct_vacancies_region_months") == {
        (REGION_CODE, NEW_MONTH)
    }


def test_new_pay_scales_restate_their_councils_whole_pay_history(new_month):
    """A pay scale return can backdate a scale, so every month of its council is recomputed,
    and with it the regional figures of those months."""
    assert _rebuilt_keys(new_month.marked, "fct_pay_rates") == _keys(
        new_month.full, "fct_pay_rates", "true"
    )


def test_a_correction_rebuilds_its_month_and_the_windows_that_reach_it(correction):
    code, period = CORRECTED
    window = [p for p in PERIODS if period <= p <= month_range(period, "2030-01")[11]]
    assert len(window) == 9  # the corrected month and the 8 that follow up to the last return
    in_window = f"council_code = '{code}' and period in ({', '.join(repr(p) for p in window)})"
    for mart in ("fct_vacancies", "fct_vacancies_council_months"):
        assert _rebuilt_keys(correction.marked, mart) == _keys(correction.full, mart, in_window)
    assert _rebuilt_keys(correction.marked, "fct_vacancies_region_months") == {
        (REGION_CODE, p) for p in window
    }


def test_a_corrected_agency_return_rebuilds_its_council_month_and_that_months_pay_gaps(correction):
    code, period = CORRECTED
    for mart in ("fct_agency_assignment_months", "fct_agency_rates"):
        assert _rebuilt_keys(correction.marked, mart) == _keys(
            correction.full, mart, f"council_code = '{code}' and period = '{period}'"
        )
    # the agency cost gap of every council in the month is recomputed with the month's ranks
    assert _rebuilt_keys(correction.marked, "fct_pay_rates") == _keys(
        correction.full, "fct_pay_rates", f"period = '{period}'"
    )


def test_a_census_gives_the_same_marts_as_a_full_rebuild(census):
    _assert_same_marts(census.incremental, census.full)


def test_a_census_rebuilds_its_council_month_and_the_regional_months_it_reaches(census):
    """The census is the council's only return: its month has rows, the months after it have
    none, but the regional figures of the 11 months after it are recomputed too (their
    12-month windows could include it)."""
    for mart in ("fct_vacancies", "fct_vacancies_council_months"):
        rebuilt = _rebuilt_keys(census.marked, mart)
        assert rebuilt == _keys(census.full, mart, f"council_code = '{CENSUS_COUNCIL}'")
        assert {key[:2] for key in rebuilt} == {(CENSUS_COUNCIL, CENSUS_PERIOD)}
    window = [p for p in PERIODS if p >= CENSUS_PERIOD]
    assert _rebuilt_keys(census.marked, "fct_vacancies_region_months") == {
        (REGION_CODE, p) for p in window
    }
    for mart in ("fct_agency_assignment_months", "fct_agency_rates", "fct_pay_rates"):
        assert _rebuilt_keys(census.marked, mart) == set(), mart


def test_a_nil_agency_return_gives_the_same_marts_as_a_full_rebuild(nil_correction):
    _assert_same_marts(nil_correction.incremental, nil_correction.full)


def test_a_nil_agency_return_removes_its_months_agency_rows(base, nil_correction):
    code, period = NIL_CORRECTED
    month = f"council_code = '{code}' and period = '{period}'"
    for mart in ("fct_agency_assignment_months", "fct_agency_rates"):
        assert _keys(base, mart, month), f"{mart} had rows for the month before"
        assert _keys(nil_correction.incremental, mart, month) == set(), mart
    # the month's pay rows are recomputed: the council's agency cost for them is gone
    gaps = query(
        nil_correction.incremental,
        f"select annualised_agency_cost_at_median from marts.fct_pay_rates where {month}",
    )
    assert len(gaps) and gaps["annualised_agency_cost_at_median"].isna().all()
    for mart in ("fct_vacancies", "fct_vacancies_council_months", "fct_vacancies_region_months"):
        assert _rebuilt_keys(nil_correction.marked, mart) == set(), mart


def _published_bytes(warehouse: Path, period: str) -> dict[str, bytes]:
    """Every file publish_month writes for ``period`` from this warehouse, by its path under
    the published folder."""
    settings = _settings(warehouse)
    publish_month(settings, period)
    root = settings.published_dir
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("period", [CORRECTED[1], PERIODS[-1]])
def test_a_correction_publishes_the_same_bytes_as_a_full_rebuild(correction, period):
    """Same returns, different build history (a full build then an incremental one, or one
    full rebuild): every published file is byte for byte the same."""
    incremental = _published_bytes(correction.incremental, period)
    full = _published_bytes(correction.full, period)
    assert incremental.keys() == full.keys()
    assert len(incremental) > 5
    differing = [name for name in incremental if incremental[name] != full[name]]
    assert differing == []
