"""The sample-return generator: deterministic, in each council's own vocabulary, consistent."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from common.members import members_by_slug
from common.periods import month_range
from common.settings import SEEDS_DIR
from ingest.readers import read_table, read_workbook
from ingest.return_contract import (
    AGENCY_ASSIGNMENTS,
    ESTABLISHMENT,
    PAY_SCALES,
    RETURN_TABLES,
    TABLES,
    WORKFORCE,
)
from ingest.validate import FileToValidate, validate_files
from samples.agency import (
    DAILY_RATE_COUNCILS,
    ENGAGEMENT_MIX,
    HOURS_PER_DAY,
    agency_assignments_frame,
    pay_cap_equivalent,
    sends_agency_rules_fields,
)
from samples.cooling_off import COOLING_OFF_CASES
from samples.councils import COUNCIL_PROFILES
from samples.establishment import establishment_frame
from samples.pay import pay_scales_frame
from samples.return_files import return_filename, write_return
from samples.returns import generate_returns, return_frames
from samples.workforce import workforce_frame

PERIODS = month_range("2024-01", "2024-12")
MEMBERS = pd.read_csv(SEEDS_DIR / "members.csv", dtype=str)
GRADE_ROLE_MAP = pd.read_csv(SEEDS_DIR / "grade_role_map.csv", dtype=str)
TEAM_SERVICE_AREA_MAP = pd.read_csv(SEEDS_DIR / "team_service_area_map.csv", dtype=str)
COUNCIL_CODES = MEMBERS["council_code"].tolist()


@pytest.fixture(scope="module")
def all_frames() -> pd.DataFrame:
    """Every member council over a year, stacked, with council_code and period columns."""
    frames = [
        establishment_frame(code, period).assign(council_code=code, period=period)
        for code in COUNCIL_CODES
        for period in PERIODS
    ]
    return pd.concat(frames, ignore_index=True)


def test_month_range_is_inclusive_and_crosses_years():
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range("2024-05", "2024-05") == ["2024-05"]


def test_return_filename_per_format():
    assert return_filename("luton", "2024-03", "csv") == "luton_2024-03_establishment.csv"
    assert return_filename("essex", "2024-03", "xlsx") == "essex_2024-03_return.xlsx"
    assert (
        return_filename("luton", "2024-03", "csv", "pay_scales") == "luton_2024-03_pay_scales.csv"
    )


def test_frame_has_the_stored_columns_and_one_row_per_team_and_grade():
    frame = establishment_frame("919", "2024-03")
    assert list(frame.columns) == ESTABLISHMENT.column_names
    assert not frame.duplicated(list(ESTABLISHMENT.key)).any()


def test_same_seed_gives_the_same_frame_and_another_seed_does_not():
    first = establishment_frame("821", "2024-06", seed=7)
    pd.testing.assert_frame_equal(first, establishment_frame("821", "2024-06", seed=7))
    assert not first.equals(establishment_frame("821", "2024-06", seed=8))


def test_a_single_council_month_does_not_depend_on_what_was_generated_before(tmp_path):
    alone = establishment_frame("935", "2025-02")
    for period in PERIODS:
        establishment_frame("935", period)
    pd.testing.assert_frame_equal(alone, establishment_frame("935", "2025-02"))


def test_csv_bytes_are_reproducible(tmp_path):
    first = generate_returns(tmp_path / "a", ["2024-01", "2024-02"], councils=["873"])
    second = generate_returns(tmp_path / "b", ["2024-01", "2024-02"], councils=["873"])
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_every_team_and_grade_is_in_the_council_s_own_mapping(all_frames):
    grades = all_frames.merge(
        GRADE_ROLE_MAP,
        left_on=["council_code", "grade"],
        right_on=["council_code", "local_grade"],
        how="left",
    )
    teams = all_frames.merge(
        TEAM_SERVICE_AREA_MAP,
        left_on=["council_code", "team"],
        right_on=["council_code", "local_team"],
        how="left",
    )
    assert grades["regional_role"].notna().all()
    assert teams["service_area"].notna().all()


def test_fte_has_one_decimal_place_and_counts_are_whole(all_frames):
    for column in ESTABLISHMENT.numeric_columns():
        values = all_frames[column.name]
        assert (values >= 0).all(), column.name
        if column.kind == "fte":
            assert np.allclose(values, values.round(1)), column.name
        else:
            assert pd.api.types.is_integer_dtype(values), column.name


def test_posts_add_up_except_for_a_few_over_establishment_rows(all_frames):
    filled = (all_frames["permanent_fte"] + all_frames["vacancy_fte"]).round(1)
    adds_up = np.isclose(filled, all_frames["establishment_fte"])
    over = all_frames["permanent_fte"] > all_frames["establishment_fte"]
    assert (adds_up | over).all()
    assert 0 < over.mean() < 0.1
    assert (all_frames.loc[over, "vacancy_fte"] == 0).all()


def test_agency_and_case_holder_invariants(all_frames):
    frame = all_frames
    assert (frame["agency_vacancy_fte"] <= frame["agency_fte"]).all()
    assert (frame["agency_vacancy_fte"] <= frame["vacancy_fte"]).mean() > 0.95
    assert (frame["case_holder_fte"] <= frame["permanent_fte"] + frame["agency_fte"] + 1e-9).all()
    assert (frame["leavers_to_agency_headcount"] <= frame["leavers_headcount"]).all()


def test_caseloads_are_realistic_for_case_holders_and_zero_for_managers(all_frames):
    roles = all_frames.merge(
        GRADE_ROLE_MAP,
        left_on=["council_code", "grade"],
        right_on=["council_code", "local_grade"],
    )
    managers = roles["regional_role"].isin(["team_manager", "middle_manager", "senior_manager"])
    assert (roles.loc[managers, "cases_held"] == 0).all()
    holders = roles[roles["case_holder_fte"] >= 2]
    caseload = holders["cases_held"] / holders["case_holder_fte"]
    assert caseload.between(11, 21).all()


@pytest.mark.parametrize("council_code", COUNCIL_CODES)
def test_sizes_and_rates_are_in_the_published_range(all_frames, council_code):
    months = (
        all_frames[all_frames["council_code"] == council_code]
        .groupby("period")[["permanent_fte", "vacancy_fte", "agency_fte", "leavers_fte"]]
        .sum()
    )
    expected = COUNCIL_PROFILES[council_code].permanent_fte
    assert months["permanent_fte"].between(0.85 * expected, 1.15 * expected).all()
    vacancy_rate = months["vacancy_fte"] / (months["vacancy_fte"] + months["permanent_fte"])
    agency_rate = months["agency_fte"] / (months["agency_fte"] + months["permanent_fte"])
    assert vacancy_rate.mean() == pytest.approx(0.175, abs=0.08)
    assert agency_rate.between(0.03, 0.27).all()
    annual_turnover = months["leavers_fte"].sum() / months["permanent_fte"].mean()
    assert 0.05 < annual_turnover < 0.35


def test_month_to_month_change_is_smooth(all_frames):
    totals = all_frames.groupby(["council_code", "period"])["establishment_fte"].sum()
    monthly_change = totals.groupby(level="council_code").pct_change().dropna().abs()
    assert monthly_change.max() < 0.05


def test_files_land_in_each_council_s_folder_in_its_format(tmp_path):
    paths = generate_returns(tmp_path, ["2024-01", "2024-02"])
    slugs = dict(zip(MEMBERS["council_code"], MEMBERS["council_slug"], strict=True))
    excel = [code for code in slugs if COUNCIL_PROFILES[code].sends_excel]
    assert 0 < len(excel) < len(slugs)
    # a workbook a month, or a CSV file per table a month
    assert len(paths) == 2 * (len(excel) + len(RETURN_TABLES) * (len(slugs) - len(excel)))
    for code, slug in slugs.items():
        for period in ["2024-01", "2024-02"]:
            if code in excel:
                workbook = tmp_path / slug / return_filename(slug, period, "xlsx")
                assert load_workbook(workbook, read_only=True).sheetnames == list(RETURN_TABLES)
            else:
                for table in RETURN_TABLES:
                    assert (tmp_path / slug / return_filename(slug, period, "csv", table)).is_file()
    assert {p.parent.name for p in paths} == set(slugs.values())


def test_tables_can_be_limited(tmp_path):
    paths = generate_returns(
        tmp_path, ["2024-01"], councils=["821", "822"], tables=["establishment"]
    )
    assert [p.name for p in paths] == [
        "luton_2024-01_establishment.csv",
        "bedford_2024-01_return.xlsx",
    ]
    assert load_workbook(paths[1], read_only=True).sheetnames == ["establishment"]


def test_written_files_carry_the_officer_headers_and_the_same_values(tmp_path):
    frame = establishment_frame("881", "2024-04")
    csv_path = write_return(frame, tmp_path / "essex.csv", "csv")
    from_csv = pd.read_csv(csv_path)
    assert list(from_csv.columns) == ESTABLISHMENT.headers
    pd.testing.assert_frame_equal(
        from_csv.set_axis(ESTABLISHMENT.column_names, axis=1), frame, check_dtype=False
    )

    xlsx_path = write_return(frame, tmp_path / "essex.xlsx", "xlsx")
    workbook = load_workbook(xlsx_path, read_only=True)
    assert workbook.sheetnames == [ESTABLISHMENT.name]
    rows = list(workbook[ESTABLISHMENT.name].values)
    assert list(rows[0]) == ESTABLISHMENT.headers
    from_xlsx = pd.DataFrame(rows[1:], columns=ESTABLISHMENT.column_names)
    pd.testing.assert_frame_equal(from_xlsx, frame, check_dtype=False)


# The other three tables of the return.


@pytest.fixture(scope="module")
def region_month() -> dict[str, pd.DataFrame]:
    """Every member's four tables for one month, each stacked with a council_code column."""
    frames = {name: [] for name in RETURN_TABLES}
    for code in COUNCIL_CODES:
        for name, frame in return_frames(code, "2025-06").items():
            frames[name].append(frame.assign(council_code=code))
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}


@pytest.mark.parametrize("build", [agency_assignments_frame, pay_scales_frame, workforce_frame])
def test_other_tables_are_deterministic_with_stored_columns_and_unique_keys(build):
    table = RETURN_TABLES[build.__name__.removesuffix("_frame")]
    frame = build("919", "2025-10", seed=7)  # from 2025-10 every column (Column.required_from)
    assert list(frame.columns) == table.column_names
    assert len(frame) > 0 and not frame.duplicated(list(table.key)).any()
    pd.testing.assert_frame_equal(frame, build("919", "2025-10", seed=7))
    assert not frame.equals(build("919", "2025-10", seed=8))


def test_agency_assignments_cover_the_establishment_agency_fte(region_month):
    agency = region_month["agency_assignments"]
    establishment = region_month["establishment"]
    fte = (agency["hours_per_week"] / 37).groupby(agency["council_code"]).sum()
    expected = establishment.groupby("council_code")["agency_fte"].sum()
    assert np.allclose(fte.sort_index(), expected.sort_index(), rtol=0.01)
    assert agency["hours_per_week"].between(1, 48).all()
    covering = (agency["reason"] == "vacancy_cover").groupby(agency["council_code"]).sum()
    assert (covering > 0).all()
    assert agency["assignment_key"].str.fullmatch(r"AGY-20\d\d-\d{4}").all()


def test_agency_rates_are_realistic_with_a_few_above_the_cap(region_month):
    agency = region_month["agency_assignments"].merge(
        GRADE_ROLE_MAP,
        left_on=["council_code", "grade"],
        right_on=["council_code", "local_grade"],
        how="left",
    )
    assert agency["regional_role"].notna().all(), "every grade is mapped"
    per_hour = np.where(agency["rate_basis"] == "daily", HOURS_PER_DAY, 1.0)
    pay, charge = agency["pay_rate"] / per_hour, agency["charge_rate"] / per_hour
    social_workers = agency["regional_role"] == "social_worker"
    assert pay[social_workers].between(25, 40).all()
    assert ((charge / pay).between(1.2, 1.35)).all()
    month_end = dt.date(2025, 6, 30)
    caps = [
        pay_cap_equivalent(role, start, "umbrella", month_end)
        for role, start in zip(agency["regional_role"], agency["start_date"], strict=True)
    ]
    above = pay > np.array(caps)
    assert 0.03 < above.mean() < 0.25
    signed_off = agency["cap_exception_signed_off"]
    assert signed_off[above].any() and not signed_off[above].all()
    assert not signed_off[~above].any()
    assert agency.loc[signed_off, ["signed_off_by", "signed_off_on"]].notna().all(axis=None)
    daily = agency["council_code"].isin(DAILY_RATE_COUNCILS)
    assert (agency.loc[daily, "rate_basis"] == "daily").all()
    ended = agency["end_date"].notna()
    assert (agency.loc[ended, "end_date"] >= agency.loc[ended, "start_date"]).all()


def test_agency_rules_fields_from_october_2025_with_a_mix_of_engagement_models():
    """Every council sends the DfE agency rules' fields from 2025-10 (two of them earlier);
    before, the columns are left out. The sample mixes PAYE, umbrella and limited company
    workers, gives employer NI and holiday pay for about half, and SWE numbers look real."""
    assert not sends_agency_rules_fields("821", "2025-09")
    assert sends_agency_rules_fields("821", "2025-10") and sends_agency_rules_fields(
        "822", "2025-03"
    )
    assert "engagement_model" not in agency_assignments_frame("821", "2025-09").columns
    frames = pd.concat(agency_assignments_frame(code, "2025-11") for code in COUNCIL_CODES)
    assert set(frames["engagement_model"]) == set(ENGAGEMENT_MIX)
    assert frames["swe_registration_number"].str.fullmatch(r"SW\d{6}").all()
    assert 0.3 < frames["employer_ni_hourly"].notna().mean() < 0.8
    assert frames["is_project_team"].any() and not frames["is_project_team"].all()
    assert (frames["qualified_on"] < frames["start_date"]).all()
    assert frames[["references_received", "notice_period_weeks"]].notna().all(axis=None)
    # DfE price caps (assignments starting from 2025-10-01): some above, with and without
    # sign-off, judged on pay + default on-costs
    started = frames[frames["start_date"] >= dt.date(2025, 10, 1)]
    assert started["cap_exception_signed_off"].any()


def test_pay_scales_have_one_row_per_mapped_grade_and_rise_each_april():
    for code in ["821", "926"]:
        frame = pay_scales_frame(code, "2025-06")
        grades = GRADE_ROLE_MAP.loc[GRADE_ROLE_MAP["council_code"] == code, "local_grade"]
        assert sorted(frame["grade"]) == sorted(grades)
        assert (frame["salary_max"] > frame["salary_min"]).all()
        assert frame[["salary_min", "salary_max"]].stack().between(15_000, 150_000).all()
        assert set(frame["effective_from"]) == {dt.date(2025, 4, 1)}
    march, april = (
        pay_scales_frame("821", period).sort_values("grade", ignore_index=True)
        for period in ["2025-03", "2025-04"]
    )
    assert set(march["effective_from"]) == {dt.date(2024, 4, 1)}
    assert (april["salary_min"] > march["salary_min"]).all()
    february = pay_scales_frame("821", "2026-02")
    assert not february.equals(pay_scales_frame("821", "2026-03")), "months' files differ"
    pd.testing.assert_frame_equal(april, february.sort_values("grade", ignore_index=True))


def test_workforce_adds_up_to_the_establishment_table(region_month):
    workers, establishment = region_month["workforce"], region_month["establishment"]
    assert workers["fte"].between(0, 1).all()
    assert workers["worker_key"].str.fullmatch(r"SW\d{6}").all()
    in_post = workers[workers["role_end_date"].isna()]
    by_type = in_post.groupby(["council_code", "is_agency_worker"])["fte"].sum().unstack()
    totals = establishment.groupby("council_code")[["permanent_fte", "agency_fte"]].sum()
    assert np.allclose(by_type[False], totals["permanent_fte"])
    assert np.allclose(by_type[True], totals["agency_fte"])
    leavers = workers.groupby("council_code")["role_end_date"].count()
    assert (leavers == establishment.groupby("council_code")["leavers_headcount"].sum()).all()
    month_start = dt.date(2025, 6, 1)
    starters = (in_post["role_start_date"] >= month_start) & ~in_post["is_agency_worker"]
    expected_starters = establishment.groupby("council_code")["starters_headcount"].sum()
    assert starters.groupby(in_post["council_code"]).sum().le(expected_starters).all()
    assert workers["start_origin"].notna().all()
    ended = workers["role_end_date"].notna()
    assert workers.loc[ended, ["reason_leave", "leaver_destination"]].notna().all(axis=None)
    assert workers.loc[~workers["is_agency_worker"], "base_salary"].between(15_000, 150_000).all()
    assert all(isinstance(d, dt.date) for d in workers["birth_month"])


def test_workbook_dates_are_date_cells_and_csv_dates_are_iso(tmp_path):
    frames = return_frames("822", "2025-06")
    workbook_path = write_return(frames, tmp_path / "bedford.xlsx", "xlsx")
    workbook = load_workbook(workbook_path)
    assert workbook.sheetnames == list(RETURN_TABLES)
    start = workbook["agency_assignments"].cell(row=2, column=5)
    assert workbook["agency_assignments"].cell(row=1, column=5).value == "Start date"
    assert start.is_date and start.value.date() == frames["agency_assignments"]["start_date"][0]

    csv_path = write_return(frames["workforce"], tmp_path / "w.csv", "csv", table="workforce")
    from_csv = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    assert list(from_csv.columns) == WORKFORCE.headers
    assert from_csv["Role start date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(from_csv["Agency worker"]) <= {"Yes", "No"}
    with pytest.raises(ValueError, match="one table"):
        write_return(frames, tmp_path / "all.csv", "csv")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_written_tables_read_back_to_the_generated_values(tmp_path, fmt):
    frames = return_frames(
        "821", "2025-11", tables=["agency_assignments", "pay_scales", "workforce"]
    )
    if fmt == "xlsx":
        parsed = read_workbook(write_return(frames, tmp_path / "r.xlsx", "xlsx").read_bytes())
    else:
        parsed = {
            name: read_table(
                write_return(frame, tmp_path / f"{name}.csv", "csv", name).read_bytes(),
                f"{name}.csv",
                "csv",
                RETURN_TABLES[name],
            )
            for name, frame in frames.items()
        }
    for name, frame in frames.items():
        typed = parsed[name].typed[RETURN_TABLES[name].column_names]
        expected = frame.astype(object).where(frame.notna(), None)
        actual = typed.astype(object).where(typed.notna(), None)
        pd.testing.assert_frame_equal(actual, expected, check_dtype=False)


def test_generated_returns_pass_every_rule(tmp_path):
    """Sample returns are clean: no errors and no warnings in any table (one run per table)."""
    paths = generate_returns(tmp_path, ["2025-06"], seed=3, councils=["821", "883", "822"])
    files: dict[str, list[FileToValidate]] = {name: [] for name in RETURN_TABLES}
    for path in paths:
        member = members_by_slug()[path.parent.name]
        if path.suffix == ".xlsx":
            parsed = read_workbook(path.read_bytes())
        else:
            name = next(n for n in RETURN_TABLES if path.stem.endswith(n))
            parsed = {name: read_table(path.read_bytes(), path.name, "csv", TABLES[name])}
        for name, table in parsed.items():
            files[name].append(FileToValidate(f"{path.name}/{name}", member, table))
    for name, batch in files.items():
        problems = validate_files(TABLES[name], batch, tmp_path / "gx")
        assert not [p for found in problems.values() for p in found], name
    assert {len(batch) for batch in files.values()} == {3}
    assert AGENCY_ASSIGNMENTS.name in files and PAY_SCALES.name in files


def test_cooling_off_cases_put_one_clear_swe_number_in_both_councils_returns():
    """Each sample cooling-off case: the leaving council's workforce table for the month of
    leaving has the worker as a permanent leaver on the day, with the reason, and the engaging
    council's agency table has the assignment, with the same SWE number and start date, in
    every month it is open (so ingest's keyed hashes match); the tables still add up."""
    assert {c.reason_leave for c in COOLING_OFF_CASES} >= {"1", "3"}, "one after redundancy"
    assert any(c.leaving_council != c.engaging_council for c in COOLING_OFF_CASES)
    for case in COOLING_OFF_CASES:
        workers = workforce_frame(case.leaving_council, f"{case.left_on:%Y-%m}")
        (leaver,) = workers[workers["worker_key"] == case.swe_number].itertuples(index=False)
        assert leaver.role_end_date == case.left_on and leaver.reason_leave == case.reason_leave
        assert not leaver.is_agency_worker
        establishment = establishment_frame(case.leaving_council, f"{case.left_on:%Y-%m}")
        assert workers["role_end_date"].count() == establishment["leavers_headcount"].sum()
        for period in month_range(f"{case.starts_on:%Y-%m}", f"{case.ends_on:%Y-%m}"):
            agency = agency_assignments_frame(case.engaging_council, period)
            (row,) = agency[agency["assignment_key"] == case.reference].itertuples(index=False)
            assert row.swe_registration_number == case.swe_number
            assert row.start_date == case.starts_on
            assert not agency.duplicated("assignment_key").any()
        before = agency_assignments_frame(case.engaging_council, f"{case.starts_on:%Y-%m}")
        assert (before["swe_registration_number"] == case.swe_number).sum() == 1
