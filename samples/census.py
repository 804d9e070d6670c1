"""Sample DfE CSWW census XML files: realistic, deterministic, in each schema year 2021-2025.

The workers of a council-year come from a generator seeded by (seed, council, census year), so
the same people appear whatever schema year the file is written in; only the tags change:

- 2021-2023: GenderCurrent, QualInst, CFKSSstatus; LA record <LALevelVacancies>.
- 2024: Sex replaces GenderCurrent.
- 2025: LA record renamed <LALevel> with benefit flags; BaseSalary, RRPayments and
  OtherPayments per worker; QualInst and CFKSSstatus dropped.

Sizes follow the council profiles of the monthly-return generator (``samples.councils``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from samples.councils import ANNUAL_TURNOVER, COUNCIL_PROFILES, CouncilProfile, stable_int

__all__ = [
    "CensusSample",
    "census_file_name",
    "census_sample",
    "census_xml_bytes",
    "render_census_xml",
    "write_census",
]

SCHEMA_YEARS = (2021, 2022, 2023, 2024, 2025)
DEFAULT_PROFILE = CouncilProfile(150, 0.17, 0.14, sends_excel=False)  # a non-member council

# Share of workers by OrgRole (1 senior manager .. 6 qualified without cases).
ROLE_SHARES = {"1": 0.02, "2": 0.06, "3": 0.12, "4": 0.12, "5": 0.60, "6": 0.08}
AGENCY_ROLE_SHARES = {"3": 0.08, "4": 0.07, "5": 0.80, "6": 0.05}
ETHNICITIES = {
    "WBRI": 0.62,
    "WOTH": 0.07,
    "WIRI": 0.02,
    "BAFR": 0.09,
    "BCRB": 0.03,
    "AIND": 0.03,
    "APKN": 0.02,
    "MWBC": 0.02,
    "MOTH": 0.02,
    "OOTH": 0.02,
    "REFU": 0.04,
    "NOBT": 0.02,
}
QUALIFYING_INSTITUTIONS = (
    "University of East Anglia",
    "Anglia Ruskin University",
    "University of Essex",
    "University of Hertfordshire",
    "University of Bedfordshire",
    "The Open University",
)
SALARY_BANDS = {  # OrgRole -> annual full-time base salary range (pounds)
    "1": (78_000, 110_000),
    "2": (56_000, 72_000),
    "3": (47_000, 56_000),
    "4": (42_000, 49_000),
    "5": (33_000, 43_000),
    "6": (36_000, 45_000),
}
# LA-level benefit flags collected from 2025 (whether the council offers each to social workers).
BENEFIT_FLAGS = (
    "RecruitmentBonus",
    "RetentionPayment",
    "RelocationPackage",
    "PerformanceReward",
    "CarAllowance",
    "RegionalWeighting",
    "SWEFeesPaid",
    "DBSFeesPaid",
)
ABSENCE_REASONS = ("SIC", "MAT", "OTH", "TRN")
MEAN_PERMANENT_FTE = 0.93
MEAN_AGENCY_FTE = 0.98


@dataclass(frozen=True)
class CensusSample:
    """One council's census for one year, as values per census tag (text as written)."""

    lea: str
    census_year: int
    reference_date: dt.date
    la_record: dict[str, str]  # NumberOfVacancies, NoAgencyFTE, NoAgencyHeadcount
    benefit_flags: dict[str, str]  # 2025 only
    workers: tuple[dict[str, str], ...]  # census tag -> text; absent tags are not written


def census_file_name(council_slug: str, census_year: int) -> str:
    return f"{council_slug}_census_{census_year:04d}-09.xml"


def census_sample(council_code: str, census_year: int, seed: int = 42) -> CensusSample:
    """The workers and LA record of one council's census (same for every schema year)."""
    profile = COUNCIL_PROFILES.get(council_code, DEFAULT_PROFILE)
    rng = np.random.default_rng([seed, stable_int(council_code), census_year])
    reference = dt.date(census_year, 9, 30)
    year_start = dt.date(census_year - 1, 10, 1)
    days_in_year = (reference - year_start).days + 1

    permanent_fte = profile.permanent_fte * rng.uniform(0.95, 1.05)
    agency_fte = permanent_fte * profile.agency_rate / (1 - profile.agency_rate)
    n_permanent = max(3, round(permanent_fte / MEAN_PERMANENT_FTE))
    n_agency = max(1, round(agency_fte / MEAN_AGENCY_FTE))
    n_leavers = max(1, int(rng.poisson(permanent_fte * ANNUAL_TURNOVER / MEAN_PERMANENT_FTE)))

    numbers = rng.choice(900_000, size=n_permanent + n_agency + n_leavers, replace=False)
    swe_numbers = iter(f"SW{100_000 + int(n):06d}" for n in numbers)

    def day_in_year() -> dt.date:
        return year_start + dt.timedelta(days=int(rng.integers(0, days_in_year)))

    def permanent_worker(leaver: bool) -> dict[str, str]:
        role = str(rng.choice(list(ROLE_SHARES), p=list(ROLE_SHARES.values())))
        fte = 1.0 if rng.random() < 0.8 else round(float(rng.uniform(0.4, 0.95)), 2)
        age_days = int(rng.integers(23 * 365, 64 * 365))
        # Starters in the year: about as many as leavers, so the workforce stays level.
        started_in_year = rng.random() < ANNUAL_TURNOVER * 1.05
        if started_in_year:
            start = day_in_year()
        else:
            start = year_start - dt.timedelta(days=int(rng.integers(1, 20 * 365)))
        origin = str(rng.choice(["1", "2", "3", "4", "5", "6", "7", "8", "9"]))
        absent = rng.random() < 0.05
        low, high = SALARY_BANDS[role]
        worker = {
            "AgencyWorker": "0",
            "SWENo": next(swe_numbers),
            "FTE": f"{fte:.6f}",
            "PersonBirthDate": (reference - dt.timedelta(days=age_days)).isoformat(),
            "Gender": str(rng.choice(["1", "2", "2", "2", "2", "9"])),
            "Ethnicity": str(rng.choice(list(ETHNICITIES), p=_normalised(ETHNICITIES))),
            "QualInst": str(rng.choice(QUALIFYING_INSTITUTIONS)),
            "QualLevel": str(rng.choice(["1", "2", "3"], p=[0.55, 0.4, 0.05])),
            "StepUpGrad": "1" if rng.random() < 0.05 else "0",
            "OrgRole": role,
            "RoleStartDate": start.isoformat(),
            "StartOrigin": origin,
            "WorkingDaysLost": f"{float(rng.gamma(1.2, 6.0)):.2f}",
            "FrontlineGrad": "1" if rng.random() < 0.06 else "0",
            "CFKSSstatus": str(rng.choice(["1", "2", "3", "4"])),
            "BaseSalary": f"{int(rng.integers(low, high) // 100 * 100)}",
            "RRPayments": f"{int(rng.choice([0, 0, 0, 1500, 2000, 3000]))}",
            "OtherPayments": f"{int(rng.choice([0, 0, 0, 0, 500, 1200]))}",
        }
        if leaver:
            end = day_in_year()
            if started_in_year and end < start:
                start, end = end, start
                worker["RoleStartDate"] = start.isoformat()
            worker["RoleEndDate"] = end.isoformat()
            worker["LeaverDestination"] = str(rng.integers(1, 10))
            worker["ReasonLeave"] = str(rng.choice(["1", "1", "1", "2", "5", "7", "8", "9"]))
        else:
            worker["FTE30"] = worker["FTE"]
            worker["Cases30"] = str(_cases(rng, role, fte))
            worker["Absat30Sept"] = "1" if absent else "0"
            if absent:
                worker["ReasonAbsence"] = str(rng.choice(ABSENCE_REASONS))
        return worker

    def agency_worker() -> dict[str, str]:
        role = str(rng.choice(list(AGENCY_ROLE_SHARES), p=list(AGENCY_ROLE_SHARES.values())))
        fte = 1.0 if rng.random() < 0.9 else round(float(rng.uniform(0.5, 0.95)), 2)
        return {
            "AgencyWorker": "1",
            "SWENo": next(swe_numbers),
            "FTE": f"{fte:.6f}",
            "QualInst": str(rng.choice(QUALIFYING_INSTITUTIONS)),
            "OrgRole": role,
            "FTE30": f"{fte:.6f}",
            "Cases30": str(_cases(rng, role, fte)),
        }

    workers = [permanent_worker(leaver=False) for _ in range(n_permanent)]
    workers += [permanent_worker(leaver=True) for _ in range(n_leavers)]
    workers += [agency_worker() for _ in range(n_agency)]
    order = rng.permutation(len(workers))  # exports list workers in no particular order
    workers = [workers[i] for i in order]

    agency_in_post = sum(float(w["FTE30"]) for w in workers if w["AgencyWorker"] == "1")
    vacancies = permanent_fte * profile.vacancy_rate / (1 - profile.vacancy_rate)
    agency_cover = min(vacancies, agency_in_post * rng.uniform(0.6, 0.95))
    la_record = {
        "NumberOfVacancies": f"{vacancies:.2f}",
        "NoAgencyFTE": f"{agency_cover:.2f}",
        # Each worker is at most 1 FTE, so the headcount is never below the FTE.
        "NoAgencyHeadcount": str(
            min(n_agency, max(math.ceil(agency_cover), round(agency_cover / MEAN_AGENCY_FTE)))
        ),
    }
    benefit_flags = {flag: "1" if rng.random() < 0.5 else "0" for flag in BENEFIT_FLAGS}
    return CensusSample(
        lea=council_code,
        census_year=census_year,
        reference_date=reference,
        la_record=la_record,
        benefit_flags=benefit_flags,
        workers=tuple(workers),
    )


# Worker tags in the order of each schema; "Gender" is written as GenderCurrent or Sex.
_WORKER_TAGS_2021 = (
    "AgencyWorker",
    "SWENo",
    "FTE",
    "PersonBirthDate",
    "GenderCurrent",
    "Ethnicity",
    "QualInst",
    "QualLevel",
    "StepUpGrad",
    "OrgRole",
    "RoleStartDate",
    "StartOrigin",
    "RoleEndDate",
    "LeaverDestination",
    "ReasonLeave",
    "FTE30",
    "Cases30",
    "WorkingDaysLost",
    "FrontlineGrad",
    "Absat30Sept",
    "ReasonAbsence",
    "CFKSSstatus",
)
_WORKER_TAGS_2024 = tuple("Sex" if t == "GenderCurrent" else t for t in _WORKER_TAGS_2021)
_WORKER_TAGS_2025 = (
    *(t for t in _WORKER_TAGS_2024 if t not in ("QualInst", "CFKSSstatus")),
    "BaseSalary",
    "RRPayments",
    "OtherPayments",
)


def render_census_xml(sample: CensusSample, schema_year: int) -> bytes:
    """The sample as a census XML file in the given schema year's layout."""
    if schema_year not in SCHEMA_YEARS:
        raise ValueError(f"schema_year must be one of {SCHEMA_YEARS}, got {schema_year!r}")
    if schema_year <= 2023:
        worker_tags = _WORKER_TAGS_2021
    elif schema_year == 2024:
        worker_tags = _WORKER_TAGS_2024
    else:
        worker_tags = _WORKER_TAGS_2025
    la_tag = "LALevel" if schema_year >= 2025 else "LALevelVacancies"

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<Message>",
        "  <Header>",
        "    <CollectionDetails>",
        "      <Collection>CSWW</Collection>",
        f"      <Year>{sample.census_year}</Year>",
        f"      <ReferenceDate>{sample.reference_date.isoformat()}</ReferenceDate>",
        "    </CollectionDetails>",
        "    <Source>",
        "      <SourceLevel>L</SourceLevel>",
        f"      <LEA>{escape(sample.lea)}</LEA>",
        "      <SoftwareCode>moc-workforce sample generator</SoftwareCode>",
        f"      <DateTime>{sample.census_year}-10-15T09:00:00Z</DateTime>",
        "    </Source>",
        "  </Header>",
        f"  <{la_tag}>",
    ]
    lines += [f"    <{tag}>{value}</{tag}>" for tag, value in sample.la_record.items()]
    if schema_year >= 2025:
        lines += [f"    <{tag}>{value}</{tag}>" for tag, value in sample.benefit_flags.items()]
    lines.append(f"  </{la_tag}>")
    for worker in sample.workers:
        lines.append("  <CSWWWorker>")
        for tag in worker_tags:
            key = "Gender" if tag in ("GenderCurrent", "Sex") else tag
            if key in worker:
                lines.append(f"    <{tag}>{escape(worker[key])}</{tag}>")
        lines.append("  </CSWWWorker>")
    lines.append("</Message>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def census_xml_bytes(
    council_code: str, census_year: int, schema_year: int, seed: int = 42
) -> bytes:
    """A realistic census XML for one council and census year, in a schema year's layout."""
    return render_census_xml(census_sample(council_code, census_year, seed), schema_year)


def write_census(
    bucket_dir: Path,
    council_slug: str,
    council_code: str,
    census_year: int,
    schema_year: int,
    seed: int = 42,
) -> Path:
    """Write ``<bucket>/<slug>/<slug>_census_<YYYY>-09.xml``."""
    path = Path(bucket_dir) / council_slug / census_file_name(council_slug, census_year)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(census_xml_bytes(council_code, census_year, schema_year, seed))
    return path


def _cases(rng: np.random.Generator, role: str, fte: float) -> int:
    if role == "5":
        return int(round(fte * rng.uniform(12, 22)))
    if role in ("3", "4"):
        return int(round(fte * rng.uniform(0, 8))) if rng.random() < 0.5 else 0
    return 0


def _normalised(weights: dict[str, float]) -> list[float]:
    total = sum(weights.values())
    return [w / total for w in weights.values()]
