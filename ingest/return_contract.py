"""The return tables a council sends: their columns as the officer sees them and as we store them.

This module is the one home of the column layout. The sample generator writes these headers,
the reader maps them back, the GX suites check them, and dbt sources read the stored names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# text: free text; code: one of `codes`; identifier: a reference (see `personal`);
# fte, count, number, money: numbers (money in pounds); date: a calendar date; flag: yes/no.
ColumnKind = Literal[
    "text", "code", "identifier", "fte", "count", "number", "money", "date", "flag"
]
NUMERIC_KINDS = ("fte", "count", "number", "money")

# How personal data is made safe as soon as a file is read (DOMAIN.md, personal data):
# "hash" -> keyed hash with the secret from configuration; "month" -> a date cut to YYYY-MM.
Personal = Literal["hash", "month"]


@dataclass(frozen=True)
class Column:
    name: str  # stored name (snake_case), used by the warehouse and dbt
    header: str  # header in the template, as a council officer sees it in Excel
    kind: ColumnKind
    description: str
    required: bool = True  # a required column must be present and every cell filled
    codes: tuple[str, ...] = ()  # accepted values of a `code` column, as stored
    aliases: tuple[str, ...] = ()  # other headers accepted for this column (e.g. census tags)
    personal: Personal | None = None
    # Plausible range (inclusive) of a numeric column; values outside it are errors.
    bounds: tuple[float, float] | None = None
    # Mapping seed (dbt_project/seeds/<mapping>.csv) that must hold the council's value.
    mapping: str | None = None
    # Effective-dated requirement: a column with required=False and required_from='YYYY-MM'
    # may be left out (or blank) in returns for months before that one, and must be present
    # and filled on every row from it (see Column.is_required_for). Old files stay valid.
    required_from: str | None = None
    # The format a filled cell must have (a full-match regular expression, checked on the
    # value with spaces removed and in capitals, as the keyed hash normalises it), and the
    # format in words for messages (no example value: feedback withholds anything that looks
    # like a SWE number, ingest/redaction.py). For a personal column it is checked before
    # the value is hashed (ingest/pseudonymise.py), so validation never sees the value.
    pattern: str | None = None
    pattern_words: str = ""

    def is_required_for(self, period: str | None) -> bool:
        """Whether a return for ``period`` ('YYYY-MM') must carry and fill this column. An
        unknown period (None) requires only the always-required columns."""
        if self.required:
            return True
        return (
            self.required_from is not None and period is not None and period >= self.required_from
        )

    def is_well_formed(self, value: str) -> bool:
        """Whether a filled cell has the column's format (always, for a column without one)."""
        if self.pattern is None:
            return True
        return re.fullmatch(self.pattern, "".join(value.split()).upper()) is not None


@dataclass(frozen=True)
class ReturnTable:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within one return
    description: str
    # What a CSV of this table with its header and no rows says (a nil return), for a table
    # where none is a true answer; None: the table must have rows. A nil return replaces the
    # rows of any earlier version for the council and month. In a workbook an unfilled sheet
    # always means "not sent", since the template's sheets all come with headers.
    nil_return: str | None = None
    # Optional in a monthly workbook: the council may leave the sheet out, and errors in it
    # reject only this table while the workbook's other tables load (ingest/table_verdicts.py).
    # Errors in a required table (optional=False) reject the whole workbook.
    optional: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def numeric_columns(self) -> list[Column]:
        return [c for c in self.columns if c.kind in NUMERIC_KINDS]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def columns_required_for(self, period: str | None) -> list[Column]:
        """The columns a return of this table for ``period`` must carry and fill."""
        return [c for c in self.columns if c.is_required_for(period)]


# Plausible ranges shared by several columns (see Column.bounds).
FTE_PER_ROW = (0.0, 500.0)  # far above any team; catches pence-for-pounds style slips
COUNT_PER_ROW = (0.0, 10_000.0)
WORKER_FTE = (0.0, 1.0)
WEEKLY_HOURS = (1.0, 48.0)
ANNUAL_SALARY = (15_000.0, 150_000.0)  # full-time annual pay, pounds
LA_TOTAL = (0.0, 5_000.0)  # a whole council's vacancies or agency workers

ESTABLISHMENT = ReturnTable(
    name="establishment",
    key=("team", "grade"),
    description="One row per team and local grade, as at the last day of the month.",
    columns=(
        Column(
            "team", "Team", "text", "The council's own team name.", mapping="team_service_area_map"
        ),
        Column(
            "grade",
            "Local grade",
            "text",
            "The council's own grade name.",
            mapping="grade_role_map",
        ),
        Column(
            "establishment_fte",
            "Establishment FTE",
            "fte",
            "Funded posts (FTE).",
            bounds=FTE_PER_ROW,
        ),
        Column(
            "permanent_fte",
            "Permanent FTE in post",
            "fte",
            "Permanent staff in post (FTE).",
            bounds=FTE_PER_ROW,
        ),
        Column(
            "agency_fte", "Agency FTE", "fte", "Agency workers in post (FTE).", bounds=FTE_PER_ROW
        ),
        Column(
            "agency_vacancy_fte",
            "Agency FTE covering vacancies",
            "fte",
            "Agency workers covering a vacant post (FTE).",
            bounds=FTE_PER_ROW,
        ),
        Column("vacancy_fte", "Vacancy FTE", "fte", "Vacant posts (FTE).", bounds=FTE_PER_ROW),
        Column(
            "starters_fte",
            "Permanent starters FTE",
            "fte",
            "Permanent starters this month (FTE).",
            bounds=FTE_PER_ROW,
        ),
        Column(
            "starters_headcount",
            "Permanent starters headcount",
            "count",
            "Permanent starters this month (people).",
            bounds=COUNT_PER_ROW,
        ),
        Column(
            "leavers_fte",
            "Permanent leavers FTE",
            "fte",
            "Permanent leavers this month (FTE).",
            bounds=FTE_PER_ROW,
        ),
        Column(
            "leavers_headcount",
            "Permanent leavers headcount",
            "count",
            "Permanent leavers this month (people).",
            bounds=COUNT_PER_ROW,
        ),
        Column(
            "leavers_to_agency_headcount",
            "Leavers to agency headcount",
            "count",
            "Permanent leavers this month who went to agency work.",
            bounds=COUNT_PER_ROW,
        ),
        Column(
            "cases_held",
            "Cases held",
            "count",
            "Open cases held by the team's case holders.",
            bounds=COUNT_PER_ROW,
        ),
        Column(
            "case_holder_fte",
            "Case-holder FTE",
            "fte",
            "FTE of staff holding cases.",
            bounds=FTE_PER_ROW,
        ),
    ),
)

AGENCY_REASONS = ("vacancy_cover", "absence", "project", "other")
RATE_BASES = ("hourly", "daily")
# How the agency worker is engaged: the DfE price cap covers pay, employer National Insurance
# and holiday pay for an umbrella or limited company locum, and is taken net of those
# on-costs for a PAYE locum (DOMAIN.md, Agency rules), so the comparable rate depends on it.
ENGAGEMENT_MODELS = ("paye", "umbrella", "limited_company")
# The first return month that must carry the DfE agency rules' assignment-level fields (the
# rules expect full compliance by 1 October 2025). Returns for earlier months may leave them
# out: the one home of this date, read through Column.required_from.
AGENCY_RULES_RETURNS_FROM = "2025-10"
# Social Work England registration numbers: 'SW' then digits (DOMAIN.md).
SWE_NUMBER_PATTERN = r"SW\d+"
SWE_NUMBER_WORDS = "the letters SW followed by digits only, as on the Social Work England register"
ON_COST_PER_HOUR = (0.0, 30.0)  # employer NI or holiday pay, pounds an hour

AGENCY_ASSIGNMENTS = ReturnTable(
    name="agency_assignments",
    key=("assignment_key",),
    description="One row per agency assignment open at any time in the month.",
    nil_return="no agency assignments were open in the month",
    columns=(
        Column(
            "assignment_key",
            "Assignment reference",
            "identifier",
            "The council's own reference for the assignment. Stored only as a keyed hash.",
            personal="hash",
        ),
        Column("agency_name", "Agency", "text", "The agency supplying the worker."),
        Column(
            "grade",
            "Local grade",
            "text",
            "The council's grade for the post covered.",
            mapping="grade_role_map",
        ),
        Column("team", "Team", "text", "The council's team name.", mapping="team_service_area_map"),
        Column("start_date", "Start date", "date", "First day of the assignment."),
        Column(
            "end_date",
            "End date",
            "date",
            "Last day of the assignment; blank if it is open-ended.",
            required=False,
        ),
        Column(
            "pay_rate",
            "Pay rate to worker (£)",
            "money",
            "Rate paid to the worker, per hour (or per day if 'Rate basis' says daily).",
        ),
        Column(
            "charge_rate",
            "Charge rate to council (£)",
            "money",
            "Rate the agency charges the council, per hour (or per day), including its margin.",
        ),
        Column(
            "rate_basis",
            "Rate basis",
            "code",
            "Whether the rates are per hour or per day. Blank means hourly.",
            required=False,
            codes=RATE_BASES,
        ),
        Column(
            "hours_per_week",
            "Hours per week",
            "number",
            "Contracted hours per week.",
            bounds=WEEKLY_HOURS,
        ),
        Column(
            "reason",
            "Reason",
            "code",
            "Why the agency worker is engaged.",
            codes=AGENCY_REASONS,
        ),
        Column(
            "cap_exception_signed_off",
            "Cap exception signed off",
            "flag",
            "Yes if a rate above the regional cap was signed off by the Director of "
            "Children's Services.",
        ),
        Column(
            "signed_off_by",
            "Signed off by",
            "text",
            "Role of the person who signed off the exception (e.g. DCS). Not a name.",
            required=False,
        ),
        Column(
            "signed_off_on",
            "Signed off on",
            "date",
            "Date the cap exception was signed off.",
            required=False,
        ),
        # The DfE agency rules' fields (required from AGENCY_RULES_RETURNS_FROM). Added at the
        # end of the table so the earlier columns keep their rule codes.
        Column(
            "swe_registration_number",
            "SWE registration number",
            "identifier",
            "The agency worker's Social Work England registration number: the letters SW "
            "followed by digits. Stored only as a keyed hash, the same for the worker in every "
            "council's return.",
            required=False,
            required_from=AGENCY_RULES_RETURNS_FROM,
            aliases=("SWENo",),
            personal="hash",
            pattern=SWE_NUMBER_PATTERN,
            pattern_words=SWE_NUMBER_WORDS,
        ),
        Column(
            "engagement_model",
            "Engagement model",
            "code",
            "How the agency engages the worker: PAYE (the agency employs them), through an "
            "umbrella company, or through the worker's own limited company.",
            required=False,
            required_from=AGENCY_RULES_RETURNS_FROM,
            codes=ENGAGEMENT_MODELS,
        ),
        Column(
            "employer_ni_hourly",
            "Employer NI (£ per hour)",
            "money",
            "Employer National Insurance paid on the worker's pay, in pounds per hour (whatever "
            "the 'Rate basis'), where you know it. Leave blank if not known: the region then "
            "uses its documented default for the engagement model.",
            required=False,
            bounds=ON_COST_PER_HOUR,
        ),
        Column(
            "holiday_pay_hourly",
            "Holiday pay (£ per hour)",
            "money",
            "Holiday pay accrued on the worker's pay, in pounds per hour (whatever the 'Rate "
            "basis'), where you know it. Leave blank if not known: the region then uses its "
            "documented default for the engagement model.",
            required=False,
            bounds=ON_COST_PER_HOUR,
        ),
        Column(
            "is_project_team",
            "Part of a project team",
            "flag",
            "Yes if the worker is part of a project team (a packaged model supplied by the "
            "agency), No otherwise.",
            required=False,
            required_from=AGENCY_RULES_RETURNS_FROM,
        ),
        Column(
            "qualified_on",
            "Qualified on",
            "date",
            "Date the worker qualified as a social worker (for post-qualifying experience).",
            required=False,
            required_from=AGENCY_RULES_RETURNS_FROM,
        ),
        Column(
            "references_received",
            "References received",
            "count",
            "Number of practice-based references received on the standard template (0 if none).",
            required=False,
            required_from=AGENCY_RULES_RETURNS_FROM,
            bounds=(0.0, 20.0),
        ),
        Column(
            "notice_period_weeks",
            "Notice period (weeks)",
            "number",
            "The worker's notice period in the assignment, in weeks (e.g. 4).",
            required=False,
            required_from=AGENCY_RULES_RETURNS_FROM,
            bounds=(0.0, 26.0),
        ),
    ),
)

PAY_SCALES = ReturnTable(
    name="pay_scales",
    key=("grade", "effective_from"),
    description="One row per local grade: the pay scale in force from its effective date.",
    columns=(
        Column(
            "grade", "Local grade", "text", "The council's grade name.", mapping="grade_role_map"
        ),
        Column(
            "salary_min",
            "Salary minimum (£ a year)",
            "money",
            "Bottom of the scale: annual salary for a full-time post.",
            bounds=ANNUAL_SALARY,
        ),
        Column(
            "salary_max",
            "Salary maximum (£ a year)",
            "money",
            "Top of the scale: annual salary for a full-time post.",
            bounds=ANNUAL_SALARY,
        ),
        Column(
            "weekly_hours",
            "Standard weekly hours",
            "number",
            "Full-time hours per week for this grade (usually 37).",
            bounds=WEEKLY_HOURS,
        ),
        Column(
            "market_supplement",
            "Market supplement (£ a year)",
            "money",
            "Annual market supplement paid on top of salary; blank or 0 if none.",
            required=False,
            bounds=(0.0, 30_000.0),
        ),
        Column(
            "recruitment_payment",
            "Recruitment payment (£)",
            "money",
            "One-off payment on joining; blank or 0 if none.",
            required=False,
            bounds=(0.0, 20_000.0),
        ),
        Column(
            "retention_payment",
            "Retention payment (£ a year)",
            "money",
            "Annual retention payment; blank or 0 if none.",
            required=False,
            bounds=(0.0, 20_000.0),
        ),
        Column("effective_from", "Effective date", "date", "Date this scale came into force."),
    ),
)

ORG_ROLES = ("1", "2", "3", "4", "5", "6")
START_ORIGINS = tuple(str(n) for n in range(1, 11))
LEAVING_REASONS = tuple(str(n) for n in range(1, 11))
LEAVER_DESTINATIONS = tuple(str(n) for n in range(1, 10))

WORKFORCE = ReturnTable(
    name="workforce",
    key=("worker_key",),
    optional=True,
    description=(
        "Optional. One row per children's social worker, with the fields of the DfE "
        "Children's Social Work Workforce census. The census XML may be sent instead."
    ),
    columns=(
        Column(
            "worker_key",
            "SWE registration number",
            "identifier",
            "Social Work England registration number. Stored only as a keyed hash.",
            aliases=("SWENo",),
            personal="hash",
        ),
        Column(
            "is_agency_worker",
            "Agency worker",
            "flag",
            "Yes (1) for an agency worker, No (0) for a council employee.",
            aliases=("AgencyWorker",),
        ),
        Column(
            "fte",
            "FTE",
            "number",
            "The worker's FTE (for a leaver, at leaving), between 0 and 1.",
            aliases=("FTE",),
            bounds=WORKER_FTE,
        ),
        Column(
            "birth_month",
            "Date of birth",
            "date",
            "Date of birth. Only the year and month are kept.",
            aliases=("PersonBirthDate",),
            required=False,
            personal="month",
        ),
        Column(
            "ethnicity",
            "Ethnicity",
            "text",
            "DfE ethnicity code (e.g. WBRI).",
            aliases=("Ethnicity",),
            required=False,
        ),
        Column(
            "qualification_level",
            "Qualification level",
            "text",
            "DfE qualification level code.",
            aliases=("QualLevel",),
            required=False,
        ),
        Column(
            "org_role",
            "Role",
            "code",
            "DfE OrgRole: 1 senior manager, 2 middle manager, 3 first line manager, "
            "4 senior practitioner, 5 case holder, 6 qualified without cases.",
            aliases=("OrgRole",),
            codes=ORG_ROLES,
        ),
        Column(
            "role_start_date",
            "Role start date",
            "date",
            "Date the worker started in this role at the council.",
            aliases=("RoleStartDate",),
            required=False,
        ),
        Column(
            "start_origin",
            "Start origin",
            "code",
            "DfE StartOrigin code (1-10); needed when there is a start date.",
            aliases=("StartOrigin",),
            required=False,
            codes=START_ORIGINS,
        ),
        Column(
            "role_end_date",
            "Role end date",
            "date",
            "Date the worker left the role; blank if still in post.",
            aliases=("RoleEndDate",),
            required=False,
        ),
        Column(
            "reason_leave",
            "Reason for leaving",
            "code",
            "DfE ReasonLeave code (1-10); needed when there is an end date.",
            aliases=("ReasonLeave",),
            required=False,
            codes=LEAVING_REASONS,
        ),
        Column(
            "leaver_destination",
            "Leaver destination",
            "code",
            "DfE LeaverDestination code (1-9); needed when there is an end date.",
            aliases=("LeaverDestination",),
            required=False,
            codes=LEAVER_DESTINATIONS,
        ),
        Column(
            "fte_30_sept",
            "FTE at 30 September",
            "number",
            "The worker's FTE at the census reference date.",
            aliases=("FTE30",),
            required=False,
            bounds=WORKER_FTE,
        ),
        Column(
            "cases_30_sept",
            "Cases at 30 September",
            "count",
            "Cases held at the census reference date.",
            aliases=("Cases30",),
            required=False,
            bounds=(0.0, 100.0),
        ),
        Column(
            "working_days_lost",
            "Working days lost",
            "number",
            "Working days lost to sickness absence in the year.",
            aliases=("WorkingDaysLost",),
            required=False,
            bounds=(0.0, 366.0),
        ),
        Column(
            "absent_at_30_sept",
            "Absent at 30 September",
            "flag",
            "Yes if the worker was absent at the census reference date.",
            aliases=("Absat30Sept",),
            required=False,
        ),
        Column(
            "reason_absence",
            "Reason for absence",
            "text",
            "DfE ReasonAbsence code.",
            aliases=("ReasonAbsence",),
            required=False,
        ),
        Column(
            "base_salary",
            "Base salary (£ a year)",
            "money",
            "Full-time equivalent annual base salary.",
            aliases=("BaseSalary",),
            required=False,
            bounds=ANNUAL_SALARY,
        ),
    ),
)

# The LA-level record of a DfE census XML: not a sheet councils fill in, but stored like one.
CENSUS_LA = ReturnTable(
    name="census_la",
    key=(),
    description="The LA-level record of a DfE CSWW census XML (one row per census file).",
    columns=(
        Column(
            "vacancy_fte",
            "Number of vacancies",
            "fte",
            "Vacant children's social worker posts (FTE) at the reference date.",
            aliases=("NumberOfVacancies",),
            bounds=LA_TOTAL,
        ),
        Column(
            "agency_vacancy_fte",
            "Agency FTE covering vacancies",
            "fte",
            "Agency workers covering vacancies (FTE) at the reference date.",
            aliases=("NoAgencyFTE",),
            bounds=LA_TOTAL,
        ),
        Column(
            "agency_vacancy_headcount",
            "Agency headcount covering vacancies",
            "count",
            "Agency workers covering vacancies (people) at the reference date.",
            aliases=("NoAgencyHeadcount",),
            bounds=LA_TOTAL,
        ),
        Column(
            "reference_date",
            "Reference date",
            "date",
            "The census reference date (normally 30 September), from the file's header.",
        ),
        Column(
            "schema_year",
            "Schema year",
            "count",
            "Which year's CSWW census schema the file follows (2021-2025).",
            bounds=(2021, 2025),
        ),
    ),
)

# The tables a council fills in (template sheets, CSV files), in template order.
RETURN_TABLES: dict[str, ReturnTable] = {
    t.name: t for t in (ESTABLISHMENT, AGENCY_ASSIGNMENTS, PAY_SCALES, WORKFORCE)
}
# Every table stored in the warehouse's raw schema.
TABLES: dict[str, ReturnTable] = {**RETURN_TABLES, CENSUS_LA.name: CENSUS_LA}
