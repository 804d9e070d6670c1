"""Sample agency assignments: the assignments open in a month that make up each establishment
row's agency FTE, with pay and charge rates around the caps (a few above, some signed off),
and, from the month a council reports them, the DfE agency rules' fields: the worker's SWE
registration number, a PAYE / umbrella / limited company mix, employer NI and holiday pay
where the council knows them, project teams, qualification dates, references and notice."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from common.periods import month_index, period_end, period_start
from common.reference import rows_in_force_on, seed_rows
from ingest.return_contract import AGENCY_ASSIGNMENTS, AGENCY_RULES_RETURNS_FROM
from samples.cooling_off import with_cooling_off_assignments
from samples.councils import STANDARD_WEEKLY_HOURS, grade_roles, stable_int
from samples.establishment import establishment_frame

# Pay of roles the caps do not cover (managers): the hourly figure rates are drawn around.
UNCAPPED_PAY_SCALE: dict[str, float] = {"middle_manager": 42.0, "senior_manager": 42.0}
ABOVE_CAP_SHARE = 0.12
ABOVE_CAP_SIGNED_OFF_SHARE = 0.6
AGENCY_MARGIN = (1.20, 1.35)  # charge rate / pay rate
HOURS_PER_DAY = 7.4  # a 37-hour week, for councils that report daily rates
DAILY_RATE_COUNCILS = frozenset({"883"})  # Thurrock reports agency rates per day
MAX_AGENCY_HOURS = 48.0  # the Working Time Regulations' weekly limit
AGENCY_NAMES = (
    "Anglia Social Care Recruitment",
    "Beacon Locum Services",
    "Castle Children's Services Staffing",
    "Meridian Social Work Partners",
    "Fenland Interim Solutions",
)
AGENCY_OTHER_REASONS = ("absence", "project", "other")
# The DfE agency rules' fields: every council from the month the return requires them, and
# these councils earlier (optional columns, sent from the month the rules came in force).
AGENCY_RULES_EARLY_COUNCILS = {"822": "2024-11", "881": "2024-11"}
ENGAGEMENT_MIX = {"paye": 0.45, "umbrella": 0.40, "limited_company": 0.15}
ON_COSTS_KNOWN_SHARE = 0.55  # councils that know the employer NI and holiday pay figures
PROJECT_TEAM_SHARE = (0.04, 0.4)  # of other assignments, of those engaged for a project
EARLY_CAREER_SHARE = 0.07  # workers under 3 years' post-qualifying experience
REFERENCES = ((0, 1, 2, 3), (0.02, 0.06, 0.80, 0.12))
NOTICE_WEEKS = ((1, 2, 4), (0.08, 0.07, 0.85))


def sends_agency_rules_fields(council_code: str, period: str) -> bool:
    """Whether the council's return for ``period`` carries the agency rules' columns."""
    first = AGENCY_RULES_EARLY_COUNCILS.get(council_code, AGENCY_RULES_RETURNS_FROM)
    return period >= min(first, AGENCY_RULES_RETURNS_FROM)


def _in_force(seed: str, day: dt.date) -> tuple[dict[str, str], ...]:
    return rows_in_force_on(seed_rows(seed), day, "effective_from", "effective_to")


def on_cost_factor(engagement_model: str, day: dt.date) -> float:
    """Pay + default on-costs as a multiple of pay (agency_on_cost_defaults in force on
    ``day``): (1 + holiday pay rate) x (1 + employer NI rate)."""
    row = next(
        r
        for r in _in_force("agency_on_cost_defaults", day)
        if r["engagement_model"] == engagement_model
    )
    return (1 + float(row["holiday_pay_rate"])) * (1 + float(row["employer_ni_rate"]))


def pay_cap_equivalent(
    role: str, start: dt.date, engagement_model: str, month_end: dt.date
) -> float:
    """The hourly pay at which an assignment is exactly at its cap (agency_rate_caps in force
    on its start date for the role's DfE job type; with default on-costs for a cap that covers
    them); the pay scale of an uncapped role."""
    job_type = next(
        r["agency_job_type"] for r in seed_rows("regional_roles") if r["role_code"] == role
    )
    cap = next(
        (r for r in _in_force("agency_rate_caps", start) if r["agency_job_type"] == job_type), None
    )
    if cap is None:
        return UNCAPPED_PAY_SCALE.get(role, 42.0)
    if cap["cap_includes"] == "pay":
        return float(cap["cap_hourly_pay"])
    return float(cap["cap_hourly_pay"]) / on_cost_factor(engagement_model, month_end)


def _swe_number(council_code: str, reference: str) -> str:
    return f"SW{500_000 + stable_int(f'{council_code}/{reference}') % 400_000:06d}"


def _agency_rules_fields(
    rng: np.random.Generator,
    council_code: str,
    reference: str,
    engagement_model: str,
    hourly_pay: float,
    start: dt.date,
    reason: str,
    month_end: dt.date,
) -> dict[str, object]:
    """The DfE agency rules' columns of one assignment, as the council reports them."""
    on_costs: dict[str, float | None] = {"employer_ni_hourly": None, "holiday_pay_hourly": None}
    if rng.random() < ON_COSTS_KNOWN_SHARE:
        row = next(
            r
            for r in _in_force("agency_on_cost_defaults", month_end)
            if r["engagement_model"] == engagement_model
        )
        holiday = round(hourly_pay * float(row["holiday_pay_rate"]), 2)
        on_costs = {
            "employer_ni_hourly": round((hourly_pay + holiday) * float(row["employer_ni_rate"]), 2),
            "holiday_pay_hourly": holiday,
        }
    early_career = rng.random() < EARLY_CAREER_SHARE
    years_qualified = rng.uniform(1.0, 3.0) if early_career else rng.uniform(3.0, 25.0)
    project_share = PROJECT_TEAM_SHARE[1] if reason == "project" else PROJECT_TEAM_SHARE[0]
    return {
        "swe_registration_number": _swe_number(council_code, reference),
        "engagement_model": engagement_model,
        **on_costs,
        "is_project_team": bool(rng.random() < project_share),
        "qualified_on": start - dt.timedelta(days=int(years_qualified * 365.25)),
        "references_received": int(rng.choice(REFERENCES[0], p=REFERENCES[1])),
        "notice_period_weeks": float(rng.choice(NOTICE_WEEKS[0], p=NOTICE_WEEKS[1])),
    }


def agency_assignments_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One council's agency assignments open in the month, with stored column names.

    Each establishment row's agency FTE is covered by whole assignments (hours per week make
    up the FTE at 37 hours); its agency FTE covering vacancies sets how many are vacancy cover.
    Pay is drawn around the pay at which the assignment is at its cap (pay_cap_equivalent:
    the cap in force on its start date, net of default on-costs for a DfE price cap), so
    about ABOVE_CAP_SHARE are above it, some signed off. Assignment references and SWE
    numbers are in clear, as a council sends them (ingest hashes them). A return for a month
    before the council reports the agency rules' fields leaves those columns out. The
    cooling-off cases of samples.cooling_off take the first rows of the councils that engage
    them.
    """
    establishment = establishment_frame(council_code, period, seed)
    roles = grade_roles(council_code, period_end(period))
    month = month_index(period)
    first_day, last_day = period_start(period), period_end(period)
    rng = np.random.default_rng([seed, stable_int(council_code), month, 1])
    # The agency rules' fields have their own stream, so the rest of the sample stays as it was.
    rules_rng = np.random.default_rng([seed, stable_int(council_code), month, 2])
    models, shares = tuple(ENGAGEMENT_MIX), tuple(ENGAGEMENT_MIX.values())
    daily = council_code in DAILY_RATE_COUNCILS
    with_rules_fields = sends_agency_rules_fields(council_code, period)
    reference = int(rng.integers(100, 4000))
    rows = []
    for post in establishment.itertuples(index=False):
        if post.agency_fte <= 0:
            continue
        count = max(1, round(post.agency_fte))
        if STANDARD_WEEKLY_HOURS * post.agency_fte / count > MAX_AGENCY_HOURS:
            count += 1
        hours = round(STANDARD_WEEKLY_HOURS * post.agency_fte / count, 1)
        covering = min(count, round(post.agency_vacancy_fte))
        role = roles[post.grade][0]
        for index in range(count):
            reference += int(rng.integers(1, 9))
            start = last_day - dt.timedelta(days=int(rng.integers(0, 540)))
            end = None
            if rng.random() < 0.12:  # ended during the month
                end = max(start, first_day) + dt.timedelta(days=int(rng.integers(0, 28)))
                end = min(end, last_day)
            engagement_model = str(rules_rng.choice(models, p=shares))
            cap = pay_cap_equivalent(role, start, engagement_model, last_day)
            above_cap = rng.random() < ABOVE_CAP_SHARE
            pay = cap * (rng.uniform(1.02, 1.2) if above_cap else rng.uniform(0.9, 1.0))
            charge = pay * rng.uniform(*AGENCY_MARGIN)
            signed_off = bool(above_cap and rng.random() < ABOVE_CAP_SIGNED_OFF_SHARE)
            scale = HOURS_PER_DAY if daily else 1.0
            assignment_key = f"AGY-{start.year}-{reference:04d}"
            reason = (
                "vacancy_cover"
                if index < covering
                else AGENCY_OTHER_REASONS[int(rng.integers(len(AGENCY_OTHER_REASONS)))]
            )
            row = {
                "assignment_key": assignment_key,
                "agency_name": AGENCY_NAMES[int(rng.integers(len(AGENCY_NAMES)))],
                "grade": post.grade,
                "team": post.team,
                "start_date": start,
                "end_date": end,
                "pay_rate": round(pay * scale, 2),
                "charge_rate": round(charge * scale, 2),
                "rate_basis": "daily" if daily else "hourly",
                "hours_per_week": hours,
                "reason": reason,
                "cap_exception_signed_off": signed_off,
                "signed_off_by": "DCS" if signed_off else None,
                "signed_off_on": min(start + dt.timedelta(days=int(rng.integers(0, 10))), last_day)
                if signed_off
                else None,
            }
            if with_rules_fields:
                row |= _agency_rules_fields(
                    rules_rng,
                    council_code,
                    assignment_key,
                    engagement_model,
                    round(pay, 2),
                    start,
                    reason,
                    last_day,
                )
            rows.append(row)
    columns = [
        c.name
        for c in AGENCY_ASSIGNMENTS.columns
        if with_rules_fields or not (c.required_from or c.name in ON_COST_COLUMNS)
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return with_cooling_off_assignments(frame, council_code, period)


# The on-cost columns go with the agency rules' fields: a return before them has neither.
ON_COST_COLUMNS = ("employer_ni_hourly", "holiday_pay_hourly")
