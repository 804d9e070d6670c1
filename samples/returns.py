"""Sample monthly returns: realistic, deterministic files for the demo and the test fixtures.

Each council writes in its own vocabulary of teams and grades, read from the mapping seeds
(`grade_role_map.csv`, `team_service_area_map.csv`): the rows in force on the period's last day,
so generated files always harmonise, and a council that re-grades changes its files from then.

Determinism: a council's structure (which rows exist, how big each post group is, its base
vacancy and agency rates) comes from a generator seeded by (seed, council); a month's figures
come from one seeded by (seed, council, period) plus a slow drift that is a pure function of
the month. Any single council-month can therefore be produced on its own, and consecutive
months still move smoothly.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from common.labels import code_label, flag_label
from common.periods import financial_year, month_index, period_end, period_start
from common.reference import rows_in_force_on, seed_rows
from ingest.return_contract import (
    AGENCY_ASSIGNMENTS,
    ESTABLISHMENT,
    PAY_SCALES,
    RETURN_TABLES,
    WORKFORCE,
    Column,
    ReturnTable,
)

ReturnFormat = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class CouncilProfile:
    permanent_fte: float  # total permanent FTE in post
    vacancy_rate: float  # vacancy FTE / (vacancy FTE + permanent FTE)
    agency_rate: float  # agency FTE / (agency FTE + permanent FTE)
    sends_excel: bool  # one workbook per month rather than CSV files


# Rounded from the DfE "Children's social work workforce" statistics, reporting year 2022
# (CSWW 2022, LA-level tables: children and family social worker FTE, vacancy and agency
# rates at 30 September 2022). Sizes, not exact figures: the generator only needs realistic scale.
COUNCIL_PROFILES: dict[str, CouncilProfile] = {
    "822": CouncilProfile(95, 0.20, 0.18, sends_excel=True),  # Bedford
    "873": CouncilProfile(330, 0.17, 0.12, sends_excel=False),  # Cambridgeshire
    "823": CouncilProfile(150, 0.16, 0.14, sends_excel=True),  # Central Bedfordshire
    "881": CouncilProfile(620, 0.13, 0.05, sends_excel=False),  # Essex
    "919": CouncilProfile(490, 0.14, 0.09, sends_excel=True),  # Hertfordshire
    "821": CouncilProfile(190, 0.21, 0.21, sends_excel=False),  # Luton
    "926": CouncilProfile(480, 0.13, 0.07, sends_excel=True),  # Norfolk
    "874": CouncilProfile(150, 0.19, 0.16, sends_excel=False),  # Peterborough
    "882": CouncilProfile(140, 0.21, 0.19, sends_excel=True),  # Southend-on-Sea
    "935": CouncilProfile(400, 0.15, 0.10, sends_excel=False),  # Suffolk
    "883": CouncilProfile(120, 0.21, 0.22, sends_excel=False),  # Thurrock
}

# Relative size of a post group (one team x one grade) by regional role.
ROLE_WEIGHTS: dict[str, float] = {
    "social_worker": 3.0,
    "senior_social_worker": 2.0,
    "advanced_practitioner": 0.7,
    "team_manager": 0.4,
    "independent_reviewing_officer": 4.0,
    "middle_manager": 1.5,
    "senior_manager": 0.5,
}
NEWLY_QUALIFIED_WEIGHT = 0.8
SERVICE_AREA_WEIGHTS: dict[str, float] = {
    "front_door": 1.2,
    "child_in_need_protection": 1.3,
    "looked_after_children": 1.0,
    "leaving_care": 0.7,
    "disabled_children": 0.6,
    "fostering_adoption": 0.7,
    "other": 1.0,
}
CASE_HOLDING_ROLES = frozenset({"social_worker", "senior_social_worker", "advanced_practitioner"})
# Teams mapped to "other" (reviewing units, quality assurance, service management) hold the
# reviewing officers and managers; every other team holds case holders and its team manager.
OTHER_TEAM_ROLES = frozenset(
    {"team_manager", "independent_reviewing_officer", "middle_manager", "senior_manager"}
)
FRONTLINE_TEAM_ROLES = CASE_HOLDING_ROLES | {"team_manager"}

ANNUAL_TURNOVER = 0.175  # permanent leavers a year / permanent FTE (DfE: 15-20% in the region)
OVER_ESTABLISHMENT_SHARE = 0.04  # share of rows a month that carry more staff than posts


def return_filename(
    council_slug: str, period: str, fmt: ReturnFormat, table: str = ESTABLISHMENT.name
) -> str:
    """A CSV file holds one table (named in the file name); a workbook holds them all."""
    if fmt == "csv":
        return f"{council_slug}_{period}_{table}.csv"
    if fmt == "xlsx":
        return f"{council_slug}_{period}_return.xlsx"
    raise ValueError(f"unknown return format {fmt!r}")


def establishment_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One council's establishment table for one month, with stored column names."""
    profile = _profile(council_code)
    post_groups = _post_groups(council_code, seed, period_end(period))
    month = month_index(period)
    rng = np.random.default_rng([seed, _stable_int(council_code), month])

    # Slow drift shared by all rows of the council: smooth from month to month, and a pure
    # function of the month so one period can be generated on its own.
    phase = _stable_int(council_code) % 12
    vacancy_rate = profile.vacancy_rate + 0.02 * math.sin(2 * math.pi * (month + phase) / 14)
    agency_rate = profile.agency_rate + 0.015 * math.sin(2 * math.pi * (month + phase) / 17)
    establishment_growth = 1 + 0.01 * math.sin(2 * math.pi * (month + phase) / 24)

    rows = []
    for group in post_groups:
        establishment_t = max(10, round(group.establishment_fte * establishment_growth * 10))
        row_vacancy_rate = np.clip(
            vacancy_rate * group.vacancy_factor * rng.normal(1, 0.15), 0, 0.6
        )
        if rng.random() < OVER_ESTABLISHMENT_SHARE:
            # Over-establishment is real and valid: more staff in post than funded posts.
            vacancy_t = 0
            permanent_t = establishment_t + int(rng.integers(2, 11))
        else:
            vacancy_t = round(establishment_t * row_vacancy_rate)
            permanent_t = establishment_t - vacancy_t

        row_agency_rate = min(0.6, agency_rate * group.agency_factor * rng.normal(1, 0.2))
        agency_t = max(0, round(permanent_t * row_agency_rate / (1 - row_agency_rate)))
        agency_vacancy_t = min(agency_t, vacancy_t, round(agency_t * rng.uniform(0.6, 1.0)))

        leavers_headcount = int(rng.poisson(permanent_t / 10 * ANNUAL_TURNOVER / 12))
        starters_headcount = int(rng.poisson(permanent_t / 10 * ANNUAL_TURNOVER / 12))
        leavers_t = min(permanent_t, round(leavers_headcount * rng.uniform(0.8, 1.0) * 10))
        starters_t = round(starters_headcount * rng.uniform(0.8, 1.0) * 10)
        leavers_to_agency = int(rng.binomial(leavers_headcount, 0.2))

        if group.regional_role in CASE_HOLDING_ROLES:
            case_holder_t = round((permanent_t + agency_t) * rng.uniform(0.85, 1.0))
            # Newly qualified (ASYE) workers have protected caseloads.
            low, high = (12, 14) if group.is_newly_qualified else (14, 20)
            cases_held = round(case_holder_t / 10 * rng.uniform(low, high))
        else:
            case_holder_t, cases_held = 0, 0

        rows.append(
            {
                "team": group.team,
                "grade": group.grade,
                "establishment_fte": establishment_t / 10,
                "permanent_fte": permanent_t / 10,
                "agency_fte": agency_t / 10,
                "agency_vacancy_fte": agency_vacancy_t / 10,
                "vacancy_fte": vacancy_t / 10,
                "starters_fte": starters_t / 10,
                "starters_headcount": starters_headcount,
                "leavers_fte": leavers_t / 10,
                "leavers_headcount": leavers_headcount,
                "leavers_to_agency_headcount": leavers_to_agency,
                "cases_held": cases_held,
                "case_holder_fte": case_holder_t / 10,
            }
        )
    frame = pd.DataFrame(rows, columns=ESTABLISHMENT.column_names)
    count_columns = [c.name for c in ESTABLISHMENT.columns if c.kind == "count"]
    return frame.astype(dict.fromkeys(count_columns, "int64"))


# Agency pay: the hourly cap each role's rates are drawn around (London's 2016 caps, the scale
# DOMAIN.md gives), the share of assignments paid above it, and the agency's margin on top.
AGENCY_PAY_CAPS: dict[str, float] = {
    "social_worker": 28.0,
    "senior_social_worker": 35.0,
    "advanced_practitioner": 35.0,
    "independent_reviewing_officer": 35.0,
    "team_manager": 42.0,
    "middle_manager": 42.0,
    "senior_manager": 42.0,
}
ABOVE_CAP_SHARE = 0.12
ABOVE_CAP_SIGNED_OFF_SHARE = 0.6
AGENCY_MARGIN = (1.20, 1.35)  # charge rate / pay rate
HOURS_PER_DAY = 7.4  # a 37-hour week, for councils that report daily rates
DAILY_RATE_COUNCILS = frozenset({"883"})  # Thurrock reports agency rates per day
STANDARD_WEEKLY_HOURS = 37.0
MAX_AGENCY_HOURS = 48.0  # the Working Time Regulations' weekly limit
AGENCY_NAMES = (
    "Anglia Social Care Recruitment",
    "Beacon Locum Services",
    "Castle Children's Services Staffing",
    "Meridian Social Work Partners",
    "Fenland Interim Solutions",
)
AGENCY_OTHER_REASONS = ("absence", "project", "other")
# Annual full-time salary range (pounds, 2024/25) by regional role; newly qualified below.
SALARY_RANGES: dict[str, tuple[float, float]] = {
    "social_worker": (33_000, 38_500),
    "senior_social_worker": (38_000, 43_500),
    "advanced_practitioner": (42_000, 47_500),
    "independent_reviewing_officer": (43_000, 49_000),
    "team_manager": (47_000, 54_000),
    "middle_manager": (56_000, 68_000),
    "senior_manager": (72_000, 95_000),
}
NEWLY_QUALIFIED_SALARY = (30_000, 33_000)
ANNUAL_PAY_AWARD = 0.03  # pay scales rise each April
SUPPLEMENT_ROLES = frozenset({"social_worker", "senior_social_worker"})
# DfE census codes used in generated workforce rows.
ETHNICITIES = ("WBRI", "WBRI", "WBRI", "WOTH", "WIRI", "MWBC", "AIND", "APKN", "BAFR", "BCRB")
QUALIFICATION_LEVELS = ("1", "2", "3")


def agency_assignments_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One council's agency assignments open in the month, with stored column names.

    Each establishment row's agency FTE is covered by whole assignments (hours per week make
    up the FTE at 37 hours); its agency FTE covering vacancies sets how many are vacancy cover.
    Assignment references are in clear, as a council sends them (ingest hashes them).
    """
    establishment = establishment_frame(council_code, period, seed)
    roles = _grade_roles(council_code, period_end(period))
    month = month_index(period)
    first_day, last_day = period_start(period), period_end(period)
    rng = np.random.default_rng([seed, _stable_int(council_code), month, 1])
    daily = council_code in DAILY_RATE_COUNCILS
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
        cap = AGENCY_PAY_CAPS[roles[post.grade][0]]
        for index in range(count):
            reference += int(rng.integers(1, 9))
            start = last_day - dt.timedelta(days=int(rng.integers(0, 540)))
            end = None
            if rng.random() < 0.12:  # ended during the month
                end = max(start, first_day) + dt.timedelta(days=int(rng.integers(0, 28)))
                end = min(end, last_day)
            above_cap = rng.random() < ABOVE_CAP_SHARE
            pay = cap * (rng.uniform(1.02, 1.2) if above_cap else rng.uniform(0.9, 1.0))
            charge = pay * rng.uniform(*AGENCY_MARGIN)
            signed_off = bool(above_cap and rng.random() < ABOVE_CAP_SIGNED_OFF_SHARE)
            scale = HOURS_PER_DAY if daily else 1.0
            rows.append(
                {
                    "assignment_key": f"AGY-{start.year}-{reference:04d}",
                    "agency_name": AGENCY_NAMES[int(rng.integers(len(AGENCY_NAMES)))],
                    "grade": post.grade,
                    "team": post.team,
                    "start_date": start,
                    "end_date": end,
                    "pay_rate": round(pay * scale, 2),
                    "charge_rate": round(charge * scale, 2),
                    "rate_basis": "daily" if daily else "hourly",
                    "hours_per_week": hours,
                    "reason": "vacancy_cover"
                    if index < covering
                    else AGENCY_OTHER_REASONS[int(rng.integers(len(AGENCY_OTHER_REASONS)))],
                    "cap_exception_signed_off": signed_off,
                    "signed_off_by": "DCS" if signed_off else None,
                    "signed_off_on": min(
                        start + dt.timedelta(days=int(rng.integers(0, 10))), last_day
                    )
                    if signed_off
                    else None,
                }
            )
    return pd.DataFrame(rows, columns=AGENCY_ASSIGNMENTS.column_names)


def pay_scales_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One council's pay scale per local grade, in force from the April of the period's
    financial year (the same all year, rows in a month-dependent order), stored column names."""
    year = financial_year(period)
    rng = np.random.default_rng([seed, _stable_int(council_code), 2])
    council_factor = rng.uniform(0.95, 1.05)
    hours = STANDARD_WEEKLY_HOURS if rng.random() < 0.8 else 36.0
    pays_supplement = rng.random() < 0.5
    uprating = (1 + ANNUAL_PAY_AWARD) ** (year - 2024)
    rows = []
    for grade, (role, is_newly_qualified) in _grade_roles(council_code, period_end(period)).items():
        low, high = NEWLY_QUALIFIED_SALARY if is_newly_qualified else SALARY_RANGES[role]
        supplement = pays_supplement and role in SUPPLEMENT_ROLES and not is_newly_qualified
        rows.append(
            {
                "grade": grade,
                "salary_min": float(round(low * council_factor * uprating)),
                "salary_max": float(round(high * council_factor * uprating)),
                "weekly_hours": hours,
                "market_supplement": float(round(rng.uniform(2_000, 5_000), -2))
                if supplement
                else None,
                "recruitment_payment": float(round(rng.uniform(1_000, 3_000), -2))
                if supplement
                else 0.0,
                "retention_payment": float(round(rng.uniform(500, 2_000), -2))
                if supplement and rng.random() < 0.5
                else None,
                "effective_from": dt.date(year, 4, 1),
            }
        )
    # The scales are the same all year, but a council's export lists its grades in no fixed
    # order, so two months' files are rarely byte-identical (ingest would take a byte-identical
    # file for a copy of the earlier month's).
    shift = month_index(period) % len(rows)
    return pd.DataFrame(rows[shift:] + rows[:shift], columns=PAY_SCALES.column_names)


def workforce_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One row per social worker, census style, consistent with the establishment table:
    in-post workers make up each row's permanent and agency FTE, the month's starters have a
    start date in the month, and its leavers an end date in it. SWE numbers and birth dates
    are in clear, as a council sends them (ingest hashes them and keeps only the month)."""
    establishment = establishment_frame(council_code, period, seed)
    roles = _grade_roles(council_code, period_end(period))
    scales = pay_scales_frame(council_code, period, seed).set_index("grade")
    org_roles = {r["role_code"]: r["dfe_org_role"] for r in seed_rows("regional_roles")}
    month = month_index(period)
    first_day, last_day = period_start(period), period_end(period)
    census_day = _last_census_day(last_day)
    rng = np.random.default_rng([seed, _stable_int(council_code), month, 3])
    swe_number = 100_000 + int(rng.integers(0, 500))

    def worker(post, fte: float, is_agency: bool, starter: bool, leaver: bool) -> dict:
        nonlocal swe_number
        swe_number += int(rng.integers(1, 200))
        role, _ = roles[post.grade]
        if starter:
            start = first_day + dt.timedelta(days=int(rng.integers(0, last_day.day)))
        else:
            start = first_day - dt.timedelta(days=int(rng.integers(30, 15 * 365)))
        end = None
        if leaver:
            end = max(start, first_day + dt.timedelta(days=int(rng.integers(0, last_day.day))))
        in_post_at_census = start <= census_day and (end is None or end > census_day)
        holds_cases = role in CASE_HOLDING_ROLES and in_post_at_census
        low, high = scales.loc[post.grade, ["salary_min", "salary_max"]]
        return {
            "worker_key": f"SW{swe_number:06d}",
            "is_agency_worker": is_agency,
            "fte": fte,
            "birth_month": dt.date(
                int(rng.integers(1960, 2000)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
            ),
            "ethnicity": ETHNICITIES[int(rng.integers(len(ETHNICITIES)))],
            "qualification_level": QUALIFICATION_LEVELS[int(rng.integers(3))],
            "org_role": org_roles[role],
            "role_start_date": start,
            "start_origin": str(int(rng.integers(1, 11))),
            "role_end_date": end,
            "reason_leave": str(int(rng.integers(1, 11))) if leaver else None,
            "leaver_destination": str(int(rng.integers(1, 10))) if leaver else None,
            "fte_30_sept": fte if in_post_at_census else None,
            "cases_30_sept": float(rng.integers(8, 22)) if holds_cases else None,
            "working_days_lost": float(rng.poisson(6)),
            "absent_at_30_sept": False,
            "reason_absence": None,
            "base_salary": None if is_agency else float(round(rng.uniform(low, high))),
        }

    rows = []
    for post in establishment.itertuples(index=False):
        permanent = _worker_ftes(post.permanent_fte, rng)
        starters = min(post.starters_headcount, len(permanent))
        for index, fte in enumerate(permanent):
            rows.append(worker(post, fte, is_agency=False, starter=index < starters, leaver=False))
        for fte in _worker_ftes(post.agency_fte, rng):
            rows.append(worker(post, fte, is_agency=True, starter=False, leaver=False))
        for _ in range(post.leavers_headcount):
            rows.append(worker(post, 1.0, is_agency=False, starter=False, leaver=True))
    return pd.DataFrame(rows, columns=WORKFORCE.column_names)


def _worker_ftes(total_fte: float, rng: np.random.Generator) -> list[float]:
    """Workers' FTEs (each at most 1) that add up to ``total_fte``: mostly full time, some
    posts shared by two part-timers."""
    tenths = round(total_fte * 10)
    ftes = [1.0] * (tenths // 10) + ([tenths % 10 / 10] if tenths % 10 else [])
    shared = []
    for fte in ftes:
        if fte == 1.0 and rng.random() < 0.15:
            shared += [0.6, 0.4]
        else:
            shared.append(fte)
    return shared


def _grade_roles(council_code: str, on: dt.date) -> dict[str, tuple[str, bool]]:
    """local grade -> (regional role, is newly qualified) for one council, as mapped on ``on``."""
    return {
        g["local_grade"]: (g["regional_role"], g["is_newly_qualified"] == "true")
        for g in _grade_role_map(on)
        if g["council_code"] == council_code
    }


def _last_census_day(day: dt.date) -> dt.date:
    """The latest 30 September on or before ``day`` (the CSWW census reference date)."""
    census = dt.date(day.year, 9, 30)
    return census if census <= day else dt.date(day.year - 1, 9, 30)


def write_return(
    frame: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: Path,
    fmt: ReturnFormat,
    table: str = ESTABLISHMENT.name,
) -> Path:
    """Write a return under the officer-facing headers.

    ``frame`` is one table's frame (``table`` names it: one CSV, or a one-sheet workbook) or,
    for a workbook, a mapping of table name to frame (one sheet each, in template order).
    Dates become Excel date cells or ISO dates in CSV; flags Yes/No; codes their labels.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = {table: frame} if isinstance(frame, pd.DataFrame) else dict(frame)
    unknown = set(frames) - set(RETURN_TABLES)
    if unknown:
        raise ValueError(f"not a return table: {', '.join(sorted(unknown))}")
    if fmt == "csv":
        if len(frames) != 1:
            raise ValueError("a CSV file holds one table; write one file per table")
        ((name, only),) = frames.items()
        _write_csv(only, RETURN_TABLES[name], path)
    elif fmt == "xlsx":
        ordered = {name: frames[name] for name in RETURN_TABLES if name in frames}
        _write_workbook(ordered, path)
    else:
        raise ValueError(f"unknown return format {fmt!r}")
    return path


def return_frames(
    council_code: str,
    period: str,
    seed: int = 42,
    tables: Iterable[str] = tuple(RETURN_TABLES),
) -> dict[str, pd.DataFrame]:
    """The requested tables of one council's return for one month, in template order."""
    wanted = set(tables)
    builders = {
        ESTABLISHMENT.name: establishment_frame,
        AGENCY_ASSIGNMENTS.name: agency_assignments_frame,
        PAY_SCALES.name: pay_scales_frame,
        WORKFORCE.name: workforce_frame,
    }
    unknown = wanted - set(builders)
    if unknown:
        raise ValueError(f"not a return table: {', '.join(sorted(unknown))}")
    return {
        name: build(council_code, period, seed)
        for name, build in builders.items()
        if name in wanted
    }


def generate_returns(
    bucket_dir: Path,
    periods: list[str],
    seed: int = 42,
    councils: list[str] | None = None,
    tables: Iterable[str] = tuple(RETURN_TABLES),
) -> list[Path]:
    """Write every council's return for every period into its folder of the bucket: one
    workbook with a sheet per table, or one CSV file per table, as the council sends them."""
    members = _members()
    council_codes = list(members) if councils is None else councils
    tables = tuple(tables)
    paths = []
    for council_code in council_codes:
        slug = members[council_code]
        fmt: ReturnFormat = "xlsx" if _profile(council_code).sends_excel else "csv"
        for period in periods:
            frames = return_frames(council_code, period, seed, tables)
            folder = Path(bucket_dir) / slug
            if fmt == "xlsx":
                path = folder / return_filename(slug, period, fmt)
                paths.append(write_return(frames, path, fmt))
                continue
            for name, frame in frames.items():
                path = folder / return_filename(slug, period, fmt, name)
                paths.append(write_return(frame, path, fmt, name))
    return paths


@dataclass(frozen=True)
class _PostGroup:
    team: str
    grade: str
    regional_role: str
    is_newly_qualified: bool
    establishment_fte: float
    vacancy_factor: float  # how this group's vacancy rate compares with the council's
    agency_factor: float


@cache
def _post_groups(council_code: str, seed: int, on: dt.date) -> tuple[_PostGroup, ...]:
    """The rows a council reports in a month ending on ``on``, with their base sizes: one per
    team and grade of its vocabulary in force that day (the same every month until the council
    re-grades or renames a team, so months before a change are generated as they always were)."""
    profile = _profile(council_code)
    grades = [g for g in _grade_role_map(on) if g["council_code"] == council_code]
    teams = [t for t in _team_service_area_map(on) if t["council_code"] == council_code]
    if not grades or not teams:
        raise ValueError(f"council {council_code} has no grades or teams in the mapping seeds")
    rng = np.random.default_rng([seed, _stable_int(council_code)])

    drafts = []
    for team in teams:
        is_other_team = team["service_area"] == "other"
        team_weight = SERVICE_AREA_WEIGHTS[team["service_area"]] * rng.uniform(0.8, 1.2)
        for grade in grades:
            role = grade["regional_role"]
            if role not in (OTHER_TEAM_ROLES if is_other_team else FRONTLINE_TEAM_ROLES):
                continue
            is_newly_qualified = grade["is_newly_qualified"] == "true"
            role_weight = NEWLY_QUALIFIED_WEIGHT if is_newly_qualified else ROLE_WEIGHTS[role]
            drafts.append((team["local_team"], grade, team_weight * role_weight))

    total_weight = sum(weight for _, _, weight in drafts)
    total_establishment = profile.permanent_fte / (1 - profile.vacancy_rate)
    return tuple(
        _PostGroup(
            team=team,
            grade=grade["local_grade"],
            regional_role=grade["regional_role"],
            is_newly_qualified=grade["is_newly_qualified"] == "true",
            establishment_fte=max(1.0, total_establishment * weight / total_weight),
            vacancy_factor=float(rng.lognormal(0, 0.3)),
            agency_factor=float(rng.lognormal(0, 0.3)),
        )
        for team, grade, weight in drafts
    )


def _write_workbook(frames: Mapping[str, pd.DataFrame], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in frames.items():
        table = RETURN_TABLES[name]
        sheet = workbook.create_sheet(table.name)
        sheet.append(table.headers)
        for record in frame[table.column_names].itertuples(index=False):
            sheet.append(
                [
                    _excel_value(value, column)
                    for value, column in zip(record, table.columns, strict=True)
                ]
            )
        for cells in sheet.iter_cols(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD/MM/YYYY"  # as a UK officer's Excel shows dates
    workbook.save(path)


def _write_csv(frame: pd.DataFrame, table: ReturnTable, path: Path) -> None:
    rows = [
        [_csv_text(value, column) for value, column in zip(record, table.columns, strict=True)]
        for record in frame[table.column_names].itertuples(index=False)
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.headers)
        writer.writerows(rows)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _excel_value(value: object, column: Column) -> object:
    """A typed value as a council's workbook holds it."""
    if _is_blank(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if column.kind == "flag":
        return flag_label(value)
    if column.kind == "code":
        return code_label(str(value))
    if column.kind == "count":
        return int(value)
    return value


def _csv_text(value: object, column: Column) -> str:
    """A typed value as a council's CSV export writes it (ISO dates, plain numbers)."""
    value = _excel_value(value, column)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if column.kind == "fte":
        return f"{value:.1f}"
    if column.kind == "money":
        return f"{value:.2f}" if value % 1 else f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _profile(council_code: str) -> CouncilProfile:
    try:
        return COUNCIL_PROFILES[council_code]
    except KeyError:
        raise ValueError(f"no sample-size profile for council {council_code!r}") from None


@cache
def _members() -> dict[str, str]:
    """council_code -> council_slug (the bucket folder), from the members seed."""
    return {row["council_code"]: row["council_slug"] for row in seed_rows("members")}


@cache
def _grade_role_map(on: dt.date) -> tuple[dict[str, str], ...]:
    """The grade_role_map rows in force on ``on``: the vocabulary a return for the month
    ending that day uses (ingest rejects a grade with no row in force on the month end)."""
    return rows_in_force_on(seed_rows("grade_role_map"), on)


@cache
def _team_service_area_map(on: dt.date) -> tuple[dict[str, str], ...]:
    """The team_service_area_map rows in force on ``on``."""
    return rows_in_force_on(seed_rows("team_service_area_map"), on)


def _stable_int(text: str) -> int:
    # Python's hash() is salted per process; CRC32 gives the same number on every run.
    return zlib.crc32(text.encode("utf-8"))
