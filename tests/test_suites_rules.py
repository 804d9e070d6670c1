"""Every validation rule of every table: in step with the committed GX project, complete, and
proven to fire on a bad row and not on a good one.

The behaviour tests run the real committed checkpoints through ``ingest.validate`` (one
checkpoint run per table: every case is its own small file in one batch, so a duplicate key in
one file does not touch another and the good row can appear in every file).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pandas as pd
import pytest

from common.members import members_by_code
from common.settings import GX_PROJECT_DIR, SEEDS_DIR
from ingest.checks import add_check_columns, readability_flags
from ingest.readers import parse_rows
from ingest.return_contract import TABLES, ReturnTable
from ingest.suites import PREFIXES, RULES_BY_TABLE
from ingest.validate import FileToValidate, validate_files

GX_DIR = GX_PROJECT_DIR / "gx"
COUNCIL = "821"  # Luton
GRADES = pd.read_csv(SEEDS_DIR / "grade_role_map.csv", dtype=str)
TEAMS = pd.read_csv(SEEDS_DIR / "team_service_area_map.csv", dtype=str)
GRADE = GRADES.loc[GRADES["council_code"] == COUNCIL, "local_grade"].iloc[0]
TEAM = TEAMS.loc[TEAMS["council_code"] == COUNCIL, "local_team"].iloc[0]
DUPLICATE = "duplicate"  # a case whose file holds the good row twice
# The month every case file is a return for: the rules that read dates against the return's
# month (a start after it, a worker's age at its end) need one.
CASE_PERIOD = "2025-04"


def _snake(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


# The committed project and the rules in code.


def test_every_stored_table_has_rules_and_a_committed_suite():
    assert set(RULES_BY_TABLE) == set(TABLES)
    committed = {p.stem for p in (GX_DIR / "expectations").glob("*.json")}
    assert committed == set(TABLES), "run `moc gx-suites`"


@pytest.mark.parametrize("table_name", sorted(TABLES))
def test_committed_suite_equals_the_rules_in_code(table_name):
    table = TABLES[table_name]
    suite = json.loads((GX_DIR / "expectations" / f"{table_name}.json").read_text())
    committed = [(e["type"], e["kwargs"], e["meta"]) for e in suite["expectations"]]
    in_code = [
        (_snake(r.expectation), r.kwargs, r.to_meta(table)) for r in RULES_BY_TABLE[table_name]
    ]
    assert committed == in_code, "run `moc gx-suites` and commit the result"


def test_project_settings_keep_analytics_and_progress_bars_off():
    config = (GX_DIR / "great_expectations.yml").read_text()
    assert "analytics_enabled: false" in config
    assert "progress_bars:\n  globally: false\n  metric_calculations: false" in config


def test_rule_codes_are_unique_and_carry_their_table_prefix():
    codes = [rule.code for rules in RULES_BY_TABLE.values() for rule in rules]
    assert len(codes) == len(set(codes))
    for table_name, rules in RULES_BY_TABLE.items():
        assert all(r.code.startswith(PREFIXES[table_name] + "-") for r in rules), table_name


def test_published_establishment_codes_keep_their_meaning():
    rules = {r.code: r for r in RULES_BY_TABLE["establishment"]}
    assert rules["EST-003"].expectation == "ExpectCompoundColumnsToBeUnique"
    assert rules["EST-004"].kwargs == {"column": "check_grade_is_mapped", "value_set": [True]}
    assert rules["EST-005"].kwargs == {"column": "check_team_is_mapped", "value_set": [True]}
    assert rules["EST-006"].kwargs["column_B"] == "agency_vacancy_fte"
    assert rules["EST-R05"].column == "vacancy_fte"


@pytest.mark.parametrize("table_name", sorted(TABLES))
def test_every_rule_has_a_severity_message_and_fix(table_name):
    for rule in RULES_BY_TABLE[table_name]:
        assert rule.severity in ("error", "warning"), rule.code
        assert rule.message.strip() and rule.fix.strip(), rule.code
        assert rule.column in TABLES[table_name].column_names, rule.code
        rule.message.format(value="3", header="Vacancy FTE", council="Luton", row=7)


def test_readability_needs_the_officer_text():
    table = TABLES["pay_scales"]
    parsed = parse_rows(_rows(table, [{"market_supplement": "n/a"}]), table, "pay_scales")
    flags = readability_flags(parsed.typed, parsed.raw, table)
    assert not flags["check_market_supplement_readable"].item()
    assert flags["check_retention_payment_readable"].item()  # blank is fine
    assume_readable = readability_flags(parsed.typed, None, table)
    assert assume_readable.all(axis=None)


# Each rule fires on a bad row and on no other row.

GOOD_ROWS: dict[str, dict[str, str]] = {
    "establishment": {
        "team": TEAM,
        "grade": GRADE,
        "establishment_fte": "10",
        "permanent_fte": "8",
        "agency_fte": "2",
        "agency_vacancy_fte": "1",
        "vacancy_fte": "2",
        "starters_fte": "1",
        "starters_headcount": "1",
        "leavers_fte": "0",
        "leavers_headcount": "0",
        "leavers_to_agency_headcount": "0",
        "cases_held": "100",
        "case_holder_fte": "9",
    },
    "agency_assignments": {
        "assignment_key": "AGY-2025-0001",
        "agency_name": "Acme Social Care",
        "grade": GRADE,
        "team": TEAM,
        "start_date": "01/04/2025",
        "end_date": "",
        "pay_rate": "£32.50",
        "charge_rate": "41.00",
        "rate_basis": "",
        "hours_per_week": "37",
        "reason": "Vacancy cover",
        "cap_exception_signed_off": "No",
        "signed_off_by": "",
        "signed_off_on": "",
        # the DfE agency rules' fields: optional before AGENCY_RULES_FROM (CASE_PERIOD is)
        "swe_registration_number": "",
        "engagement_model": "",
        "employer_ni_hourly": "",
        "holiday_pay_hourly": "",
        "is_project_team": "",
        "qualified_on": "",
        "references_received": "",
        "notice_period_weeks": "",
    },
    "pay_scales": {
        "grade": GRADE,
        "salary_min": "£35,000",
        "salary_max": "41,000",
        "weekly_hours": "37",
        "market_supplement": "",
        "recruitment_payment": "0",
        "retention_payment": "",
        "effective_from": "2025-04-01",
    },
    "workforce": {
        "worker_key": "SW123456",
        "is_agency_worker": "0",
        "fte": "1",
        "birth_month": "14/05/1985",
        "ethnicity": "WBRI",
        "qualification_level": "1",
        "org_role": "5",
        "role_start_date": "01/09/2020",
        "start_origin": "2",
        "role_end_date": "",
        "reason_leave": "",
        "leaver_destination": "",
        "fte_30_sept": "1",
        "cases_30_sept": "15",
        "working_days_lost": "3",
        "absent_at_30_sept": "No",
        "reason_absence": "",
        "base_salary": "38000",
    },
    "census_la": {
        "vacancy_fte": "12.5",
        "agency_vacancy_fte": "8",
        "agency_vacancy_headcount": "9",
        "reference_date": "30/09/2024",
        "schema_year": "2024",
    },
}

ENDED = {"role_end_date": "31/03/2025", "reason_leave": "1", "leaver_destination": "3"}
DAILY = {"rate_basis": "Daily", "pay_rate": "250", "charge_rate": "320"}
# A return month from which the agency rules' fields are required (Column.required_from),
# and those fields filled in as a council sends them.
AGENCY_RULES_FROM = "2025-10"
AGENCY_RULES_FIELDS = {
    "swe_registration_number": "SW123456",
    "engagement_model": "Umbrella",
    "employer_ni_hourly": "",
    "holiday_pay_hourly": "£3.92",
    "is_project_team": "No",
    "qualified_on": "15/07/2012",
    "references_received": "2",
    "notice_period_weeks": "4",
}
AGENCY_RULES_BLANK = tuple(f"AGY-F0{n}" for n in range(1, 7))


@dataclass(frozen=True)
class Case:
    changes: dict[str, str] | str  # cells changed from the good row, or DUPLICATE
    fires: tuple[str, ...]  # every rule expected on the changed row(s)
    period: str = CASE_PERIOD  # the month the case's file is a return for


CASES: dict[str, dict[str, Case]] = {
    "establishment": {
        "EST-001": Case({"team": ""}, ("EST-001",)),
        "EST-002": Case({"grade": ""}, ("EST-002",)),
        "EST-003": Case(DUPLICATE, ("EST-003",)),
        "EST-004": Case({"grade": "Grade 99"}, ("EST-004",)),
        "EST-005": Case({"team": "Team Nowhere"}, ("EST-005",)),
        "EST-006": Case({"agency_vacancy_fte": "3"}, ("EST-006",)),
        "EST-N01": Case({"establishment_fte": "ten"}, ("EST-N01",)),
        "EST-R05": Case({"vacancy_fte": "-2"}, ("EST-R05", "EST-W01")),
        "EST-R09": Case({"leavers_headcount": "20000"}, ("EST-R09",)),
        "EST-I07": Case({"starters_headcount": "1.5"}, ("EST-I07",)),
        "EST-W01": Case({"vacancy_fte": "5"}, ("EST-W01",)),
        "EST-W02": Case({"cases_held": "400"}, ("EST-W02",)),
    },
    "agency_assignments": {
        "AGY-B01": Case({"assignment_key": ""}, ("AGY-B01",)),
        "AGY-B02": Case({"agency_name": ""}, ("AGY-B02",)),
        "AGY-B03": Case({"grade": ""}, ("AGY-B03",)),
        "AGY-B04": Case({"team": ""}, ("AGY-B04",)),
        "AGY-N01": Case({"start_date": "soon"}, ("AGY-N01",)),
        "AGY-U02": Case({"end_date": "next year"}, ("AGY-U02",)),
        "AGY-N03": Case({"pay_rate": "tbc"}, ("AGY-N03",)),
        "AGY-N04": Case({"charge_rate": ""}, ("AGY-N04",)),
        "AGY-C05": Case({"rate_basis": "weekly"}, ("AGY-C05",)),
        "AGY-N06": Case({"hours_per_week": ""}, ("AGY-N06",)),
        "AGY-R06": Case({"hours_per_week": "60"}, ("AGY-R06",)),
        "AGY-N07": Case({"reason": ""}, ("AGY-N07",)),
        "AGY-C07": Case({"reason": "Holiday"}, ("AGY-C07",)),
        "AGY-N08": Case({"cap_exception_signed_off": "maybe"}, ("AGY-N08",)),
        "AGY-U09": Case({"signed_off_on": "last week"}, ("AGY-U09",)),
        "AGY-K01": Case(DUPLICATE, ("AGY-K01",)),
        "AGY-M01": Case({"grade": "Grade 99"}, ("AGY-M01",)),
        "AGY-M02": Case({"team": "Team Nowhere"}, ("AGY-M02",)),
        "AGY-X01": Case({"end_date": "01/03/2025"}, ("AGY-X01",)),
        "AGY-X02": Case({"pay_rate": "9"}, ("AGY-X02",)),
        "AGY-X03": Case({"charge_rate": "300"}, ("AGY-X03",)),
        "AGY-X04": Case({**DAILY, "pay_rate": "50"}, ("AGY-X04",)),
        "AGY-X05": Case({**DAILY, "charge_rate": "2000"}, ("AGY-X05",)),
        "AGY-X06": Case({"start_date": "01/04/1925"}, ("AGY-X06",)),
        "AGY-X07": Case({"start_date": "01/05/2025"}, ("AGY-X07",)),
        "AGY-starts-on-the-month-end-ok": Case({"start_date": "30/04/2025"}, ()),
        "AGY-started-in-1990-ok": Case({"start_date": "01/01/1990"}, ()),
        "AGY-daily-ok": Case(DAILY, ()),
        "AGY-W01": Case(
            {"cap_exception_signed_off": "Yes", "signed_off_on": "01/04/2025"}, ("AGY-W01",)
        ),
        "AGY-W02": Case({"cap_exception_signed_off": "Yes", "signed_off_by": "DCS"}, ("AGY-W02",)),
        "AGY-W03": Case({"pay_rate": "41", "charge_rate": "32.50"}, ("AGY-W03",)),
        "AGY-W04": Case({"pay_rate": "120", "charge_rate": "150"}, ("AGY-W04",)),
        "AGY-hourly-high-ok": Case({"pay_rate": "75", "charge_rate": "95"}, ()),
        # the agency rules' fields: optional before 2025-10 (the good row leaves them blank),
        # required from it; a SWE number in the wrong format whatever the month
        "AGY-F01-F06": Case({}, AGENCY_RULES_BLANK, period=AGENCY_RULES_FROM),
        "AGY-F01": Case(
            {**AGENCY_RULES_FIELDS, "swe_registration_number": ""},
            ("AGY-F01",),
            period=AGENCY_RULES_FROM,
        ),
        "AGY-rules-fields-filled-ok": Case(AGENCY_RULES_FIELDS, (), period=AGENCY_RULES_FROM),
        "AGY-rules-fields-before-2025-10-ok": Case(AGENCY_RULES_FIELDS, ()),
        "AGY-P01": Case({"swe_registration_number": "SW12A456"}, ("AGY-P01",)),
        "AGY-P01-no-letters": Case({"swe_registration_number": "123456"}, ("AGY-P01",)),
        "AGY-swe-number-typed-loosely-ok": Case({"swe_registration_number": " sw 123456"}, ()),
        "AGY-C10": Case({"engagement_model": "Contractor"}, ("AGY-C10",)),
        "AGY-engagement-labels-ok": Case({"engagement_model": "paye"}, ()),
        "AGY-X08": Case({"qualified_on": "01/05/2025"}, ("AGY-X08",)),
    },
    "pay_scales": {
        "PAY-B01": Case({"grade": ""}, ("PAY-B01",)),
        "PAY-N01": Case({"salary_min": "x"}, ("PAY-N01",)),
        "PAY-R01": Case({"salary_min": "1500"}, ("PAY-R01",)),
        "PAY-N02": Case({"salary_max": ""}, ("PAY-N02",)),
        "PAY-R02": Case({"salary_max": "200000"}, ("PAY-R02",)),
        "PAY-N03": Case({"weekly_hours": ""}, ("PAY-N03",)),
        "PAY-R03": Case({"weekly_hours": "60"}, ("PAY-R03",)),
        "PAY-U04": Case({"market_supplement": "n/a"}, ("PAY-U04",)),
        "PAY-R04": Case({"market_supplement": "50000"}, ("PAY-R04",)),
        "PAY-U05": Case({"recruitment_payment": "some"}, ("PAY-U05",)),
        "PAY-R05": Case({"recruitment_payment": "-5"}, ("PAY-R05",)),
        "PAY-U06": Case({"retention_payment": "?"}, ("PAY-U06",)),
        "PAY-R06": Case({"retention_payment": "25000"}, ("PAY-R06",)),
        "PAY-N07": Case({"effective_from": ""}, ("PAY-N07",)),
        "PAY-K01": Case(DUPLICATE, ("PAY-K01",)),
        "PAY-M01": Case({"grade": "Grade 99"}, ("PAY-M01",)),
        "PAY-X01": Case({"salary_min": "41000", "salary_max": "35000"}, ("PAY-X01",)),
    },
    "workforce": {
        "WKF-B01": Case({"worker_key": ""}, ("WKF-B01",)),
        "WKF-N01": Case({"is_agency_worker": ""}, ("WKF-N01",)),
        "WKF-N02": Case({"fte": ""}, ("WKF-N02",)),
        "WKF-R02": Case({"fte": "1.5"}, ("WKF-R02",)),
        "WKF-U03": Case({"birth_month": "unknown"}, ("WKF-U03",)),
        "WKF-N04": Case({"org_role": ""}, ("WKF-N04",)),
        "WKF-C04": Case({"org_role": "7"}, ("WKF-C04",)),
        "WKF-U05": Case({"role_start_date": "sometime"}, ("WKF-U05",)),
        "WKF-C06": Case({"start_origin": "11"}, ("WKF-C06",)),
        "WKF-U07": Case({"role_end_date": "gone"}, ("WKF-U07",)),
        "WKF-C08": Case({**ENDED, "reason_leave": "11"}, ("WKF-C08",)),
        "WKF-C09": Case({**ENDED, "leaver_destination": "10"}, ("WKF-C09",)),
        "WKF-U10": Case({"fte_30_sept": "full"}, ("WKF-U10",)),
        "WKF-R10": Case({"fte_30_sept": "2"}, ("WKF-R10",)),
        "WKF-U11": Case({"cases_30_sept": "lots"}, ("WKF-U11",)),
        "WKF-R11": Case({"cases_30_sept": "150"}, ("WKF-R11",)),
        "WKF-I11": Case({"cases_30_sept": "2.5"}, ("WKF-I11",)),
        "WKF-U12": Case({"working_days_lost": "?"}, ("WKF-U12",)),
        "WKF-R12": Case({"working_days_lost": "400"}, ("WKF-R12",)),
        "WKF-U13": Case({"absent_at_30_sept": "perhaps"}, ("WKF-U13",)),
        "WKF-U14": Case({"base_salary": "tbc"}, ("WKF-U14",)),
        "WKF-R14": Case({"base_salary": "9000"}, ("WKF-R14",)),
        "WKF-K01": Case(DUPLICATE, ("WKF-K01",)),
        "WKF-X01": Case({"start_origin": ""}, ("WKF-X01",)),
        "WKF-X02": Case({**ENDED, "reason_leave": ""}, ("WKF-X02",)),
        "WKF-X03": Case({**ENDED, "leaver_destination": ""}, ("WKF-X03",)),
        "WKF-X04": Case({**ENDED, "role_end_date": "01/01/2019"}, ("WKF-X04",)),
        "WKF-leaver-ok": Case(ENDED, ()),
        "WKF-X05-young": Case({"birth_month": "14/05/2009"}, ("WKF-X05",)),  # 15 in April 2025
        "WKF-X05-old": Case({"birth_month": "01/03/1944"}, ("WKF-X05",)),  # 81 in March 2025
        "WKF-X05-typed-today": Case({"birth_month": "02/04/2025"}, ("WKF-X05",)),
        "WKF-aged-16-ok": Case({"birth_month": "30/04/2009"}, ()),
        "WKF-aged-80-ok": Case({"birth_month": "01/05/1944"}, ()),
        "WKF-X06": Case({"role_start_date": "01/09/1920"}, ("WKF-X06",)),
        "WKF-W01": Case({"role_start_date": "01/05/2025"}, ("WKF-W01",)),
        "WKF-starts-on-the-month-end-ok": Case({"role_start_date": "30/04/2025"}, ()),
        "WKF-census-style": Case({"is_agency_worker": "1", "org_role": "5.0"}, ()),
    },
    "census_la": {
        "CLA-N01": Case({"vacancy_fte": ""}, ("CLA-N01",)),
        "CLA-R01": Case({"vacancy_fte": "6000"}, ("CLA-R01",)),
        "CLA-N02": Case({"agency_vacancy_fte": "n/a"}, ("CLA-N02",)),
        "CLA-R02": Case({"agency_vacancy_fte": "-1"}, ("CLA-R02",)),
        "CLA-N03": Case({"agency_vacancy_headcount": ""}, ("CLA-N03",)),
        "CLA-R03": Case({"agency_vacancy_headcount": "-2"}, ("CLA-R03", "CLA-W01")),
        "CLA-I03": Case({"agency_vacancy_headcount": "8.5"}, ("CLA-I03",)),
        "CLA-W01": Case({"agency_vacancy_fte": "10"}, ("CLA-W01",)),
        "CLA-I05": Case({"schema_year": "2023.5"}, ("CLA-I05",)),
    },
}


# Rules generated from the column spec that the cases above do not cover get a generated case:
# the column's cell made unreadable (N, U), one above its upper bound (R) or a fraction (I).
ALSO_FIRES = {
    "EST-R01": ("EST-W01",),  # establishment 501 leaves a large vacancy gap
    "EST-R02": ("EST-W01",),
    "EST-R04": ("EST-006",),  # covering more than all agency FTE
    "EST-R11": ("EST-W02",),  # 10,001 cases is a high caseload too
}


def _generated_cases(table_name: str) -> dict[str, Case]:
    table = TABLES[table_name]
    covered = {code for case in CASES[table_name].values() for code in case.fires}
    cases = {}
    for rule in RULES_BY_TABLE[table_name]:
        kind = rule.code.split("-")[1][0]
        if rule.code in covered or kind not in "NURI":
            continue
        column = table.column(rule.column)
        value = {"R": f"{(column.bounds or (0, 0))[1] + 1:g}", "I": "0.5"}.get(kind, "unreadable")
        cases[rule.code] = Case({column.name: value}, (rule.code, *ALSO_FIRES.get(rule.code, ())))
    return cases


for _table_name in CASES:
    CASES[_table_name].update(_generated_cases(_table_name))


def _rows(table: ReturnTable, records: list[dict[str, str]]) -> list[list[object]]:
    """A sheet as the reader sees it: officer headers, then the records' cells."""
    good = GOOD_ROWS[table.name]
    return [table.headers] + [[{**good, **r}[c] for c in table.column_names] for r in records]


@pytest.fixture(scope="module")
def problems_by_case(tmp_path_factory) -> dict[str, dict[str, list]]:
    """Problems per case file, per table: one checkpoint run per table."""
    results_dir = tmp_path_factory.mktemp("gx")
    member = members_by_code()[COUNCIL]
    found = {}
    for table_name, cases in CASES.items():
        table = TABLES[table_name]
        good = parse_rows(_rows(table, [{}]), table, "good")
        files = [FileToValidate("good", member, good, CASE_PERIOD)]
        for name, case in cases.items():
            records = [{}, {}] if case.changes == DUPLICATE else [case.changes]
            parsed = parse_rows(_rows(table, records), table, name)
            files.append(FileToValidate(name, member, parsed, case.period))
        found[table_name] = validate_files(table, files, results_dir)
    return found


@pytest.mark.parametrize("table_name", sorted(CASES))
def test_every_rule_has_a_case_that_makes_it_fire(table_name):
    fired = {code for case in CASES[table_name].values() for code in case.fires}
    assert fired == {r.code for r in RULES_BY_TABLE[table_name]}


@pytest.mark.parametrize("table_name", sorted(CASES))
def test_the_good_row_passes_every_rule(problems_by_case, table_name):
    assert problems_by_case[table_name]["good"] == []


@pytest.mark.parametrize(
    ("table_name", "case_name"), [(t, c) for t, cases in CASES.items() for c in cases]
)
def test_a_bad_row_fires_exactly_its_rules(problems_by_case, table_name, case_name):
    case = CASES[table_name][case_name]
    problems = problems_by_case[table_name][case_name]
    assert sorted({p.rule for p in problems}) == sorted(case.fires)
    rows = 2 if case.changes == DUPLICATE else 1
    assert all(2 <= p.row_number <= rows + 1 for p in problems)
    for problem in problems:
        assert problem.message and "{" not in problem.message and problem.fix


def test_feedback_shows_the_cell_as_typed_and_the_whole_key_of_a_duplicate(problems_by_case):
    (unreadable,) = problems_by_case["pay_scales"]["PAY-U04"]
    assert unreadable.value == "n/a" and unreadable.column == "Market supplement (£ a year)"
    assert "n/a" in unreadable.message and unreadable.severity == "error"
    duplicates = problems_by_case["establishment"]["EST-003"]
    assert {p.value for p in duplicates} == {f"{TEAM} / {GRADE}"}
    (unmapped,) = problems_by_case["agency_assignments"]["AGY-M01"]
    assert (
        unmapped.message == "Local grade 'Grade 99' is not in the region's grade mapping for Luton."
    )
    (warning,) = problems_by_case["agency_assignments"]["AGY-W01"]
    assert warning.severity == "warning"


def test_check_columns_work_on_any_frame_of_the_table():
    """The checks tolerate what a broken cell leaves behind (text in a number column)."""
    for table in TABLES.values():
        row = {c.name: "A" for c in table.columns}
        frame = pd.DataFrame([{**row, "_file_key": "f", "_row_number": 2, "council_code": "821"}])
        checked = add_check_columns(frame, table)
        assert len(checked) == 1


def test_the_age_rule_never_writes_the_date_of_birth_into_its_message(problems_by_case):
    """(The cell itself is hidden before validation: tests/test_personal_data.py.)"""
    (problem,) = problems_by_case["workforce"]["WKF-X05-young"]
    assert "2009" not in problem.message
    assert "younger than 16 or older than 80" in problem.message


def test_date_rules_that_need_the_return_s_month_pass_without_one():
    """A frame with no period (any month will do) gives no age and no days after its end."""
    table = TABLES["workforce"]
    parsed = parse_rows(_rows(table, [{"birth_month": "14/05/2009"}]), table, "x")
    frame = parsed.typed.assign(_file_key="x", council_code=COUNCIL)
    checked = add_check_columns(frame, table, raw=parsed.raw)
    assert checked["check_worker_age_years"].isna().all()
    assert checked["check_role_start_date_days_after_month_end"].isna().all()
    assert checked["check_role_start_date_year"].tolist() == [2020.0]


def test_a_malformed_swe_number_names_the_row_and_never_shows_the_number(problems_by_case):
    (problem,) = problems_by_case["agency_assignments"]["AGY-P01"]
    assert problem.row_number == 2 and problem.message.startswith("Row 2: ")
    assert (
        "SW followed by digits" in problem.message and problem.column == "SWE registration number"
    )
    assert "12A456" not in f"{problem.message} {problem.value} {problem.fix}"


def test_a_required_from_column_left_blank_says_from_when_and_how_to_fill_it(problems_by_case):
    problems = {p.rule: p for p in problems_by_case["agency_assignments"]["AGY-F01-F06"]}
    engagement = problems["AGY-F02"]
    assert "returns for 2025-10 onwards must fill it in" in engagement.message
    assert "PAYE, Umbrella, Limited company" in engagement.fix
