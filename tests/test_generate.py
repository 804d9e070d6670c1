"""The sample-return generator: deterministic, in each council's own vocabulary, consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from ingest.config import SEEDS_DIR
from ingest.generate import (
    COUNCIL_PROFILES,
    establishment_frame,
    generate_returns,
    month_range,
    return_filename,
    write_return,
)
from ingest.tables import ESTABLISHMENT

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
    assert len(paths) == 2 * len(COUNCIL_CODES)
    slugs = dict(zip(MEMBERS["council_code"], MEMBERS["council_slug"], strict=True))
    formats = set()
    for code, slug in slugs.items():
        fmt = "xlsx" if COUNCIL_PROFILES[code].sends_excel else "csv"
        formats.add(fmt)
        for period in ["2024-01", "2024-02"]:
            assert (tmp_path / slug / return_filename(slug, period, fmt)).is_file()
    assert formats == {"csv", "xlsx"}
    assert {p.parent.name for p in paths} == set(slugs.values())


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
