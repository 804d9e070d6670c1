"""The DfE CSWW census XML: every schema year 2021-2025 reads back as generated, row numbers
point at the worker elements, unsafe or wrong files are refused with a message an officer can
act on, and sex/gender never reach a frame."""

from __future__ import annotations

import datetime as dt
import math
import pickle
import re
from pathlib import Path

import pandas as pd
import pytest

from ingest.census_xml import SHEET, read_census
from ingest.readers import ROW_NUMBER, ReadError, parse_rows
from ingest.return_contract import CENSUS_LA, WORKFORCE
from samples.census import (
    census_file_name,
    census_sample,
    census_xml_bytes,
    render_census_xml,
    write_census,
)
from samples.councils import COUNCIL_PROFILES

FIXTURES = Path(__file__).parent / "fixtures" / "census"
SCHEMA_YEARS = (2021, 2022, 2023, 2024, 2025)


def _number(text: str | None) -> float:
    return float(text) if text else math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


def _small_file(**replace: str) -> bytes:
    text = (FIXTURES / "csww_2023_small.xml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text.encode("utf-8")


def _read_error(data: bytes, name: str = "bedford_census_2023-09.xml") -> str:
    with pytest.raises(ReadError) as caught:
        read_census(data, name)
    return str(caught.value)


# --- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("schema_year", SCHEMA_YEARS)
def test_every_schema_year_reads_back_as_generated(schema_year):
    sample = census_sample("822", schema_year, seed=7)
    data = render_census_xml(sample, schema_year)
    census = read_census(data, "bedford_census.xml")

    assert census.lea == "822"
    assert census.census_year == schema_year
    assert census.schema_year == schema_year
    assert census.reference_date == dt.date(schema_year, 9, 30)
    assert census.period == f"{schema_year}-09"
    assert set(census.tables) == {"workforce", "census_la"}

    workforce = census.tables["workforce"]
    assert workforce.table is WORKFORCE and workforce.sheet == SHEET
    typed = workforce.typed
    assert list(typed.columns) == [ROW_NUMBER, *WORKFORCE.column_names]
    assert len(typed) == len(sample.workers)
    for (_, row), worker in zip(typed.iterrows(), sample.workers, strict=True):
        assert row["worker_key"] == worker["SWENo"]
        assert row["is_agency_worker"] is (worker["AgencyWorker"] == "1")
        assert row["fte"] == pytest.approx(float(worker["FTE"]))
        assert row["org_role"] == worker["OrgRole"]
        assert row["birth_month"] == (
            dt.date.fromisoformat(worker["PersonBirthDate"])
            if "PersonBirthDate" in worker
            else None
        )
        for column, tag in (("role_start_date", "RoleStartDate"), ("role_end_date", "RoleEndDate")):
            expected = dt.date.fromisoformat(worker[tag]) if tag in worker else None
            assert row[column] == expected
        for column, tag in (
            ("start_origin", "StartOrigin"),
            ("reason_leave", "ReasonLeave"),
            ("leaver_destination", "LeaverDestination"),
        ):
            if tag in worker:
                assert row[column] == worker[tag]
            else:
                assert pd.isna(row[column])
        assert _same(row["fte_30_sept"], _number(worker.get("FTE30")))
        assert _same(row["cases_30_sept"], _number(worker.get("Cases30")))
        assert _same(row["working_days_lost"], _number(worker.get("WorkingDaysLost")))
        salary = worker.get("BaseSalary") if schema_year >= 2025 else None
        assert _same(row["base_salary"], _number(salary))

    la = census.tables["census_la"]
    assert la.table is CENSUS_LA and len(la.typed) == 1
    record = la.typed.iloc[0]
    assert record["vacancy_fte"] == pytest.approx(float(sample.la_record["NumberOfVacancies"]))
    assert record["agency_vacancy_fte"] == pytest.approx(float(sample.la_record["NoAgencyFTE"]))
    assert record["agency_vacancy_headcount"] == int(sample.la_record["NoAgencyHeadcount"])


@pytest.mark.parametrize("schema_year", SCHEMA_YEARS)
def test_row_numbers_are_the_lines_of_the_records(schema_year):
    data = census_xml_bytes("883", schema_year, schema_year)
    lines = data.decode("utf-8").splitlines()
    census = read_census(data, "thurrock.xml")

    rows = census.tables["workforce"].typed[ROW_NUMBER].tolist()
    assert rows == [n for n, line in enumerate(lines, start=1) if line.strip() == "<CSWWWorker>"]
    # The row points at the worker's own element: its SWENo is on the following lines.
    keys = census.tables["workforce"].typed["worker_key"]
    for row, key in zip(rows[:5], keys, strict=False):
        assert lines[row + 1] == f"    <SWENo>{key}</SWENo>"  # lines[row] is AgencyWorker
    la_line = census.tables["census_la"].typed[ROW_NUMBER].iloc[0]
    expected_tag = "<LALevel>" if schema_year >= 2025 else "<LALevelVacancies>"
    assert lines[la_line - 1].strip() == expected_tag


def test_typing_matches_the_csv_and_excel_reader():
    """The same cells typed by the spreadsheet reader give the same values."""
    census = read_census(census_xml_bytes("874", 2024, 2024), "peterborough.xml")
    raw = census.tables["workforce"].raw
    by_name = {c.name: c.aliases[0] for c in WORKFORCE.columns}
    rows = [[by_name[name] for name in WORKFORCE.column_names]]
    rows += raw[WORKFORCE.column_names].values.tolist()
    from_sheet = parse_rows(rows, WORKFORCE, "workforce").typed
    pd.testing.assert_frame_equal(
        from_sheet.drop(columns=ROW_NUMBER),
        census.tables["workforce"].typed.drop(columns=ROW_NUMBER),
    )


def test_hand_written_2023_file():
    census = read_census((FIXTURES / "csww_2023_small.xml").read_bytes(), "p.xml")
    assert (census.lea, census.census_year, census.schema_year) == ("874", 2023, 2023)
    typed = census.tables["workforce"].typed.set_index("worker_key")
    assert typed[ROW_NUMBER].to_dict() == {"SW100001": 21, "SW100002": 42, "SW100003": 59}
    assert typed.loc["SW100001", "absent_at_30_sept"] is True
    assert typed.loc["SW100001", "reason_absence"] == "SIC"
    assert typed.loc["SW100002", "role_end_date"] == dt.date(2023, 6, 30)
    assert typed.loc["SW100002", "reason_leave"] == "1"
    assert typed.loc["SW100003", "is_agency_worker"] is True
    # Fields the data share does not keep are not reported as unknown.
    assert census.tables["workforce"].ignored_headers == []
    assert census.tables["census_la"].typed["agency_vacancy_fte"].iloc[0] == 0.8


def test_hand_written_2025_file():
    census = read_census((FIXTURES / "csww_2025_small.xml").read_bytes(), "s.xml")
    assert (census.lea, census.schema_year, census.period) == ("882", 2025, "2025-09")
    row = census.tables["workforce"].typed.iloc[0]
    assert row["base_salary"] == 44500 and row["org_role"] == "4"
    assert census.tables["census_la"].typed["vacancy_fte"].iloc[0] == 20


def test_schema_year_comes_from_the_structure():
    sample = census_sample("822", 2022)
    assert read_census(render_census_xml(sample, 2025), "x.xml").schema_year == 2025
    assert read_census(render_census_xml(sample, 2024), "x.xml").schema_year == 2024
    # The 2021-2023 layouts are the same; the census year tells them apart.
    later = census_sample("822", 2024)
    assert read_census(render_census_xml(later, 2023), "x.xml").schema_year == 2023


def test_unknown_fields_are_listed_not_stored():
    data = _small_file(
        **{"<Cases30>12</Cases30>": "<Cases30>12</Cases30>\n    <TeamName>MASH</TeamName>"}
    )
    census = read_census(data, "p.xml")
    assert census.tables["workforce"].ignored_headers == ["TeamName"]
    assert "MASH" not in census.tables["workforce"].raw.to_csv()


def test_namespaced_and_other_encodings_are_accepted():
    text = (FIXTURES / "csww_2023_small.xml").read_text(encoding="utf-8")
    namespaced = text.replace("<Message>", '<Message xmlns="http://www.example.org/csww">')
    assert read_census(namespaced.encode(), "n.xml").lea == "874"
    assert read_census(b"\xef\xbb\xbf" + text.encode(), "bom.xml").lea == "874"
    for encoding in ("windows-1252", "utf-16"):
        data = text.replace("UTF-8", encoding).encode(encoding)
        assert len(read_census(data, "e.xml").tables["workforce"].typed) == 3


# --- sex and gender --------------------------------------------------------------------------


@pytest.mark.parametrize("schema_year", SCHEMA_YEARS)
def test_sex_and_gender_never_reach_the_output(schema_year):
    data = census_xml_bytes("821", schema_year, schema_year).decode("utf-8")
    marker = "SEXMARKER"
    data = re.sub(r"<(GenderCurrent|Sex)>[^<]*</", rf"<\1>{marker}</", data)
    assert marker in data
    census = read_census(data.encode("utf-8"), "luton.xml")

    for parsed in census.tables.values():
        for frame in (parsed.raw, parsed.typed):
            assert not [c for c in frame.columns if re.search("sex|gender", c, re.I)]
            assert marker not in frame.to_csv()
        assert not [h for h in parsed.ignored_headers if re.search("sex|gender", h, re.I)]
    assert marker.encode() not in pickle.dumps(census)


# --- files we refuse -------------------------------------------------------------------------


def test_malformed_xml_names_the_line():
    data = _small_file(**{"<OrgRole>3</OrgRole>": "<OrgRole>3</Orgrole>"})
    message = _read_error(data)
    assert "not well-formed XML" in message and "line 51" in message


def test_truncated_file_is_refused():
    data = (FIXTURES / "csww_2023_small.xml").read_bytes()[:900]
    assert "not well-formed XML" in _read_error(data)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (b"Team,Grade\nMASH,H9\n", "not an XML file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "zip or Excel"),
        (b"<Workbook><Sheet/></Workbook>", "not a DfE children's social work workforce"),
    ],
)
def test_not_a_census_file(data, words):
    assert words in _read_error(data)


def test_another_collection_is_refused():
    data = _small_file(**{"<Collection>CSWW</Collection>": "<Collection>CIN</Collection>"})
    assert "'CIN' collection file, not the Children's Social Work Workforce" in _read_error(data)


def test_missing_lea_is_refused():
    data = _small_file(**{"<LEA>874</LEA>": ""})
    assert "no LA code (<LEA>)" in _read_error(data)


def test_lea_must_be_three_digits():
    data = _small_file(**{"<LEA>874</LEA>": "<LEA>Peterborough</LEA>"})
    assert "3-digit DfE code" in _read_error(data)


def test_missing_reference_date_is_refused():
    data = _small_file(**{"<ReferenceDate>2023-09-30</ReferenceDate>": ""})
    assert "no <ReferenceDate>" in _read_error(data)


def test_census_year_must_agree_with_the_reference_date():
    data = _small_file(**{"<Year>2023</Year>": "<Year>2024</Year>"})
    assert "census year 2024 but reference date 2023-09-30" in _read_error(data)


def test_year_is_optional():
    census = read_census(_small_file(**{"<Year>2023</Year>": ""}), "p.xml")
    assert census.census_year == 2023


def test_missing_la_record_is_an_unknown_schema():
    text = (FIXTURES / "csww_2023_small.xml").read_text(encoding="utf-8")
    data = re.sub(r"<LALevelVacancies>.*</LALevelVacancies>", "", text, flags=re.S).encode()
    assert "no LA-level record" in _read_error(data)


def test_no_workers_is_refused():
    text = (FIXTURES / "csww_2023_small.xml").read_text(encoding="utf-8")
    data = re.sub(r"<CSWWWorker>.*</CSWWWorker>", "", text, flags=re.S).encode()
    assert "no <CSWWWorker> records" in _read_error(data)


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        ({"LALevelVacancies>": "LALevel>"}, "2025 <LALevel> record but the pre-2024 GenderCurrent"),
        ({"<GenderCurrent>1</GenderCurrent>": "<Sex>1</Sex>"}, "mix GenderCurrent"),
        ({"<Cases30>12</Cases30>": "<BaseSalary>40000</BaseSalary>"}, "BaseSalary (2025)"),
        (
            {"<Year>2023</Year>": "<Year>2019</Year>", "2023-09-30": "2019-09-30"},
            "from 2021 onwards",
        ),
    ],
)
def test_unknown_schema_is_refused(replace, words):
    message = _read_error(_small_file(**replace))
    assert "does not match any DfE CSWW census schema" in message and words in message


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_dtd_and_entity_attacks_are_refused(name):
    message = _read_error((FIXTURES / name).read_bytes(), name)
    assert "DOCTYPE or entity declaration" in message
    assert "root:" not in message


def test_undeclared_entity_is_refused():
    data = _small_file(**{"<SWENo>SW100003</SWENo>": "<SWENo>&secret;</SWENo>"})
    assert "undefined entity" in _read_error(data)


# --- the generator ---------------------------------------------------------------------------


def test_generator_is_deterministic_and_realistic():
    assert census_xml_bytes("881", 2024, 2024, seed=3) == census_xml_bytes("881", 2024, 2024, 3)
    sample = census_sample("881", 2024)
    workers = sample.workers
    agency = [w for w in workers if w["AgencyWorker"] == "1"]
    leavers = [w for w in workers if "RoleEndDate" in w]
    starters = [w for w in workers if w.get("RoleStartDate", "") >= "2023-10-01"]
    assert agency and leavers and starters and len(agency) < len(workers) / 2
    assert all("ReasonLeave" in w and "LeaverDestination" in w for w in leavers)
    assert all("2023-10-01" <= w["RoleEndDate"] <= "2024-09-30" for w in leavers)
    assert all("StartOrigin" in w for w in workers if "RoleStartDate" in w)
    assert all(re.fullmatch(r"SW\d{6}", w["SWENo"]) for w in workers)
    assert len({w["SWENo"] for w in workers}) == len(workers)
    in_post_fte = sum(
        float(w["FTE30"]) for w in workers if w["AgencyWorker"] == "0" and "FTE30" in w
    )
    assert in_post_fte == pytest.approx(COUNCIL_PROFILES["881"].permanent_fte, rel=0.15)
    assert len(census_sample("822", 2024).workers) < len(workers) / 3


def test_pseudonymise_hides_census_identifiers():
    from ingest.pseudonymise import HIDDEN, pseudonymise

    data = census_xml_bytes("882", 2025, 2025)
    census = read_census(data, "southend.xml")
    parsed = pseudonymise(census.tables["workforce"], b"test-secret")
    clear = set(re.findall(r"SW\d{6}", data.decode("utf-8")))
    assert len(clear) > 50
    for frame in (parsed.raw, parsed.typed):
        text = frame.to_csv()
        assert not [key for key in clear if key in text]
    assert set(parsed.raw["worker_key"]) == {HIDDEN}
    assert all(d is None or d.day == 1 for d in parsed.typed["birth_month"])


def test_write_census(tmp_path):
    path = write_census(tmp_path, "bedford", "822", 2023, 2023, seed=1)
    assert path == tmp_path / "bedford" / "bedford_census_2023-09.xml"
    assert path.name == census_file_name("bedford", 2023)
    assert read_census(path.read_bytes(), path.name).period == "2023-09"
