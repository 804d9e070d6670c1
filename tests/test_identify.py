"""Whose file is it, which month, which table; or a message that tells the officer what to do."""

from __future__ import annotations

import datetime as dt

import pytest

from common.periods import plausible_window
from ingest.bucket import DroppedFile
from ingest.identify import (
    IdentificationError,
    Identity,
    check_declarations,
    identify,
    period_from_name,
    table_from_name,
)

# The window on 2 April 2025 (the files' arrival): from the DfE's first CSWW collection to May.
WINDOW = plausible_window("2017-09", today=dt.date(2025, 4, 2))


def _dropped(relative_path: str) -> DroppedFile:
    return DroppedFile(
        path=f"/bucket/{relative_path}",
        relative_path=relative_path,
        size_bytes=100,
        modified_at=dt.datetime(2025, 4, 2, 9, 30),
    )


@pytest.mark.parametrize(
    ("name", "period"),
    [
        ("luton_2025-03_establishment.csv", "2025-03"),
        ("luton_202503_establishment.csv", "2025-03"),
        ("luton_2025_03_establishment.csv", "2025-03"),
        ("Luton establishment March 2025.csv", "2025-03"),
        ("luton-establishment-mar-2025.csv", "2025-03"),
        ("LUTON_MAR2025.xlsx", "2025-03"),
        ("luton_sept_2024.xlsx", "2024-09"),
        ("bedford_2024-12-31_return.xlsx", "2024-12"),
        ("luton_establishment.csv", None),
        ("luton_2025-13_establishment.csv", None),
        ("luton_20250_establishment.csv", None),
    ],
)
def test_period_from_name(name, period):
    assert period_from_name(name) == period


@pytest.mark.parametrize(
    "name",
    [
        "essex_market_supplement_2025.csv",  # "market" is not March
        "suffolk_decision_log_2024.csv",  # "decision" is not December
        "norfolk_separate_teams_2025.csv",  # "separate" is not September
    ],
)
def test_a_word_that_starts_like_a_month_is_not_a_month(name):
    assert period_from_name(name) is None


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("luton_2025-03_establishment.csv", "establishment"),
        ("LUTON_2025-03_ESTABLISHMENT.CSV", "establishment"),
        ("luton_2025-03.csv", None),
    ],
)
def test_table_from_name(name, table):
    assert table_from_name(name) == table


def test_csv_in_a_member_folder_is_identified():
    identity = identify(_dropped("luton/luton_2025-03_establishment.csv"), WINDOW)
    assert identity.member.council_code == "821"
    assert identity.period == "2025-03"
    assert identity.file_format == "csv"
    assert identity.return_type == "establishment"


@pytest.mark.parametrize("suffix", [".xlsx", ".XLSX", ".xlsm"])
def test_workbook_is_a_workbook_return(suffix):
    identity = identify(_dropped(f"bedford/bedford_2025-03_return{suffix}"), WINDOW)
    assert identity.member.council_code == "822"
    assert (identity.file_format, identity.return_type) == ("workbook", "workbook")


@pytest.mark.parametrize("folder", ["Luton", "LUTON", "luton"])
def test_council_folder_is_case_insensitive(folder):
    identity = identify(_dropped(f"{folder}/luton_2025-03_establishment.csv"), WINDOW)
    assert identity.member.council_slug == "luton"


def test_file_in_a_subfolder_belongs_to_the_council_folder():
    identity = identify(_dropped("essex/march/essex_2025-03_establishment.csv"), WINDOW)
    assert identity.member.council_code == "881"


def test_file_at_the_bucket_root_is_refused():
    with pytest.raises(IdentificationError, match="top of the bucket.*council's own folder"):
        identify(_dropped("luton_2025-03_establishment.csv"), WINDOW)


def test_non_member_folder_is_refused_and_member_folders_are_listed():
    with pytest.raises(IdentificationError) as caught:
        identify(_dropped("barnet/barnet_2025-03_establishment.csv"), WINDOW)
    message = str(caught.value)
    assert "'barnet' is not a member council" in message
    assert "luton" in message and "thurrock" in message


@pytest.mark.parametrize("name", ["luton_2025-03.xls", "luton_2025-03.pdf", "luton_2025-03"])
def test_unsupported_file_type_is_refused(name):
    with pytest.raises(IdentificationError, match="not a file type we accept"):
        identify(_dropped(f"luton/{name}"), WINDOW)


def test_csv_without_a_table_name_is_refused():
    with pytest.raises(IdentificationError, match="Cannot tell which table"):
        identify(_dropped("luton/luton_2025-03.csv"), WINDOW)


@pytest.mark.parametrize(
    "name", ["luton_establishment.csv", "luton_return.xlsx", "luton_2025-3_establishment.csv"]
)
def test_missing_period_is_refused_with_the_expected_format(name):
    with pytest.raises(IdentificationError, match="Cannot tell which month.*YYYY-MM"):
        identify(_dropped(f"luton/{name}"), WINDOW)


@pytest.mark.parametrize(
    "name",
    [
        "luton_2099-01_establishment.csv",  # a slip for 2019 or 2025
        "luton_2001-02_establishment.csv",  # before the DfE's first collection
        "luton_2017-08_establishment.csv",  # the month before the window opens
        "luton_2025-06_return.xlsx",  # two months ahead of 2 April
        "luton_census_2099-09.xml",  # a census XML's name is checked too
    ],
)
def test_a_month_outside_the_window_is_refused_with_the_window_named(name):
    with pytest.raises(IdentificationError) as caught:
        identify(_dropped(f"luton/{name}"), WINDOW)
    message = str(caught.value)
    assert f"The file name says the return is for {period_from_name(name)}" in message
    assert "outside the months we accept returns for (2017-09 to 2025-05" in message
    assert "typing slip" in message


@pytest.mark.parametrize("name", ["luton_2017-09_establishment.csv", "luton_2025-05_return.xlsx"])
def test_the_window_s_first_and_last_months_are_accepted(name):
    assert identify(_dropped(f"luton/{name}"), WINDOW).period == period_from_name(name)


def _luton(period: str | None) -> Identity:
    return identify(_dropped(f"luton/luton_{period or ''}_census.xml"), WINDOW)


def test_a_month_the_file_states_must_agree_with_its_name_and_be_in_the_window():
    identity = _luton("2025-03")
    check_declarations(identity, {"821"}, {"2025-03"}, WINDOW)  # agrees: fine
    with pytest.raises(
        IdentificationError, match="name says .* 2025-03, but the file itself says 2025-02. Correct"
    ):
        check_declarations(identity, set(), {"2025-02"}, WINDOW)
    with pytest.raises(IdentificationError) as caught:
        check_declarations(identity, set(), {"2099-03"}, WINDOW)
    assert "file itself says 2099-03, outside the months we accept (2017-09 to 2025-05)" in str(
        caught.value
    )


def test_a_file_without_a_month_in_its_name_has_the_month_it_states_checked():
    identity = _luton(None)
    assert identity.period is None
    check_declarations(identity, set(), {"2024-09"}, WINDOW)
    with pytest.raises(
        IdentificationError,
        match="The file itself says .* 2099-09, which is "
        "outside the months we accept returns for \\(2017-09 to 2025-05",
    ):
        check_declarations(identity, set(), {"2099-09"}, WINDOW)
