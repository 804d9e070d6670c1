"""Validation rules for each return table: one rule, one code, one message an officer can act on.

Rules are defined here in code and written out as GX suites under ``expectations/`` by
``moc gx-suites`` (the committed suites are what runs; a test keeps the two in step). Each
expectation carries its rule code, severity, message and fix in ``meta``, so a stored suite is
self-describing and the feedback report reads everything it needs from the GX result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ingest.tables import ESTABLISHMENT, ReturnTable

Severity = Literal["error", "warning"]

FILE_KEY = "_file_key"  # which file a row came from, when files are validated in one batch
MAX_FTE_PER_ROW = 500.0  # far above any team; catches pence-for-pounds style slips
MAX_COUNT_PER_ROW = 10_000
MAX_CASELOAD = 30.0  # cases per case-holder FTE above which we ask the council to check
ESTABLISHMENT_TOLERANCE_FTE = 0.5  # vacancy may differ from posts minus staff by this much


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    column: str  # the column the officer should look at (stored name)
    expectation: str  # GX expectation class name in great_expectations.expectations
    kwargs: dict[str, Any]
    message: str  # may use {value}, {header} and {council}
    fix: str
    meta: dict[str, Any] = field(default_factory=dict)

    def to_meta(self, table: ReturnTable) -> dict[str, Any]:
        header = next((c.header for c in table.columns if c.name == self.column), self.column)
        return {
            "rule": self.code,
            "severity": self.severity,
            "column": self.column,
            "header": header,
            "message": self.message,
            "fix": self.fix,
        }


def _numeric_rules(table: ReturnTable, prefix: str) -> list[Rule]:
    rules = []
    for number, column in enumerate(table.numeric_columns(), start=1):
        upper = MAX_FTE_PER_ROW if column.kind == "fte" else MAX_COUNT_PER_ROW
        rules.append(
            Rule(
                code=f"{prefix}-N{number:02d}",
                severity="error",
                column=column.name,
                expectation="ExpectColumnValuesToNotBeNull",
                kwargs={"column": column.name},
                message="'{header}' must be a number, but this cell holds '{value}'.",
                fix="Enter a number (0 if there are none); remove words and notes from the cell.",
            )
        )
        rules.append(
            Rule(
                code=f"{prefix}-R{number:02d}",
                severity="error",
                column=column.name,
                expectation="ExpectColumnValuesToBeBetween",
                kwargs={"column": column.name, "min_value": 0, "max_value": upper},
                message=(
                    f"'{{header}}' must be between 0 and {upper:g}; this cell holds '{{value}}'."
                ),
                fix="Correct the figure: FTE and counts cannot be negative or implausibly large.",
            )
        )
    return rules


ESTABLISHMENT_RULES: tuple[Rule, ...] = (
    Rule(
        code="EST-001",
        severity="error",
        column="team",
        expectation="ExpectColumnValuesToNotBeNull",
        kwargs={"column": "team"},
        message="The 'Team' cell is blank.",
        fix="Enter the team name as it appears in your structure chart.",
    ),
    Rule(
        code="EST-002",
        severity="error",
        column="grade",
        expectation="ExpectColumnValuesToNotBeNull",
        kwargs={"column": "grade"},
        message="The 'Local grade' cell is blank.",
        fix="Enter your council's grade name for these posts.",
    ),
    Rule(
        code="EST-003",
        severity="error",
        column="grade",
        expectation="ExpectCompoundColumnsToBeUnique",
        kwargs={"column_list": [FILE_KEY, "team", "grade"]},
        message="Team and grade '{value}' appear on more than one row.",
        fix="Combine the rows for the same team and grade into one row.",
    ),
    Rule(
        code="EST-004",
        severity="error",
        column="grade",
        expectation="ExpectColumnValuesToBeInSet",
        kwargs={"column": "check_grade_is_mapped", "value_set": [True]},
        message="Local grade '{value}' is not in the region's grade mapping for {council}.",
        fix=(
            "Check the spelling against your usual grade names. If it is a new grade, ask the "
            "regional project lead to add it to the grade mapping (grade_role_map), then re-send."
        ),
    ),
    Rule(
        code="EST-005",
        severity="error",
        column="team",
        expectation="ExpectColumnValuesToBeInSet",
        kwargs={"column": "check_team_is_mapped", "value_set": [True]},
        message="Team '{value}' is not in the region's team mapping for {council}.",
        fix=(
            "Check the spelling against your usual team names. If it is a new team, ask the "
            "regional project lead to add it to the team mapping (team_service_area_map)."
        ),
    ),
    Rule(
        code="EST-006",
        severity="error",
        column="agency_vacancy_fte",
        expectation="ExpectColumnPairValuesAToBeGreaterThanB",
        kwargs={
            "column_A": "agency_fte",
            "column_B": "agency_vacancy_fte",
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        message="'Agency FTE covering vacancies' ({value}) is more than 'Agency FTE'.",
        fix="Agency workers covering vacancies are part of all agency workers: check both cells.",
    ),
    *_numeric_rules(ESTABLISHMENT, "EST"),
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

RULES_BY_TABLE: dict[str, tuple[Rule, ...]] = {ESTABLISHMENT.name: ESTABLISHMENT_RULES}
