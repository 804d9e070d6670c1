"""The sample councils: how big each one is, how its posts are spread over teams and grades,
and the seed of its random numbers. Every sample table (samples.establishment, agency, pay,
workforce; samples.census) is built on this structure.

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

import datetime as dt
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from common.reference import rows_in_force_on, seed_rows


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
STANDARD_WEEKLY_HOURS = 37.0  # a full-time week


def council_profile(council_code: str) -> CouncilProfile:
    """Size and rates of a member council (ValueError for a council without a profile)."""
    try:
        return COUNCIL_PROFILES[council_code]
    except KeyError:
        raise ValueError(f"no sample-size profile for council {council_code!r}") from None


@dataclass(frozen=True)
class PostGroup:
    team: str
    grade: str
    regional_role: str
    is_newly_qualified: bool
    establishment_fte: float
    vacancy_factor: float  # how this group's vacancy rate compares with the council's
    agency_factor: float


@cache
def post_groups(council_code: str, seed: int, on: dt.date) -> tuple[PostGroup, ...]:
    """The rows a council reports in a month ending on ``on``, with their base sizes: one per
    team and grade of its vocabulary in force that day (the same every month until the council
    re-grades or renames a team, so months before a change are generated as they always were)."""
    profile = council_profile(council_code)
    grades = [g for g in _grade_role_map(on) if g["council_code"] == council_code]
    teams = [t for t in _team_service_area_map(on) if t["council_code"] == council_code]
    if not grades or not teams:
        raise ValueError(f"council {council_code} has no grades or teams in the mapping seeds")
    rng = np.random.default_rng([seed, stable_int(council_code)])

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
        PostGroup(
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


def grade_roles(council_code: str, on: dt.date) -> dict[str, tuple[str, bool]]:
    """local grade -> (regional role, is newly qualified) for one council, as mapped on ``on``."""
    return {
        g["local_grade"]: (g["regional_role"], g["is_newly_qualified"] == "true")
        for g in _grade_role_map(on)
        if g["council_code"] == council_code
    }


@cache
def _grade_role_map(on: dt.date) -> tuple[dict[str, str], ...]:
    """The grade_role_map rows in force on ``on``: the vocabulary a return for the month
    ending that day uses (ingest rejects a grade with no row in force on the month end)."""
    return rows_in_force_on(seed_rows("grade_role_map"), on)


@cache
def _team_service_area_map(on: dt.date) -> tuple[dict[str, str], ...]:
    """The team_service_area_map rows in force on ``on``."""
    return rows_in_force_on(seed_rows("team_service_area_map"), on)


def stable_int(text: str) -> int:
    """A number for ``text`` that is the same in every process, to seed generators with."""
    # Python's hash() is salted per process; CRC32 gives the same number on every run.
    return zlib.crc32(text.encode("utf-8"))
