"""Sample monthly returns: realistic, deterministic files for the demo and the test fixtures.

Each council writes in its own vocabulary of teams and grades, read from the mapping seeds
(`grade_role_map.csv`, `team_service_area_map.csv`), so generated files always harmonise.

Determinism: a council's structure (which rows exist, how big each post group is, its base
vacancy and agency rates) comes from a generator seeded by (seed, council); a month's figures
come from one seeded by (seed, council, period) plus a slow drift that is a pure function of
the month. Any single council-month can therefore be produced on its own, and consecutive
months still move smoothly.
"""

from __future__ import annotations

import csv
import math
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ingest.config import SEEDS_DIR
from ingest.tables import ESTABLISHMENT

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


def month_range(start: str, end: str) -> list[str]:
    """Every period from start to end inclusive, as "YYYY-MM"."""
    first, last = _month_index(start), _month_index(end)
    return [_period_from_index(i) for i in range(first, last + 1)]


def return_filename(council_slug: str, period: str, fmt: ReturnFormat) -> str:
    if fmt == "csv":
        return f"{council_slug}_{period}_establishment.csv"
    if fmt == "xlsx":
        return f"{council_slug}_{period}_return.xlsx"
    raise ValueError(f"unknown return format {fmt!r}")


def establishment_frame(council_code: str, period: str, seed: int = 42) -> pd.DataFrame:
    """One council's establishment table for one month, with stored column names."""
    profile = _profile(council_code)
    post_groups = _post_groups(council_code, seed)
    month = _month_index(period)
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


def write_return(frame: pd.DataFrame, path: Path, fmt: ReturnFormat) -> Path:
    """Write a frame under the officer-facing headers, as one CSV or a one-sheet workbook."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    officer_frame = frame[ESTABLISHMENT.column_names].set_axis(ESTABLISHMENT.headers, axis=1)
    if fmt == "csv":
        officer_frame.to_csv(path, index=False, lineterminator="\n", float_format="%.1f")
    elif fmt == "xlsx":
        _write_workbook(officer_frame, path)
    else:
        raise ValueError(f"unknown return format {fmt!r}")
    return path


def generate_returns(
    bucket_dir: Path,
    periods: list[str],
    seed: int = 42,
    councils: list[str] | None = None,
) -> list[Path]:
    """Write every council's return for every period into its folder of the bucket."""
    members = _members()
    council_codes = list(members) if councils is None else councils
    paths = []
    for council_code in council_codes:
        slug = members[council_code]
        fmt: ReturnFormat = "xlsx" if _profile(council_code).sends_excel else "csv"
        for period in periods:
            frame = establishment_frame(council_code, period, seed)
            path = Path(bucket_dir) / slug / return_filename(slug, period, fmt)
            paths.append(write_return(frame, path, fmt))
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
def _post_groups(council_code: str, seed: int) -> tuple[_PostGroup, ...]:
    """The rows a council reports every month, with their base sizes."""
    profile = _profile(council_code)
    grades = [g for g in _grade_role_map() if g["council_code"] == council_code]
    teams = [t for t in _team_service_area_map() if t["council_code"] == council_code]
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


def _write_workbook(officer_frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ESTABLISHMENT.name
    sheet.append(list(officer_frame.columns))
    for record in officer_frame.itertuples(index=False):
        sheet.append([value.item() if hasattr(value, "item") else value for value in record])
    workbook.save(path)


def _profile(council_code: str) -> CouncilProfile:
    try:
        return COUNCIL_PROFILES[council_code]
    except KeyError:
        raise ValueError(f"no sample-size profile for council {council_code!r}") from None


@cache
def _members() -> dict[str, str]:
    """council_code -> council_slug (the bucket folder), from the members seed."""
    return {row["council_code"]: row["council_slug"] for row in _read_seed("members.csv")}


@cache
def _grade_role_map() -> tuple[dict[str, str], ...]:
    return _read_seed("grade_role_map.csv")


@cache
def _team_service_area_map() -> tuple[dict[str, str], ...]:
    return _read_seed("team_service_area_map.csv")


def _read_seed(name: str) -> tuple[dict[str, str], ...]:
    with open(SEEDS_DIR / name, newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def _stable_int(text: str) -> int:
    # Python's hash() is salted per process; CRC32 gives the same number on every run.
    return zlib.crc32(text.encode("utf-8"))


def _month_index(period: str) -> int:
    year, month = period.split("-")
    if len(year) != 4 or len(month) != 2 or not 1 <= int(month) <= 12:
        raise ValueError(f"period must be 'YYYY-MM', got {period!r}")
    return int(year) * 12 + int(month) - 1


def _period_from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
