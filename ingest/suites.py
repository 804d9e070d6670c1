"""Validation rules for each return table: one rule, one code, one message an officer can act on.

Rules are defined here in code and written out as GX suites under ``expectations/`` by
``moc gx-suites`` (the committed suites are what runs; a test keeps the two in step). Each
expectation carries its rule code, severity, message and fix in ``meta``, so a stored suite is
self-describing and the feedback report reads everything it needs from the GX result.

Most rules come from the column spec in :mod:`ingest.return_contract`, one function per kind of
rule:

======  ===============================================================  ==================
code    rule                                                             from
======  ===============================================================  ==================
B nn    a required text column is blank                                  ``required``
N nn    a required column is blank or cannot be read as its kind         ``required``
U nn    an optional column holds something that cannot be read           ``required=False``
C nn    a code column holds a value outside its code set                 ``codes``
R nn    a number is outside the column's plausible range                 ``bounds``
I nn    a count is not a whole number                                    ``kind="count"``
K 01    the table's key appears on more than one row of a file           ``ReturnTable.key``
M nn    a grade or team is not in the region's mapping for the council   ``mapping``
F nn    a column the return's month requires (from a date) is blank       ``required_from``
P nn    a filled cell does not have the column's format (a SWE number)    ``pattern``
======  ===============================================================  ==================

``nn`` numbers text columns (B) and the other columns (N, U, C, R, I) separately, in table
order, so one column keeps one number across its rules; F and P number the columns that have
them, in table order. Rules that relate several columns
(X, cross-field) and warnings (W) are written out by hand below. Codes are prefixed by table
(EST-, AGY-, PAY-, WKF-, CLA-); the establishment codes published before rules were generated
keep their old numbers (``LEGACY_CODES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from common.labels import code_label
from ingest.checks import (
    READABLE_KINDS,
    filled_check,
    format_check,
    mapped_check,
    readable_check,
    whole_check,
)
from ingest.return_contract import (
    AGENCY_ASSIGNMENTS,
    CENSUS_LA,
    ESTABLISHMENT,
    PAY_SCALES,
    WORKFORCE,
    Column,
    ReturnTable,
)

Severity = Literal["error", "warning"]

FILE_KEY = "_file_key"  # which file a row came from, when files are validated in one batch
MAX_CASELOAD = 30.0  # cases per case-holder FTE above which we ask the council to check
ESTABLISHMENT_TOLERANCE_FTE = 0.5  # vacancy may differ from posts minus staff by this much
# Agency rates (pounds): plausible per hour, and per day (a 7.4-hour day at the hourly bounds).
HOURLY_PAY_RATE = (10.0, 150.0)
HOURLY_CHARGE_RATE = (10.0, 250.0)
DAILY_PAY_RATE = (70.0, 1_100.0)
DAILY_CHARGE_RATE = (70.0, 1_850.0)
# An hourly pay rate above this is more likely a day rate with 'Rate basis' left as hourly or
# blank: agency social work pays well under it an hour, and a day rate starts near it.
LIKELY_DAILY_HOURLY_PAY_RATE = 75.0
# Dates inside rows. The return's month itself must be in the plausible-period window
# (common.periods, checked when the file is identified); these bound the dates in its rows.
# An agency assignment open since before 1990 would be over 35 years old: a typing slip (an
# error). A worker's age on the return month's last day, from their birth month: under 16 or
# over 80 is a wrong date of birth (an error). A role that started before 1960 would have a
# worker over 80 still in it (an error).
EARLIEST_ASSIGNMENT_START_YEAR = 1990
WORKER_AGE_YEARS = (16, 80)
EARLIEST_ROLE_START_YEAR = 1960

PREFIXES = {
    ESTABLISHMENT.name: "EST",
    AGENCY_ASSIGNMENTS.name: "AGY",
    PAY_SCALES.name: "PAY",
    WORKFORCE.name: "WKF",
    CENSUS_LA.name: "CLA",
}
# Codes already in feedback reports, docs and tests before rules were generated.
LEGACY_CODES = {
    "EST-B01": "EST-001",
    "EST-B02": "EST-002",
    "EST-K01": "EST-003",
    "EST-M01": "EST-005",  # team (first mapped column)
    "EST-M02": "EST-004",  # grade
}
TEXT_KINDS = ("text", "identifier")

# How each kind of cell is described to an officer: (what it must be, how to enter it).
KIND_WORDS: dict[str, tuple[str, str]] = {
    "fte": ("an FTE figure", "Enter the FTE as a number, e.g. 2.5 (0 if there are none)"),
    "count": ("a whole number", "Enter a whole number (0 if there are none)"),
    "number": ("a number", "Enter a number, e.g. 37"),
    "money": ("an amount in pounds", "Enter the amount in pounds, e.g. 32.50 or 41,000"),
    "date": ("a date", "Enter a date as DD/MM/YYYY (e.g. 31/03/2025) or as an Excel date"),
    "flag": ("Yes or No", "Enter Yes or No"),
    "code": ("one of the listed values", "Choose one of the listed values"),
}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    column: str  # the column the officer should look at (stored name)
    expectation: str  # GX expectation class name in great_expectations.expectations
    kwargs: dict[str, Any]
    message: str  # may use {value}, {header}, {council} and {row}
    fix: str
    # Columns whose cells, joined by " / ", are shown as {value}; empty means `column`.
    value_columns: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def to_meta(self, table: ReturnTable) -> dict[str, Any]:
        header = next((c.header for c in table.columns if c.name == self.column), self.column)
        meta = {
            "rule": self.code,
            "severity": self.severity,
            "column": self.column,
            "header": header,
            "message": self.message,
            "fix": self.fix,
        }
        if self.value_columns:
            meta["value_columns"] = list(self.value_columns)
        return meta


def code_labels(column: Column) -> str:
    """The accepted values of a code column as an officer would type them."""
    return ", ".join(code_label(code) for code in column.codes)


def _is_true(check_column: str) -> dict[str, Any]:
    return {"column": check_column, "value_set": [True]}


def _check_rule(
    code: str, severity: Severity, column: str, check_column: str, message: str, fix: str
) -> Rule:
    """A rule that a boolean check column (see :mod:`ingest.checks`) is true on every row."""
    return Rule(
        code=code,
        severity=severity,
        column=column,
        expectation="ExpectColumnValuesToBeInSet",
        kwargs=_is_true(check_column),
        message=message,
        fix=fix,
    )


def _not_less_rule(
    code: str, severity: Severity, column: str, larger: str, smaller: str, message: str, fix: str
) -> Rule:
    """A cross-field rule that ``larger`` >= ``smaller`` wherever both cells are filled in."""
    return Rule(
        code=code,
        severity=severity,
        column=column,
        expectation="ExpectColumnPairValuesAToBeGreaterThanB",
        kwargs={
            "column_A": larger,
            "column_B": smaller,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        message=message,
        fix=fix,
    )


# One function per kind of column rule. Each returns the rule for one column, or None.


def _blank_text_rule(column: Column, code: str) -> Rule | None:
    if not column.required:
        return None
    return Rule(
        code=code,
        severity="error",
        column=column.name,
        expectation="ExpectColumnValuesToNotBeNull",
        kwargs={"column": column.name},
        message="The '{header}' cell is blank.",
        fix=f"Fill in '{column.header}' on every row: {column.description}",
    )


def _not_null_rule(column: Column, code: str) -> Rule | None:
    if not column.required:
        return None
    what, how = KIND_WORDS[column.kind]
    if column.kind == "code":
        return Rule(
            code=code,
            severity="error",
            column=column.name,
            expectation="ExpectColumnValuesToNotBeNull",
            kwargs={"column": column.name},
            message="The '{header}' cell is blank.",
            fix=f"Choose one of: {code_labels(column)}.",
        )
    return Rule(
        code=code,
        severity="error",
        column=column.name,
        expectation="ExpectColumnValuesToNotBeNull",
        kwargs={"column": column.name},
        message=f"'{{header}}' is blank or not readable as {what} (cell: '{{value}}').",
        fix=f"{how} on every row; remove words and notes from the cell.",
    )


def _readable_rule(column: Column, code: str) -> Rule | None:
    if column.required or column.kind not in READABLE_KINDS:
        return None
    what, how = KIND_WORDS[column.kind]
    return _check_rule(
        code=code,
        severity="error",
        column=column.name,
        check_column=readable_check(column),
        message=f"'{{header}}' cannot be read as {what}: the cell holds '{{value}}'.",
        fix=f"{how}, or leave the cell blank; remove words and notes from the cell.",
    )


def _code_rule(column: Column, code: str) -> Rule | None:
    if column.kind != "code":
        return None
    labels = code_labels(column)
    return Rule(
        code=code,
        severity="error",
        column=column.name,
        expectation="ExpectColumnValuesToBeInSet",
        kwargs={"column": column.name, "value_set": list(column.codes)},
        message=f"'{{header}}' must be one of: {labels}; this cell holds '{{value}}'.",
        fix=f"Choose one of: {labels} ({column.description.rstrip('.')}).",
    )


def _range_rule(column: Column, code: str) -> Rule | None:
    if column.bounds is None:
        return None
    low, high = column.bounds
    slip = (
        "pence entered as pounds, a monthly figure in an annual column, or a typing slip"
        if column.kind == "money"
        else "a typing slip or a figure for the wrong column"
    )
    return Rule(
        code=code,
        severity="error",
        column=column.name,
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={"column": column.name, "min_value": low, "max_value": high},
        message=(
            f"'{{header}}' must be between {low:,g} and {high:,g}; this cell holds '{{value}}'."
        ),
        fix=f"Correct the figure: check for {slip}.",
    )


def _whole_number_rule(column: Column, code: str) -> Rule | None:
    if column.kind != "count":
        return None
    return _check_rule(
        code=code,
        severity="error",
        column=column.name,
        check_column=whole_check(column),
        message="'{header}' counts people or cases, so it must be a whole number; "
        "this cell holds '{value}'.",
        fix="Enter a whole number without decimals (FTE figures go in the FTE columns).",
    )


def _mapping_rule(column: Column, code: str) -> Rule | None:
    if column.mapping is None:
        return None
    noun = column.header.lower().replace("local ", "")
    return _check_rule(
        code=code,
        severity="error",
        column=column.name,
        check_column=mapped_check(column),
        message=(
            f"{column.header} '{{value}}' is not in the region's {noun} mapping for {{council}}."
        ),
        fix=(
            f"Check the spelling against your usual {noun} names. If it is a new {noun}, ask "
            f"the regional project lead to add it to the {noun} mapping ({column.mapping}), "
            "then re-send."
        ),
    )


def _how_to_fill(column: Column) -> str:
    """How to fill a cell of the column, in an officer's words."""
    if column.kind == "code":
        return f"Choose one of: {code_labels(column)}"
    if column.kind in TEXT_KINDS:
        return f"Enter {column.header}"
    return KIND_WORDS[column.kind][1]


def _filled_from_rule(column: Column, code: str) -> Rule | None:
    """A column required from a return month (Column.required_from) is blank on a row of a
    return for that month or later."""
    if column.required_from is None:
        return None
    return _check_rule(
        code=code,
        severity="error",
        column=column.name,
        check_column=filled_check(column),
        message=(
            f"'{{header}}' is blank: returns for {column.required_from} onwards must fill it "
            "in on every row (DfE agency rules)."
        ),
        fix=f"{_how_to_fill(column)} on every row. {column.description}",
    )


def _format_rule(column: Column, code: str) -> Rule | None:
    """A filled cell does not have the column's format (Column.pattern). The cell is never
    shown back when the column is personal; the feedback's row points at it."""
    if column.pattern is None:
        return None
    withheld = " The cell is not shown: it is personal data." if column.personal else ""
    return _check_rule(
        code=code,
        severity="error",
        column=column.name,
        check_column=format_check(column),
        message=(
            f"Row {{row}}: '{{header}}' is not in the right format: it must be "
            f"{column.pattern_words}.{withheld}"
        ),
        fix=(
            f"Correct '{column.header}' on this row: {column.pattern_words} (no other "
            "letters, no punctuation). Check it against the worker's entry on the Social Work "
            "England register."
        ),
    )


def _key_rule(table: ReturnTable, code: str) -> Rule | None:
    if not table.key:
        return None
    headers = " and ".join(table.column(name).header for name in table.key)
    verb = "appear" if len(table.key) > 1 else "appears"
    return Rule(
        code=code,
        severity="error",
        column=table.key[-1],
        expectation="ExpectCompoundColumnsToBeUnique",
        kwargs={"column_list": [FILE_KEY, *table.key], "ignore_row_if": "any_value_is_missing"},
        message=f"{headers} '{{value}}' {verb} on more than one row.",
        fix=f"Send one row for each {headers}: combine the repeated rows or correct the "
        "one that is wrong.",
        value_columns=table.key if len(table.key) > 1 else (),
    )


def column_rules(table: ReturnTable) -> list[Rule]:
    """Every rule that follows from the column spec of ``table``."""
    prefix = PREFIXES[table.name]
    rules: list[Rule | None] = []
    text_columns = [c for c in table.columns if c.kind in TEXT_KINDS]
    typed_columns = [c for c in table.columns if c.kind not in TEXT_KINDS]
    for number, column in enumerate(text_columns, start=1):
        rules.append(_blank_text_rule(column, f"{prefix}-B{number:02d}"))
    for number, column in enumerate(typed_columns, start=1):
        rules += [
            _not_null_rule(column, f"{prefix}-N{number:02d}"),
            _readable_rule(column, f"{prefix}-U{number:02d}"),
            _code_rule(column, f"{prefix}-C{number:02d}"),
            _range_rule(column, f"{prefix}-R{number:02d}"),
            _whole_number_rule(column, f"{prefix}-I{number:02d}"),
        ]
    rules.append(_key_rule(table, f"{prefix}-K01"))
    mapped = [c for c in table.columns if c.mapping is not None]
    for number, column in enumerate(mapped, start=1):
        rules.append(_mapping_rule(column, f"{prefix}-M{number:02d}"))
    required_from = [c for c in table.columns if c.required_from is not None]
    for number, column in enumerate(required_from, start=1):
        rules.append(_filled_from_rule(column, f"{prefix}-F{number:02d}"))
    patterned = [c for c in table.columns if c.pattern is not None]
    for number, column in enumerate(patterned, start=1):
        rules.append(_format_rule(column, f"{prefix}-P{number:02d}"))
    return [_with_legacy_code(rule) for rule in rules if rule is not None]


def _with_legacy_code(rule: Rule) -> Rule:
    legacy = LEGACY_CODES.get(rule.code)
    if legacy is None:
        return rule
    return replace(rule, code=legacy)


def _rate_rule(code: str, rate: str, basis: str, bounds: tuple[float, float]) -> Rule:
    low, high = bounds
    per = "hour" if basis == "hourly" else "day"
    basis_shown = "Hourly or blank" if basis == "hourly" else "Daily"
    return Rule(
        code=code,
        severity="error",
        column=rate,
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={"column": f"check_{basis}_{rate}", "min_value": low, "max_value": high},
        message=(
            f"'{{header}}' is a rate per {per} ('Rate basis' is {basis_shown}), so it must be "
            f"between £{low:,g} and £{high:,g}; this cell holds '{{value}}'."
        ),
        fix=(
            "Enter the rate per hour, or per day with 'Rate basis' set to Daily. Check for "
            "pence entered as pounds, or a weekly rate."
        ),
    )


ESTABLISHMENT_RULES: tuple[Rule, ...] = (
    *column_rules(ESTABLISHMENT),
    _not_less_rule(
        code="EST-006",
        severity="error",
        column="agency_vacancy_fte",
        larger="agency_fte",
        smaller="agency_vacancy_fte",
        message="'Agency FTE covering vacancies' ({value}) is more than 'Agency FTE'.",
        fix="Agency workers covering vacancies are part of all agency workers: check both cells.",
    ),
    Rule(
        code="EST-W01",
        severity="warning",
        column="vacancy_fte",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={
            "column": "check_vacancy_gap_fte",
            "min_value": 0,
            "max_value": ESTABLISHMENT_TOLERANCE_FTE,
        },
        message=(
            "'Vacancy FTE' ({value}) does not match 'Establishment FTE' minus "
            "'Permanent FTE in post'."
        ),
        fix="Check the three figures; over-establishment is fine (vacancy 0).",
    ),
    Rule(
        code="EST-W02",
        severity="warning",
        column="cases_held",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={"column": "check_caseload", "min_value": 0, "max_value": MAX_CASELOAD},
        message=f"Cases held ({{value}}) is more than {MAX_CASELOAD:g} per case-holder FTE.",
        fix="Check 'Cases held' and 'Case-holder FTE'; if they are right, no action is needed.",
    ),
)

AGENCY_ASSIGNMENT_RULES: tuple[Rule, ...] = (
    *column_rules(AGENCY_ASSIGNMENTS),
    _check_rule(
        code="AGY-X01",
        severity="error",
        column="end_date",
        check_column="check_end_not_before_start",
        message="'End date' ({value}) is before 'Start date'.",
        fix="Check both dates; if the assignment has no end date yet, leave 'End date' blank.",
    ),
    Rule(
        code="AGY-X06",
        severity="error",
        column="start_date",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={"column": "check_start_date_year", "min_value": EARLIEST_ASSIGNMENT_START_YEAR},
        message=(
            f"'Start date' ({{value}}) is before {EARLIEST_ASSIGNMENT_START_YEAR}: no agency "
            "assignment open now started that long ago."
        ),
        fix="Check the year of the start date (e.g. 1925 typed for 2025).",
    ),
    # An error, not a warning: the table lists the assignments open in the return's month, so
    # a row starting after it is a typing slip or belongs in a later month's return; kept, it
    # would count as agency cover in a month it did not cover.
    Rule(
        code="AGY-X07",
        severity="error",
        column="start_date",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={"column": "check_start_date_days_after_month_end", "max_value": 0},
        message=(
            "'Start date' ({value}) is after the last day of the return's month, so the "
            "assignment was not open in the month."
        ),
        fix="Check the year and month of the start date. An assignment that starts later "
        "goes in the return of the month it starts.",
    ),
    Rule(
        code="AGY-X08",
        severity="error",
        column="qualified_on",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={"column": "check_qualified_on_days_after_month_end", "max_value": 0},
        message=(
            "'Qualified on' ({value}) is after the last day of the return's month: an agency "
            "social worker has qualified before they work."
        ),
        fix="Check the date the worker qualified (often typed as the assignment's start date "
        "or today's date).",
    ),
    _rate_rule("AGY-X02", "pay_rate", "hourly", HOURLY_PAY_RATE),
    _rate_rule("AGY-X03", "charge_rate", "hourly", HOURLY_CHARGE_RATE),
    _rate_rule("AGY-X04", "pay_rate", "daily", DAILY_PAY_RATE),
    _rate_rule("AGY-X05", "charge_rate", "daily", DAILY_CHARGE_RATE),
    _check_rule(
        code="AGY-W01",
        severity="warning",
        column="signed_off_by",
        check_column="check_sign_off_has_who",
        message="A cap exception is marked as signed off, but 'Signed off by' is blank.",
        fix="Enter the role of the person who signed off the exception (e.g. DCS), not a name.",
    ),
    _check_rule(
        code="AGY-W02",
        severity="warning",
        column="signed_off_on",
        check_column="check_sign_off_has_date",
        message="A cap exception is marked as signed off, but 'Signed off on' is blank.",
        fix="Enter the date the exception was signed off.",
    ),
    Rule(
        code="AGY-W04",
        severity="warning",
        column="pay_rate",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={
            "column": "check_hourly_pay_rate",
            "max_value": LIKELY_DAILY_HOURLY_PAY_RATE,
        },
        message=(
            f"'{{header}}' is '{{value}}' an hour ('Rate basis' is Hourly or blank): more than "
            f"£{LIKELY_DAILY_HOURLY_PAY_RATE:g} an hour looks like a day rate, which would be "
            "counted here as about seven times its hourly value."
        ),
        fix="If this is a rate per day, set 'Rate basis' to Daily; if it really is per hour, "
        "no change is needed.",
    ),
    _not_less_rule(
        code="AGY-W03",
        severity="warning",
        column="charge_rate",
        larger="charge_rate",
        smaller="pay_rate",
        message="'Charge rate to council' ({value}) is lower than 'Pay rate to worker'.",
        fix="The charge includes the agency's margin, so it is normally higher: check whether "
        "the two columns are swapped.",
    ),
)

PAY_SCALE_RULES: tuple[Rule, ...] = (
    *column_rules(PAY_SCALES),
    _not_less_rule(
        code="PAY-X01",
        severity="error",
        column="salary_max",
        larger="salary_max",
        smaller="salary_min",
        message="'Salary maximum' ({value}) is lower than 'Salary minimum'.",
        fix="Check both figures; the columns may be swapped.",
    ),
)

WORKFORCE_RULES: tuple[Rule, ...] = (
    *column_rules(WORKFORCE),
    _check_rule(
        code="WKF-X01",
        severity="error",
        column="start_origin",
        check_column="check_start_has_origin",
        message="This worker has a 'Role start date' but no 'Start origin'.",
        fix="Enter the DfE StartOrigin code (1-10) for where the worker came from.",
    ),
    _check_rule(
        code="WKF-X02",
        severity="error",
        column="reason_leave",
        check_column="check_end_has_reason",
        message="This worker has a 'Role end date' but no 'Reason for leaving'.",
        fix="Enter the DfE ReasonLeave code (1-10), or remove the end date if they are in post.",
    ),
    _check_rule(
        code="WKF-X03",
        severity="error",
        column="leaver_destination",
        check_column="check_end_has_destination",
        message="This worker has a 'Role end date' but no 'Leaver destination'.",
        fix="Enter the DfE LeaverDestination code (1-9), or remove the end date if they are "
        "in post.",
    ),
    _check_rule(
        code="WKF-X04",
        severity="error",
        column="role_end_date",
        check_column="check_end_not_before_start",
        message="'Role end date' ({value}) is before 'Role start date'.",
        fix="Check both dates; if the worker is still in the role, leave 'Role end date' blank.",
    ),
    Rule(
        code="WKF-X05",
        severity="error",
        column="birth_month",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={
            "column": "check_worker_age_years",
            "min_value": WORKER_AGE_YEARS[0],
            "max_value": WORKER_AGE_YEARS[1],
        },
        # No {value}: a date of birth is personal data and is never shown back.
        message=(
            f"'Date of birth' makes this worker younger than {WORKER_AGE_YEARS[0]} or older "
            f"than {WORKER_AGE_YEARS[1]} at the end of the return's month."
        ),
        fix="Check the year of birth: a start date or today's date is sometimes typed here. "
        "If the date of birth is not known, leave the cell blank.",
    ),
    Rule(
        code="WKF-X06",
        severity="error",
        column="role_start_date",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={"column": "check_role_start_date_year", "min_value": EARLIEST_ROLE_START_YEAR},
        message=(
            f"'Role start date' ({{value}}) is before {EARLIEST_ROLE_START_YEAR}: the worker "
            "would be over 80 and still in the role."
        ),
        fix="Check the year of the start date (e.g. 1920 typed for 2020).",
    ),
    # A warning, not an error: a worker listed before their first day is a real case (a
    # starter already on the system), and the marts count workers in post by their dates, so
    # the row does no harm; but it is more often a typing slip in the year.
    Rule(
        code="WKF-W01",
        severity="warning",
        column="role_start_date",
        expectation="ExpectColumnValuesToBeBetween",
        kwargs={"column": "check_role_start_date_days_after_month_end", "max_value": 0},
        message=(
            "'Role start date' ({value}) is after the last day of the return's month (for a "
            "census file, its reference date), so the worker was not yet in the role."
        ),
        fix="Check the year and month of the start date; if the worker really starts later, "
        "no change is needed.",
    ),
)

CENSUS_LA_RULES: tuple[Rule, ...] = (
    *column_rules(CENSUS_LA),
    _not_less_rule(
        code="CLA-W01",
        severity="warning",
        column="agency_vacancy_fte",
        larger="agency_vacancy_headcount",
        smaller="agency_vacancy_fte",
        message=(
            "'Agency FTE covering vacancies' (NoAgencyFTE, {value}) is more than the agency "
            "headcount covering vacancies (NoAgencyHeadcount)."
        ),
        fix="Each agency worker is at most 1 FTE: check both figures in the census LA record.",
    ),
)

RULES_BY_TABLE: dict[str, tuple[Rule, ...]] = {
    ESTABLISHMENT.name: ESTABLISHMENT_RULES,
    AGENCY_ASSIGNMENTS.name: AGENCY_ASSIGNMENT_RULES,
    PAY_SCALES.name: PAY_SCALE_RULES,
    WORKFORCE.name: WORKFORCE_RULES,
    CENSUS_LA.name: CENSUS_LA_RULES,
}
